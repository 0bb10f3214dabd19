//! Mapper 11, Color Dreams: a latch at $8000-$FFFF selects a 32 KiB PRG
//! bank (bits 0-1) and an 8 KiB CHR bank (bits 4-7).

use super::discrete::{Discrete, LatchBoard};
use crate::cartridge::{Cartridge, CartridgeError};

/// The Color Dreams / Wisdom Tree board (74LS377 latch; bits 2-3 drive the
/// lockout defeat, which needs no emulation). Always has bus conflicts.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct ColorDreams {
    board: Discrete,
}

impl ColorDreams {
    /// Maps PRG bank 0 and CHR bank 0.
    pub fn new(cart: Cartridge) -> Result<ColorDreams, CartridgeError> {
        let mut board = Discrete::with_8k_chr_ram(cart, true)?;
        board.prg.map(0x8000, 0x8000, 0);
        board.chr.map(0x0000, 0x2000, 0);
        Ok(ColorDreams { board })
    }
}

impl LatchBoard for ColorDreams {
    fn discrete(&self) -> &Discrete {
        &self.board
    }

    fn discrete_mut(&mut self) -> &mut Discrete {
        &mut self.board
    }

    #[inline]
    fn latch(&mut self, value: u8) {
        self.board.prg.map(0x8000, 0x8000, usize::from(value & 0x03));
        self.board.chr.map(0x0000, 0x2000, usize::from(value >> 4));
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_rom::{TestRom, KIB};
    use super::*;
    use crate::cartridge::Mirroring;
    use crate::mapper::Board;

    /// 128 KiB PRG, 128 KiB CHR; the last byte of each PRG bank ($FFFF) is
    /// $FF so a write there meets no conflict.
    fn color_dreams() -> ColorDreams {
        let mut cart = TestRom::new(11, 128 * KIB, 32 * KIB, 128 * KIB, 8 * KIB).cart();
        for bank in cart.prg_rom.chunks_mut(32 * KIB) {
            bank[32 * KIB - 1] = 0xFF;
        }
        ColorDreams::new(cart).expect("valid Color Dreams image")
    }

    #[test]
    fn prg_in_bits_0_1_chr_in_bits_4_7() {
        let mut board = color_dreams();
        board.cpu_write(0xFFFF, 0x93, 1);
        assert_eq!((board.cpu_peek(0x8000), board.ppu_read(0x0000), board.ppu_read(0x1FFF)), (Some(3), 9, 9));
        board.cpu_write(0xFFFF, 0xF1, 2);
        assert_eq!((board.cpu_peek(0xC000), board.ppu_read(0x0000)), (Some(1), 15));
        assert_eq!(board.mirroring(), Mirroring::Horizontal);
    }

    #[test]
    fn bus_conflicts_always() {
        let mut board = color_dreams();
        // $8000 of bank 0 holds 0: the latch gets 0.
        board.cpu_write(0x8000, 0x93, 1);
        assert_eq!((board.cpu_peek(0x8000), board.ppu_read(0)), (Some(0), 0));
        // In bank 3, $8000 holds 3: $92 & 3 = 2.
        board.cpu_write(0xFFFF, 0x03, 2);
        board.cpu_write(0x8000, 0x92, 3);
        assert_eq!((board.cpu_peek(0x8000), board.ppu_read(0)), (Some(2), 0));
    }
}
