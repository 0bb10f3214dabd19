//! nestest in automation mode against nestest.log, every line.

use std::path::PathBuf;

use dynes_nes::Nes;

fn suite_dir() -> PathBuf {
    std::env::var_os("DYNES_TEST_ROMS").map(PathBuf::from).unwrap_or_else(|| {
        PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/nes-test-roms"))
    })
}

/// The columns the comparison is defined on: PC, opcode bytes, A, X, Y, P,
/// SP and CYC.
fn key_columns(line: &str) -> String {
    let cyc = line.split("CYC:").nth(1).unwrap_or("").trim();
    let regs = line.get(48..73).unwrap_or("");
    format!(
        "{} | {} | {} | CYC:{}",
        line.get(..4).unwrap_or(""),
        line.get(6..14).unwrap_or("").trim(),
        regs,
        cyc
    )
}

#[test]
fn nestest_matches_log() {
    let dir = suite_dir().join("other");
    let (Ok(log), true) =
        (std::fs::read_to_string(dir.join("nestest.log")), dir.join("nestest.nes").exists())
    else {
        eprintln!("skipped: nestest not found in {} (set DYNES_TEST_ROMS)", dir.display());
        return;
    };
    let mut nes = Nes::from_file(dir.join("nestest.nes")).expect("nestest.nes loads");
    nes.cpu_mut().set_pc(0xC000);
    let mut full_matches = 0;
    for (number, expected) in log.lines().enumerate() {
        let ours = nes.trace_line();
        assert_eq!(
            key_columns(&ours),
            key_columns(expected),
            "nestest.log line {} differs:\n ours: {ours}\n log:  {expected}",
            number + 1
        );
        if ours == expected.trim_end() {
            full_matches += 1;
        }
        nes.step();
    }
    // The disassembly text and PPU columns match too, not only the key columns.
    assert_eq!(full_matches, log.lines().count());
    // nestest's own verdict: $02 and $03 hold 0 when every test passed.
    assert_eq!((nes.peek(0x02), nes.peek(0x03)), (0, 0));
}
