//! Mapper 34: two unrelated boards under one number. BNROM switches 32 KiB
//! of PRG through a latch at $8000-$FFFF; NINA-001 has its registers at
//! $7FFD-$7FFF on top of 8 KiB of PRG-RAM and switches CHR in 4 KiB banks.

use super::discrete::{discrete_memory_access, Discrete, LatchBoard};
use super::Board;
use crate::cartridge::{Cartridge, CartridgeError, Mirroring};

const PRG_BANK: usize = 0x8000;
const CHR_BANK: usize = 0x1000;

/// Which board a mapper 34 file means: NES 2.0 submapper 1 is NINA-001 and
/// 2 is BNROM; without one, CHR-ROM larger than 8 KiB needs NINA-001's CHR
/// banking, and anything else is BNROM.
pub(crate) fn is_nina001(cart: &Cartridge) -> bool {
    match cart.header.submapper {
        1 => true,
        0 => cart.header.chr_rom_size > 0x2000,
        _ => false,
    }
}

/// BNROM (and Irem's I-IM): the whole latch selects the 32 KiB bank (bits
/// 0-1 on the real 128 KiB board; more for oversize images). Always has
/// bus conflicts.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Bnrom {
    board: Discrete,
}

impl Bnrom {
    /// Maps PRG bank 0.
    pub fn new(cart: Cartridge) -> Result<Bnrom, CartridgeError> {
        let mut board = Discrete::with_8k_chr_ram(cart, true)?;
        board.prg.map(0x8000, PRG_BANK, 0);
        Ok(Bnrom { board })
    }
}

impl LatchBoard for Bnrom {
    fn discrete(&self) -> &Discrete {
        &self.board
    }

    fn discrete_mut(&mut self) -> &mut Discrete {
        &mut self.board
    }

    #[inline]
    fn latch(&mut self, value: u8) {
        self.board.prg.map(0x8000, PRG_BANK, usize::from(value));
    }
}

/// AVE's NINA-001 (and NINA-002, the same registers with 128 KiB of PRG).
/// Registers are read as whole bytes (the wiki's trivial oversize form);
/// on the real 64 KiB CHR / 128 KiB PRG boards the extra bits wrap away.
/// No bus conflicts: the registers sit in the RAM's address range.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Nina001 {
    board: Discrete,
}

impl Nina001 {
    /// Maps PRG bank 0 and CHR banks 0 and 1.
    pub fn new(cart: Cartridge) -> Result<Nina001, CartridgeError> {
        let mut board = Discrete::with_8k_chr_ram(cart, false)?;
        board.prg.map(0x8000, PRG_BANK, 0);
        board.chr.map(0x0000, CHR_BANK, 0);
        board.chr.map(0x1000, CHR_BANK, 1);
        Ok(Nina001 { board })
    }
}

impl Board for Nina001 {
    #[inline]
    fn cpu_peek(&self, addr: u16) -> Option<u8> {
        self.board.cpu_peek(addr)
    }

    #[inline]
    fn cpu_write(&mut self, addr: u16, value: u8, _cycle: u64) {
        if !(0x6000..=0x7FFF).contains(&addr) {
            return;
        }
        // The registers latch the write and the RAM beneath stores it too,
        // so reading a register's address returns the value last written.
        self.board.prg_ram.write(addr, value);
        match addr {
            0x7FFD => self.board.prg.map(0x8000, PRG_BANK, usize::from(value)),
            0x7FFE => self.board.chr.map(0x0000, CHR_BANK, usize::from(value)),
            0x7FFF => self.board.chr.map(0x1000, CHR_BANK, usize::from(value)),
            _ => {}
        }
    }

    #[inline]
    fn mirroring(&self) -> Mirroring {
        self.board.mirroring
    }

    fn write_affects_mapping(&self, addr: u16) -> bool {
        (0x7FFD..=0x7FFF).contains(&addr)
    }

    /// The registers sit in the last page of PRG-RAM: writes there are not plain.
    fn plain_page(&mut self, page: u8) -> super::PlainPage {
        self.board.plain_page(page, page != 0x7F)
    }

    discrete_memory_access!();
}

#[cfg(test)]
mod tests {
    use super::super::test_rom::{TestRom, KIB};
    use super::super::Mapper;
    use super::*;

    #[test]
    fn board_choice() {
        let kind = |rom: TestRom| match Mapper::new(rom.cart()) {
            Ok(Mapper::Bnrom(_)) => "BNROM",
            Ok(Mapper::Nina001(_)) => "NINA-001",
            other => panic!("{other:?}"),
        };
        let prg = 128 * KIB;
        assert_eq!(kind(TestRom::new(34, prg, 32 * KIB, 0, 8 * KIB)), "BNROM");
        assert_eq!(kind(TestRom::new(34, prg, 32 * KIB, 8 * KIB, 4 * KIB)), "BNROM");
        assert_eq!(kind(TestRom::new(34, prg, 32 * KIB, 16 * KIB, 4 * KIB)), "NINA-001");
        assert_eq!(kind(TestRom::new(34, prg, 32 * KIB, 8 * KIB, 4 * KIB).submapper(1)), "NINA-001");
        assert_eq!(kind(TestRom::new(34, prg, 32 * KIB, 16 * KIB, 4 * KIB).submapper(2)), "BNROM");
    }

    #[test]
    fn bnrom_switches_32k_with_bus_conflicts() {
        let mut cart = TestRom::new(34, 128 * KIB, 32 * KIB, 0, 8 * KIB).cart();
        cart.prg_rom[32 * KIB - 1] = 0xFF;
        let mut board = Bnrom::new(cart).expect("valid BNROM image");
        // $8000 holds 0: the latch gets 0.
        board.cpu_write(0x8000, 2, 1);
        assert_eq!(board.cpu_peek(0x8000), Some(0));
        // $FFFF holds $FF.
        board.cpu_write(0xFFFF, 2, 2);
        assert_eq!((board.cpu_peek(0x8000), board.cpu_peek(0xFFFE)), (Some(2), Some(2)));
        board.ppu_write(0x0010, 0x3C);
        assert_eq!(board.ppu_read(0x0010), 0x3C);
        assert!(board.write_affects_mapping(0x8000) && !board.write_affects_mapping(0x7FFD));
    }

    #[test]
    fn nina001_registers_sit_on_top_of_prg_ram() {
        let rom = TestRom::new(34, 64 * KIB, 32 * KIB, 64 * KIB, 4 * KIB).submapper(1);
        let mut board = Nina001::new(rom.cart()).expect("valid NINA-001 image");
        assert_eq!((board.ppu_read(0x0000), board.ppu_read(0x1000)), (0, 1));
        board.cpu_write(0x7FFD, 1, 1);
        board.cpu_write(0x7FFE, 9, 2);
        board.cpu_write(0x7FFF, 0x1E, 3);
        assert_eq!((board.cpu_peek(0x8000), board.cpu_peek(0xFFFF)), (Some(1), Some(1)));
        assert_eq!((board.ppu_read(0x0FFF), board.ppu_read(0x1000)), (9, 14));
        // The RAM under the registers kept the values.
        assert_eq!(board.cpu_peek(0x7FFD), Some(1));
        assert_eq!(board.cpu_peek(0x7FFF), Some(0x1E));
        board.cpu_write(0x6000, 0x55, 4);
        assert_eq!(board.cpu_peek(0x6000), Some(0x55));
        // Writes to ROM do nothing.
        board.cpu_write(0x8000, 0, 5);
        assert_eq!(board.cpu_peek(0x8000), Some(1));
        assert!(board.write_affects_mapping(0x7FFD) && board.write_affects_mapping(0x7FFF));
        assert!(!board.write_affects_mapping(0x7FFC) && !board.write_affects_mapping(0x8000));
    }
}
