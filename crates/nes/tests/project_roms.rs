//! The project's own test ROMs (`roms-test/`): they always run, and the
//! committed `.nes` files must be what their sources build to.

use std::path::{Path, PathBuf};
use std::process::Command;

use dynes_nes::test_rom;

fn roms_test() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../roms-test"))
}

#[test]
fn every_project_rom_passes() {
    let rows = test_rom::read_manifest(&roms_test().join("manifest.tsv"), None).expect("manifest parses");
    assert!(rows.len() >= 10, "only {} rows", rows.len());
    let failures = test_rom::failures(&rows);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The same ROMs on the recompiler, checked against the interpreter after
/// every step.
#[test]
fn every_project_rom_passes_on_the_recompiler_in_lockstep() {
    let rows = test_rom::read_manifest(&roms_test().join("manifest.tsv"), None).expect("manifest parses");
    let failures = test_rom::failures_on(&rows, dynes_nes::Engine::Verify);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn have(tool: &str) -> bool {
    Command::new(tool).arg("--version").output().is_ok()
}

#[test]
fn committed_roms_match_their_sources() {
    if !have("ca65") || !have("ld65") {
        eprintln!("skipped: ca65/ld65 not installed (Debian's cc65): cannot rebuild roms-test/");
        return;
    }
    let out = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("roms-test-build");
    let status =
        Command::new("bash").arg(roms_test().join("build.sh")).arg(&out).output().expect("build.sh runs");
    assert!(status.status.success(), "build.sh failed:\n{}", String::from_utf8_lossy(&status.stderr));
    let rows = test_rom::read_manifest(&roms_test().join("manifest.tsv"), None).expect("manifest parses");
    for row in rows {
        let built = std::fs::read(out.join(&row.rom)).expect("built ROM");
        let committed = std::fs::read(Path::new(&row.path)).expect("committed ROM");
        assert!(
            built == committed,
            "{} differs from what its source builds to: run roms-test/build.sh",
            row.rom
        );
    }
}

#[test]
fn the_committed_demo_game_matches_its_sources() {
    if !have("ca65") || !have("ld65") {
        eprintln!("skipped: ca65/ld65 not installed (Debian's cc65): cannot rebuild assets/demo");
        return;
    }
    let assets = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../assets"));
    let out = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("demo-build");
    let status =
        Command::new("bash").arg(assets.join("demo/build.sh")).arg(&out).output().expect("build.sh runs");
    assert!(status.status.success(), "build.sh failed:\n{}", String::from_utf8_lossy(&status.stderr));
    let built = std::fs::read(out.join("demo.nes")).expect("built demo");
    let committed = std::fs::read(assets.join("demo.nes")).expect("committed demo");
    assert!(
        built == committed,
        "assets/demo.nes differs from what its source builds to: run assets/demo/build.sh"
    );
}
