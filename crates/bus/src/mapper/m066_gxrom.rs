//! Mapper 66, GxROM (GNROM, MHROM): a latch at $8000-$FFFF selects a 32 KiB
//! PRG bank (bits 4-5) and an 8 KiB CHR bank (bits 0-1).

use super::discrete::{Discrete, LatchBoard};
use crate::cartridge::{Cartridge, CartridgeError};

/// GNROM/MHROM. The latch is read as whole nibbles (the wiki's oversize
/// 512 KiB PRG / 128 KiB CHR form); on the real 128 KiB / 32 KiB boards the
/// extra bits wrap away. Always has bus conflicts.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Gxrom {
    board: Discrete,
}

impl Gxrom {
    /// Maps PRG bank 0 and CHR bank 0.
    pub fn new(cart: Cartridge) -> Result<Gxrom, CartridgeError> {
        let mut board = Discrete::with_8k_chr_ram(cart, true)?;
        board.prg.map(0x8000, 0x8000, 0);
        board.chr.map(0x0000, 0x2000, 0);
        Ok(Gxrom { board })
    }
}

impl LatchBoard for Gxrom {
    fn discrete(&self) -> &Discrete {
        &self.board
    }

    fn discrete_mut(&mut self) -> &mut Discrete {
        &mut self.board
    }

    #[inline]
    fn latch(&mut self, value: u8) {
        self.board.prg.map(0x8000, 0x8000, usize::from(value >> 4));
        self.board.chr.map(0x0000, 0x2000, usize::from(value & 0x0F));
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_rom::{TestRom, KIB};
    use super::*;
    use crate::cartridge::Mirroring;
    use crate::mapper::Board;

    /// 128 KiB PRG, 32 KiB CHR; the last byte of each PRG bank ($FFFF) is
    /// $FF so a write there meets no conflict.
    fn gxrom() -> Gxrom {
        let mut cart = TestRom::new(66, 128 * KIB, 32 * KIB, 32 * KIB, 8 * KIB).vertical().cart();
        for bank in cart.prg_rom.chunks_mut(32 * KIB) {
            bank[32 * KIB - 1] = 0xFF;
        }
        Gxrom::new(cart).expect("valid GxROM image")
    }

    #[test]
    fn prg_in_bits_4_5_chr_in_bits_0_1() {
        let mut board = gxrom();
        board.cpu_write(0xFFFF, 0x21, 1);
        assert_eq!((board.cpu_peek(0x8000), board.ppu_read(0x0000)), (Some(2), 1));
        board.cpu_write(0xFFFF, 0x13, 2);
        assert_eq!((board.cpu_peek(0xC000), board.ppu_read(0x1FFF)), (Some(1), 3));
        assert_eq!(board.mirroring(), Mirroring::Vertical);
        assert!(board.write_affects_mapping(0x8000) && !board.write_affects_mapping(0x6000));
    }

    #[test]
    fn bus_conflicts_always() {
        let mut board = gxrom();
        // $8000 of bank 0 holds 0: the latch gets 0.
        board.cpu_write(0x8000, 0x33, 1);
        assert_eq!((board.cpu_peek(0x8000), board.ppu_read(0)), (Some(0), 0));
        // In bank 3, $8000 holds 3: $33 & 3 selects PRG 0, CHR 3.
        board.cpu_write(0xFFFF, 0x30, 2);
        board.cpu_write(0x8000, 0x33, 3);
        assert_eq!((board.cpu_peek(0x8000), board.ppu_read(0)), (Some(0), 3));
    }
}
