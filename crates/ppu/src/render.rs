//! The dot clock: background fetch pipeline, sprite evaluation and fetches,
//! pixel output, vblank.

use crate::{palette_index, Ppu, PpuBus, Region, DOTS_PER_LINE, HEIGHT, VBLANK_LINE, WIDTH};

/// Up to eight sprites found for one scanline, with their fetched pattern rows.
#[derive(Clone, Copy, Default, serde::Serialize, serde::Deserialize)]
pub(crate) struct LineSprites {
    pub count: usize,
    /// OAM bytes (y, tile, attributes, x) of each sprite, in OAM order.
    pub entries: [[u8; 4]; 8],
    /// Pattern rows, already flipped horizontally when the sprite asks.
    pub pattern_lo: [u8; 8],
    pub pattern_hi: [u8; 8],
    /// Sprite 0 is among them.
    pub has_sprite0: bool,
}

impl Ppu {
    /// Processes one dot.
    #[inline]
    pub(crate) fn tick(&mut self, bus: &mut impl PpuBus) {
        let line = self.scanline;
        let pre_render = self.pre_render_line;
        if line < HEIGHT as u16 || line == pre_render {
            if line == pre_render && self.dot == 1 {
                // Vblank, sprite 0 hit and overflow clear together.
                self.status &= !0xE0;
            }
            if self.rendering_enabled() {
                self.render_dot(bus, line == pre_render);
            } else if line < HEIGHT as u16 && (1..=256).contains(&self.dot) {
                self.output_backdrop();
            }
        } else if line == VBLANK_LINE && self.dot == 1 {
            if !self.suppress_vblank {
                self.status |= 0x80;
            }
            self.suppress_vblank = false;
            self.frames += 1;
        }
        self.advance();
    }

    fn advance(&mut self) {
        self.dots += 1;
        // Odd frames skip the pre-render line's last dot while rendering.
        let skip = self.scanline == self.pre_render_line
            && self.dot == 339
            && self.odd_frame
            && self.rendering_delayed
            && self.region == Region::Ntsc;
        self.rendering_delayed = self.rendering_enabled();
        self.dot += 1;
        if self.dot == DOTS_PER_LINE || skip {
            self.dot = 0;
            self.scanline += 1;
            if self.scanline > self.pre_render_line {
                self.scanline = 0;
                self.odd_frame = !self.odd_frame;
            }
        }
    }

    #[inline]
    fn render_dot(&mut self, bus: &mut impl PpuBus, pre_render: bool) {
        let dot = self.dot;
        if (2..=257).contains(&dot) || (322..=337).contains(&dot) {
            self.shift_background();
        }
        if (1..=256).contains(&dot) || (321..=336).contains(&dot) {
            match (dot - 1) % 8 {
                0 => {
                    self.load_background_shifters();
                    self.nt_latch = self.fetch(bus, 0x2000 | (self.v & 0x0FFF));
                }
                2 => {
                    let v = self.v;
                    let attr = self.fetch(bus, 0x23C0 | (v & 0x0C00) | ((v >> 4) & 0x38) | ((v >> 2) & 0x07));
                    let shift = ((v >> 4) & 0x04) | (v & 0x02);
                    self.at_latch = (attr >> shift) & 0x03;
                }
                4 => self.pattern_lo_latch = self.fetch(bus, self.background_pattern_addr()),
                6 => self.pattern_hi_latch = self.fetch(bus, self.background_pattern_addr() + 8),
                7 => self.increment_x(),
                _ => {}
            }
        }
        if !pre_render && (1..=256).contains(&dot) {
            self.output_pixel(dot as usize - 1);
            if self.overflow_dot == Some(dot) {
                self.status |= 0x20;
                self.overflow_dot = None;
            }
        }
        match dot {
            256 => self.increment_y(),
            65 if !pre_render => self.evaluate_sprites(),
            257 => {
                self.load_background_shifters();
                // Horizontal bits of t into v.
                self.v = (self.v & !0x041F) | (self.t & 0x041F);
                if pre_render {
                    self.next_sprites.count = 0;
                    self.next_sprites.has_sprite0 = false;
                }
            }
            258..=320 => {
                if pre_render && (280..=304).contains(&dot) {
                    // Vertical bits of t into v.
                    self.v = (self.v & !0x7BE0) | (self.t & 0x7BE0);
                }
                self.fetch_sprite(bus, dot);
            }
            321 => self.line_sprites = self.next_sprites,
            338 | 340 => {
                self.nt_latch = self.fetch(bus, 0x2000 | (self.v & 0x0FFF));
            }
            _ => {}
        }
    }

    fn background_pattern_addr(&self) -> u16 {
        let table = if self.ctrl & 0x10 != 0 { 0x1000 } else { 0 };
        table | (self.nt_latch as u16) << 4 | (self.v >> 12) & 0x07
    }

    fn shift_background(&mut self) {
        self.bg_lo <<= 1;
        self.bg_hi <<= 1;
        self.at_lo <<= 1;
        self.at_hi <<= 1;
    }

    fn load_background_shifters(&mut self) {
        self.bg_lo = (self.bg_lo & 0xFF00) | self.pattern_lo_latch as u16;
        self.bg_hi = (self.bg_hi & 0xFF00) | self.pattern_hi_latch as u16;
        self.at_lo = (self.at_lo & 0xFF00) | if self.at_latch & 1 != 0 { 0xFF } else { 0 };
        self.at_hi = (self.at_hi & 0xFF00) | if self.at_latch & 2 != 0 { 0xFF } else { 0 };
    }

    /// Coarse X + 1, wrapping into the next horizontal nametable.
    pub(crate) fn increment_x(&mut self) {
        if self.v & 0x001F == 31 {
            self.v = (self.v & !0x001F) ^ 0x0400;
        } else {
            self.v += 1;
        }
    }

    /// Fine Y + 1, carrying into coarse Y (which wraps at 30 into the next
    /// vertical nametable, or at 32 without switching).
    pub(crate) fn increment_y(&mut self) {
        if self.v & 0x7000 != 0x7000 {
            self.v += 0x1000;
            return;
        }
        self.v &= !0x7000;
        let mut coarse_y = (self.v & 0x03E0) >> 5;
        if coarse_y == 29 {
            coarse_y = 0;
            self.v ^= 0x0800;
        } else if coarse_y == 31 {
            coarse_y = 0;
        } else {
            coarse_y += 1;
        }
        self.v = (self.v & !0x03E0) | (coarse_y << 5);
    }

    fn sprite_height(&self) -> u16 {
        if self.ctrl & 0x20 != 0 {
            16
        } else {
            8
        }
    }

    /// Finds the sprites of the next line in one go at dot 65, where the
    /// hardware's evaluation starts (it spreads over dots 65-256: two dots
    /// per OAM entry looked at, eight per entry copied). The overflow flag,
    /// with its diagonal-scan bug, is raised at the dot the hardware would
    /// reach the ninth sprite.
    fn evaluate_sprites(&mut self) {
        let line = self.scanline;
        let height = self.sprite_height();
        let in_range = |y: u8| line.wrapping_sub(y as u16) < height;
        let mut found = LineSprites::default();
        let mut n = 0;
        let mut elapsed = 0u16;
        while n < 64 && found.count < 8 {
            let entry = &self.oam[n * 4..n * 4 + 4];
            if in_range(entry[0]) {
                found.entries[found.count].copy_from_slice(entry);
                found.has_sprite0 |= n == 0;
                found.count += 1;
                elapsed += 8;
            } else {
                elapsed += 2;
            }
            n += 1;
        }
        // After eight, the hardware keeps comparing but steps the byte index
        // along with the sprite index, so it reads tiles and attributes as Y.
        let mut m = 0;
        self.overflow_dot = None;
        while n < 64 {
            if in_range(self.oam[n * 4 + m]) {
                self.overflow_dot = Some(65 + elapsed);
                break;
            }
            elapsed += 2;
            n += 1;
            m = (m + 1) & 3;
        }
        self.next_sprites = found;
    }

    /// Sprite pattern fetches on dots 257-320: eight 8-dot slots, the
    /// pattern bytes read on the 5th and 7th dot of each. Empty slots fetch
    /// tile $FF, as the hardware does (mappers watching A12 see it).
    fn fetch_sprite(&mut self, bus: &mut impl PpuBus, dot: u16) {
        let phase = (dot - 257) % 8;
        if phase != 4 && phase != 6 {
            return;
        }
        let slot = ((dot - 257) / 8) as usize;
        let height = self.sprite_height();
        let (y, tile, attr) = if slot < self.next_sprites.count {
            let e = self.next_sprites.entries[slot];
            (e[0], e[1], e[2])
        } else {
            (0xFF, 0xFF, 0x00)
        };
        let mut row = self.scanline.wrapping_sub(y as u16) & (height - 1);
        if attr & 0x80 != 0 {
            row = height - 1 - row;
        }
        let addr = if height == 16 {
            let table = (tile as u16 & 1) << 12;
            let tile = (tile & 0xFE) as u16 + (row >> 3);
            table | tile << 4 | (row & 7)
        } else {
            let table = if self.ctrl & 0x08 != 0 { 0x1000 } else { 0 };
            table | (tile as u16) << 4 | (row & 7)
        };
        let mut byte = self.fetch(bus, addr + if phase == 6 { 8 } else { 0 });
        if slot >= self.next_sprites.count {
            return;
        }
        if attr & 0x40 != 0 {
            byte = byte.reverse_bits();
        }
        if phase == 4 {
            self.next_sprites.pattern_lo[slot] = byte;
        } else {
            self.next_sprites.pattern_hi[slot] = byte;
        }
    }

    fn output_pixel(&mut self, x: usize) {
        let mask = self.mask;
        let mut bg = 0u8;
        if mask & 0x08 != 0 && (x >= 8 || mask & 0x02 != 0) {
            let bit = 15 - self.fine_x as u16;
            let pattern = ((self.bg_hi >> bit) & 1) << 1 | ((self.bg_lo >> bit) & 1);
            if pattern != 0 {
                let palette = ((self.at_hi >> bit) & 1) << 1 | ((self.at_lo >> bit) & 1);
                bg = (palette << 2 | pattern) as u8;
            }
        }
        let mut sprite = 0u8;
        let mut behind = false;
        if self.line_sprites.count != 0 && mask & 0x10 != 0 && (x >= 8 || mask & 0x04 != 0) {
            let sprites = &self.line_sprites;
            for i in 0..sprites.count {
                let column = x.wrapping_sub(sprites.entries[i][3] as usize);
                if column >= 8 {
                    continue;
                }
                let bit = 7 - column;
                let pattern =
                    ((sprites.pattern_hi[i] >> bit) & 1) << 1 | ((sprites.pattern_lo[i] >> bit) & 1);
                if pattern == 0 {
                    continue;
                }
                if i == 0 && sprites.has_sprite0 && bg != 0 && x != 255 {
                    self.status |= 0x40;
                }
                let attr = sprites.entries[i][2];
                sprite = 0x10 | (attr & 0x03) << 2 | pattern;
                behind = attr & 0x20 != 0;
                break;
            }
        }
        let color_index = match (bg & 3 != 0, sprite != 0) {
            (_, true) if !(behind && bg & 3 != 0) => sprite,
            (true, _) => bg,
            _ => 0,
        };
        self.put_pixel(x, self.palette[color_index as usize]);
    }

    /// With rendering off the PPU shows the backdrop, or the palette entry
    /// v points at when v is in palette space.
    fn output_backdrop(&mut self) {
        let x = self.dot as usize - 1;
        let index = if self.v & 0x3F00 == 0x3F00 { palette_index(self.v) } else { 0 };
        self.put_pixel(x, self.palette[index]);
    }

    fn put_pixel(&mut self, x: usize, color: u8) {
        let mut color = color as u16;
        if self.mask & 0x01 != 0 {
            color &= 0x30;
        }
        color |= (self.mask as u16 & 0xE0) << 1;
        self.frame[self.scanline as usize * WIDTH + x] = color;
    }
}
