//! What the discrete-logic boards have in common: PRG-ROM at $8000-$FFFF,
//! pattern memory, optional PRG-RAM at $6000-$7FFF, hard-wired mirroring,
//! and a latch whose input may fight the ROM on the data bus.

use super::memory::{chr_memory, Chr, PrgRam, PrgRom, DEFAULT_CHR_RAM};
use super::PlainPage;
use crate::cartridge::{Cartridge, CartridgeError, Mirroring};

/// The memories of a discrete-logic board and how its latch is written.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub(crate) struct Discrete {
    /// CPU $8000-$FFFF.
    pub(crate) prg: PrgRom,
    /// PPU $0000-$1FFF.
    pub(crate) chr: Chr,
    /// CPU $6000-$7FFF: none on the original boards, but NES 2.0 headers
    /// declare it for homebrew and some unlicensed variants, and iNES
    /// headers always imply 8 KiB (harmless, as on NROM).
    pub(crate) prg_ram: PrgRam,
    /// As the header declares (solder pads).
    pub(crate) mirroring: Mirroring,
    /// The header's battery flag.
    pub(crate) battery: bool,
    /// The ROM drives the data bus during a write too (its /OE is not tied
    /// to R/W), so the latch sees the AND of the two values.
    bus_conflicts: bool,
}

impl Discrete {
    /// Takes the cartridge's memories; `default_chr_ram` is the CHR-RAM size
    /// when the header declares neither CHR-ROM nor CHR-RAM.
    pub(crate) fn new(
        mut cart: Cartridge,
        bus_conflicts: bool,
        default_chr_ram: usize,
    ) -> Result<Discrete, CartridgeError> {
        if cart.prg_rom.is_empty() {
            return Err(CartridgeError::NoPrgRom);
        }
        Ok(Discrete {
            prg: PrgRom::new(std::mem::take(&mut cart.prg_rom), false),
            chr: chr_memory(&mut cart, default_chr_ram),
            prg_ram: PrgRam::new(std::mem::take(&mut cart.prg_ram)),
            mirroring: cart.header.mirroring,
            battery: cart.header.battery,
            bus_conflicts,
        })
    }

    /// Takes the ROM of the running board (see `Board::adopt_rom`).
    pub(crate) fn adopt_rom(&mut self, running: &mut Discrete) -> bool {
        self.prg.adopt_rom(&mut running.prg) && self.chr.adopt_rom(&mut running.chr)
    }

    /// [`Discrete::new`] with the usual 8 KiB CHR-RAM default.
    pub(crate) fn with_8k_chr_ram(cart: Cartridge, bus_conflicts: bool) -> Result<Discrete, CartridgeError> {
        Discrete::new(cart, bus_conflicts, DEFAULT_CHR_RAM)
    }

    /// The value a latch at `addr` ($8000-$FFFF) receives when the CPU
    /// writes `value`: with bus conflicts, a 0 from either side wins.
    #[inline]
    pub(crate) fn latched(&self, addr: u16, value: u8) -> u8 {
        if self.bus_conflicts {
            value & self.prg.read(addr)
        } else {
            value
        }
    }

    /// CPU read of ROM or PRG-RAM; `None` elsewhere (open bus).
    #[inline]
    pub(crate) fn cpu_peek(&self, addr: u16) -> Option<u8> {
        match addr {
            0x8000..=0xFFFF => Some(self.prg.read(addr)),
            0x6000..=0x7FFF => self.prg_ram.read(addr),
            _ => None,
        }
    }

    /// ROM and PRG-RAM pages as plain memory; `ram_writable` says whether
    /// the RAM page also takes plain writes (no registers on top of it).
    pub(crate) fn plain_page(&mut self, page: u8, ram_writable: bool) -> PlainPage {
        match page {
            0x80..=0xFF => self.prg.plain_page(page),
            0x60..=0x7F => self.prg_ram.plain_page(page, true, ram_writable),
            _ => PlainPage::NONE,
        }
    }
}

/// NES 2.0 submapper 2 of mappers 2, 3 and 7 asks for AND-type bus
/// conflicts; 0 (unspecified) and 1 get none.
pub(crate) fn submapper_2_conflicts(cart: &Cartridge) -> bool {
    cart.header.submapper == 2
}

/// Implements the [`super::Board`] methods that every discrete board
/// answers the same way from its `board: Discrete` field.
macro_rules! discrete_memory_access {
    () => {
        #[inline]
        fn ppu_read(&mut self, addr: u16) -> u8 {
            self.board.chr.read(addr)
        }

        #[inline]
        fn ppu_write(&mut self, addr: u16, value: u8) {
            self.board.chr.write(addr, value);
        }

        fn prg_ram(&self) -> &[u8] {
            self.board.prg_ram.bytes()
        }

        fn prg_ram_mut(&mut self) -> &mut [u8] {
            self.board.prg_ram.bytes_mut()
        }

        fn has_battery(&self) -> bool {
            self.board.battery
        }

        fn adopt_rom(&mut self, running: &mut Self) -> bool {
            self.board.adopt_rom(&mut running.board)
        }
    };
}

pub(crate) use discrete_memory_access;

/// A discrete board whose only register is one latch at $8000-$FFFF
/// (UxROM, CNROM, AxROM, Color Dreams, BNROM, GxROM): it says what a
/// latched value does, and the `Board` implementation is shared.
pub(crate) trait LatchBoard {
    /// The board's memories.
    fn discrete(&self) -> &Discrete;
    /// The board's memories, writable.
    fn discrete_mut(&mut self) -> &mut Discrete;
    /// Applies the value the latch received (bus conflicts already applied).
    fn latch(&mut self, value: u8);
    /// The nametable arrangement: hard-wired unless the board switches it.
    fn latch_mirroring(&self) -> Mirroring {
        self.discrete().mirroring
    }
}

impl<T: LatchBoard> super::Board for T {
    #[inline]
    fn cpu_peek(&self, addr: u16) -> Option<u8> {
        self.discrete().cpu_peek(addr)
    }

    #[inline]
    fn cpu_write(&mut self, addr: u16, value: u8, _cycle: u64) {
        match addr {
            0x8000..=0xFFFF => {
                let latched = self.discrete().latched(addr, value);
                self.latch(latched);
            }
            0x6000..=0x7FFF => self.discrete_mut().prg_ram.write(addr, value),
            _ => {}
        }
    }

    #[inline]
    fn ppu_read(&mut self, addr: u16) -> u8 {
        self.discrete().chr.read(addr)
    }

    #[inline]
    fn ppu_write(&mut self, addr: u16, value: u8) {
        self.discrete_mut().chr.write(addr, value);
    }

    #[inline]
    fn mirroring(&self) -> Mirroring {
        self.latch_mirroring()
    }

    fn prg_ram(&self) -> &[u8] {
        self.discrete().prg_ram.bytes()
    }

    fn prg_ram_mut(&mut self) -> &mut [u8] {
        self.discrete_mut().prg_ram.bytes_mut()
    }

    fn has_battery(&self) -> bool {
        self.discrete().battery
    }

    fn adopt_rom(&mut self, running: &mut Self) -> bool {
        self.discrete_mut().adopt_rom(running.discrete_mut())
    }

    fn write_affects_mapping(&self, addr: u16) -> bool {
        addr >= 0x8000
    }

    fn plain_page(&mut self, page: u8) -> PlainPage {
        self.discrete_mut().plain_page(page, true)
    }
}
