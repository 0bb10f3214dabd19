//! Cartridge boards: how PRG and CHR memory appear to the CPU and PPU.
//!
//! One file per board, named by iNES number and board (`m000_nrom.rs`), and
//! an enum over them so the hot path is a `match`, never a virtual call.

mod m000_nrom;

pub use m000_nrom::Nrom;

use crate::cartridge::{Cartridge, CartridgeError, Mirroring};

/// A cartridge board with its memories and registers.
#[derive(Clone, Debug)]
pub enum Mapper {
    /// Mapper 0.
    Nrom(Nrom),
}

impl Mapper {
    /// Builds the board the cartridge's header names.
    pub fn new(cart: Cartridge) -> Result<Mapper, CartridgeError> {
        match cart.header.mapper {
            0 => Ok(Mapper::Nrom(Nrom::new(cart)?)),
            mapper => Err(CartridgeError::UnsupportedMapper { mapper, submapper: cart.header.submapper }),
        }
    }

    /// CPU read of $4020-$FFFF; `None` when nothing drives the bus (open bus).
    #[inline]
    pub fn cpu_read(&mut self, addr: u16) -> Option<u8> {
        match self {
            Mapper::Nrom(m) => m.cpu_read(addr),
        }
    }

    /// What [`Mapper::cpu_read`] would return, without side effects.
    #[inline]
    pub fn cpu_peek(&self, addr: u16) -> Option<u8> {
        match self {
            Mapper::Nrom(m) => m.cpu_peek(addr),
        }
    }

    /// CPU write to $4020-$FFFF (PRG-RAM or board registers).
    #[inline]
    pub fn cpu_write(&mut self, addr: u16, value: u8) {
        match self {
            Mapper::Nrom(m) => m.cpu_write(addr, value),
        }
    }

    /// PPU read of pattern memory, $0000-$1FFF.
    #[inline]
    pub fn ppu_read(&self, addr: u16) -> u8 {
        match self {
            Mapper::Nrom(m) => m.ppu_read(addr),
        }
    }

    /// PPU write to pattern memory, $0000-$1FFF; lands only in CHR-RAM.
    #[inline]
    pub fn ppu_write(&mut self, addr: u16, value: u8) {
        match self {
            Mapper::Nrom(m) => m.ppu_write(addr, value),
        }
    }

    /// Current nametable arrangement.
    #[inline]
    pub fn mirroring(&self) -> Mirroring {
        match self {
            Mapper::Nrom(m) => m.mirroring(),
        }
    }

    /// All PRG-RAM (volatile and battery-backed), e.g. for save files.
    pub fn prg_ram(&self) -> &[u8] {
        match self {
            Mapper::Nrom(m) => m.prg_ram(),
        }
    }

    /// All PRG-RAM, writable (e.g. to restore a save file).
    pub fn prg_ram_mut(&mut self) -> &mut [u8] {
        match self {
            Mapper::Nrom(m) => m.prg_ram_mut(),
        }
    }
}

/// Whether [`Mapper::new`] can build this board.
pub fn is_supported(mapper: u16, _submapper: u8) -> bool {
    matches!(mapper, 0)
}

/// Conventional name of the board behind a mapper number, if it is one we
/// know by name.
pub fn board_name(mapper: u16) -> Option<&'static str> {
    Some(match mapper {
        0 => "NROM",
        1 => "MMC1 (SxROM)",
        2 => "UxROM",
        3 => "CNROM",
        4 => "MMC3 (TxROM)",
        7 => "AxROM",
        11 => "Color Dreams",
        28 => "Action 53",
        34 => "BNROM/NINA-001",
        66 => "GxROM",
        _ => return None,
    })
}
