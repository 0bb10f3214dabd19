//! CPU state: registers, status flags, interrupt latches.

use std::marker::PhantomData;

/// A 6502 flavour, chosen at compile time.
pub trait Variant {
    /// Whether the D flag switches ADC/SBC to BCD arithmetic.
    const DECIMAL: bool;
    /// Human name, for messages.
    const NAME: &'static str;
}

/// The original NMOS 6502, with decimal mode (for the functional test).
pub struct Nmos6502;

/// The Ricoh 2A03 of the NES: D is a plain flag with no effect on arithmetic.
pub struct Ricoh2A03;

impl Variant for Nmos6502 {
    const DECIMAL: bool = true;
    const NAME: &'static str = "NMOS 6502";
}

impl Variant for Ricoh2A03 {
    const DECIMAL: bool = false;
    const NAME: &'static str = "Ricoh 2A03";
}

/// The programmer-visible registers, as a plain value (for traces, state
/// comparison and save states).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Registers {
    /// Accumulator.
    pub a: u8,
    /// X index.
    pub x: u8,
    /// Y index.
    pub y: u8,
    /// Stack pointer (page 1).
    pub s: u8,
    /// Program counter.
    pub pc: u16,
    /// Status register as PHP would push it without B (bit 5 always set).
    pub p: u8,
}

/// Interrupt latch bits (see [`Cpu::irq_state`]).
pub(crate) mod latch {
    /// An NMI edge was detected and not yet serviced.
    pub const NEED_NMI: u8 = 0x01;
    /// `NEED_NMI` as of the previous cycle.
    pub const PREV_NEED_NMI: u8 = 0x02;
    /// IRQ asserted and I clear, this cycle.
    pub const RUN_IRQ: u8 = 0x04;
    /// `RUN_IRQ` as of the previous cycle.
    pub const PREV_RUN_IRQ: u8 = 0x08;
}

/// A 6502 core. Memory is reached only through a [`crate::Bus`].
///
/// `repr(C)` because the recompiler's generated code reads and writes the
/// registers and flags in place (see [`layout`]).
///
/// Serializable for save states; the variant is a type, not data.
#[repr(C)]
#[derive(serde::Serialize, serde::Deserialize)]
#[serde(bound = "")]
pub struct Cpu<V: Variant> {
    pub(crate) a: u8,
    pub(crate) x: u8,
    pub(crate) y: u8,
    pub(crate) s: u8,
    pub(crate) pc: u16,
    // Flags are kept unpacked: they are written far more often than P is read.
    pub(crate) n: bool,
    pub(crate) v: bool,
    pub(crate) d: bool,
    pub(crate) i: bool,
    pub(crate) z: bool,
    pub(crate) c: bool,
    /// Interrupt latches (`latch::*`), non-zero while an interrupt is on its way.
    pub(crate) irq_state: u8,
    /// The NMI line at the last sample, for edge detection.
    pub(crate) prev_nmi_line: bool,
    /// Opcode of the JAM that stopped the CPU, if any.
    pub(crate) jammed: Option<u8>,
    pub(crate) instructions: u64,
    #[serde(skip)]
    _variant: PhantomData<V>,
}

/// Byte offsets of the fields generated code touches. Flags are `bool`s:
/// generated code must only store 0 or 1 into them.
pub mod layout {
    use super::{Cpu, Ricoh2A03};
    use std::mem::offset_of;

    /// A.
    pub const A: usize = offset_of!(Cpu<Ricoh2A03>, a);
    /// X.
    pub const X: usize = offset_of!(Cpu<Ricoh2A03>, x);
    /// Y.
    pub const Y: usize = offset_of!(Cpu<Ricoh2A03>, y);
    /// S.
    pub const S: usize = offset_of!(Cpu<Ricoh2A03>, s);
    /// PC (u16).
    pub const PC: usize = offset_of!(Cpu<Ricoh2A03>, pc);
    /// N flag.
    pub const N: usize = offset_of!(Cpu<Ricoh2A03>, n);
    /// V flag.
    pub const V: usize = offset_of!(Cpu<Ricoh2A03>, v);
    /// D flag.
    pub const D: usize = offset_of!(Cpu<Ricoh2A03>, d);
    /// I flag.
    pub const I: usize = offset_of!(Cpu<Ricoh2A03>, i);
    /// Z flag.
    pub const Z: usize = offset_of!(Cpu<Ricoh2A03>, z);
    /// C flag.
    pub const C: usize = offset_of!(Cpu<Ricoh2A03>, c);
    /// Instructions executed (u64).
    pub const INSTRUCTIONS: usize = offset_of!(Cpu<Ricoh2A03>, instructions);
}

// Derived Clone/Copy would require `V: Copy`; the variant is only a marker.
impl<V: Variant> Clone for Cpu<V> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<V: Variant> Copy for Cpu<V> {}

impl<V: Variant> Default for Cpu<V> {
    fn default() -> Self {
        Self::new()
    }
}

impl<V: Variant> Cpu<V> {
    /// A CPU in its power-on state before the reset sequence has run:
    /// A=X=Y=0, S=0, I set.
    pub fn new() -> Self {
        Self {
            a: 0,
            x: 0,
            y: 0,
            s: 0,
            pc: 0,
            n: false,
            v: false,
            d: false,
            i: true,
            z: false,
            c: false,
            irq_state: 0,
            prev_nmi_line: false,
            jammed: None,
            instructions: 0,
            _variant: PhantomData,
        }
    }

    /// The registers as a value.
    pub fn regs(&self) -> Registers {
        Registers { a: self.a, x: self.x, y: self.y, s: self.s, pc: self.pc, p: self.p() }
    }

    /// Overwrites every register (P ignores bits 4 and 5).
    pub fn set_regs(&mut self, regs: Registers) {
        self.a = regs.a;
        self.x = regs.x;
        self.y = regs.y;
        self.s = regs.s;
        self.pc = regs.pc;
        self.set_p(regs.p);
    }

    /// Program counter.
    #[inline(always)]
    pub fn pc(&self) -> u16 {
        self.pc
    }

    /// Sets the program counter.
    pub fn set_pc(&mut self, pc: u16) {
        self.pc = pc;
    }

    /// The status register with bit 5 set and B clear.
    #[inline]
    pub fn p(&self) -> u8 {
        (self.n as u8) << 7
            | (self.v as u8) << 6
            | 0x20
            | (self.d as u8) << 3
            | (self.i as u8) << 2
            | (self.z as u8) << 1
            | self.c as u8
    }

    /// Loads the status register (bits 4 and 5 do not exist in the CPU).
    #[inline]
    pub fn set_p(&mut self, p: u8) {
        self.n = p & 0x80 != 0;
        self.v = p & 0x40 != 0;
        self.d = p & 0x08 != 0;
        self.i = p & 0x04 != 0;
        self.z = p & 0x02 != 0;
        self.c = p & 0x01 != 0;
    }

    /// The JAM opcode that halted the CPU, if it is halted.
    pub fn jammed(&self) -> Option<u8> {
        self.jammed
    }

    /// Instructions executed since creation (interrupt sequences not counted).
    pub fn instructions(&self) -> u64 {
        self.instructions
    }

    /// Whether an NMI edge has been latched and not yet serviced.
    pub fn nmi_pending(&self) -> bool {
        self.irq_state & latch::NEED_NMI != 0
    }

    /// The raw interrupt latches, for state comparison and save states.
    pub fn irq_state(&self) -> (u8, bool) {
        (self.irq_state, self.prev_nmi_line)
    }

    /// Restores the raw interrupt latches.
    pub fn set_irq_state(&mut self, latches: u8, prev_nmi_line: bool) {
        self.irq_state = latches & 0x0F;
        self.prev_nmi_line = prev_nmi_line;
    }

    #[inline(always)]
    pub(crate) fn set_nz(&mut self, value: u8) {
        self.z = value == 0;
        self.n = value & 0x80 != 0;
    }
}
