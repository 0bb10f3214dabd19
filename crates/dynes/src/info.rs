//! `dynes info`: what a ROM's header says.

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;
use dynes_nes::Header;

#[derive(Args, Debug)]
pub struct InfoArgs {
    /// iNES or NES 2.0 ROM file(s).
    #[arg(required = true)]
    roms: Vec<PathBuf>,
}

pub fn run(args: &InfoArgs) -> Result<bool> {
    for (i, path) in args.roms.iter().enumerate() {
        let bytes = crate::rom::read(path)?;
        let header = Header::parse(&bytes).map_err(|err| anyhow::anyhow!("{}: {err}", path.display()))?;
        if i > 0 {
            outln!();
        }
        outln!("{:<12} {}", "file", path.display());
        out!("{header}");
        // The hash needs the whole image; a header alone still describes.
        if let Ok(cartridge) = dynes_bus::Cartridge::from_bytes(&bytes) {
            outln!("{:<12} {:016x}", "rom hash", dynes_nes::rom_hash(&cartridge));
        }
    }
    Ok(true)
}
