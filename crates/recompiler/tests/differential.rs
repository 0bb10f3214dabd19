//! Differential tests: random 6502 programs, interrupted by random NMIs and
//! IRQs, must end in the same state on the recompiler and on the
//! interpreter: registers and P, interrupt latches, cycle and instruction
//! counts and every byte of a flat 64 KiB RAM. Both CPU variants run (the
//! NMOS one with decimal mode).
//!
//! Cases are generated and shrunk with proptest. A case is a program at
//! `$0400` (mostly instructions the recompiler compiles, sometimes any
//! byte; operands pointing into RAM; stores into the program itself,
//! branches, JSR/JMP into it, flag and stack instructions), random initial
//! registers and RAM, an NMI and IRQ schedule and a cycle budget. A failure
//! is reported for the smallest case proptest finds: the program
//! disassembled, the interrupt schedule, the differences at the end and the
//! first dispatcher step after which the two engines disagree.
//!
//! The number of cases per variant is bounded for `cargo test`: 3000 in
//! release builds (a few seconds), 200 in debug builds. For a longer run set
//!
//! - `DYNES_DIFFERENTIAL_CASES=N` (e.g. 20000), or proptest's own
//!   `PROPTEST_CASES=N` (the first one set wins), and optionally
//! - `DYNES_DIFFERENTIAL_SEED=N` for other cases than the default ones: the
//!   seed is fixed, so `cargo test` and CI always run the same cases and a
//!   failure reproduces with the same seed and case count.
//!
//! Failing cases are not persisted (no `proptest-regressions/` files).

use std::fmt::Write as _;

use dynes_bus::PlainPage;
use dynes_cpu::{
    Bus, Cpu, FlatRam, Instruction, Kind, Mnemonic, Nmos6502, Registers, Ricoh2A03, Variant, OPCODES,
};
use dynes_recompiler::{Jit, JitBus, Step};
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::{Config, RngAlgorithm, TestError, TestRng, TestRunner};

/// Cases per variant for a plain `cargo test --release` (a few seconds),
/// and fewer in unoptimized builds.
const DEFAULT_CASES: u32 = if cfg!(debug_assertions) { 200 } else { 3000 };
/// The default seed (`DYNES_DIFFERENTIAL_SEED` overrides it).
const DEFAULT_SEED: u64 = 0x6502_D1FF;

/// Where the program starts.
const CODE: u16 = 0x0400;
/// Most items in a program: 3 bytes each at most, plus the closing JMP,
/// stays below $0600.
const MAX_ITEMS: usize = 150;
/// `PHA; INC $F0; LDA $F0; STA $F2; PLA; RTI`.
const NMI_HANDLER: (u16, &[u8]) = (0x0700, &[0x48, 0xE6, 0xF0, 0xA5, 0xF0, 0x85, 0xF2, 0x68, 0x40]);
/// `INC $F1; RTI` (BRK comes here too).
const IRQ_HANDLER: (u16, &[u8]) = (0x0720, &[0xE6, 0xF1, 0x40]);
/// Interrupt edges and budgets fall within this many cycles.
const MAX_CYCLES: u64 = 6000;

// ---- cases ----

/// One instruction of a generated program.
#[derive(Clone, Debug)]
enum Item {
    /// `opcode` with as many of `lo`, `hi` as it takes.
    Op { opcode: u8, lo: u8, hi: u8 },
    /// An absolute-mode store or read-modify-write into the program itself:
    /// byte `offset` (modulo its length) of item `target`.
    SelfModify { opcode: u8, target: Index, offset: u8 },
    /// JSR or JMP to item `target`.
    Jump { opcode: u8, target: Index },
}

impl Item {
    fn len(&self) -> u16 {
        match *self {
            Item::Op { opcode, .. } => OPCODES[opcode as usize].size() as u16,
            Item::SelfModify { .. } | Item::Jump { .. } => 3,
        }
    }
}

/// The interrupt line is asserted during cycles `[start, start + len)`
/// (cycle indices: cycle N is the bus access that takes `Bus::cycle` from N
/// to N + 1).
#[derive(Clone, Copy, Debug)]
struct Span {
    start: u64,
    len: u64,
}

impl Span {
    fn contains(&self, cycle: u64) -> bool {
        (self.start..self.start + self.len).contains(&cycle)
    }
}

#[derive(Clone, Debug)]
struct Case {
    items: Vec<Item>,
    /// A, X, Y, S, P.
    regs: [u8; 5],
    /// Fill RAM with bytes from `fill_seed`, or leave it zero.
    random_fill: bool,
    fill_seed: u64,
    /// The /NMI line: each span is one rising edge.
    nmi: Vec<Span>,
    /// The /IRQ line (level).
    irq: Vec<Span>,
    /// Both engines stop at the first instruction boundary at or after it.
    budget: u64,
}

/// Whether the recompiler translates `opcode` (mirrors `codegen::supported`;
/// a mismatch only changes the mix of the generated programs).
fn compiled(opcode: u8) -> bool {
    use Mnemonic::*;
    let info = OPCODES[opcode as usize];
    match info.kind() {
        Kind::Read => {
            matches!(
                info.mnemonic,
                Lda | Ldx | Ldy | Lax | And | Ora | Eor | Adc | Sbc | Cmp | Cpx | Cpy | Bit | Nop
            )
        }
        Kind::Write => matches!(info.mnemonic, Sta | Stx | Sty | Sax),
        Kind::ReadModifyWrite => matches!(info.mnemonic, Asl | Lsr | Rol | Ror | Inc | Dec),
        Kind::Branch | Kind::Implied => true,
        Kind::Control => matches!(info.mnemonic, Pha | Php | Pla | Plp | Jmp | Jsr | Rts | Rti),
    }
}

/// Compiled opcodes, NOP first (items shrink towards it).
fn compiled_opcodes() -> Vec<u8> {
    let mut ops: Vec<u8> = (0..=255u8).filter(|&op| compiled(op) && op != 0xEA).collect();
    ops.insert(0, 0xEA);
    ops
}

/// High operand bytes: mostly $00-$07 (zero page, stack, the program and
/// the handlers), sometimes anywhere.
fn page() -> impl Strategy<Value = u8> {
    prop_oneof![6 => 0u8..8, 1 => any::<u8>()]
}

fn item() -> impl Strategy<Value = Item> {
    let branches: Vec<u8> = (0..=255u8).filter(|&op| OPCODES[op as usize].kind() == Kind::Branch).collect();
    // Flags (interrupts need I clear, decimal mode needs D), the stack and
    // the instructions that take the interrupt paths.
    let special = vec![0x58, 0x78, 0xF8, 0xD8, 0x08, 0x28, 0x00, 0x40, 0x9A, 0xB8];
    // Absolute stores and read-modify-writes, plain and indexed.
    let writers = vec![0x8D, 0x8E, 0x8C, 0xEE, 0xCE, 0x0E, 0x4E, 0x2E, 0x6E, 0x9D, 0x99, 0xFE, 0xDE];
    prop_oneof![
        16 => (prop::sample::select(compiled_opcodes()), any::<u8>(), page())
            .prop_map(|(opcode, lo, hi)| Item::Op { opcode, lo, hi }),
        3 => (prop::sample::select(branches), prop_oneof![3 => -12i8..12, 1 => any::<i8>()])
            .prop_map(|(opcode, offset)| Item::Op { opcode, lo: offset as u8, hi: 0 }),
        2 => (prop::sample::select(special), any::<u8>(), page())
            .prop_map(|(opcode, lo, hi)| Item::Op { opcode, lo, hi }),
        2 => (prop::sample::select(writers), any::<Index>(), 0u8..3)
            .prop_map(|(opcode, target, offset)| Item::SelfModify { opcode, target, offset }),
        1 => (prop::sample::select(vec![0x20u8, 0x4C]), any::<Index>())
            .prop_map(|(opcode, target)| Item::Jump { opcode, target }),
        1 => (any::<u8>(), any::<u8>(), page()).prop_map(|(opcode, lo, hi)| Item::Op { opcode, lo, hi }),
    ]
}

fn spans(max: usize, max_len: u64) -> impl Strategy<Value = Vec<Span>> {
    prop::collection::vec((0..MAX_CYCLES, 1..max_len).prop_map(|(start, len)| Span { start, len }), 0..=max)
}

fn case() -> impl Strategy<Value = Case> {
    (
        prop::collection::vec(item(), 1..=MAX_ITEMS),
        any::<[u8; 5]>(),
        prop::bool::weighted(0.8),
        any::<u64>(),
        spans(4, 300),
        spans(3, 800),
        200..MAX_CYCLES,
    )
        .prop_map(|(items, regs, random_fill, fill_seed, nmi, irq, budget)| Case {
            items,
            regs,
            random_fill,
            fill_seed,
            nmi,
            irq,
            budget,
        })
}

/// The case laid out in memory.
struct Image {
    memory: Box<[u8; 0x10000]>,
    /// Address of each item, then of the closing `JMP $0400`.
    addrs: Vec<u16>,
    regs: Registers,
}

fn layout(case: &Case) -> Image {
    let mut memory = Box::new([0u8; 0x10000]);
    if case.random_fill {
        // xorshift64*
        let mut state = case.fill_seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        for byte in memory.iter_mut() {
            state ^= state >> 12;
            state ^= state << 25;
            state ^= state >> 27;
            let value = (state.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 56) as u8;
            // No JAMs: code that runs into data should not halt at once.
            *byte = if OPCODES[value as usize].mnemonic == Mnemonic::Jam { value | 1 } else { value };
        }
    }
    let mut addrs = Vec::with_capacity(case.items.len() + 1);
    let mut addr = CODE;
    for item in &case.items {
        addrs.push(addr);
        addr += item.len();
    }
    addrs.push(addr);
    let n = case.items.len();
    for (item, &at) in case.items.iter().zip(&addrs) {
        let bytes = match *item {
            Item::Op { opcode, lo, hi } => [opcode, lo, hi],
            Item::SelfModify { opcode, target, offset } => {
                let t = target.index(n);
                let to = addrs[t] + offset as u16 % case.items[t].len();
                let [lo, hi] = to.to_le_bytes();
                [opcode, lo, hi]
            }
            Item::Jump { opcode, target } => {
                let [lo, hi] = addrs[target.index(n)].to_le_bytes();
                [opcode, lo, hi]
            }
        };
        let len = item.len() as usize;
        memory[at as usize..at as usize + len].copy_from_slice(&bytes[..len]);
    }
    let [lo, hi] = CODE.to_le_bytes();
    memory[addr as usize..addr as usize + 3].copy_from_slice(&[0x4C, lo, hi]);
    for (at, code) in [NMI_HANDLER, IRQ_HANDLER] {
        memory[at as usize..at as usize + code.len()].copy_from_slice(code);
    }
    for (vector, target) in [(0xFFFA, NMI_HANDLER.0), (0xFFFC, CODE), (0xFFFE, IRQ_HANDLER.0)] {
        memory[vector..vector + 2].copy_from_slice(&target.to_le_bytes());
    }
    let [a, x, y, s, p] = case.regs;
    Image { memory, addrs, regs: Registers { a, x, y, s, pc: CODE, p } }
}

// ---- the bus ----

/// Flat RAM with the case's interrupt lines.
struct TestBus {
    ram: Box<FlatRam>,
    nmi: Vec<Span>,
    irq: Vec<Span>,
    /// Sorted cycle indices at whose end a line differs from the cycle
    /// before (both lines are low before cycle 0, as the CPU assumes at
    /// power-on).
    changes: Vec<u64>,
    /// Report a deadline of 0 (sample after every cycle) instead: always
    /// correct, to check the exact deadline against.
    eager: bool,
}

impl TestBus {
    fn new(case: &Case, image: &Image, eager: bool) -> TestBus {
        let mut ram = FlatRam::new();
        ram.memory_mut().copy_from_slice(&image.memory[..]);
        let level =
            |spans: &[Span], cycle: Option<u64>| cycle.is_some_and(|c| spans.iter().any(|s| s.contains(c)));
        let mut changes: Vec<u64> = case
            .nmi
            .iter()
            .chain(&case.irq)
            .flat_map(|s| [s.start, s.start + s.len])
            .filter(|&c| {
                let before = c.checked_sub(1);
                level(&case.nmi, Some(c)) != level(&case.nmi, before)
                    || level(&case.irq, Some(c)) != level(&case.irq, before)
            })
            .collect();
        changes.sort_unstable();
        changes.dedup();
        TestBus { ram, nmi: case.nmi.clone(), irq: case.irq.clone(), changes, eager }
    }

    /// The last cycle performed (cycle 0 before any).
    fn last(&self) -> u64 {
        self.ram.cycle().saturating_sub(1)
    }
}

impl Bus for TestBus {
    const INTERRUPTS: bool = true;

    fn read(&mut self, addr: u16) -> u8 {
        self.ram.read(addr)
    }

    fn write(&mut self, addr: u16, value: u8) {
        self.ram.write(addr, value)
    }

    fn peek(&self, addr: u16) -> u8 {
        self.ram.peek(addr)
    }

    fn cycle(&self) -> u64 {
        self.ram.cycle()
    }

    /// The next change of either line at or after the last cycle performed
    /// (the CPU samples at the end of cycle N when `cycle() = N + 1 >
    /// deadline()`), and "now" while IRQ is asserted.
    fn deadline(&self) -> u64 {
        let last = self.last();
        if self.eager || self.irq.iter().any(|s| s.contains(last)) {
            return 0;
        }
        let next = self.changes.partition_point(|&c| c < last);
        self.changes.get(next).copied().unwrap_or(u64::MAX)
    }

    fn nmi_line(&mut self) -> bool {
        let last = self.last();
        self.ram.cycle() > 0 && self.nmi.iter().any(|s| s.contains(last))
    }

    fn irq_line(&mut self) -> bool {
        let last = self.last();
        self.ram.cycle() > 0 && self.irq.iter().any(|s| s.contains(last))
    }
}

/// As `FlatRam`'s: the whole address space is plain RAM.
impl JitBus for TestBus {
    const RAM_END: u32 = 0x10000;
    const RAM_MASK: u32 = 0xFFFF;
    const WINDOW: u32 = 0x10000;

    fn ram_ptr(&mut self) -> *mut u8 {
        self.ram.memory_mut().as_mut_ptr()
    }

    fn plain_page(&mut self, page: u8) -> PlainPage {
        let start = usize::from(page) << 8;
        PlainPage::ram(&mut self.ram.memory_mut()[start..start + 0x100], start as u32, true, true)
    }

    fn io_page(_page: u8) -> bool {
        false
    }

    fn mapping_generation(&self) -> u64 {
        0
    }

    fn cycle_mut(&mut self) -> &mut u64 {
        self.ram.cycle_mut()
    }

    fn writable_source(_source: u32) -> bool {
        true
    }
}

// ---- running and comparing ----

/// Everything compared at the end.
#[derive(PartialEq, Eq)]
struct State {
    regs: Registers,
    latches: (u8, bool),
    jammed: Option<u8>,
    instructions: u64,
    cycle: u64,
    memory: Box<[u8; 0x10000]>,
}

impl State {
    fn of<V: Variant>(cpu: &Cpu<V>, bus: &TestBus) -> State {
        State {
            regs: cpu.regs(),
            latches: cpu.irq_state(),
            jammed: cpu.jammed(),
            instructions: cpu.instructions(),
            cycle: bus.cycle(),
            memory: Box::new(*bus.ram.memory()),
        }
    }
}

struct Machine<V: Variant> {
    cpu: Cpu<V>,
    bus: TestBus,
}

impl<V: Variant> Machine<V> {
    fn new(case: &Case, image: &Image) -> Machine<V> {
        Machine::with_bus(TestBus::new(case, image, false), image)
    }

    fn with_bus(bus: TestBus, image: &Image) -> Machine<V> {
        let mut cpu = Cpu::<V>::new();
        cpu.set_regs(image.regs);
        Machine { cpu, bus }
    }

    fn state(&self) -> State {
        State::of(&self.cpu, &self.bus)
    }
}

/// The interpreter alone, up to the first instruction boundary at or after
/// the budget; `eager`: with a bus that has it sample after every cycle.
fn run_interpreter<V: Variant>(case: &Case, image: &Image, eager: bool) -> State {
    let mut m = Machine::<V>::with_bus(TestBus::new(case, image, eager), image);
    while m.bus.cycle() < case.budget {
        m.cpu.step(&mut m.bus);
    }
    m.state()
}

/// The recompiler's dispatcher, stopping as the interpreter does: compiled
/// code is kept within the budget, and steps go on while below it.
fn run_recompiler<V: Variant>(case: &Case, image: &Image) -> State {
    let mut jit = Jit::new::<V>().expect("checked before the run");
    let mut m = Machine::<V>::new(case, image);
    while m.bus.cycle() < case.budget {
        jit.step_until(&mut m.cpu, &mut m.bus, case.budget);
    }
    m.state()
}

fn flags(p: u8) -> String {
    "NV-BDIZC".chars().enumerate().map(|(i, c)| if p & (0x80 >> i) != 0 { c } else { '.' }).collect()
}

fn describe_state(s: &State) -> String {
    let r = s.regs;
    format!(
        "PC=${:04X} A=${:02X} X=${:02X} Y=${:02X} S=${:02X} P=${:02X} ({}) latches={:?} jammed={:?} \
         instructions={} cycle={}",
        r.pc,
        r.a,
        r.x,
        r.y,
        r.s,
        r.p,
        flags(r.p),
        s.latches,
        s.jammed,
        s.instructions,
        s.cycle
    )
}

/// The differences between two end states (empty when they agree); `names`
/// label the two sides.
fn differences(a: &State, b: &State, names: [&str; 2], initial: &[u8; 0x10000]) -> String {
    let [l, r] = names;
    let mut out = String::new();
    let mut line = |what: &str, x: String, y: String| {
        let _ = writeln!(out, "  {what}: {l} {x}, {r} {y}");
    };
    let (ra, rb) = (a.regs, b.regs);
    for (name, x, y) in [("A", ra.a, rb.a), ("X", ra.x, rb.x), ("Y", ra.y, rb.y), ("S", ra.s, rb.s)] {
        if x != y {
            line(name, format!("${x:02X}"), format!("${y:02X}"));
        }
    }
    if ra.pc != rb.pc {
        line("PC", format!("${:04X}", ra.pc), format!("${:04X}", rb.pc));
    }
    if ra.p != rb.p {
        line("P", format!("${:02X} ({})", ra.p, flags(ra.p)), format!("${:02X} ({})", rb.p, flags(rb.p)));
    }
    if a.latches != b.latches {
        line("latches", format!("{:?}", a.latches), format!("{:?}", b.latches));
    }
    if a.jammed != b.jammed {
        line("jammed", format!("{:?}", a.jammed), format!("{:?}", b.jammed));
    }
    if a.instructions != b.instructions {
        line("instructions", a.instructions.to_string(), b.instructions.to_string());
    }
    if a.cycle != b.cycle {
        line("cycle", a.cycle.to_string(), b.cycle.to_string());
    }
    let differing: Vec<usize> = (0..0x10000).filter(|&i| a.memory[i] != b.memory[i]).collect();
    for &addr in differing.iter().take(16) {
        let _ = writeln!(
            out,
            "  ${addr:04X}: {l} ${:02X}, {r} ${:02X} (initially ${:02X})",
            a.memory[addr], b.memory[addr], initial[addr]
        );
    }
    if differing.len() > 16 {
        let _ = writeln!(out, "  ... {} differing bytes in all", differing.len());
    }
    out
}

/// Runs both engines in lockstep (the interpreter catches up with the
/// recompiler's instruction count after every dispatcher step) and
/// describes the first step after which they disagree.
fn first_divergence<V: Variant>(case: &Case, image: &Image) -> String {
    let mut jit = Jit::new::<V>().expect("checked before the run");
    let mut j = Machine::<V>::new(case, image);
    let mut i = Machine::<V>::new(case, image);
    let mut steps = 0u64;
    while j.bus.cycle() < case.budget {
        let before = describe_state(&j.state());
        let step = jit.step_until(&mut j.cpu, &mut j.bus, case.budget);
        steps += 1;
        while i.bus.cycle() < case.budget
            && (i.cpu.instructions() < j.cpu.instructions()
                || (i.cpu.jammed().is_some() && i.bus.cycle() < j.bus.cycle()))
        {
            i.cpu.step(&mut i.bus);
        }
        let (js, is) = (j.state(), i.state());
        if js != is {
            let what = match step {
                Step::Block { start, trap: None } => format!("compiled code from ${start:04X}"),
                Step::Block { start, trap: Some(at) } => {
                    format!("compiled code from ${start:04X}, stopped at the trap at ${at:04X}")
                }
                Step::Interpreted { pc } => format!("the interpreter, last instruction at ${pc:04X}"),
            };
            let mut out = format!("first difference after dispatcher step {steps} ({what}):\n");
            if let Step::Block { start, .. } = step {
                if let Some(block) = jit.blocks().find(|b| b.start == start) {
                    let _ = writeln!(out, "  the block (as compiled):");
                    for insn in &block.insns {
                        let _ = writeln!(out, "    ${:04X}  {:<8}  {insn}", insn.addr, insn.hex());
                    }
                }
            }
            let _ = writeln!(out, "  before the step: {before}");
            let _ = writeln!(out, "  jit:         {}", describe_state(&js));
            let _ = writeln!(out, "  interpreter: {}", describe_state(&is));
            out.push_str(&differences(&js, &is, ["jit", "interpreter"], &image.memory));
            return out;
        }
    }
    "no difference in lockstep (only at the end?)\n".to_string()
}

/// The case for a failure message: the program disassembled, the
/// handlers, the schedule.
fn describe_case(case: &Case) -> String {
    let image = layout(case);
    let peek = |a: u16| image.memory[a as usize];
    let mut out = String::new();
    let r = image.regs;
    let _ = writeln!(
        out,
        "initial: A=${:02X} X=${:02X} Y=${:02X} S=${:02X} P=${:02X} ({}) PC=${:04X}; RAM {}; budget {} cycles",
        r.a,
        r.x,
        r.y,
        r.s,
        r.p,
        flags(r.p),
        r.pc,
        if case.random_fill { format!("filled from seed {:#x}", case.fill_seed) } else { "zero".into() },
        case.budget
    );
    let _ = writeln!(out, "program:");
    let end = *image.addrs.last().expect("the closing JMP") + 3;
    let mut addr = CODE;
    while addr < end {
        let insn = Instruction::decode(addr, peek);
        let note = if insn.info.official { "" } else { "  (unofficial)" };
        let _ = writeln!(out, "  ${addr:04X}  {:<8}  {insn}{note}", insn.hex());
        addr += insn.len as u16;
    }
    for (name, (at, code)) in [("NMI", NMI_HANDLER), ("IRQ/BRK", IRQ_HANDLER)] {
        let mut text = Vec::new();
        let mut a = at;
        while a < at + code.len() as u16 {
            let insn = Instruction::decode(a, peek);
            text.push(insn.to_string());
            a += insn.len as u16;
        }
        let _ = writeln!(out, "{name} handler at ${at:04X}: {}", text.join("; "));
    }
    let spans = |spans: &[Span]| {
        if spans.is_empty() {
            "never".to_string()
        } else {
            spans.iter().map(|s| format!("[{}, {})", s.start, s.start + s.len)).collect::<Vec<_>>().join(" ")
        }
    };
    let _ = writeln!(out, "NMI line high during cycles {}", spans(&case.nmi));
    let _ = writeln!(out, "IRQ line asserted during cycles {}", spans(&case.irq));
    out
}

fn check<V: Variant>(case: &Case) -> Result<(), TestCaseError> {
    let image = layout(case);
    let interp = run_interpreter::<V>(case, &image, false);
    // The test bus's own check: its deadline must not change what the
    // interpreter does.
    let eager = run_interpreter::<V>(case, &image, true);
    if eager != interp {
        return Err(TestCaseError::fail(format!(
            "{}: the test bus's deadline is wrong: the interpreter sampling after every cycle \
             ends elsewhere:\n  eager: {}\n  exact: {}\n{}",
            V::NAME,
            describe_state(&eager),
            describe_state(&interp),
            differences(&eager, &interp, ["eager", "exact"], &image.memory)
        )));
    }
    let jit = run_recompiler::<V>(case, &image);
    if jit == interp {
        return Ok(());
    }
    Err(TestCaseError::fail(format!(
        "{}: the engines disagree at the end:\n  jit:         {}\n  interpreter: {}\n{}{}",
        V::NAME,
        describe_state(&jit),
        describe_state(&interp),
        differences(&jit, &interp, ["jit", "interpreter"], &image.memory),
        first_divergence::<V>(case, &image)
    )))
}

fn env_number(name: &str) -> Option<u64> {
    let value = std::env::var(name).ok()?;
    Some(value.trim().parse().unwrap_or_else(|_| panic!("{name}={value:?} is not a number")))
}

fn run<V: Variant>(salt: u64) {
    if let Err(why) = Jit::new::<V>() {
        eprintln!("skipped: the recompiler is not available on this host ({why})");
        return;
    }
    let cases = env_number("DYNES_DIFFERENTIAL_CASES")
        .or_else(|| env_number("PROPTEST_CASES"))
        .map_or(DEFAULT_CASES, |n| n.min(u32::MAX as u64) as u32);
    let seed = env_number("DYNES_DIFFERENTIAL_SEED").unwrap_or(DEFAULT_SEED);
    let mut config = Config { cases, failure_persistence: None, ..Config::default() };
    if config.max_shrink_iters == u32::MAX {
        // Proptest's automatic limit grows with the case count.
        config.max_shrink_iters = 10_000;
    }
    let mut key = [0u8; 32];
    key[..8].copy_from_slice(&seed.to_le_bytes());
    key[8..16].copy_from_slice(&salt.to_le_bytes());
    let mut runner = TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &key));
    match runner.run(&case(), |case| check::<V>(&case)) {
        Ok(()) => {}
        Err(TestError::Fail(reason, case)) => {
            let pruned = prune::<V>(case.clone());
            let (case, reason) = match checked::<V>(&pruned) {
                Some(again) if pruned.items.len() < case.items.len() => (pruned, again),
                _ => (case, reason.message().to_string()),
            };
            panic!(
                "{} differential test failed (DYNES_DIFFERENTIAL_SEED={seed} DYNES_DIFFERENTIAL_CASES={cases}); \
                 minimal case:\n{}{reason}",
                V::NAME,
                describe_case(&case)
            )
        }
        Err(TestError::Abort(reason)) => panic!("{} differential test aborted: {reason}", V::NAME),
    }
}

/// Why `case` fails (a difference or a panic), if it does.
fn checked<V: Variant>(case: &Case) -> Option<String> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| check::<V>(case))) {
        Ok(Ok(())) => None,
        Ok(Err(TestCaseError::Fail(reason) | TestCaseError::Reject(reason))) => {
            Some(reason.message().to_string())
        }
        Err(_) => Some("the run panicked (see above)\n".to_string()),
    }
}

/// Proptest shrinks items towards NOP but does not retry removing them
/// afterwards: drop items and interrupt spans one at a time while the case
/// still fails.
fn prune<V: Variant>(mut case: Case) -> Case {
    loop {
        let before = (case.items.len(), case.nmi.len(), case.irq.len());
        for i in (0..case.items.len()).rev() {
            let mut smaller = case.clone();
            smaller.items.remove(i);
            if !smaller.items.is_empty() && checked::<V>(&smaller).is_some() {
                case = smaller;
            }
        }
        for i in (0..case.nmi.len()).rev() {
            let mut smaller = case.clone();
            smaller.nmi.remove(i);
            if checked::<V>(&smaller).is_some() {
                case = smaller;
            }
        }
        for i in (0..case.irq.len()).rev() {
            let mut smaller = case.clone();
            smaller.irq.remove(i);
            if checked::<V>(&smaller).is_some() {
                case = smaller;
            }
        }
        if (case.items.len(), case.nmi.len(), case.irq.len()) == before {
            return case;
        }
    }
}

/// Runs `test` on a thread with a large stack: unoptimized builds of the
/// interpreter, with every opcode's handler inlined into one function,
/// need more than a test thread's default.
fn with_big_stack(test: fn()) {
    let name = std::thread::current().name().unwrap_or("differential").to_string();
    let thread =
        std::thread::Builder::new().name(name).stack_size(64 << 20).spawn(test).expect("spawn a test thread");
    if let Err(panic) = thread.join() {
        std::panic::resume_unwind(panic);
    }
}

#[test]
fn random_programs_nmos() {
    with_big_stack(|| run::<Nmos6502>(1));
}

#[test]
fn random_programs_2a03() {
    with_big_stack(|| run::<Ricoh2A03>(2));
}
