//! Corrections for ROMs whose iNES header does not say what they need.
//!
//! iNES headers rarely set the PAL flag, so a PAL-only program dumped with
//! a plain header runs as NTSC and breaks (cycle-timed raster code overruns
//! the shorter NTSC frame). Known ones are listed here by [`rom_hash`].

use dynes_bus::Cartridge;

use crate::TvSystem;

/// (hash, system, what it is) of ROMs that need a console other than the
/// one their header implies.
const TV_SYSTEM_FIXES: &[(u64, TvSystem, &str)] = &[
    // Its raster kernel is timed to PAL's 106.56 cycles per line.
    (0xcbc6_bb70_7e23_8b01, TvSystem::Pal, "High Hopes (demo)"),
    // nmi_sync's PAL build: synchronizes to the PAL frame length.
    (0x44cd_69a8_e395_b6a0, TvSystem::Pal, "nmi_sync demo_pal"),
    (0x2c3b_7ffc_8cc5_ee02, TvSystem::Pal, "nes15, PAL build"),
];

/// A stable 64-bit hash (FNV-1a) of a cartridge's PRG-ROM and CHR-ROM:
/// the same program dumped with different headers hashes the same.
pub fn rom_hash(cartridge: &Cartridge) -> u64 {
    let chr_rom: &[u8] = if cartridge.chr_is_ram() { &[] } else { &cartridge.chr };
    fnv1a(cartridge.prg_rom.iter().chain(chr_rom).copied())
}

/// The 64-bit FNV-1a hash of `bytes`.
pub(crate) fn fnv1a(bytes: impl IntoIterator<Item = u8>) -> u64 {
    bytes
        .into_iter()
        .fold(0xCBF2_9CE4_8422_2325u64, |hash, byte| (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01B3))
}

/// The console a known ROM needs, when its header does not say so.
pub(crate) fn tv_system(cartridge: &Cartridge) -> Option<TvSystem> {
    let hash = rom_hash(cartridge);
    TV_SYSTEM_FIXES.iter().find(|(known, _, _)| *known == hash).map(|(_, system, _)| *system)
}
