//! The player's side of dynes: the window's start-up errors, save states
//! from the command line, the built-in demo with scripted input, and (where
//! `xvfb-run` is installed) the window itself on a virtual display.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A scratch directory unique to this test process.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("dynes-frontend-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// dynes with its config and data folders inside `home`, and no display.
fn dynes_in(home: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dynes"))
        .args(args)
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .output()
        .expect("dynes runs")
}

fn repo(path: &str) -> String {
    format!("{}/../../{path}", env!("CARGO_MANIFEST_DIR"))
}

/// The `hash=` of a summary line.
fn hash(out: &Output) -> String {
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", text(&out.stderr));
    stdout
        .split_whitespace()
        .find_map(|field| field.strip_prefix("hash="))
        .unwrap_or_else(|| panic!("no hash in {stdout}"))
        .to_string()
}

fn assert_one_line_error(out: &Output, needles: &[&str]) {
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
    for needle in needles {
        assert!(stderr.contains(needle), "`{needle}` in {stderr}");
    }
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn without_a_display_the_window_says_so_and_points_to_run() {
    let home = scratch("nodisplay");
    let out = dynes_in(&home, &[]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    // First run: the default config is written (and said), then one line
    // about the display.
    let config = home.join("config/dynes/config.ron");
    assert!(stderr.contains(&config.display().to_string()), "{stderr}");
    assert!(std::fs::read_to_string(&config).expect("config written").contains("hotkeys"));
    let last = stderr.lines().last().unwrap_or("");
    assert!(last.contains("no display") && last.contains("dynes run"), "{stderr}");

    // Second run: the config exists, so the display is the only line.
    let out = dynes_in(&home, &[]);
    assert_one_line_error(&out, &["no display", "dynes run"]);
}

#[test]
fn window_start_up_problems_are_one_line_each() {
    let home = scratch("startup");
    let good = home.join("good.ron");
    std::fs::write(&good, "(scale: 2)").expect("write");
    let missing = home.join("missing.nes");
    assert_one_line_error(
        &dynes_in(&home, &[missing.to_str().expect("utf-8"), "--config", good.to_str().expect("utf-8")]),
        &["missing.nes", "cannot read"],
    );

    let config = home.join("bad.ron");
    std::fs::write(&config, "(\n    scale: 3,\n    loudness: 11,\n)\n").expect("write");
    assert_one_line_error(
        &dynes_in(&home, &["--config", config.to_str().expect("utf-8")]),
        &["bad.ron:3:", "loudness"],
    );
    std::fs::write(&config, "(\n    player1: (a: \"X\", b: \"Z\", select: \"Q\", start: \"Return\",\n        up: \"Up\", down: \"Down\", left: \"Left\", right: \"Right\"),\n)\n").expect("write");
    assert_one_line_error(
        &dynes_in(&home, &["--config", config.to_str().expect("utf-8")]),
        &["bad.ron:2:", "unknown key `Return`"],
    );
    let absent = home.join("absent.ron");
    assert_one_line_error(&dynes_in(&home, &["--config", absent.to_str().expect("utf-8")]), &["absent.ron"]);
}

#[test]
fn run_saves_and_loads_states() {
    let home = scratch("states");
    let state = home.join("demo.state");
    let state_arg = state.to_str().expect("utf-8");
    let straight = hash(&dynes_in(&home, &["run", "--frames", "150", "--press", "40:start,46:,90:left"]));
    let saved = dynes_in(
        &home,
        &["run", "--frames", "100", "--press", "40:start,46:,90:left", "--save-state", state_arg],
    );
    hash(&saved);
    // The state holds the controller as it was: keep holding left.
    let resumed = hash(&dynes_in(&home, &["run", "--frames", "50", "--load-state", state_arg]));
    assert_eq!(resumed, straight, "100 frames, a state, then 50 frames = 150 frames");

    // Bad states: one line each, naming the file.
    let bytes = std::fs::read(&state).expect("state written");
    let corrupt = home.join("corrupt.state");
    let mut flipped = bytes.clone();
    flipped[bytes.len() / 2] ^= 1;
    std::fs::write(&corrupt, &flipped).expect("write");
    assert_one_line_error(
        &dynes_in(&home, &["run", "--frames", "1", "--load-state", corrupt.to_str().expect("utf-8")]),
        &["corrupt.state", "checksum"],
    );
    let truncated = home.join("truncated.state");
    std::fs::write(&truncated, &bytes[..10]).expect("write");
    assert_one_line_error(
        &dynes_in(&home, &["run", "--frames", "1", "--load-state", truncated.to_str().expect("utf-8")]),
        &["truncated.state", "truncated"],
    );
    let other_rom = repo("roms-test/mapper_001_mmc1.nes");
    assert_one_line_error(
        &dynes_in(&home, &["run", &other_rom, "--frames", "1", "--load-state", state_arg]),
        &["demo.state", "different ROM"],
    );
    let not_a_state = repo("roms-test/manifest.tsv");
    assert_one_line_error(
        &dynes_in(&home, &["run", "--frames", "1", "--load-state", &not_a_state]),
        &["manifest.tsv", "not a dynes save state"],
    );
}

/// `xvfb-run`, if installed: the window tests need a display.
fn xvfb() -> Option<&'static str> {
    let found = Command::new("xvfb-run").arg("--help").output().is_ok();
    if !found {
        eprintln!("skipped: xvfb-run not found (Debian package xvfb); the window is not tested");
    }
    found.then_some("xvfb-run")
}

/// dynes in a window on a virtual display.
fn window(home: &Path, args: &[&str]) -> Output {
    Command::new("xvfb-run")
        .args(["-a", "-s", "-screen 0 1024x768x24", env!("CARGO_BIN_EXE_dynes")])
        .args(args)
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .output()
        .expect("xvfb-run runs")
}

#[test]
fn the_window_plays_the_same_frames_as_the_headless_runner() {
    if xvfb().is_none() {
        return;
    }
    let home = scratch("window");
    let movie = home.join("movie.ron");
    let movie_arg = movie.to_str().expect("utf-8");
    let shown = window(&home, &["--frames", "90", "--record", movie_arg]);
    let shown_hash = hash(&shown);
    assert!(text(&shown.stderr).contains("recorded 90 frames"), "{}", text(&shown.stderr));
    let replayed = dynes_in(&home, &["run", "--frames", "90", "--input", movie_arg]);
    assert_eq!(hash(&replayed), shown_hash, "a recording replays headless to the same frame");

    // And a scripted input file drives the window like the headless runner.
    let script = home.join("script.ron");
    std::fs::write(
        &script,
        "(version: 1, changes: [(frame: 30, port: 1, buttons: [Start]), (frame: 36, port: 1, buttons: [])])",
    )
    .expect("write");
    let script_arg = script.to_str().expect("utf-8");
    let in_window = hash(&window(&home, &["--frames", "80", "--input", script_arg]));
    let headless = hash(&dynes_in(&home, &["run", "--frames", "80", "--input", script_arg]));
    assert_eq!(in_window, headless);
}

/// The demo's scripted input plays through the title screen into the game,
/// to the same picture every time and on every engine.
#[test]
fn scripted_input_plays_the_demo_to_a_known_frame() {
    let home = scratch("demo");
    let script = repo("assets/demo/input-demo.ron");
    // Before Start (frame 40): the title screen (game state byte $16 = 0).
    let title = dynes_in(&home, &["run", "--frames", "30", "--input", &script, "--peek", "0x16:1"]);
    assert!(text(&title.stdout).contains("$0016: 00"), "{}", text(&title.stdout));
    let mut hashes = Vec::new();
    for engine in ["jit", "jit", "interp", "verify"] {
        let out = dynes_in(
            &home,
            &["run", "--frames", "600", "--input", &script, "--engine", engine, "--peek", "0x16:1"],
        );
        assert!(text(&out.stdout).contains("$0016: 01"), "in play at frame 600: {}", text(&out.stdout));
        hashes.push(hash(&out));
    }
    assert!(hashes.iter().all(|h| h == "b2970b028a766b62"), "{hashes:?}");
}
