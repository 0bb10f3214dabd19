//! The NES picture processing unit: the NTSC Ricoh 2C02, dot by dot.
//!
//! The PPU is driven from outside: [`Ppu::run_to`] processes dots up to an
//! absolute dot count ("catch-up"), and the CPU side reads and writes the
//! eight registers at the exact dot it reaches them. Output is a frame of
//! 256x240 palette indices with the emphasis bits on top; RGB conversion
//! belongs to the frontend.

mod render;

/// Pixels per line and visible lines.
pub const WIDTH: usize = 256;
/// Visible lines.
pub const HEIGHT: usize = 240;
/// Dots per scanline.
pub const DOTS_PER_LINE: u16 = 341;
/// Scanlines per frame on NTSC, pre-render line included.
pub const LINES_PER_FRAME: u16 = 262;
/// Dots after which an undriven I/O latch bit reads 0 (about 600 ms).
const LATCH_DECAY_DOTS: u64 = 3_200_000;
/// The line on whose dot 1 the vblank flag is set.
pub const VBLANK_LINE: u16 = 241;
/// The pre-render line on NTSC.
pub const PRE_RENDER_LINE: u16 = 261;

/// Which PPU: the NTSC 2C02 or the PAL 2C07.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Region {
    /// 2C02: 262 lines, 60 Hz, the odd-frame dot skip.
    #[default]
    Ntsc,
    /// 2C07: 312 lines (70 of vblank), 50 Hz, no dot skip.
    Pal,
}

impl Region {
    /// Scanlines per frame, pre-render line included.
    pub const fn lines_per_frame(self) -> u16 {
        match self {
            Region::Ntsc => 262,
            Region::Pal => 312,
        }
    }
}

/// The PPU's view of the cartridge and console VRAM: pattern tables at
/// $0000-$1FFF and nametables at $2000-$2FFF (mirrored to $3EFF).
pub trait PpuBus {
    /// A PPU bus read (pattern or nametable fetch, $2007 read).
    fn read(&mut self, addr: u16) -> u8;
    /// A PPU bus write ($2007 write).
    fn write(&mut self, addr: u16, value: u8);
    /// The PPU put `addr` on its address bus while processing dot number
    /// `dot` (fetches, $2006 and $2007): boards that watch A12 see it here.
    #[inline]
    fn drive_address(&mut self, _addr: u16, _dot: u64) {}
}

/// The 2C02. Serializable whole for save states, the last frame included.
#[derive(Clone, serde::Serialize, serde::Deserialize)]
pub struct Ppu {
    // Registers.
    pub(crate) ctrl: u8,
    pub(crate) mask: u8,
    pub(crate) status: u8,
    pub(crate) oam_addr: u8,
    /// Current VRAM address (15 bits) and its temporary copy (loopy v/t).
    pub(crate) v: u16,
    pub(crate) t: u16,
    pub(crate) fine_x: u8,
    /// First/second write toggle of $2005/$2006.
    pub(crate) w: bool,
    pub(crate) read_buffer: u8,
    /// The PPU's I/O data latch: what write-only registers read back.
    pub(crate) io_latch: u8,
    /// When each latch bit was last driven: undriven bits decay to 0.
    pub(crate) latch_driven_at: [u64; 8],
    #[serde(with = "serde_bytes")]
    pub(crate) oam: [u8; 256],
    pub(crate) palette: [u8; 32],

    // Position: the next dot to process.
    pub(crate) scanline: u16,
    pub(crate) dot: u16,
    pub(crate) odd_frame: bool,
    /// Dots processed since power-on.
    pub(crate) dots: u64,
    pub(crate) region: Region,
    /// The last line of the frame (261 NTSC, 311 PAL).
    pub(crate) pre_render_line: u16,
    /// Frames completed (counted at the start of vblank).
    pub(crate) frames: u64,
    /// A $2002 read one dot before vblank: the flag is not set this frame.
    pub(crate) suppress_vblank: bool,
    /// `rendering_enabled()` as of the end of the previous dot: a $2001
    /// write reaches the odd-frame skip logic one dot late.
    pub(crate) rendering_delayed: bool,
    /// The dot of this line at which sprite evaluation finds a ninth sprite.
    pub(crate) overflow_dot: Option<u16>,

    // Background pipeline.
    pub(crate) nt_latch: u8,
    pub(crate) at_latch: u8,
    pub(crate) pattern_lo_latch: u8,
    pub(crate) pattern_hi_latch: u8,
    pub(crate) bg_lo: u16,
    pub(crate) bg_hi: u16,
    pub(crate) at_lo: u16,
    pub(crate) at_hi: u16,

    // Sprites of the line being drawn, and of the next one.
    pub(crate) line_sprites: render::LineSprites,
    pub(crate) next_sprites: render::LineSprites,

    #[serde(with = "frame_serde")]
    pub(crate) frame: Box<[u16; WIDTH * HEIGHT]>,
}

/// The frame buffer in save states: a sequence of pixels that must be
/// exactly one frame long.
mod frame_serde {
    use super::{HEIGHT, WIDTH};
    use serde::{de::Error, Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(
        frame: &[u16; WIDTH * HEIGHT],
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(frame.iter())
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Box<[u16; WIDTH * HEIGHT]>, D::Error> {
        let pixels = Vec::<u16>::deserialize(deserializer)?;
        let len = pixels.len();
        pixels
            .into_boxed_slice()
            .try_into()
            .map_err(|_| D::Error::invalid_length(len, &"one frame of 256x240 pixels"))
    }
}

impl Default for Ppu {
    fn default() -> Self {
        Self::new()
    }
}

impl Ppu {
    /// An NTSC PPU at power-on: registers clear, at scanline 0, dot 0.
    pub fn new() -> Ppu {
        Ppu::with_region(Region::Ntsc)
    }

    /// A PPU of `region` at power-on.
    pub fn with_region(region: Region) -> Ppu {
        Ppu {
            region,
            pre_render_line: region.lines_per_frame() - 1,
            ctrl: 0,
            mask: 0,
            status: 0,
            oam_addr: 0,
            v: 0,
            t: 0,
            fine_x: 0,
            w: false,
            read_buffer: 0,
            io_latch: 0,
            latch_driven_at: [0; 8],
            oam: [0; 256],
            palette: [0; 32],
            scanline: 0,
            dot: 0,
            odd_frame: false,
            dots: 0,
            frames: 0,
            suppress_vblank: false,
            rendering_delayed: false,
            overflow_dot: None,
            nt_latch: 0,
            at_latch: 0,
            pattern_lo_latch: 0,
            pattern_hi_latch: 0,
            bg_lo: 0,
            bg_hi: 0,
            at_lo: 0,
            at_hi: 0,
            line_sprites: render::LineSprites::default(),
            next_sprites: render::LineSprites::default(),
            frame: Box::new([0; WIDTH * HEIGHT]),
        }
    }

    /// The reset button: $2000/$2001 and the write toggle clear; the
    /// position and VRAM are kept.
    pub fn reset(&mut self) {
        self.ctrl = 0;
        self.mask = 0;
        self.w = false;
        self.read_buffer = 0;
    }

    /// Processes dots until `dots` have been processed since power-on.
    #[inline]
    pub fn run_to(&mut self, dots: u64, bus: &mut impl PpuBus) {
        while self.dots < dots {
            if self.idle_line() {
                // Nothing happens on these dots: skip to the line's end.
                let step = (dots - self.dots).min((DOTS_PER_LINE - self.dot) as u64) as u16;
                self.dots += step as u64;
                self.dot += step;
                if self.dot == DOTS_PER_LINE {
                    self.dot = 0;
                    self.scanline += 1;
                }
                self.rendering_delayed = self.rendering_enabled();
                continue;
            }
            self.tick(bus);
        }
    }

    /// Whether the rest of the current line does nothing: the post-render
    /// line and vblank, except dots 0-1 of the line that sets the flag.
    #[inline]
    fn idle_line(&self) -> bool {
        let line = self.scanline;
        line >= HEIGHT as u16 && line < self.pre_render_line && !(line == VBLANK_LINE && self.dot <= 1)
    }

    /// Dots processed since power-on.
    pub fn dots(&self) -> u64 {
        self.dots
    }

    /// (scanline, dot) of the next dot to process.
    pub fn position(&self) -> (u16, u16) {
        (self.scanline, self.dot)
    }

    /// NTSC or PAL.
    pub fn region(&self) -> Region {
        self.region
    }

    /// Frames completed (a frame completes when vblank starts).
    pub fn frames(&self) -> u64 {
        self.frames
    }

    /// The level of /NMI: vblank flag and NMI enable both set.
    #[inline]
    pub fn nmi_line(&self) -> bool {
        self.status & self.ctrl & 0x80 != 0
    }

    /// The last frame: palette index (bits 0-5) and emphasis (bits 6-8) per pixel.
    pub fn frame(&self) -> &[u16; WIDTH * HEIGHT] {
        &self.frame
    }

    /// Whether background or sprite rendering is enabled.
    #[inline]
    pub fn rendering_enabled(&self) -> bool {
        self.mask & 0x18 != 0
    }

    /// Dots from now until the PPU next changes something the CPU can feel
    /// by itself (vblank set at 241,1 or cleared at 261,1), counting the dot
    /// of the event: the event happens while processing dot `dots() + n`.
    pub fn dots_until_event(&self) -> u64 {
        let to_set = self.dots_until(VBLANK_LINE, 1);
        let to_clear = self.dots_until(self.pre_render_line, 1);
        to_set.min(to_clear)
    }

    /// Dots from now until the next pattern fetch at which PPU A12 can rise
    /// after a long low: the sprite slots (dots 261-317) and the first
    /// background prefetch (325). One early, so the odd-frame skip cannot
    /// make it late.
    pub fn dots_until_a12_candidate(&self) -> u64 {
        const CANDIDATES: [u16; 9] = [261, 269, 277, 285, 293, 301, 309, 317, 325];
        let dot = self.dot;
        let n = match CANDIDATES.iter().find(|&&c| c >= dot) {
            Some(&c) => (c - dot) as u64,
            None => (DOTS_PER_LINE - dot + CANDIDATES[0]) as u64,
        };
        n.saturating_sub(1)
    }

    /// Dots from now until the start of the next vblank (the end of the
    /// visible frame): it happens while processing dot `dots() + n`.
    pub fn dots_until_vblank(&self) -> u64 {
        self.dots_until(VBLANK_LINE, 1)
    }

    /// Dots to process before (line, dot) is processed, assuming rendering
    /// stays as it is (a change comes through a register write, after which
    /// callers ask again).
    fn dots_until(&self, line: u16, dot: u16) -> u64 {
        let frame_len = self.region.lines_per_frame() as u64 * DOTS_PER_LINE as u64;
        let here = self.scanline as u64 * DOTS_PER_LINE as u64 + self.dot as u64;
        let there = line as u64 * DOTS_PER_LINE as u64 + dot as u64;
        if there >= here {
            return there - here;
        }
        // Wrapping through the pre-render line, whose last dot is skipped on
        // odd frames while rendering.
        let skip_ahead = self.region == Region::Ntsc
            && self.odd_frame
            && (self.rendering_enabled() || self.rendering_delayed)
            && here <= self.pre_render_line as u64 * DOTS_PER_LINE as u64 + 339;
        frame_len - here + there - skip_ahead as u64
    }

    // ---- registers ----

    /// The I/O latch as it reads now: bits not driven for about 600 ms
    /// have decayed to 0.
    fn latch(&self) -> u8 {
        (0..8)
            .filter(|&bit| self.dots.saturating_sub(self.latch_driven_at[bit]) < LATCH_DECAY_DOTS)
            .fold(0, |value, bit| value | (self.io_latch & (1 << bit)))
    }

    /// Drives the latch bits in `mask` with `value`.
    fn drive_latch(&mut self, value: u8, mask: u8) {
        self.io_latch = (self.latch() & !mask) | (value & mask);
        for bit in 0..8 {
            if mask & (1 << bit) != 0 {
                self.latch_driven_at[bit] = self.dots;
            }
        }
    }

    /// A CPU read of $2000-$2007 (`reg` = address & 7).
    pub fn read_register(&mut self, reg: u16, bus: &mut impl PpuBus) -> u8 {
        let (value, driven) = match reg & 7 {
            2 => {
                let value = (self.status & 0xE0) | (self.latch() & 0x1F);
                // One dot before the flag would be set: it reads clear and
                // stays clear for this frame (so no NMI either).
                if self.scanline == VBLANK_LINE && self.dot == 1 {
                    self.suppress_vblank = true;
                }
                self.status &= !0x80;
                self.w = false;
                (value, 0xE0)
            }
            4 => (self.read_oam_data(), 0xFF),
            7 => {
                let palette = self.v & 0x3F00 == 0x3F00;
                (self.read_data(bus), if palette { 0x3F } else { 0xFF })
            }
            _ => (self.latch(), 0),
        };
        self.drive_latch(value, driven);
        value
    }

    /// Reads $2004 without side effects (for debuggers and peeks).
    pub fn peek_register(&self, reg: u16) -> u8 {
        match reg & 7 {
            2 => (self.status & 0xE0) | (self.latch() & 0x1F),
            4 => self.read_oam_data(),
            _ => self.latch(),
        }
    }

    /// A CPU write of $2000-$2007 (`reg` = address & 7).
    pub fn write_register(&mut self, reg: u16, value: u8, bus: &mut impl PpuBus) {
        self.drive_latch(value, 0xFF);
        match reg & 7 {
            0 => {
                self.ctrl = value;
                self.t = (self.t & 0xF3FF) | ((value as u16 & 0x03) << 10);
            }
            1 => self.mask = value,
            3 => self.oam_addr = value,
            4 => self.write_oam_data(value),
            5 => {
                if !self.w {
                    self.t = (self.t & 0xFFE0) | (value as u16 >> 3);
                    self.fine_x = value & 0x07;
                } else {
                    self.t = (self.t & 0x8C1F) | ((value as u16 & 0x07) << 12) | ((value as u16 & 0xF8) << 2);
                }
                self.w = !self.w;
            }
            6 => {
                if !self.w {
                    self.t = (self.t & 0x00FF) | ((value as u16 & 0x3F) << 8);
                } else {
                    self.t = (self.t & 0xFF00) | value as u16;
                    self.v = self.t;
                    bus.drive_address(self.v & 0x3FFF, self.dots);
                }
                self.w = !self.w;
            }
            7 => {
                let addr = self.v & 0x3FFF;
                if addr >= 0x3F00 {
                    self.palette[palette_index(addr)] = value & 0x3F;
                } else {
                    bus.drive_address(addr, self.dots);
                    bus.write(addr, value);
                }
                self.increment_v_after_data_access(bus);
            }
            _ => {} // $2002 is read-only; the write only fills the latch.
        }
    }

    /// One OAM DMA byte (the write half of a $4014 transfer cycle).
    pub fn write_oam_dma(&mut self, value: u8) {
        self.write_oam_data(value);
    }

    fn write_oam_data(&mut self, value: u8) {
        self.oam[self.oam_addr as usize] = value;
        self.oam_addr = self.oam_addr.wrapping_add(1);
    }

    fn read_oam_data(&self) -> u8 {
        // During rendering the OAM bus is busy clearing secondary OAM ($FF)
        // on dots 1-64 of visible lines.
        if self.rendering_enabled() && self.scanline < HEIGHT as u16 && (1..=64).contains(&self.dot) {
            return 0xFF;
        }
        let value = self.oam[self.oam_addr as usize];
        // Bits 2-4 of the attribute byte do not exist.
        if self.oam_addr & 3 == 2 {
            value & 0xE3
        } else {
            value
        }
    }

    fn read_data(&mut self, bus: &mut impl PpuBus) -> u8 {
        let addr = self.v & 0x3FFF;
        let value = if addr >= 0x3F00 {
            // Palette reads bypass the buffer, which gets the nametable
            // byte underneath instead.
            self.read_buffer = self.fetch(bus, addr - 0x1000);
            let mut color = self.palette[palette_index(addr)];
            if self.mask & 0x01 != 0 {
                color &= 0x30;
            }
            color | (self.latch() & 0xC0)
        } else {
            let buffered = self.read_buffer;
            self.read_buffer = self.fetch(bus, addr);
            buffered
        };
        self.increment_v_after_data_access(bus);
        value
    }

    /// A PPU bus read with its address driven first.
    #[inline]
    pub(crate) fn fetch(&self, bus: &mut impl PpuBus, addr: u16) -> u8 {
        bus.drive_address(addr, self.dots);
        bus.read(addr)
    }

    /// $2007 accesses advance v by 1 or 32; while rendering, they glitch
    /// into the coarse-X and Y increments instead. Outside rendering the new
    /// address goes out on the bus (A12 watchers see it).
    fn increment_v_after_data_access(&mut self, bus: &mut impl PpuBus) {
        let rendering_line = self.scanline < HEIGHT as u16 || self.scanline == self.pre_render_line;
        if self.rendering_enabled() && rendering_line {
            self.increment_x();
            self.increment_y();
        } else {
            let step = if self.ctrl & 0x04 != 0 { 32 } else { 1 };
            self.v = (self.v + step) & 0x7FFF;
            bus.drive_address(self.v & 0x3FFF, self.dots);
        }
    }
}

/// Palette RAM index of a $3F00-$3FFF address: 32 entries, where the
/// sprite palettes' entry 0 ($3F10/14/18/1C) mirrors the background's.
#[inline]
pub(crate) fn palette_index(addr: u16) -> usize {
    let index = addr as usize & 0x1F;
    if index & 0x13 == 0x10 {
        index & 0x0F
    } else {
        index
    }
}
#[cfg(test)]
mod tests;
