//! dynes: a NES emulator whose 6502 runs through a dynamic recompiler.

/// `println!` that reports a failed write (e.g. a closed pipe) as an error
/// instead of panicking.
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        writeln!(std::io::stdout(), $($arg)*)?
    }};
}

/// `print!` with the same error handling as `outln!`.
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        write!(std::io::stdout(), $($arg)*)?
    }};
}

mod cpu_test;
mod dump;
mod files;
mod info;
mod input;
mod palette;
mod play;
mod rom;
mod run;
mod test_runner;
mod trace;

use std::process::ExitCode;

use anyhow::Result;
use clap::{Parser, Subcommand};

#[derive(Parser, Debug)]
#[command(
    name = "dynes",
    version,
    about = "A NES emulator with a 6502 → x86-64 dynamic recompiler",
    long_about = "A NES emulator with a 6502 → x86-64 dynamic recompiler.\n\n\
                  `dynes [ROM]` plays a game in a window (the built-in demo without a ROM); \
                  the commands below run games and tests headless.",
    args_conflicts_with_subcommands = true
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    play: play::PlayArgs,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Play a game in a window (what `dynes [ROM]` does).
    Play(play::PlayArgs),
    /// Show what a ROM's iNES / NES 2.0 header says.
    Info(info::InfoArgs),
    /// Run a flat-RAM 6502 test image until it traps; PASS if it traps at --success.
    CpuTest(cpu_test::CpuTestArgs),
    /// Run test ROMs from manifests and report pass/fail per ROM.
    Test(test_runner::TestArgs),
    /// Run a ROM headless; print a summary line with the last frame's hash.
    Run(run::RunArgs),
    /// Print one line per instruction in nestest.log's format.
    Trace(trace::TraceArgs),
    /// Run a ROM on the recompiler and show every compiled block: guest
    /// code, exits, host code and cache statistics.
    Dump(dump::DumpArgs),
}

/// Parses an address: `0x1F`, `$1F` (hex) or `31` (decimal).
pub(crate) fn parse_addr(text: &str) -> Result<u16, String> {
    let parsed = if let Some(hex) =
        text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")).or_else(|| text.strip_prefix('$'))
    {
        u16::from_str_radix(hex, 16)
    } else {
        text.parse::<u16>()
    };
    parsed.map_err(|_| format!("`{text}` is not an address from 0 to $FFFF (write hex as 0x1234 or $1234)"))
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result: Result<bool> = match &cli.command {
        None => play::run(&cli.play),
        Some(Command::Play(args)) => play::run(args),
        Some(Command::Info(args)) => info::run(args),
        Some(Command::CpuTest(args)) => cpu_test::run(args),
        Some(Command::Trace(args)) => trace::run(args),
        Some(Command::Run(args)) => run::run(args),
        Some(Command::Test(args)) => test_runner::run(args),
        Some(Command::Dump(args)) => dump::run(args),
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        // A reader that went away (`dynes trace ... | head`) is not an error.
        Err(err)
            if err
                .downcast_ref::<std::io::Error>()
                .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe) =>
        {
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("dynes: {err:#}");
            ExitCode::from(2)
        }
    }
}
