//! `dynes run`: run a ROM headless for a number of frames.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{bail, Context, Result};
use clap::Args;
use dynes_nes::{Buttons, TvSystem, HEIGHT, WIDTH};

/// Which console to emulate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RegionArg {
    /// As the ROM's header says (NTSC unless it says PAL).
    Auto,
    /// NTSC 2C02: 262 lines, 60 Hz.
    Ntsc,
    /// PAL 2C07: 312 lines, 50 Hz, 3.2 PPU dots per CPU cycle.
    Pal,
}

impl RegionArg {
    /// The console asked for (`None`: as the ROM says).
    pub fn system(self) -> Option<TvSystem> {
        match self {
            RegionArg::Auto => None,
            RegionArg::Ntsc => Some(TvSystem::Ntsc),
            RegionArg::Pal => Some(TvSystem::Pal),
        }
    }
}

#[derive(Args, Debug)]
pub struct RunArgs {
    /// iNES or NES 2.0 ROM file; without one, the built-in demo game.
    rom: Option<PathBuf>,
    /// TV system: as the ROM's header says, or forced.
    #[arg(long, value_enum, default_value = "auto")]
    region: RegionArg,
    /// Frames to run.
    #[arg(long, default_value_t = 600)]
    frames: u64,
    /// Write the last frame as a PNG.
    #[arg(long, value_name = "FILE.png")]
    screenshot: Option<PathBuf>,
    /// Integer scale of the screenshot.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=8))]
    scale: u32,
    /// Player 1 input: FRAME:BUTTONS[,FRAME:BUTTONS...], buttons joined with
    /// `+` (a b select start up down left right), held from that frame until
    /// the next entry; empty releases all (e.g. `60:start,66:,200:a+right`).
    #[arg(long, value_name = "SPEC")]
    press: Option<String>,
    /// Controller changes for ports 1 and 2 from a RON file (see
    /// docs/input-format.md); --press entries apply after the file's changes
    /// for the same frame.
    #[arg(long, value_name = "FILE.ron")]
    input: Option<PathBuf>,
    /// Print LEN bytes from ADDR before the summary (hex, e.g. 0x300:0x20),
    /// read without side effects.
    #[arg(long, value_name = "ADDR:LEN")]
    peek: Vec<String>,
    /// CPU engine.
    #[arg(long, value_enum, default_value = "jit")]
    engine: crate::rom::EngineArg,
    /// Print the recompiler's counters as key=value lines.
    #[arg(long)]
    stats: bool,
    /// Start from this save state (made by --save-state or the window) of
    /// the same ROM instead of power-on.
    #[arg(long, value_name = "FILE")]
    load_state: Option<PathBuf>,
    /// Write a save state of the machine after the last frame.
    #[arg(long, value_name = "FILE")]
    save_state: Option<PathBuf>,
    /// Write the run's sound to a WAV file (16-bit mono); the same run
    /// always writes the same file.
    #[arg(long, value_name = "FILE.wav")]
    wav: Option<PathBuf>,
    /// Sample rate of --wav, in Hz.
    #[arg(long, default_value_t = 48_000, value_parser = clap::value_parser!(u32).range(8_000..=192_000))]
    sample_rate: u32,
}

pub fn run(args: &RunArgs) -> Result<bool> {
    let presses = match &args.press {
        Some(spec) => parse_press(spec)?,
        None => Vec::new(),
    };
    let peeks = args.peek.iter().map(|p| parse_peek(p)).collect::<Result<Vec<_>>>()?;
    let movie = args.input.as_deref().map(crate::input::InputMovie::load).transpose()?;
    let game = crate::rom::Game::from_arg(args.rom.as_deref());
    let mut nes = game.load(args.region.system(), args.engine.engine())?;
    if let Some(path) = &args.load_state {
        crate::files::load_state(&mut nes, path)?;
    }
    let mut sound = Vec::new();
    if args.wav.is_some() {
        nes.set_sample_rate(Some(args.sample_rate));
    }
    let started = Instant::now();
    let mut next_press = 0;
    let mut ok = true;
    for frame in 0..args.frames {
        for change in movie.iter().flat_map(|movie| movie.changes_at(frame)) {
            nes.set_buttons(change.port_index(), change.held());
        }
        while next_press < presses.len() && presses[next_press].0 <= frame {
            nes.set_buttons(0, presses[next_press].1);
            next_press += 1;
        }
        let ran = nes.run_frame();
        if args.wav.is_some() {
            nes.take_samples(&mut sound);
        }
        if !ran {
            ok = false;
            break;
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    if let Some(report) = nes.divergence() {
        outln!("FAIL: engines diverged\n{report}");
        ok = false;
    }
    if let Some((pc, opcode)) = nes.jammed() {
        outln!("CPU jammed at ${pc:04X} (opcode ${opcode:02X})");
        ok = false;
    }
    if let Some(path) = &args.screenshot {
        write_png(path, nes.frame(), args.scale)?;
    }
    if let Some(path) = &args.wav {
        write_wav(path, &sound, args.sample_rate)?;
    }
    if let Some(path) = &args.save_state {
        crate::files::save_state(&mut nes, path)?;
    }
    for (addr, len) in peeks {
        for line_start in (0..len).step_by(16) {
            let start = addr.wrapping_add(line_start as u16);
            let bytes: Vec<String> = (0..16.min(len - line_start))
                .map(|i| format!("{:02X}", nes.peek(start.wrapping_add(i as u16))))
                .collect();
            outln!("${start:04X}: {}", bytes.join(" "));
        }
    }
    let frames = nes.frame_count();
    outln!(
        "frames={frames} cycles={} seconds={seconds:.3} fps={:.1} hash={:016x}",
        nes.cycle(),
        frames as f64 / seconds.max(1e-9),
        nes.frame_hash()
    );
    if args.stats {
        for line in nes.jit_stats().map(|s| s.lines()).unwrap_or_default() {
            outln!("{line}");
        }
    }
    Ok(ok)
}

fn parse_press(spec: &str) -> Result<Vec<(u64, Buttons)>> {
    let mut presses = Vec::new();
    for entry in spec.split(',') {
        let (frame, buttons) =
            entry.split_once(':').with_context(|| format!("--press: `{entry}` is not FRAME:BUTTONS"))?;
        let frame: u64 =
            frame.trim().parse().with_context(|| format!("--press: `{frame}` is not a frame number"))?;
        let mut held = Buttons::NONE;
        for name in buttons.split('+').map(str::trim).filter(|n| !n.is_empty()) {
            held |= match name.to_ascii_lowercase().as_str() {
                "a" => Buttons::A,
                "b" => Buttons::B,
                "select" => Buttons::SELECT,
                "start" => Buttons::START,
                "up" => Buttons::UP,
                "down" => Buttons::DOWN,
                "left" => Buttons::LEFT,
                "right" => Buttons::RIGHT,
                other => bail!("--press: unknown button `{other}` (a b select start up down left right)"),
            };
        }
        presses.push((frame, held));
    }
    presses.sort_by_key(|&(frame, _)| frame);
    Ok(presses)
}

fn parse_peek(spec: &str) -> Result<(u16, usize)> {
    let (addr, len) = spec.split_once(':').with_context(|| format!("--peek: `{spec}` is not ADDR:LEN"))?;
    let number = |text: &str| {
        let text = text.trim();
        let hex = text.strip_prefix("0x").or_else(|| text.strip_prefix('$')).unwrap_or(text);
        usize::from_str_radix(hex, 16).ok()
    };
    match (number(addr), number(len)) {
        (Some(addr), Some(len)) if addr <= 0xFFFF && len >= 1 && addr + len <= 0x10000 => {
            Ok((addr as u16, len))
        }
        _ => bail!("--peek: `{spec}` must be hex ADDR:LEN inside $0000-$FFFF, e.g. 0x300:0x20"),
    }
}

/// Writes mono samples (-1 to 1) as a 16-bit PCM WAV file.
pub fn write_wav(path: &Path, samples: &[f32], sample_rate: u32) -> Result<()> {
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let fail = |e: hound::Error| anyhow::anyhow!("{}: cannot write WAV: {e}", path.display());
    let mut writer = hound::WavWriter::create(path, spec).map_err(fail)?;
    for &sample in samples {
        writer.write_sample((sample * f32::from(i16::MAX)) as i16).map_err(fail)?;
    }
    writer.finalize().map_err(fail)
}

pub fn write_png(path: &Path, frame: &[u16; WIDTH * HEIGHT], scale: u32) -> Result<()> {
    let colors = crate::palette::table();
    let (width, height) = (WIDTH as u32 * scale, HEIGHT as u32 * scale);
    let mut pixels = Vec::with_capacity((width * height * 3) as usize);
    for y in 0..height as usize {
        for x in 0..width as usize {
            let pixel = frame[(y / scale as usize) * WIDTH + x / scale as usize];
            pixels.extend_from_slice(&colors[(pixel & 0x1FF) as usize]);
        }
    }
    let file = std::fs::File::create(path).with_context(|| format!("{}: cannot create", path.display()))?;
    let mut encoder = png::Encoder::new(std::io::BufWriter::new(file), width, height);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer =
        encoder.write_header().with_context(|| format!("{}: cannot write PNG", path.display()))?;
    writer.write_image_data(&pixels).with_context(|| format!("{}: cannot write PNG", path.display()))?;
    Ok(())
}
