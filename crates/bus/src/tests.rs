#![allow(clippy::unwrap_used)]

use dynes_cpu::Bus;

use crate::cartridge::MAGIC;
use crate::{Buttons, Cartridge, Mapper, Mirroring, NesBus};

const KIB: usize = 1024;

/// An iNES NROM image whose PRG byte at offset i is `prg(i)`.
fn nrom(prg_banks: u8, chr_banks: u8, prg: impl Fn(usize) -> u8) -> Vec<u8> {
    let mut bytes = MAGIC.to_vec();
    bytes.extend([prg_banks, chr_banks, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    bytes.extend((0..usize::from(prg_banks) * 16 * KIB).map(prg));
    bytes.extend((0..usize::from(chr_banks) * 8 * KIB).map(|i| (i % 253) as u8));
    bytes
}

fn bus_for(bytes: &[u8]) -> NesBus {
    NesBus::new(Mapper::new(Cartridge::from_bytes(bytes).unwrap()).unwrap())
}

/// NROM-128 whose PRG bytes are their offset's low byte xor high byte.
fn nrom_128_bus() -> NesBus {
    bus_for(&nrom(1, 1, |i| (i ^ (i >> 8)) as u8))
}

#[test]
fn ram_mirrors_every_2k() {
    let mut bus = nrom_128_bus();
    bus.write(0x0123, 0x42);
    for mirror in [0x0123, 0x0923, 0x1123, 0x1923] {
        assert_eq!(bus.read(mirror), 0x42, "${mirror:04X}");
        assert_eq!(bus.peek(mirror), 0x42);
    }
    bus.write(0x1FFF, 0x99);
    assert_eq!(bus.ram()[0x7FF], 0x99);
    bus.ram_mut()[0] = 7;
    assert_eq!(bus.read(0x1800), 7);
}

#[test]
fn controller_port_upper_bits_come_from_open_bus() {
    let mut bus = nrom_128_bus();
    bus.controller_mut(0).set_buttons(Buttons::A);
    bus.write(0x4016, 1);
    bus.write(0x4016, 0);
    bus.ram_mut()[0x10] = 0xFF;
    assert_eq!(bus.read(0x0010), 0xFF);
    // Bits 5-7 from the bus, 1-4 undriven (0), bit 0 the A button.
    assert_eq!(bus.read(0x4016), 0xE1);
    // That read left $E1 on the bus: the next button (B, released) reads $E0.
    assert_eq!(bus.read(0x4016), 0xE0);
    bus.ram_mut()[0x10] = 0x40;
    bus.read(0x0010);
    assert_eq!(bus.read(0x4017), 0x40);
    assert_eq!(bus.open_bus(), 0x40);
}

#[test]
fn unmapped_reads_return_the_last_bus_value() {
    let mut bus = nrom_128_bus();
    let rom = bus.read(0x8123);
    assert_eq!(rom, 0x23 ^ 0x01);
    assert_eq!(bus.read(0x5000), rom, "$5000 is open bus on NROM");
    bus.write(0x0000, 0x77);
    assert_eq!(bus.read(0x4000), 0x77);
    assert_eq!(bus.read(0x401F), 0x77);
    assert_eq!(bus.open_bus(), 0x77);
}

#[test]
fn ppu_registers_answer_through_the_io_latch() {
    let mut bus = nrom_128_bus();
    // $2001 is write-only: a read returns what was last written to the PPU.
    bus.write(0x2001, 0x5A);
    assert_eq!(bus.read(0x2001), 0x5A);
    // $2002 bits 0-4 come from the latch too; mirrored every 8 bytes.
    assert_eq!(bus.read(0x3FFA) & 0x1F, 0x1A);
}

#[test]
fn vram_round_trip_through_2006_and_2007() {
    let mut bus = nrom_128_bus();
    for (addr, value) in [(0x2006, 0x21), (0x2006, 0x08), (0x2007, 0xAB)] {
        bus.write(addr, value);
    }
    bus.write(0x2006, 0x21);
    bus.write(0x2006, 0x08);
    bus.read(0x2007); // fills the read buffer
    assert_eq!(bus.read(0x2007), 0xAB);
}

#[test]
fn nrom_without_declared_prg_ram_leaves_6000_open() {
    // NES 2.0 header, mapper 0, no PRG-RAM.
    let mut bytes = nrom(1, 1, |_| 0xEA);
    bytes[7] = 0x08;
    let mut bus = bus_for(&bytes);
    assert!(bus.mapper().prg_ram().is_empty());
    bus.write(0x6000, 0x12);
    assert_eq!(bus.read(0x8000), 0xEA);
    assert_eq!(bus.read(0x6000), 0xEA);
    assert_eq!(bus.peek(0x6000), 0xFF);
}

#[test]
fn nrom_prg_ram_at_6000() {
    let mut bus = nrom_128_bus();
    bus.write(0x6000, 0xDE);
    bus.write(0x7FFF, 0xAD);
    assert_eq!(bus.read(0x6000), 0xDE);
    assert_eq!(bus.read(0x7FFF), 0xAD);
    assert_eq!(bus.mapper().prg_ram()[0x1FFF], 0xAD);
    bus.mapper_mut().prg_ram_mut()[1] = 0x55;
    assert_eq!(bus.peek(0x6001), 0x55);
}

#[test]
fn nrom_128_mirrors_8000_into_c000() {
    let mut bus = nrom_128_bus();
    for offset in [0x0000, 0x0001, 0x1234, 0x3FFC, 0x3FFF] {
        let low = bus.read(0x8000 + offset);
        assert_eq!(bus.read(0xC000 + offset), low, "offset ${offset:04X}");
        assert_eq!(low, (offset ^ (offset >> 8)) as u8);
    }
    // Writes to ROM change nothing.
    bus.write(0xC000, 0xFF);
    assert_eq!(bus.read(0xC000), 0x00);
    assert_eq!(bus.read(0x8000), 0x00);
}

#[test]
fn nrom_256_maps_32k() {
    let mut bus = bus_for(&nrom(2, 1, |i| (i >> 8) as u8));
    assert_eq!(bus.read(0x8000), 0x00);
    assert_eq!(bus.read(0xC000), 0x40);
    assert_eq!(bus.read(0xFFFF), 0x7F);
    assert_eq!(bus.peek(0xBFFF), 0x3F);
}

#[test]
fn nrom_chr_rom_and_chr_ram() {
    let mut rom = Mapper::new(Cartridge::from_bytes(&nrom(1, 1, |_| 0)).unwrap()).unwrap();
    assert_eq!(rom.ppu_read(0x0102), (0x102 % 253) as u8);
    rom.ppu_write(0x0102, 0xFF);
    assert_eq!(rom.ppu_read(0x0102), (0x102 % 253) as u8, "CHR-ROM ignores writes");
    assert_eq!(rom.mirroring(), Mirroring::Vertical);

    let mut ram = Mapper::new(Cartridge::from_bytes(&nrom(1, 0, |_| 0)).unwrap()).unwrap();
    assert_eq!(ram.ppu_read(0x1FFF), 0);
    ram.ppu_write(0x1FFF, 0xA5);
    assert_eq!(ram.ppu_read(0x1FFF), 0xA5);
}

#[test]
fn controller_strobe_and_serial_order() {
    let mut bus = nrom_128_bus();
    bus.controller_mut(0).set_buttons(Buttons::A | Buttons::START | Buttons::RIGHT);
    bus.write(0x4016, 1);
    // Strobe high: every read is the A button, nothing shifts.
    for _ in 0..3 {
        assert_eq!(bus.read(0x4016) & 1, 1);
    }
    bus.write(0x4016, 0);
    let bits: Vec<u8> = (0..10).map(|_| bus.read(0x4016) & 1).collect();
    // A, B, Select, Start, Up, Down, Left, Right, then 1s.
    assert_eq!(bits, [1, 0, 0, 1, 0, 0, 0, 1, 1, 1]);
    // Port 2 was strobed too but holds nothing.
    let bits: Vec<u8> = (0..9).map(|_| bus.read(0x4017) & 1).collect();
    assert_eq!(bits, [0, 0, 0, 0, 0, 0, 0, 0, 1]);
}

#[test]
fn controller_strobe_follows_live_buttons() {
    let mut pad = crate::Controller::new();
    pad.write_strobe(1);
    assert_eq!(pad.read(), 0);
    pad.set_buttons(Buttons::A | Buttons::B);
    assert_eq!(pad.peek(), 1);
    assert_eq!(pad.read(), 1);
    pad.write_strobe(0);
    pad.set_buttons(Buttons::NONE);
    // Latched at the falling edge: A and B are still reported.
    assert_eq!(pad.peek(), 1);
    assert_eq!(pad.read(), 1);
    assert_eq!(pad.read(), 1);
    assert_eq!(pad.read(), 0);

    let mut held = Buttons::NONE;
    held.set(Buttons::UP | Buttons::LEFT, true);
    held.set(Buttons::UP, false);
    assert!(held.contains(Buttons::LEFT) && !held.contains(Buttons::UP));
    assert_eq!(held.bits(), 0x40);
}

#[test]
fn one_cycle_per_access_and_peek_is_free() {
    let mut bus = nrom_128_bus();
    assert_eq!(bus.cycle(), 0);
    bus.read(0x0000);
    bus.read(0x8000);
    bus.read(0x2002);
    bus.read(0x4016);
    bus.read(0x5000);
    bus.write(0x0000, 1);
    bus.write(0x4016, 0);
    bus.write(0x6000, 2);
    bus.write(0x8000, 3);
    assert_eq!(bus.cycle(), 9);
    let open = bus.open_bus();
    bus.peek(0x0000);
    bus.peek(0x4016);
    bus.peek(0xC000);
    assert_eq!(bus.cycle(), 9);
    assert_eq!(bus.open_bus(), open);
    bus.set_cycle(1000);
    bus.read(0x0000);
    assert_eq!(bus.cycle(), 1001);
}

#[test]
fn peek_shows_ff_for_io() {
    let mut bus = nrom_128_bus();
    bus.write(0x0000, 0x12);
    // The PPU's write-only registers answer its I/O latch, here still 0.
    assert_eq!(bus.peek(0x2000), 0x00);
    assert_eq!(bus.peek(0x4016), 0xFF);
    assert_eq!(bus.peek(0x5000), 0xFF);
    assert_eq!(bus.peek(0x0800), 0x12);
    assert_eq!(bus.peek(0x8001), 0x01);
}

#[test]
fn nestest_rom_maps_its_entry_point() {
    let dir = std::env::var("DYNES_TEST_ROMS")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/nes-test-roms").into());
    let path = std::path::Path::new(&dir).join("other/nestest.nes");
    if !path.exists() {
        eprintln!("skipped: {} not found", path.display());
        return;
    }
    let cart = Cartridge::load(&path).unwrap();
    assert_eq!(cart.header.mapper, 0);
    let bus = NesBus::new(Mapper::new(cart).unwrap());
    // Automation mode starts with JMP at $C000.
    assert_eq!(bus.peek(0xC000), 0x4C);
}

#[test]
fn mapper_sees_the_cycle_of_each_write() {
    use crate::mapper::test_rom::{TestRom, KIB};

    // MMC1 with 128 KiB PRG in 16 KiB banks numbered by their bytes.
    let cart = TestRom::new(1, 128 * KIB, 16 * KIB, 0, 8 * KIB).cart();
    let mut bus = NesBus::new(Mapper::new(cart).unwrap());
    // Two writes on consecutive cycles, as a read-modify-write makes: MMC1
    // takes the first bit and ignores the second.
    bus.write(0xE000, 1);
    bus.write(0xE000, 1);
    // Four more bits, each followed by another cycle as a store would be.
    for _ in 0..4 {
        bus.read(0x0000);
        bus.write(0xE000, 0);
    }
    assert_eq!(bus.peek(0x8000), 1, "loaded %00001, not %00011");
    assert_eq!(bus.peek(0xC000), 7);
}

#[test]
fn pal_runs_3_2_dots_per_cycle() {
    let cart = Cartridge::from_bytes(&nrom(1, 1, |i| i as u8)).unwrap();
    let mut bus = NesBus::with_tv_system(Mapper::new(cart).unwrap(), crate::TvSystem::Pal);
    // 5 cycles are 16 dots: the PPU is caught up to whole cycles on demand.
    for _ in 0..5 {
        bus.read(0x0000);
    }
    bus.sync_ppu();
    assert_eq!(bus.ppu().dots(), 16);
    // The first vblank (dot 241 * 341 + 1) ends a frame after that many dots.
    let vblank_dot = 241 * 341 + 1;
    assert_eq!(bus.next_vblank_cycle(), ((vblank_dot + 1) * 5u64).div_ceil(16));
}
