//! The NES console: a cartridge, the CPU bus and the CPU engine together.
//!
//! This is the library face of the emulator; frontends (the `dynes` binary)
//! talk to the machine only through [`Nes`].

mod known_roms;
mod state;
pub mod test_rom;

pub use state::{StateError, STATE_VERSION};

pub use known_roms::rom_hash;

use std::path::Path;

use dynes_bus::{Cartridge, CartridgeError, Mapper, NesBus};
use dynes_cpu::{Bus, Cpu, Ricoh2A03};
use dynes_recompiler::{Jit, Step};

pub use dynes_recompiler::{Block, Stats as JitStats, Unavailable};

pub use dynes_bus::{Buttons, Header, TvSystem};
pub use dynes_cpu::Registers;

pub use dynes_ppu::{HEIGHT, WIDTH};

/// A frame that never ends (rendering off, NMI off, and a CPU loop still
/// ends frames, so this only trips on a jammed CPU): cycles of two PAL frames.
const FRAME_CYCLE_LIMIT: u64 = 2 * 33_248 + 1_000;

/// How the 6502 runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    /// The cycle-exact interpreter.
    Interp,
    /// The recompiler (the interpreter steps past events).
    Jit,
    /// The recompiler, checked after every step against the interpreter
    /// running a copy of the machine.
    Verify,
}

/// The interpreter's copy of the machine in verify mode.
struct Reference {
    cpu: Cpu<Ricoh2A03>,
    bus: NesBus,
    steps: u64,
}

/// A NES with a cartridge inserted.
pub struct Nes {
    cpu: Cpu<Ricoh2A03>,
    bus: NesBus,
    header: Header,
    /// [`rom_hash`] of the cartridge, which save states carry.
    rom_hash: u64,
    engine: Engine,
    jit: Option<Box<Jit>>,
    reference: Option<Box<Reference>>,
    /// Where verify mode found the engines disagreeing.
    divergence: Option<String>,
}

impl Nes {
    /// Builds a console around a parsed cartridge. The power is still off:
    /// call [`Nes::power_on`].
    pub fn new(cartridge: Cartridge) -> Result<Nes, CartridgeError> {
        Nes::with_tv_system(cartridge, None)
    }

    /// As [`Nes::new`], on an NTSC or PAL console: `None` follows the
    /// header (PAL when it says PAL, NTSC otherwise).
    pub fn with_tv_system(cartridge: Cartridge, system: Option<TvSystem>) -> Result<Nes, CartridgeError> {
        let header = cartridge.header.clone();
        let system = system.or_else(|| known_roms::tv_system(&cartridge)).unwrap_or(match header.region {
            dynes_bus::Region::Pal => TvSystem::Pal,
            _ => TvSystem::Ntsc,
        });
        let rom_hash = rom_hash(&cartridge);
        let mapper = Mapper::new(cartridge)?;
        Ok(Nes {
            cpu: Cpu::new(),
            bus: NesBus::with_tv_system(mapper, system),
            header,
            rom_hash,
            engine: Engine::Interp,
            jit: None,
            reference: None,
            divergence: None,
        })
    }

    /// Chooses how the CPU runs from now on. Verify mode copies the machine
    /// as it is now for the interpreter. When the recompiler cannot run on
    /// this host the engine stays the interpreter and the reason is returned.
    pub fn set_engine(&mut self, engine: Engine) -> Result<(), Unavailable> {
        self.reference = None;
        self.divergence = None;
        if engine == Engine::Interp {
            self.jit = None;
            self.engine = Engine::Interp;
            return Ok(());
        }
        if self.jit.is_none() {
            match Jit::new::<Ricoh2A03>() {
                Ok(jit) => self.jit = Some(Box::new(jit)),
                Err(why) => {
                    self.engine = Engine::Interp;
                    return Err(why);
                }
            }
        }
        if engine == Engine::Verify {
            self.reference = Some(Box::new(Reference { cpu: self.cpu, bus: self.bus.clone(), steps: 0 }));
        }
        self.engine = engine;
        Ok(())
    }

    /// A save state of the whole machine (see [`state`](crate::StateError)
    /// for the format): load it with [`Nes::load_state`].
    pub fn save_state(&mut self) -> Result<Vec<u8>, StateError> {
        self.bus.sync_ppu();
        state::encode(&self.cpu, &self.bus, self.rom_hash)
    }

    /// Restores a state made by [`Nes::save_state`] with the same ROM. On
    /// any error the running machine is left exactly as it was.
    pub fn load_state(&mut self, bytes: &[u8]) -> Result<(), StateError> {
        let mut machine = state::decode(bytes, self.rom_hash)?;
        let mut donor = self.bus.clone();
        if !machine.bus.mapper_mut().adopt_rom(donor.mapper_mut()) {
            return Err(StateError::Board);
        }
        let sample_rate = self.bus.apu().sample_rate();
        self.cpu = machine.cpu;
        self.bus = machine.bus;
        self.bus.apu_mut().set_sample_rate(sample_rate);
        // Compiled code and the verify copy describe the old machine.
        self.jit = None;
        let engine = self.engine;
        // The engine was available before, so it still is.
        let _ = self.set_engine(engine);
        Ok(())
    }

    /// Synthesizes sound at `sample_rate` Hz from now on (`None`: no
    /// sound, the default, which saves the synthesis work).
    pub fn set_sample_rate(&mut self, sample_rate: Option<u32>) {
        self.bus.apu_mut().set_sample_rate(sample_rate);
    }

    /// Nudges the sample clock by `ratio` (near 1.0): a frontend keeping an
    /// audio device's buffer at its target asks for a few more or fewer
    /// samples per frame.
    pub fn set_sample_rate_ratio(&mut self, ratio: f64) {
        self.bus.apu_mut().set_rate_ratio(ratio);
    }

    /// Appends the sound made since the last call (mono, -1 to 1, at the
    /// rate set by [`Nes::set_sample_rate`]) to `samples`.
    pub fn take_samples(&mut self, samples: &mut Vec<f32>) {
        self.bus.sync_apu();
        self.bus.apu_mut().take_samples(samples);
    }

    /// The hash of the cartridge's ROM ([`rom_hash`]), which identifies the
    /// game in save states.
    pub fn rom_hash(&self) -> u64 {
        self.rom_hash
    }

    /// The engine running the CPU.
    pub fn engine(&self) -> Engine {
        self.engine
    }

    /// The recompiler's counters (`None` on the interpreter).
    pub fn jit_stats(&self) -> Option<&JitStats> {
        self.jit.as_deref().map(Jit::stats)
    }

    /// The recompiler, for inspecting its blocks.
    pub fn jit(&self) -> Option<&Jit> {
        self.jit.as_deref()
    }

    /// In verify mode, the report of the first difference between the
    /// recompiler and the interpreter (the machine stops there).
    pub fn divergence(&self) -> Option<&str> {
        self.divergence.as_deref()
    }

    /// NTSC or PAL.
    pub fn tv_system(&self) -> TvSystem {
        self.bus.ppu().region()
    }

    /// Frames per second of the console: the PPU's dot clock over the dots
    /// in a frame (NTSC 60.0988 Hz, the odd-frame skip counted as half a
    /// dot; PAL 50.0070 Hz).
    pub fn frame_rate(&self) -> f64 {
        match self.tv_system() {
            TvSystem::Ntsc => (236.25e6 / 11.0 / 4.0) / (341.0 * 262.0 - 0.5),
            TvSystem::Pal => (26_601_712.5 / 5.0) / (341.0 * 312.0),
        }
    }

    /// Loads a ROM file and powers the console on.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Nes, CartridgeError> {
        let mut nes = Nes::new(Cartridge::load(path)?)?;
        nes.power_on();
        Ok(nes)
    }

    /// Power-on: a fresh CPU runs its reset sequence (7 cycles), so the
    /// first instruction starts at cycle 7 with S=$FD and P=$24.
    pub fn power_on(&mut self) {
        self.cpu = Cpu::new();
        self.bus.set_cycle(0);
        self.cpu.reset(&mut self.bus);
        if let Some(reference) = &mut self.reference {
            reference.cpu = Cpu::new();
            reference.bus.set_cycle(0);
            reference.cpu.reset(&mut reference.bus);
        }
    }

    /// The reset button: RAM and registers other than S and I survive.
    pub fn reset(&mut self) {
        self.bus.reset_ppu();
        self.bus.reset_apu();
        self.cpu.reset(&mut self.bus);
        if let Some(reference) = &mut self.reference {
            reference.bus.reset_ppu();
            reference.bus.reset_apu();
            reference.cpu.reset(&mut reference.bus);
        }
    }

    /// Runs until the PPU finishes the current frame (the start of vblank),
    /// or until the CPU jams (or, in verify mode, the engines disagree).
    /// Returns false if it stopped early.
    pub fn run_frame(&mut self) -> bool {
        if self.divergence.is_some() {
            return false;
        }
        let target = self.bus.ppu().frames() + 1;
        let give_up = self.cycle() + FRAME_CYCLE_LIMIT;
        while self.bus.ppu().frames() < target {
            let until = self.bus.next_vblank_cycle().min(give_up);
            match (self.engine, self.jit.as_deref_mut()) {
                (Engine::Jit, Some(jit)) => {
                    jit.run_until(&mut self.cpu, &mut self.bus, until, |cpu, _| cpu.jammed().is_some())
                }
                (Engine::Verify, Some(_)) => {
                    if !self.verify_until(until) {
                        return false;
                    }
                }
                _ => {
                    self.cpu.run_until(&mut self.bus, until, |cpu| cpu.jammed().is_some());
                }
            }
            self.bus.sync_ppu();
            if self.cpu.jammed().is_some() {
                return false;
            }
        }
        if let Some(reference) = &mut self.reference {
            reference.bus.sync_ppu();
            if reference.bus.ppu().frame() != self.bus.ppu().frame() {
                self.divergence = Some(format!(
                    "frame {} differs: the recompiler drew a different picture from the interpreter",
                    self.frame_count()
                ));
                return false;
            }
            reference.bus.sync_apu();
            self.bus.sync_apu();
            if postcard::to_allocvec(reference.bus.apu()).ok() != postcard::to_allocvec(self.bus.apu()).ok() {
                self.divergence = Some(format!(
                    "frame {}: the sound chip's state differs between the recompiler and the interpreter",
                    self.frame_count()
                ));
                return false;
            }
        }
        true
    }

    /// Verify mode: recompiler steps up to `until`, the interpreter's copy
    /// following each one; false at the first difference.
    fn verify_until(&mut self, until: u64) -> bool {
        let (Some(jit), Some(reference)) = (self.jit.as_deref_mut(), self.reference.as_deref_mut()) else {
            return true;
        };
        while self.bus.cycle() < until {
            let before = (self.cpu.regs(), self.bus.cycle());
            let step = jit.step_until(&mut self.cpu, &mut self.bus, until);
            // A jammed CPU spends a cycle per step too.
            while reference.bus.cycle() < self.bus.cycle() {
                reference.cpu.step(&mut reference.bus);
            }
            reference.steps += 1;
            if let Some(report) = compare(&self.cpu, &self.bus, reference) {
                self.divergence =
                    Some(describe_divergence(jit, step, before, &report, &self.cpu, &self.bus, reference));
                return false;
            }
            if self.cpu.jammed().is_some() {
                break;
            }
        }
        true
    }

    /// The last complete frame: 256x240 palette indices with emphasis bits.
    pub fn frame(&self) -> &[u16; WIDTH * HEIGHT] {
        self.bus.ppu().frame()
    }

    /// Frames completed since power-on.
    pub fn frame_count(&self) -> u64 {
        self.bus.ppu().frames()
    }

    /// A stable 64-bit hash (FNV-1a) of the frame's pixels.
    pub fn frame_hash(&self) -> u64 {
        known_roms::fnv1a(self.frame().iter().flat_map(|pixel| pixel.to_le_bytes()))
    }

    /// A stable 64-bit hash (FNV-1a) of the APU's whole state (channels,
    /// timers, frame counter, DMC), caught up to now: two machines that
    /// made the same sound so far hash the same.
    pub fn apu_hash(&mut self) -> u64 {
        self.bus.sync_apu();
        known_roms::fnv1a(postcard::to_allocvec(self.bus.apu()).unwrap_or_default())
    }

    /// Cartridge PRG-RAM (volatile and battery-backed), e.g. for save files.
    pub fn prg_ram(&self) -> &[u8] {
        self.bus.mapper().prg_ram()
    }

    /// Replaces the start of cartridge PRG-RAM with `bytes` (a battery
    /// save), in both machines in verify mode. The recompiler starts afresh:
    /// code may live in that RAM.
    pub fn load_prg_ram(&mut self, bytes: &[u8]) {
        let ram = self.bus.mapper_mut().prg_ram_mut();
        let len = ram.len().min(bytes.len());
        ram[..len].copy_from_slice(&bytes[..len]);
        if self.jit.is_some() {
            self.jit = None;
            let _ = self.set_engine(self.engine);
        }
    }

    /// Whether the cartridge keeps its PRG-RAM on a battery.
    pub fn has_battery(&self) -> bool {
        self.bus.mapper().has_battery()
    }

    /// Sets the buttons held on controller `port` (0 or 1), in both
    /// machines in verify mode.
    pub fn set_buttons(&mut self, port: usize, buttons: Buttons) {
        self.bus.controller_mut(port & 1).set_buttons(buttons);
        if let Some(reference) = &mut self.reference {
            reference.bus.controller_mut(port & 1).set_buttons(buttons);
        }
    }

    /// Runs one CPU instruction (and an interrupt sequence, if one was
    /// polled) on the interpreter.
    #[inline]
    pub fn step(&mut self) {
        self.cpu.step(&mut self.bus);
    }

    /// The cartridge header.
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// The CPU.
    pub fn cpu(&self) -> &Cpu<Ricoh2A03> {
        &self.cpu
    }

    /// The CPU, writable (e.g. to start at a test's entry point).
    pub fn cpu_mut(&mut self) -> &mut Cpu<Ricoh2A03> {
        &mut self.cpu
    }

    /// The CPU bus.
    pub fn bus(&self) -> &NesBus {
        &self.bus
    }

    /// The CPU bus, writable.
    pub fn bus_mut(&mut self) -> &mut NesBus {
        &mut self.bus
    }

    /// CPU cycles since power-on.
    pub fn cycle(&self) -> u64 {
        self.bus.cycle()
    }

    /// Where the CPU stopped on a JAM opcode: `(pc, opcode)`.
    pub fn jammed(&self) -> Option<(u16, u8)> {
        self.cpu.jammed().map(|opcode| (self.cpu.pc(), opcode))
    }

    /// Reads a nametable byte ($2000-$2FFF) without side effects.
    pub fn peek_nametable(&self, addr: u16) -> u8 {
        self.bus.peek_nametable(addr)
    }

    /// Reads CPU address space without side effects.
    pub fn peek(&self, addr: u16) -> u8 {
        self.bus.peek(addr)
    }

    /// The PPU's (scanline, dot) at the current cycle (three dots per CPU
    /// cycle since power-on, at scanline 0, dot 0).
    pub fn ppu_position(&mut self) -> (u16, u16) {
        self.bus.sync_ppu();
        self.bus.ppu().position()
    }

    /// The next instruction as a line of nestest.log:
    /// `C000  4C F5 C5  JMP $C5F5    A:00 X:00 Y:00 P:24 SP:FD PPU:  0, 21 CYC:7`.
    pub fn trace_line(&mut self) -> String {
        let (scanline, dot) = self.ppu_position();
        format!(
            "{} PPU:{scanline:>3},{dot:>3} CYC:{}",
            dynes_cpu::nestest_line(&self.cpu, &self.bus),
            self.cycle()
        )
    }
}

/// What differs between the recompiler's machine and the interpreter's
/// after a step, if anything.
fn compare(cpu: &Cpu<Ricoh2A03>, bus: &NesBus, reference: &Reference) -> Option<String> {
    let mut report = String::new();
    if cpu.regs() != reference.cpu.regs() || cpu.instructions() != reference.cpu.instructions() {
        report.push_str("registers differ\n");
    }
    if bus.cycle() != reference.bus.cycle() {
        report.push_str("cycle counts differ\n");
    }
    if let Some(addr) = bus.ram().iter().zip(reference.bus.ram().iter()).position(|(a, b)| a != b) {
        report.push_str(&format!(
            "RAM ${addr:04X}: recompiler wrote {:02X}, interpreter {:02X}\n",
            bus.ram()[addr],
            reference.bus.ram()[addr]
        ));
    }
    let (ram, ref_ram) = (bus.mapper().prg_ram(), reference.bus.mapper().prg_ram());
    if let Some(offset) = ram.iter().zip(ref_ram.iter()).position(|(a, b)| a != b) {
        report.push_str(&format!(
            "PRG-RAM offset ${offset:04X}: recompiler wrote {:02X}, interpreter {:02X}\n",
            ram[offset], ref_ram[offset]
        ));
    }
    if bus.mapping_generation() != reference.bus.mapping_generation() {
        report.push_str("mapper register writes differ\n");
    }
    (!report.is_empty()).then_some(report)
}

/// The verify-mode report: what ran, both states, and what differs.
fn describe_divergence(
    jit: &Jit,
    step: Step,
    before: (Registers, u64),
    differences: &str,
    cpu: &Cpu<Ricoh2A03>,
    bus: &NesBus,
    reference: &Reference,
) -> String {
    let (regs, cycle) = before;
    let mut text = format!(
        "engines diverged at step {} ({step:?}), which started at cycle {cycle} with {regs:?}\n",
        reference.steps
    );
    if let Step::Block { start, .. } = step {
        if let Some(block) = jit.blocks().find(|b| b.start == start) {
            text.push_str("block:\n");
            for insn in &block.insns {
                text.push_str(&format!("  {:04X}  {:<8}  {insn}\n", insn.addr, insn.hex()));
            }
        }
    }
    text.push_str(&format!(
        "recompiler:  {:?} cycle={} instructions={}\ninterpreter: {:?} cycle={} instructions={}\n",
        cpu.regs(),
        bus.cycle(),
        cpu.instructions(),
        reference.cpu.regs(),
        reference.bus.cycle(),
        reference.cpu.instructions()
    ));
    text.push_str(differences);
    text
}
