//! `dynes run --input`: controller changes from a RON file, checked on a tiny
//! ROM that copies both controllers into RAM every frame.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn dynes(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dynes")).args(args).output().expect("dynes runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn path_str(path: &Path) -> &str {
    path.to_str().expect("utf-8 temp path")
}

/// A scratch directory unique to this test process, holding the pad ROM.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("dynes-input-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    std::fs::write(dir.join("pad.nes"), pad_rom()).expect("write ROM");
    dir
}

/// NROM-128 (16 KiB PRG at $C000, mirrored at $8000) whose NMI handler
/// strobes the controllers and stores port 1's eight bits at $0300 and port
/// 2's at $0301, A in bit 0 (the `Buttons` layout).
fn pad_rom() -> Vec<u8> {
    #[rustfmt::skip]
    let reset: &[u8] = &[
        0x78,             // $C000 SEI
        0xD8,             // $C001 CLD
        0xA2, 0xFF,       // $C002 LDX #$FF
        0x9A,             // $C004 TXS
        0x2C, 0x02, 0x20, // $C005 BIT $2002   wait for vblank, twice (PPU warm-up)
        0x10, 0xFB,       // $C008 BPL $C005
        0x2C, 0x02, 0x20, // $C00A BIT $2002
        0x10, 0xFB,       // $C00D BPL $C00A
        0xA9, 0x80,       // $C00F LDA #$80
        0x8D, 0x00, 0x20, // $C011 STA $2000   NMI at every vblank
        0x4C, 0x14, 0xC0, // $C014 JMP $C014   idle; the NMI does the work
    ];
    #[rustfmt::skip]
    let nmi: &[u8] = &[
        0x48,             // $C020 PHA
        0x8A,             // $C021 TXA
        0x48,             // $C022 PHA
        0xA9, 0x01,       // $C023 LDA #$01
        0x8D, 0x16, 0x40, // $C025 STA $4016   strobe high: load the buttons
        0xA9, 0x00,       // $C028 LDA #$00
        0x8D, 0x16, 0x40, // $C02A STA $4016   strobe low: shift them out
        0xA2, 0x08,       // $C02D LDX #$08
        0xAD, 0x16, 0x40, // $C02F LDA $4016   next port 1 bit (A first) ...
        0x4A,             // $C032 LSR A       ... into carry ...
        0x66, 0x00,       // $C033 ROR $00     ... into bit 7; A ends in bit 0
        0xAD, 0x17, 0x40, // $C035 LDA $4017   the same for port 2
        0x4A,             // $C038 LSR A
        0x66, 0x01,       // $C039 ROR $01
        0xCA,             // $C03B DEX
        0xD0, 0xF1,       // $C03C BNE $C02F
        0xA5, 0x00,       // $C03E LDA $00
        0x8D, 0x00, 0x03, // $C040 STA $0300
        0xA5, 0x01,       // $C043 LDA $01
        0x8D, 0x01, 0x03, // $C045 STA $0301
        0x68,             // $C048 PLA
        0xAA,             // $C049 TAX
        0x68,             // $C04A PLA
        0x40,             // $C04B RTI         (also the IRQ handler)
    ];
    let mut prg = vec![0xEA; 0x4000]; // NOP fill
    prg[..reset.len()].copy_from_slice(reset);
    prg[0x20..0x20 + nmi.len()].copy_from_slice(nmi);
    // Vectors at $FFFA: NMI $C020, reset $C000, IRQ/BRK $C04B (the RTI).
    prg[0x3FFA..].copy_from_slice(&[0x20, 0xC0, 0x00, 0xC0, 0x4B, 0xC0]);
    let mut rom = b"NES\x1A".to_vec();
    rom.extend([1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]); // 1 PRG bank, 1 CHR bank, mapper 0
    rom.extend(prg);
    rom.extend(vec![0; 0x2000]); // CHR
    rom
}

/// Runs the pad ROM for `frames` with extra arguments; returns stdout and
/// the bytes at $0300-$0301 (port 1, port 2).
fn run_pad(dir: &Path, frames: u32, extra: &[&str]) -> (String, [u8; 2]) {
    let rom = dir.join("pad.nes");
    let frames = frames.to_string();
    let mut args = vec!["run", path_str(&rom), "--frames", &frames, "--peek", "0x300:2"];
    args.extend_from_slice(extra);
    let out = dynes(&args);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "dynes {args:?}: {stdout}{}", text(&out.stderr));
    let line = stdout.lines().find(|l| l.starts_with("$0300:")).expect("peek line");
    let bytes: Vec<u8> =
        line["$0300:".len()..].split_whitespace().map(|b| u8::from_str_radix(b, 16).expect("hex")).collect();
    (stdout, [bytes[0], bytes[1]])
}

fn write_input(dir: &Path, name: &str, ron: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, ron).expect("write input file");
    path
}

/// Out of order on purpose: the file is sorted stably by frame.
const MOVIE: &str = "(
    version: 1,
    // Each change holds from its frame until the next change for that port.
    changes: [
        (frame: 12, port: 1, buttons: [A, Right]),
        (frame: 12, port: 2, buttons: [B]),
        (frame: 4, port: 1, buttons: [Start]),
        (frame: 8, port: 1, buttons: []),
    ],
)
";

#[test]
fn input_file_drives_both_ports() {
    let dir = scratch("ports");
    let movie = write_input(&dir, "movie.ron", MOVIE);
    let movie = path_str(&movie);
    // Nothing held before the first change.
    assert_eq!(run_pad(&dir, 3, &["--input", movie]).1, [0x00, 0x00]);
    // Start from frame 4, released at 8.
    assert_eq!(run_pad(&dir, 7, &["--input", movie]).1, [0x08, 0x00]);
    assert_eq!(run_pad(&dir, 11, &["--input", movie]).1, [0x00, 0x00]);
    // A+Right on port 1 and B on port 2 from frame 12: applied before frame
    // 12 runs, so its NMI (the 13th frame) reads them, and not earlier.
    assert_eq!(run_pad(&dir, 12, &["--input", movie]).1, [0x00, 0x00]);
    assert_eq!(run_pad(&dir, 13, &["--input", movie]).1, [0x81, 0x02]);
    assert_eq!(run_pad(&dir, 20, &["--input", movie]).1, [0x81, 0x02]);
}

#[test]
fn press_applies_after_the_file_on_the_same_frame() {
    let dir = scratch("press");
    let movie = write_input(&dir, "movie.ron", MOVIE);
    let movie = path_str(&movie);
    // --press alone drives port 1 the same way.
    assert_eq!(run_pad(&dir, 20, &["--press", "12:a+right"]).1, [0x81, 0x00]);
    // Same frame: --press wins on port 1; port 2 keeps the file's B.
    assert_eq!(run_pad(&dir, 20, &["--input", movie, "--press", "12:select"]).1, [0x04, 0x02]);
    // Each source holds until its own next entry: the file's change at 12
    // replaces what --press set at 10.
    assert_eq!(run_pad(&dir, 20, &["--input", movie, "--press", "10:up"]).1, [0x81, 0x02]);
    assert_eq!(run_pad(&dir, 11, &["--input", movie, "--press", "10:up"]).1, [0x10, 0x00]);
}

#[test]
fn identical_runs_give_identical_summaries() {
    let dir = scratch("repeat");
    let movie = write_input(&dir, "movie.ron", MOVIE);
    let movie = path_str(&movie);
    let summary = |stdout: &str| -> Vec<String> {
        let line = stdout.lines().find(|l| l.starts_with("frames=")).expect("summary line");
        // seconds= and fps= are wall-clock; the rest must repeat exactly.
        line.split_whitespace()
            .filter(|field| !field.starts_with("seconds=") && !field.starts_with("fps="))
            .map(str::to_owned)
            .collect()
    };
    let (first, first_pads) = run_pad(&dir, 30, &["--input", movie]);
    let (second, second_pads) = run_pad(&dir, 30, &["--input", movie]);
    assert_eq!(first_pads, second_pads);
    assert_eq!(summary(&first), summary(&second));
    assert!(summary(&first).iter().any(|field| field.starts_with("hash=")), "{first}");
}

/// Runs with a bad input file: exit 2, one stderr line naming the file and
/// containing every piece of `expected`, no panic.
fn assert_input_error(dir: &Path, name: &str, ron: &str, expected: &[&str]) {
    let path = write_input(dir, name, ron);
    let rom = dir.join("pad.nes");
    let out = dynes(&["run", path_str(&rom), "--frames", "5", "--input", path_str(&path)]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "exit code for {name}: {stderr}");
    assert_eq!(stderr.lines().count(), 1, "one line for {name}: {stderr}");
    assert!(stderr.contains(path_str(&path)), "names the file: {stderr}");
    for piece in expected {
        assert!(stderr.contains(piece), "`{piece}` in: {stderr}");
    }
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(text(&out.stdout).is_empty(), "no run before the error");
}

#[test]
fn syntax_error_names_file_line_and_column() {
    let dir = scratch("syntax");
    // The missing `,` after `[Start])` on line 3.
    let ron = "(\n    version: 1,\n    changes: [(frame: 1, port: 1, buttons: [Start]) (frame: 2, port: 1, buttons: [])],\n)\n";
    let path = dir.join("syntax.ron");
    assert_input_error(&dir, "syntax.ron", ron, &[&format!("{}:3:", path_str(&path))]);
    // The column follows the line: `FILE:3:COL: message`.
    let out = dynes(&["run", path_str(&dir.join("pad.nes")), "--input", path_str(&path)]);
    let stderr = text(&out.stderr);
    let after = stderr.split_once(&format!("{}:3:", path_str(&path))).expect("position").1;
    let (col, message) = after.split_once(": ").expect("COL: message");
    assert!(col.parse::<u32>().is_ok_and(|col| col > 1), "column in {stderr}");
    assert!(!message.trim().is_empty(), "{stderr}");
}

#[test]
fn unknown_button_is_named() {
    let dir = scratch("button");
    let ron = "(version: 1, changes: [\n    (frame: 0, port: 1, buttons: [A, Turbo]),\n])\n";
    assert_input_error(&dir, "button.ron", ron, &[":2:", "Turbo", "Start"]);
}

#[test]
fn bad_port_is_named() {
    let dir = scratch("port");
    let ron = "(version: 1, changes: [\n    (frame: 0, port: 3, buttons: [A]),\n])\n";
    assert_input_error(&dir, "port3.ron", ron, &[":2:", "port 3", "1 and 2"]);
    let ron = "(version: 1, changes: [(frame: 0, port: 0, buttons: [])])";
    assert_input_error(&dir, "port0.ron", ron, &[":1:", "port 0"]);
}

#[test]
fn unsupported_version_and_unknown_fields_are_named() {
    let dir = scratch("version");
    assert_input_error(&dir, "v2.ron", "(version: 2, changes: [])", &["unsupported version 2"]);
    let ron = "(version: 1, changes: [(frame: 0, port: 1, buttns: [A])])";
    assert_input_error(&dir, "field.ron", ron, &["buttns"]);
    assert_input_error(&dir, "empty.ron", "", &[":1:"]);
}

#[test]
fn missing_input_file_is_one_line() {
    let dir = scratch("missing");
    let path = dir.join("absent.ron");
    let out = dynes(&["run", path_str(&dir.join("pad.nes")), "--input", path_str(&path)]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains(path_str(&path)) && stderr.contains("cannot read"), "{stderr}");
}
