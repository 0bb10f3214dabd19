//! Mapper 0, NROM: up to 32 KiB PRG-ROM and 8 KiB CHR, no bank switching.

use std::fmt;

use super::Board;
use crate::cartridge::{Cartridge, CartridgeError, Mirroring};

const PRG_WINDOW: usize = 0x8000;
const CHR_WINDOW: usize = 0x2000;

/// NROM-128 (16 KiB, mirrored at $8000 and $C000) and NROM-256 (32 KiB),
/// plus optional PRG-RAM at $6000-$7FFF (Family BASIC, test ROMs).
#[derive(Clone, serde::Serialize, serde::Deserialize)]
pub struct Nrom {
    /// The $8000-$FFFF window, pre-filled with the ROM repeated so a read is
    /// one mask, not a modulo: NROM leaves the upper address lines unconnected.
    #[serde(skip, default = "empty_window")]
    prg_rom: Box<[u8; PRG_WINDOW]>,
    /// Pattern tables, repeated to fill 8 KiB for the same reason.
    #[serde(with = "crate::mapper::memory::boxed_bytes")]
    chr: Box<[u8; CHR_WINDOW]>,
    chr_is_ram: bool,
    #[serde(with = "serde_bytes")]
    prg_ram: Vec<u8>,
    mirroring: Mirroring,
    battery: bool,
}

/// What a restored board holds until it adopts the running board's ROM.
fn empty_window() -> Box<[u8; PRG_WINDOW]> {
    Box::new([0; PRG_WINDOW])
}

impl Nrom {
    /// Maps the cartridge's memories; PRG-ROM beyond 32 KiB is unreachable.
    pub fn new(cart: Cartridge) -> Result<Nrom, CartridgeError> {
        if cart.prg_rom.is_empty() {
            return Err(CartridgeError::NoPrgRom);
        }
        let mut prg_rom = Box::new([0; PRG_WINDOW]);
        fill_repeating(&mut prg_rom[..], &cart.prg_rom);

        // NROM boards without CHR-ROM carry 8 KiB of CHR-RAM, whatever a
        // NES 2.0 header says about its size.
        let chr_is_ram = cart.chr_is_ram() || cart.chr.is_empty();
        let mut chr = Box::new([0; CHR_WINDOW]);
        if !chr_is_ram {
            fill_repeating(&mut chr[..], &cart.chr);
        }

        Ok(Nrom {
            prg_rom,
            chr,
            chr_is_ram,
            prg_ram: cart.prg_ram,
            mirroring: cart.header.mirroring,
            battery: cart.header.battery,
        })
    }

    /// Index into `prg_ram` for $6000-$7FFF; RAM smaller than the 8 KiB
    /// window repeats through it, as the undecoded address lines make it do.
    #[inline]
    fn prg_ram_offset(&self, addr: u16) -> Option<usize> {
        let offset = addr as usize & 0x1FFF;
        match self.prg_ram.len() {
            0 => None,
            len if offset < len => Some(offset),
            len => Some(offset % len),
        }
    }
}

impl Board for Nrom {
    #[inline]
    fn cpu_peek(&self, addr: u16) -> Option<u8> {
        match addr {
            0x8000..=0xFFFF => Some(self.prg_rom[addr as usize & (PRG_WINDOW - 1)]),
            0x6000..=0x7FFF => self.prg_ram_offset(addr).map(|i| self.prg_ram[i]),
            _ => None,
        }
    }

    /// Only PRG-RAM takes writes; ROM ignores them.
    #[inline]
    fn cpu_write(&mut self, addr: u16, value: u8, _cycle: u64) {
        if let (0x6000..=0x7FFF, Some(i)) = (addr, self.prg_ram_offset(addr)) {
            self.prg_ram[i] = value;
        }
    }

    #[inline]
    fn ppu_read(&mut self, addr: u16) -> u8 {
        self.chr[addr as usize & (CHR_WINDOW - 1)]
    }

    #[inline]
    fn ppu_write(&mut self, addr: u16, value: u8) {
        if self.chr_is_ram {
            self.chr[addr as usize & (CHR_WINDOW - 1)] = value;
        }
    }

    /// Hard-wired by solder pads, as the header declares.
    #[inline]
    fn mirroring(&self) -> Mirroring {
        self.mirroring
    }

    fn prg_ram(&self) -> &[u8] {
        &self.prg_ram
    }

    fn prg_ram_mut(&mut self) -> &mut [u8] {
        &mut self.prg_ram
    }

    fn has_battery(&self) -> bool {
        self.battery
    }

    fn adopt_rom(&mut self, running: &mut Self) -> bool {
        if self.chr_is_ram != running.chr_is_ram {
            return false;
        }
        std::mem::swap(&mut self.prg_rom, &mut running.prg_rom);
        if !self.chr_is_ram {
            std::mem::swap(&mut self.chr, &mut running.chr);
        }
        true
    }

    /// NROM has no registers.
    fn write_affects_mapping(&self, _addr: u16) -> bool {
        false
    }

    fn plain_page(&mut self, page: u8) -> super::PlainPage {
        let addr = u16::from(page) << 8;
        match page {
            0x80..=0xFF => {
                let offset = addr as usize & (PRG_WINDOW - 1);
                super::PlainPage::rom(
                    &self.prg_rom[offset..offset + 0x100],
                    super::source::PRG_ROM + offset as u32,
                )
            }
            0x60..=0x7F => match self.prg_ram_offset(addr) {
                Some(i) if i % 0x100 == 0 && i + 0x100 <= self.prg_ram.len() => super::PlainPage::ram(
                    &mut self.prg_ram[i..i + 0x100],
                    super::source::PRG_RAM + i as u32,
                    true,
                    true,
                ),
                _ => super::PlainPage::NONE,
            },
            _ => super::PlainPage::NONE,
        }
    }
}

/// Sizes instead of contents.
impl fmt::Debug for Nrom {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Nrom")
            .field("chr_is_ram", &self.chr_is_ram)
            .field("prg_ram", &format_args!("[{} bytes]", self.prg_ram.len()))
            .field("mirroring", &self.mirroring)
            .finish_non_exhaustive()
    }
}

/// Fills `window` with `data` over and over (`data` must not be empty).
fn fill_repeating(window: &mut [u8], data: &[u8]) {
    for chunk in window.chunks_mut(data.len()) {
        chunk.copy_from_slice(&data[..chunk.len()]);
    }
}
