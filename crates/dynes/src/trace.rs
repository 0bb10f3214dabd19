//! `dynes trace`: one nestest.log-style line per instruction.

use std::io::{BufWriter, Write};
use std::path::PathBuf;

use anyhow::Result;
use clap::Args;

/// nestest's automation mode begins here instead of at the reset vector.
const NESTEST_AUTOMATION_START: u16 = 0xC000;
/// S after power-on: a return that leaves S above it has left the entry routine.
const ENTRY_STACK: u8 = 0xFD;

#[derive(Args, Debug)]
pub struct TraceArgs {
    /// iNES or NES 2.0 ROM file.
    rom: PathBuf,
    /// Start at $C000 (nestest's automation mode) and stop when its entry
    /// routine returns.
    #[arg(long)]
    nestest: bool,
    /// Stop after this many lines.
    #[arg(long, default_value_t = 10_000)]
    lines: u64,
}

pub fn run(args: &TraceArgs) -> Result<bool> {
    let mut nes = crate::rom::load(&args.rom)?;
    if args.nestest {
        nes.cpu_mut().set_pc(NESTEST_AUTOMATION_START);
    }
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    for _ in 0..args.lines {
        if let Some((pc, opcode)) = nes.jammed() {
            out.flush()?;
            eprintln!("CPU jammed at ${pc:04X} (opcode ${opcode:02X})");
            return Ok(false);
        }
        writeln!(out, "{}", nes.trace_line())?;
        nes.step();
        if args.nestest && nes.cpu().regs().s > ENTRY_STACK {
            break;
        }
    }
    out.flush()?;
    Ok(true)
}
