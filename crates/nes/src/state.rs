//! Save states: the whole machine in one versioned, checksummed file.
//!
//! ```text
//! offset  size  field
//!  0       8    magic "DYNESSTA"
//!  8       4    format version, little-endian (STATE_VERSION)
//! 12       8    ROM hash (`rom_hash`: PRG-ROM and CHR-ROM), little-endian
//! 20       n    the machine: CPU and bus (RAM, PPU, mapper registers,
//!               cartridge RAM, controllers, ...) in postcard encoding
//! 20+n     4    CRC-32 of every byte before it, little-endian
//! ```
//!
//! Cartridge ROM is left out: the ROM file has it, and the hash makes sure
//! a state only ever goes back into the game it came from.

use dynes_bus::NesBus;
use dynes_cpu::{Cpu, Ricoh2A03};
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// The format version this build writes and reads. Raise it whenever the
/// serialized machine changes shape (2: the APU joined the bus; 3: the
/// DMC's first fetch after a start waits for its cycle).
pub const STATE_VERSION: u32 = 3;

const MAGIC: &[u8; 8] = b"DYNESSTA";
const HEADER_LEN: usize = 8 + 4 + 8;
const CHECKSUM_LEN: usize = 4;

/// Why a save state cannot be loaded. The running machine is untouched.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum StateError {
    /// The file does not start like a save state.
    #[error("not a dynes save state")]
    NotAState,
    /// The file ends before its checksum.
    #[error("truncated save state ({0} bytes)")]
    Truncated(usize),
    /// The bytes do not match their checksum.
    #[error("corrupt save state (checksum mismatch)")]
    Checksum,
    /// Written by a newer dynes.
    #[error("save state format {found} is newer than this dynes reads ({STATE_VERSION})")]
    Newer {
        /// The file's version.
        found: u32,
    },
    /// Written in a format this build no longer reads.
    #[error("save state format {found} is no longer supported (this dynes reads {STATE_VERSION})")]
    Older {
        /// The file's version.
        found: u32,
    },
    /// Made with another game.
    #[error("save state is for a different ROM (its ROM hash {state:016x}, this ROM {rom:016x})")]
    WrongRom {
        /// ROM hash in the state.
        state: u64,
        /// ROM hash of the running cartridge.
        rom: u64,
    },
    /// The machine inside does not decode.
    #[error("corrupt save state ({0})")]
    Decode(String),
    /// The state's cartridge board is not the running one.
    #[error("save state is for a different cartridge board or memory size")]
    Board,
    /// The machine could not be written.
    #[error("cannot encode the machine ({0})")]
    Encode(String),
}

/// The machine as written.
#[derive(Serialize)]
struct MachineRef<'a> {
    cpu: &'a Cpu<Ricoh2A03>,
    bus: &'a NesBus,
}

/// The machine as read back.
#[derive(Deserialize)]
pub(crate) struct Machine {
    pub(crate) cpu: Cpu<Ricoh2A03>,
    pub(crate) bus: NesBus,
}

/// A save state of `cpu` and `bus`, running the ROM with hash `rom_hash`.
pub(crate) fn encode(cpu: &Cpu<Ricoh2A03>, bus: &NesBus, rom_hash: u64) -> Result<Vec<u8>, StateError> {
    let mut bytes = Vec::with_capacity(256 * 1024);
    bytes.extend_from_slice(MAGIC);
    bytes.extend_from_slice(&STATE_VERSION.to_le_bytes());
    bytes.extend_from_slice(&rom_hash.to_le_bytes());
    let mut bytes = postcard::to_extend(&MachineRef { cpu, bus }, bytes)
        .map_err(|e| StateError::Encode(e.to_string()))?;
    let checksum = crc32fast::hash(&bytes);
    bytes.extend_from_slice(&checksum.to_le_bytes());
    Ok(bytes)
}

/// Checks and decodes a save state for the ROM with hash `rom_hash`. The
/// bus it returns has no cartridge ROM yet (see `Mapper::adopt_rom`).
pub(crate) fn decode(bytes: &[u8], rom_hash: u64) -> Result<Machine, StateError> {
    if bytes.len() < MAGIC.len() || &bytes[..MAGIC.len()] != MAGIC {
        return Err(StateError::NotAState);
    }
    if bytes.len() < HEADER_LEN + CHECKSUM_LEN {
        return Err(StateError::Truncated(bytes.len()));
    }
    let version = u32::from_le_bytes(bytes[8..12].try_into().unwrap_or_default());
    match version {
        STATE_VERSION => {}
        found if found > STATE_VERSION => return Err(StateError::Newer { found }),
        found => return Err(StateError::Older { found }),
    }
    let (body, checksum) = bytes.split_at(bytes.len() - CHECKSUM_LEN);
    if crc32fast::hash(body).to_le_bytes() != checksum {
        return Err(StateError::Checksum);
    }
    let state_rom = u64::from_le_bytes(body[12..20].try_into().unwrap_or_default());
    if state_rom != rom_hash {
        return Err(StateError::WrongRom { state: state_rom, rom: rom_hash });
    }
    let (machine, rest) = postcard::take_from_bytes::<Machine>(&body[HEADER_LEN..])
        .map_err(|e| StateError::Decode(e.to_string()))?;
    if !rest.is_empty() {
        return Err(StateError::Decode(format!("{} bytes after the machine", rest.len())));
    }
    Ok(machine)
}
