//! The 16-byte iNES / NES 2.0 header and what it says about the board.

use std::fmt;

use super::CartridgeError;
use crate::mapper;

/// The four bytes every iNES and NES 2.0 file starts with.
pub const MAGIC: [u8; 4] = *b"NES\x1A";
/// Length of the header in bytes.
pub const HEADER_LEN: usize = 16;
/// Length of the optional trainer in bytes.
pub const TRAINER_LEN: usize = 512;

const KIB: usize = 1024;

/// Which revision of the header format a file uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RomFormat {
    /// Original iNES with garbage in bytes 7-15 (e.g. "DiskDude!"): only
    /// bytes 4-6 are trusted.
    ArchaicINes,
    /// iNES: 8-bit mapper number, bytes 8-9 loosely defined.
    INes,
    /// NES 2.0: 12-bit mapper, submapper, exact RAM sizes, timing.
    Nes2,
}

/// Nametable arrangement: hard-wired as the header declares it, or as a
/// board's register currently selects it (headers only give the first three).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Mirroring {
    /// $2000=$2400 and $2800=$2C00 (vertical arrangement, for vertical scrolling).
    Horizontal,
    /// $2000=$2800 and $2400=$2C00 (horizontal arrangement).
    Vertical,
    /// Four separate nametables, with extra VRAM on the cartridge.
    FourScreen,
    /// All four nametables are the first KiB of console VRAM (CIRAM A10 low).
    SingleScreenLower,
    /// All four nametables are the second KiB of console VRAM (CIRAM A10 high).
    SingleScreenUpper,
}

/// CPU/PPU timing the game expects.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Region {
    /// RP2C02, 60 Hz.
    Ntsc,
    /// RP2C07, 50 Hz.
    Pal,
    /// Works on either.
    Multi,
    /// UA6538 (Dendy famiclone): PAL frame rate, NTSC-like CPU timing.
    Dendy,
}

/// The machine the cartridge was made for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Console {
    /// A plain NES or Famicom (or Dendy).
    Nes,
    /// Nintendo Vs. System arcade board.
    VsSystem,
    /// Nintendo PlayChoice-10 arcade board.
    PlayChoice10,
    /// NES 2.0 extended console type (byte 13, low nibble).
    Extended(u8),
}

/// Everything the header of a ROM file declares, with sizes in bytes.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Header {
    /// Header revision.
    pub format: RomFormat,
    /// Mapper (board) number.
    pub mapper: u16,
    /// NES 2.0 submapper; 0 for iNES.
    pub submapper: u8,
    /// PRG-ROM bytes.
    pub prg_rom_size: usize,
    /// CHR-ROM bytes; 0 means the board uses CHR-RAM.
    pub chr_rom_size: usize,
    /// Volatile CHR-RAM bytes (iNES: 8 KiB when there is no CHR-ROM).
    pub chr_ram_size: usize,
    /// Battery-backed CHR-RAM bytes (NES 2.0 only).
    pub chr_nvram_size: usize,
    /// Volatile PRG-RAM bytes.
    pub prg_ram_size: usize,
    /// Battery-backed PRG-RAM bytes.
    pub prg_nvram_size: usize,
    /// The cartridge keeps some memory powered by a battery.
    pub battery: bool,
    /// A 512-byte trainer sits between the header and PRG-ROM.
    pub trainer: bool,
    /// Nametable arrangement (four-screen when `alternative_nametables`).
    pub mirroring: Mirroring,
    /// Raw byte 6 bit 3: four-screen VRAM on most boards, a board-specific
    /// layout on a few (which is why it is kept apart from `mirroring`).
    pub alternative_nametables: bool,
    /// Timing the game expects.
    pub region: Region,
    /// Target machine.
    pub console: Console,
    /// NES 2.0 count of miscellaneous ROMs after CHR-ROM.
    pub misc_roms: u8,
    /// Bytes in the file after the declared contents (PlayChoice data,
    /// misc ROMs, or junk): accepted, reported by `dynes info`.
    pub extra_bytes: usize,
}

impl Header {
    /// Parses and checks the header of a whole ROM file image: `bytes` must
    /// be the entire file, since the declared sizes are checked against it.
    pub fn parse(bytes: &[u8]) -> Result<Header, CartridgeError> {
        if bytes.is_empty() {
            return Err(CartridgeError::Empty);
        }
        let Some(raw) = bytes.first_chunk::<HEADER_LEN>() else {
            return Err(CartridgeError::Truncated { len: bytes.len() });
        };
        if raw[..4] != MAGIC {
            let mut found = [0; 4];
            found.copy_from_slice(&raw[..4]);
            return Err(CartridgeError::BadMagic { found });
        }

        let format = detect_format(raw);
        let flags6 = raw[6];
        let flags7 = raw[7];
        let battery = flags6 & 0x02 != 0;
        let trainer = flags6 & 0x04 != 0;
        let alternative_nametables = flags6 & 0x08 != 0;
        let mirroring = if alternative_nametables {
            Mirroring::FourScreen
        } else if flags6 & 0x01 != 0 {
            Mirroring::Vertical
        } else {
            Mirroring::Horizontal
        };
        let mapper_low = u16::from(flags6 >> 4);

        let prg_rom: u128;
        let chr_rom: u128;
        let mut header = Header {
            format,
            mapper: mapper_low,
            submapper: 0,
            prg_rom_size: 0,
            chr_rom_size: 0,
            chr_ram_size: 0,
            chr_nvram_size: 0,
            prg_ram_size: 0,
            prg_nvram_size: 0,
            battery,
            trainer,
            mirroring,
            alternative_nametables,
            region: Region::Ntsc,
            console: Console::Nes,
            misc_roms: 0,
            extra_bytes: 0,
        };

        match format {
            RomFormat::Nes2 => {
                header.mapper = mapper_low | u16::from(flags7 & 0xF0) | (u16::from(raw[8] & 0x0F) << 8);
                header.submapper = raw[8] >> 4;
                prg_rom = nes2_rom_size(raw[4], raw[9] & 0x0F, 16 * KIB);
                chr_rom = nes2_rom_size(raw[5], raw[9] >> 4, 8 * KIB);
                header.prg_ram_size = shift_size(raw[10] & 0x0F);
                header.prg_nvram_size = shift_size(raw[10] >> 4);
                header.chr_ram_size = shift_size(raw[11] & 0x0F);
                header.chr_nvram_size = shift_size(raw[11] >> 4);
                header.region = match raw[12] & 0x03 {
                    0 => Region::Ntsc,
                    1 => Region::Pal,
                    2 => Region::Multi,
                    _ => Region::Dendy,
                };
                header.console = match flags7 & 0x03 {
                    0 => Console::Nes,
                    1 => Console::VsSystem,
                    2 => Console::PlayChoice10,
                    _ => Console::Extended(raw[13] & 0x0F),
                };
                header.misc_roms = raw[14] & 0x03;
            }
            RomFormat::INes | RomFormat::ArchaicINes => {
                prg_rom = u128::from(raw[4]) * (16 * KIB) as u128;
                chr_rom = u128::from(raw[5]) * (8 * KIB) as u128;
                let archaic = format == RomFormat::ArchaicINes;
                // Byte 8 predates NES 2.0 and is rarely set: 0 has to mean
                // 8 KiB, because games and test ROMs use $6000 regardless.
                let prg_ram_banks = if archaic { 0 } else { usize::from(raw[8]) };
                let prg_ram = prg_ram_banks.max(1) * 8 * KIB;
                if battery {
                    header.prg_nvram_size = prg_ram;
                } else {
                    header.prg_ram_size = prg_ram;
                }
                if chr_rom == 0 {
                    header.chr_ram_size = 8 * KIB;
                }
                if !archaic {
                    header.mapper |= u16::from(flags7 & 0xF0);
                    header.region = if raw[9] & 0x01 != 0 { Region::Pal } else { Region::Ntsc };
                    header.console = if flags7 & 0x01 != 0 {
                        Console::VsSystem
                    } else if flags7 & 0x02 != 0 {
                        Console::PlayChoice10
                    } else {
                        Console::Nes
                    };
                }
            }
        }

        if prg_rom == 0 {
            return Err(CartridgeError::NoPrgRom);
        }
        let trainer_len = if trainer { TRAINER_LEN } else { 0 };
        let declared = (HEADER_LEN + trainer_len) as u128 + prg_rom + chr_rom;
        if declared > bytes.len() as u128 {
            return Err(CartridgeError::SizeMismatch {
                file_len: bytes.len(),
                declared,
                trainer: trainer_len,
                prg_rom,
                chr_rom,
            });
        }
        // All three fit in usize now: their sum is at most the file length.
        header.prg_rom_size = prg_rom as usize;
        header.chr_rom_size = chr_rom as usize;
        header.extra_bytes = bytes.len() - declared as usize;
        Ok(header)
    }

    /// Offset of PRG-ROM in the file (after the header and any trainer).
    pub fn prg_rom_offset(&self) -> usize {
        HEADER_LEN + if self.trainer { TRAINER_LEN } else { 0 }
    }

    /// Offset of CHR-ROM in the file.
    pub fn chr_rom_offset(&self) -> usize {
        self.prg_rom_offset() + self.prg_rom_size
    }

    /// Conventional board name for the mapper number, or "unknown".
    pub fn board_name(&self) -> &'static str {
        mapper::board_name(self.mapper).unwrap_or("unknown")
    }

    /// Whether this emulator has the board.
    pub fn mapper_supported(&self) -> bool {
        mapper::is_supported(self.mapper, self.submapper)
    }

    /// Labelled lines for `dynes info`, in display order.
    pub fn describe(&self) -> Vec<(&'static str, String)> {
        let yes_no = |b: bool| if b { "yes" } else { "no" }.to_string();
        vec![
            ("format", self.format.to_string()),
            ("mapper", format!("{} ({})", self.mapper, self.board_name())),
            ("submapper", self.submapper.to_string()),
            ("PRG-ROM", format_size(self.prg_rom_size)),
            ("CHR-ROM", format_size(self.chr_rom_size)),
            ("CHR-RAM", format_size(self.chr_ram_size)),
            ("CHR-NVRAM", format_size(self.chr_nvram_size)),
            ("PRG-RAM", format_size(self.prg_ram_size)),
            ("PRG-NVRAM", format_size(self.prg_nvram_size)),
            ("mirroring", self.mirroring.to_string()),
            ("battery", yes_no(self.battery)),
            ("trainer", yes_no(self.trainer)),
            ("region", self.region.to_string()),
            ("console", self.console.to_string()),
            ("supported", yes_no(self.mapper_supported())),
            ("extra bytes", self.extra_bytes.to_string()),
        ]
    }
}

/// One `label: value` line per [`Header::describe`] entry.
impl fmt::Display for Header {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (label, value) in self.describe() {
            writeln!(f, "{label:<12} {value}")?;
        }
        Ok(())
    }
}

/// A byte count for people: "none", "8 KiB", "1 MiB" or "640 bytes".
pub fn format_size(bytes: usize) -> String {
    match bytes {
        0 => "none".to_string(),
        b if b % (KIB * KIB) == 0 => format!("{} MiB", b / (KIB * KIB)),
        b if b % KIB == 0 => format!("{} KiB", b / KIB),
        b => format!("{b} bytes"),
    }
}

/// NES 2.0 is recognised by its own signature; iNES is trusted only when the
/// bytes it never defined are clear, otherwise a ROM tool wrote junk there.
fn detect_format(raw: &[u8; HEADER_LEN]) -> RomFormat {
    match raw[7] & 0x0C {
        0x08 => RomFormat::Nes2,
        0x00 if raw[12..16].iter().all(|&b| b == 0) => RomFormat::INes,
        _ => RomFormat::ArchaicINes,
    }
}

/// A NES 2.0 ROM size: a 12-bit unit count, or with the MSB nibble $F the
/// exponent-multiplier form `2^E × (MM×2+1)` packed as `EEEEEEMM` in `lsb`.
fn nes2_rom_size(lsb: u8, msb: u8, unit: usize) -> u128 {
    if msb == 0x0F {
        let exponent = u32::from(lsb >> 2);
        let multiplier = u128::from(lsb & 0x03) * 2 + 1;
        (1u128 << exponent) * multiplier
    } else {
        (u128::from(msb) << 8 | u128::from(lsb)) * unit as u128
    }
}

/// NES 2.0 RAM sizes are `64 << shift`, with shift 0 meaning none.
fn shift_size(shift: u8) -> usize {
    if shift == 0 {
        0
    } else {
        64 << shift
    }
}

impl fmt::Display for RomFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RomFormat::ArchaicINes => "archaic iNES",
            RomFormat::INes => "iNES",
            RomFormat::Nes2 => "NES 2.0",
        })
    }
}

impl fmt::Display for Mirroring {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Mirroring::Horizontal => "horizontal",
            Mirroring::Vertical => "vertical",
            Mirroring::FourScreen => "four-screen",
            Mirroring::SingleScreenLower => "single-screen A",
            Mirroring::SingleScreenUpper => "single-screen B",
        })
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Region::Ntsc => "NTSC",
            Region::Pal => "PAL",
            Region::Multi => "multi-region",
            Region::Dendy => "Dendy",
        })
    }
}

impl fmt::Display for Console {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Console::Nes => f.write_str("NES/Famicom"),
            Console::VsSystem => f.write_str("Vs. System"),
            Console::PlayChoice10 => f.write_str("PlayChoice-10"),
            Console::Extended(kind) => write!(f, "extended (type {kind})"),
        }
    }
}
