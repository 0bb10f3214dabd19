//! Mapper 2, UxROM (UNROM, UOROM): a 16 KiB bank switched at $8000, the
//! last 16 KiB fixed at $C000.

use super::discrete::{submapper_2_conflicts, Discrete, LatchBoard};
use crate::cartridge::{Cartridge, CartridgeError};

const BANK: usize = 0x4000;

/// UNROM/UOROM and compatible boards, with the full 8-bit latch emulators
/// conventionally give mapper 2 (up to 4 MiB).
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Uxrom {
    board: Discrete,
}

impl Uxrom {
    /// Maps bank 0 at $8000 and the last bank at $C000.
    pub fn new(cart: Cartridge) -> Result<Uxrom, CartridgeError> {
        let conflicts = submapper_2_conflicts(&cart);
        let mut board = Discrete::with_8k_chr_ram(cart, conflicts)?;
        board.prg.map(0x8000, BANK, 0);
        let last = board.prg.last_bank(BANK);
        board.prg.map(0xC000, BANK, last);
        Ok(Uxrom { board })
    }
}

impl LatchBoard for Uxrom {
    fn discrete(&self) -> &Discrete {
        &self.board
    }

    fn discrete_mut(&mut self) -> &mut Discrete {
        &mut self.board
    }

    #[inline]
    fn latch(&mut self, value: u8) {
        self.board.prg.map(0x8000, BANK, usize::from(value));
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_rom::{TestRom, KIB};
    use super::*;
    use crate::cartridge::Mirroring;
    use crate::mapper::Board;

    fn uxrom(submapper: u8) -> Uxrom {
        Uxrom::new(TestRom::new(2, 128 * KIB, 16 * KIB, 0, 8 * KIB).submapper(submapper).cart())
            .expect("valid UxROM image")
    }

    #[test]
    fn switches_8000_and_fixes_the_last_bank() {
        let mut board = uxrom(0);
        assert_eq!((board.cpu_peek(0x8000), board.cpu_peek(0xFFFF)), (Some(0), Some(7)));
        board.cpu_write(0x8000, 5, 1);
        assert_eq!((board.cpu_peek(0xBFFF), board.cpu_peek(0xC000)), (Some(5), Some(7)));
        // Bank numbers wrap at the ROM's size.
        board.cpu_write(0xC000, 0x0B, 2);
        assert_eq!(board.cpu_peek(0x8000), Some(3));
    }

    #[test]
    fn bus_conflicts_only_on_submapper_2() {
        for (submapper, expected) in [(0, 3), (1, 3), (2, 0)] {
            let mut board = uxrom(submapper);
            // $8000 holds bank 0's bytes (0): with conflicts the latch gets 0.
            board.cpu_write(0x8000, 3, 1);
            assert_eq!(board.cpu_peek(0x8000), Some(expected), "submapper {submapper}");
        }
        let mut board = uxrom(2);
        // $C000 holds 7 (%111): 3 & 7 = 3.
        board.cpu_write(0xC000, 3, 1);
        assert_eq!(board.cpu_peek(0x8000), Some(3));
    }

    #[test]
    fn chr_ram_and_fixed_mirroring() {
        let mut board = uxrom(0);
        board.ppu_write(0x1ABC, 0x77);
        assert_eq!(board.ppu_read(0x1ABC), 0x77);
        assert_eq!(board.mirroring(), Mirroring::Horizontal);
        assert!(board.write_affects_mapping(0x8000) && !board.write_affects_mapping(0x7FFF));
    }
}
