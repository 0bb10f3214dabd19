//! Sound: `dynes run --wav` on the project's pitch ROM (known notes at known
//! times), on the demo game and on a music demo; the files are not silent,
//! not clipped, have the expected fundamentals, are the same on every run
//! and on both engines.

use std::path::{Path, PathBuf};
use std::process::Command;

const RATE: f64 = 48_000.0;

fn repo(path: &str) -> String {
    format!("{}/../../{path}", env!("CARGO_MANIFEST_DIR"))
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("dynes-audio-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// Runs `dynes run ROM --frames N --wav OUT` and reads the samples back.
fn record(rom: &str, frames: u32, engine: &str, out: &Path) -> Vec<f64> {
    let status = Command::new(env!("CARGO_BIN_EXE_dynes"))
        .args(["run", rom, "--frames", &frames.to_string(), "--engine", engine, "--wav"])
        .arg(out)
        .output()
        .expect("dynes runs");
    assert!(status.status.success(), "{}", String::from_utf8_lossy(&status.stderr));
    let mut reader = hound::WavReader::open(out).expect("a WAV file");
    let spec = reader.spec();
    assert_eq!((spec.channels, spec.sample_rate, spec.bits_per_sample), (1, 48_000, 16));
    reader.samples::<i16>().map(|s| f64::from(s.expect("sample")) / 32768.0).collect()
}

fn rms(samples: &[f64]) -> f64 {
    (samples.iter().map(|s| s * s).sum::<f64>() / samples.len().max(1) as f64).sqrt()
}

/// Samples from `start` to `end` seconds.
fn span(samples: &[f64], start: f64, end: f64) -> &[f64] {
    &samples[(start * RATE) as usize..(end * RATE) as usize]
}

/// Power at `freq` Hz (Goertzel).
fn power(samples: &[f64], freq: f64) -> f64 {
    let coeff = 2.0 * (2.0 * std::f64::consts::PI * freq / RATE).cos();
    let (mut s1, mut s2) = (0.0, 0.0);
    for &x in samples {
        let s0 = x + coeff * s1 - s2;
        s2 = s1;
        s1 = s0;
    }
    s1 * s1 + s2 * s2 - coeff * s1 * s2
}

/// The strongest frequency between `low` and `high` Hz, in 0.5 Hz steps.
fn fundamental(samples: &[f64], low: f64, high: f64) -> f64 {
    let steps = ((high - low) * 2.0) as usize;
    (0..=steps)
        .map(|i| low + i as f64 * 0.5)
        .map(|f| (f, power(samples, f)))
        .fold((low, f64::MIN), |best, (f, p)| if p > best.1 { (f, p) } else { best })
        .0
}

fn assert_not_clipped(samples: &[f64], what: &str) {
    let peak = samples.iter().fold(0.0f64, |m, s| m.max(s.abs()));
    assert!(peak < 0.99, "{what}: clipped (peak {peak})");
}

#[test]
fn the_pitch_rom_plays_its_notes_at_their_times() {
    let dir = scratch("pitches");
    let rom = repo("roms-test/apu_pitches.nes");
    let samples = record(&rom, 548, "jit", &dir.join("pitches.wav"));
    assert!(samples.len() as f64 > 9.0 * RATE, "{} samples", samples.len());
    assert_not_clipped(&samples, "apu_pitches");
    // Segments (roms-test/README.md): pulse 1 440.4 Hz from 0.115 s,
    // triangle 220.2 Hz from 2.112 s, pulse 2 880.8 Hz from 4.109 s, noise
    // from 6.105 s, silence from 8.102 s. Each is measured on a second in
    // its middle.
    for (start, expected, what) in
        [(0.6, 440.4, "pulse 1"), (2.6, 220.2, "triangle"), (4.6, 880.8, "pulse 2")]
    {
        let piece = span(&samples, start, start + 1.0);
        let found = fundamental(piece, expected * 0.8, expected * 1.2);
        assert!((found - expected).abs() <= 1.0, "{what}: strongest {found} Hz, expected {expected}");
        assert!(rms(piece) > 0.02, "{what}: too quiet ({})", rms(piece));
        // A clean tone: the fundamental beats a frequency between harmonics.
        assert!(power(piece, expected) > 100.0 * power(piece, expected * 1.5), "{what}: not a clean tone");
    }
    let noise = span(&samples, 6.6, 7.6);
    assert!(rms(noise) > 0.02, "noise is audible");
    let spread = [300.0, 1000.0, 3000.0].map(|f| power(noise, f));
    assert!(spread.iter().all(|&p| p > 0.0), "noise spreads over the spectrum");
    let quiet = span(&samples, 8.5, 9.0);
    assert!(rms(quiet) < 0.001, "silence at the end ({})", rms(quiet));
}

#[test]
fn the_same_run_gives_the_same_sound_on_both_engines() {
    let dir = scratch("engines");
    for (rom, frames) in [(repo("roms-test/apu_pitches.nes"), 300), (repo("assets/demo.nes"), 400)] {
        let paths = ["jit-1.wav", "jit-2.wav", "interp.wav"].map(|name| dir.join(name));
        record(&rom, frames, "jit", &paths[0]);
        record(&rom, frames, "jit", &paths[1]);
        record(&rom, frames, "interp", &paths[2]);
        let bytes = paths.map(|p| std::fs::read(p).expect("written"));
        assert!(bytes[0] == bytes[1], "{rom}: two runs wrote different files");
        assert!(bytes[0] == bytes[2], "{rom}: the engines made different sound");
    }
}

#[test]
fn the_demo_game_and_a_music_demo_make_music() {
    let dir = scratch("music");
    let demo = record(&repo("assets/demo.nes"), 300, "jit", &dir.join("demo.wav"));
    assert_not_clipped(&demo, "demo");
    assert!(rms(span(&demo, 1.0, 4.5)) > 0.01, "the demo's title music plays");

    let shared = std::env::var_os("DYNES_TEST_ROMS").map(PathBuf::from).unwrap_or_else(|| {
        PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/nes-test-roms"))
    });
    let rom = shared.join("spritecans-2011/spritecans.nes");
    if !rom.exists() {
        eprintln!("skipped: {} not found (set DYNES_TEST_ROMS)", rom.display());
        return;
    }
    let music = record(rom.to_str().expect("utf-8"), 600, "jit", &dir.join("spritecans.wav"));
    assert_not_clipped(&music, "spritecans");
    assert!(rms(span(&music, 2.0, 9.5)) > 0.005, "spritecans plays its music");
}
