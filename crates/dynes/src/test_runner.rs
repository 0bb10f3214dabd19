//! `dynes test`: run test-ROM manifests and report pass/fail per ROM.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::{bail, Context, Result};
use clap::{Args, ValueEnum};
use dynes_nes::test_rom::{self, ManifestRow, Verdict};
use rayon::prelude::*;
use serde::Serialize;

/// The CPU engine to run the ROMs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Engine {
    /// The cycle-exact interpreter.
    Interp,
    /// The recompiler.
    Jit,
    /// The recompiler checked against the interpreter after every step.
    Verify,
    /// Each ROM on both engines: the verdicts, cycle counts and last
    /// frames must also agree.
    Both,
}

#[derive(Args, Debug)]
pub struct TestArgs {
    /// Manifests (.tsv: rom, protocol, pass_value, peer_result, note) or ROM
    /// files. Default: roms-test/manifest.tsv and $DYNES_TEST_ROMS/EXPECTED.tsv.
    inputs: Vec<PathBuf>,
    /// Folder that manifest ROM paths are relative to [default: the manifest's folder].
    #[arg(long)]
    root: Option<PathBuf>,
    /// CPU engine.
    #[arg(long, value_enum, default_value = "jit")]
    engine: Engine,
    /// Print the recompiler's counters (summed over the ROMs) as key=value lines.
    #[arg(long)]
    stats: bool,
    /// ROMs run at once [default: one per core].
    #[arg(long)]
    jobs: Option<usize>,
    /// Only ROMs whose path contains this text.
    #[arg(long)]
    filter: Option<String>,
    /// Protocol for ROM files given directly.
    #[arg(long, default_value = "status6000")]
    protocol: String,
    /// Also write the results as JSON.
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
    /// Also write the results as JUnit XML.
    #[arg(long, value_name = "FILE")]
    junit: Option<PathBuf>,
}

/// The result of one row.
#[derive(Debug, Serialize)]
struct RowResult {
    suite: String,
    rom: String,
    protocol: String,
    peer_result: String,
    passed: bool,
    reason: Option<String>,
    frames: u64,
    cycles: u64,
    seconds: f64,
    frame_hash: String,
    /// Share of guest instructions run in compiled code, when the
    /// recompiler ran.
    jit_percent: Option<f64>,
    #[serde(skip)]
    stats: Option<dynes_nes::JitStats>,
}

impl RowResult {
    /// A failure where the bar says pass.
    fn is_regression(&self) -> bool {
        !self.passed && self.peer_result == "pass"
    }
}

#[derive(Serialize)]
struct Report<'a> {
    engine: Engine,
    passed: usize,
    failed: usize,
    below_bar: usize,
    seconds: f64,
    results: &'a [RowResult],
}

pub fn run(args: &TestArgs) -> Result<bool> {
    let rows = collect_rows(args)?;
    if rows.is_empty() {
        bail!("no test ROMs to run (no manifest found, or --filter matched nothing)");
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.jobs.unwrap_or(0))
        .build()
        .context("cannot start worker threads")?;
    let progress = if std::io::stdout().is_terminal() {
        let bar = indicatif::ProgressBar::new(rows.len() as u64);
        bar.set_style(
            indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} {elapsed} {msg}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar
    } else {
        indicatif::ProgressBar::hidden()
    };
    let started = Instant::now();
    let results: Vec<RowResult> = pool.install(|| {
        rows.par_iter()
            .map(|row| {
                let result = run_row(row, args.engine);
                progress.set_message(row.rom.clone());
                progress.inc(1);
                result
            })
            .collect()
    });
    progress.finish_and_clear();
    let seconds = started.elapsed().as_secs_f64();

    for result in &results {
        let frames = result.frames;
        match &result.reason {
            None => outln!("PASS  {}  (frames={frames})", result.rom),
            Some(reason) => {
                let bar = if result.is_regression() { "" } else { " [bar: not required]" };
                outln!("FAIL  {}: {reason}{bar}", result.rom);
            }
        }
    }
    let passed = results.iter().filter(|r| r.passed).count();
    let below_bar = results.iter().filter(|r| r.is_regression()).count();
    let report = Report {
        engine: args.engine,
        passed,
        failed: results.len() - passed,
        below_bar,
        seconds,
        results: &results,
    };
    outln!(
        "passed={} failed={} below_bar={below_bar} total={} seconds={seconds:.1}",
        report.passed,
        report.failed,
        results.len()
    );
    if args.stats {
        for line in stats_lines(&results) {
            outln!("{line}");
        }
    }
    if let Some(path) = &args.json {
        let text = serde_json::to_string_pretty(&report)?;
        std::fs::write(path, text).with_context(|| format!("{}: cannot write", path.display()))?;
    }
    if let Some(path) = &args.junit {
        std::fs::write(path, junit(&results, seconds))
            .with_context(|| format!("{}: cannot write", path.display()))?;
    }
    Ok(below_bar == 0)
}

/// Runs a row on `engine`; `both` runs it twice and also fails it when the
/// two runs end differently.
fn run_on(row: &ManifestRow, engine: Engine) -> Result<test_rom::Outcome, String> {
    let on = |engine| test_rom::run_row_on(row, engine);
    match engine {
        Engine::Interp => on(dynes_nes::Engine::Interp),
        Engine::Jit => on(dynes_nes::Engine::Jit),
        Engine::Verify => on(dynes_nes::Engine::Verify),
        Engine::Both => {
            let interp = on(dynes_nes::Engine::Interp)?;
            let mut jit = on(dynes_nes::Engine::Jit)?;
            let same = (
                interp.verdict == jit.verdict,
                interp.frames,
                interp.cycles,
                interp.frame_hash,
                interp.apu_hash,
            ) == (true, jit.frames, jit.cycles, jit.frame_hash, jit.apu_hash);
            if !same {
                jit.verdict = Verdict::Fail(format!(
                    "engines disagree: interpreter {} after {} frames, {} cycles, hash {:016x}, APU {:016x}; \
                     recompiler {} after {} frames, {} cycles, hash {:016x}, APU {:016x}",
                    interp.verdict,
                    interp.frames,
                    interp.cycles,
                    interp.frame_hash,
                    interp.apu_hash,
                    jit.verdict,
                    jit.frames,
                    jit.cycles,
                    jit.frame_hash,
                    jit.apu_hash
                ));
            }
            Ok(jit)
        }
    }
}

fn run_row(row: &ManifestRow, engine: Engine) -> RowResult {
    let started = Instant::now();
    let (passed, reason, frames, cycles, hash, stats) = match run_on(row, engine) {
        Ok(o) => {
            let reason = match o.verdict {
                Verdict::Pass => None,
                Verdict::Fail(why) => Some(why),
            };
            (reason.is_none(), reason, o.frames, o.cycles, format!("{:016x}", o.frame_hash), o.stats)
        }
        Err(why) => (false, Some(why), 0, 0, String::new(), None),
    };
    // Rows whose protocol steps the interpreter itself (nestest's trace)
    // leave the recompiler's counters at zero: no share to report.
    let jit_percent = stats.as_ref().and_then(dynes_nes::JitStats::jit_percent);
    RowResult {
        suite: row.manifest.display().to_string(),
        rom: row.rom.clone(),
        protocol: row.protocol.clone(),
        peer_result: row.peer_result.clone(),
        passed,
        reason,
        frames,
        cycles,
        seconds: started.elapsed().as_secs_f64(),
        frame_hash: hash,
        jit_percent,
        stats,
    }
}

/// `--stats`: the recompiler's counters summed over all rows, and the row
/// that ran least of its instructions in compiled code.
fn stats_lines(results: &[RowResult]) -> Vec<String> {
    let mut total = dynes_nes::JitStats::default();
    for stats in results.iter().filter_map(|r| r.stats.as_ref()) {
        total.add(stats);
    }
    let mut lines = total.lines();
    let lowest =
        results.iter().filter_map(|r| r.jit_percent.map(|p| (p, &r.rom))).min_by(|a, b| a.0.total_cmp(&b.0));
    if let Some((percent, rom)) = lowest {
        lines.push(format!("jit.lowest_jit_percent={percent:.2} ({rom})"));
    }
    lines
}

fn default_manifests() -> Vec<PathBuf> {
    let roms = std::env::var_os("DYNES_TEST_ROMS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("../shared/nes-test-roms"));
    let mut manifests = Vec::new();
    for path in [PathBuf::from("roms-test/manifest.tsv"), roms.join("EXPECTED.tsv")] {
        if path.is_file() {
            manifests.push(path);
        } else {
            eprintln!("skipped: {} not found", path.display());
        }
    }
    manifests
}

fn collect_rows(args: &TestArgs) -> Result<Vec<ManifestRow>> {
    let inputs = if args.inputs.is_empty() { default_manifests() } else { args.inputs.clone() };
    let mut rows = Vec::new();
    for input in &inputs {
        let is_manifest = input.extension().is_some_and(|e| e.eq_ignore_ascii_case("tsv"));
        if is_manifest {
            rows.extend(test_rom::read_manifest(input, args.root.as_deref()).map_err(anyhow::Error::msg)?);
        } else {
            rows.push(ManifestRow {
                manifest: PathBuf::from("(command line)"),
                rom: input.display().to_string(),
                path: input.clone(),
                protocol: args.protocol.clone(),
                pass_value: None,
                peer_result: "pass".into(),
                note: String::new(),
            });
        }
    }
    if let Some(filter) = &args.filter {
        rows.retain(|row| row.rom.contains(filter.as_str()));
    }
    Ok(rows)
}

fn xml_escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn junit(results: &[RowResult], seconds: f64) -> String {
    let failures = results.iter().filter(|r| !r.passed).count();
    let mut xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuite name=\"dynes\" tests=\"{}\" failures=\"{failures}\" time=\"{seconds:.3}\">\n",
        results.len()
    );
    for r in results {
        xml.push_str(&format!(
            "  <testcase classname=\"{}\" name=\"{}\" time=\"{:.3}\"",
            xml_escape(&r.suite),
            xml_escape(&r.rom),
            r.seconds
        ));
        match &r.reason {
            None => xml.push_str("/>\n"),
            Some(reason) => xml
                .push_str(&format!(">\n    <failure message=\"{}\"/>\n  </testcase>\n", xml_escape(reason))),
        }
    }
    xml.push_str("</testsuite>\n");
    xml
}
