//! Why a ROM file could not be turned into a cartridge.

use std::fmt;

use thiserror::Error;

/// A ROM file that cannot be loaded. Messages are lowercase without a final
/// period: the CLI prints them as `<file>: <message>`.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum CartridgeError {
    /// The file has no bytes at all.
    #[error("file is empty")]
    Empty,
    /// The file ends before the 16-byte header does.
    #[error("file is {len} bytes, shorter than the 16-byte iNES header")]
    Truncated {
        /// Length of the file in bytes.
        len: usize,
    },
    /// The first four bytes are not the iNES signature.
    #[error(
        "not an iNES ROM: expected \"NES\\x1A\" ({}) at the start, found {}",
        hex(&super::header::MAGIC),
        hex(.found)
    )]
    BadMagic {
        /// The first four bytes of the file.
        found: [u8; 4],
    },
    /// The header declares no PRG-ROM, so there is no code to run.
    #[error("header declares 0 PRG-ROM banks")]
    NoPrgRom,
    /// The file is shorter than the header, trainer, PRG-ROM and CHR-ROM it
    /// declares.
    #[error(
        "file is {file_len} bytes but the header declares {declared} ({})",
        Layout { trainer: *.trainer, prg_rom: *.prg_rom, chr_rom: *.chr_rom }
    )]
    SizeMismatch {
        /// Length of the file in bytes.
        file_len: usize,
        /// 16 + trainer + PRG-ROM + CHR-ROM. NES 2.0's exponent form can
        /// declare sizes far beyond `usize`, hence `u128`.
        declared: u128,
        /// Trainer bytes (0 or 512).
        trainer: usize,
        /// Declared PRG-ROM bytes.
        prg_rom: u128,
        /// Declared CHR-ROM bytes.
        chr_rom: u128,
    },
    /// The board is one we cannot emulate yet.
    #[error("mapper {mapper}{} is not supported", Submapper(*.submapper))]
    UnsupportedMapper {
        /// iNES / NES 2.0 mapper number.
        mapper: u16,
        /// NES 2.0 submapper (0 for iNES).
        submapper: u8,
    },
    /// The file could not be read.
    #[error("cannot read file: {0}")]
    Io(String),
}

impl From<std::io::Error> for CartridgeError {
    fn from(err: std::io::Error) -> Self {
        CartridgeError::Io(err.to_string())
    }
}

fn hex(bytes: &[u8]) -> String {
    let parts: Vec<String> = bytes.iter().map(|b| format!("{b:02X}")).collect();
    parts.join(" ")
}

/// The sum behind a declared file size, spelled out so the user can see which
/// part of the header is wrong.
struct Layout {
    trainer: usize,
    prg_rom: u128,
    chr_rom: u128,
}

impl fmt::Display for Layout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("16 header")?;
        if self.trainer > 0 {
            write!(f, " + {} trainer", self.trainer)?;
        }
        write!(f, " + {} PRG-ROM + {} CHR-ROM", self.prg_rom, self.chr_rom)
    }
}

/// Submapper 0 is "unspecified", so it is left out of messages.
struct Submapper(u8);

impl fmt::Display for Submapper {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0 != 0 {
            write!(f, " (submapper {})", self.0)?;
        }
        Ok(())
    }
}
