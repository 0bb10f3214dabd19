//! Mapper 3, CNROM: 16 or 32 KiB of fixed PRG-ROM and an 8 KiB CHR bank
//! switched by a latch at $8000-$FFFF.

use super::discrete::{submapper_2_conflicts, Discrete, LatchBoard};
use crate::cartridge::{Cartridge, CartridgeError};

const CHR_BANK: usize = 0x2000;

/// CNROM, with the whole latch used as the CHR bank (the oversize reading:
/// bits beyond the ROM's size wrap away, so regular 32 KiB boards see only
/// bits 0-1).
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Cnrom {
    board: Discrete,
}

impl Cnrom {
    /// Maps all PRG-ROM (16 KiB repeats) and CHR bank 0.
    pub fn new(cart: Cartridge) -> Result<Cnrom, CartridgeError> {
        let conflicts = submapper_2_conflicts(&cart);
        let mut board = Discrete::with_8k_chr_ram(cart, conflicts)?;
        board.prg.map(0x8000, 0x8000, 0);
        board.chr.map(0x0000, CHR_BANK, 0);
        Ok(Cnrom { board })
    }
}

impl LatchBoard for Cnrom {
    fn discrete(&self) -> &Discrete {
        &self.board
    }

    fn discrete_mut(&mut self) -> &mut Discrete {
        &mut self.board
    }

    #[inline]
    fn latch(&mut self, value: u8) {
        self.board.chr.map(0x0000, CHR_BANK, usize::from(value));
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_rom::{TestRom, KIB};
    use super::*;
    use crate::cartridge::Mirroring;
    use crate::mapper::Board;

    fn cnrom(prg: usize, submapper: u8) -> Cnrom {
        Cnrom::new(TestRom::new(3, prg, 16 * KIB, 32 * KIB, 8 * KIB).submapper(submapper).vertical().cart())
            .expect("valid CNROM image")
    }

    #[test]
    fn switches_8k_of_chr() {
        let mut board = cnrom(32 * KIB, 0);
        assert_eq!(board.ppu_read(0x0000), 0);
        board.cpu_write(0x8000, 2, 1);
        assert_eq!((board.ppu_read(0x0000), board.ppu_read(0x1FFF)), (2, 2));
        // Diode bits 4-5 wrap away on 32 KiB of CHR.
        board.cpu_write(0x8000, 0x31, 2);
        assert_eq!(board.ppu_read(0x0000), 1);
        board.ppu_write(0x0000, 0xEE);
        assert_eq!(board.ppu_read(0x0000), 1, "CHR-ROM ignores writes");
        assert_eq!(board.mirroring(), Mirroring::Vertical);
    }

    #[test]
    fn nrom_128_prg_repeats() {
        let board = cnrom(16 * KIB, 0);
        assert_eq!((board.cpu_peek(0x8000), board.cpu_peek(0xC000)), (Some(0), Some(0)));
        let board = cnrom(32 * KIB, 0);
        assert_eq!((board.cpu_peek(0x8000), board.cpu_peek(0xC000)), (Some(0), Some(1)));
    }

    #[test]
    fn bus_conflicts_on_submapper_2() {
        // $C000 of a 32 KiB ROM holds 1: writing 3 there latches 1.
        let mut board = cnrom(32 * KIB, 2);
        board.cpu_write(0xC000, 3, 1);
        assert_eq!(board.ppu_read(0x0000), 1);
        let mut board = cnrom(32 * KIB, 1);
        board.cpu_write(0xC000, 3, 1);
        assert_eq!(board.ppu_read(0x0000), 3);
    }
}
