//! Sound output: the channels' levels mixed as the 2A03's resistor network
//! does (non-linearly), synthesized band-limited at the output rate with
//! `blip_buf`, then filtered like the console's output stage (high-pass
//! at 90 Hz and 440 Hz, low-pass at 14 kHz).

use blip_buf::BlipBuf;

/// Amplitude of full scale in the band-limited buffer.
const FULL_SCALE: f64 = 30_000.0;
/// Cycles the buffer holds before it must be read (more than a PAL frame).
const MAX_FRAME_CYCLES: u32 = 100_000;

/// The synthesizer for one output rate.
pub struct Output {
    blip: BlipBuf,
    clock_rate: f64,
    sample_rate: f64,
    /// Cycle at which the current blip frame starts.
    frame_start: u64,
    /// The mixed level last sent, and the channel levels it came from.
    level: i32,
    last: u32,
    pulse_table: [f32; 31],
    tnd_table: [f32; 203],
    filters: [Filter; 3],
    buffer: Vec<i16>,
}

/// A first-order filter (RC), high- or low-pass.
#[derive(Clone, Copy)]
struct Filter {
    high_pass: bool,
    alpha: f32,
    previous_in: f32,
    previous_out: f32,
}

impl Filter {
    fn new(high_pass: bool, cutoff: f64, sample_rate: f64) -> Filter {
        let rc = 1.0 / (2.0 * std::f64::consts::PI * cutoff);
        let dt = 1.0 / sample_rate;
        let alpha = if high_pass { rc / (rc + dt) } else { dt / (rc + dt) };
        Filter { high_pass, alpha: alpha as f32, previous_in: 0.0, previous_out: 0.0 }
    }

    fn apply(&mut self, x: f32) -> f32 {
        let y = if self.high_pass {
            self.alpha * (self.previous_out + x - self.previous_in)
        } else {
            self.previous_out + self.alpha * (x - self.previous_out)
        };
        self.previous_in = x;
        self.previous_out = y;
        y
    }
}

impl Output {
    pub(crate) fn new(clock_rate: f64, sample_rate: f64, cycle: u64) -> Output {
        let size = (sample_rate * f64::from(MAX_FRAME_CYCLES) / clock_rate) as u32 + 64;
        let mut blip = BlipBuf::new(size);
        blip.set_rates(clock_rate, sample_rate);
        let mut pulse_table = [0.0; 31];
        for (n, entry) in pulse_table.iter_mut().enumerate().skip(1) {
            *entry = (95.52 / (8128.0 / n as f64 + 100.0)) as f32;
        }
        let mut tnd_table = [0.0; 203];
        for (n, entry) in tnd_table.iter_mut().enumerate().skip(1) {
            *entry = (163.67 / (24329.0 / n as f64 + 100.0)) as f32;
        }
        Output {
            blip,
            clock_rate,
            sample_rate,
            frame_start: cycle,
            level: 0,
            last: 0,
            pulse_table,
            tnd_table,
            filters: [
                Filter::new(true, 90.0, sample_rate),
                Filter::new(true, 440.0, sample_rate),
                Filter::new(false, 14_000.0, sample_rate),
            ],
            buffer: Vec::new(),
        }
    }

    pub(crate) fn sample_rate(&self) -> u32 {
        self.sample_rate as u32
    }

    pub(crate) fn set_ratio(&mut self, ratio: f64) {
        self.blip.set_rates(self.clock_rate, self.sample_rate * ratio);
    }

    /// The channels' levels during `cycle`.
    #[inline]
    pub(crate) fn sample(&mut self, cycle: u64, pulse1: u8, pulse2: u8, triangle: u8, noise: u8, dmc: u8) {
        let key = u32::from(pulse1)
            | u32::from(pulse2) << 4
            | u32::from(triangle) << 8
            | u32::from(noise) << 12
            | u32::from(dmc) << 16;
        if key == self.last {
            return;
        }
        self.last = key;
        let pulse = self.pulse_table[usize::from(pulse1 + pulse2)];
        let tnd = self.tnd_table[3 * usize::from(triangle) + 2 * usize::from(noise) + usize::from(dmc)];
        let level = (f64::from(pulse + tnd) * FULL_SCALE) as i32;
        let time = (cycle - self.frame_start).min(u64::from(MAX_FRAME_CYCLES) - 1) as u32;
        self.blip.add_delta(time, level - self.level);
        self.level = level;
    }

    /// Ends the frame at `cycle` and appends its samples, filtered.
    pub(crate) fn end_frame(&mut self, cycle: u64, samples: &mut Vec<f32>) {
        let duration = (cycle - self.frame_start).min(u64::from(MAX_FRAME_CYCLES)) as u32;
        self.blip.end_frame(duration);
        self.frame_start = cycle;
        let available = self.blip.samples_avail() as usize;
        self.buffer.resize(available, 0);
        let read = self.blip.read_samples(&mut self.buffer, false);
        samples.reserve(read);
        for &sample in &self.buffer[..read] {
            let mut x = f32::from(sample) / FULL_SCALE as f32;
            for filter in &mut self.filters {
                x = filter.apply(x);
            }
            samples.push(x.clamp(-1.0, 1.0));
        }
    }
}
