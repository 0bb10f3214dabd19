//! The test-ROM suites from `$DYNES_TEST_ROMS/EXPECTED.tsv`, run through the
//! same code as `dynes test`, on the recompiler checked step by step against
//! the interpreter (`--engine verify`): every row whose peer result is
//! `pass` in the suites below must pass, and so must the listed `screen`
//! rows, with no difference between the engines. A failure names the ROM
//! and what it reported.
//!
//! The APU and DMA suites are here too. Of the DMC read-conflict suites,
//! which have no peer `pass`, the rows that give a verdict and pass are
//! listed by name: `dma_4016_read` (a DMC fetch during a controller read
//! deletes a bit), `dma_2007_write` and `read_write_2007`.

use std::path::PathBuf;

use dynes_nes::test_rom::{self, ManifestRow};
use dynes_nes::Engine;

fn manifest() -> Option<Vec<ManifestRow>> {
    let dir = std::env::var_os("DYNES_TEST_ROMS").map(PathBuf::from).unwrap_or_else(|| {
        PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/nes-test-roms"))
    });
    let path = dir.join("EXPECTED.tsv");
    if !path.is_file() {
        eprintln!("skipped: {} not found (set DYNES_TEST_ROMS)", path.display());
        return None;
    }
    Some(test_rom::read_manifest(&path, None).expect("EXPECTED.tsv parses"))
}

/// Which rows of a suite must pass.
#[derive(Clone, Copy)]
enum Rows {
    /// Those whose peer result is `pass`.
    PeerPass,
    /// Those, plus the `screen` rows.
    PeerPassAndScreen,
    /// Exactly these ROMs.
    Roms(&'static [&'static str]),
    /// The rows with this protocol.
    Protocol(&'static str),
}

/// Runs the rows of `suite` that must pass; panics listing every failure.
fn suite(suite: &str, which: Rows) {
    let Some(rows) = manifest() else { return };
    let rows: Vec<&ManifestRow> = rows
        .iter()
        .filter(|r| r.rom.starts_with(&format!("{suite}/")))
        .filter(|r| match which {
            Rows::PeerPass => r.peer_result == "pass",
            Rows::PeerPassAndScreen => r.peer_result == "pass" || r.protocol == "screen",
            Rows::Roms(roms) => roms.contains(&r.rom.as_str()),
            Rows::Protocol(protocol) => r.protocol == protocol,
        })
        .collect();
    assert!(!rows.is_empty(), "no rows for {suite}");
    let failures = test_rom::failures_on(rows.iter().copied(), Engine::Verify);
    assert!(failures.is_empty(), "{} of {} failed:\n{}", failures.len(), rows.len(), failures.join("\n"));
}

macro_rules! suites {
    ($($name:ident => $dir:literal, $rows:expr;)*) => {
        $(
            #[test]
            fn $name() {
                suite($dir, $rows);
            }
        )*
    };
}

suites! {
    instr_test_v5 => "instr_test-v5", Rows::PeerPass;
    cpu_dummy_writes => "cpu_dummy_writes", Rows::PeerPass;
    cpu_reset => "cpu_reset", Rows::PeerPass;
    cpu_timing_test6 => "cpu_timing_test6", Rows::PeerPassAndScreen;
    branch_timing_tests => "branch_timing_tests", Rows::PeerPass;
    blargg_ppu_tests => "blargg_ppu_tests_2005.09.15b", Rows::PeerPass;
    ppu_vbl_nmi => "ppu_vbl_nmi", Rows::PeerPass;
    ppu_read_buffer => "ppu_read_buffer", Rows::PeerPassAndScreen;
    oam_read => "oam_read", Rows::PeerPass;
    sprite_hit_tests => "sprite_hit_tests_2005.10.05", Rows::PeerPass;
    sprite_overflow_tests => "sprite_overflow_tests", Rows::PeerPass;
    mmc3_test => "mmc3_test", Rows::PeerPass;
    mmc3_irq_tests => "mmc3_irq_tests", Rows::PeerPass;
    // The other read_joy3 rows wait for a person to press buttons.
    read_joy3 => "read_joy3", Rows::Roms(&["read_joy3/thorough_test.nes"]);
    nestest => "other", Rows::Protocol("nestest");
    apu_test => "apu_test", Rows::PeerPass;
    blargg_apu => "blargg_apu_2005.07.30", Rows::PeerPass;
    cpu_interrupts_v2 => "cpu_interrupts_v2", Rows::PeerPass;
    instr_timing => "instr_timing", Rows::PeerPass;
    sprdma_and_dmc_dma => "sprdma_and_dmc_dma", Rows::PeerPass;
    dmc_dma_during_read4 => "dmc_dma_during_read4", Rows::Roms(&[
        "dmc_dma_during_read4/dma_4016_read.nes",
        "dmc_dma_during_read4/dma_2007_write.nes",
        "dmc_dma_during_read4/read_write_2007.nes",
    ]);
}
