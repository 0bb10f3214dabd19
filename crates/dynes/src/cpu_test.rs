//! `dynes cpu-test`: run a flat-RAM 6502 image until it traps.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result};
use clap::{Args, ValueEnum};
use dynes_cpu::{Bus, Cpu, FlatRam, Nmos6502, Ricoh2A03, Variant};

use crate::parse_addr;

/// Which 6502 to run the image on.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum VariantArg {
    /// NMOS 6502 with decimal mode.
    Nmos,
    /// Ricoh 2A03 (NES): D flag without decimal arithmetic.
    #[value(name = "2a03")]
    Ricoh2a03,
}

#[derive(Args, Debug)]
pub struct CpuTestArgs {
    /// Binary image to load into 64 KiB of flat RAM.
    bin: PathBuf,
    /// Address the image is loaded at.
    #[arg(long, default_value = "0", value_parser = parse_addr)]
    load: u16,
    /// Start address [default: the reset vector at $FFFC].
    #[arg(long, value_parser = parse_addr)]
    start: Option<u16>,
    /// The address the image traps at when every test passed.
    #[arg(long, value_parser = parse_addr)]
    success: Option<u16>,
    /// CPU variant.
    #[arg(long, value_enum, default_value = "nmos")]
    variant: VariantArg,
    /// Give up after this many cycles.
    #[arg(long, default_value_t = 1_000_000_000)]
    max_cycles: u64,
}

/// How a run ended.
enum Outcome {
    Trapped(u16),
    Jammed(u16, u8),
    Limit(u16),
}

pub fn run(args: &CpuTestArgs) -> Result<bool> {
    let image = std::fs::read(&args.bin).with_context(|| format!("{}: cannot read", args.bin.display()))?;
    anyhow::ensure!(!image.is_empty(), "{}: empty file", args.bin.display());
    anyhow::ensure!(
        image.len() + args.load as usize <= 0x10000,
        "{}: {} bytes do not fit in 64 KiB when loaded at ${:04X}",
        args.bin.display(),
        image.len(),
        args.load
    );
    let mut bus = FlatRam::new();
    bus.load(args.load, &image);
    let start = args.start.unwrap_or_else(|| u16::from_le_bytes([bus.peek(0xFFFC), bus.peek(0xFFFD)]));
    let started = Instant::now();
    let (outcome, instructions) = match args.variant {
        VariantArg::Nmos => run_image::<Nmos6502>(&mut bus, start, args.max_cycles),
        VariantArg::Ricoh2a03 => run_image::<Ricoh2A03>(&mut bus, start, args.max_cycles),
    };
    let seconds = started.elapsed().as_secs_f64();
    let passed = match outcome {
        Outcome::Trapped(pc) if Some(pc) == args.success => {
            outln!("PASS");
            true
        }
        Outcome::Trapped(pc) => {
            let note = if args.success.is_none() { " (no --success address given)" } else { "" };
            outln!("FAIL: trapped at ${pc:04X}{note}");
            if let Some(line) = listing_line(&args.bin, pc) {
                outln!("  {line}");
            }
            false
        }
        Outcome::Jammed(pc, opcode) => {
            outln!("FAIL: CPU jammed at ${pc:04X} (opcode ${opcode:02X})");
            false
        }
        Outcome::Limit(pc) => {
            outln!("FAIL: no trap within {} cycles (PC at ${pc:04X})", args.max_cycles);
            false
        }
    };
    let cycles = bus.cycle();
    outln!(
        "instructions={instructions} cycles={cycles} seconds={seconds:.3} mhz={:.1}",
        cycles as f64 / seconds.max(1e-9) / 1e6
    );
    Ok(passed)
}

fn run_image<V: Variant>(bus: &mut FlatRam, start: u16, max_cycles: u64) -> (Outcome, u64) {
    let mut cpu = Cpu::<V>::new();
    cpu.set_pc(start);
    let mut last_pc = start;
    let mut trapped = false;
    cpu.run_until(bus, max_cycles, |cpu| {
        let pc = cpu.pc();
        trapped = pc == last_pc || cpu.jammed().is_some();
        last_pc = pc;
        trapped
    });
    let outcome = match cpu.jammed() {
        Some(opcode) => Outcome::Jammed(cpu.pc(), opcode),
        None if trapped => Outcome::Trapped(cpu.pc()),
        None => Outcome::Limit(cpu.pc()),
    };
    (outcome, cpu.instructions())
}

/// The line of an assembler listing (`<image>.lst` beside the image) that
/// holds the code at `pc`.
fn listing_line(bin: &Path, pc: u16) -> Option<String> {
    let text = std::fs::read_to_string(bin.with_extension("lst")).ok()?;
    let prefix = format!("{pc:04x} : ");
    let mut first = None;
    for line in text.lines() {
        let Some(rest) = line.get(..prefix.len()).filter(|p| p.eq_ignore_ascii_case(&prefix)) else {
            continue;
        };
        let _ = rest;
        let has_bytes = line[prefix.len()..].starts_with(|c: char| c.is_ascii_hexdigit());
        if has_bytes {
            return Some(line.trim_end().to_string());
        }
        first.get_or_insert_with(|| line.trim_end().to_string());
    }
    first
}
