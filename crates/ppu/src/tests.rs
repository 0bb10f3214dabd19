//! PPU behaviour at the register and dot level.

use crate::{Ppu, PpuBus, DOTS_PER_LINE, PRE_RENDER_LINE, VBLANK_LINE};

/// 16 KiB of flat PPU memory.
struct Vram(Vec<u8>);

impl PpuBus for Vram {
    fn read(&mut self, addr: u16) -> u8 {
        self.0[addr as usize & 0x3FFF]
    }
    fn write(&mut self, addr: u16, value: u8) {
        self.0[addr as usize & 0x3FFF] = value;
    }
}

fn setup() -> (Ppu, Vram) {
    (Ppu::new(), Vram(vec![0; 0x4000]))
}

fn dot_of(line: u16, dot: u16) -> u64 {
    line as u64 * DOTS_PER_LINE as u64 + dot as u64
}

#[test]
fn vblank_sets_at_241_1_and_clears_at_261_1() {
    let (mut ppu, mut vram) = setup();
    ppu.run_to(dot_of(VBLANK_LINE, 1), &mut vram);
    assert_eq!(ppu.status & 0x80, 0, "not before dot 1 is processed");
    ppu.run_to(dot_of(VBLANK_LINE, 2), &mut vram);
    assert_eq!(ppu.status & 0x80, 0x80);
    assert_eq!(ppu.frames(), 1);
    ppu.run_to(dot_of(PRE_RENDER_LINE, 2), &mut vram);
    assert_eq!(ppu.status & 0x80, 0);
}

#[test]
fn nmi_line_follows_flag_and_enable() {
    let (mut ppu, mut vram) = setup();
    ppu.write_register(0, 0x80, &mut vram);
    ppu.run_to(dot_of(VBLANK_LINE, 2), &mut vram);
    assert!(ppu.nmi_line());
    // Reading $2002 clears the flag and with it the line.
    assert_eq!(ppu.read_register(2, &mut vram) & 0x80, 0x80);
    assert!(!ppu.nmi_line());
}

#[test]
fn status_read_one_dot_early_suppresses_vblank() {
    let (mut ppu, mut vram) = setup();
    ppu.write_register(0, 0x80, &mut vram);
    ppu.run_to(dot_of(VBLANK_LINE, 1), &mut vram);
    assert_eq!(ppu.read_register(2, &mut vram) & 0x80, 0);
    ppu.run_to(dot_of(VBLANK_LINE, 10), &mut vram);
    assert_eq!(ppu.status & 0x80, 0);
    assert!(!ppu.nmi_line());
}

#[test]
fn event_prediction_matches_the_clock() {
    let (mut ppu, mut vram) = setup();
    let n = ppu.dots_until_event();
    ppu.run_to(n, &mut vram);
    assert_eq!(ppu.status & 0x80, 0);
    ppu.run_to(n + 1, &mut vram);
    assert_eq!(ppu.status & 0x80, 0x80);
    // Next: the clear on the pre-render line.
    let n = ppu.dots() + ppu.dots_until_event();
    ppu.run_to(n, &mut vram);
    assert_eq!(ppu.status & 0x80, 0x80);
    ppu.run_to(n + 1, &mut vram);
    assert_eq!(ppu.status & 0x80, 0);
}

#[test]
fn odd_frames_are_one_dot_shorter_while_rendering() {
    let (mut ppu, mut vram) = setup();
    ppu.write_register(1, 0x08, &mut vram);
    let frame = 262 * 341;
    // Frame 0 (even) is full length; frame 1 (odd) skips a dot.
    ppu.run_to(frame as u64, &mut vram);
    assert_eq!(ppu.position(), (0, 0));
    ppu.run_to(2 * frame as u64 - 1, &mut vram);
    assert_eq!(ppu.position(), (0, 0));
}

#[test]
fn data_port_buffers_reads_except_palette() {
    let (mut ppu, mut vram) = setup();
    vram.0[0x2345] = 0x42;
    vram.0[0x2F00] = 0x99;
    for (reg, value) in [(6, 0x23), (6, 0x45)] {
        ppu.write_register(reg, value, &mut vram);
    }
    ppu.read_register(7, &mut vram);
    assert_eq!(ppu.read_register(7, &mut vram), 0x42);
    // Palette: immediate, and the buffer gets the nametable byte below.
    ppu.write_register(6, 0x3F, &mut vram);
    ppu.write_register(6, 0x10, &mut vram);
    ppu.write_register(7, 0x2C, &mut vram);
    ppu.write_register(6, 0x3F, &mut vram);
    ppu.write_register(6, 0x00, &mut vram);
    assert_eq!(ppu.read_register(7, &mut vram) & 0x3F, 0x2C, "$3F10 mirrors $3F00");
    assert_eq!(ppu.read_buffer, 0x99);
}

#[test]
fn scroll_registers_fill_t_and_fine_x() {
    let (mut ppu, mut vram) = setup();
    ppu.write_register(0, 0x03, &mut vram);
    ppu.write_register(5, 0x7D, &mut vram); // coarse X 15, fine X 5
    ppu.write_register(5, 0x5E, &mut vram); // coarse Y 11, fine Y 6
    assert_eq!(ppu.fine_x, 5);
    assert_eq!(ppu.t, 0x0C00 | 0x6000 | (11 << 5) | 15);
    // $2002 resets the toggle.
    ppu.write_register(6, 0x3F, &mut vram);
    ppu.read_register(2, &mut vram);
    ppu.write_register(6, 0x21, &mut vram);
    ppu.write_register(6, 0x00, &mut vram);
    assert_eq!(ppu.v, 0x2100);
}

#[test]
fn sprite_zero_hit_and_overflow() {
    let (mut ppu, mut vram) = setup();
    // Tile 1 solid in plane 0 for both tables; nametable full of tile 1.
    for row in 0..8 {
        vram.0[0x10 + row] = 0xFF;
    }
    vram.0[0x2000..0x23C0].fill(1);
    // Sprite 0 at (100, 50) with tile 1, and 9 sprites on line 120.
    ppu.oam[..4].copy_from_slice(&[49, 1, 0, 100]);
    for i in 1..10 {
        ppu.oam[i * 4..i * 4 + 4].copy_from_slice(&[120, 1, 0, 10 * i as u8]);
    }
    for i in 10..64 {
        ppu.oam[i * 4] = 0xF0;
    }
    ppu.write_register(1, 0x1E, &mut vram);
    ppu.run_to(dot_of(VBLANK_LINE, 0), &mut vram);
    assert_eq!(ppu.status & 0x60, 0x60, "sprite 0 hit and overflow");
}

#[test]
fn io_latch_decays_when_not_driven() {
    let (mut ppu, mut vram) = setup();
    ppu.write_register(0, 0xFF, &mut vram);
    assert_eq!(ppu.read_register(1, &mut vram), 0xFF, "write-only registers read the latch");
    // $2002 drives only bits 5-7; after ~600 ms the low bits have decayed.
    ppu.run_to(3_300_000, &mut vram);
    assert_eq!(ppu.read_register(2, &mut vram) & 0x1F, 0);
    assert_eq!(ppu.read_register(1, &mut vram) & 0x1F, 0);
}

#[test]
fn pal_frames_have_312_lines_and_no_skipped_dot() {
    let mut ppu = Ppu::with_region(crate::Region::Pal);
    let mut vram = Vram(vec![0; 0x4000]);
    ppu.write_register(1, 0x08, &mut vram);
    let frame = 312 * 341;
    ppu.run_to(frame, &mut vram);
    assert_eq!(ppu.position(), (0, 0));
    ppu.run_to(2 * frame, &mut vram);
    assert_eq!(ppu.position(), (0, 0), "odd PAL frames are full length");
    // Vblank still starts on line 241 and ends on the pre-render line, 311.
    ppu.run_to(2 * frame + 241 * 341 + 2, &mut vram);
    assert_eq!(ppu.status & 0x80, 0x80);
    assert_eq!(ppu.dots_until_event(), (311 - 241) * 341 - 1);
}

#[test]
fn catching_up_across_idle_lines_lands_on_the_exact_dot() {
    let (mut ppu, mut vram) = setup();
    let start = dot_of(245, 7);
    ppu.run_to(start, &mut vram);
    assert_eq!(ppu.position(), (245, 7));
    // A distance that is a multiple of 2^16 from inside vblank.
    ppu.run_to(start + 65_536, &mut vram);
    let total = start + 65_536;
    let frame = 262 * 341;
    let within = total % frame;
    assert_eq!(ppu.dots(), total);
    assert_eq!(ppu.position(), ((within / 341) as u16, (within % 341) as u16));
}
