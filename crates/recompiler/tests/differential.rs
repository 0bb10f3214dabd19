//! Differential tests: random programs on a flat 64 KiB RAM must end in the
//! same state on the recompiler and on the interpreter (registers, flags,
//! cycle and instruction counts, every byte of memory).
//!
//! The number of programs is bounded for `cargo test`; set
//! `DYNES_DIFFERENTIAL_CASES` (e.g. 100000) for a longer run.

use dynes_cpu::{Bus, Cpu, FlatRam, Nmos6502, Registers, Ricoh2A03, Variant, OPCODES};
use dynes_recompiler::Jit;

/// xorshift64*: a small deterministic generator (case N is reproducible).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
}

/// A program: random memory biased towards instructions the recompiler
/// compiles (so blocks are long), and random registers.
fn program(seed: u64) -> (Vec<u8>, Registers) {
    let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let compiled: Vec<u8> = (0..=255u8)
        .filter(|&op| OPCODES[op as usize].official && !matches!(op, 0x00 | 0x40 | 0x6C))
        .collect();
    let mut memory = vec![0u8; 0x10000];
    for byte in memory.iter_mut() {
        *byte = rng.next() as u8;
    }
    // Code at $0400: mostly compiled opcodes with random operands that point
    // into RAM, sometimes anything at all.
    let mut addr = 0x0400usize;
    while addr < 0x0600 {
        let roll = rng.next();
        let op =
            if roll % 8 == 0 { roll as u8 >> 3 } else { compiled[(roll >> 8) as usize % compiled.len()] };
        memory[addr] = op;
        memory[addr + 1] = rng.next() as u8;
        memory[addr + 2] = (rng.next() % 8) as u8;
        addr += OPCODES[op as usize].size() as usize;
    }
    memory[0xFFFC..0xFFFE].copy_from_slice(&[0x00, 0x04]);
    let r = rng.next();
    let regs = Registers {
        a: r as u8,
        x: (r >> 8) as u8,
        y: (r >> 16) as u8,
        s: (r >> 24) as u8,
        pc: 0x0400,
        p: (r >> 32) as u8,
    };
    (memory, regs)
}

fn run_case<V: Variant>(seed: u64, cycles: u64) -> Result<(), String> {
    let (memory, regs) = program(seed);
    let mut jit_bus = FlatRam::new();
    jit_bus.load(0, &memory);
    let mut ref_bus = FlatRam::new();
    ref_bus.load(0, &memory);
    let mut jit_cpu = Cpu::<V>::new();
    jit_cpu.set_regs(regs);
    let mut ref_cpu = Cpu::<V>::new();
    ref_cpu.set_regs(regs);
    let mut jit = Jit::new::<V>().map_err(|e| e.to_string())?;
    jit.run_until(&mut jit_cpu, &mut *jit_bus, cycles, |_, _| false);
    ref_cpu.run_until(&mut *ref_bus, cycles, |_| false);
    let state = |cpu: &Cpu<V>, bus: &FlatRam| (cpu.regs(), cpu.instructions(), cpu.jammed(), bus.cycle());
    if state(&jit_cpu, &jit_bus) != state(&ref_cpu, &ref_bus) {
        return Err(format!(
            "seed {seed}: jit {:?}, interpreter {:?}",
            state(&jit_cpu, &jit_bus),
            state(&ref_cpu, &ref_bus)
        ));
    }
    if let Some(addr) = jit_bus.memory().iter().zip(ref_bus.memory().iter()).position(|(a, b)| a != b) {
        return Err(format!("seed {seed}: memory differs at ${addr:04X}"));
    }
    Ok(())
}

fn cases() -> u64 {
    std::env::var("DYNES_DIFFERENTIAL_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(300)
}

#[test]
fn random_programs_nmos() {
    if Jit::new::<Nmos6502>().is_err() {
        eprintln!("skipped: the recompiler is not available on this host");
        return;
    }
    for seed in 0..cases() {
        if let Err(why) = run_case::<Nmos6502>(seed, 5_000) {
            panic!("{why}");
        }
    }
}

#[test]
fn random_programs_2a03() {
    if Jit::new::<Ricoh2A03>().is_err() {
        eprintln!("skipped: the recompiler is not available on this host");
        return;
    }
    for seed in 0..cases() {
        if let Err(why) = run_case::<Ricoh2A03>(seed + 1_000_000, 5_000) {
            panic!("{why}");
        }
    }
}
