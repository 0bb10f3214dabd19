//! Mapper 1, MMC1 (SxROM): a serial port at $8000-$FFFF loads four 5-bit
//! registers that switch 16/32 KiB PRG banks, 4/8 KiB CHR banks and the
//! nametable arrangement.

use super::memory::{chr_memory, Chr, PrgRam, PrgRom, DEFAULT_CHR_RAM};
use super::Board;
use crate::cartridge::{Cartridge, CartridgeError, Mirroring};

const KIB: usize = 1024;

/// Control at power-on: PRG mode 3 (last bank fixed at $C000), which is
/// what the reset vectors of commercial games assume.
const POWER_ON_CONTROL: u8 = 0x0C;

/// MMC1B (the common revision) on any SxROM board. PRG-ROM over 256 KiB
/// (SUROM/SXROM) takes PRG A18 from CHR bank 0 bit 4; PRG-RAM over 8 KiB
/// (SOROM/SXROM/SZROM) is banked by CHR bank 0 bits 2-4.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Mmc1 {
    prg: PrgRom,
    chr: Chr,
    prg_ram: PrgRam,
    /// Bits shifted in so far, LSB first.
    shift: u8,
    shift_count: u8,
    /// `CPPMM`: CHR mode, PRG mode, nametable arrangement.
    control: u8,
    chr_bank_0: u8,
    chr_bank_1: u8,
    /// `RPPPP`: PRG-RAM disable (MMC1B), 16 KiB PRG bank.
    prg_bank: u8,
    /// Cycle of the last serial write, to drop the second write of a
    /// read-modify-write instruction.
    last_serial_write: Option<u64>,
    /// Submapper 5 (SEROM/SHROM): PRG A14 comes straight from the CPU, so
    /// all 32 KiB are always mapped and the PRG bank register does nothing.
    unbanked_prg: bool,
    /// CHR bigger than 8 KiB: tells SZROM (PRG-RAM bank in bit 4) from
    /// SOROM (bit 3) when there are 16 KiB of PRG-RAM.
    large_chr: bool,
    four_screen: bool,
    battery: bool,
}

impl Mmc1 {
    /// Maps the cartridge's memories with the registers at power-on.
    pub fn new(mut cart: Cartridge) -> Result<Mmc1, CartridgeError> {
        if cart.prg_rom.is_empty() {
            return Err(CartridgeError::NoPrgRom);
        }
        let chr = chr_memory(&mut cart, DEFAULT_CHR_RAM);
        let mut mmc1 = Mmc1 {
            prg: PrgRom::new(std::mem::take(&mut cart.prg_rom), false),
            large_chr: chr.len() > 8 * KIB,
            chr,
            prg_ram: PrgRam::new(std::mem::take(&mut cart.prg_ram)),
            shift: 0,
            shift_count: 0,
            control: POWER_ON_CONTROL,
            chr_bank_0: 0,
            chr_bank_1: 0,
            prg_bank: 0,
            last_serial_write: None,
            unbanked_prg: cart.header.submapper == 5,
            four_screen: cart.header.mirroring == Mirroring::FourScreen,
            battery: cart.header.battery,
        };
        mmc1.update_banks();
        Ok(mmc1)
    }

    /// MMC1B: bit 4 of the PRG bank register disables PRG-RAM.
    fn prg_ram_enabled(&self) -> bool {
        self.prg_bank & 0x10 == 0
    }

    /// A write to the serial port at $8000-$FFFF.
    fn write_serial(&mut self, addr: u16, value: u8, cycle: u64) {
        let consecutive = self.last_serial_write.is_some_and(|last| cycle == last.wrapping_add(1));
        self.last_serial_write = Some(cycle);
        // The reset bit is obeyed even on the second cycle of a pair.
        if value & 0x80 != 0 {
            self.shift = 0;
            self.shift_count = 0;
            self.control |= 0x0C;
            self.update_banks();
            return;
        }
        if consecutive {
            return;
        }
        self.shift |= (value & 1) << self.shift_count;
        self.shift_count += 1;
        if self.shift_count < 5 {
            return;
        }
        // Only the fifth write's address matters, and only A14-A13.
        let data = self.shift;
        self.shift = 0;
        self.shift_count = 0;
        match addr & 0x6000 {
            0x0000 => self.control = data,
            0x2000 => self.chr_bank_0 = data,
            0x4000 => self.chr_bank_1 = data,
            _ => self.prg_bank = data,
        }
        self.update_banks();
    }

    /// Recomputes every window from the registers.
    fn update_banks(&mut self) {
        const PRG_BANK: usize = 16 * KIB;
        const CHR_BANK: usize = 4 * KIB;

        if self.unbanked_prg {
            self.prg.map(0x8000, 2 * PRG_BANK, 0);
        } else {
            // SUROM/SXROM: the 256 KiB outer bank applies to the "fixed"
            // banks too.
            let (outer, last) = if self.prg.len() > 256 * KIB {
                let outer = usize::from(self.chr_bank_0 & 0x10);
                (outer, outer | 0x0F)
            } else {
                (0, self.prg.last_bank(PRG_BANK))
            };
            let bank = outer | usize::from(self.prg_bank & 0x0F);
            match (self.control >> 2) & 0x03 {
                0 | 1 => self.prg.map(0x8000, 2 * PRG_BANK, bank >> 1),
                2 => {
                    self.prg.map(0x8000, PRG_BANK, outer);
                    self.prg.map(0xC000, PRG_BANK, bank);
                }
                _ => {
                    self.prg.map(0x8000, PRG_BANK, bank);
                    self.prg.map(0xC000, PRG_BANK, last);
                }
            }
        }

        if self.control & 0x10 == 0 {
            self.chr.map(0x0000, 2 * CHR_BANK, usize::from(self.chr_bank_0 >> 1));
        } else {
            self.chr.map(0x0000, CHR_BANK, usize::from(self.chr_bank_0));
            self.chr.map(0x1000, CHR_BANK, usize::from(self.chr_bank_1));
        }

        // Boards with more than 8 KiB of PRG-RAM reuse CHR bank 0's upper
        // lines to bank it (games keep both CHR registers equal in 4 KiB mode).
        let ram_bank = match self.prg_ram.len() {
            len if len >= 32 * KIB => (self.chr_bank_0 >> 2) & 0x03,
            len if len > 8 * KIB && self.large_chr => (self.chr_bank_0 >> 4) & 0x01,
            len if len > 8 * KIB => (self.chr_bank_0 >> 3) & 0x01,
            _ => 0,
        };
        self.prg_ram.set_bank(usize::from(ram_bank));
    }
}

impl Board for Mmc1 {
    #[inline]
    fn cpu_peek(&self, addr: u16) -> Option<u8> {
        match addr {
            0x8000..=0xFFFF => Some(self.prg.read(addr)),
            0x6000..=0x7FFF if self.prg_ram_enabled() => self.prg_ram.read(addr),
            _ => None,
        }
    }

    #[inline]
    fn cpu_write(&mut self, addr: u16, value: u8, cycle: u64) {
        match addr {
            0x8000..=0xFFFF => self.write_serial(addr, value, cycle),
            0x6000..=0x7FFF if self.prg_ram_enabled() => self.prg_ram.write(addr, value),
            _ => {}
        }
    }

    #[inline]
    fn ppu_read(&mut self, addr: u16) -> u8 {
        self.chr.read(addr)
    }

    #[inline]
    fn ppu_write(&mut self, addr: u16, value: u8) {
        self.chr.write(addr, value);
    }

    #[inline]
    fn mirroring(&self) -> Mirroring {
        if self.four_screen {
            return Mirroring::FourScreen;
        }
        match self.control & 0x03 {
            0 => Mirroring::SingleScreenLower,
            1 => Mirroring::SingleScreenUpper,
            2 => Mirroring::Vertical,
            _ => Mirroring::Horizontal,
        }
    }

    fn prg_ram(&self) -> &[u8] {
        self.prg_ram.bytes()
    }

    fn prg_ram_mut(&mut self) -> &mut [u8] {
        self.prg_ram.bytes_mut()
    }

    fn has_battery(&self) -> bool {
        self.battery
    }

    fn adopt_rom(&mut self, running: &mut Self) -> bool {
        self.prg.adopt_rom(&mut running.prg) && self.chr.adopt_rom(&mut running.chr)
    }

    /// Any write to $8000-$FFFF may be the fifth of a register load.
    fn write_affects_mapping(&self, addr: u16) -> bool {
        addr >= 0x8000
    }

    fn plain_page(&mut self, page: u8) -> super::PlainPage {
        match page {
            0x80..=0xFF => self.prg.plain_page(page),
            0x60..=0x7F if self.prg_ram_enabled() => self.prg_ram.plain_page(page, true, true),
            _ => super::PlainPage::NONE,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_rom::{TestRom, Writer, KIB};
    use super::*;

    fn mmc1(rom: &TestRom) -> Mmc1 {
        Mmc1::new(rom.cart()).expect("valid MMC1 image")
    }

    /// Loads a 5-bit register through the serial port.
    fn load(board: &mut Mmc1, writer: &mut Writer, addr: u16, value: u8) {
        for bit in 0..5 {
            writer.write(board, addr, (value >> bit) & 1);
        }
    }

    /// 256 KiB PRG in 16 KiB banks, 128 KiB CHR in 4 KiB banks.
    fn sxrom() -> Mmc1 {
        mmc1(&TestRom::new(1, 256 * KIB, 16 * KIB, 128 * KIB, 4 * KIB))
    }

    #[test]
    fn power_on_fixes_the_last_bank_at_c000() {
        let board = sxrom();
        assert_eq!(board.cpu_peek(0x8000), Some(0));
        assert_eq!(board.cpu_peek(0xBFFF), Some(0));
        assert_eq!(board.cpu_peek(0xC000), Some(15));
        assert_eq!(board.cpu_peek(0xFFFF), Some(15));
        assert_eq!(board.mirroring(), Mirroring::SingleScreenLower);
    }

    #[test]
    fn five_writes_load_a_register_by_the_last_address() {
        let mut board = sxrom();
        let mut writer = Writer::default();
        // Four writes anywhere, the fifth to $E000-$FFFF: the PRG register.
        for (addr, bit) in [(0x8000, 1), (0xA000, 0), (0xC000, 1), (0x9FFF, 0), (0xE000, 0)] {
            writer.write(&mut board, addr, bit);
        }
        assert_eq!(board.cpu_peek(0x8000), Some(5));
        assert_eq!(board.cpu_peek(0xC000), Some(15));
    }

    #[test]
    fn bit_7_resets_the_shift_register_and_fixes_the_last_bank() {
        let mut board = sxrom();
        let mut writer = Writer::default();
        load(&mut board, &mut writer, 0x8000, 0x08); // PRG mode 2: fix first
        load(&mut board, &mut writer, 0xE000, 3);
        assert_eq!(board.cpu_peek(0x8000), Some(0));
        assert_eq!(board.cpu_peek(0xC000), Some(3));
        // Two stray bits, then a reset: the next five bits start afresh.
        writer.write(&mut board, 0xE000, 1);
        writer.write(&mut board, 0xE000, 1);
        writer.write(&mut board, 0x8000, 0x80);
        assert_eq!(board.control, 0x0C);
        assert_eq!(board.cpu_peek(0x8000), Some(3));
        assert_eq!(board.cpu_peek(0xC000), Some(15));
        load(&mut board, &mut writer, 0xE000, 6);
        assert_eq!(board.cpu_peek(0x8000), Some(6));
    }

    #[test]
    fn prg_modes() {
        let mut board = sxrom();
        let mut writer = Writer::default();
        load(&mut board, &mut writer, 0xE000, 5);
        // Mode 0/1: 32 KiB, low bit of the bank ignored.
        for mode in [0x00, 0x04] {
            load(&mut board, &mut writer, 0x8000, mode);
            assert_eq!(board.cpu_peek(0x8000), Some(4));
            assert_eq!(board.cpu_peek(0xC000), Some(5));
        }
        load(&mut board, &mut writer, 0x8000, 0x08);
        assert_eq!((board.cpu_peek(0x8000), board.cpu_peek(0xC000)), (Some(0), Some(5)));
        load(&mut board, &mut writer, 0x8000, 0x0C);
        assert_eq!((board.cpu_peek(0x8000), board.cpu_peek(0xC000)), (Some(5), Some(15)));
    }

    #[test]
    fn chr_8k_and_4k_modes() {
        let mut board = sxrom();
        let mut writer = Writer::default();
        load(&mut board, &mut writer, 0xA000, 7);
        load(&mut board, &mut writer, 0xC000, 20);
        // 8 KiB mode: bank 0's low bit ignored, bank 1 unused.
        assert_eq!(board.ppu_read(0x0000), 6);
        assert_eq!(board.ppu_read(0x1FFF), 7);
        load(&mut board, &mut writer, 0x8000, 0x1C);
        assert_eq!(board.ppu_read(0x0000), 7);
        assert_eq!(board.ppu_read(0x1000), 20);
        // CHR-ROM ignores writes.
        board.ppu_write(0x1000, 0xAA);
        assert_eq!(board.ppu_read(0x1000), 20);
    }

    #[test]
    fn mirroring_follows_control() {
        let mut board = sxrom();
        let mut writer = Writer::default();
        for (control, mirroring) in [
            (0x0C, Mirroring::SingleScreenLower),
            (0x0D, Mirroring::SingleScreenUpper),
            (0x0E, Mirroring::Vertical),
            (0x0F, Mirroring::Horizontal),
        ] {
            load(&mut board, &mut writer, 0x8000, control);
            assert_eq!(board.mirroring(), mirroring);
        }
        let mut four = mmc1(&TestRom::new(1, 32 * KIB, 16 * KIB, 8 * KIB, 4 * KIB).four_screen());
        load(&mut four, &mut writer, 0x8000, 0x0E);
        assert_eq!(four.mirroring(), Mirroring::FourScreen);
    }

    #[test]
    fn prg_ram_disable_bit_is_mmc1b() {
        let mut board = sxrom();
        let mut writer = Writer::default();
        writer.write(&mut board, 0x6000, 0x42);
        assert_eq!(board.cpu_peek(0x6000), Some(0x42));
        load(&mut board, &mut writer, 0xE000, 0x10);
        assert_eq!(board.cpu_peek(0x6000), None, "disabled: open bus");
        writer.write(&mut board, 0x6000, 0x99);
        load(&mut board, &mut writer, 0xE000, 0x00);
        assert_eq!(board.cpu_peek(0x6000), Some(0x42), "the disabled write was dropped");
    }

    #[test]
    fn write_on_the_next_cycle_is_ignored() {
        let mut board = sxrom();
        // INC on a ROM byte of $FF: writes $FF (reset) then $00 a cycle later.
        board.cpu_write(0x8000, 0xFF, 100);
        board.cpu_write(0x8000, 0x00, 101);
        assert_eq!(board.shift_count, 0, "the $00 after the reset is ignored");
        // A serial bit right after another serial bit is ignored too...
        board.cpu_write(0x8000, 0x01, 200);
        board.cpu_write(0x8000, 0x01, 201);
        assert_eq!(board.shift_count, 1);
        // ...but a reset on the second cycle still resets.
        board.cpu_write(0x8000, 0x01, 300);
        board.cpu_write(0x8000, 0x80, 301);
        assert_eq!(board.shift_count, 0);
        // Two cycles apart both count.
        board.cpu_write(0x8000, 0x01, 400);
        board.cpu_write(0x8000, 0x01, 402);
        assert_eq!(board.shift_count, 2);
    }

    #[test]
    fn surom_takes_prg_a18_from_chr_bank_0() {
        // 512 KiB PRG, 8 KiB CHR-RAM.
        let mut board = mmc1(&TestRom::new(1, 512 * KIB, 16 * KIB, 0, 4 * KIB));
        let mut writer = Writer::default();
        assert_eq!(board.cpu_peek(0xC000), Some(15), "first 256 KiB at power-on");
        load(&mut board, &mut writer, 0xA000, 0x10);
        load(&mut board, &mut writer, 0xE000, 2);
        assert_eq!(board.cpu_peek(0x8000), Some(18));
        assert_eq!(board.cpu_peek(0xC000), Some(31), "the fixed bank moves too");
        load(&mut board, &mut writer, 0x8000, 0x08);
        assert_eq!(board.cpu_peek(0x8000), Some(16));
        // CHR-RAM is 8 KiB, so bit 4 does not disturb CHR.
        board.ppu_write(0x0123, 0x5A);
        assert_eq!(board.ppu_read(0x0123), 0x5A);
    }

    #[test]
    fn sxrom_banks_32k_of_prg_ram() {
        let mut board = mmc1(&TestRom::new(1, 128 * KIB, 16 * KIB, 0, 4 * KIB).prg_ram(0, 9).battery());
        assert!(board.has_battery());
        let mut writer = Writer::default();
        assert_eq!(board.prg_ram().len(), 32 * KIB);
        for bank in 0..4u8 {
            load(&mut board, &mut writer, 0xA000, bank << 2);
            writer.write(&mut board, 0x6000, 0xB0 | bank);
        }
        assert_eq!(board.prg_ram()[0], 0xB0);
        assert_eq!(board.prg_ram()[3 * 8 * KIB], 0xB3);
        load(&mut board, &mut writer, 0xA000, 1 << 2);
        assert_eq!(board.cpu_peek(0x6000), Some(0xB1));
    }

    #[test]
    fn serom_ignores_the_prg_bank() {
        let mut board = mmc1(&TestRom::new(1, 32 * KIB, 16 * KIB, 8 * KIB, 4 * KIB).submapper(5));
        let mut writer = Writer::default();
        load(&mut board, &mut writer, 0x8000, 0x0C);
        load(&mut board, &mut writer, 0xE000, 1);
        assert_eq!(board.cpu_peek(0x8000), Some(0));
        assert_eq!(board.cpu_peek(0xC000), Some(1));
    }

    #[test]
    fn whole_register_range_affects_mapping() {
        let board = sxrom();
        assert!(board.write_affects_mapping(0x8000));
        assert!(board.write_affects_mapping(0xFFFF));
        assert!(!board.write_affects_mapping(0x6000));
        assert!(!board.write_affects_mapping(0x4020));
    }
}
