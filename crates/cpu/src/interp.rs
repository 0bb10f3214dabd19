//! The cycle-exact interpreter.
//!
//! Each opcode's handler is specialized at compile time from its entry in
//! [`OPCODES`]: `exec::<OP>` reads the entry in a `const` block, and the
//! matches on kind, mode and mnemonic fold away, so the dispatch `match`
//! becomes a jump table over 256 straight-line handlers. Every bus access
//! the real chip makes is made here, in order, including dummy reads and
//! the double write of read-modify-write instructions.

use crate::bus::Bus;
use crate::cpu::{latch, Cpu, Variant};
use crate::opcodes::{Kind, Mnemonic, Mnemonic::*, Mode, OPCODES};

/// Vector addresses.
const NMI_VECTOR: u16 = 0xFFFA;
const RESET_VECTOR: u16 = 0xFFFC;
const IRQ_VECTOR: u16 = 0xFFFE;

/// The "magic" constant of ANE ($8B): `A = (A | MAGIC) & X & imm`. Real
/// chips vary with temperature and batch; $EE is the commonly measured value.
pub const ANE_MAGIC: u8 = 0xEE;
/// The "magic" constant of LXA ($AB): `A = X = (A | MAGIC) & imm`. The NES's
/// 2A03 behaves as $FF (A = X = imm), which is what test ROMs expect.
pub const LXA_MAGIC: u8 = 0xFF;

/// One end-of-cycle interrupt sample; returns the new latches and NMI level.
/// Kept out of line and free of `&mut Cpu` so the hot loop's registers stay
/// in host registers.
#[inline(never)]
fn sample_lines<B: Bus>(bus: &mut B, latches: u8, prev_nmi_line: bool, i_flag: bool) -> (u8, bool) {
    let mut state = latches & latch::NEED_NMI;
    if state != 0 {
        state |= latch::PREV_NEED_NMI;
    }
    let nmi = bus.nmi_line();
    if nmi && !prev_nmi_line {
        state |= latch::NEED_NMI;
    }
    if latches & latch::RUN_IRQ != 0 {
        state |= latch::PREV_RUN_IRQ;
    }
    bus.irq_masked(i_flag);
    if bus.irq_line() && !i_flag {
        state |= latch::RUN_IRQ;
    }
    (state, nmi)
}

impl<V: Variant> Cpu<V> {
    /// Runs the reset sequence (7 cycles: the stack "pushes" are reads, S
    /// drops by 3) and loads PC from $FFFC. A, X, Y are kept, I is set.
    pub fn reset<B: Bus>(&mut self, bus: &mut B) {
        self.jammed = None;
        self.irq_state = 0;
        self.read(bus, self.pc);
        self.read(bus, self.pc);
        for _ in 0..3 {
            self.read(bus, 0x100 | self.s as u16);
            self.s = self.s.wrapping_sub(1);
        }
        self.i = true;
        let lo = self.read(bus, RESET_VECTOR);
        let hi = self.read(bus, RESET_VECTOR + 1);
        self.pc = u16::from_le_bytes([lo, hi]);
    }

    /// Executes one instruction, then the interrupt sequence if an interrupt
    /// was polled during it. A jammed CPU only spends one cycle per call.
    #[inline(always)]
    pub fn step<B: Bus>(&mut self, bus: &mut B) {
        if self.jammed.is_some() {
            // A halted 6502 keeps reading $FFFF; time must still pass.
            self.read(bus, 0xFFFF);
            return;
        }
        let opcode = self.fetch(bus);
        self.dispatch(bus, opcode);
        self.instructions += 1;
        if B::INTERRUPTS && self.irq_state & (latch::PREV_NEED_NMI | latch::PREV_RUN_IRQ) != 0 {
            self.interrupt(bus);
        }
    }

    /// Runs until `stop` says so or the cycle count reaches `cycle_limit`,
    /// checking `stop(self)` after every instruction. Returns the cycle count.
    #[inline(always)]
    pub fn run_until<B: Bus>(
        &mut self,
        bus: &mut B,
        cycle_limit: u64,
        mut stop: impl FnMut(&Self) -> bool,
    ) -> u64 {
        // Work on a local copy: with no reference to it escaping, the
        // optimizer keeps the registers in host registers across the loop.
        let mut cpu = *self;
        while bus.cycle() < cycle_limit {
            cpu.step(bus);
            if stop(&cpu) {
                break;
            }
        }
        *self = cpu;
        bus.cycle()
    }

    /// The end-of-cycle interrupt sampling the interpreter does after every
    /// bus access, for compiled code that made an access through the bus.
    #[doc(hidden)]
    pub fn end_of_cycle<B: Bus>(&mut self, bus: &mut B) {
        self.end_cycle(bus);
    }

    // ---- bus access, with interrupt sampling at the end of each cycle ----

    #[inline(always)]
    fn read<B: Bus>(&mut self, bus: &mut B, addr: u16) -> u8 {
        let value = bus.read(addr);
        self.end_cycle(bus);
        value
    }

    #[inline(always)]
    fn write<B: Bus>(&mut self, bus: &mut B, addr: u16, value: u8) {
        bus.write(addr, value);
        self.end_cycle(bus);
    }

    #[inline(always)]
    fn end_cycle<B: Bus>(&mut self, bus: &mut B) {
        if B::INTERRUPTS && (self.irq_state != 0 || bus.cycle() > bus.deadline()) {
            self.sample_interrupts(bus);
        }
    }

    /// The edge detector and level sampler, run at the end of a cycle: NMI
    /// is latched on a rising edge of the (inverted) line, IRQ is "run" when
    /// asserted while I is clear. Instructions decide on the values of the
    /// cycle before their last one (`PREV_*`).
    #[inline(always)]
    fn sample_interrupts<B: Bus>(&mut self, bus: &mut B) {
        (self.irq_state, self.prev_nmi_line) = sample_lines(bus, self.irq_state, self.prev_nmi_line, self.i);
    }

    #[inline(always)]
    fn fetch<B: Bus>(&mut self, bus: &mut B) -> u8 {
        let value = self.read(bus, self.pc);
        self.pc = self.pc.wrapping_add(1);
        value
    }

    #[inline(always)]
    fn fetch_word<B: Bus>(&mut self, bus: &mut B) -> u16 {
        let lo = self.fetch(bus);
        let hi = self.fetch(bus);
        u16::from_le_bytes([lo, hi])
    }

    #[inline(always)]
    fn push<B: Bus>(&mut self, bus: &mut B, value: u8) {
        self.write(bus, 0x100 | self.s as u16, value);
        self.s = self.s.wrapping_sub(1);
    }

    #[inline(always)]
    fn pull<B: Bus>(&mut self, bus: &mut B) -> u8 {
        self.s = self.s.wrapping_add(1);
        self.read(bus, 0x100 | self.s as u16)
    }

    #[inline(always)]
    fn dummy_read_stack<B: Bus>(&mut self, bus: &mut B) {
        self.read(bus, 0x100 | self.s as u16);
    }

    // ---- interrupts ----

    /// The 7-cycle IRQ/NMI sequence. An NMI latched by the end of the PCL
    /// push takes over the vector (also for BRK: "NMI hijacking").
    fn interrupt<B: Bus>(&mut self, bus: &mut B) {
        self.read(bus, self.pc);
        self.read(bus, self.pc);
        self.push_pc_and_p(bus, 0x20);
    }

    /// The common tail of BRK and interrupts: push PC and P, set I, fetch the
    /// vector chosen after the PCL push.
    #[inline(always)]
    fn push_pc_and_p<B: Bus>(&mut self, bus: &mut B, p_bits: u8) {
        let [lo, hi] = self.pc.to_le_bytes();
        self.push(bus, hi);
        self.push(bus, lo);
        let vector = if self.irq_state & latch::NEED_NMI != 0 {
            self.irq_state &= !latch::NEED_NMI;
            NMI_VECTOR
        } else {
            IRQ_VECTOR
        };
        let p = self.p() | p_bits;
        self.push(bus, p);
        self.i = true;
        let lo = self.read(bus, vector);
        let hi = self.read(bus, vector + 1);
        self.pc = u16::from_le_bytes([lo, hi]);
        // The sequence itself does not poll: the handler's first instruction
        // always runs.
        self.irq_state &= !(latch::PREV_NEED_NMI | latch::PREV_RUN_IRQ);
    }

    // ---- dispatch ----

    #[inline(always)]
    fn dispatch<B: Bus>(&mut self, bus: &mut B, opcode: u8) {
        macro_rules! table {
            ($($op:literal)*) => {
                match opcode { $($op => self.exec::<$op, B>(bus),)* }
            };
        }
        table!(
            0x00 0x01 0x02 0x03 0x04 0x05 0x06 0x07 0x08 0x09 0x0A 0x0B 0x0C 0x0D 0x0E 0x0F
            0x10 0x11 0x12 0x13 0x14 0x15 0x16 0x17 0x18 0x19 0x1A 0x1B 0x1C 0x1D 0x1E 0x1F
            0x20 0x21 0x22 0x23 0x24 0x25 0x26 0x27 0x28 0x29 0x2A 0x2B 0x2C 0x2D 0x2E 0x2F
            0x30 0x31 0x32 0x33 0x34 0x35 0x36 0x37 0x38 0x39 0x3A 0x3B 0x3C 0x3D 0x3E 0x3F
            0x40 0x41 0x42 0x43 0x44 0x45 0x46 0x47 0x48 0x49 0x4A 0x4B 0x4C 0x4D 0x4E 0x4F
            0x50 0x51 0x52 0x53 0x54 0x55 0x56 0x57 0x58 0x59 0x5A 0x5B 0x5C 0x5D 0x5E 0x5F
            0x60 0x61 0x62 0x63 0x64 0x65 0x66 0x67 0x68 0x69 0x6A 0x6B 0x6C 0x6D 0x6E 0x6F
            0x70 0x71 0x72 0x73 0x74 0x75 0x76 0x77 0x78 0x79 0x7A 0x7B 0x7C 0x7D 0x7E 0x7F
            0x80 0x81 0x82 0x83 0x84 0x85 0x86 0x87 0x88 0x89 0x8A 0x8B 0x8C 0x8D 0x8E 0x8F
            0x90 0x91 0x92 0x93 0x94 0x95 0x96 0x97 0x98 0x99 0x9A 0x9B 0x9C 0x9D 0x9E 0x9F
            0xA0 0xA1 0xA2 0xA3 0xA4 0xA5 0xA6 0xA7 0xA8 0xA9 0xAA 0xAB 0xAC 0xAD 0xAE 0xAF
            0xB0 0xB1 0xB2 0xB3 0xB4 0xB5 0xB6 0xB7 0xB8 0xB9 0xBA 0xBB 0xBC 0xBD 0xBE 0xBF
            0xC0 0xC1 0xC2 0xC3 0xC4 0xC5 0xC6 0xC7 0xC8 0xC9 0xCA 0xCB 0xCC 0xCD 0xCE 0xCF
            0xD0 0xD1 0xD2 0xD3 0xD4 0xD5 0xD6 0xD7 0xD8 0xD9 0xDA 0xDB 0xDC 0xDD 0xDE 0xDF
            0xE0 0xE1 0xE2 0xE3 0xE4 0xE5 0xE6 0xE7 0xE8 0xE9 0xEA 0xEB 0xEC 0xED 0xEE 0xEF
            0xF0 0xF1 0xF2 0xF3 0xF4 0xF5 0xF6 0xF7 0xF8 0xF9 0xFA 0xFB 0xFC 0xFD 0xFE 0xFF
        )
    }

    /// One opcode's handler, specialized from its table entry.
    #[inline(always)]
    fn exec<const OP: u8, B: Bus>(&mut self, bus: &mut B) {
        let info = const { OPCODES[OP as usize] };
        match info.mnemonic.kind() {
            Kind::Read => {
                let value = self.read_operand(bus, info.mode);
                self.read_op(info.mnemonic, value);
            }
            Kind::Write => {
                let (addr, base) = self.store_address(bus, info.mode);
                self.store(bus, info.mnemonic, addr, base);
            }
            Kind::ReadModifyWrite => {
                if let Mode::Acc = info.mode {
                    self.read(bus, self.pc);
                    self.a = self.modify(info.mnemonic, self.a);
                } else {
                    let (addr, _) = self.store_address(bus, info.mode);
                    let old = self.read(bus, addr);
                    self.write(bus, addr, old);
                    let new = self.modify(info.mnemonic, old);
                    self.write(bus, addr, new);
                }
            }
            Kind::Branch => {
                let taken = match info.mnemonic {
                    Bcc => !self.c,
                    Bcs => self.c,
                    Bne => !self.z,
                    Beq => self.z,
                    Bpl => !self.n,
                    Bmi => self.n,
                    Bvc => !self.v,
                    _ => self.v,
                };
                self.branch(bus, taken);
            }
            Kind::Implied => {
                self.read(bus, self.pc);
                self.implied(info.mnemonic);
                if info.mnemonic == Cli {
                    bus.irq_masked(false);
                }
            }
            Kind::Control => self.control(bus, info.mnemonic, info.mode),
        }
    }

    // ---- addressing ----

    /// Fetches the operand of a read instruction, with the page-cross dummy
    /// read from the un-carried address.
    #[inline(always)]
    fn read_operand<B: Bus>(&mut self, bus: &mut B, mode: Mode) -> u8 {
        match mode {
            Mode::Imm => self.fetch(bus),
            Mode::Zp => {
                let addr = self.fetch(bus) as u16;
                self.read(bus, addr)
            }
            Mode::Zpx | Mode::Zpy => {
                let index = if let Mode::Zpx = mode { self.x } else { self.y };
                let base = self.fetch(bus);
                self.read(bus, base as u16);
                self.read(bus, base.wrapping_add(index) as u16)
            }
            Mode::Abs => {
                let addr = self.fetch_word(bus);
                self.read(bus, addr)
            }
            Mode::Abx | Mode::Aby => {
                let index = if let Mode::Abx = mode { self.x } else { self.y };
                let base = self.fetch_word(bus);
                self.indexed_read(bus, base, index)
            }
            Mode::Izx => {
                let addr = self.izx_address(bus);
                self.read(bus, addr)
            }
            Mode::Izy => {
                let base = self.zp_pointer(bus);
                self.indexed_read(bus, base, self.y)
            }
            // Implied NOPs: the dummy read of the next byte.
            Mode::Imp => self.read(bus, self.pc),
            Mode::Acc | Mode::Ind | Mode::Rel => unreachable!("no read operand"),
        }
    }

    #[inline(always)]
    fn indexed_read<B: Bus>(&mut self, bus: &mut B, base: u16, index: u8) -> u8 {
        let addr = base.wrapping_add(index as u16);
        if (addr ^ base) & 0xFF00 != 0 {
            self.read(bus, (base & 0xFF00) | (addr & 0x00FF));
        }
        self.read(bus, addr)
    }

    /// The effective address of a write or read-modify-write instruction and
    /// the un-indexed base (SHA/SHX/SHY/TAS need its high byte). Indexed
    /// modes always make the dummy read from the un-carried address.
    #[inline(always)]
    fn store_address<B: Bus>(&mut self, bus: &mut B, mode: Mode) -> (u16, u16) {
        match mode {
            Mode::Zp => {
                let addr = self.fetch(bus) as u16;
                (addr, addr)
            }
            Mode::Zpx | Mode::Zpy => {
                let index = if let Mode::Zpx = mode { self.x } else { self.y };
                let base = self.fetch(bus);
                self.read(bus, base as u16);
                (base.wrapping_add(index) as u16, base as u16)
            }
            Mode::Abs => {
                let addr = self.fetch_word(bus);
                (addr, addr)
            }
            Mode::Abx | Mode::Aby => {
                let index = if let Mode::Abx = mode { self.x } else { self.y };
                let base = self.fetch_word(bus);
                self.indexed_store_address(bus, base, index)
            }
            Mode::Izx => {
                let addr = self.izx_address(bus);
                (addr, addr)
            }
            Mode::Izy => {
                let base = self.zp_pointer(bus);
                self.indexed_store_address(bus, base, self.y)
            }
            Mode::Imp | Mode::Acc | Mode::Imm | Mode::Ind | Mode::Rel => {
                unreachable!("no store address")
            }
        }
    }

    #[inline(always)]
    fn indexed_store_address<B: Bus>(&mut self, bus: &mut B, base: u16, index: u8) -> (u16, u16) {
        let addr = base.wrapping_add(index as u16);
        self.read(bus, (base & 0xFF00) | (addr & 0x00FF));
        (addr, base)
    }

    /// `($nn,X)`: pointer fetch, dummy read of the pointer, two pointer reads
    /// wrapping in zero page.
    #[inline(always)]
    fn izx_address<B: Bus>(&mut self, bus: &mut B) -> u16 {
        let ptr = self.fetch(bus);
        self.read(bus, ptr as u16);
        let ptr = ptr.wrapping_add(self.x);
        let lo = self.read(bus, ptr as u16);
        let hi = self.read(bus, ptr.wrapping_add(1) as u16);
        u16::from_le_bytes([lo, hi])
    }

    /// `($nn)`: the 16-bit pointer of `($nn),Y`, wrapping in zero page.
    #[inline(always)]
    fn zp_pointer<B: Bus>(&mut self, bus: &mut B) -> u16 {
        let ptr = self.fetch(bus);
        let lo = self.read(bus, ptr as u16);
        let hi = self.read(bus, ptr.wrapping_add(1) as u16);
        u16::from_le_bytes([lo, hi])
    }

    // ---- operations ----

    #[inline(always)]
    fn read_op(&mut self, mnemonic: Mnemonic, value: u8) {
        match mnemonic {
            Lda => {
                self.a = value;
                self.set_nz(value);
            }
            Ldx => {
                self.x = value;
                self.set_nz(value);
            }
            Ldy => {
                self.y = value;
                self.set_nz(value);
            }
            Lax => {
                self.a = value;
                self.x = value;
                self.set_nz(value);
            }
            And => {
                self.a &= value;
                self.set_nz(self.a);
            }
            Ora => {
                self.a |= value;
                self.set_nz(self.a);
            }
            Eor => {
                self.a ^= value;
                self.set_nz(self.a);
            }
            Adc => self.adc(value),
            Sbc => self.sbc(value),
            Cmp => self.compare(self.a, value),
            Cpx => self.compare(self.x, value),
            Cpy => self.compare(self.y, value),
            Bit => {
                self.z = self.a & value == 0;
                self.n = value & 0x80 != 0;
                self.v = value & 0x40 != 0;
            }
            Nop => {}
            Anc => {
                self.a &= value;
                self.set_nz(self.a);
                self.c = self.n;
            }
            Alr => {
                let anded = self.a & value;
                self.c = anded & 1 != 0;
                self.a = anded >> 1;
                self.set_nz(self.a);
            }
            Arr => {
                // AND then ROR, with C and V taken from bits 6 and 5 of the result.
                let result = ((self.a & value) >> 1) | (self.c as u8) << 7;
                self.a = result;
                self.set_nz(result);
                self.c = result & 0x40 != 0;
                self.v = ((result >> 6) ^ (result >> 5)) & 1 != 0;
            }
            Axs => {
                let ax = self.a & self.x;
                self.c = ax >= value;
                self.x = ax.wrapping_sub(value);
                self.set_nz(self.x);
            }
            Ane => {
                self.a = (self.a | ANE_MAGIC) & self.x & value;
                self.set_nz(self.a);
            }
            Lxa => {
                self.a = (self.a | LXA_MAGIC) & value;
                self.x = self.a;
                self.set_nz(self.a);
            }
            Las => {
                let result = value & self.s;
                self.a = result;
                self.x = result;
                self.s = result;
                self.set_nz(result);
            }
            _ => unreachable!("not a read instruction"),
        }
    }

    #[inline(always)]
    fn store<B: Bus>(&mut self, bus: &mut B, mnemonic: Mnemonic, addr: u16, base: u16) {
        let value = match mnemonic {
            Sta => self.a,
            Stx => self.x,
            Sty => self.y,
            Sax => self.a & self.x,
            Sha | Shx | Shy | Tas => {
                if let Tas = mnemonic {
                    self.s = self.a & self.x;
                }
                let register = match mnemonic {
                    Shx => self.x,
                    Shy => self.y,
                    _ => self.a & self.x,
                };
                // The value is ANDed with the base's high byte + 1; when the
                // index carries into the high byte, that value also becomes
                // the high byte of the address.
                let value = register & ((base >> 8) as u8).wrapping_add(1);
                let addr =
                    if (addr ^ base) & 0xFF00 != 0 { (value as u16) << 8 | (addr & 0xFF) } else { addr };
                self.write(bus, addr, value);
                return;
            }
            _ => unreachable!("not a store instruction"),
        };
        self.write(bus, addr, value);
    }

    #[inline(always)]
    fn modify(&mut self, mnemonic: Mnemonic, value: u8) -> u8 {
        match mnemonic {
            Asl => self.asl(value),
            Lsr => self.lsr(value),
            Rol => self.rol(value),
            Ror => self.ror(value),
            Inc => {
                let result = value.wrapping_add(1);
                self.set_nz(result);
                result
            }
            Dec => {
                let result = value.wrapping_sub(1);
                self.set_nz(result);
                result
            }
            Slo => {
                let result = self.asl(value);
                self.a |= result;
                self.set_nz(self.a);
                result
            }
            Rla => {
                let result = self.rol(value);
                self.a &= result;
                self.set_nz(self.a);
                result
            }
            Sre => {
                let result = self.lsr(value);
                self.a ^= result;
                self.set_nz(self.a);
                result
            }
            Rra => {
                let result = self.ror(value);
                self.adc(result);
                result
            }
            Dcp => {
                let result = value.wrapping_sub(1);
                self.compare(self.a, result);
                result
            }
            Isc => {
                let result = value.wrapping_add(1);
                self.sbc(result);
                result
            }
            _ => unreachable!("not a read-modify-write instruction"),
        }
    }

    #[inline(always)]
    fn implied(&mut self, mnemonic: Mnemonic) {
        match mnemonic {
            Clc => self.c = false,
            Sec => self.c = true,
            Cli => self.i = false,
            Sei => self.i = true,
            Clv => self.v = false,
            Cld => self.d = false,
            Sed => self.d = true,
            Tax => {
                self.x = self.a;
                self.set_nz(self.x);
            }
            Tay => {
                self.y = self.a;
                self.set_nz(self.y);
            }
            Txa => {
                self.a = self.x;
                self.set_nz(self.a);
            }
            Tya => {
                self.a = self.y;
                self.set_nz(self.a);
            }
            Tsx => {
                self.x = self.s;
                self.set_nz(self.x);
            }
            Txs => self.s = self.x,
            Inx => {
                self.x = self.x.wrapping_add(1);
                self.set_nz(self.x);
            }
            Iny => {
                self.y = self.y.wrapping_add(1);
                self.set_nz(self.y);
            }
            Dex => {
                self.x = self.x.wrapping_sub(1);
                self.set_nz(self.x);
            }
            Dey => {
                self.y = self.y.wrapping_sub(1);
                self.set_nz(self.y);
            }
            _ => unreachable!("not an implied instruction"),
        }
    }

    /// Conditional branch. Not taken: 2 cycles. Taken: a dummy read of the
    /// next opcode, plus one from the un-carried address on a page cross.
    /// A taken branch that does not cross a page does not poll interrupts on
    /// its last cycle, so an interrupt arriving then waits one instruction.
    #[inline(always)]
    fn branch<B: Bus>(&mut self, bus: &mut B, taken: bool) {
        let offset = self.fetch(bus) as i8;
        if !taken {
            return;
        }
        // Latches as of the end of the opcode fetch, for the no-cross case.
        let at_opcode_fetch = self.irq_state & (latch::PREV_NEED_NMI | latch::PREV_RUN_IRQ);
        self.read(bus, self.pc);
        let target = self.pc.wrapping_add(offset as u16);
        if (target ^ self.pc) & 0xFF00 != 0 {
            self.read(bus, (self.pc & 0xFF00) | (target & 0x00FF));
        } else if B::INTERRUPTS {
            self.irq_state =
                (self.irq_state & !(latch::PREV_NEED_NMI | latch::PREV_RUN_IRQ)) | at_opcode_fetch;
        }
        self.pc = target;
    }

    #[inline(always)]
    fn control<B: Bus>(&mut self, bus: &mut B, mnemonic: Mnemonic, mode: Mode) {
        match mnemonic {
            Pha => {
                self.read(bus, self.pc);
                self.push(bus, self.a);
            }
            Php => {
                self.read(bus, self.pc);
                let p = self.p() | 0x30;
                self.push(bus, p);
            }
            Pla => {
                self.read(bus, self.pc);
                self.dummy_read_stack(bus);
                self.a = self.pull(bus);
                self.set_nz(self.a);
            }
            Plp => {
                self.read(bus, self.pc);
                self.dummy_read_stack(bus);
                let p = self.pull(bus);
                self.set_p(p);
                bus.irq_masked(self.i);
            }
            Jmp => {
                let addr = self.fetch_word(bus);
                self.pc = if let Mode::Ind = mode {
                    // The pointer's high byte is read without carrying into
                    // the page: JMP ($12FF) reads $12FF and $1200.
                    let lo = self.read(bus, addr);
                    let hi = self.read(bus, (addr & 0xFF00) | (addr.wrapping_add(1) & 0x00FF));
                    u16::from_le_bytes([lo, hi])
                } else {
                    addr
                };
            }
            Jsr => {
                let lo = self.fetch(bus);
                self.dummy_read_stack(bus);
                let [ret_lo, ret_hi] = self.pc.to_le_bytes();
                self.push(bus, ret_hi);
                self.push(bus, ret_lo);
                let hi = self.read(bus, self.pc);
                self.pc = u16::from_le_bytes([lo, hi]);
            }
            Rts => {
                self.read(bus, self.pc);
                self.dummy_read_stack(bus);
                let lo = self.pull(bus);
                let hi = self.pull(bus);
                self.pc = u16::from_le_bytes([lo, hi]);
                self.read(bus, self.pc);
                self.pc = self.pc.wrapping_add(1);
            }
            Rti => {
                self.read(bus, self.pc);
                self.dummy_read_stack(bus);
                let p = self.pull(bus);
                self.set_p(p);
                bus.irq_masked(self.i);
                let lo = self.pull(bus);
                let hi = self.pull(bus);
                self.pc = u16::from_le_bytes([lo, hi]);
            }
            Brk => {
                self.fetch(bus);
                self.push_pc_and_p(bus, 0x30);
            }
            Jam => {
                self.read(bus, self.pc);
                self.pc = self.pc.wrapping_sub(1);
                self.jammed = Some(bus.peek(self.pc));
            }
            _ => unreachable!("not a control instruction"),
        }
    }

    // ---- arithmetic ----

    #[inline(always)]
    fn adc(&mut self, value: u8) {
        if V::DECIMAL && self.d {
            self.adc_decimal(value);
            return;
        }
        let sum = self.a as u16 + value as u16 + self.c as u16;
        let result = sum as u8;
        self.v = (self.a ^ result) & (value ^ result) & 0x80 != 0;
        self.c = sum > 0xFF;
        self.a = result;
        self.set_nz(result);
    }

    #[inline(always)]
    fn sbc(&mut self, value: u8) {
        if V::DECIMAL && self.d {
            self.sbc_decimal(value);
            return;
        }
        let diff = (self.a as u16).wrapping_sub(value as u16).wrapping_sub(!self.c as u16);
        let result = diff as u8;
        self.v = (self.a ^ value) & (self.a ^ result) & 0x80 != 0;
        self.c = diff < 0x100;
        self.a = result;
        self.set_nz(result);
    }

    /// NMOS BCD addition: Z comes from the binary sum, N and V from the
    /// intermediate result before the high-nibble adjustment.
    #[inline(always)]
    fn adc_decimal(&mut self, value: u8) {
        let (a, m, carry) = (self.a as u16, value as u16, self.c as u16);
        let mut lo = (a & 0x0F) + (m & 0x0F) + carry;
        if lo > 9 {
            lo += 6;
        }
        let mut sum = (a & 0xF0) + (m & 0xF0) + if lo > 0x0F { 0x10 } else { 0 } + (lo & 0x0F);
        self.z = (a + m + carry) & 0xFF == 0;
        self.n = sum & 0x80 != 0;
        self.v = (a ^ sum) & 0x80 != 0 && (a ^ m) & 0x80 == 0;
        if sum & 0x1F0 > 0x90 {
            sum += 0x60;
        }
        self.c = sum & 0xFF0 > 0xF0;
        self.a = sum as u8;
    }

    /// NMOS BCD subtraction: all flags come from the binary difference.
    #[inline(always)]
    fn sbc_decimal(&mut self, value: u8) {
        let (a, m, borrow) = (self.a as u16, value as u16, !self.c as u16);
        let diff = a.wrapping_sub(m).wrapping_sub(borrow);
        let mut lo = (a & 0x0F).wrapping_sub(m & 0x0F).wrapping_sub(borrow);
        let mut result = if lo & 0x10 != 0 {
            lo = lo.wrapping_sub(6);
            (lo & 0x0F) | (a & 0xF0).wrapping_sub(m & 0xF0).wrapping_sub(0x10)
        } else {
            (lo & 0x0F) | (a & 0xF0).wrapping_sub(m & 0xF0)
        };
        if result & 0x100 != 0 {
            result = result.wrapping_sub(0x60);
        }
        self.c = diff < 0x100;
        self.set_nz(diff as u8);
        self.v = (a ^ diff) & 0x80 != 0 && (a ^ m) & 0x80 != 0;
        self.a = result as u8;
    }

    #[inline(always)]
    fn compare(&mut self, register: u8, value: u8) {
        self.c = register >= value;
        self.set_nz(register.wrapping_sub(value));
    }

    #[inline(always)]
    fn asl(&mut self, value: u8) -> u8 {
        self.c = value & 0x80 != 0;
        let result = value << 1;
        self.set_nz(result);
        result
    }

    #[inline(always)]
    fn lsr(&mut self, value: u8) -> u8 {
        self.c = value & 1 != 0;
        let result = value >> 1;
        self.set_nz(result);
        result
    }

    #[inline(always)]
    fn rol(&mut self, value: u8) -> u8 {
        let result = value << 1 | self.c as u8;
        self.c = value & 0x80 != 0;
        self.set_nz(result);
        result
    }

    #[inline(always)]
    fn ror(&mut self, value: u8) -> u8 {
        let result = value >> 1 | (self.c as u8) << 7;
        self.c = value & 1 != 0;
        self.set_nz(result);
        result
    }
}
