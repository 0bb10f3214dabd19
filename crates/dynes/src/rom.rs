//! Reading ROM files with errors that name the file.

use std::path::Path;

use anyhow::{bail, Result};
use dynes_nes::{Nes, TvSystem};

/// Reads a whole ROM file; a missing file or a directory is a one-line error.
pub fn read(path: &Path) -> Result<Vec<u8>> {
    if path.is_dir() {
        bail!("{}: is a directory, not a ROM file", path.display());
    }
    std::fs::read(path).map_err(|err| anyhow::anyhow!("{}: cannot read: {err}", path.display()))
}

/// Loads a ROM into a powered-on console (NTSC or PAL as its header says).
pub fn load(path: &Path) -> Result<Nes> {
    load_on(path, None)
}

/// Loads a ROM into a powered-on console of `system` (`None`: as the header says).
pub fn load_on(path: &Path, system: Option<TvSystem>) -> Result<Nes> {
    let bytes = read(path)?;
    let cartridge = dynes_bus::Cartridge::from_bytes(&bytes)
        .map_err(|err| anyhow::anyhow!("{}: {err}", path.display()))?;
    let mut nes =
        Nes::with_tv_system(cartridge, system).map_err(|err| anyhow::anyhow!("{}: {err}", path.display()))?;
    nes.power_on();
    Ok(nes)
}
