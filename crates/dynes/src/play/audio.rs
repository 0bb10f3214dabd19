//! Sound out through cpal. The emulator pushes each frame's samples into a
//! queue the device drains; the queue's fill steers the emulator's sample
//! clock a little faster or slower (dynamic rate control), so the device
//! never runs dry and never lags while video keeps its own steady pace.

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use cpal::traits::{DeviceTrait, HostTrait, StreamTrait};
use cpal::{FromSample, SampleFormat, SizedSample};

/// Queue fill the rate control aims for, in seconds of sound.
const TARGET_SECONDS: f64 = 0.05;
/// The largest change of the sample clock rate control makes (0.5%, too
/// little to hear as a change of pitch).
const MAX_ADJUST: f64 = 0.005;

/// Samples waiting for the device, and how loud to play them.
struct Shared {
    queue: VecDeque<f32>,
    volume: f32,
    /// The device asked for more than was queued (for statistics).
    underruns: u64,
}

/// An open audio device.
pub struct Audio {
    _stream: cpal::Stream,
    shared: Arc<Mutex<Shared>>,
    sample_rate: u32,
    target: usize,
    muted: bool,
    volume: f32,
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
        let shared = Arc::new(Mutex::new(Shared { queue: VecDeque::new(), volume, underruns: 0 }));
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
        Ok(Audio {
            _stream: stream,
            shared,
            sample_rate,
            target: (f64::from(sample_rate) * TARGET_SECONDS) as usize,
            muted: false,
            volume,
        })
    }

    /// The device's sample rate.
    pub fn sample_rate(&self) -> u32 {
        self.sample_rate
    }

    /// Queues a frame's samples (dropping them when far ahead, as while
    /// fast-forwarding) and returns the sample clock ratio that moves the
    /// queue toward its target.
    pub fn push(&mut self, samples: &[f32]) -> f64 {
        let Ok(mut shared) = self.shared.lock() else {
            return 1.0;
        };
        if shared.queue.len() < self.target * 4 {
            shared.queue.extend(samples);
        }
        let error = (shared.queue.len() as f64 - self.target as f64) / self.target as f64;
        1.0 - (error * MAX_ADJUST).clamp(-MAX_ADJUST, MAX_ADJUST)
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
            if starved {
                shared.underruns += 1;
            }
        },
        |err| eprintln!("dynes: audio device error: {err}"),
        None,
    )
}
