//! In-memory cartridges for the boards' tests. Every byte of a PRG or CHR
//! bank holds that bank's number, so one read tells which bank is mapped.

use crate::cartridge::{Cartridge, MAGIC};

/// One KiB.
pub(crate) const KIB: usize = 1024;

/// A NES 2.0 image to build: sizes, bank units and header flags.
#[derive(Clone, Debug)]
pub(crate) struct TestRom {
    mapper: u16,
    submapper: u8,
    prg_size: usize,
    prg_unit: usize,
    chr_size: usize,
    chr_unit: usize,
    /// Byte 6 bits 0-3: mirroring, battery, trainer, four-screen.
    flags6: u8,
    /// Byte 10: PRG-RAM (low nibble) and PRG-NVRAM shift counts.
    prg_ram_shifts: u8,
    /// Byte 11: CHR-RAM (low nibble) and CHR-NVRAM shift counts.
    chr_ram_shifts: u8,
    /// Plain iNES header instead of NES 2.0 (no submapper, RAM sizes
    /// implied).
    ines: bool,
}

impl TestRom {
    /// `prg_size` bytes of PRG-ROM numbered in `prg_unit`-byte banks, and
    /// `chr_size` bytes of CHR-ROM numbered in `chr_unit`-byte banks (0: 8 KiB
    /// of CHR-RAM instead); 8 KiB of PRG-RAM, horizontal mirroring.
    pub(crate) fn new(
        mapper: u16,
        prg_size: usize,
        prg_unit: usize,
        chr_size: usize,
        chr_unit: usize,
    ) -> Self {
        TestRom {
            mapper,
            submapper: 0,
            prg_size,
            prg_unit,
            chr_size,
            chr_unit,
            flags6: 0,
            prg_ram_shifts: 7,
            chr_ram_shifts: if chr_size == 0 { 7 } else { 0 },
            ines: false,
        }
    }

    /// NES 2.0 submapper.
    pub(crate) fn submapper(mut self, submapper: u8) -> Self {
        self.submapper = submapper;
        self
    }

    /// Header vertical mirroring (byte 6 bit 0).
    pub(crate) fn vertical(mut self) -> Self {
        self.flags6 |= 0x01;
        self
    }

    /// Header battery flag (byte 6 bit 1).
    pub(crate) fn battery(mut self) -> Self {
        self.flags6 |= 0x02;
        self
    }

    /// Header four-screen flag (byte 6 bit 3).
    pub(crate) fn four_screen(mut self) -> Self {
        self.flags6 |= 0x08;
        self
    }

    /// PRG-RAM and PRG-NVRAM as NES 2.0 shift counts (0 = none, 7 = 8 KiB).
    pub(crate) fn prg_ram(mut self, ram_shift: u8, nvram_shift: u8) -> Self {
        self.prg_ram_shifts = (nvram_shift << 4) | ram_shift;
        self
    }

    /// CHR-RAM as a NES 2.0 shift count (only used without CHR-ROM).
    pub(crate) fn chr_ram(mut self, ram_shift: u8) -> Self {
        self.chr_ram_shifts = ram_shift;
        self
    }

    /// A plain iNES header (8 KiB PRG-RAM implied, no submapper).
    pub(crate) fn ines(mut self) -> Self {
        self.ines = true;
        self
    }

    /// The file image.
    pub(crate) fn bytes(&self) -> Vec<u8> {
        let prg_units = self.prg_size / (16 * KIB);
        let chr_units = self.chr_size / (8 * KIB);
        let mut bytes = MAGIC.to_vec();
        bytes.extend([
            prg_units as u8,
            chr_units as u8,
            self.flags6 | ((self.mapper & 0x0F) as u8) << 4,
            0x08 | (self.mapper & 0xF0) as u8,
            (self.mapper >> 8) as u8 & 0x0F | self.submapper << 4,
            (prg_units >> 8) as u8 & 0x0F | ((chr_units >> 8) as u8 & 0x0F) << 4,
            self.prg_ram_shifts,
            self.chr_ram_shifts,
            0,
            0,
            0,
            0,
        ]);
        if self.ines {
            bytes[7] &= 0xF0;
            bytes[8..].fill(0);
        }
        bytes.extend((0..self.prg_size).map(|i| (i / self.prg_unit) as u8));
        bytes.extend((0..self.chr_size).map(|i| (i / self.chr_unit) as u8));
        bytes
    }

    /// The parsed cartridge.
    pub(crate) fn cart(&self) -> Cartridge {
        Cartridge::from_bytes(&self.bytes()).expect("test ROM image is valid")
    }
}

/// Feeds CPU writes to a board with increasing cycle numbers two apart, so
/// no two look like a read-modify-write pair to MMC1.
#[derive(Debug, Default)]
pub(crate) struct Writer {
    cycle: u64,
}

impl Writer {
    /// Writes `value` to `addr` on the next cycle but one.
    pub(crate) fn write(&mut self, board: &mut impl super::Board, addr: u16, value: u8) {
        self.cycle += 2;
        board.cpu_write(addr, value, self.cycle);
    }
}
