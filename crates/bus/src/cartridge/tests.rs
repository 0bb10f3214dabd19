#![allow(clippy::unwrap_used)]

use super::*;

const KIB: usize = 1024;

/// A header with the given bytes 4-15 after the magic.
fn header(rest: [u8; 12]) -> Vec<u8> {
    let mut bytes = MAGIC.to_vec();
    bytes.extend_from_slice(&rest);
    bytes
}

/// `header` followed by `body_len` bytes of a recognisable pattern.
fn image(header: Vec<u8>, body_len: usize) -> Vec<u8> {
    let mut bytes = header;
    bytes.extend((0..body_len).map(|i| (i % 251) as u8));
    bytes
}

/// iNES header: PRG banks, CHR banks, flags 6, flags 7, then bytes 8-15.
fn ines(prg: u8, chr: u8, flags6: u8, flags7: u8) -> Vec<u8> {
    header([prg, chr, flags6, flags7, 0, 0, 0, 0, 0, 0, 0, 0])
}

#[test]
fn ines_nrom_128() {
    let bytes = image(ines(1, 1, 0x01, 0x00), 16 * KIB + 8 * KIB);
    let h = Header::parse(&bytes).unwrap();
    assert_eq!(h.format, RomFormat::INes);
    assert_eq!(h.mapper, 0);
    assert_eq!(h.submapper, 0);
    assert_eq!(h.prg_rom_size, 16 * KIB);
    assert_eq!(h.chr_rom_size, 8 * KIB);
    assert_eq!(h.chr_ram_size, 0);
    assert_eq!(h.prg_ram_size, 8 * KIB, "iNES byte 8 = 0 means 8 KiB");
    assert_eq!(h.prg_nvram_size, 0);
    assert_eq!(h.mirroring, Mirroring::Vertical);
    assert!(!h.battery && !h.trainer && !h.alternative_nametables);
    assert_eq!(h.region, Region::Ntsc);
    assert_eq!(h.console, Console::Nes);
    assert_eq!(h.extra_bytes, 0);
    assert_eq!(h.board_name(), "NROM");
    assert!(h.mapper_supported());

    let cart = Cartridge::from_bytes(&bytes).unwrap();
    assert_eq!(cart.prg_rom, bytes[16..16 + 16 * KIB]);
    assert_eq!(cart.chr, bytes[16 + 16 * KIB..]);
    assert!(!cart.chr_is_ram());
    assert_eq!(cart.prg_ram.len(), 8 * KIB);
    assert!(cart.trainer.is_none());
}

#[test]
fn ines_nrom_256_with_chr_ram_pal() {
    let mut bytes = ines(2, 0, 0x00, 0x00);
    bytes[9] = 0x01;
    let bytes = image(bytes, 32 * KIB);
    let h = Header::parse(&bytes).unwrap();
    assert_eq!(h.prg_rom_size, 32 * KIB);
    assert_eq!(h.chr_rom_size, 0);
    assert_eq!(h.chr_ram_size, 8 * KIB, "iNES without CHR-ROM means 8 KiB CHR-RAM");
    assert_eq!(h.mirroring, Mirroring::Horizontal);
    assert_eq!(h.region, Region::Pal);

    let cart = Cartridge::from_bytes(&bytes).unwrap();
    assert!(cart.chr_is_ram());
    assert_eq!(cart.chr, vec![0; 8 * KIB]);
}

#[test]
fn ines_mapper_number_uses_both_nibbles() {
    let bytes = image(ines(1, 1, 0x10, 0x40), 24 * KIB);
    assert_eq!(Header::parse(&bytes).unwrap().mapper, 0x41);
}

#[test]
fn ines_console_types() {
    let vs = image(ines(1, 1, 0, 0x01), 24 * KIB);
    assert_eq!(Header::parse(&vs).unwrap().console, Console::VsSystem);
    let pc10 = image(ines(1, 1, 0, 0x02), 24 * KIB);
    assert_eq!(Header::parse(&pc10).unwrap().console, Console::PlayChoice10);
}

#[test]
fn archaic_ines_ignores_bytes_7_to_15() {
    let mut bytes = ines(1, 1, 0x11, 0);
    bytes[7..16].copy_from_slice(b"DiskDude!");
    let bytes = image(bytes, 24 * KIB);
    let h = Header::parse(&bytes).unwrap();
    assert_eq!(h.format, RomFormat::ArchaicINes);
    assert_eq!(h.mapper, 1, "the 'D' in byte 7 must not become mapper 0x41");
    assert_eq!(h.prg_ram_size, 8 * KIB, "the 'i' in byte 8 is not a RAM size");
    assert_eq!(h.region, Region::Ntsc);
    assert_eq!(h.console, Console::Nes);
}

#[test]
fn ines_with_junk_in_bytes_12_to_15_is_archaic() {
    let mut bytes = ines(1, 1, 0x00, 0x40);
    bytes[13] = 0x20;
    let h = Header::parse(&image(bytes, 24 * KIB)).unwrap();
    assert_eq!(h.format, RomFormat::ArchaicINes);
    assert_eq!(h.mapper, 0);
}

#[test]
fn nes2_mapper_and_submapper() {
    // Mapper $1A4 (bits 0-3 in byte 6, 4-7 in byte 7, 8-11 in byte 8), submapper 3.
    let bytes = image(header([1, 1, 0x40, 0xA8, 0x31, 0, 0, 0, 0, 0, 0, 0]), 24 * KIB);
    let h = Header::parse(&bytes).unwrap();
    assert_eq!(h.format, RomFormat::Nes2);
    assert_eq!(h.mapper, 0x1A4);
    assert_eq!(h.submapper, 3);
    assert_eq!(h.prg_ram_size, 0, "NES 2.0 declares PRG-RAM exactly");
    assert_eq!(h.chr_ram_size, 0);
    assert!(!h.mapper_supported());
    assert_eq!(h.board_name(), "unknown");
}

#[test]
fn nes2_size_msb_nibbles() {
    // PRG $101 × 16 KiB would need 4 MiB: use CHR's nibble with PRG small.
    let bytes = image(header([2, 0x01, 0, 0x08, 0, 0x10, 0, 0, 0, 0, 0, 0]), 32 * KIB + 257 * 8 * KIB);
    let h = Header::parse(&bytes).unwrap();
    assert_eq!(h.prg_rom_size, 32 * KIB);
    assert_eq!(h.chr_rom_size, 0x101 * 8 * KIB);
}

#[test]
fn nes2_exponent_multiplier_sizes() {
    // PRG: E=14, MM=1 → 2^14 × 3 = 48 KiB. CHR: E=13, MM=0 → 8 KiB.
    let prg = (14 << 2) | 1;
    let chr = 13 << 2;
    let bytes = image(header([prg, chr, 0, 0x08, 0, 0xFF, 0, 0, 0, 0, 0, 0]), 48 * KIB + 8 * KIB);
    let h = Header::parse(&bytes).unwrap();
    assert_eq!(h.prg_rom_size, 48 * KIB);
    assert_eq!(h.chr_rom_size, 8 * KIB);
    assert_eq!(h.extra_bytes, 0);
}

#[test]
fn nes2_exponent_multiplier_too_large_is_an_error_not_a_panic() {
    // E=63, MM=3: 2^63 × 7 bytes.
    let bytes = image(header([0xFF, 0xFF, 0, 0x08, 0, 0xFF, 0, 0, 0, 0, 0, 0]), 100);
    let err = Header::parse(&bytes).unwrap_err();
    let huge = (1u128 << 63) * 7;
    assert_eq!(
        err.to_string(),
        format!(
            "file is 116 bytes but the header declares {} (16 header + {huge} PRG-ROM + {huge} CHR-ROM)",
            16 + 2 * huge
        )
    );
}

#[test]
fn nes2_chr_ram_sizes() {
    // CHR-RAM shift 7 → 8 KiB.
    let bytes = image(header([1, 0, 0, 0x08, 0, 0, 0, 0x07, 0, 0, 0, 0]), 16 * KIB);
    let h = Header::parse(&bytes).unwrap();
    assert_eq!(h.chr_ram_size, 8 * KIB);
    assert_eq!(h.chr_nvram_size, 0);

    // CHR-RAM shift 9 → 32 KiB, CHR-NVRAM shift 7 → 8 KiB.
    let bytes = image(header([1, 0, 0, 0x08, 0, 0, 0, 0x79, 0, 0, 0, 0]), 16 * KIB);
    let h = Header::parse(&bytes).unwrap();
    assert_eq!(h.chr_ram_size, 32 * KIB);
    assert_eq!(h.chr_nvram_size, 8 * KIB);
    assert_eq!(Cartridge::from_bytes(&bytes).unwrap().chr.len(), 40 * KIB);
}

#[test]
fn nes2_battery_and_prg_nvram() {
    // PRG-RAM shift 6 → 4 KiB, PRG-NVRAM shift 7 → 8 KiB.
    let bytes = image(header([1, 1, 0x02, 0x08, 0, 0, 0x76, 0, 0, 0, 0, 0]), 24 * KIB);
    let h = Header::parse(&bytes).unwrap();
    assert!(h.battery);
    assert_eq!(h.prg_ram_size, 4 * KIB);
    assert_eq!(h.prg_nvram_size, 8 * KIB);
    assert_eq!(Cartridge::from_bytes(&bytes).unwrap().prg_ram.len(), 12 * KIB);
}

#[test]
fn ines_battery_makes_prg_ram_nonvolatile() {
    let mut bytes = ines(1, 1, 0x02, 0);
    bytes[8] = 2;
    let h = Header::parse(&image(bytes, 24 * KIB)).unwrap();
    assert!(h.battery);
    assert_eq!(h.prg_nvram_size, 16 * KIB);
    assert_eq!(h.prg_ram_size, 0);
}

#[test]
fn trainer_shifts_prg_and_lands_at_7000() {
    let mut bytes = ines(1, 1, 0x04, 0);
    bytes.extend([0xAA; TRAINER_LEN]);
    let bytes = image(bytes, 24 * KIB);
    let h = Header::parse(&bytes).unwrap();
    assert!(h.trainer);
    assert_eq!(h.prg_rom_offset(), 16 + 512);
    assert_eq!(h.chr_rom_offset(), 16 + 512 + 16 * KIB);

    let cart = Cartridge::from_bytes(&bytes).unwrap();
    assert_eq!(cart.trainer, Some([0xAA; TRAINER_LEN]));
    assert_eq!(cart.prg_rom, bytes[528..528 + 16 * KIB]);
    assert_eq!(cart.prg_rom[1], 1, "PRG-ROM starts right after the trainer");
    assert_eq!(cart.chr, bytes[528 + 16 * KIB..]);
    assert!(cart.prg_ram[0x1000..0x1200].iter().all(|&b| b == 0xAA));
    assert_eq!(cart.prg_ram[0x0FFF], 0);
    assert_eq!(cart.prg_ram[0x1200], 0);
}

#[test]
fn four_screen() {
    let h = Header::parse(&image(ines(1, 1, 0x09, 0), 24 * KIB)).unwrap();
    assert_eq!(h.mirroring, Mirroring::FourScreen);
    assert!(h.alternative_nametables);
}

#[test]
fn nes2_regions() {
    for (byte12, region) in [(0, Region::Ntsc), (1, Region::Pal), (2, Region::Multi), (3, Region::Dendy)] {
        let bytes = image(header([1, 1, 0, 0x08, 0, 0, 0, 0, byte12, 0, 0, 0]), 24 * KIB);
        assert_eq!(Header::parse(&bytes).unwrap().region, region);
    }
}

#[test]
fn nes2_extended_console() {
    let bytes = image(header([1, 1, 0, 0x0B, 0, 0, 0, 0, 0, 0x05, 0, 0]), 24 * KIB);
    assert_eq!(Header::parse(&bytes).unwrap().console, Console::Extended(5));
}

#[test]
fn longer_file_is_accepted_and_counted() {
    let bytes = image(ines(1, 1, 0, 0), 24 * KIB + 128);
    let cart = Cartridge::from_bytes(&bytes).unwrap();
    assert_eq!(cart.header.extra_bytes, 128);
    assert_eq!(cart.chr.len(), 8 * KIB);
}

#[test]
fn empty_file() {
    let err = Header::parse(&[]).unwrap_err();
    assert_eq!(err, CartridgeError::Empty);
    assert_eq!(err.to_string(), "file is empty");
}

#[test]
fn ten_byte_file() {
    let err = Cartridge::from_bytes(&ines(1, 1, 0, 0)[..10]).unwrap_err();
    assert_eq!(err, CartridgeError::Truncated { len: 10 });
    assert_eq!(err.to_string(), "file is 10 bytes, shorter than the 16-byte iNES header");
}

#[test]
fn bad_magic() {
    let mut bytes = image(ines(1, 1, 0, 0), 24 * KIB);
    bytes[..4].copy_from_slice(b"MZ\x90\x00");
    let err = Cartridge::from_bytes(&bytes).unwrap_err();
    assert_eq!(err, CartridgeError::BadMagic { found: *b"MZ\x90\x00" });
    assert_eq!(
        err.to_string(),
        "not an iNES ROM: expected \"NES\\x1A\" (4E 45 53 1A) at the start, found 4D 5A 90 00"
    );
}

#[test]
fn declared_larger_than_file() {
    let bytes = image(ines(1, 3, 0, 0), 24 * KIB);
    let err = Cartridge::from_bytes(&bytes).unwrap_err();
    assert_eq!(
        err.to_string(),
        "file is 24592 bytes but the header declares 40976 \
         (16 header + 16384 PRG-ROM + 24576 CHR-ROM)"
    );
}

#[test]
fn declared_larger_than_file_with_trainer() {
    let bytes = image(ines(1, 1, 0x04, 0), 24 * KIB);
    let err = Header::parse(&bytes).unwrap_err();
    assert_eq!(
        err.to_string(),
        "file is 24592 bytes but the header declares 25104 \
         (16 header + 512 trainer + 16384 PRG-ROM + 8192 CHR-ROM)"
    );
}

#[test]
fn zero_prg_banks() {
    let err = Header::parse(&image(ines(0, 1, 0, 0), 8 * KIB)).unwrap_err();
    assert_eq!(err, CartridgeError::NoPrgRom);
    assert_eq!(err.to_string(), "header declares 0 PRG-ROM banks");
}

#[test]
fn unsupported_mapper() {
    let bytes = image(ines(2, 1, 0x50, 0), 40 * KIB);
    let h = Header::parse(&bytes).unwrap();
    assert_eq!(h.mapper, 5);
    assert!(!h.mapper_supported());
    let err = Cartridge::from_bytes(&bytes).unwrap_err();
    assert_eq!(err.to_string(), "mapper 5 is not supported");

    // Mapper 4 submapper 3 is Acclaim's MC-ACC, whose IRQ counter we lack.
    let bytes = image(header([2, 1, 0x40, 0x08, 0x30, 0, 0, 0, 0, 0, 0, 0]), 40 * KIB);
    let err = Cartridge::from_bytes(&bytes).unwrap_err();
    assert_eq!(err.to_string(), "mapper 4 (submapper 3) is not supported");
}

#[test]
fn missing_file_is_an_io_error() {
    let err = Cartridge::load("/nonexistent/dynes/rom.nes").unwrap_err();
    assert!(matches!(err, CartridgeError::Io(_)));
    assert!(err.to_string().starts_with("cannot read file: "), "{err}");
}

#[test]
fn describe_for_info() {
    let h = Header::parse(&image(ines(2, 1, 0x03, 0), 40 * KIB)).unwrap();
    let rows = h.describe();
    let row = |label: &str| rows.iter().find(|(l, _)| *l == label).unwrap().1.clone();
    assert_eq!(row("format"), "iNES");
    assert_eq!(row("mapper"), "0 (NROM)");
    assert_eq!(row("PRG-ROM"), "32 KiB");
    assert_eq!(row("CHR-RAM"), "none");
    assert_eq!(row("PRG-NVRAM"), "8 KiB");
    assert_eq!(row("mirroring"), "vertical");
    assert_eq!(row("battery"), "yes");
    assert_eq!(row("supported"), "yes");
    assert!(h.to_string().contains("mapper       0 (NROM)\n"));
    assert_eq!(format_size(640), "640 bytes");
    assert_eq!(format_size(2 * 1024 * 1024), "2 MiB");
}

#[test]
fn no_input_panics() {
    // A small xorshift drives header bytes and file lengths over odd corners.
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for _ in 0..4_000 {
        let mut bytes = MAGIC.to_vec();
        for _ in 0..12 {
            bytes.push(next() as u8);
        }
        // Keep sizes small enough that some headers fit the file.
        bytes[4] &= 0x03;
        bytes[5] &= 0x03;
        let len = (next() % (80 * KIB as u64)) as usize;
        bytes.resize(len.max(bytes.len()), 0x5A);
        bytes.truncate(len);
        let _ = Header::parse(&bytes);
        if let Ok(cart) = Cartridge::from_bytes(&bytes) {
            let _ = crate::Mapper::new(cart);
        }
    }
}

#[test]
fn real_test_roms_parse() {
    let dir = std::env::var("DYNES_TEST_ROMS")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/nes-test-roms").into());
    let Ok(entries) = std::fs::read_dir(&dir) else {
        eprintln!("skipped: no test ROMs at {dir}");
        return;
    };
    let mut stack: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    let mut parsed = 0;
    while let Some(path) = stack.pop() {
        if path.is_dir() {
            stack.extend(std::fs::read_dir(&path).unwrap().flatten().map(|e| e.path()));
        } else if path.extension().is_some_and(|e| e.eq_ignore_ascii_case("nes")) {
            let bytes = std::fs::read(&path).unwrap();
            let header = Header::parse(&bytes);
            assert!(header.is_ok(), "{}: {}", path.display(), header.unwrap_err());
            parsed += 1;
        }
    }
    eprintln!("parsed {parsed} ROM headers from {dir}");
}
