//! Reading ROM files with errors that name the file.

use std::path::Path;

use anyhow::{bail, Result};
use dynes_nes::Nes;

/// Reads a whole ROM file; a missing file or a directory is a one-line error.
pub fn read(path: &Path) -> Result<Vec<u8>> {
    if path.is_dir() {
        bail!("{}: is a directory, not a ROM file", path.display());
    }
    std::fs::read(path).map_err(|err| anyhow::anyhow!("{}: cannot read: {err}", path.display()))
}

/// Loads a ROM into a powered-on console.
pub fn load(path: &Path) -> Result<Nes> {
    let bytes = read(path)?;
    let cartridge = dynes_bus::Cartridge::from_bytes(&bytes)
        .map_err(|err| anyhow::anyhow!("{}: {err}", path.display()))?;
    let mut nes = Nes::new(cartridge).map_err(|err| anyhow::anyhow!("{}: {err}", path.display()))?;
    nes.power_on();
    Ok(nes)
}
