//! Bus-cycle-level tests of the interpreter: access sequences, cycle counts
//! from the opcode table, flags, decimal mode and interrupt timing.

use dynes_cpu::{Bus, Cpu, Kind, Mnemonic, Nmos6502, Registers, Ricoh2A03, Variant, OPCODES};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Access {
    R(u16),
    W(u16, u8),
}
use Access::{R, W};

/// 64 KiB RAM that logs every access and raises interrupts at set cycles.
struct TestBus {
    mem: Vec<u8>,
    cycle: u64,
    log: Vec<Access>,
    /// NMI line asserted from the end of this cycle index on.
    nmi_from: Option<u64>,
    /// IRQ line asserted from the end of this cycle index on.
    irq_from: Option<u64>,
}

impl TestBus {
    fn new(program_at: u16, program: &[u8]) -> Self {
        let mut mem = vec![0; 0x10000];
        mem[program_at as usize..program_at as usize + program.len()].copy_from_slice(program);
        // Vectors: NMI $9000, reset $8000, IRQ/BRK $A000.
        mem[0xFFFA..].copy_from_slice(&[0x00, 0x90, 0x00, 0x80, 0x00, 0xA0]);
        Self { mem, cycle: 0, log: Vec::new(), nmi_from: None, irq_from: None }
    }
}

impl Bus for TestBus {
    fn read(&mut self, addr: u16) -> u8 {
        self.cycle += 1;
        self.log.push(R(addr));
        self.mem[addr as usize]
    }
    fn write(&mut self, addr: u16, value: u8) {
        self.cycle += 1;
        self.log.push(W(addr, value));
        self.mem[addr as usize] = value;
    }
    fn peek(&self, addr: u16) -> u8 {
        self.mem[addr as usize]
    }
    fn cycle(&self) -> u64 {
        self.cycle
    }
    fn deadline(&self) -> u64 {
        self.nmi_from.into_iter().chain(self.irq_from).min().unwrap_or(u64::MAX)
    }
    fn nmi_line(&mut self) -> bool {
        self.nmi_from.is_some_and(|t| self.cycle > t)
    }
    fn irq_line(&mut self) -> bool {
        self.irq_from.is_some_and(|t| self.cycle > t)
    }
}

fn cpu_at<V: Variant>(pc: u16, regs: Registers) -> Cpu<V> {
    let mut cpu = Cpu::<V>::new();
    cpu.set_regs(Registers { pc, ..regs });
    cpu
}

fn regs() -> Registers {
    Registers { a: 0, x: 0, y: 0, s: 0xFD, pc: 0, p: 0x24 }
}

/// Runs one instruction at $0200 and returns its accesses.
fn run_one(program: &[u8], setup: impl FnOnce(&mut TestBus), regs: Registers) -> (Cpu<Ricoh2A03>, TestBus) {
    let mut bus = TestBus::new(0x0200, program);
    setup(&mut bus);
    let mut cpu = cpu_at::<Ricoh2A03>(0x0200, regs);
    cpu.step(&mut bus);
    (cpu, bus)
}

#[test]
fn every_opcode_takes_its_table_cycles() {
    for op in 0..=255u8 {
        let info = OPCODES[op as usize];
        if info.mnemonic == Mnemonic::Jam {
            continue;
        }
        // Operand $20 $00 with X=Y=0 and zero-page pointers to $0000: no page
        // is crossed, no branch taken (flags chosen so each branch falls through).
        let mut p = 0x24;
        if matches!(info.mnemonic, Mnemonic::Bcc | Mnemonic::Bne | Mnemonic::Bpl | Mnemonic::Bvc) {
            p |= 0xC3;
        }
        let (_, bus) = run_one(&[op, 0x20, 0x00], |_| {}, Registers { p, ..regs() });
        assert_eq!(bus.cycle, info.cycles as u64, "opcode ${op:02X} {:?} {:?}", info.mnemonic, info.mode);
        if info.page_penalty {
            // $20F0 + $FF crosses a page; ($20),Y with pointer $20F0 as well.
            let (_, bus) = run_one(
                &[op, 0x20, 0x20],
                |bus| bus.mem[0x20..0x22].copy_from_slice(&[0xF0, 0x20]),
                Registers { x: 0xFF, y: 0xFF, ..regs() },
            );
            assert_eq!(bus.cycle, info.cycles as u64 + 1, "opcode ${op:02X} with page cross");
        }
    }
}

#[test]
fn branches_taken_and_crossing() {
    // BNE +4 taken within the page: 3 cycles, dummy read of the next opcode.
    let (cpu, bus) = run_one(&[0xD0, 0x04], |_| {}, regs());
    assert_eq!(cpu.pc(), 0x0206);
    assert_eq!(bus.log, [R(0x0200), R(0x0201), R(0x0202)]);
    // BNE -4 from $0200 crosses into page 1: 4 cycles, read from the un-carried address.
    let (cpu, bus) = run_one(&[0xD0, 0xFB], |_| {}, regs());
    assert_eq!(cpu.pc(), 0x01FD);
    assert_eq!(bus.log, [R(0x0200), R(0x0201), R(0x0202), R(0x02FD)]);
}

#[test]
fn indexed_read_dummy_reads_uncarried_address() {
    let (cpu, bus) =
        run_one(&[0xBD, 0xF0, 0x30], |bus| bus.mem[0x3110] = 0x42, Registers { x: 0x20, ..regs() });
    assert_eq!(cpu.regs().a, 0x42);
    assert_eq!(bus.log, [R(0x0200), R(0x0201), R(0x0202), R(0x3010), R(0x3110)]);
    // No cross: no dummy read.
    let (_, bus) = run_one(&[0xBD, 0x00, 0x30], |_| {}, Registers { x: 0x20, ..regs() });
    assert_eq!(bus.log, [R(0x0200), R(0x0201), R(0x0202), R(0x3020)]);
}

#[test]
fn indexed_store_always_dummy_reads() {
    let (_, bus) = run_one(&[0x9D, 0x00, 0x30], |_| {}, Registers { a: 7, x: 0x20, ..regs() });
    assert_eq!(bus.log, [R(0x0200), R(0x0201), R(0x0202), R(0x3020), W(0x3020, 7)]);
}

#[test]
fn read_modify_write_writes_twice() {
    let (_, bus) = run_one(&[0xE6, 0x10], |bus| bus.mem[0x10] = 0x7F, regs());
    assert_eq!(bus.log, [R(0x0200), R(0x0201), R(0x0010), W(0x0010, 0x7F), W(0x0010, 0x80)]);
    // ASL abs,X: dummy read, read, double write.
    let (_, bus) = run_one(&[0x1E, 0xFF, 0x30], |bus| bus.mem[0x3100] = 0x81, Registers { x: 1, ..regs() });
    assert_eq!(
        bus.log,
        [R(0x0200), R(0x0201), R(0x0202), R(0x3000), R(0x3100), W(0x3100, 0x81), W(0x3100, 0x02)]
    );
}

#[test]
fn zero_page_indexing_wraps() {
    // LDA $F0,X with X=$20 reads $10 after a dummy read of $F0.
    let (cpu, bus) = run_one(&[0xB5, 0xF0], |bus| bus.mem[0x10] = 9, Registers { x: 0x20, ..regs() });
    assert_eq!(cpu.regs().a, 9);
    assert_eq!(bus.log, [R(0x0200), R(0x0201), R(0x00F0), R(0x0010)]);
    // LDA ($FF,X) with X=0: pointer bytes from $FF and $00.
    let (_, bus) = run_one(
        &[0xA1, 0xFF],
        |bus| {
            bus.mem[0xFF] = 0x34;
            bus.mem[0x00] = 0x12;
        },
        regs(),
    );
    assert_eq!(bus.log, [R(0x0200), R(0x0201), R(0x00FF), R(0x00FF), R(0x0000), R(0x1234)]);
    // LDA ($FF),Y: pointer high byte from $00.
    let (_, bus) = run_one(
        &[0xB1, 0xFF],
        |bus| {
            bus.mem[0xFF] = 0x34;
            bus.mem[0x00] = 0x12;
        },
        Registers { y: 1, ..regs() },
    );
    assert_eq!(bus.log, [R(0x0200), R(0x0201), R(0x00FF), R(0x0000), R(0x1235)]);
}

#[test]
fn jmp_indirect_does_not_carry_into_the_page() {
    let (cpu, bus) = run_one(
        &[0x6C, 0xFF, 0x30],
        |bus| {
            bus.mem[0x30FF] = 0x34;
            bus.mem[0x3000] = 0x12;
            bus.mem[0x3100] = 0x99;
        },
        regs(),
    );
    assert_eq!(cpu.pc(), 0x1234);
    assert_eq!(bus.log, [R(0x0200), R(0x0201), R(0x0202), R(0x30FF), R(0x3000)]);
}

#[test]
fn implied_and_stack_sequences() {
    let (_, bus) = run_one(&[0xE8], |_| {}, regs());
    assert_eq!(bus.log, [R(0x0200), R(0x0201)]);
    let (_, bus) = run_one(&[0x48], |_| {}, Registers { a: 5, ..regs() });
    assert_eq!(bus.log, [R(0x0200), R(0x0201), W(0x01FD, 5)]);
    let (cpu, bus) = run_one(&[0x68], |bus| bus.mem[0x01FE] = 0x80, regs());
    assert_eq!(bus.log, [R(0x0200), R(0x0201), R(0x01FD), R(0x01FE)]);
    assert_eq!((cpu.regs().a, cpu.regs().p & 0x82), (0x80, 0x80));
    // PHP pushes B and bit 5; PLP ignores them.
    let (_, bus) = run_one(&[0x08], |_| {}, Registers { p: 0xC3, ..regs() });
    assert_eq!(bus.log[2], W(0x01FD, 0xF3));
    let (cpu, _) = run_one(&[0x28], |bus| bus.mem[0x01FE] = 0xFF, regs());
    assert_eq!(cpu.regs().p, 0xEF);
}

#[test]
fn jsr_rts_rti_sequences() {
    let (cpu, bus) = run_one(&[0x20, 0x34, 0x12], |_| {}, regs());
    assert_eq!(cpu.pc(), 0x1234);
    assert_eq!(bus.log, [R(0x0200), R(0x0201), R(0x01FD), W(0x01FD, 0x02), W(0x01FC, 0x02), R(0x0202)]);
    let (cpu, bus) = run_one(&[0x60], |bus| bus.mem[0x01FE..0x0200].copy_from_slice(&[0x33, 0x12]), regs());
    assert_eq!(cpu.pc(), 0x1234);
    assert_eq!(bus.log, [R(0x0200), R(0x0201), R(0x01FD), R(0x01FE), R(0x01FF), R(0x1233)]);
    // S=$FD: P from $01FE, PCL from $01FF, PCH wraps to $0100.
    let (cpu, bus) = run_one(
        &[0x40],
        |bus| {
            bus.mem[0x01FE..0x0200].copy_from_slice(&[0xC3, 0x34]);
            bus.mem[0x0100] = 0x12;
        },
        regs(),
    );
    assert_eq!(cpu.regs(), Registers { pc: 0x1234, s: 0x00, p: 0xE3, ..regs() });
    assert_eq!(bus.log, [R(0x0200), R(0x0201), R(0x01FD), R(0x01FE), R(0x01FF), R(0x0100)]);
}

#[test]
fn brk_pushes_b_and_skips_a_byte() {
    let (cpu, bus) = run_one(&[0x00, 0xEA], |_| {}, Registers { p: 0x20, ..regs() });
    assert_eq!(cpu.pc(), 0xA000);
    assert_eq!(cpu.regs().p & 0x04, 0x04);
    assert_eq!(
        bus.log,
        [R(0x0200), R(0x0201), W(0x01FD, 0x02), W(0x01FC, 0x02), W(0x01FB, 0x30), R(0xFFFE), R(0xFFFF)]
    );
}

#[test]
fn reset_sequence() {
    let mut bus = TestBus::new(0x8000, &[0xEA]);
    let mut cpu = Cpu::<Ricoh2A03>::new();
    cpu.reset(&mut bus);
    assert_eq!(bus.cycle, 7);
    assert_eq!(cpu.regs(), Registers { a: 0, x: 0, y: 0, s: 0xFD, pc: 0x8000, p: 0x24 });
    assert!(bus.log.iter().all(|a| matches!(a, R(_))), "reset makes no writes");
}

#[test]
fn jam_halts() {
    let (cpu, _) = run_one(&[0x02], |_| {}, regs());
    assert_eq!((cpu.jammed(), cpu.pc()), (Some(0x02), 0x0200));
}

// ---- flags and arithmetic ----

fn alu(program: &[u8], a: u8, p: u8) -> Registers {
    Registers { pc: 0, ..run_one(program, |_| {}, Registers { a, p, ..regs() }).0.regs() }
}

#[test]
fn adc_sbc_flags() {
    // $50 + $50 = $A0: signed overflow, N set, no carry.
    assert_eq!(alu(&[0x69, 0x50], 0x50, 0x20), Registers { a: 0xA0, p: 0xE0, ..regs() });
    // $FF + $01 = $00 with carry and Z.
    assert_eq!(alu(&[0x69, 0x01], 0xFF, 0x20), Registers { a: 0x00, p: 0x23, ..regs() });
    // $50 - $B0 (C set) = $A0 with overflow and borrow.
    assert_eq!(alu(&[0xE9, 0xB0], 0x50, 0x21), Registers { a: 0xA0, p: 0xE0, ..regs() });
    // $EB is SBC too.
    assert_eq!(alu(&[0xEB, 0x01], 0x05, 0x21).a, 0x04);
}

#[test]
fn compare_and_bit() {
    // CMP #$10 with A=$10: Z and C.
    assert_eq!(alu(&[0xC9, 0x10], 0x10, 0x20).p, 0x23);
    // CMP #$20 with A=$10: N, no C.
    assert_eq!(alu(&[0xC9, 0x20], 0x10, 0x20).p, 0xA0);
    // BIT copies bits 7 and 6 of memory, Z from A & M.
    let (cpu, _) =
        run_one(&[0x24, 0x10], |bus| bus.mem[0x10] = 0xC0, Registers { a: 0x01, p: 0x20, ..regs() });
    assert_eq!(cpu.regs().p, 0xE2);
}

#[test]
fn decimal_mode_only_on_nmos() {
    fn adc<V: Variant>(a: u8, m: u8, p: u8) -> Registers {
        let mut bus = TestBus::new(0x0200, &[0x69, m]);
        let mut cpu = cpu_at::<V>(0x0200, Registers { a, p, ..regs() });
        cpu.step(&mut bus);
        cpu.regs()
    }
    fn sbc<V: Variant>(a: u8, m: u8, p: u8) -> Registers {
        let mut bus = TestBus::new(0x0200, &[0xE9, m]);
        let mut cpu = cpu_at::<V>(0x0200, Registers { a, p, ..regs() });
        cpu.step(&mut bus);
        cpu.regs()
    }
    // 15 + 27 = 42 in BCD; binary on the 2A03.
    assert_eq!(adc::<Nmos6502>(0x15, 0x27, 0x28).a, 0x42);
    assert_eq!(adc::<Ricoh2A03>(0x15, 0x27, 0x28).a, 0x3C);
    // 99 + 01 = 00 with carry.
    let r = adc::<Nmos6502>(0x99, 0x01, 0x28);
    assert_eq!((r.a, r.p & 0x01), (0x00, 0x01));
    // 42 - 13 = 29; 00 - 01 = 99 with borrow.
    assert_eq!(sbc::<Nmos6502>(0x42, 0x13, 0x29).a, 0x29);
    let r = sbc::<Nmos6502>(0x00, 0x01, 0x29);
    assert_eq!((r.a, r.p & 0x01), (0x99, 0x00));
    assert_eq!(sbc::<Ricoh2A03>(0x42, 0x13, 0x29).a, 0x2F);
}

#[test]
fn unofficial_operations() {
    // LAX loads A and X.
    let (cpu, _) = run_one(&[0xA7, 0x10], |bus| bus.mem[0x10] = 0x83, regs());
    assert_eq!((cpu.regs().a, cpu.regs().x, cpu.regs().p), (0x83, 0x83, 0xA4));
    // SAX stores A & X.
    let (_, bus) = run_one(&[0x87, 0x10], |_| {}, Registers { a: 0xF0, x: 0x3C, ..regs() });
    assert_eq!(bus.mem[0x10], 0x30);
    // DCP: decrement then compare.
    let (cpu, bus) = run_one(&[0xC7, 0x10], |bus| bus.mem[0x10] = 0x11, Registers { a: 0x10, ..regs() });
    assert_eq!((bus.mem[0x10], cpu.regs().p & 0x03), (0x10, 0x03));
    // ANC copies N into C; ALR is AND then LSR; AXS is (A & X) - imm into X.
    assert_eq!(alu(&[0x0B, 0x80], 0xFF, 0x20).p, 0xA1);
    assert_eq!(alu(&[0x4B, 0x03], 0xFF, 0x20), Registers { a: 0x01, p: 0x21, ..regs() });
    let (cpu, _) = run_one(&[0xCB, 0x01], |_| {}, Registers { a: 0x0F, x: 0x03, ..regs() });
    assert_eq!((cpu.regs().x, cpu.regs().p & 0x01), (0x02, 0x01));
    // ARR: C from bit 6, V from bit 6 xor bit 5.
    assert_eq!(alu(&[0x6B, 0xFF], 0x80, 0x21), Registers { a: 0xC0, p: 0xE1, ..regs() });
    assert_eq!(alu(&[0x6B, 0xFF], 0xC0, 0x21), Registers { a: 0xE0, p: 0xA1, ..regs() });
    // SHX abs,Y without a page cross stores X & (high byte + 1).
    let (_, bus) = run_one(&[0x9E, 0x00, 0x30], |_| {}, Registers { x: 0xFF, y: 1, ..regs() });
    assert_eq!(bus.mem[0x3001], 0x31);
    // The taken branch of OPCODES kinds covers every opcode.
    assert!(OPCODES.iter().all(|o| o.mnemonic == Mnemonic::Jam || o.kind() != Kind::Control || o.official));
}

// ---- interrupts ----

/// Runs `steps` instructions of `program` (at $0200, handlers at $9000
/// for NMI and $A000 for IRQ are NOPs) and returns the PCs before each.
fn run_trace(
    program: &[u8],
    p: u8,
    irq_from: Option<u64>,
    nmi_from: Option<u64>,
    steps: usize,
) -> (Vec<u16>, TestBus) {
    let mut bus = TestBus::new(0x0200, program);
    bus.mem[0x9000..0x9010].fill(0xEA);
    bus.mem[0xA000..0xA010].fill(0xEA);
    bus.irq_from = irq_from;
    bus.nmi_from = nmi_from;
    let mut cpu = cpu_at::<Ricoh2A03>(0x0200, Registers { p, ..regs() });
    let mut pcs = Vec::new();
    for _ in 0..steps {
        pcs.push(cpu.pc());
        cpu.step(&mut bus);
    }
    (pcs, bus)
}

#[test]
fn irq_is_taken_after_the_instruction_and_takes_seven_cycles() {
    // IRQ asserted from cycle 0 with I clear: NOP (2 cycles), then the sequence.
    let (pcs, bus) = run_trace(&[0xEA, 0xEA], 0x20, Some(0), None, 2);
    assert_eq!(pcs, [0x0200, 0xA000]);
    assert_eq!(bus.cycle, 2 + 7 + 2);
    // Pushed P has B clear and bit 5 set.
    assert_eq!(&bus.log[2..7], &[R(0x0201), R(0x0201), W(0x01FD, 0x02), W(0x01FC, 0x01), W(0x01FB, 0x20)]);
}

#[test]
fn irq_must_be_asserted_before_the_last_cycle() {
    // LDA abs (4 cycles, indices 0-3): asserted at the end of cycle 2 (the
    // penultimate) is taken after it; at the end of cycle 3, one later.
    let program = [0xAD, 0x00, 0x03, 0xEA, 0xEA];
    let (pcs, _) = run_trace(&program, 0x20, Some(2), None, 2);
    assert_eq!(pcs, [0x0200, 0xA000]);
    let (pcs, _) = run_trace(&program, 0x20, Some(3), None, 3);
    assert_eq!(pcs, [0x0200, 0x0203, 0xA000]);
}

#[test]
fn cli_and_sei_take_effect_one_instruction_late() {
    // CLI with IRQ pending: the instruction after CLI still runs first.
    let (pcs, _) = run_trace(&[0x58, 0xEA, 0xEA], 0x24, Some(0), None, 3);
    assert_eq!(pcs, [0x0200, 0x0201, 0xA000]);
    // SEI with IRQ pending: the IRQ still happens right after SEI, and the
    // pushed P already has I set.
    let (pcs, bus) = run_trace(&[0x78, 0xEA], 0x20, Some(0), None, 2);
    assert_eq!(pcs, [0x0200, 0xA000]);
    assert!(bus.log.contains(&W(0x01FB, 0x24)));
    // PLP clearing I: also one instruction late.
    let (pcs, _) = {
        let mut bus = TestBus::new(0x0200, &[0x28, 0xEA, 0xEA]);
        bus.mem[0x01FE] = 0x20;
        bus.mem[0xA000] = 0xEA;
        bus.irq_from = Some(0);
        let mut cpu = cpu_at::<Ricoh2A03>(0x0200, Registers { p: 0x24, ..regs() });
        let mut pcs = Vec::new();
        for _ in 0..3 {
            pcs.push(cpu.pc());
            cpu.step(&mut bus);
        }
        (pcs, bus)
    };
    assert_eq!(pcs, [0x0200, 0x0201, 0xA000]);
}

#[test]
fn rti_restores_i_at_once() {
    // RTI to P with I clear while IRQ is asserted: the IRQ is taken right after.
    let mut bus = TestBus::new(0x0200, &[0x40]);
    bus.mem[0x01FE..0x0200].copy_from_slice(&[0x20, 0x00]);
    bus.mem[0x0100] = 0x03;
    bus.mem[0xA000] = 0xEA;
    bus.irq_from = Some(0);
    let mut cpu = cpu_at::<Ricoh2A03>(0x0200, Registers { p: 0x24, ..regs() });
    cpu.step(&mut bus);
    assert_eq!(cpu.pc(), 0xA000);
}

#[test]
fn nmi_is_edge_triggered() {
    let (pcs, _) = run_trace(&[0xEA, 0xEA, 0xEA], 0x24, None, Some(0), 4);
    // Taken once even though the line stays asserted (and I is ignored).
    assert_eq!(pcs, [0x0200, 0x9000, 0x9001, 0x9002]);
}

#[test]
fn taken_branch_without_page_cross_delays_interrupts() {
    // BNE +0 taken (3 cycles): IRQ asserted at the end of cycle 1 would be
    // taken after a plain 3-cycle instruction, but the branch delays it.
    let (pcs, _) = run_trace(&[0xD0, 0x00, 0xEA, 0xEA], 0x20, Some(1), None, 3);
    assert_eq!(pcs, [0x0200, 0x0202, 0xA000]);
    // Same for NMI.
    let (pcs, _) = run_trace(&[0xD0, 0x00, 0xEA, 0xEA], 0x20, None, Some(1), 3);
    assert_eq!(pcs, [0x0200, 0x0202, 0x9000]);
    // Asserted at the end of cycle 0: taken right after the branch.
    let (pcs, _) = run_trace(&[0xD0, 0x00, 0xEA, 0xEA], 0x20, Some(0), None, 2);
    assert_eq!(pcs, [0x0200, 0xA000]);
    // A 3-cycle instruction (LDA zp) with IRQ at the end of cycle 1: taken after it.
    let (pcs, _) = run_trace(&[0xA5, 0x00, 0xEA], 0x20, Some(1), None, 2);
    assert_eq!(pcs, [0x0200, 0xA000]);
}

#[test]
fn nmi_hijacks_brk() {
    // NMI edge by the end of the PCL push (cycle 3): BRK's pushes, NMI's vector.
    let (pcs, bus) = run_trace(&[0x00, 0x00], 0x20, None, Some(3), 2);
    assert_eq!(pcs, [0x0200, 0x9000]);
    assert!(bus.log.contains(&W(0x01FB, 0x30)), "P pushed with B set");
    // One cycle later: BRK completes to $A000, NMI follows after one instruction.
    let (pcs, _) = run_trace(&[0x00, 0x00], 0x20, None, Some(4), 3);
    assert_eq!(pcs, [0x0200, 0xA000, 0x9000]);
}
