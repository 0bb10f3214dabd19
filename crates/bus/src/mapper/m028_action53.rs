//! Mapper 28, Action 53: a multicart mapper that can act as NROM, CNROM,
//! UNROM (#2 and #180), BNROM or AOROM inside an outer bank. $5000-$5FFF
//! selects a register, $8000-$FFFF writes it.

use super::discrete::{discrete_memory_access, Discrete};
use super::memory::DEFAULT_CHR_RAM;
use super::Board;
use crate::cartridge::{Cartridge, CartridgeError, Mirroring, RomFormat};

const PRG_BANK: usize = 0x4000;
const CHR_BANK: usize = 0x2000;
/// The board's CHR-RAM, assumed when an iNES header cannot say.
const BOARD_CHR_RAM: usize = 0x8000;

/// Register numbers as written to $5000 (only bits 7 and 0 are decoded).
const REG_CHR: u8 = 0x00;
const REG_INNER: u8 = 0x01;
const REG_MODE: u8 = 0x80;

/// The Action 53 CPLD with up to 8 MiB PRG-ROM and 32 KiB CHR-RAM.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Action53 {
    board: Discrete,
    /// $5000: which register $8000-$FFFF writes (`$00`, `$01`, `$80`, `$81`).
    select: u8,
    /// $00: 8 KiB CHR bank (bits 0-1).
    chr_bank: u8,
    /// $01: inner PRG bank (bits 0-3).
    inner_bank: u8,
    /// $80: `..SS PPMM`: outer bank size, PRG bank mode, mirroring.
    mode: u8,
    /// $81: outer PRG bank in 32 KiB units (PRG A22-A15).
    outer_bank: u8,
}

impl Action53 {
    /// Powers on with the last 16 KiB of the ROM at $C000, the one thing
    /// the hardware guarantees (the menu's reset vector lives there).
    pub fn new(mut cart: Cartridge) -> Result<Action53, CartridgeError> {
        if cart.chr_is_ram() && cart.header.format != RomFormat::Nes2 {
            cart.chr.resize(BOARD_CHR_RAM, 0);
        }
        let mirroring_mode = match cart.header.mirroring {
            Mirroring::Vertical => 2,
            Mirroring::Horizontal => 3,
            _ => 0,
        };
        let board = Discrete::new(cart, false, DEFAULT_CHR_RAM)?;
        // Mode $08 (fixed $8000, 32 KiB outer size) puts outer/inner bank
        // `last` at $C000 for any bank count, odd ones included.
        let last = board.prg.last_bank(PRG_BANK);
        let mut action53 = Action53 {
            board,
            select: 0,
            chr_bank: 0,
            inner_bank: (last & 1) as u8,
            mode: 0x08 | mirroring_mode,
            outer_bank: (last >> 1) as u8,
        };
        action53.update_banks();
        Ok(action53)
    }

    /// The 16 KiB bank (PRG A22-A14) for CPU A14 low ($8000) or high ($C000).
    fn prg_bank(&self, a14: usize) -> usize {
        let outer = usize::from(self.outer_bank);
        let inner = usize::from(self.inner_bank);
        let size = usize::from((self.mode >> 4) & 0x03);
        match ((self.mode >> 2) & 0x03, a14) {
            // The fixed half of a UNROM mode passes all outer bits through.
            (2, 0) | (3, 1) => (outer << 1) | a14,
            // 32 KiB modes: the inner bank replaces the low `size` bits of
            // the outer bank.
            (0 | 1, _) => {
                let inner_mask = (1 << size) - 1;
                (((outer & !inner_mask) | (inner & inner_mask)) << 1) | a14
            }
            // The switched half of a UNROM mode: 16 KiB banks, one more
            // inner bit.
            _ => {
                let inner_mask = (2 << size) - 1;
                ((outer << 1) & !inner_mask) | (inner & inner_mask)
            }
        }
    }

    fn update_banks(&mut self) {
        let (low, high) = (self.prg_bank(0), self.prg_bank(1));
        self.board.prg.map(0x8000, PRG_BANK, low);
        self.board.prg.map(0xC000, PRG_BANK, high);
        self.board.chr.map(0x0000, CHR_BANK, usize::from(self.chr_bank & 0x03));
    }

    /// Writes to $00 and $01 carry AxROM's screen select in D4, which only
    /// counts while a one-screen mode is selected.
    fn screen_select(&mut self, value: u8) {
        if self.mode & 0x02 == 0 {
            self.mode = (self.mode & !0x01) | ((value >> 4) & 0x01);
        }
    }
}

impl Board for Action53 {
    #[inline]
    fn cpu_peek(&self, addr: u16) -> Option<u8> {
        self.board.cpu_peek(addr)
    }

    #[inline]
    fn cpu_write(&mut self, addr: u16, value: u8, _cycle: u64) {
        match addr {
            0x5000..=0x5FFF => self.select = value & 0x81,
            0x8000..=0xFFFF => {
                match self.select {
                    REG_CHR => {
                        self.chr_bank = value & 0x03;
                        self.screen_select(value);
                    }
                    REG_INNER => {
                        self.inner_bank = value & 0x0F;
                        self.screen_select(value);
                    }
                    REG_MODE => self.mode = value & 0x3F,
                    _ => self.outer_bank = value,
                }
                self.update_banks();
            }
            0x6000..=0x7FFF => self.board.prg_ram.write(addr, value),
            _ => {}
        }
    }

    #[inline]
    fn mirroring(&self) -> Mirroring {
        if self.board.mirroring == Mirroring::FourScreen {
            return Mirroring::FourScreen;
        }
        match self.mode & 0x03 {
            0 => Mirroring::SingleScreenLower,
            1 => Mirroring::SingleScreenUpper,
            2 => Mirroring::Vertical,
            _ => Mirroring::Horizontal,
        }
    }

    fn write_affects_mapping(&self, addr: u16) -> bool {
        (0x5000..=0x5FFF).contains(&addr) || addr >= 0x8000
    }

    fn plain_page(&mut self, page: u8) -> super::PlainPage {
        self.board.plain_page(page, true)
    }

    discrete_memory_access!();
}

#[cfg(test)]
mod tests {
    use super::super::test_rom::{TestRom, KIB};
    use super::*;

    /// 512 KiB PRG in 16 KiB banks, 32 KiB CHR-RAM.
    fn action53() -> Action53 {
        Action53::new(TestRom::new(28, 512 * KIB, 16 * KIB, 0, 8 * KIB).chr_ram(9).cart())
            .expect("valid Action 53 image")
    }

    fn set(board: &mut Action53, register: u8, value: u8) {
        board.cpu_write(0x5000, register, 1);
        board.cpu_write(0x8000, value, 2);
    }

    fn windows(board: &Action53) -> (Option<u8>, Option<u8>) {
        (board.cpu_peek(0x8000), board.cpu_peek(0xC000))
    }

    #[test]
    fn power_on_maps_the_last_16k_at_c000() {
        assert_eq!(action53().cpu_peek(0xFFFC), Some(31));
        // An odd bank count (48 KiB) and an iNES header (32 KiB CHR-RAM).
        let cart = TestRom::new(28, 48 * KIB, 16 * KIB, 0, 8 * KIB).ines().cart();
        assert_eq!(cart.chr.len(), 8 * KIB);
        let mut board = Action53::new(cart).expect("valid Action 53 image");
        assert_eq!(board.cpu_peek(0xC000), Some(2));
        set(&mut board, REG_CHR, 3);
        board.ppu_write(0x0000, 0x33);
        set(&mut board, REG_CHR, 0);
        assert_eq!(board.ppu_read(0x0000), 0, "four separate 8 KiB banks");
        set(&mut board, REG_CHR, 3);
        assert_eq!(board.ppu_read(0x0000), 0x33);
    }

    #[test]
    fn bank_table_for_every_mode_and_size() {
        let mut board = action53();
        set(&mut board, 0x81, 0x06); // outer: 16 KiB banks 12-13
        set(&mut board, REG_INNER, 0x0B); // inner %1011
        for (mode, expected) in [
            (0x00, (12, 13)),
            (0x08, (12, 13)),
            (0x0C, (13, 13)),
            (0x10, (14, 15)),
            (0x18, (12, 15)),
            (0x1C, (15, 13)),
            (0x20, (14, 15)),
            (0x28, (12, 11)),
            (0x2C, (11, 13)),
            (0x30, (6, 7)),
            (0x38, (12, 11)),
            (0x3C, (11, 13)),
        ] {
            set(&mut board, REG_MODE, mode | 0x02);
            assert_eq!(windows(&board), (Some(expected.0), Some(expected.1)), "mode ${mode:02X}");
        }
    }

    #[test]
    fn outer_bank_wraps_at_the_rom_size() {
        let mut board = action53();
        set(&mut board, REG_MODE, 0x3C);
        set(&mut board, 0x81, 0xFF);
        set(&mut board, REG_INNER, 0x02);
        assert_eq!(windows(&board), (Some(18), Some(31)));
    }

    #[test]
    fn one_screen_bit_from_registers_0_and_1_only_in_one_screen_modes() {
        let mut board = action53();
        set(&mut board, REG_MODE, 0x00);
        assert_eq!(board.mirroring(), Mirroring::SingleScreenLower);
        set(&mut board, REG_INNER, 0x10);
        assert_eq!(board.mirroring(), Mirroring::SingleScreenUpper);
        set(&mut board, REG_CHR, 0x00);
        assert_eq!(board.mirroring(), Mirroring::SingleScreenLower);
        set(&mut board, REG_MODE, 0x02);
        set(&mut board, REG_INNER, 0x10);
        assert_eq!(board.mirroring(), Mirroring::Vertical);
        set(&mut board, REG_MODE, 0x03);
        assert_eq!(board.mirroring(), Mirroring::Horizontal);
    }

    #[test]
    fn register_select_decodes_bits_7_and_0() {
        let mut board = action53();
        board.cpu_write(0x5FFF, 0xFF, 1); // selects $81
        board.cpu_write(0xFFFF, 0x00, 2);
        set(&mut board, REG_MODE, 0x00);
        assert_eq!(windows(&board), (Some(0), Some(1)));
        assert!(board.write_affects_mapping(0x5000) && board.write_affects_mapping(0x8000));
        assert!(!board.write_affects_mapping(0x6000) && !board.write_affects_mapping(0x4FFF));
    }
}
