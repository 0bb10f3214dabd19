//! How test ROMs report their verdicts, and running them to one.
//!
//! The protocols are those of `EXPECTED.tsv` (see the README): blargg's
//! `$6000` status block, a result byte in zero page, words printed on
//! screen, nestest's log, and demos that only have to run.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::{Engine, Nes};

/// Frames per second of emulated time, for limits given in seconds.
const FPS: u64 = 60;

/// How a ROM reports its result.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Protocol {
    /// `$6000` status byte with the `DE B0 61` signature and text at `$6004`.
    Status6000,
    /// A result byte at this zero-page address: 1 = passed.
    ZeroPage(u8),
    /// The verdict is printed on screen ("Passed", "Failed", "Error").
    Screen,
    /// nestest in automation mode compared with its log (given as text).
    Nestest(String),
    /// Runs a number of frames; passes unless the CPU jams.
    Demo,
}

impl Protocol {
    /// Parses a manifest's protocol column (`status6000`, `zp:F0`, `screen`,
    /// `nestest`, `demo`); `nestest` needs the log's text.
    pub fn parse(
        text: &str,
        nestest_log: impl FnOnce() -> Result<String, String>,
    ) -> Result<Protocol, String> {
        match text {
            "status6000" => Ok(Protocol::Status6000),
            "screen" => Ok(Protocol::Screen),
            "demo" => Ok(Protocol::Demo),
            "nestest" => nestest_log().map(Protocol::Nestest),
            _ => match text.strip_prefix("zp:").map(|hex| u8::from_str_radix(hex, 16)) {
                Some(Ok(addr)) => Ok(Protocol::ZeroPage(addr)),
                _ => Err(format!("unknown protocol `{text}`")),
            },
        }
    }

    /// The emulated-time limit, in frames.
    pub fn frame_limit(&self) -> u64 {
        match self {
            Protocol::Status6000 | Protocol::Screen => 40 * FPS,
            Protocol::ZeroPage(_) => 20 * FPS,
            Protocol::Nestest(_) => 0,
            Protocol::Demo => 600,
        }
    }
}

/// The verdict on one ROM.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// It reported success.
    Pass,
    /// It reported failure, ran out of time, or jammed; with the reason.
    Fail(String),
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Verdict::Pass => f.write_str("pass"),
            Verdict::Fail(why) => write!(f, "fail: {why}"),
        }
    }
}

/// What running a ROM to its verdict found.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// Pass or fail.
    pub verdict: Verdict,
    /// Frames run.
    pub frames: u64,
    /// CPU cycles run.
    pub cycles: u64,
    /// Hash of the last frame.
    pub frame_hash: u64,
    /// Hash of the sound chip's whole state at the end ([`Nes::apu_hash`]).
    pub apu_hash: u64,
    /// The recompiler's counters, when it ran.
    pub stats: Option<crate::JitStats>,
}

/// Runs `nes` (powered on) until `protocol` gives a verdict or `frame_limit`
/// frames pass. `expected` is the manifest's pass value where it has one.
pub fn run(nes: &mut Nes, protocol: &Protocol, expected: Option<u8>, frame_limit: u64) -> Outcome {
    let verdict = match protocol {
        Protocol::Status6000 => status6000(nes, expected.unwrap_or(0), frame_limit),
        Protocol::ZeroPage(addr) => zero_page(nes, *addr, expected.unwrap_or(1), frame_limit),
        Protocol::Screen => screen(nes, frame_limit),
        Protocol::Nestest(log) => nestest(nes, log),
        Protocol::Demo => demo(nes, frame_limit),
    };
    Outcome {
        verdict,
        frames: nes.frame_count(),
        cycles: nes.cycle(),
        frame_hash: nes.frame_hash(),
        apu_hash: nes.apu_hash(),
        stats: nes.jit_stats().cloned(),
    }
}

fn jammed(nes: &Nes) -> Verdict {
    match nes.jammed() {
        Some((pc, opcode)) => Verdict::Fail(format!("CPU jammed at ${pc:04X} (opcode ${opcode:02X})")),
        None => Verdict::Fail("CPU jammed".into()),
    }
}

/// The zero-terminated text at `$6004`.
pub fn status_text(nes: &Nes) -> String {
    let bytes: Vec<u8> = (0x6004u16..0x7000).map(|a| nes.peek(a)).take_while(|&b| b != 0).collect();
    let text = String::from_utf8_lossy(&bytes);
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn status6000(nes: &mut Nes, expected: u8, frame_limit: u64) -> Verdict {
    // "Press reset" asks for at least 100 ms before the reset.
    const RESET_DELAY_FRAMES: u64 = 7;
    let mut reset_at = None;
    for frame in 0..frame_limit {
        if !nes.run_frame() {
            return jammed(nes);
        }
        let valid = [nes.peek(0x6001), nes.peek(0x6002), nes.peek(0x6003)] == [0xDE, 0xB0, 0x61];
        if !valid {
            continue;
        }
        match nes.peek(0x6000) {
            0x80 => {}
            0x81 => match reset_at {
                None => reset_at = Some(frame + RESET_DELAY_FRAMES),
                Some(at) if frame >= at => {
                    nes.reset();
                    reset_at = None;
                }
                Some(_) => {}
            },
            code if code == expected => return Verdict::Pass,
            code if code < 0x80 => return Verdict::Fail(format!("result {code}: {}", status_text(nes))),
            _ => {}
        }
    }
    Verdict::Fail(format!("no result within {frame_limit} frames; last text: {}", status_text(nes)))
}

fn zero_page(nes: &mut Nes, addr: u8, expected: u8, frame_limit: u64) -> Verdict {
    // The ROM stores its result and then loops forever: a non-zero value
    // that holds for a second is final.
    const SETTLE_FRAMES: u64 = 60;
    let mut last = (0u8, 0u64);
    for frame in 0..frame_limit {
        if !nes.run_frame() {
            return jammed(nes);
        }
        let value = nes.peek(addr as u16);
        if value != last.0 {
            last = (value, frame);
        } else if value != 0 && frame - last.1 >= SETTLE_FRAMES {
            break;
        }
    }
    match last.0 {
        0 => Verdict::Fail(format!("no result at ${addr:02X} within {frame_limit} frames")),
        value if value == expected => Verdict::Pass,
        value => Verdict::Fail(format!("result {value} at ${addr:02X}")),
    }
}

/// The four nametables as text: blargg's console prints ASCII codes as tile
/// numbers, so printable tiles read back as characters.
pub fn screen_text(nes: &Nes) -> String {
    let mut text = String::new();
    for table in 0..4u16 {
        for row in 0..30u16 {
            let line: String = (0..32u16)
                .map(|col| nes.peek_nametable(0x2000 + table * 0x400 + row * 32 + col))
                .map(|tile| if (0x20..0x7F).contains(&tile) { tile as char } else { ' ' })
                .collect();
            let line = line.trim_end();
            if !line.is_empty() {
                text.push_str(line);
                text.push('\n');
            }
        }
    }
    text
}

/// What the ROM printed: the nametables read as ASCII, plus the copy that
/// blargg's console keeps at `$6004` (valid when `DE B0 61` is at $6001),
/// which still reads right when the ROM draws text with its own font.
fn printed_text(nes: &Nes) -> String {
    let mut text = screen_text(nes);
    if [nes.peek(0x6001), nes.peek(0x6002), nes.peek(0x6003)] == [0xDE, 0xB0, 0x61] {
        text.push_str(&status_text(nes));
    }
    text
}

fn screen(nes: &mut Nes, frame_limit: u64) -> Verdict {
    for frame in 0..frame_limit {
        if !nes.run_frame() {
            return jammed(nes);
        }
        if frame % 15 != 0 {
            continue;
        }
        let text = printed_text(nes);
        let words = |list: &[&str]| list.iter().any(|w| text.contains(w));
        if words(&["Failed", "FAILED", "Error", "ERROR"]) {
            return Verdict::Fail(text.split_whitespace().collect::<Vec<_>>().join(" "));
        }
        if words(&["Passed", "PASSED"]) {
            return Verdict::Pass;
        }
    }
    let text = printed_text(nes);
    Verdict::Fail(format!(
        "no verdict on screen within {frame_limit} frames: {}",
        text.split_whitespace().collect::<Vec<_>>().join(" ")
    ))
}

/// Columns of nestest.log that must match: PC, bytes, registers, CYC.
fn nestest_key(line: &str) -> (&str, &str, &str, &str) {
    let cyc = line.split("CYC:").nth(1).unwrap_or("").trim();
    (line.get(..4).unwrap_or(""), line.get(6..14).unwrap_or("").trim(), line.get(48..73).unwrap_or(""), cyc)
}

fn nestest(nes: &mut Nes, log: &str) -> Verdict {
    nes.cpu_mut().set_pc(0xC000);
    for (number, expected) in log.lines().enumerate() {
        let ours = nes.trace_line();
        if nestest_key(&ours) != nestest_key(expected) {
            return Verdict::Fail(format!(
                "line {}: got `{ours}`, log has `{}`",
                number + 1,
                expected.trim_end()
            ));
        }
        nes.step();
    }
    match (nes.peek(0x02), nes.peek(0x03)) {
        (0, 0) => Verdict::Pass,
        (a, b) => Verdict::Fail(format!("nestest reports error codes ${a:02X} ${b:02X}")),
    }
}

fn demo(nes: &mut Nes, frames: u64) -> Verdict {
    for _ in 0..frames {
        if !nes.run_frame() {
            return jammed(nes);
        }
    }
    Verdict::Pass
}

/// One row of a test-ROM manifest (`rom  protocol  pass_value  peer_result  note`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ManifestRow {
    /// The manifest file the row came from.
    pub manifest: PathBuf,
    /// The ROM path as written in the manifest.
    pub rom: String,
    /// The ROM path resolved against the manifest's root.
    pub path: PathBuf,
    /// Protocol column (`status6000`, `zp:F0`, ...).
    pub protocol: String,
    /// The result that means "passed", where the protocol has one.
    pub pass_value: Option<u8>,
    /// What a well-regarded emulator scores (`pass` rows must pass).
    pub peer_result: String,
    /// Free text.
    pub note: String,
}

/// Reads a manifest; ROM paths are relative to `root`, or to the
/// manifest's own folder. Errors name the file and line.
pub fn read_manifest(path: &Path, root: Option<&Path>) -> Result<Vec<ManifestRow>, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("{}: cannot read manifest: {e}", path.display()))?;
    let root =
        root.map(Path::to_path_buf).unwrap_or_else(|| path.parent().unwrap_or(Path::new(".")).to_path_buf());
    let mut rows = Vec::new();
    for (number, line) in text.lines().enumerate() {
        let fields: Vec<&str> = line.split('\t').map(str::trim).collect();
        if line.trim().is_empty() || line.starts_with('#') || (number == 0 && fields[0] == "rom") {
            continue;
        }
        let at = format!("{}:{}", path.display(), number + 1);
        if fields.len() < 4 {
            return Err(format!(
                "{at}: expected tab-separated rom, protocol, pass_value, peer_result[, note]; got {} field(s)",
                fields.len()
            ));
        }
        let pass_value = match fields[2] {
            "-" | "text" => None,
            value => {
                Some(parse_byte(value).ok_or_else(|| format!("{at}: pass_value `{value}` is not a byte"))?)
            }
        };
        rows.push(ManifestRow {
            manifest: path.to_path_buf(),
            rom: fields[0].to_string(),
            path: root.join(fields[0]),
            protocol: fields[1].to_string(),
            pass_value,
            peer_result: fields[3].to_string(),
            note: fields.get(4).unwrap_or(&"").to_string(),
        });
    }
    Ok(rows)
}

fn parse_byte(text: &str) -> Option<u8> {
    match text.strip_prefix("0x").or_else(|| text.strip_prefix('$')) {
        Some(hex) => u8::from_str_radix(hex, 16).ok(),
        None => text.parse().ok(),
    }
}

/// Loads and runs one manifest row to its verdict. A row that cannot run
/// (missing file, bad header, unknown protocol) is an error naming why.
pub fn run_row(row: &ManifestRow) -> Result<Outcome, String> {
    run_row_on(row, Engine::Interp)
}

/// [`run_row`] on a chosen CPU engine; where the recompiler cannot run the
/// interpreter does. In verify mode a difference between the engines fails
/// the row.
pub fn run_row_on(row: &ManifestRow, engine: Engine) -> Result<Outcome, String> {
    let log = || {
        let log = row.path.with_extension("log");
        std::fs::read_to_string(&log).map_err(|e| format!("{}: {e}", log.display()))
    };
    let protocol = Protocol::parse(&row.protocol, log)?;
    let mut nes = Nes::from_file(&row.path).map_err(|e| format!("{}: {e}", row.path.display()))?;
    // Without a recompiler the interpreter runs the row.
    let _ = nes.set_engine(engine);
    let limit = protocol.frame_limit();
    let mut outcome = run(&mut nes, &protocol, row.pass_value, limit);
    if let Some(report) = nes.divergence() {
        outcome.verdict = Verdict::Fail(format!("engines diverged: {report}"));
    }
    outcome.stats = nes.jit_stats().cloned();
    Ok(outcome)
}

/// Runs `rows` and describes each one that did not pass (`rom: why`).
pub fn failures<'a>(rows: impl IntoIterator<Item = &'a ManifestRow>) -> Vec<String> {
    failures_on(rows, Engine::Interp)
}

/// [`failures`] on a chosen engine (in verify mode a difference between the
/// engines is a failure too).
pub fn failures_on<'a>(rows: impl IntoIterator<Item = &'a ManifestRow>, engine: Engine) -> Vec<String> {
    rows.into_iter()
        .filter_map(|row| match run_row_on(row, engine) {
            Ok(outcome) if outcome.verdict == Verdict::Pass => None,
            Ok(outcome) => Some(format!("{}: {}", row.rom, outcome.verdict)),
            Err(why) => Some(format!("{}: {why}", row.rom)),
        })
        .collect()
}
