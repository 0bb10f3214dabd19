//! `dynes cpu-test`: run a flat-RAM 6502 image until it traps.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result};
use clap::{Args, ValueEnum};
use dynes_cpu::{Bus, Cpu, FlatRam, Nmos6502, Ricoh2A03, Variant};
use dynes_recompiler::{Jit, Step};

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
    /// CPU engine: the interpreter, the recompiler, or both in lockstep.
    #[arg(long, value_enum, default_value = "jit")]
    engine: CpuEngine,
    /// Print the recompiler's counters as key=value lines.
    #[arg(long)]
    stats: bool,
    /// Write /tmp/perf-<pid>.map at the end so `perf report` names the
    /// compiled blocks.
    #[arg(long)]
    perf_map: bool,
    /// Write the compiled blocks (as `dynes dump` lists them) to FILE at the end.
    #[arg(long, value_name = "FILE")]
    dump: Option<PathBuf>,
}

/// How to run the 6502.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum CpuEngine {
    /// The cycle-exact interpreter.
    Interp,
    /// The recompiler (falls back to the interpreter where it cannot run).
    Jit,
    /// The recompiler checked against the interpreter after every block.
    Verify,
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
    let run = match args.variant {
        VariantArg::Nmos => run_image::<Nmos6502>(&mut bus, &image, args, start),
        VariantArg::Ricoh2a03 => run_image::<Ricoh2A03>(&mut bus, &image, args, start),
    };
    let seconds = started.elapsed().as_secs_f64();
    let stats = run.stats;
    let (outcome, instructions) = match run.result {
        Ok(done) => done,
        Err(divergence) => {
            outln!("FAIL: engines diverged\n{divergence}");
            return Ok(false);
        }
    };
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
    for line in stats {
        outln!("{line}");
    }
    Ok(passed)
}

/// What a run produced: its outcome and instruction count, or where the
/// engines diverged (verify mode); and the recompiler's counters.
struct Run {
    result: Result<(Outcome, u64), String>,
    /// The recompiler's `key=value` counters, when asked for.
    stats: Vec<String>,
}

fn outcome_of<V: Variant>(cpu: &Cpu<V>, trapped: bool) -> Outcome {
    match cpu.jammed() {
        Some(opcode) => Outcome::Jammed(cpu.pc(), opcode),
        None if trapped => Outcome::Trapped(cpu.pc()),
        None => Outcome::Limit(cpu.pc()),
    }
}

fn run_image<V: Variant>(bus: &mut FlatRam, image: &[u8], args: &CpuTestArgs, start: u16) -> Run {
    let mut cpu = Cpu::<V>::new();
    cpu.set_pc(start);
    let jit = match args.engine {
        CpuEngine::Interp => None,
        CpuEngine::Jit | CpuEngine::Verify => match Jit::new::<V>() {
            Ok(jit) => Some(jit),
            Err(why) => {
                eprintln!("dynes: recompiler unavailable ({why}); using the interpreter");
                None
            }
        },
    };
    let Some(mut jit) = jit else {
        let mut last_pc = start;
        let mut trapped = false;
        cpu.run_until(bus, args.max_cycles, |cpu| {
            let pc = cpu.pc();
            trapped = pc == last_pc || cpu.jammed().is_some();
            last_pc = pc;
            trapped
        });
        return Run { result: Ok((outcome_of(&cpu, trapped), cpu.instructions())), stats: Vec::new() };
    };
    let result = if args.engine == CpuEngine::Verify {
        verify(&mut jit, &mut cpu, bus, image, args, start)
    } else {
        let mut trapped = false;
        jit.run_until(&mut cpu, bus, args.max_cycles, |cpu, step| {
            trapped = cpu.jammed().is_some() || Some(cpu.pc()) == step_last_pc(step);
            trapped
        });
        Ok((outcome_of(&cpu, trapped), cpu.instructions()))
    };
    let mut stats = if args.stats { jit.stats().lines() } else { Vec::new() };
    if let Some(path) = &args.dump {
        let text = crate::dump::render_jit(&jit, &args.bin.display().to_string(), bus.cycle(), None);
        if let Err(err) = std::fs::write(path, text) {
            eprintln!("dynes: {}: cannot write: {err}", path.display());
        }
    }
    if args.perf_map {
        match jit.write_perf_map() {
            Ok(path) => stats.push(format!("perf_map={}", path.display())),
            Err(err) => eprintln!("dynes: cannot write the perf map: {err}"),
        }
    }
    Run { result, stats }
}

/// The address of the last instruction a step ran: a trap is an
/// instruction that leaves PC at itself.
fn step_last_pc(step: Step) -> Option<u16> {
    match step {
        Step::Block { trap, .. } => trap,
        Step::Interpreted { pc } => Some(pc),
    }
}

/// Runs the recompiler and, beside it, the interpreter on a second copy of
/// the machine; after every step the registers and cycle counts must agree
/// (memory is compared every 64 steps and at the end).
fn verify<V: Variant>(
    jit: &mut Jit,
    cpu: &mut Cpu<V>,
    bus: &mut FlatRam,
    image: &[u8],
    args: &CpuTestArgs,
    start: u16,
) -> Result<(Outcome, u64), String> {
    let mut ref_bus = FlatRam::new();
    ref_bus.load(args.load, image);
    let mut ref_cpu = Cpu::<V>::new();
    ref_cpu.set_pc(start);
    let mut steps = 0u64;
    let mut trapped = false;
    while bus.cycle() < args.max_cycles && !trapped {
        let before = (*cpu, bus.cycle());
        let step = jit.step(cpu, bus);
        trapped = cpu.jammed().is_some() || Some(cpu.pc()) == step_last_pc(step);
        while ref_bus.cycle() < bus.cycle() && ref_cpu.jammed().is_none() {
            ref_cpu.step(&mut *ref_bus);
        }
        steps += 1;
        let registers_differ = cpu.regs() != ref_cpu.regs() || cpu.instructions() != ref_cpu.instructions();
        let check_memory = steps.is_multiple_of(64) || trapped || registers_differ;
        let memory_diff = if check_memory {
            bus.memory().iter().zip(ref_bus.memory().iter()).position(|(a, b)| a != b)
        } else {
            None
        };
        if registers_differ || ref_bus.cycle() != bus.cycle() || memory_diff.is_some() {
            let mut report = String::new();
            let (start_state, start_cycle) = before;
            report.push_str(&format!(
                "after {step:?} (step {steps}), started at cycle {start_cycle} with {:?}\n",
                start_state.regs()
            ));
            if let Step::Block { start, .. } = step {
                if let Some(block) = jit.blocks().find(|b| b.start == start) {
                    for insn in &block.insns {
                        report.push_str(&format!("  {:04X}  {:<8}  {insn}\n", insn.addr, insn.hex()));
                    }
                }
            }
            report.push_str(&format!(
                "  jit:    {:?} cycle={} instructions={}\n  interp: {:?} cycle={} instructions={}",
                cpu.regs(),
                bus.cycle(),
                cpu.instructions(),
                ref_cpu.regs(),
                ref_bus.cycle(),
                ref_cpu.instructions()
            ));
            if let Some(addr) = memory_diff {
                report.push_str(&format!(
                    "\n  memory differs at ${addr:04X}: jit {:02X}, interp {:02X}",
                    bus.memory()[addr],
                    ref_bus.memory()[addr]
                ));
            }
            return Err(report);
        }
    }
    Ok((outcome_of(cpu, trapped), cpu.instructions()))
}

/// The line of an assembler listing (`<image>.lst` beside the image) that
/// holds the code at `pc`.
fn listing_line(bin: &Path, pc: u16) -> Option<String> {
    let text = std::fs::read_to_string(bin.with_extension("lst")).ok()?;
    let prefix = format!("{pc:04x} : ");
    let mut first = None;
    for line in text.lines() {
        if !line.get(..prefix.len()).is_some_and(|p| p.eq_ignore_ascii_case(&prefix)) {
            continue;
        }
        let has_bytes = line[prefix.len()..].starts_with(|c: char| c.is_ascii_hexdigit());
        if has_bytes {
            return Some(line.trim_end().to_string());
        }
        first.get_or_insert_with(|| line.trim_end().to_string());
    }
    first
}
