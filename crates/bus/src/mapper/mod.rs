//! Cartridge boards: how PRG and CHR memory appear to the CPU and PPU.
//!
//! One file per board, named by iNES number and board (`m000_nrom.rs`), and
//! an enum over them so the hot path is a `match`, never a virtual call.
//! Every board implements [`Board`]; [`Mapper`] forwards to it.

mod discrete;
mod m000_nrom;
mod m001_mmc1;
mod m002_uxrom;
mod m003_cnrom;
mod m004_mmc3;
mod m007_axrom;
mod m011_color_dreams;
mod m028_action53;
mod m034_bnrom_nina001;
mod m066_gxrom;
mod memory;
#[cfg(test)]
pub(crate) mod test_rom;
#[cfg(test)]
mod tests;

pub use m000_nrom::Nrom;
pub use m001_mmc1::Mmc1;
pub use m002_uxrom::Uxrom;
pub use m003_cnrom::Cnrom;
pub use m004_mmc3::Mmc3;
pub use m007_axrom::Axrom;
pub use m011_color_dreams::ColorDreams;
pub use m028_action53::Action53;
pub use m034_bnrom_nina001::{Bnrom, Nina001};
pub use m066_gxrom::Gxrom;

use crate::cartridge::{Cartridge, CartridgeError, Mirroring};

/// What a cartridge board does on the CPU and PPU buses. [`Mapper`] calls
/// these through a `match`, so every call is static.
pub trait Board {
    /// CPU read of $4020-$FFFF; `None` where the board drives nothing (open
    /// bus).
    #[inline]
    fn cpu_read(&mut self, addr: u16) -> Option<u8> {
        self.cpu_peek(addr)
    }

    /// What [`Board::cpu_read`] would return, without side effects.
    fn cpu_peek(&self, addr: u16) -> Option<u8>;

    /// CPU write to $4020-$FFFF during CPU cycle `cycle` (the bus's count
    /// after the access): PRG-RAM or board registers.
    fn cpu_write(&mut self, addr: u16, value: u8, cycle: u64);

    /// PPU read of the pattern tables, $0000-$1FFF.
    fn ppu_read(&mut self, addr: u16) -> u8;

    /// PPU write to the pattern tables, $0000-$1FFF; lands only in CHR-RAM.
    fn ppu_write(&mut self, addr: u16, value: u8);

    /// Current nametable arrangement.
    fn mirroring(&self) -> Mirroring;

    /// All PRG-RAM (volatile and battery-backed), e.g. for save files.
    fn prg_ram(&self) -> &[u8];

    /// All PRG-RAM, writable (e.g. to restore a save file).
    fn prg_ram_mut(&mut self) -> &mut [u8];

    /// The header says some memory is battery-backed.
    fn has_battery(&self) -> bool;

    /// Takes the ROM contents of `running` (the same board, running the
    /// same cartridge) into this board restored from a save state, which
    /// leaves ROM out; false if their memory sizes differ.
    fn adopt_rom(&mut self, running: &mut Self) -> bool
    where
        Self: Sized;

    /// The board's IRQ output (true = asserted).
    #[inline]
    fn irq_line(&self) -> bool {
        false
    }

    /// One filtered rising edge of PPU A12 (the MMC3 scanline counter's
    /// clock); boards without such a counter ignore it.
    #[inline]
    fn clock_scanline_irq(&mut self) {}

    /// Whether a scanline clock could raise the IRQ now (the bus then wakes
    /// the CPU's interrupt sampling once per scanline).
    #[inline]
    fn irq_armed(&self) -> bool {
        false
    }

    /// Whether a CPU write to `addr` can change the memory mapping, the
    /// mirroring or the IRQ state (generated code ends a block after one).
    fn write_affects_mapping(&self, addr: u16) -> bool;

    /// How CPU page `page` ($40-$FF) is mapped right now, for compiled code:
    /// plain memory it may read or write directly, or nothing (every access
    /// goes through [`Board::cpu_read`]/[`Board::cpu_write`]). Valid until
    /// the next write for which [`Board::write_affects_mapping`] is true.
    #[inline]
    fn plain_page(&mut self, _page: u8) -> PlainPage {
        PlainPage::NONE
    }
}

/// Where code and data bytes come from: a physical address in one space,
/// so the same bytes seen through different windows or mirrors have one
/// key. Sources below [`SOURCE_PRG_ROM`] are writable.
pub mod source {
    /// Console RAM: `0..0x800`.
    pub const RAM: u32 = 0;
    /// PRG-RAM offset `n` is `PRG_RAM + n`.
    pub const PRG_RAM: u32 = 0x0010_0000;
    /// PRG-ROM offset `n` is `PRG_ROM + n`.
    pub const PRG_ROM: u32 = 0x1000_0000;
}

/// A 256-byte CPU page as plain memory: host addresses of its first byte
/// for reads and writes (null where accesses have effects or go nowhere),
/// and the source key of its first byte.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PlainPage {
    /// Reads are plain loads from here (null: not plain).
    pub read: *const u8,
    /// Writes are plain stores to here (null: not plain).
    pub write: *mut u8,
    /// Source key of the page's first byte (see [`source`]); meaningful
    /// only when `read` is not null.
    pub source: u32,
}

impl PlainPage {
    /// Nothing plain: every access has to go through the bus.
    pub const NONE: PlainPage = PlainPage { read: std::ptr::null(), write: std::ptr::null_mut(), source: 0 };

    /// Read-only memory.
    pub fn rom(bytes: &[u8], source: u32) -> PlainPage {
        debug_assert!(bytes.len() >= 0x100);
        PlainPage { read: bytes.as_ptr(), write: std::ptr::null_mut(), source }
    }

    /// RAM, readable and/or writable.
    pub fn ram(bytes: &mut [u8], source: u32, readable: bool, writable: bool) -> PlainPage {
        debug_assert!(bytes.len() >= 0x100);
        let ptr = bytes.as_mut_ptr();
        PlainPage {
            read: if readable { ptr } else { std::ptr::null() },
            write: if writable { ptr } else { std::ptr::null_mut() },
            source,
        }
    }
}

/// A cartridge board with its memories and registers. Serializable for
/// save states without its ROM, which [`Mapper::adopt_rom`] puts back.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub enum Mapper {
    /// Mapper 0.
    Nrom(Nrom),
    /// Mapper 1.
    Mmc1(Mmc1),
    /// Mapper 2.
    Uxrom(Uxrom),
    /// Mapper 3.
    Cnrom(Cnrom),
    /// Mapper 4 (MMC3 and MMC6).
    Mmc3(Mmc3),
    /// Mapper 7.
    Axrom(Axrom),
    /// Mapper 11.
    ColorDreams(ColorDreams),
    /// Mapper 28.
    Action53(Action53),
    /// Mapper 34, BNROM wiring.
    Bnrom(Bnrom),
    /// Mapper 34, NINA-001 wiring.
    Nina001(Nina001),
    /// Mapper 66.
    Gxrom(Gxrom),
}

/// Runs `$body` with `$board` bound to the board inside `$mapper`: the one
/// place that lists every variant.
macro_rules! with_board {
    ($mapper:expr, $board:ident => $body:expr) => {
        match $mapper {
            Mapper::Nrom($board) => $body,
            Mapper::Mmc1($board) => $body,
            Mapper::Uxrom($board) => $body,
            Mapper::Cnrom($board) => $body,
            Mapper::Mmc3($board) => $body,
            Mapper::Axrom($board) => $body,
            Mapper::ColorDreams($board) => $body,
            Mapper::Action53($board) => $body,
            Mapper::Bnrom($board) => $body,
            Mapper::Nina001($board) => $body,
            Mapper::Gxrom($board) => $body,
        }
    };
}

impl Mapper {
    /// Builds the board the cartridge's header names; boards outside
    /// [`is_supported`] are an error.
    pub fn new(cart: Cartridge) -> Result<Mapper, CartridgeError> {
        let (mapper, submapper) = (cart.header.mapper, cart.header.submapper);
        if !is_supported(mapper, submapper) {
            return Err(CartridgeError::UnsupportedMapper { mapper, submapper });
        }
        Ok(match mapper {
            0 => Mapper::Nrom(Nrom::new(cart)?),
            1 => Mapper::Mmc1(Mmc1::new(cart)?),
            2 => Mapper::Uxrom(Uxrom::new(cart)?),
            3 => Mapper::Cnrom(Cnrom::new(cart)?),
            4 => Mapper::Mmc3(Mmc3::new(cart)?),
            7 => Mapper::Axrom(Axrom::new(cart)?),
            11 => Mapper::ColorDreams(ColorDreams::new(cart)?),
            28 => Mapper::Action53(Action53::new(cart)?),
            34 if m034_bnrom_nina001::is_nina001(&cart) => Mapper::Nina001(Nina001::new(cart)?),
            34 => Mapper::Bnrom(Bnrom::new(cart)?),
            66 => Mapper::Gxrom(Gxrom::new(cart)?),
            _ => return Err(CartridgeError::UnsupportedMapper { mapper, submapper }),
        })
    }

    /// CPU read of $4020-$FFFF; `None` when nothing drives the bus (open bus).
    #[inline]
    pub fn cpu_read(&mut self, addr: u16) -> Option<u8> {
        with_board!(self, board => board.cpu_read(addr))
    }

    /// What [`Mapper::cpu_read`] would return, without side effects.
    #[inline]
    pub fn cpu_peek(&self, addr: u16) -> Option<u8> {
        with_board!(self, board => board.cpu_peek(addr))
    }

    /// CPU write to $4020-$FFFF (PRG-RAM or board registers) during CPU
    /// cycle `cycle`; MMC1 uses it to ignore the second of two writes on
    /// consecutive cycles.
    #[inline]
    pub fn cpu_write(&mut self, addr: u16, value: u8, cycle: u64) {
        with_board!(self, board => board.cpu_write(addr, value, cycle))
    }

    /// PPU read of pattern memory, $0000-$1FFF.
    #[inline]
    pub fn ppu_read(&mut self, addr: u16) -> u8 {
        with_board!(self, board => board.ppu_read(addr))
    }

    /// PPU write to pattern memory, $0000-$1FFF; lands only in CHR-RAM.
    #[inline]
    pub fn ppu_write(&mut self, addr: u16, value: u8) {
        with_board!(self, board => board.ppu_write(addr, value))
    }

    /// Current nametable arrangement (boards with four-screen VRAM always
    /// report four-screen).
    #[inline]
    pub fn mirroring(&self) -> Mirroring {
        with_board!(self, board => board.mirroring())
    }

    /// The board's IRQ output (true = asserted); only MMC3 has one.
    #[inline]
    pub fn irq_line(&self) -> bool {
        with_board!(self, board => board.irq_line())
    }

    /// Called on each filtered rising edge of PPU A12: clocks MMC3's
    /// scanline counter, does nothing on other boards.
    #[inline]
    pub fn clock_scanline_irq(&mut self) {
        with_board!(self, board => board.clock_scanline_irq())
    }

    /// Whether a scanline clock could raise the IRQ now.
    #[inline]
    pub fn irq_armed(&self) -> bool {
        with_board!(self, board => board.irq_armed())
    }

    /// Whether a CPU write to `addr` can change the memory mapping, the
    /// mirroring or the IRQ state: the board's register range.
    #[inline]
    pub fn write_affects_mapping(&self, addr: u16) -> bool {
        with_board!(self, board => board.write_affects_mapping(addr))
    }

    /// How CPU page `page` ($40-$FF) is mapped now, for compiled code.
    #[inline]
    pub fn plain_page(&mut self, page: u8) -> PlainPage {
        with_board!(self, board => board.plain_page(page))
    }

    /// All PRG-RAM (volatile and battery-backed), e.g. for save files.
    pub fn prg_ram(&self) -> &[u8] {
        with_board!(self, board => board.prg_ram())
    }

    /// All PRG-RAM, writable (e.g. to restore a save file).
    pub fn prg_ram_mut(&mut self) -> &mut [u8] {
        with_board!(self, board => board.prg_ram_mut())
    }

    /// The header says some memory is battery-backed (worth a save file).
    pub fn has_battery(&self) -> bool {
        with_board!(self, board => board.has_battery())
    }

    /// Completes a board restored from a save state with the ROM of the
    /// board running now (which is left without it). False if they are not
    /// the same kind of board with the same memory sizes.
    pub fn adopt_rom(&mut self, running: &mut Mapper) -> bool {
        match (self, running) {
            (Mapper::Nrom(a), Mapper::Nrom(b)) => a.adopt_rom(b),
            (Mapper::Mmc1(a), Mapper::Mmc1(b)) => a.adopt_rom(b),
            (Mapper::Uxrom(a), Mapper::Uxrom(b)) => a.adopt_rom(b),
            (Mapper::Cnrom(a), Mapper::Cnrom(b)) => a.adopt_rom(b),
            (Mapper::Mmc3(a), Mapper::Mmc3(b)) => a.adopt_rom(b),
            (Mapper::Axrom(a), Mapper::Axrom(b)) => a.adopt_rom(b),
            (Mapper::ColorDreams(a), Mapper::ColorDreams(b)) => a.adopt_rom(b),
            (Mapper::Action53(a), Mapper::Action53(b)) => a.adopt_rom(b),
            (Mapper::Bnrom(a), Mapper::Bnrom(b)) => a.adopt_rom(b),
            (Mapper::Nina001(a), Mapper::Nina001(b)) => a.adopt_rom(b),
            (Mapper::Gxrom(a), Mapper::Gxrom(b)) => a.adopt_rom(b),
            _ => false,
        }
    }
}

/// Whether [`Mapper::new`] can build this board: the one list of supported
/// mapper/submapper pairs.
pub fn is_supported(mapper: u16, submapper: u8) -> bool {
    match mapper {
        0 => true,
        // 1, 2, 4: deprecated SUROM/SOROM/SXROM numbers, told apart by
        // memory sizes like submapper 0; 5: SEROM/SHROM fixed 32 KiB PRG.
        1 => matches!(submapper, 0 | 1 | 2 | 4 | 5),
        // 0 unspecified, 1 no bus conflicts, 2 AND-type bus conflicts.
        2 | 3 | 7 => submapper <= 2,
        // 0 Sharp MMC3, 1 MMC6, 2 hard-wired mirroring, 4 NEC MMC3 IRQ.
        // Not 3 (MC-ACC counts falling A12 edges through a prescaler) nor
        // 5 (T9552 address scrambling).
        4 => matches!(submapper, 0 | 1 | 2 | 4),
        // 0 decided by CHR size, 1 NINA-001, 2 BNROM.
        34 => submapper <= 2,
        11 | 28 | 66 => submapper == 0,
        _ => false,
    }
}

/// Conventional name of the board behind a mapper number, if it is one we
/// know by name.
pub fn board_name(mapper: u16) -> Option<&'static str> {
    Some(match mapper {
        0 => "NROM",
        1 => "MMC1 (SxROM)",
        2 => "UxROM",
        3 => "CNROM",
        4 => "MMC3 (TxROM)",
        7 => "AxROM",
        11 => "Color Dreams",
        28 => "Action 53",
        34 => "BNROM/NINA-001",
        66 => "GxROM",
        _ => return None,
    })
}
