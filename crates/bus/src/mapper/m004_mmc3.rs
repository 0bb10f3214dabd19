//! Mapper 4, MMC3 (TxROM) and MMC6 (HKROM): 8 KiB PRG and 1/2 KiB CHR
//! banks through eight bank registers, switchable mirroring, PRG-RAM
//! protection and a scanline counter clocked by PPU A12 that raises IRQ.

use super::memory::{chr_memory, Chr, PrgRam, PrgRom, DEFAULT_CHR_RAM};
use super::Board;
use crate::cartridge::{Cartridge, CartridgeError, Mirroring, RomFormat};

const PRG_BANK: usize = 0x2000;
const CHR_BANK: usize = 0x0400;
/// MMC6's PRG-RAM is inside the chip.
const MMC6_RAM: usize = 0x400;

/// When the scanline counter raises IRQ.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
enum IrqStyle {
    /// Sharp MMC3B/C and MMC6 ("new"): whenever the counter is 0 after a
    /// clock, so a latch of 0 interrupts on every scanline.
    Sharp,
    /// NEC MMC3 (NES 2.0 submapper 4, "old"): only when a clock brings the
    /// counter to 0, by decrementing or by a $C001-requested reload.
    Nec,
}

/// How $6000-$7FFF behaves.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
enum RamControl {
    /// MMC3 obeying $A001 (NES 2.0 headers).
    Protected,
    /// iNES mapper 4: $A001 ignored and RAM always on, because MMC6 games
    /// (StarTropics) are dumped as plain mapper 4 and write MMC6 values
    /// there that would lock MMC3 RAM.
    AlwaysOn,
    /// MMC6: 1 KiB at $7000-$7FFF in two 512-byte halves, each with its own
    /// read and write enables in $A001, all gated by $8000 bit 5.
    Mmc6,
}

/// Nintendo's MMC3 (Sharp or NEC scanline counter) or MMC6.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Mmc3 {
    prg: PrgRom,
    chr: Chr,
    prg_ram: PrgRam,
    ram_control: RamControl,
    /// $8000: `CPMx xRRR`: CHR A12 inversion, PRG mode, MMC6 RAM enable,
    /// bank register for the next $8001 write.
    bank_select: u8,
    /// R0-R7.
    bank_registers: [u8; 8],
    mirroring: Mirroring,
    /// Four-screen VRAM or NES 2.0 submapper 2: $A000 has no effect.
    hardwired_mirroring: bool,
    /// $A001.
    ram_protect: u8,
    irq_latch: u8,
    irq_counter: u8,
    irq_reload: bool,
    irq_enabled: bool,
    irq_pending: bool,
    irq_style: IrqStyle,
    battery: bool,
}

impl Mmc3 {
    /// Maps the cartridge's memories with the usual power-on bank values.
    pub fn new(mut cart: Cartridge) -> Result<Mmc3, CartridgeError> {
        if cart.prg_rom.is_empty() {
            return Err(CartridgeError::NoPrgRom);
        }
        let header = &cart.header;
        let ram_control = match (header.submapper, header.format) {
            (1, _) => RamControl::Mmc6,
            (_, RomFormat::Nes2) => RamControl::Protected,
            _ => RamControl::AlwaysOn,
        };
        let irq_style = if header.submapper == 4 { IrqStyle::Nec } else { IrqStyle::Sharp };
        let hardwired_mirroring = header.mirroring == Mirroring::FourScreen || header.submapper == 2;
        let (mirroring, battery) = (header.mirroring, header.battery);

        let mut prg_ram = std::mem::take(&mut cart.prg_ram);
        if ram_control == RamControl::Mmc6 {
            prg_ram.resize(MMC6_RAM, 0);
        }
        let mut mmc3 = Mmc3 {
            prg: PrgRom::new(std::mem::take(&mut cart.prg_rom), false),
            chr: chr_memory(&mut cart, DEFAULT_CHR_RAM),
            prg_ram: PrgRam::new(prg_ram),
            ram_control,
            bank_select: 0,
            // R6 and R7 are unspecified at power-on; these put the banks
            // in order, which is what most emulators do.
            bank_registers: [0, 2, 4, 5, 6, 7, 0, 1],
            mirroring,
            hardwired_mirroring,
            // MMC3 RAM starts enabled and writable so games that never touch
            // $A001 still work; MMC6 RAM starts disabled, as $8000 bit 5 does.
            ram_protect: if ram_control == RamControl::Mmc6 { 0x00 } else { 0x80 },
            irq_latch: 0,
            irq_counter: 0,
            irq_reload: false,
            irq_enabled: false,
            irq_pending: false,
            irq_style,
            battery,
        };
        mmc3.update_banks();
        Ok(mmc3)
    }

    /// Recomputes the PRG and CHR windows from R0-R7 and $8000.
    fn update_banks(&mut self) {
        let r = self.bank_registers.map(usize::from);

        // The MMC3 has six PRG address lines: R6/R7 bits 6-7 are ignored.
        let last = self.prg.last_bank(PRG_BANK);
        let second_last = last.saturating_sub(1);
        let (at_8000, at_c000) = if self.bank_select & 0x40 == 0 {
            (r[6] & 0x3F, second_last)
        } else {
            (second_last, r[6] & 0x3F)
        };
        self.prg.map(0x8000, PRG_BANK, at_8000);
        self.prg.map(0xA000, PRG_BANK, r[7] & 0x3F);
        self.prg.map(0xC000, PRG_BANK, at_c000);
        self.prg.map(0xE000, PRG_BANK, last);

        // R0/R1 are 2 KiB banks counted in 1 KiB units (low bit ignored).
        let (two_k, one_k) = if self.bank_select & 0x80 == 0 { (0x0000, 0x1000) } else { (0x1000, 0x0000) };
        self.chr.map(two_k, 2 * CHR_BANK, r[0] >> 1);
        self.chr.map(two_k | 0x0800, 2 * CHR_BANK, r[1] >> 1);
        for (slot, register) in (2..6).enumerate() {
            self.chr.map(one_k | (slot as u16 * 0x0400), CHR_BANK, r[register]);
        }
    }

    /// $6000-$7FFF read under the board's RAM control.
    #[inline]
    fn read_prg_ram(&self, addr: u16) -> Option<u8> {
        match self.ram_control {
            RamControl::AlwaysOn => self.prg_ram.read(addr),
            RamControl::Protected if self.ram_protect & 0x80 != 0 => self.prg_ram.read(addr),
            RamControl::Protected => None,
            RamControl::Mmc6 => {
                if addr < 0x7000 || self.bank_select & 0x20 == 0 {
                    return None;
                }
                let low_readable = self.ram_protect & 0x20 != 0;
                let high_readable = self.ram_protect & 0x80 != 0;
                let readable = if addr & 0x0200 != 0 { high_readable } else { low_readable };
                match (low_readable || high_readable, readable) {
                    (false, _) => None,
                    // With only the other half enabled, this half reads 0.
                    (true, false) => Some(0),
                    (true, true) => self.prg_ram.read(addr),
                }
            }
        }
    }

    /// $6000-$7FFF write under the board's RAM control.
    #[inline]
    fn write_prg_ram(&mut self, addr: u16, value: u8) {
        let writable = match self.ram_control {
            RamControl::AlwaysOn => true,
            RamControl::Protected => self.ram_protect & 0xC0 == 0x80,
            RamControl::Mmc6 => {
                // A half takes writes only while it is readable too.
                let enables = if addr & 0x0200 != 0 { 0xC0 } else { 0x30 };
                addr >= 0x7000 && self.bank_select & 0x20 != 0 && self.ram_protect & enables == enables
            }
        };
        if writable {
            self.prg_ram.write(addr, value);
        }
    }

    /// $8000-$FFFF: four register pairs, even and odd addresses.
    fn write_register(&mut self, addr: u16, value: u8) {
        match addr & 0xE001 {
            0x8000 => {
                self.bank_select = value;
                // While MMC6 RAM is disabled the chip holds $A001 at 0.
                if self.ram_control == RamControl::Mmc6 && value & 0x20 == 0 {
                    self.ram_protect = 0;
                }
                self.update_banks();
            }
            0x8001 => {
                self.bank_registers[usize::from(self.bank_select & 0x07)] = value;
                self.update_banks();
            }
            0xA000 => {
                if !self.hardwired_mirroring {
                    self.mirroring =
                        if value & 0x01 == 0 { Mirroring::Vertical } else { Mirroring::Horizontal };
                }
            }
            0xA001 => {
                let mmc6_disabled = self.ram_control == RamControl::Mmc6 && self.bank_select & 0x20 == 0;
                if !mmc6_disabled {
                    self.ram_protect = value;
                }
            }
            0xC000 => self.irq_latch = value,
            0xC001 => {
                self.irq_counter = 0;
                self.irq_reload = true;
            }
            0xE000 => {
                self.irq_enabled = false;
                self.irq_pending = false;
            }
            _ => self.irq_enabled = true,
        }
    }
}

impl Board for Mmc3 {
    #[inline]
    fn cpu_peek(&self, addr: u16) -> Option<u8> {
        match addr {
            0x8000..=0xFFFF => Some(self.prg.read(addr)),
            0x6000..=0x7FFF => self.read_prg_ram(addr),
            _ => None,
        }
    }

    #[inline]
    fn cpu_write(&mut self, addr: u16, value: u8, _cycle: u64) {
        match addr {
            0x8000..=0xFFFF => self.write_register(addr, value),
            0x6000..=0x7FFF => self.write_prg_ram(addr, value),
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
        self.mirroring
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

    #[inline]
    fn irq_line(&self) -> bool {
        self.irq_pending
    }

    fn irq_armed(&self) -> bool {
        self.irq_enabled
    }

    fn clock_scanline_irq(&mut self) {
        let counter_before = self.irq_counter;
        let reload_requested = self.irq_reload;
        if self.irq_counter == 0 || self.irq_reload {
            self.irq_counter = self.irq_latch;
            self.irq_reload = false;
        } else {
            self.irq_counter -= 1;
        }
        let fires = self.irq_counter == 0
            && match self.irq_style {
                IrqStyle::Sharp => true,
                IrqStyle::Nec => counter_before != 0 || reload_requested,
            };
        if fires && self.irq_enabled {
            self.irq_pending = true;
        }
    }

    /// Banks, mirroring, RAM protection and IRQ registers all live at
    /// $8000-$FFFF.
    fn write_affects_mapping(&self, addr: u16) -> bool {
        addr >= 0x8000
    }

    /// MMC6's RAM halves are left to the slow path.
    fn plain_page(&mut self, page: u8) -> super::PlainPage {
        let (readable, writable) = match self.ram_control {
            RamControl::AlwaysOn => (true, true),
            RamControl::Protected => (self.ram_protect & 0x80 != 0, self.ram_protect & 0xC0 == 0x80),
            RamControl::Mmc6 => (false, false),
        };
        match page {
            0x80..=0xFF => self.prg.plain_page(page),
            0x60..=0x7F if readable => self.prg_ram.plain_page(page, true, writable),
            _ => super::PlainPage::NONE,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_rom::{TestRom, KIB};
    use super::*;

    /// 512 KiB PRG in 8 KiB banks, 256 KiB CHR in 1 KiB banks.
    fn rom() -> TestRom {
        TestRom::new(4, 512 * KIB, 8 * KIB, 256 * KIB, KIB)
    }

    fn mmc3(rom: &TestRom) -> Mmc3 {
        Mmc3::new(rom.cart()).expect("valid MMC3 image")
    }

    fn set_bank(board: &mut Mmc3, select: u8, register: u8, value: u8) {
        board.cpu_write(0x8000, select | register, 1);
        board.cpu_write(0x8001, value, 2);
    }

    fn prg_windows(board: &Mmc3) -> [Option<u8>; 4] {
        [0x8000, 0xA000, 0xC000, 0xE000].map(|addr| board.cpu_peek(addr))
    }

    fn chr_windows(board: &mut Mmc3) -> [u8; 8] {
        core::array::from_fn(|i| board.ppu_read(i as u16 * 0x400))
    }

    #[test]
    fn prg_banks_in_both_modes() {
        let mut board = mmc3(&rom());
        assert_eq!(prg_windows(&board), [Some(0), Some(1), Some(62), Some(63)]);
        set_bank(&mut board, 0x00, 6, 10);
        set_bank(&mut board, 0x00, 7, 0xC5); // bits 6-7 ignored
        assert_eq!(prg_windows(&board), [Some(10), Some(5), Some(62), Some(63)]);
        board.cpu_write(0x8000, 0x40, 3);
        assert_eq!(prg_windows(&board), [Some(62), Some(5), Some(10), Some(63)]);
        // Bank numbers wrap at the ROM size.
        let mut small = mmc3(&TestRom::new(4, 128 * KIB, 8 * KIB, 8 * KIB, KIB));
        set_bank(&mut small, 0x00, 6, 20);
        assert_eq!(prg_windows(&small), [Some(4), Some(1), Some(14), Some(15)]);
    }

    #[test]
    fn chr_banks_with_and_without_a12_inversion() {
        let mut board = mmc3(&rom());
        for (register, value) in [(0, 9), (1, 0x20), (2, 100), (3, 101), (4, 200), (5, 255)] {
            set_bank(&mut board, 0x00, register, value);
        }
        assert_eq!(chr_windows(&mut board), [8, 9, 0x20, 0x21, 100, 101, 200, 255]);
        board.cpu_write(0x8000, 0x80, 3);
        assert_eq!(chr_windows(&mut board), [100, 101, 200, 255, 8, 9, 0x20, 0x21]);
    }

    #[test]
    fn mirroring_register_unless_hardwired() {
        let mut board = mmc3(&rom());
        board.cpu_write(0xA000, 0, 1);
        assert_eq!(board.mirroring(), Mirroring::Vertical);
        board.cpu_write(0xBFFE, 1, 2);
        assert_eq!(board.mirroring(), Mirroring::Horizontal);

        let mut four = mmc3(&rom().four_screen());
        four.cpu_write(0xA000, 0, 1);
        assert_eq!(four.mirroring(), Mirroring::FourScreen);
        let mut wired = mmc3(&rom().vertical().submapper(2));
        wired.cpu_write(0xA000, 1, 1);
        assert_eq!(wired.mirroring(), Mirroring::Vertical);
    }

    #[test]
    fn prg_ram_protect_on_nes2_headers() {
        let mut board = mmc3(&rom());
        board.cpu_write(0x6000, 0x11, 1);
        assert_eq!(board.cpu_peek(0x6000), Some(0x11));
        board.cpu_write(0xA001, 0xC0, 2); // enabled, write-protected
        board.cpu_write(0x6000, 0x22, 3);
        assert_eq!(board.cpu_peek(0x6000), Some(0x11));
        board.cpu_write(0xA001, 0x00, 4); // disabled
        assert_eq!(board.cpu_peek(0x7FFF), None);
        board.cpu_write(0x6000, 0x33, 5);
        board.cpu_write(0xA001, 0x80, 6);
        assert_eq!(board.cpu_peek(0x6000), Some(0x11));
    }

    #[test]
    fn ines_mapper_4_ignores_prg_ram_protect() {
        let mut board = mmc3(&rom().ines());
        board.cpu_write(0xA001, 0x00, 1);
        board.cpu_write(0x6000, 0x44, 2);
        assert_eq!(board.cpu_peek(0x6000), Some(0x44));
    }

    /// Clocks the counter `n` times and collects the IRQ line after each.
    fn clocks(board: &mut Mmc3, n: usize) -> Vec<bool> {
        (0..n)
            .map(|_| {
                board.clock_scanline_irq();
                board.irq_line()
            })
            .collect()
    }

    #[test]
    fn irq_after_latch_plus_one_clocks() {
        let mut board = mmc3(&rom());
        board.cpu_write(0xC000, 2, 1);
        board.cpu_write(0xC001, 0, 2);
        board.cpu_write(0xE001, 0, 3);
        // Reload to 2, then 1, then 0: IRQ.
        assert_eq!(clocks(&mut board, 3), [false, false, true]);
        assert_eq!(clocks(&mut board, 1), [true], "stays asserted until acknowledged");
        board.cpu_write(0xE000, 0, 4);
        assert!(!board.irq_line());
        // Disabled, the counter runs on (2 → 1 → 0 → 2) but raises nothing.
        assert_eq!(clocks(&mut board, 3), [false, false, false]);
        board.cpu_write(0xE001, 0, 5);
        assert_eq!(clocks(&mut board, 2), [false, true]);
    }

    #[test]
    fn latch_0_sharp_interrupts_every_clock_nec_once() {
        let mut sharp = mmc3(&rom());
        let mut nec = mmc3(&rom().submapper(4));
        for board in [&mut sharp, &mut nec] {
            board.cpu_write(0xC000, 0, 1);
            board.cpu_write(0xC001, 0, 2);
            board.cpu_write(0xE001, 0, 3);
        }
        let mut sharp_irqs = Vec::new();
        let mut nec_irqs = Vec::new();
        for _ in 0..4 {
            sharp_irqs.extend(clocks(&mut sharp, 1));
            nec_irqs.extend(clocks(&mut nec, 1));
            sharp.cpu_write(0xE000, 0, 4);
            sharp.cpu_write(0xE001, 0, 5);
            nec.cpu_write(0xE000, 0, 4);
            nec.cpu_write(0xE001, 0, 5);
        }
        assert_eq!(sharp_irqs, [true; 4]);
        assert_eq!(nec_irqs, [true, false, false, false]);
        // Another $C001 with the latch still 0 gives NEC one more IRQ.
        nec.cpu_write(0xC001, 0, 6);
        assert_eq!(clocks(&mut nec, 1), [true]);
    }

    #[test]
    fn nec_counts_down_like_sharp_for_nonzero_latches() {
        let mut board = mmc3(&rom().submapper(4));
        board.cpu_write(0xC000, 1, 1);
        board.cpu_write(0xC001, 0, 2);
        board.cpu_write(0xE001, 0, 3);
        assert_eq!(clocks(&mut board, 2), [false, true]);
        board.cpu_write(0xE000, 0, 4);
        board.cpu_write(0xE001, 0, 5);
        assert_eq!(clocks(&mut board, 2), [false, true], "reloads from 0 and counts again");
    }

    #[test]
    fn mmc6_ram_halves() {
        let mut board = mmc3(&TestRom::new(4, 512 * KIB, 8 * KIB, 256 * KIB, KIB).submapper(1).prg_ram(0, 4));
        assert_eq!(board.prg_ram().len(), 1024);
        // Disabled by $8000 bit 5 at power-on; $A001 writes are ignored.
        board.cpu_write(0xA001, 0xF0, 1);
        assert_eq!(board.cpu_peek(0x7000), None);
        board.cpu_write(0x8000, 0x20, 2);
        assert_eq!(board.cpu_peek(0x7000), None, "$A001 stayed 0");
        // Both halves readable and writable.
        board.cpu_write(0xA001, 0xF0, 3);
        board.cpu_write(0x7000, 0x12, 4);
        board.cpu_write(0x7200, 0x34, 5);
        assert_eq!((board.cpu_peek(0x7000), board.cpu_peek(0x7200)), (Some(0x12), Some(0x34)));
        // 1 KiB repeats through $7000-$7FFF; $6000-$6FFF is open bus.
        assert_eq!((board.cpu_peek(0x7C00), board.cpu_peek(0x7E00)), (Some(0x12), Some(0x34)));
        assert_eq!(board.cpu_peek(0x6000), None);
        // Only the low half readable: the high half reads 0 and takes no writes.
        board.cpu_write(0xA001, 0x30, 6);
        assert_eq!((board.cpu_peek(0x7000), board.cpu_peek(0x7200)), (Some(0x12), Some(0)));
        board.cpu_write(0x7200, 0x99, 7);
        // Low half readable but not writable.
        board.cpu_write(0xA001, 0xA0, 8);
        board.cpu_write(0x7000, 0x99, 9);
        assert_eq!((board.cpu_peek(0x7000), board.cpu_peek(0x7200)), (Some(0x12), Some(0x34)));
        // Clearing $8000 bit 5 clears $A001.
        board.cpu_write(0x8000, 0x00, 10);
        board.cpu_write(0x8000, 0x20, 11);
        assert_eq!(board.cpu_peek(0x7000), None);
    }

    #[test]
    fn chr_ram_is_writable_and_registers_affect_mapping() {
        let mut board = mmc3(&TestRom::new(4, 64 * KIB, 8 * KIB, 0, KIB));
        board.ppu_write(0x1C00, 0xAB);
        assert_eq!(board.ppu_read(0x1C00), 0xAB);
        assert!(board.write_affects_mapping(0xE001) && !board.write_affects_mapping(0x7000));
    }
}
