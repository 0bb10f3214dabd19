//! The NES console: a cartridge, the CPU bus and the CPU engine together.
//!
//! This is the library face of the emulator; frontends (the `dynes` binary)
//! talk to the machine only through [`Nes`].

mod known_roms;
pub mod test_rom;

pub use known_roms::rom_hash;

use std::path::Path;

use dynes_bus::{Cartridge, CartridgeError, Mapper, NesBus};
use dynes_cpu::{Bus, Cpu, Ricoh2A03};

pub use dynes_bus::{Buttons, Header, TvSystem};
pub use dynes_cpu::Registers;

pub use dynes_ppu::{HEIGHT, WIDTH};

/// A frame that never ends (rendering off, NMI off, and a CPU loop still
/// ends frames, so this only trips on a jammed CPU): cycles of two PAL frames.
const FRAME_CYCLE_LIMIT: u64 = 2 * 33_248 + 1_000;

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
        let mapper = Mapper::new(cartridge)?;
        Ok(Nes { cpu: Cpu::new(), bus: NesBus::with_tv_system(mapper, system), header })
    }

    /// NTSC or PAL.
    pub fn tv_system(&self) -> TvSystem {
        self.bus.ppu().region()
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
        self.bus.reset_ppu();
        self.cpu.reset(&mut self.bus);
    }

    /// Runs until the PPU finishes the current frame (the start of vblank),
    /// or until the CPU jams. Returns false if the CPU is jammed.
    pub fn run_frame(&mut self) -> bool {
        let target = self.bus.ppu().frames() + 1;
        let give_up = self.cycle() + FRAME_CYCLE_LIMIT;
        while self.bus.ppu().frames() < target {
            let until = self.bus.next_vblank_cycle().min(give_up);
            self.cpu.run_until(&mut self.bus, until, |cpu| cpu.jammed().is_some());
            self.bus.sync_ppu();
            if self.cpu.jammed().is_some() {
                return false;
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
        let mut hash = 0xCBF2_9CE4_8422_2325u64;
        for &pixel in self.frame().iter() {
            for byte in pixel.to_le_bytes() {
                hash = (hash ^ byte as u64).wrapping_mul(0x0100_0000_01B3);
            }
        }
        hash
    }

    /// Cartridge PRG-RAM (volatile and battery-backed), e.g. for save files.
    pub fn prg_ram(&self) -> &[u8] {
        self.bus.mapper().prg_ram()
    }

    /// Cartridge PRG-RAM, writable (e.g. to load a save file).
    pub fn prg_ram_mut(&mut self) -> &mut [u8] {
        self.bus.mapper_mut().prg_ram_mut()
    }

    /// Whether the cartridge keeps its PRG-RAM on a battery.
    pub fn has_battery(&self) -> bool {
        self.bus.mapper().has_battery()
    }

    /// Sets the buttons held on controller `port` (0 or 1).
    pub fn set_buttons(&mut self, port: usize, buttons: Buttons) {
        self.bus.controller_mut(port & 1).set_buttons(buttons);
    }

    /// Runs one CPU instruction (and an interrupt sequence, if one was polled).
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
