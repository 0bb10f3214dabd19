//! The window (minifb): the picture scaled by an integer factor, optionally
//! with 8:7 pixels, and a borderless full-screen mode.

use anyhow::{anyhow, Result};
use dynes_nes::{HEIGHT, WIDTH};
use minifb::{Key, KeyRepeat, Scale, ScaleMode, Window, WindowOptions};

/// Width of a pixel relative to its height on a TV.
const PIXEL_ASPECT: f64 = 8.0 / 7.0;

/// The window and the picture buffer it shows.
pub struct Video {
    window: Window,
    /// The output picture, 0RGB.
    buffer: Vec<u32>,
    width: usize,
    height: usize,
    /// Source column of each output column.
    columns: Vec<usize>,
    scale: u32,
    aspect: bool,
    fullscreen: bool,
    /// The NES palette as 0RGB.
    palette: Vec<u32>,
    closed: bool,
}

impl Video {
    /// Opens a window for the picture at `scale` (1-8).
    pub fn open(title: &str, scale: u32, aspect: bool, fullscreen: bool) -> Result<Video> {
        let palette = crate::palette::table()
            .iter()
            .map(|&[r, g, b]| (u32::from(r) << 16) | (u32::from(g) << 8) | u32::from(b))
            .collect();
        let (window, width, height, columns) = Video::create(title, scale, aspect, fullscreen)?;
        Ok(Video {
            window,
            buffer: vec![0; width * height],
            width,
            height,
            columns,
            scale,
            aspect,
            fullscreen,
            palette,
            closed: false,
        })
    }

    /// The window, and the size of the buffer drawn into it with its
    /// column map. Full screen draws at 1x and lets the window stretch it.
    #[allow(clippy::type_complexity)]
    fn create(
        title: &str,
        scale: u32,
        aspect: bool,
        fullscreen: bool,
    ) -> Result<(Window, usize, usize, Vec<usize>)> {
        let factor = if fullscreen { 1 } else { scale as usize };
        let height = HEIGHT * factor;
        let width = if aspect {
            (WIDTH as f64 * factor as f64 * PIXEL_ASPECT).round() as usize
        } else {
            WIDTH * factor
        };
        let columns = (0..width).map(|x| x * WIDTH / width).collect();
        let options = WindowOptions {
            resize: true,
            scale_mode: ScaleMode::AspectRatioStretch,
            borderless: fullscreen,
            topmost: fullscreen,
            scale: if fullscreen { Scale::FitScreen } else { Scale::X1 },
            ..WindowOptions::default()
        };
        let mut window = Window::new(title, width, height, options).map_err(|err| {
            anyhow!("cannot open a window ({err}); run games headless with `dynes run ROM --frames N --screenshot out.png`")
        })?;
        // dynes paces frames itself.
        window.set_target_fps(0);
        Ok((window, width, height, columns))
    }

    pub fn is_open(&self) -> bool {
        !self.closed && self.window.is_open()
    }

    pub fn close(&mut self) {
        self.closed = true;
    }

    /// Keys held now.
    pub fn keys(&self) -> Vec<Key> {
        self.window.get_keys()
    }

    /// Keys that went down since the last update.
    pub fn keys_pressed(&self) -> Vec<Key> {
        self.window.get_keys_pressed(KeyRepeat::No)
    }

    pub fn set_title(&mut self, title: &str) {
        self.window.set_title(title);
    }

    /// Handles window events without drawing.
    pub fn pump(&mut self) {
        self.window.update();
    }

    /// Draws a frame of palette indices, with `overlay` text along its
    /// bottom edge if given, and shows it.
    pub fn present(&mut self, frame: &[u16; WIDTH * HEIGHT], overlay: Option<&str>) -> Result<()> {
        let factor = self.height / HEIGHT;
        for (y, rows) in self.buffer.chunks_exact_mut(self.width * factor).enumerate() {
            let source = &frame[y * WIDTH..(y + 1) * WIDTH];
            let (first, rest) = rows.split_at_mut(self.width);
            for (out, &column) in first.iter_mut().zip(&self.columns) {
                *out = self.palette[usize::from(source[column] & 0x1FF)];
            }
            for row in rest.chunks_exact_mut(self.width) {
                row.copy_from_slice(first);
            }
        }
        if let Some(text) = overlay {
            self.draw_text(text);
        }
        self.window
            .update_with_buffer(&self.buffer, self.width, self.height)
            .map_err(|err| anyhow!("cannot draw to the window: {err}"))
    }

    /// Writes `text` in white on a dark band at the bottom of the picture,
    /// wrapped to the width, at most three lines (the last ones kept).
    fn draw_text(&mut self, text: &str) {
        const GLYPH: usize = 8;
        let dot = (self.height / HEIGHT).saturating_sub(1).max(1);
        let cell = GLYPH * dot;
        let per_line = ((self.width - 2 * dot) / cell).max(1);
        let chars: Vec<char> = text.chars().collect();
        let lines: Vec<&[char]> = chars.chunks(per_line).collect();
        let lines = &lines[lines.len().saturating_sub(3)..];
        let band = lines.len() * cell + 2 * dot;
        let top = self.height - band;
        for row in self.buffer[top * self.width..].chunks_exact_mut(self.width) {
            for pixel in row {
                // Darken to a quarter: the game stays visible behind.
                *pixel = (*pixel >> 2) & 0x3F3F3F;
            }
        }
        for (line_no, line) in lines.iter().enumerate() {
            let y0 = top + dot + line_no * cell;
            for (col, &ch) in line.iter().enumerate() {
                let glyph = font8x8::legacy::BASIC_LEGACY.get(ch as usize).copied().unwrap_or([0; 8]);
                let x0 = dot + col * cell;
                for (gy, bits) in glyph.iter().enumerate() {
                    for gx in (0..GLYPH).filter(|gx| bits & (1 << gx) != 0) {
                        for y in y0 + gy * dot..y0 + (gy + 1) * dot {
                            let start = y * self.width + x0 + gx * dot;
                            self.buffer[start..start + dot].fill(0xFFFFFF);
                        }
                    }
                }
            }
        }
    }

    /// Switches between the window and the borderless full-screen one.
    pub fn toggle_fullscreen(&mut self, title: &str) -> Result<()> {
        self.fullscreen = !self.fullscreen;
        let (window, width, height, columns) =
            Video::create(title, self.scale, self.aspect, self.fullscreen)?;
        self.window = window;
        self.buffer = vec![0; width * height];
        (self.width, self.height, self.columns) = (width, height, columns);
        Ok(())
    }
}
