//! The NES console: a cartridge, the CPU bus and the CPU engine together.
//!
//! This is the library face of the emulator; frontends (the `dynes` binary)
//! talk to the machine only through [`Nes`].

use std::path::Path;

use dynes_bus::{Cartridge, CartridgeError, Mapper, NesBus};
use dynes_cpu::{Bus, Cpu, Ricoh2A03};

pub use dynes_bus::{Buttons, Header};
pub use dynes_cpu::Registers;

/// PPU dots per scanline and scanlines per frame of the NTSC 2C02.
const DOTS_PER_LINE: u64 = 341;
const LINES_PER_FRAME: u64 = 262;

/// A NES with a cartridge inserted.
pub struct Nes {
    cpu: Cpu<Ricoh2A03>,
    bus: NesBus,
    header: Header,
}

impl Nes {
    /// Builds a console around a parsed cartridge. The power is still off:
    /// call [`Nes::power_on`].
    pub fn new(cartridge: Cartridge) -> Result<Nes, CartridgeError> {
        let header = cartridge.header.clone();
        let mapper = Mapper::new(cartridge)?;
        Ok(Nes { cpu: Cpu::new(), bus: NesBus::new(mapper), header })
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
    }

    /// The reset button: RAM and registers other than S and I survive.
    pub fn reset(&mut self) {
        self.cpu.reset(&mut self.bus);
    }

    /// Runs one CPU instruction (and an interrupt sequence, if one was polled).
    #[inline]
    pub fn step(&mut self) {
        self.cpu.step(&mut self.bus);
    }

    /// Runs until `cycle_limit` or until `stop` returns true (checked after
    /// every instruction, given the console).
    pub fn run_until(&mut self, cycle_limit: u64, mut stop: impl FnMut(&Cpu<Ricoh2A03>) -> bool) {
        self.cpu.run_until(&mut self.bus, cycle_limit, |cpu| stop(cpu) || cpu.jammed().is_some());
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

    /// Reads CPU address space without side effects.
    pub fn peek(&self, addr: u16) -> u8 {
        self.bus.peek(addr)
    }

    /// The PPU's (scanline, dot) at the current cycle. Until the PPU exists
    /// this is derived from the cycle count: three dots per CPU cycle from
    /// scanline 0, dot 0 at power-on, which is exact while rendering is off
    /// (no skipped dot on odd frames).
    pub fn ppu_position(&self) -> (u64, u64) {
        let dots = self.cycle() * 3;
        ((dots / DOTS_PER_LINE) % LINES_PER_FRAME, dots % DOTS_PER_LINE)
    }

    /// The next instruction as a line of nestest.log:
    /// `C000  4C F5 C5  JMP $C5F5    A:00 X:00 Y:00 P:24 SP:FD PPU:  0, 21 CYC:7`.
    pub fn trace_line(&self) -> String {
        let (scanline, dot) = self.ppu_position();
        format!(
            "{} PPU:{scanline:>3},{dot:>3} CYC:{}",
            dynes_cpu::nestest_line(&self.cpu, &self.bus),
            self.cycle()
        )
    }
}
