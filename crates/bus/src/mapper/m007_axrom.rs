//! Mapper 7, AxROM (AMROM, ANROM, AN1ROM, AOROM): a 32 KiB PRG bank and
//! single-screen mirroring chosen by one latch at $8000-$FFFF.

use super::discrete::{submapper_2_conflicts, Discrete, LatchBoard};
use crate::cartridge::{Cartridge, CartridgeError, Mirroring};

const BANK: usize = 0x8000;

/// AxROM: latch `xxxM PPPP` (bit 3 is the common oversize extension to
/// 512 KiB; it wraps away on smaller ROMs).
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Axrom {
    board: Discrete,
    /// Bit 4 of the latch: which 1 KiB of CIRAM all nametables show.
    upper_screen: bool,
}

impl Axrom {
    /// Maps PRG bank 0 and the lower screen.
    pub fn new(cart: Cartridge) -> Result<Axrom, CartridgeError> {
        let conflicts = submapper_2_conflicts(&cart);
        let mut board = Discrete::with_8k_chr_ram(cart, conflicts)?;
        board.prg.map(0x8000, BANK, 0);
        Ok(Axrom { board, upper_screen: false })
    }
}

impl LatchBoard for Axrom {
    fn discrete(&self) -> &Discrete {
        &self.board
    }

    fn discrete_mut(&mut self) -> &mut Discrete {
        &mut self.board
    }

    #[inline]
    fn latch(&mut self, value: u8) {
        self.board.prg.map(0x8000, BANK, usize::from(value & 0x0F));
        self.upper_screen = value & 0x10 != 0;
    }

    #[inline]
    fn latch_mirroring(&self) -> Mirroring {
        match (self.board.mirroring, self.upper_screen) {
            (Mirroring::FourScreen, _) => Mirroring::FourScreen,
            (_, false) => Mirroring::SingleScreenLower,
            (_, true) => Mirroring::SingleScreenUpper,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_rom::{TestRom, KIB};
    use super::*;
    use crate::mapper::Board;

    fn axrom(submapper: u8) -> Axrom {
        Axrom::new(TestRom::new(7, 256 * KIB, 32 * KIB, 0, 8 * KIB).submapper(submapper).cart())
            .expect("valid AxROM image")
    }

    #[test]
    fn switches_32k_and_the_screen() {
        let mut board = axrom(0);
        assert_eq!((board.cpu_peek(0x8000), board.cpu_peek(0xFFFF)), (Some(0), Some(0)));
        assert_eq!(board.mirroring(), Mirroring::SingleScreenLower);
        board.cpu_write(0x8000, 0x15, 1);
        assert_eq!((board.cpu_peek(0x8000), board.cpu_peek(0xFFFF)), (Some(5), Some(5)));
        assert_eq!(board.mirroring(), Mirroring::SingleScreenUpper);
        board.cpu_write(0xFFFF, 0x0F, 2);
        assert_eq!(board.cpu_peek(0x8000), Some(7), "bank 15 wraps to 7 on 256 KiB");
        assert_eq!(board.mirroring(), Mirroring::SingleScreenLower);
    }

    #[test]
    fn bus_conflicts_only_on_submapper_2() {
        // Bank 0's bytes are 0: with conflicts, nothing changes.
        let mut board = axrom(2);
        board.cpu_write(0x8000, 0x13, 1);
        assert_eq!(board.cpu_peek(0x8000), Some(0));
        assert_eq!(board.mirroring(), Mirroring::SingleScreenLower);
        let mut board = axrom(0);
        board.cpu_write(0x8000, 0x13, 1);
        assert_eq!(board.cpu_peek(0x8000), Some(3));
    }
}
