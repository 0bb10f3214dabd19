//! Reading ROM files with errors that name the file.

use std::path::Path;

use anyhow::{bail, Result};
use dynes_nes::{Engine, Nes, TvSystem};

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

/// The CPU engine asked for on the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EngineArg {
    /// The cycle-exact interpreter.
    Interp,
    /// The recompiler (the default where the host can run it).
    Jit,
    /// The recompiler checked against the interpreter after every step; stops
    /// at the first difference.
    Verify,
}

impl EngineArg {
    pub fn engine(self) -> Engine {
        match self {
            EngineArg::Interp => Engine::Interp,
            EngineArg::Jit => Engine::Jit,
            EngineArg::Verify => Engine::Verify,
        }
    }
}

/// Switches `nes` to `engine`; where the recompiler cannot run, says so
/// once (one line) and keeps the interpreter.
pub fn set_engine(nes: &mut Nes, engine: Engine) {
    static WARNED: std::sync::Once = std::sync::Once::new();
    if let Err(why) = nes.set_engine(engine) {
        WARNED.call_once(|| eprintln!("dynes: recompiler unavailable ({why}); using the interpreter"));
    }
}

/// Loads a ROM into a powered-on console running on `engine`.
pub fn load_with(path: &Path, system: Option<TvSystem>, engine: Engine) -> Result<Nes> {
    let mut nes = load_on(path, system)?;
    set_engine(&mut nes, engine);
    Ok(nes)
}
