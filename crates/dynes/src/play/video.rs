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

    /// Draws a frame of palette indices and shows it.
    pub fn present(&mut self, frame: &[u16; WIDTH * HEIGHT]) -> Result<()> {
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
        self.window
            .update_with_buffer(&self.buffer, self.width, self.height)
            .map_err(|err| anyhow!("cannot draw to the window: {err}"))
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
