//! The five sound channels and the units they share (envelope, length
//! counter, sweep).

use serde::{Deserialize, Serialize};

/// Length counter loads, indexed by the 5-bit value written.
const LENGTHS: [u8; 32] = [
    10, 254, 20, 2, 40, 4, 80, 6, 160, 8, 60, 10, 14, 12, 26, 14, 12, 16, 24, 18, 48, 20, 96, 22, 192, 24,
    72, 26, 16, 28, 32, 30,
];

/// Pulse waveforms, one bit per step of the 8-step sequence.
const DUTY: [u8; 4] = [0b0000_0010, 0b0000_0110, 0b0001_1110, 0b1111_1001];

/// The triangle's 32-step ramp.
const TRIANGLE: [u8; 32] = [
    15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14,
    15,
];

/// Noise timer periods in CPU cycles.
pub(crate) const NOISE_NTSC: [u16; 16] =
    [4, 8, 16, 32, 64, 96, 128, 160, 202, 254, 380, 508, 762, 1016, 2034, 4068];
pub(crate) const NOISE_PAL: [u16; 16] =
    [4, 8, 14, 30, 60, 88, 118, 148, 188, 236, 354, 472, 708, 944, 1890, 3778];

/// DMC timer periods in CPU cycles.
pub(crate) const DMC_NTSC: [u16; 16] =
    [428, 380, 340, 320, 286, 254, 226, 214, 190, 160, 142, 128, 106, 84, 72, 54];
pub(crate) const DMC_PAL: [u16; 16] =
    [398, 354, 316, 298, 276, 236, 210, 198, 176, 148, 132, 118, 98, 78, 66, 50];

/// A length counter. A reload written in the cycle the counter is clocked
/// is ignored unless the counter was 0; a change of the halt flag applies
/// after a clock in the same cycle (writes land after the cycle's clocks).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub(crate) struct Length {
    pub(crate) counter: u8,
    halt: bool,
    /// The counter was clocked in the cycle just processed.
    pub(crate) clocked: bool,
    pub(crate) enabled: bool,
}

impl Length {
    pub(crate) fn set_halt(&mut self, halt: bool) {
        self.halt = halt;
    }

    pub(crate) fn load(&mut self, index: u8) {
        if self.enabled && !(self.clocked && self.counter > 0) {
            self.counter = LENGTHS[usize::from(index & 0x1F)];
        }
    }

    pub(crate) fn set_enabled(&mut self, enabled: bool) {
        self.enabled = enabled;
        if !enabled {
            self.counter = 0;
        }
    }

    /// Half-frame clock.
    pub(crate) fn clock(&mut self) {
        self.clocked = true;
        if self.counter > 0 && !self.halt {
            self.counter -= 1;
        }
    }

    pub(crate) fn active(&self) -> bool {
        self.counter > 0
    }
}

/// Runs a channel timer for `clocks` clocks in one go: it counts down to
/// 0, and the clock after that reloads it with `reload` (an event: the
/// channel steps). Returns the number of events.
#[inline]
fn run_timer(timer: &mut u16, reload: u16, clocks: u64) -> u64 {
    let t = u64::from(*timer);
    if clocks <= t {
        *timer = (t - clocks) as u16;
        return 0;
    }
    let after_first = clocks - t - 1;
    let cycle = u64::from(reload) + 1;
    *timer = (u64::from(reload) - after_first % cycle) as u16;
    1 + after_first / cycle
}

/// Volume envelope of the pulse and noise channels.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub(crate) struct Envelope {
    start: bool,
    looping: bool,
    constant: bool,
    period: u8,
    divider: u8,
    decay: u8,
}

impl Envelope {
    /// `--LC VVVV` of $4000/$4004/$400C.
    pub(crate) fn write(&mut self, value: u8) {
        self.looping = value & 0x20 != 0;
        self.constant = value & 0x10 != 0;
        self.period = value & 0x0F;
    }

    pub(crate) fn restart(&mut self) {
        self.start = true;
    }

    /// Quarter-frame clock.
    pub(crate) fn clock(&mut self) {
        if self.start {
            self.start = false;
            self.decay = 15;
            self.divider = self.period;
        } else if self.divider == 0 {
            self.divider = self.period;
            if self.decay > 0 {
                self.decay -= 1;
            } else if self.looping {
                self.decay = 15;
            }
        } else {
            self.divider -= 1;
        }
    }

    pub(crate) fn volume(&self) -> u8 {
        if self.constant {
            self.period
        } else {
            self.decay
        }
    }
}

/// A pulse channel ($4000-$4003 or $4004-$4007).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub(crate) struct Pulse {
    /// Pulse 1 negates its sweep with one's complement, pulse 2 with two's.
    second: bool,
    duty: u8,
    step: u8,
    pub(crate) period: u16,
    pub(crate) timer: u16,
    pub(crate) length: Length,
    envelope: Envelope,
    sweep_enabled: bool,
    sweep_period: u8,
    sweep_negate: bool,
    sweep_shift: u8,
    sweep_divider: u8,
    sweep_reload: bool,
}

impl Pulse {
    pub(crate) fn new(second: bool) -> Pulse {
        Pulse { second, ..Pulse::default() }
    }

    pub(crate) fn write(&mut self, reg: u16, value: u8) {
        match reg & 3 {
            0 => {
                self.duty = value >> 6;
                self.length.set_halt(value & 0x20 != 0);
                self.envelope.write(value);
            }
            1 => {
                self.sweep_enabled = value & 0x80 != 0;
                self.sweep_period = (value >> 4) & 7;
                self.sweep_negate = value & 0x08 != 0;
                self.sweep_shift = value & 7;
                self.sweep_reload = true;
            }
            2 => self.period = (self.period & 0x700) | u16::from(value),
            _ => {
                self.period = (self.period & 0xFF) | (u16::from(value & 7) << 8);
                self.length.load(value >> 3);
                self.step = 0;
                self.envelope.restart();
            }
        }
    }

    /// Timer clock (every other CPU cycle).
    #[inline]
    pub(crate) fn clock_timer(&mut self) {
        if self.timer == 0 {
            self.timer = self.period;
            self.step = (self.step + 1) & 7;
        } else {
            self.timer -= 1;
        }
    }

    /// `clocks` timer clocks at once (see [`run_timer`]).
    pub(crate) fn advance(&mut self, clocks: u64) {
        let events = run_timer(&mut self.timer, self.period, clocks);
        self.step = ((u64::from(self.step) + events) & 7) as u8;
    }

    /// Whether the output is 0 whatever the sequencer's position (until a
    /// register write or a frame counter clock).
    pub(crate) fn silent(&self) -> bool {
        !self.length.active() || self.muted() || self.envelope.volume() == 0
    }

    fn sweep_target(&self) -> u16 {
        let change = self.period >> self.sweep_shift;
        if self.sweep_negate {
            self.period.saturating_sub(change + u16::from(!self.second))
        } else {
            self.period + change
        }
    }

    fn muted(&self) -> bool {
        self.period < 8 || (!self.sweep_negate && self.sweep_target() > 0x7FF)
    }

    pub(crate) fn clock_quarter(&mut self) {
        self.envelope.clock();
    }

    pub(crate) fn clock_half(&mut self) {
        self.length.clock();
        if self.sweep_divider == 0 && self.sweep_enabled && self.sweep_shift > 0 && !self.muted() {
            self.period = self.sweep_target();
        }
        if self.sweep_divider == 0 || self.sweep_reload {
            self.sweep_divider = self.sweep_period;
            self.sweep_reload = false;
        } else {
            self.sweep_divider -= 1;
        }
    }

    #[inline]
    pub(crate) fn output(&self) -> u8 {
        if self.silent() || DUTY[usize::from(self.duty)] & (0x80 >> self.step) == 0 {
            0
        } else {
            self.envelope.volume()
        }
    }
}

/// The triangle channel ($4008-$400B).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub(crate) struct Triangle {
    period: u16,
    pub(crate) timer: u16,
    step: u8,
    pub(crate) length: Length,
    control: bool,
    linear_reload_value: u8,
    linear: u8,
    linear_reload: bool,
}

impl Triangle {
    pub(crate) fn write(&mut self, reg: u16, value: u8) {
        match reg & 3 {
            0 => {
                self.control = value & 0x80 != 0;
                self.length.set_halt(self.control);
                self.linear_reload_value = value & 0x7F;
            }
            1 => {}
            2 => self.period = (self.period & 0x700) | u16::from(value),
            _ => {
                self.period = (self.period & 0xFF) | (u16::from(value & 7) << 8);
                self.length.load(value >> 3);
                self.linear_reload = true;
            }
        }
    }

    /// Timer clock (every CPU cycle).
    #[inline]
    pub(crate) fn clock_timer(&mut self) {
        if self.timer == 0 {
            self.timer = self.period;
            if self.length.active() && self.linear > 0 {
                self.step = (self.step + 1) & 31;
            }
        } else {
            self.timer -= 1;
        }
    }

    /// `clocks` timer clocks at once (see [`run_timer`]).
    pub(crate) fn advance(&mut self, clocks: u64) {
        let events = run_timer(&mut self.timer, self.period, clocks);
        if self.length.active() && self.linear > 0 {
            self.step = ((u64::from(self.step) + events) & 31) as u8;
        }
    }

    /// Whether the output holds its level whatever the timer does (until a
    /// register write or a frame counter clock): the sequencer is stopped,
    /// or the period is so short the output is held at mid level.
    pub(crate) fn steady(&self) -> bool {
        !(self.length.active() && self.linear > 0) || self.period < 2
    }

    pub(crate) fn clock_quarter(&mut self) {
        if self.linear_reload {
            self.linear = self.linear_reload_value;
        } else if self.linear > 0 {
            self.linear -= 1;
        }
        if !self.control {
            self.linear_reload = false;
        }
    }

    pub(crate) fn clock_half(&mut self) {
        self.length.clock();
    }

    #[inline]
    pub(crate) fn output(&self) -> u8 {
        // Periods below 2 step faster than any speaker follows: real
        // hardware gives a flat mid level, which avoids a loud whine.
        if self.period < 2 {
            7
        } else {
            TRIANGLE[usize::from(self.step)]
        }
    }
}

/// The noise channel ($400C-$400F).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct Noise {
    period: u16,
    pub(crate) timer: u16,
    short_mode: bool,
    shift: u16,
    pub(crate) length: Length,
    envelope: Envelope,
}

impl Default for Noise {
    fn default() -> Noise {
        Noise {
            period: NOISE_NTSC[0],
            timer: 0,
            short_mode: false,
            shift: 1,
            length: Length::default(),
            envelope: Envelope::default(),
        }
    }
}

impl Noise {
    pub(crate) fn write(&mut self, reg: u16, value: u8, periods: &[u16; 16]) {
        match reg & 3 {
            0 => {
                self.length.set_halt(value & 0x20 != 0);
                self.envelope.write(value);
            }
            1 => {}
            2 => {
                self.short_mode = value & 0x80 != 0;
                self.period = periods[usize::from(value & 0x0F)];
            }
            _ => {
                self.length.load(value >> 3);
                self.envelope.restart();
            }
        }
    }

    /// Timer clock (every CPU cycle; the periods are in CPU cycles).
    #[inline]
    pub(crate) fn clock_timer(&mut self) {
        if self.timer == 0 {
            self.timer = self.period - 1;
            self.shift_once();
        } else {
            self.timer -= 1;
        }
    }

    /// The shift register's step at a timer event.
    #[inline]
    fn shift_once(&mut self) {
        let tap = if self.short_mode { 6 } else { 1 };
        let feedback = (self.shift ^ (self.shift >> tap)) & 1;
        self.shift = (self.shift >> 1) | (feedback << 14);
    }

    /// `clocks` timer clocks at once (see [`run_timer`]): the shift
    /// register steps once per event.
    pub(crate) fn advance(&mut self, clocks: u64) {
        for _ in 0..run_timer(&mut self.timer, self.period - 1, clocks) {
            self.shift_once();
        }
    }

    /// Whether the output is 0 whatever the shift register holds (until a
    /// register write or a frame counter clock).
    pub(crate) fn silent(&self) -> bool {
        !self.length.active() || self.envelope.volume() == 0
    }

    pub(crate) fn clock_quarter(&mut self) {
        self.envelope.clock();
    }

    pub(crate) fn clock_half(&mut self) {
        self.length.clock();
    }

    #[inline]
    pub(crate) fn output(&self) -> u8 {
        if self.silent() || self.shift & 1 != 0 {
            0
        } else {
            self.envelope.volume()
        }
    }
}

/// The delta modulation channel ($4010-$4013): 1-bit samples fetched from
/// CPU memory by DMA.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct Dmc {
    pub(crate) irq_enabled: bool,
    looping: bool,
    pub(crate) period: u16,
    /// CPU cycles until the timer next clocks the output unit.
    pub(crate) timer: u16,
    pub(crate) level: u8,
    sample_address: u16,
    sample_length: u16,
    pub(crate) address: u16,
    pub(crate) bytes_remaining: u16,
    pub(crate) buffer: Option<u8>,
    shift: u8,
    pub(crate) bits_remaining: u8,
    silence: bool,
    pub(crate) irq: bool,
}

impl Default for Dmc {
    fn default() -> Dmc {
        Dmc {
            irq_enabled: false,
            looping: false,
            period: DMC_NTSC[0],
            // Every period is even, so this sets the phase for good: the
            // fetch after the output unit empties the buffer asks to halt
            // the CPU on a put (odd) cycle.
            timer: DMC_NTSC[0],
            level: 0,
            sample_address: 0xC000,
            sample_length: 1,
            address: 0xC000,
            bytes_remaining: 0,
            buffer: None,
            shift: 0,
            bits_remaining: 8,
            silence: true,
            irq: false,
        }
    }
}

impl Dmc {
    pub(crate) fn write(&mut self, reg: u16, value: u8, periods: &[u16; 16]) {
        match reg & 3 {
            0 => {
                self.irq_enabled = value & 0x80 != 0;
                self.looping = value & 0x40 != 0;
                self.period = periods[usize::from(value & 0x0F)];
                if !self.irq_enabled {
                    self.irq = false;
                }
            }
            1 => self.level = value & 0x7F,
            2 => self.sample_address = 0xC000 | (u16::from(value) << 6),
            _ => self.sample_length = (u16::from(value) << 4) | 1,
        }
    }

    /// $4015 bit 4.
    pub(crate) fn set_enabled(&mut self, enabled: bool) {
        if !enabled {
            self.bytes_remaining = 0;
        } else if self.bytes_remaining == 0 {
            self.restart();
        }
    }

    fn restart(&mut self) {
        self.address = self.sample_address;
        self.bytes_remaining = self.sample_length;
    }

    /// Whether the memory reader wants a byte now.
    #[inline]
    pub(crate) fn wants_byte(&self) -> bool {
        self.buffer.is_none() && self.bytes_remaining > 0
    }

    /// The byte the DMA fetched for the address [`Dmc::address`].
    pub(crate) fn fill(&mut self, value: u8) {
        self.buffer = Some(value);
        self.address = self.address.checked_add(1).unwrap_or(0x8000);
        self.bytes_remaining -= 1;
        if self.bytes_remaining == 0 {
            if self.looping {
                self.restart();
            } else if self.irq_enabled {
                self.irq = true;
            }
        }
    }

    /// One CPU cycle of the timer.
    #[inline]
    pub(crate) fn clock_timer(&mut self) {
        if self.timer > 0 {
            self.timer -= 1;
            return;
        }
        self.timer = self.period - 1;
        if !self.silence {
            if self.shift & 1 != 0 {
                if self.level <= 125 {
                    self.level += 2;
                }
            } else if self.level >= 2 {
                self.level -= 2;
            }
        }
        self.shift >>= 1;
        self.bits_remaining -= 1;
        if self.bits_remaining == 0 {
            self.bits_remaining = 8;
            match self.buffer.take() {
                Some(byte) => {
                    self.silence = false;
                    self.shift = byte;
                }
                None => self.silence = true,
            }
        }
    }

    /// CPU cycles from now until the output unit next takes the buffer
    /// (when a DMA may become due).
    pub(crate) fn cycles_to_next_byte(&self) -> u64 {
        u64::from(self.timer) + u64::from(self.bits_remaining - 1) * u64::from(self.period) + 1
    }
}
