//! ROM files: the iNES / NES 2.0 header and the memories it describes.

mod error;
mod header;
#[cfg(test)]
mod tests;

use std::fmt;
use std::path::Path;

pub use error::CartridgeError;
pub use header::{
    format_size, Console, Header, Mirroring, Region, RomFormat, HEADER_LEN, MAGIC, TRAINER_LEN,
};

/// Where a trainer is mapped: it is copied into PRG-RAM at $7000.
const TRAINER_PRG_RAM_OFFSET: usize = 0x1000;

/// A loaded cartridge: header plus the ROM data and fresh RAM it declares.
#[derive(Clone, PartialEq, Eq)]
pub struct Cartridge {
    /// What the header declares.
    pub header: Header,
    /// PRG-ROM, exactly `header.prg_rom_size` bytes.
    pub prg_rom: Vec<u8>,
    /// CHR-ROM, or zeroed CHR-RAM (volatile plus battery-backed) when the
    /// header declares no CHR-ROM.
    pub chr: Vec<u8>,
    /// Zeroed PRG-RAM (volatile plus battery-backed), with the trainer
    /// already copied to its $7000 offset when both exist.
    pub prg_ram: Vec<u8>,
    /// The 512-byte trainer, if the file has one.
    pub trainer: Option<[u8; TRAINER_LEN]>,
}

impl Cartridge {
    /// Splits a whole ROM file image into its parts; fails on any malformed
    /// file and on mappers this emulator does not have.
    pub fn from_bytes(bytes: &[u8]) -> Result<Cartridge, CartridgeError> {
        let header = Header::parse(bytes)?;
        if !header.mapper_supported() {
            return Err(CartridgeError::UnsupportedMapper {
                mapper: header.mapper,
                submapper: header.submapper,
            });
        }
        // Header::parse checked that every declared part lies in `bytes`; the
        // checked slicing below only keeps a wrong offset from ever panicking.
        let part = |offset: usize, len: usize| {
            offset
                .checked_add(len)
                .and_then(|end| bytes.get(offset..end))
                .map(<[u8]>::to_vec)
                .ok_or(CartridgeError::Truncated { len: bytes.len() })
        };

        let trainer = if header.trainer {
            let mut data = [0; TRAINER_LEN];
            data.copy_from_slice(&part(HEADER_LEN, TRAINER_LEN)?);
            Some(data)
        } else {
            None
        };
        let prg_rom = part(header.prg_rom_offset(), header.prg_rom_size)?;
        let chr = if header.chr_rom_size > 0 {
            part(header.chr_rom_offset(), header.chr_rom_size)?
        } else {
            vec![0; header.chr_ram_size + header.chr_nvram_size]
        };
        let mut prg_ram = vec![0; header.prg_ram_size + header.prg_nvram_size];
        if let (Some(data), Some(window)) =
            (&trainer, prg_ram.get_mut(TRAINER_PRG_RAM_OFFSET..TRAINER_PRG_RAM_OFFSET + TRAINER_LEN))
        {
            window.copy_from_slice(data);
        }

        Ok(Cartridge { header, prg_rom, chr, prg_ram, trainer })
    }

    /// Reads and parses a ROM file.
    pub fn load(path: impl AsRef<Path>) -> Result<Cartridge, CartridgeError> {
        let bytes = std::fs::read(path)?;
        Cartridge::from_bytes(&bytes)
    }

    /// `chr` is RAM (the board has no CHR-ROM).
    pub fn chr_is_ram(&self) -> bool {
        self.header.chr_rom_size == 0
    }
}

/// Sizes instead of contents: a ROM dump is no use in a debug print.
impl fmt::Debug for Cartridge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Cartridge")
            .field("header", &self.header)
            .field("prg_rom", &format_args!("[{} bytes]", self.prg_rom.len()))
            .field("chr", &format_args!("[{} bytes]", self.chr.len()))
            .field("prg_ram", &format_args!("[{} bytes]", self.prg_ram.len()))
            .field("trainer", &self.trainer.is_some())
            .finish()
    }
}
