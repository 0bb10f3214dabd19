//! Demo ROMs: every `demo` row of EXPECTED.tsv runs 600 frames without
//! error on the recompiler checked step by step against the interpreter,
//! and the pictures in `demo_frames.tsv` keep their frame hashes on the
//! recompiler (the default engine; a mismatch keeps the PNG so it can be
//! looked at).

use std::path::{Path, PathBuf};
use std::process::Command;

fn suite_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("DYNES_TEST_ROMS").map(PathBuf::from).unwrap_or_else(|| {
        PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/nes-test-roms"))
    });
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("skipped: NES test ROMs not found at {} (set DYNES_TEST_ROMS)", dir.display());
        None
    }
}

/// Runs `dynes run` and returns the summary line's hash.
fn run(rom: &Path, frames: &str, screenshot: &Path) -> Result<String, String> {
    let out = Command::new(env!("CARGO_BIN_EXE_dynes"))
        .args([
            "run",
            &rom.to_string_lossy(),
            "--frames",
            frames,
            "--screenshot",
            &screenshot.to_string_lossy(),
        ])
        .output()
        .map_err(|e| e.to_string())?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        return Err(format!("{stdout}{}", String::from_utf8_lossy(&out.stderr)));
    }
    let summary = stdout.lines().last().unwrap_or("");
    summary.split("hash=").nth(1).map(str::to_string).ok_or_else(|| format!("no hash in `{summary}`"))
}

#[test]
fn demo_pictures_keep_their_hashes() {
    let Some(dir) = suite_dir() else { return };
    let table = include_str!("demo_frames.tsv");
    let out_dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let mut failures = Vec::new();
    for line in table.lines().filter(|l| !l.starts_with('#') && !l.starts_with("rom\t") && !l.is_empty()) {
        let fields: Vec<&str> = line.split('\t').collect();
        let (rom, frames, expected) = (fields[0], fields[1], fields[2]);
        let png = out_dir.join(format!("{}.png", rom.replace('/', "_")));
        match run(&dir.join(rom), frames, &png) {
            Ok(hash) if hash == expected => {
                let _ = std::fs::remove_file(&png);
            }
            Ok(hash) => {
                failures.push(format!("{rom}: hash {hash}, expected {expected}; picture: {}", png.display()))
            }
            Err(why) => failures.push(format!("{rom}: {why}")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_demo_row_runs_600_frames() {
    let Some(dir) = suite_dir() else { return };
    let manifest = std::fs::read_to_string(dir.join("EXPECTED.tsv")).expect("EXPECTED.tsv");
    let demo_rows: Vec<&str> = manifest.lines().filter(|l| l.split('\t').nth(1) == Some("demo")).collect();
    assert!(demo_rows.len() >= 10, "found {} demo rows", demo_rows.len());
    let demos_manifest = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("demos.tsv");
    std::fs::write(&demos_manifest, demo_rows.join("\n")).expect("write manifest");
    let out = Command::new(env!("CARGO_BIN_EXE_dynes"))
        .args([
            "test",
            &demos_manifest.to_string_lossy(),
            "--root",
            &dir.to_string_lossy(),
            "--engine",
            "verify",
        ])
        .output()
        .expect("dynes test runs");
    let demos: Vec<&str> = demo_rows.iter().filter_map(|l| l.split('\t').next()).collect();
    let stdout = String::from_utf8_lossy(&out.stdout);
    for rom in demos {
        let line = stdout.lines().find(|l| l.contains(rom)).unwrap_or("");
        assert!(line.starts_with("PASS") && line.contains("frames=600"), "{rom}: {line}");
    }
}
