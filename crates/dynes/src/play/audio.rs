//! Sound out through cpal, and the audio clock that paces the window.
//!
//! The emulator pushes each frame's samples into a queue the device drains.
//! How full the queue is before each frame, smoothed over about a second
//! (the device takes sound in uneven chunks), is the audio clock's reading:
//! above its target the device plays slower than the game runs, below,
//! faster. The error moves the frame period ([`Audio::pace`], within 1%):
//! a proportional part, and a learned drift that sums the error so that in
//! the long run the game runs at exactly the device's speed. It also moves
//! the emulator's sample clock (dynamic rate control, within 0.5%, too
//! little to hear as pitch), which takes up short swings. The queue stays
//! near its target: the device never runs dry, the delay never grows, and
//! frames stay evenly spaced.

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use cpal::traits::{DeviceTrait, HostTrait, StreamTrait};
use cpal::{FromSample, SampleFormat, SizedSample};

/// The smallest queue fill aimed for, in seconds of sound; more if the
/// device takes big chunks (twice its largest, up to [`MAX_TARGET_SECONDS`]).
const TARGET_SECONDS: f64 = 0.05;
const MAX_TARGET_SECONDS: f64 = 0.2;
/// The largest change of the sample clock rate control makes (0.5%).
const MAX_ADJUST: f64 = 0.005;
/// The largest change of the frame period pacing makes (1%).
const MAX_PACE: f64 = 0.01;
/// Pacing's change of the frame period per target of error, and what the
/// error adds to the learned drift each frame.
const PACE_GAIN: f64 = 0.005;
const DRIFT_GAIN: f64 = 0.00002;
/// Frames over which the queue's fill is smoothed.
const SMOOTHING_FRAMES: f64 = 60.0;

/// Samples waiting for the device, and how loud to play them.
struct Shared {
    queue: VecDeque<f32>,
    volume: f32,
    /// The device asked for more than was queued while the game ran (for
    /// statistics).
    underruns: u64,
    /// The most samples the device has taken at once since sound started.
    largest_take: usize,
    /// The game has sent sound and is not paused: the queue running dry
    /// is an underrun (while paused, silence is expected).
    running: bool,
}

/// An open audio device.
pub struct Audio {
    _stream: cpal::Stream,
    shared: Arc<Mutex<Shared>>,
    sample_rate: u32,
    muted: bool,
    volume: f32,
    control: Control,
}

/// The audio clock's control, apart from the device: what to do with the
/// queue before each frame's samples go in, and the adjustments that
/// follow from its fill.
#[derive(Default)]
struct Control {
    /// The queue's fill before each frame's samples, smoothed.
    level: Option<f64>,
    /// The fill aimed for.
    target: usize,
    /// The frame period's settled correction: how much slower (above 0)
    /// or faster the device's clock runs than the console's, learned by
    /// summing the error (the integral part of the pacing).
    drift: f64,
}

impl Control {
    /// Before a frame's samples go in: sets the target for a device that
    /// takes up to `largest_take` samples at once at `rate`, tops the
    /// queue up or trims it if it is far off (see [`Audio::push`]), and
    /// notes its fill. `resume` says the sound is starting again.
    fn before_push(&mut self, queue: &mut VecDeque<f32>, resume: bool, largest_take: usize, rate: f64) {
        let least = (rate * TARGET_SECONDS) as usize;
        self.target = (2 * largest_take).clamp(least, (rate * MAX_TARGET_SECONDS) as usize);
        let target = self.target;
        if resume || queue.len() < target / 2 {
            let gap = target.saturating_sub(queue.len());
            queue.extend(std::iter::repeat_n(0.0, gap));
            self.level = None;
        } else if queue.len() > 2 * target {
            queue.drain(..queue.len() - target);
            self.level = None;
        }
        let now = queue.len() as f64;
        self.level = Some(self.level.map_or(now, |level| level + (now - level) / SMOOTHING_FRAMES));
        self.drift = (self.drift + self.error() * DRIFT_GAIN).clamp(-MAX_PACE, MAX_PACE);
    }

    /// How far the smoothed fill is from the target, in targets.
    fn error(&self) -> f64 {
        match self.level {
            Some(level) if self.target > 0 => (level - self.target as f64) / self.target as f64,
            _ => 0.0,
        }
    }

    /// The sample clock ratio (dynamic rate control).
    fn ratio(&self) -> f64 {
        1.0 - (self.error() * MAX_ADJUST).clamp(-MAX_ADJUST, MAX_ADJUST)
    }

    /// The frame period's factor (pacing by the audio clock): the learned
    /// drift plus a part proportional to the error.
    fn pace(&self) -> f64 {
        1.0 + (self.drift + self.error() * PACE_GAIN).clamp(-MAX_PACE, MAX_PACE)
    }
}

impl Audio {
    /// Opens the default output device at its preferred rate; the error is
    /// one line saying why there is no sound.
    pub fn open(volume: u8) -> Result<Audio, String> {
        if no_sound_system() {
            return Err("no audio device (no sound card, sound server or ALSA configuration)".into());
        }
        let host = cpal::default_host();
        let device = host.default_output_device().ok_or_else(|| "no audio output device".to_string())?;
        let supported = device.default_output_config().map_err(|e| format!("audio device unusable: {e}"))?;
        let config: cpal::StreamConfig = supported.config();
        let volume = f32::from(volume.min(100)) / 100.0;
        let shared = Arc::new(Mutex::new(Shared {
            queue: VecDeque::new(),
            volume,
            underruns: 0,
            largest_take: 0,
            running: false,
        }));
        let stream = match supported.sample_format() {
            SampleFormat::F32 => build::<f32>(&device, &config, shared.clone()),
            SampleFormat::I16 => build::<i16>(&device, &config, shared.clone()),
            SampleFormat::U16 => build::<u16>(&device, &config, shared.clone()),
            SampleFormat::I32 => build::<i32>(&device, &config, shared.clone()),
            other => return Err(format!("audio device wants {other} samples, which dynes does not produce")),
        }
        .map_err(|e| format!("cannot open the audio device: {e}"))?;
        stream.play().map_err(|e| format!("cannot start the audio device: {e}"))?;
        let sample_rate = config.sample_rate.0;
        Ok(Audio { _stream: stream, shared, sample_rate, muted: false, volume, control: Control::default() })
    }

    /// The device's sample rate.
    pub fn sample_rate(&self) -> u32 {
        self.sample_rate
    }

    /// Queues a frame's samples and returns the sample clock ratio that
    /// moves the queue toward its target. After a pause, or when the
    /// queue is near running dry (or the target grew), it is first topped
    /// up with silence to the target, so that sound starts again with its
    /// cushion rather than with a run of underruns; when it has grown far
    /// past the target (the device stalled or started late, or the game
    /// is fast-forwarding), its oldest sound is dropped.
    pub fn push(&mut self, samples: &[f32]) -> f64 {
        let Ok(mut shared) = self.shared.lock() else {
            return 1.0;
        };
        let Shared { queue, running, largest_take, .. } = &mut *shared;
        self.control.before_push(queue, !*running, *largest_take, f64::from(self.sample_rate));
        *running = true;
        queue.extend(samples);
        self.control.ratio()
    }

    /// The frame period's factor that paces the game by the audio clock:
    /// above 1 (frames start later) while the device plays slower than
    /// the game runs, below while faster.
    pub fn pace(&self) -> f64 {
        self.control.pace()
    }

    /// While paused the queue plays out and the device then gets silence,
    /// which is not counted as an underrun.
    pub fn pause(&mut self) {
        if let Ok(mut shared) = self.shared.lock() {
            shared.running = false;
        }
    }

    /// Mutes or unmutes; returns whether it is muted now.
    pub fn toggle_mute(&mut self) -> bool {
        self.muted = !self.muted;
        if let Ok(mut shared) = self.shared.lock() {
            shared.volume = if self.muted { 0.0 } else { self.volume };
        }
        self.muted
    }

    /// Times the device found the queue empty.
    pub fn underruns(&self) -> u64 {
        self.shared.lock().map_or(0, |shared| shared.underruns)
    }
}

/// On Linux, whether there is plainly nothing to play sound on: no sound
/// card, no PulseAudio or PipeWire socket, no ALSA configuration that
/// could name another device. Asking ALSA anyway would print several
/// lines of its own errors before failing.
fn no_sound_system() -> bool {
    if !cfg!(target_os = "linux") {
        return false;
    }
    let mut places = vec![PathBuf::from("/dev/snd"), PathBuf::from("/etc/asound.conf")];
    if let Some(home) = std::env::var_os("HOME") {
        places.push(Path::new(&home).join(".asoundrc"));
    }
    if let Some(runtime) = std::env::var_os("XDG_RUNTIME_DIR") {
        places.push(Path::new(&runtime).join("pulse/native"));
        places.push(Path::new(&runtime).join("pipewire-0"));
    }
    let servers = ["PULSE_SERVER", "PIPEWIRE_REMOTE", "ALSA_CONFIG_PATH"];
    !places.iter().any(|place| place.exists()) && !servers.iter().any(|var| std::env::var_os(var).is_some())
}

fn build<T: SizedSample + FromSample<f32>>(
    device: &cpal::Device,
    config: &cpal::StreamConfig,
    shared: Arc<Mutex<Shared>>,
) -> Result<cpal::Stream, cpal::BuildStreamError> {
    let channels = usize::from(config.channels.max(1));
    device.build_output_stream(
        config,
        move |data: &mut [T], _| {
            let Ok(mut shared) = shared.lock() else {
                return;
            };
            let volume = shared.volume;
            let mut starved = false;
            if shared.running {
                shared.largest_take = shared.largest_take.max(data.len() / channels);
            }
            for frame in data.chunks_mut(channels) {
                let sample = match shared.queue.pop_front() {
                    Some(sample) => sample * volume,
                    None => {
                        starved = true;
                        0.0
                    }
                };
                frame.fill(T::from_sample(sample));
            }
            if starved && shared.running {
                shared.underruns += 1;
            }
        },
        |err| eprintln!("dynes: audio device error: {err}"),
        None,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A device whose clock runs `drift` fast (or slow, negative) takes
    /// `chunk` samples at a time; the window's loop paces frames and rate
    /// control by [`Control`]. Returns the underruns after the first
    /// `warmup` frames, the queue's lowest and highest fill before a frame
    /// from then on (in targets), the frame rate over that time, and the
    /// sample clock ratio at the end.
    fn simulate(drift: f64, chunk: usize, frames: usize, warmup: usize) -> (usize, f64, f64, f64, f64) {
        const RATE: f64 = 48_000.0;
        const FPS: f64 = 60.0988;
        let mut control = Control::default();
        let mut queue = VecDeque::new();
        let (mut now, mut next_take) = (0.0, 0.0);
        let mut owed = 0.0;
        let (mut underruns, mut low, mut high) = (0, f64::MAX, 0.0f64);
        let mut started = 0.0;
        for frame in 0..frames {
            while next_take <= now {
                if queue.len() < chunk && frame > warmup {
                    underruns += 1;
                }
                queue.drain(..chunk.min(queue.len()));
                next_take += chunk as f64 / (RATE * (1.0 + drift));
            }
            control.before_push(&mut queue, frame == 0, chunk, RATE);
            if frame == warmup {
                started = now;
            }
            if frame > warmup {
                let fill = queue.len() as f64 / control.target as f64;
                low = low.min(fill);
                high = high.max(fill);
            }
            owed += RATE / FPS * control.ratio();
            queue.extend(std::iter::repeat_n(0.0, owed as usize));
            owed -= owed.floor();
            now += control.pace() / FPS;
        }
        (underruns, low, high, (frames - warmup) as f64 / (now - started), control.ratio())
    }

    /// The game runs at the device's speed, the queue stays near its
    /// target, and the pitch settles back to exact.
    #[test]
    fn the_game_follows_the_device_clock() {
        for drift in [-0.003, 0.0, 0.003] {
            for chunk in [256, 1024, 4096] {
                let (underruns, low, high, fps, ratio) = simulate(drift, chunk, 30_000, 6_000);
                let expected = 60.0988 * (1.0 + drift);
                assert_eq!(underruns, 0, "drift {drift} chunk {chunk}");
                assert!(low > 0.5 && high < 1.5, "drift {drift} chunk {chunk}: fill {low:.2}..{high:.2}");
                assert!((fps / expected - 1.0).abs() < 0.0001, "drift {drift} chunk {chunk}: {fps} fps");
                // Settled: the game's speed carries the difference, not the pitch.
                assert!((ratio - 1.0).abs() < 0.0005, "drift {drift} chunk {chunk}: ratio {ratio}");
            }
        }
    }

    #[test]
    fn a_device_that_stalls_or_starts_late_costs_a_skip_not_a_growing_delay() {
        let mut control = Control::default();
        let mut queue: VecDeque<f32> = std::iter::repeat_n(0.0, 48_000).collect();
        control.before_push(&mut queue, false, 1024, 48_000.0);
        assert_eq!(queue.len(), control.target);
        queue.clear();
        control.before_push(&mut queue, false, 1024, 48_000.0);
        assert_eq!(queue.len(), control.target, "a dry queue is topped up with silence");
    }
}
