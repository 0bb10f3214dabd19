//! Properties every board must have: the supported list and the
//! constructors agree, and no ROM or write sequence can panic.

use super::test_rom::{TestRom, KIB};
use super::{board_name, is_supported, Mapper};
use crate::cartridge::CartridgeError;

/// Every supported mapper/submapper pair.
fn supported() -> Vec<(u16, u8)> {
    (0..=0xFFF).flat_map(|m| (0..16).map(move |s| (m, s))).filter(|&(m, s)| is_supported(m, s)).collect()
}

#[test]
fn every_supported_board_builds_and_has_a_name() {
    let pairs = supported();
    // NROM: any submapper; MMC1: 5; UxROM, CNROM, AxROM: 3 each; MMC3: 4;
    // mapper 34: 3; Color Dreams, Action 53, GxROM: 1 each.
    assert_eq!(pairs.len(), 16 + 5 + 3 * 3 + 4 + 3 + 3, "{pairs:?}");
    for (mapper, submapper) in pairs {
        let rom = TestRom::new(mapper, 128 * KIB, 16 * KIB, 32 * KIB, KIB).submapper(submapper);
        let built = Mapper::new(rom.cart());
        assert!(built.is_ok(), "mapper {mapper}.{submapper}: {built:?}");
        assert!(board_name(mapper).is_some(), "mapper {mapper}");
    }
}

#[test]
fn unsupported_boards_are_an_error() {
    for (mapper, submapper) in [(5, 0), (1, 3), (4, 3), (4, 5), (7, 3), (34, 3), (11, 1)] {
        let mut cart = TestRom::new(0, 32 * KIB, 16 * KIB, 8 * KIB, KIB).cart();
        cart.header.mapper = mapper;
        cart.header.submapper = submapper;
        let err = Mapper::new(cart).err();
        assert_eq!(err, Some(CartridgeError::UnsupportedMapper { mapper, submapper }));
    }
}

#[test]
fn battery_flag_reaches_every_board() {
    for (mapper, submapper) in supported() {
        let rom = TestRom::new(mapper, 32 * KIB, 16 * KIB, 8 * KIB, KIB).submapper(submapper);
        let plain = Mapper::new(rom.cart()).expect("valid image");
        let backed = Mapper::new(rom.battery().cart()).expect("valid image");
        assert!(!plain.has_battery() && backed.has_battery(), "mapper {mapper}.{submapper}");
    }
}

#[test]
fn no_rom_size_or_write_sequence_panics() {
    // A small xorshift drives sizes, addresses and values.
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let sizes = [1, 3, 1000, 8 * KIB, 12 * KIB, 24 * KIB, 40 * KIB, 48 * KIB, 96 * KIB, 600 * KIB];
    for (mapper, submapper) in supported().into_iter().filter(|&(m, s)| m != 0 || s == 0) {
        for (round, &prg_len) in sizes.iter().enumerate() {
            let chr_len = sizes[(round * 7 + 3) % sizes.len()];
            let mut cart = TestRom::new(mapper, 16 * KIB, 16 * KIB, 8 * KIB, KIB).submapper(submapper).cart();
            cart.prg_rom = (0..prg_len).map(|i| (i >> 8) as u8).collect();
            cart.chr = vec![0xA5; chr_len];
            cart.prg_ram = vec![0; sizes[(round + 5) % sizes.len()] % (40 * KIB)];
            cart.header.chr_rom_size = if round % 2 == 0 { chr_len } else { 0 };
            let mut board = Mapper::new(cart).expect("supported board");
            for cycle in 0..3_000u64 {
                let r = next();
                let addr = (r as u16) | 0x4020;
                let value = (r >> 16) as u8;
                // Mostly register writes, in runs on consecutive cycles too.
                match r >> 60 {
                    0..=9 => board.cpu_write(addr | 0x8000, value, cycle),
                    10 | 11 => board.cpu_write(addr, value, cycle),
                    12 => board.clock_scanline_irq(),
                    13 => board.ppu_write(r as u16 & 0x1FFF, value),
                    _ => {}
                }
                let _ = board.cpu_read(addr);
                let _ = board.cpu_peek(addr ^ 0x4000);
                let _ = board.ppu_read((r >> 32) as u16 & 0x1FFF);
                let _ = (board.mirroring(), board.irq_line(), board.write_affects_mapping(addr));
            }
        }
    }
}

#[test]
fn empty_prg_rom_is_an_error_not_a_panic() {
    for (mapper, submapper) in supported() {
        let mut cart = TestRom::new(mapper, 16 * KIB, 16 * KIB, 8 * KIB, KIB).submapper(submapper).cart();
        cart.prg_rom.clear();
        assert_eq!(Mapper::new(cart).err(), Some(CartridgeError::NoPrgRom), "mapper {mapper}");
    }
}

#[test]
fn only_registers_affect_mapping() {
    let nrom = Mapper::new(TestRom::new(0, 32 * KIB, 16 * KIB, 8 * KIB, KIB).cart()).expect("valid image");
    assert!((0x4020..=0xFFFF).all(|addr| !nrom.write_affects_mapping(addr)));
    for (mapper, submapper) in supported() {
        let rom = TestRom::new(mapper, 128 * KIB, 16 * KIB, 32 * KIB, KIB).submapper(submapper);
        let board = Mapper::new(rom.cart()).expect("valid image");
        // PRG-RAM writes never change the mapping, except NINA-001's registers.
        let nina = matches!(board, Mapper::Nina001(_));
        assert!(!board.write_affects_mapping(0x6000), "mapper {mapper}.{submapper}");
        assert_eq!(board.write_affects_mapping(0x7FFF), nina, "mapper {mapper}.{submapper}");
        assert_eq!(board.write_affects_mapping(0x8000), mapper != 0 && !nina, "mapper {mapper}.{submapper}");
    }
}

#[test]
fn real_test_roms_with_supported_boards_build() {
    let dir = std::env::var("DYNES_TEST_ROMS")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/nes-test-roms").into());
    let Ok(entries) = std::fs::read_dir(&dir) else {
        eprintln!("skipped: no test ROMs at {dir}");
        return;
    };
    let mut stack: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    let mut built = std::collections::BTreeMap::<u16, usize>::new();
    while let Some(path) = stack.pop() {
        if path.is_dir() {
            stack.extend(std::fs::read_dir(&path).into_iter().flatten().flatten().map(|e| e.path()));
        } else if path.extension().is_some_and(|e| e.eq_ignore_ascii_case("nes")) {
            let Ok(cart) = crate::Cartridge::load(&path) else { continue };
            let mapper = cart.header.mapper;
            let board = Mapper::new(cart);
            assert!(board.is_ok(), "{}: {:?}", path.display(), board.err());
            *built.entry(mapper).or_default() += 1;
        }
    }
    eprintln!("built boards for test ROMs by mapper: {built:?}");
}
