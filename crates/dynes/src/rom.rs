//! Reading ROM files with errors that name the file, and the built-in demo.

use std::path::{Path, PathBuf};

use anyhow::{bail, Result};
use dynes_nes::{Engine, Nes, TvSystem};

/// The built-in demo game (`assets/demo.nes`, built from `assets/demo/`).
pub const DEMO_ROM: &[u8] = include_bytes!("../../../assets/demo.nes");

/// Where a game comes from: a ROM file, or the built-in demo when no file
/// is named.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Game {
    /// A ROM file.
    File(PathBuf),
    /// The demo built into the binary.
    Demo,
}

impl Game {
    /// The file named on the command line, or the demo.
    pub fn from_arg(path: Option<&Path>) -> Game {
        path.map_or(Game::Demo, |path| Game::File(path.to_path_buf()))
    }

    /// The name for files made for this game (`<name>.sav`, states,
    /// screenshots): the ROM file's name without `.nes`.
    pub fn stem(&self) -> String {
        match self {
            Game::File(path) => path
                .file_stem()
                .map_or_else(|| "game".to_string(), |stem| stem.to_string_lossy().into_owned()),
            Game::Demo => "dynes-demo".to_string(),
        }
    }

    /// How messages name the game.
    pub fn describe(&self) -> String {
        match self {
            Game::File(path) => path.display().to_string(),
            Game::Demo => "built-in demo".to_string(),
        }
    }

    /// Loads the game into a powered-on console of `system` (`None`: as
    /// the header says) running on `engine`.
    pub fn load(&self, system: Option<TvSystem>, engine: Engine) -> Result<Nes> {
        let bytes = match self {
            Game::File(path) => read(path)?,
            Game::Demo => DEMO_ROM.to_vec(),
        };
        let name = self.describe();
        let cartridge =
            dynes_bus::Cartridge::from_bytes(&bytes).map_err(|err| anyhow::anyhow!("{name}: {err}"))?;
        let mut nes =
            Nes::with_tv_system(cartridge, system).map_err(|err| anyhow::anyhow!("{name}: {err}"))?;
        nes.power_on();
        set_engine(&mut nes, engine);
        Ok(nes)
    }
}

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
    Game::File(path.to_path_buf()).load(system, Engine::Interp)
}

/// The CPU engine asked for on the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum, serde::Serialize, serde::Deserialize)]
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
