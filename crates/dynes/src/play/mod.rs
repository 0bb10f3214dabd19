//! `dynes [ROM]` / `dynes play`: the game in a window, with keyboard and
//! gamepads, hotkeys, save states, battery saves and input recording.

mod audio;
mod config;
mod gamepad;
mod keys;
mod video;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{bail, Result};
use clap::Args;
use dynes_nes::{Buttons, Nes};
use minifb::Key;

use crate::files::{self, BatterySave};
use crate::input::{InputMovie, VERSION as MOVIE_VERSION};
use crate::rom::{EngineArg, Game};
use crate::run::RegionArg;
use config::Config;
use keys::Chord;
use video::Video;

#[derive(Args, Debug, Default)]
pub struct PlayArgs {
    /// iNES or NES 2.0 ROM file; without one, the built-in demo game.
    pub rom: Option<PathBuf>,
    /// Window scale, 1-8 (default: the config's, 3).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=8))]
    pub scale: Option<u32>,
    /// Show pixels 8:7 wide, as on a TV.
    #[arg(long)]
    pub aspect: bool,
    /// Start in the borderless full-screen window.
    #[arg(long)]
    pub fullscreen: bool,
    /// No sound (also the `audio` config key).
    #[arg(long)]
    pub no_audio: bool,
    /// CPU engine (default: the config's, jit).
    #[arg(long, value_enum)]
    pub engine: Option<EngineArg>,
    /// TV system (default: the config's, auto).
    #[arg(long, value_enum)]
    pub region: Option<RegionArg>,
    /// Settings file to use instead of the one in the config folder.
    #[arg(long, value_name = "FILE.ron")]
    pub config: Option<PathBuf>,
    /// Record the controllers to this input file (docs/input-format.md),
    /// replayable with `--input` here or in `dynes run`.
    #[arg(long, value_name = "FILE.ron")]
    pub record: Option<PathBuf>,
    /// Play back an input file instead of reading the controllers.
    #[arg(long, value_name = "FILE.ron")]
    pub input: Option<PathBuf>,
    /// Start from a save state of the same ROM.
    #[arg(long, value_name = "FILE")]
    pub load_state: Option<PathBuf>,
    /// Quit after this many frames (for scripted runs), printing
    /// `frames=N hash=H` as `dynes run` does, then the pacing: frames per
    /// second, the spread of the time between frames, and sound underruns.
    #[arg(long)]
    pub frames: Option<u64>,
}

/// How long a message stays in the title bar.
const MESSAGE_TIME: Duration = Duration::from_secs(3);
/// While fast-forwarding, the picture is shown at most this often.
const FAST_PRESENT: Duration = Duration::from_millis(16);

/// Everything the window session holds.
struct Session {
    config: Config,
    game: Game,
    nes: Nes,
    battery: Option<BatterySave>,
    /// Input being recorded, and where it goes.
    recording: Option<(InputMovie, PathBuf)>,
    replay: Option<InputMovie>,
    /// Frames run since the game started (the movie's clock).
    frame: u64,
    /// What each port held last frame (for the recorder).
    held: [u8; 2],
    /// The sound device, if there is one.
    audio: Option<audio::Audio>,
    samples: Vec<f32>,
    paused: bool,
    message: Option<(String, Instant)>,
}

pub fn run(args: &PlayArgs) -> Result<bool> {
    let (config, _) = Config::load(args.config.as_deref())?;
    let game = Game::from_arg(args.rom.as_deref());
    let engine = args.engine.unwrap_or(config.engine).engine();
    let system = args.region.unwrap_or(config.region).system();
    let replay = args.input.as_deref().map(InputMovie::load).transpose()?;
    let mut nes = game.load(system, engine)?;

    // A recording or a replay starts from a clean cartridge, so that the
    // movie replays the same anywhere (`dynes run --input` has no save).
    let battery = if args.record.is_some() || replay.is_some() {
        None
    } else {
        BatterySave::open(&mut nes, config.saves_dir().join(format!("{}.sav", game.stem())))?
    };
    if let Some(path) = &args.load_state {
        files::load_state(&mut nes, path)?;
    }
    check_display()?;

    let scale = args.scale.unwrap_or(config.scale);
    let aspect = args.aspect || config.aspect;
    let mut video = Video::open(&window_title(&game, None), scale, aspect, args.fullscreen)?;
    let (mut pads, pad_problem) = gamepad::Gamepads::open();
    let (audio, audio_problem) = if args.no_audio || !config.audio {
        (None, None)
    } else {
        match audio::Audio::open(config.volume) {
            Ok(audio) => (Some(audio), None),
            Err(why) => (None, Some(format!("{why}; running silent"))),
        }
    };
    if let Some(audio) = &audio {
        nes.set_sample_rate(Some(audio.sample_rate()));
    }

    let mut session = Session {
        recording: args
            .record
            .clone()
            .map(|path| (InputMovie { version: MOVIE_VERSION, changes: Vec::new() }, path)),
        replay,
        frame: 0,
        held: [0; 2],
        audio,
        samples: Vec::new(),
        paused: false,
        message: None,
        config,
        game,
        nes,
        battery,
    };
    for problem in [pad_problem, audio_problem].into_iter().flatten() {
        session.say(problem);
    }
    let period = Duration::from_secs_f64(1.0 / session.nes.frame_rate());
    let mut next_frame = Instant::now();
    let mut last_present = Instant::now() - FAST_PRESENT;
    let mut last_battery_check = Instant::now();
    let mut title = String::new();
    let mut ok = true;
    let mut pace = PaceStats::default();

    while video.is_open() {
        // Keys and hotkeys.
        let keys = video.keys();
        let modifiers = Modifiers::of(&keys);
        let mut advance = false;
        for key in video.keys_pressed() {
            match session.hotkey(key, modifiers) {
                Some(Action::Quit) => video.close(),
                Some(Action::Pause) => {
                    session.paused = !session.paused;
                    session.say(if session.paused { "paused" } else { "running" });
                }
                Some(Action::FrameAdvance) if session.paused => advance = true,
                Some(Action::FrameAdvance) => {}
                Some(Action::Reset) => session.reset(),
                Some(Action::PowerCycle) => session.power_cycle(system, engine),
                Some(Action::Screenshot) => session.screenshot(),
                Some(Action::Fullscreen) => video.toggle_fullscreen(&title)?,
                Some(Action::Mute) => session.toggle_mute(),
                Some(Action::SaveState(slot)) => session.save_slot(slot),
                Some(Action::LoadState(slot)) => session.load_slot(slot),
                None => {}
            }
        }
        for message in pads.poll() {
            session.say(message);
        }
        let fast_forward = session.config.hotkeys.fast_forward.held(&keys, modifiers);

        // One frame of the game.
        if !session.paused || advance {
            if session.paused || fast_forward {
                pace.interrupted();
            } else {
                pace.frame_started();
            }
            session.apply_input(&keys, &pads);
            if !session.nes.run_frame() {
                ok = session.report_stop();
                session.paused = true;
            }
            session.frame += 1;
            session.play_sound();
        } else {
            pace.interrupted();
            if let Some(audio) = &mut session.audio {
                audio.pause();
            }
        }

        // Picture, title, saves.
        let (status, overlay) = session.status(fast_forward);
        let wanted = window_title(&session.game, status.as_deref());
        if wanted != title {
            video.set_title(&wanted);
            title = wanted;
        }
        if !fast_forward || last_present.elapsed() >= FAST_PRESENT {
            video.present(session.nes.frame(), overlay.as_deref())?;
            last_present = Instant::now();
        } else {
            video.pump();
        }
        if last_battery_check.elapsed().as_secs() >= u64::from(session.config.battery_save_seconds) {
            session.flush_battery();
            last_battery_check = Instant::now();
        }
        if args.frames.is_some_and(|frames| session.frame >= frames) {
            break;
        }

        // Pacing: sleep to the next frame's time; no catching up after a
        // stall (a dragged window, a slow disk), no busy waiting.
        let now = Instant::now();
        if fast_forward {
            next_frame = now;
        } else {
            // Paced by the audio clock when there is sound.
            next_frame += period.mul_f64(session.audio.as_ref().map_or(1.0, audio::Audio::pace));
            if next_frame > now {
                std::thread::sleep(next_frame - now);
            } else if now - next_frame > period * 4 {
                next_frame = now;
            }
        }
    }
    if args.frames.is_some() {
        let underruns =
            session.audio.as_ref().map_or(String::new(), |a| format!(" audio_underruns={}", a.underruns()));
        outln!(
            "frames={} hash={:016x} {pace}{underruns}",
            session.nes.frame_count(),
            session.nes.frame_hash()
        );
    }
    session.finish()?;
    Ok(ok)
}

/// How evenly frames started: the count and sums of the intervals
/// between starts of frames run at normal speed.
#[derive(Default)]
struct PaceStats {
    last: Option<Instant>,
    count: u32,
    sum: f64,
    sum_squares: f64,
}

impl PaceStats {
    /// A pause or fast-forward: the next interval is not a paced one.
    fn interrupted(&mut self) {
        self.last = None;
    }

    fn frame_started(&mut self) {
        let now = Instant::now();
        if let Some(last) = self.last.replace(now) {
            let interval = (now - last).as_secs_f64();
            self.count += 1;
            self.sum += interval;
            self.sum_squares += interval * interval;
        }
    }
}

/// `fps=F frame_interval_sd_ms=S`: the mean rate and the standard
/// deviation of the intervals.
impl std::fmt::Display for PaceStats {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.count == 0 {
            return write!(f, "fps=0 frame_interval_sd_ms=0");
        }
        let n = f64::from(self.count);
        let mean = self.sum / n;
        let sd = (self.sum_squares / n - mean * mean).max(0.0).sqrt();
        write!(f, "fps={:.3} frame_interval_sd_ms={:.3}", 1.0 / mean, sd * 1000.0)
    }
}

/// Fails with one line when there is no display to open a window on.
fn check_display() -> Result<()> {
    if cfg!(target_os = "linux")
        && std::env::var_os("DISPLAY").is_none()
        && std::env::var_os("WAYLAND_DISPLAY").is_none()
    {
        bail!(
            "no display to open a window on (neither DISPLAY nor WAYLAND_DISPLAY is set); \
             run games headless with `dynes run ROM --frames N --screenshot out.png`"
        );
    }
    Ok(())
}

fn window_title(game: &Game, status: Option<&str>) -> String {
    let name = match game {
        Game::Demo => "built-in demo".to_string(),
        Game::File(_) => game.stem(),
    };
    match status {
        Some(status) => format!("dynes - {name} - {status}"),
        None => format!("dynes - {name}"),
    }
}

/// Modifier keys held.
#[derive(Clone, Copy)]
struct Modifiers {
    ctrl: bool,
    shift: bool,
    alt: bool,
}

impl Modifiers {
    fn of(keys: &[Key]) -> Modifiers {
        let any = |a: Key, b: Key| keys.contains(&a) || keys.contains(&b);
        Modifiers {
            ctrl: any(Key::LeftCtrl, Key::RightCtrl),
            shift: any(Key::LeftShift, Key::RightShift),
            alt: any(Key::LeftAlt, Key::RightAlt),
        }
    }
}

impl Chord {
    /// Whether this chord's key is pressed now with exactly its modifiers.
    fn matches(&self, key: Key, held: Modifiers) -> bool {
        self.key == key && self.modifiers_match(held.ctrl, held.shift, held.alt)
    }

    /// Whether this chord is held down now.
    fn held(&self, keys: &[Key], held: Modifiers) -> bool {
        keys.contains(&self.key) && self.modifiers_match(held.ctrl, held.shift, held.alt)
    }
}

/// What a hotkey does.
enum Action {
    Quit,
    Pause,
    FrameAdvance,
    Reset,
    PowerCycle,
    Screenshot,
    Fullscreen,
    Mute,
    SaveState(usize),
    LoadState(usize),
}

impl Session {
    fn hotkey(&self, key: Key, held: Modifiers) -> Option<Action> {
        let hotkeys = &self.config.hotkeys;
        let simple = [
            (hotkeys.quit, Action::Quit),
            (hotkeys.pause, Action::Pause),
            (hotkeys.frame_advance, Action::FrameAdvance),
            (hotkeys.reset, Action::Reset),
            (hotkeys.power_cycle, Action::PowerCycle),
            (hotkeys.screenshot, Action::Screenshot),
            (hotkeys.fullscreen, Action::Fullscreen),
            (hotkeys.mute, Action::Mute),
        ];
        if let Some((_, action)) = simple.into_iter().find(|(chord, _)| chord.matches(key, held)) {
            return Some(action);
        }
        if let Some(slot) = hotkeys.save_state.iter().position(|c| c.matches(key, held)) {
            return Some(Action::SaveState(slot + 1));
        }
        hotkeys.load_state.iter().position(|c| c.matches(key, held)).map(|slot| Action::LoadState(slot + 1))
    }

    fn say(&mut self, message: impl Into<String>) {
        let message = message.into();
        eprintln!("dynes: {message}");
        self.message = Some((message, Instant::now()));
    }

    /// Sets the controllers for the next frame: from the movie being
    /// replayed, or from the keyboard and gamepads (recording changes).
    fn apply_input(&mut self, keys: &[Key], pads: &gamepad::Gamepads) {
        if let Some(movie) = &self.replay {
            for change in movie.changes_at(self.frame) {
                self.nes.set_buttons(change.port_index(), change.held());
            }
            return;
        }
        // Only the controller's modifiers-free keys: Ctrl+R must not press
        // R's button too.
        let held = Modifiers::of(keys);
        let plain = !held.ctrl && !held.alt;
        for (port, bindings) in [self.config.player1, self.config.player2].iter().enumerate() {
            let mut bits = pads.held(port, &self.config.gamepad);
            if plain {
                for (key, bit) in bindings.bindings() {
                    if keys.contains(&key.0) {
                        bits |= bit;
                    }
                }
            }
            if bits != self.held[port] {
                if let Some((movie, _)) = &mut self.recording {
                    movie.record(self.frame, port, Buttons::from_bits(bits));
                }
                self.held[port] = bits;
            }
            self.nes.set_buttons(port, Buttons::from_bits(bits));
        }
    }

    /// The status for the title bar (a recent message, or the session's
    /// modes) and for the picture (a recent message, pause, fast-forward).
    fn status(&mut self, fast_forward: bool) -> (Option<String>, Option<String>) {
        if let Some((message, since)) = &self.message {
            if since.elapsed() < MESSAGE_TIME {
                return (Some(message.clone()), Some(message.clone()));
            }
            self.message = None;
        }
        let mut modes = Vec::new();
        if self.paused {
            modes.push("paused");
        }
        if fast_forward {
            modes.push("fast-forward");
        }
        let overlay = (!modes.is_empty()).then(|| modes.join(", "));
        if self.recording.is_some() {
            modes.push("recording");
        }
        if self.replay.is_some() {
            modes.push("replaying");
        }
        ((!modes.is_empty()).then(|| modes.join(", ")), overlay)
    }

    /// Why the machine stopped, as a message; false for a real failure.
    fn report_stop(&mut self) -> bool {
        if let Some(report) = self.nes.divergence() {
            let first = report.lines().next().unwrap_or("").to_string();
            eprintln!("dynes: engines diverged:\n{report}");
            self.say(format!("engines diverged: {first}"));
            return false;
        }
        if let Some((pc, opcode)) = self.nes.jammed() {
            self.say(format!("CPU jammed at ${pc:04X} (opcode ${opcode:02X}); reset or power cycle"));
        }
        true
    }

    /// Sends the frame's sound to the device and steers the sample clock
    /// by the device queue's fill.
    fn play_sound(&mut self) {
        if let Some(audio) = &mut self.audio {
            self.samples.clear();
            self.nes.take_samples(&mut self.samples);
            let ratio = audio.push(&self.samples);
            self.nes.set_sample_rate_ratio(ratio);
        }
    }

    fn toggle_mute(&mut self) {
        match self.audio.as_mut().map(audio::Audio::toggle_mute) {
            Some(true) => self.say("muted"),
            Some(false) => self.say("sound on"),
            None => self.say("no sound device"),
        }
    }

    fn reset(&mut self) {
        self.nes.reset();
        self.paused = false;
        self.stop_recording("reset");
        self.say("reset");
    }

    fn power_cycle(&mut self, system: Option<dynes_nes::TvSystem>, engine: dynes_nes::Engine) {
        self.flush_battery();
        let fresh = self.game.load(system, engine).and_then(|mut nes| {
            if let Some(battery) = &self.battery {
                BatterySave::open(&mut nes, battery.path().to_path_buf())?;
            }
            Ok(nes)
        });
        match fresh {
            Ok(mut nes) => {
                nes.set_sample_rate(self.audio.as_ref().map(audio::Audio::sample_rate));
                self.nes = nes;
                self.paused = false;
                self.stop_recording("power cycle");
                self.say("power cycled");
            }
            Err(err) => self.say(format!("power cycle failed: {err:#}")),
        }
    }

    /// A reset, power cycle or state load ends a recording: input files
    /// hold only controller changes.
    fn stop_recording(&mut self, why: &str) {
        if let Some((movie, path)) = self.recording.take() {
            match movie.save(&path) {
                Ok(()) => self.say(format!("recording stopped by {why}; saved {}", path.display())),
                Err(err) => self.say(format!("{err:#}")),
            }
        }
    }

    fn state_path(&self, slot: usize) -> PathBuf {
        self.config.states_dir().join(format!("{}.{slot}.state", self.game.stem()))
    }

    fn save_slot(&mut self, slot: usize) {
        let path = self.state_path(slot);
        let result = ensure_parent(&path).and_then(|()| files::save_state(&mut self.nes, &path));
        match result {
            Ok(()) => self.say(format!("saved state {slot}")),
            Err(err) => self.say(format!("{err:#}")),
        }
    }

    fn load_slot(&mut self, slot: usize) {
        let path = self.state_path(slot);
        if !path.exists() {
            self.say(format!("no state in slot {slot}"));
            return;
        }
        match files::load_state(&mut self.nes, &path) {
            Ok(()) => {
                self.stop_recording("loading a state");
                self.say(format!("loaded state {slot}"));
            }
            Err(err) => self.say(format!("{err:#}")),
        }
    }

    fn screenshot(&mut self) {
        let seconds =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
        let path = self.config.screenshots_dir().join(format!(
            "{}-{seconds}-{}.png",
            self.game.stem(),
            self.nes.frame_count()
        ));
        let result = ensure_parent(&path).and_then(|()| crate::run::write_png(&path, self.nes.frame(), 1));
        match result {
            Ok(()) => self.say(format!("screenshot {}", path.display())),
            Err(err) => self.say(format!("{err:#}")),
        }
    }

    fn flush_battery(&mut self) {
        if let Some(battery) = &mut self.battery {
            if let Err(err) = battery.flush(&self.nes) {
                let message = format!("{err:#}");
                self.say(message);
            }
        }
    }

    /// On the way out: the battery save and the recording.
    fn finish(mut self) -> Result<()> {
        if let Some(battery) = &mut self.battery {
            battery.flush(&self.nes)?;
        }
        if let Some((movie, path)) = self.recording.take() {
            movie.save(&path)?;
            eprintln!("dynes: recorded {} frames of input to {}", self.frame, path.display());
        }
        Ok(())
    }
}

fn ensure_parent(path: &Path) -> Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| anyhow::anyhow!("{}: cannot create folder: {e}", dir.display()))?;
    }
    Ok(())
}
