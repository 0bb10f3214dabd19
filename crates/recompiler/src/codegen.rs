//! x86-64 code generation with dynasm.
//!
//! Host registers inside compiled code:
//!
//! | host  | guest |
//! |-------|-------|
//! | r12b  | A     |
//! | bl    | X     |
//! | bpl   | Y     |
//! | r8b   | N (0 or 1) |
//! | r9b   | Z (0 or 1) |
//! | r10b  | C (0 or 1) |
//! | r11   | S (the upper bits stay zero) |
//! | r14   | cycle count |
//! | r13   | console RAM (the always-plain memory at guest $0000) |
//! | r15   | the [`Context`], whose first field is the `Cpu` |
//!
//! V, D, I, PC and the instruction count (added at exits) live in the `Cpu`
//! inside the context. The upper bits of rbx, rbp, r11 and r12 stay zero. r8-r11 are caller-saved: every call out of
//! compiled code first stores all guest state into the context ("spill") and
//! reloads it afterwards, so helpers see and change a complete `Cpu`.
//!
//! One trampoline at the start of the region loads the registers and jumps
//! to a block's chain entry; an epilogue (one per batch) stores them back
//! and returns.
//! Blocks jump straight to each other inside one address window, and
//! through the entry table (guest address to host address) elsewhere.

use dynasmrt::{
    dynasm, x64::X64Relocation, AssemblyOffset, DynamicLabel, DynasmApi, DynasmLabelApi, VecAssembler,
};

use crate::memory::CodeMemory;

/// Assembles into a `Vec` for code that will run at the region's address.
type Assembler = VecAssembler<X64Relocation>;
use dynes_cpu::{layout, Cpu, Instruction, Kind, Mnemonic, Mode, Nmos6502};

/// What compiled code works on: the CPU, the memory maps and the exits.
/// Lives in a `Box` owned by the recompiler, so its address is stable.
#[repr(C)]
pub(crate) struct Context {
    /// The running CPU (any variant: the layout does not depend on it),
    /// copied in before and out after compiled code runs.
    pub cpu: Cpu<Nmos6502>,
    /// The bus (its concrete type is known to the helpers).
    pub bus: *mut u8,
    /// The bus's cycle counter.
    pub cycle: *mut u64,
    /// Console RAM: the plain memory at guest $0000.
    pub ram: *mut u8,
    /// Blocks run (and chain) only while `cycle + worst case <= deadline`.
    pub deadline: u64,
    /// Guest address to host chain entry (0 = none).
    pub entry: *const u64,
    /// Set when an instruction jumped to itself (a trap): its address;
    /// `NO_TRAP` otherwise.
    pub trap: u32,
    /// Set by an I/O call-out: leave after the current instruction.
    pub exit_request: u32,
    /// IRQ is asserted but masked: compiled code leaves after CLI and PLP
    /// so the dispatcher can let it in.
    pub irq_waiting: u8,
    /// Instructions the interpreter ran for compiled code (accesses that
    /// were not plain memory).
    pub fallbacks: u64,
    /// Guest pages holding compiled code that the interpreter wrote to.
    pub written: [u64; 4],
    /// Per guest page: whether it currently shows fixed bytes of compiled
    /// code (stores there check `code_bytes`).
    pub code_pages: [u8; 256],
    /// Per guest address (64 KiB): whether the byte is part of compiled
    /// code that a store must invalidate (opcodes and fixed operands).
    pub code_bytes: *const u8,
    /// Per guest page: host address of guest address 0 of that page's
    /// plain memory for reads (so `map + addr` is the byte), or 0.
    pub read_map: [usize; 256],
    /// The same for plain writes.
    pub write_map: [usize; 256],
    /// The helpers for this CPU variant and bus type (see [`Helpers`]).
    pub helpers: Helpers,
}

/// `trap` when no instruction jumped to itself.
pub(crate) const NO_TRAP: u32 = u32::MAX;

/// `next` for a fallback after which compiled code must always exit.
pub(crate) const ALWAYS_EXIT: u32 = u32::MAX;

const CTX_BUS: i32 = std::mem::offset_of!(Context, bus) as i32;
const CTX_CYCLE: i32 = std::mem::offset_of!(Context, cycle) as i32;
const CTX_RAM: i32 = std::mem::offset_of!(Context, ram) as i32;
const CTX_DEADLINE: i32 = std::mem::offset_of!(Context, deadline) as i32;
const CTX_ENTRY: i32 = std::mem::offset_of!(Context, entry) as i32;
const CTX_TRAP: i32 = std::mem::offset_of!(Context, trap) as i32;
const CTX_EXIT_REQUEST: i32 = std::mem::offset_of!(Context, exit_request) as i32;
const CTX_IRQ_WAITING: i32 = std::mem::offset_of!(Context, irq_waiting) as i32;
const READ_MAP: i32 = std::mem::offset_of!(Context, read_map) as i32;
const CODE_PAGES: i32 = std::mem::offset_of!(Context, code_pages) as i32;
const CTX_CODE_BYTES: i32 = std::mem::offset_of!(Context, code_bytes) as i32;
const HELPERS: i32 = std::mem::offset_of!(Context, helpers) as i32;
const FALLBACK_FN: i32 = HELPERS + std::mem::offset_of!(Helpers, fallback) as i32;
const IO_READ_FN: i32 = HELPERS + std::mem::offset_of!(Helpers, io_read) as i32;
const IO_WRITE_FN: i32 = HELPERS + std::mem::offset_of!(Helpers, io_write) as i32;
const WRITE_MAP: i32 = std::mem::offset_of!(Context, write_map) as i32;

const A: i32 = layout::A as i32;
const X: i32 = layout::X as i32;
const Y: i32 = layout::Y as i32;
const S: i32 = layout::S as i32;
const PC: i32 = layout::PC as i32;
const N: i32 = layout::N as i32;
const V: i32 = layout::V as i32;
const D: i32 = layout::D as i32;
const I: i32 = layout::I as i32;
const Z: i32 = layout::Z as i32;
const C: i32 = layout::C as i32;
const INSNS: i32 = layout::INSTRUCTIONS as i32;

const _: () = assert!(std::mem::offset_of!(Context, cpu) == 0);
const _: () = assert!(CTX_BUS >= 0 && CTX_CYCLE >= 0 && CTX_RAM >= 0 && CTX_ENTRY >= 0);

macro_rules! x64 {
    ($ops:expr; $($t:tt)*) => {
        dynasm!($ops ; .arch x64 ; $($t)*)
    };
}

/// Whether the translator handles `insn` (otherwise the block ends before it
/// and the interpreter runs it).
fn supported(insn: &Instruction) -> bool {
    use Mnemonic::*;
    match insn.info.kind() {
        Kind::Read => matches!(
            insn.info.mnemonic,
            Lda | Ldx | Ldy | Lax | And | Ora | Eor | Adc | Sbc | Cmp | Cpx | Cpy | Bit | Nop
        ),
        Kind::Write => matches!(insn.info.mnemonic, Sta | Stx | Sty | Sax),
        Kind::ReadModifyWrite => matches!(insn.info.mnemonic, Asl | Lsr | Rol | Ror | Inc | Dec),
        Kind::Branch | Kind::Implied => true,
        Kind::Control => matches!(insn.info.mnemonic, Pha | Php | Pla | Plp | Jmp | Jsr | Rts | Rti),
    }
}

/// A conditional branch to itself: taken, it traps (or idles until an
/// interrupt); not taken, execution goes on, so the block does too.
pub(crate) fn is_trap_branch(insn: &Instruction) -> bool {
    insn.info.kind() == Kind::Branch && insn.branch_target() == insn.addr
}

/// Whether `insn` ends its block (the next instruction is not known statically).
fn ends_block(insn: &Instruction) -> bool {
    (insn.info.kind() == Kind::Branch && !is_trap_branch(insn))
        || matches!(insn.info.mnemonic, Mnemonic::Jmp | Mnemonic::Jsr | Mnemonic::Rts | Mnemonic::Rti)
}

/// Decodes the block starting at `pc` whose bytes all lie below `end`:
/// empty if its first instruction is not compiled.
pub(crate) fn discover(pc: u16, end: u32, peek: impl Fn(u16) -> u8) -> Vec<Instruction> {
    let mut insns = Vec::new();
    let mut addr = pc as u32;
    while insns.len() < crate::MAX_BLOCK_INSNS {
        let insn = Instruction::decode(addr as u16, &peek);
        if addr + insn.len as u32 > end || !supported(&insn) {
            break;
        }
        addr += insn.len as u32;
        let last = ends_block(&insn);
        insns.push(insn);
        if last {
            break;
        }
    }
    insns
}

/// How a block can leave: the guest addresses it continues at that are
/// known statically, and whether it can also leave for one computed at run
/// time.
pub(crate) fn static_successors(insns: &[Instruction]) -> Vec<u16> {
    let Some(last) = insns.last() else { return Vec::new() };
    let next = last.addr.wrapping_add(last.len as u16);
    match (last.info.kind(), last.info.mnemonic) {
        (Kind::Branch, _) => vec![next, last.branch_target()],
        (_, Mnemonic::Jmp) if last.info.mode == Mode::Abs => vec![last.operand()],
        (_, Mnemonic::Jsr) => vec![last.operand(), next],
        (_, Mnemonic::Rts | Mnemonic::Rti | Mnemonic::Jmp) => Vec::new(),
        // The block stopped before an instruction it does not compile.
        _ => vec![next],
    }
}

/// N, V, Z and C as P bits: the flags whose computation can be dropped.
const ARITH_FLAGS: u8 = 0xC3;
const FLAG_N: u8 = 0x80;
const FLAG_V: u8 = 0x40;
const FLAG_Z: u8 = 0x02;
const FLAG_C: u8 = 0x01;

/// Whether control may leave compiled code during or right after `insn`
/// (a taken branch, an exit, a call to the bus or the interpreter), where
/// every flag must hold its true value.
fn may_leave(insn: &Instruction, memory: &Memory, dynamic_operands: bool) -> bool {
    let flat = memory.flat();
    match insn.info.kind() {
        // CLI and PLP leave when an IRQ waits for I to clear.
        Kind::Implied => insn.info.mnemonic == Mnemonic::Cli,
        Kind::Branch => true,
        Kind::Control => insn.info.mnemonic != Mnemonic::Pla,
        Kind::Read => match insn.info.mode {
            Mode::Imp | Mode::Imm | Mode::Zp | Mode::Zpx | Mode::Zpy => false,
            Mode::Abs => !flat && (dynamic_operands || insn.operand() as u32 >= memory.ram_end),
            Mode::Abx | Mode::Aby | Mode::Izx | Mode::Izy => !flat,
            _ => true,
        },
        Kind::Write | Kind::ReadModifyWrite => true,
    }
}

/// For each instruction of a block, the flags among N, V, Z, C that code
/// after it may read before they are overwritten (P bits). Within the
/// block only: all are live wherever control may leave it.
pub(crate) fn live_flags(insns: &[Instruction], memory: &Memory, dynamic_operands: bool) -> Vec<u8> {
    let mut live = vec![0; insns.len()];
    let mut after = ARITH_FLAGS;
    for (i, insn) in insns.iter().enumerate().rev() {
        let leaves = may_leave(insn, memory, dynamic_operands);
        if leaves {
            after = ARITH_FLAGS;
        }
        live[i] = after;
        let (read, written) = (insn.info.flags_read().0, insn.info.flags_written().0);
        after = (read | (after & !written)) & ARITH_FLAGS;
        if leaves {
            after = ARITH_FLAGS;
        }
    }
    live
}

/// Functions compiled code calls, for one CPU variant and bus type.
#[derive(Clone, Copy, Debug, Default)]
#[repr(C)]
pub(crate) struct Helpers {
    /// `fn(ctx, next) -> exit`: runs the instruction at PC on the
    /// interpreter; non-zero when compiled code must leave afterwards.
    pub fallback: usize,
    /// `fn(ctx, addr, last bus value) -> value`: a bus read in an
    /// instruction's last cycle.
    pub io_read: usize,
    /// `fn(ctx, addr, value)`: a bus write in an instruction's last cycle.
    pub io_write: usize,
}

/// What the code generator knows about the bus.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Memory {
    /// Guest addresses below this are console RAM (mirrored by `ram_mask`).
    pub ram_end: u32,
    pub ram_mask: u32,
    /// Pages where any access, dummy reads included, may have effects:
    /// instructions touching them always run on the interpreter.
    pub io_pages: [bool; 256],
    /// Whether the CPU has decimal mode.
    pub decimal: bool,
    /// An instruction that jumps to itself waits for an interrupt: run its
    /// iterations up to the deadline at once. (Otherwise it is a trap that
    /// compiled code reports to the dispatcher at once.)
    pub idle_skip: bool,
}

impl Memory {
    /// The whole address space is plain RAM (a flat test machine).
    fn flat(&self) -> bool {
        self.ram_end >= 0x10000
    }
}

/// A block to emit.
pub(crate) struct Plan<'a> {
    pub insns: &'a [Instruction],
    pub worst_cycles: u64,
    /// Its chain entry.
    pub label: DynamicLabel,
    /// Immediate, zero-page and absolute operands are read from guest
    /// memory when the instruction runs, so rewriting them needs no
    /// recompilation.
    pub dynamic_operands: bool,
}

/// Whether `insn`'s operand bytes are read at run time in a block compiled
/// with dynamic operands (they are then not fixed code bytes).
pub(crate) fn has_dynamic_operand(insn: &Instruction) -> bool {
    let kind = insn.info.kind();
    let data = matches!(kind, Kind::Read | Kind::Write | Kind::ReadModifyWrite)
        && matches!(insn.info.mode, Mode::Imm | Mode::Zp | Mode::Abs);
    data || (insn.info.mnemonic == Mnemonic::Jmp && insn.info.mode == Mode::Abs)
}

/// Where a block landed.
pub(crate) struct Compiled {
    /// Chain entry (the dispatcher enters here too, through the trampoline).
    pub chain_offset: usize,
    /// Where to leave for the dispatcher when the block is dropped: the
    /// chain entry is patched to jump here.
    pub relink_offset: usize,
    pub len: usize,
    /// Instructions that may run on the interpreter (non-plain accesses).
    pub fallback_sites: usize,
    /// Per instruction: the flags (P bits) it writes whose computation was
    /// left out because nothing reads them before they are overwritten.
    pub dropped_flags: Vec<u8>,
}

/// The executable code buffer with its trampoline and epilogue.
pub(crate) struct CodeBuffer {
    /// The batch being emitted, assembled for the address right after the
    /// committed code; labels are local to a batch.
    asm: Assembler,
    /// Where committed code runs.
    memory: CodeMemory,
    /// Start of the code region (it never moves).
    base: *const u8,
    /// Offset of the trampoline.
    enter: usize,
    /// This batch's epilogue and thunks.
    epilogue: DynamicLabel,
    thunks: Thunks,
}

/// Out-of-line sequences that blocks call, to keep blocks small; every
/// batch has its own copy (labels are local to a batch).
#[derive(Clone, Copy)]
struct Thunks {
    /// Stores all guest state, calls the helper in rax with (ctx, esi),
    /// reloads all guest state (the helper may change any of it).
    spilled: DynamicLabel,
    /// Stores the cycle count, calls the helper in rax with (ctx, esi,
    /// edx) keeping r8-r11, reloads the cycle count.
    io: DynamicLabel,
}

/// Where an exit jumps directly.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Link {
    /// A block of the batch being compiled.
    Label(DynamicLabel),
    /// A block compiled before: its host address.
    Address(usize),
}

/// Where an operand is, once its address is known and checked.
#[derive(Clone, Copy)]
enum Loc {
    Imm(u8),
    /// `[r13 + disp]`: console RAM at a fixed offset.
    Ram(i32),
    /// `[r13 + rdx]`: console RAM at the address in rdx.
    RamDyn,
    /// `[rax + disp]`: plain memory through a map entry in rax.
    Mapped(i32),
    /// `[rax + rdx]`.
    MappedDyn,
    /// `[rdi + disp]`: a map entry moved out of rax's way.
    MappedRdi(i32),
    /// `[rdi + rdx]`.
    MappedRdiDyn,
}

/// Out-of-line code emitted after a block's body.
enum Stub {
    /// Runs the instruction on the interpreter, then continues at `resume`
    /// or leaves.
    Fallback {
        label: DynamicLabel,
        resume: DynamicLabel,
        addr: u16,
        next: u32,
        /// Instructions of the block before this one.
        index: u32,
        pending_before: i32,
        pending_after: i32,
    },
    /// Decimal-mode ADC/SBC through the interpreter's arithmetic.
    Decimal { label: DynamicLabel, resume: DynamicLabel, adc: bool },
    /// The bus access of an absolute-mode read or write whose page is not
    /// plain now; continues at `resume` (a read's value in eax).
    Access { label: DynamicLabel, resume: DynamicLabel, access: Access },
    /// A taken branch to itself (see [`is_trap_branch`]).
    Trap { label: DynamicLabel, extra: i32, count: u32, addr: u16 },
    /// Leaves after an instruction whose call-out asked for it.
    Exit { label: DynamicLabel, pending: i32, count: u32, pc: u16 },
    /// A store to a page showing code: to `code` if the byte is code,
    /// otherwise back to `back` to store plainly.
    CodeByte { label: DynamicLabel, back: DynamicLabel, code: DynamicLabel, addr: Option<u16> },
}

/// A call-out for the last cycle of an absolute-mode instruction.
#[derive(Clone, Copy)]
struct Access {
    /// The store instruction, for writes (its value is computed in the call).
    store: Option<Mnemonic>,
    /// The address, or `None` when it is in edx.
    addr: Option<u16>,
    /// Static cycles before the instruction.
    pending_before: i32,
    /// The instruction's cycles (the access is the last one).
    cycles: i32,
}

impl CodeBuffer {
    pub fn new() -> std::io::Result<CodeBuffer> {
        let memory = CodeMemory::new()?;
        let base = memory.base();
        let mut asm = Assembler::new(base as usize);
        let (epilogue, thunks) = shared_code(&mut asm);
        let enter = asm.offset().0;
        // enter(ctx: rdi, chain entry: rsi). Six pushes and 8 bytes keep
        // rsp 16-byte aligned for calls out of compiled code.
        x64!(asm
            ; push rbx ; push rbp ; push r12 ; push r13 ; push r14 ; push r15
            ; sub rsp, 8
            ; mov r15, rdi
            ; mov r13, [r15 + CTX_RAM]
        );
        reload(&mut asm);
        x64!(asm ; jmp rsi);
        let mut buffer = CodeBuffer { asm, memory, base, enter, epilogue, thunks };
        buffer.commit()?;
        Ok(buffer)
    }

    /// Runs compiled code from the chain entry at `offset`.
    pub fn run(&self, offset: usize, ctx: &mut Context) {
        // SAFETY: `enter` is the trampoline and `offset` a block's chain
        // entry, both committed (`base` is the current start of executable
        // memory). The code follows the System V ABI and touches memory only
        // through the context: the `Cpu` inside it, the bus's cycle counter,
        // console RAM and the plain pages of the read/write maps, all live
        // and exclusively borrowed by the dispatcher while it runs. Guest
        // addresses are masked to 16 bits before they index a map or RAM.
        unsafe {
            let enter: extern "sysv64" fn(*mut Context, *const u8) =
                std::mem::transmute(self.base.add(self.enter));
            enter(ctx, self.base.add(offset));
        }
    }

    /// A fresh label for a block's chain entry.
    pub fn new_label(&mut self) -> DynamicLabel {
        self.asm.new_dynamic_label()
    }

    /// Translates one block; runnable after the next [`CodeBuffer::commit`].
    /// `link` names the chain entry of a block another exit may jump to
    /// directly.
    pub fn emit(&mut self, plan: &Plan<'_>, memory: &Memory, link: &dyn Fn(u16) -> Option<Link>) -> Compiled {
        let batch = self.memory.len();
        let start = self.asm.offset();
        let mut gen = Gen {
            ops: &mut self.asm,
            stubs: Vec::new(),
            memory,
            link,
            epilogue: self.epilogue,
            thunks: self.thunks,
            batch_base: self.base as usize + self.memory.len(),
            pending: 0,
            fallback_sites: 0,
            dynamic_operands: plan.dynamic_operands,
            live: ARITH_FLAGS,
        };
        let live = live_flags(plan.insns, memory, plan.dynamic_operands);
        let dropped_flags = plan
            .insns
            .iter()
            .zip(&live)
            .map(|(insn, live)| insn.info.flags_written().0 & ARITH_FLAGS & !live)
            .collect();
        let (relink, fallback_sites) = gen.block(plan, &live);
        let len = self.asm.offset().0 - start.0;
        Compiled {
            chain_offset: batch + start.0,
            relink_offset: batch + relink.0,
            len,
            fallback_sites,
            dropped_flags,
        }
    }

    /// Makes everything emitted so far executable; fails when the code
    /// region is full.
    pub fn commit(&mut self) -> std::io::Result<()> {
        let code = self.asm.take().expect("dynasm relocations are all resolvable");
        let at = self.memory.len();
        self.memory.write(at, &code)?;
        self.asm = Assembler::new(self.base as usize + self.memory.len());
        (self.epilogue, self.thunks) = shared_code(&mut self.asm);
        Ok(())
    }

    /// Points the chain entries at `offsets` to their blocks' relink stubs
    /// (the blocks were dropped), under one change of protection.
    pub fn unlink(&mut self, offsets: &[(usize, usize)]) {
        if offsets.is_empty() {
            return;
        }
        let jumps: Vec<(usize, [u8; 5])> = offsets
            .iter()
            .map(|&(chain, relink)| {
                // jmp rel32 from the end of this 5-byte instruction.
                let rel = (relink as i64 - (chain as i64 + 5)) as i32;
                let mut jump = [0xE9, 0, 0, 0, 0];
                jump[1..].copy_from_slice(&rel.to_le_bytes());
                (chain, jump)
            })
            .collect();
        let writes: Vec<(usize, &[u8])> = jumps.iter().map(|(at, jump)| (*at, &jump[..])).collect();
        self.memory.write_all(&writes).expect("patching committed code inside the region");
    }

    /// The host address of `offset` in the committed code.
    pub fn address(&self, offset: usize) -> u64 {
        self.base as u64 + offset as u64
    }

    /// The committed bytes at `offset..offset + len`.
    pub fn bytes(&self, offset: usize, len: usize) -> Vec<u8> {
        self.memory.read(offset, len)
    }

    /// Start of the committed code.
    pub fn base(&self) -> u64 {
        self.base as u64
    }
}

/// Emits the epilogue (stores the host registers back, returns from the
/// trampoline) and the thunks at the start of a batch.
fn shared_code(asm: &mut Assembler) -> (DynamicLabel, Thunks) {
    let epilogue = asm.new_dynamic_label();
    let thunks = Thunks { spilled: asm.new_dynamic_label(), io: asm.new_dynamic_label() };
    x64!(asm ; =>epilogue);
    spill(asm);
    x64!(asm
        ; add rsp, 8
        ; pop r15 ; pop r14 ; pop r13 ; pop r12 ; pop rbp ; pop rbx
        ; ret
    );
    // Entered by `call` from code whose rsp is 16-byte aligned.
    x64!(asm ; =>thunks.spilled ; sub rsp, 8);
    spill(asm);
    x64!(asm ; mov rdi, r15 ; call rax);
    reload(asm);
    x64!(asm
        ; add rsp, 8
        ; ret
        ; =>thunks.io
        ; mov rcx, [r15 + CTX_CYCLE]
        ; mov [rcx], r14
        ; push r8 ; push r9 ; push r10 ; push r11
        ; sub rsp, 8
        ; mov rdi, r15
        ; call rax
        ; add rsp, 8
        ; pop r11 ; pop r10 ; pop r9 ; pop r8
        ; mov rcx, [r15 + CTX_CYCLE]
        ; mov r14, [rcx]
        ; ret
    );
    (epilogue, thunks)
}

/// Stores guest state from host registers into the context.
fn spill<T: DynasmApi>(ops: &mut T) {
    x64!(ops
        ; mov [r15 + A], r12b
        ; mov [r15 + X], bl
        ; mov [r15 + Y], bpl
        ; mov [r15 + N], r8b
        ; mov [r15 + Z], r9b
        ; mov [r15 + C], r10b
        ; mov [r15 + S], r11b
        ; mov rdx, [r15 + CTX_CYCLE]
        ; mov [rdx], r14
    );
}

/// Loads guest state from the context into host registers (rax survives).
fn reload<T: DynasmApi>(ops: &mut T) {
    x64!(ops
        ; movzx r12d, BYTE [r15 + A]
        ; movzx ebx, BYTE [r15 + X]
        ; movzx ebp, BYTE [r15 + Y]
        ; movzx r8d, BYTE [r15 + N]
        ; movzx r9d, BYTE [r15 + Z]
        ; movzx r10d, BYTE [r15 + C]
        ; movzx r11d, BYTE [r15 + S]
        ; mov rdx, [r15 + CTX_CYCLE]
        ; mov r14, [rdx]
    );
}

struct Gen<'a> {
    ops: &'a mut Assembler,
    stubs: Vec<Stub>,
    memory: &'a Memory,
    link: &'a dyn Fn(u16) -> Option<Link>,
    epilogue: DynamicLabel,
    thunks: Thunks,
    /// Host address of this batch's first byte.
    batch_base: usize,
    /// Static cycles of the instructions emitted since r14 was last
    /// updated: the exact cycle is r14 + pending.
    pending: i32,
    fallback_sites: usize,
    /// The block reads its operands at run time (see [`Plan`]).
    dynamic_operands: bool,
    /// Flags live after the instruction being emitted (see [`live_flags`]).
    live: u8,
}

impl Gen<'_> {
    /// Emits a block; returns its relink stub and how many fallback sites
    /// it has.
    fn block(&mut self, plan: &Plan<'_>, live: &[u8]) -> (AssemblyOffset, usize) {
        let insns = plan.insns;
        let first = insns[0].addr;
        let stale = self.ops.new_dynamic_label();
        x64!(self.ops
            ; =>plan.label
            ; lea rax, [r14 + plan.worst_cycles as i32]
            ; cmp rax, [r15 + CTX_DEADLINE]
            ; ja =>stale
        );
        let mut ended = false;
        for (index, insn) in insns.iter().enumerate() {
            self.live = live[index];
            ended = self.insn(insn, index as u32);
        }
        self.live = ARITH_FLAGS;
        if !ended {
            let last = insns.last().expect("blocks are not empty");
            let next = last.addr.wrapping_add(last.len as u16);
            self.exit_static(next, insns.len() as u32, last.addr);
        }
        for stub in std::mem::take(&mut self.stubs) {
            self.stub(stub);
        }
        // An event may fall inside the block: leave with PC at its start.
        x64!(self.ops
            ; =>stale
            ; mov WORD [r15 + PC], first as i16
            ; jmp =>self.epilogue
        );
        // Dropped: go wherever the entry table says the address is now.
        let relink = self.ops.offset();
        x64!(self.ops ; mov WORD [r15 + PC], first as i16);
        self.jump_through_entry_table(first as i32);
        (relink, self.fallback_sites)
    }

    fn stub(&mut self, stub: Stub) {
        match stub {
            Stub::Fallback { label, resume, addr, next, index, pending_before, pending_after } => {
                x64!(self.ops ; =>label);
                if pending_before != 0 {
                    x64!(self.ops ; add r14, pending_before);
                }
                if index != 0 {
                    x64!(self.ops ; add QWORD [r15 + INSNS], index as i32);
                }
                x64!(self.ops
                    ; mov WORD [r15 + PC], addr as i16
                    ; mov esi, next as i32
                    ; mov rax, [r15 + FALLBACK_FN]
                    ; call =>self.thunks.spilled
                );
                if next == ALWAYS_EXIT {
                    x64!(self.ops ; jmp =>self.epilogue);
                    return;
                }
                x64!(self.ops
                    ; test eax, eax
                    ; jnz =>self.epilogue
                );
                // Back to the inline path's bookkeeping: the exact cycle is
                // r14 + pending, and exits add the whole block's count.
                if pending_after != 0 {
                    x64!(self.ops ; sub r14, pending_after);
                }
                x64!(self.ops
                    ; sub QWORD [r15 + INSNS], index as i32 + 1
                    ; jmp =>resume
                );
            }
            Stub::Trap { label, extra, count, addr } => {
                x64!(self.ops ; =>label ; add r14, extra);
                self.pending = 0;
                self.exit_static_looping(addr, count, addr, 2 + extra);
            }
            Stub::Access { label, resume, access } => {
                x64!(self.ops ; =>label);
                self.call_access(access);
                x64!(self.ops ; jmp =>resume);
            }
            Stub::CodeByte { label, back, code, addr } => {
                x64!(self.ops ; =>label ; mov rsi, [r15 + CTX_CODE_BYTES]);
                match addr {
                    Some(addr) => x64!(self.ops ; cmp BYTE [rsi + addr as i32], 0),
                    None => x64!(self.ops ; cmp BYTE [rsi + rdx], 0),
                }
                x64!(self.ops ; jne =>code ; jmp =>back);
            }
            Stub::Exit { label, pending, count, pc } => {
                x64!(self.ops
                    ; =>label
                    ; mov DWORD [r15 + CTX_EXIT_REQUEST], 0
                    ; add r14, pending
                    ; add QWORD [r15 + INSNS], count as i32
                    ; mov WORD [r15 + PC], pc as i16
                    ; jmp =>self.epilogue
                );
            }
            Stub::Decimal { label, resume, adc } => {
                x64!(self.ops ; =>label);
                if adc {
                    self.adc_decimal();
                } else {
                    self.sbc_decimal();
                }
                x64!(self.ops ; jmp =>resume);
            }
        }
    }

    /// `jmp [entry[pc]]`, or to the epilogue when there is no block there
    /// (PC already stored). `pc` is a constant, or -1 for the PC in the
    /// context.
    fn jump_through_entry_table(&mut self, pc: i32) {
        if pc < 0 {
            x64!(self.ops ; movzx ecx, WORD [r15 + PC]);
        } else {
            x64!(self.ops ; mov ecx, pc);
        }
        x64!(self.ops
            ; mov rax, [r15 + CTX_ENTRY]
            ; mov rax, [rax + rcx * 8]
            ; test rax, rax
            ; jz =>self.epilogue
            ; jmp rax
        );
    }

    /// Leaves the block for `pc` after `count` instructions: straight into
    /// its block when that is linked, through the entry table otherwise. A
    /// jump to itself (a trap) returns to the dispatcher so it can see it.
    fn exit_static(&mut self, pc: u16, count: u32, last: u16) {
        self.exit_static_looping(pc, count, last, 0);
    }

    /// As [`Gen::exit_static`]; a jump to itself taking `loop_cycles` per
    /// iteration is an idle loop on buses with interrupts: its iterations
    /// up to the deadline run at once (cycles and instruction count), so the
    /// dispatcher steps into the interrupt exactly as the interpreter would.
    fn exit_static_looping(&mut self, pc: u16, count: u32, last: u16, loop_cycles: i32) {
        self.flush_cycles();
        x64!(self.ops ; add QWORD [r15 + INSNS], count as i32);
        if pc == last {
            if self.memory.idle_skip && loop_cycles > 0 {
                let done = self.ops.new_dynamic_label();
                x64!(self.ops
                    ; mov rax, [r15 + CTX_DEADLINE]
                    ; sub rax, r14
                    ; mov ecx, -1
                    ; cmp rax, rcx
                    ; ja =>done
                    ; xor edx, edx
                    ; mov ecx, loop_cycles
                    ; div ecx
                    ; add [r15 + INSNS], rax
                    ; imul eax, ecx
                    ; add r14, rax
                    ; =>done
                );
            }
            x64!(self.ops
                ; mov WORD [r15 + PC], pc as i16
                ; mov DWORD [r15 + CTX_TRAP], last as i32
                ; jmp =>self.epilogue
            );
            return;
        }
        match (self.link)(pc) {
            Some(Link::Label(label)) => {
                x64!(self.ops ; jmp =>label);
                return;
            }
            Some(Link::Address(address)) => {
                // jmp rel32 to code committed before this batch.
                let from = self.batch_base + self.ops.offset().0 + 5;
                self.ops.push(0xE9);
                self.ops.push_i32((address as i64 - from as i64) as i32);
                return;
            }
            None => {}
        }
        x64!(self.ops ; mov WORD [r15 + PC], pc as i16);
        self.jump_through_entry_table(pc as i32);
    }

    /// Leaves the block with PC already stored in the context.
    fn exit_dynamic(&mut self, count: u32, last: u16) {
        self.flush_cycles();
        let not_trap = self.ops.new_dynamic_label();
        x64!(self.ops
            ; add QWORD [r15 + INSNS], count as i32
            ; cmp WORD [r15 + PC], last as i16
            ; jne =>not_trap
            ; mov DWORD [r15 + CTX_TRAP], last as i32
            ; jmp =>self.epilogue
            ; =>not_trap
        );
        self.jump_through_entry_table(-1);
    }

    /// Adds the pending static cycles to r14.
    fn flush_cycles(&mut self) {
        if self.pending != 0 {
            x64!(self.ops ; add r14, self.pending);
        }
    }

    /// Emits one instruction (the `index`-th of its block); returns whether
    /// it ended the block.
    fn insn(&mut self, insn: &Instruction, index: u32) -> bool {
        let info = insn.info;
        match info.kind() {
            Kind::Read if info.mode == Mode::Imp => {
                self.pending += info.cycles as i32;
                false
            }
            Kind::Read | Kind::Write | Kind::ReadModifyWrite if info.mode != Mode::Acc => {
                self.memory_insn(insn, index);
                false
            }
            Kind::ReadModifyWrite => {
                x64!(self.ops ; mov eax, r12d);
                self.modify(info.mnemonic);
                x64!(self.ops ; mov r12b, al);
                self.pending += info.cycles as i32;
                false
            }
            Kind::Implied => {
                self.implied(info.mnemonic);
                self.pending += info.cycles as i32;
                if info.mnemonic == Mnemonic::Cli {
                    self.leave_if_irq_waiting(index + 1, insn.addr.wrapping_add(insn.len as u16));
                }
                false
            }
            Kind::Branch => {
                self.branch(insn, index + 1);
                !is_trap_branch(insn)
            }
            Kind::Control | Kind::Read | Kind::Write => self.control(insn, index),
        }
    }

    /// Leaves, having run `count` instructions and with the guest at `pc`,
    /// when an IRQ is waiting for I to clear, so the dispatcher can take it.
    fn leave_if_irq_waiting(&mut self, count: u32, pc: u16) {
        let exit = self.ops.new_dynamic_label();
        x64!(self.ops ; cmp BYTE [r15 + CTX_IRQ_WAITING], 0 ; jne =>exit);
        self.stubs.push(Stub::Exit { label: exit, pending: self.pending, count, pc });
    }

    /// A fallback stub for the instruction at `insn` (the `index`-th),
    /// returning its label and the label where the inline path resumes.
    fn fallback(&mut self, insn: &Instruction, index: u32, next: u32) -> (DynamicLabel, DynamicLabel) {
        let label = self.ops.new_dynamic_label();
        let resume = self.ops.new_dynamic_label();
        self.fallback_sites += 1;
        self.stubs.push(Stub::Fallback {
            label,
            resume,
            addr: insn.addr,
            next,
            index,
            pending_before: self.pending,
            pending_after: self.pending + insn.info.cycles as i32,
        });
        (label, resume)
    }

    /// Read, write and read-modify-write instructions with a memory operand.
    fn memory_insn(&mut self, insn: &Instruction, index: u32) {
        let info = insn.info;
        let kind = info.kind();
        let next = insn.addr.wrapping_add(insn.len as u16) as u32;
        if info.mode == Mode::Abs
            && kind != Kind::ReadModifyWrite
            && !self.memory.flat()
            && (self.dynamic_operands || insn.operand() as u32 >= self.memory.ram_end)
        {
            self.absolute_access(insn, index);
            return;
        }
        let (fallback, resume) = self.fallback(insn, index, next);
        let stub_index = self.stubs.len() - 1;
        let Some(loc) = self.locate(insn, kind, fallback) else {
            // Always the interpreter: its stub continues at `resume`.
            x64!(self.ops ; jmp =>fallback ; =>resume);
            self.pending += info.cycles as i32;
            return;
        };
        if kind == Kind::Read && matches!(loc, Loc::Imm(_) | Loc::Ram(_) | Loc::RamDyn) {
            // Nothing jumps to the interpreter: drop its stub.
            self.stubs.remove(stub_index);
            self.fallback_sites -= 1;
        }
        match kind {
            Kind::Read => {
                self.load(loc);
                self.read_op(info.mnemonic);
            }
            Kind::Write => {
                self.store_value(info.mnemonic, false);
                self.store_cl(loc);
            }
            _ => {
                // The load overwrites rax: keep the map entry in rdi.
                let loc = match loc {
                    Loc::Mapped(disp) => {
                        x64!(self.ops ; mov rdi, rax);
                        Loc::MappedRdi(disp)
                    }
                    Loc::MappedDyn => {
                        x64!(self.ops ; mov rdi, rax);
                        Loc::MappedRdiDyn
                    }
                    other => other,
                };
                self.load(loc);
                self.modify(info.mnemonic);
                x64!(self.ops ; mov ecx, eax);
                self.store_cl(loc);
            }
        }
        x64!(self.ops ; =>resume);
        self.pending += info.cycles as i32;
    }

    /// An absolute-mode read or write outside console RAM, or at an address
    /// read at run time (dynamic operands): plain memory through the maps
    /// when the page is plain now, otherwise a call-out that makes the bus
    /// access at its exact cycle. Leaves after the instruction when the
    /// call-out asks for it.
    fn absolute_access(&mut self, insn: &Instruction, index: u32) {
        let info = insn.info;
        let write = info.kind() == Kind::Write;
        let addr = if self.dynamic_operands {
            let lo = self.code_byte_loc(insn.addr.wrapping_add(1));
            self.load(lo);
            x64!(self.ops ; mov edx, eax);
            let hi = self.code_byte_loc(insn.addr.wrapping_add(2));
            self.load(hi);
            x64!(self.ops ; shl eax, 8 ; or edx, eax);
            None
        } else {
            Some(insn.operand())
        };
        let access = Access {
            store: write.then_some(info.mnemonic),
            addr,
            pending_before: self.pending,
            cycles: info.cycles as i32,
        };
        match addr {
            Some(addr) if self.memory.io_pages[(addr >> 8) as usize] => self.call_access(access),
            _ => {
                let label = self.ops.new_dynamic_label();
                let resume = self.ops.new_dynamic_label();
                let map = if write { WRITE_MAP } else { READ_MAP };
                match addr {
                    Some(addr) => x64!(self.ops ; mov rax, [r15 + map + (addr >> 8) as i32 * 8]),
                    None => x64!(self.ops
                        ; mov ecx, edx
                        ; shr ecx, 8
                        ; mov rax, [r15 + rcx * 8 + map]
                    ),
                }
                x64!(self.ops ; test rax, rax ; jz =>label);
                let loc = match addr {
                    Some(addr) => Loc::Mapped(addr as i32),
                    None => Loc::MappedDyn,
                };
                if write {
                    self.code_check(addr, label);
                    self.store_value(info.mnemonic, false);
                    self.store_cl(loc);
                } else {
                    self.load(loc);
                }
                x64!(self.ops ; =>resume);
                self.stubs.push(Stub::Access { label, resume, access });
            }
        }
        if !write {
            self.read_op(info.mnemonic);
        }
        self.pending += info.cycles as i32;
        let exit = self.ops.new_dynamic_label();
        let next = insn.addr.wrapping_add(insn.len as u16);
        x64!(self.ops ; cmp DWORD [r15 + CTX_EXIT_REQUEST], 0 ; jne =>exit);
        self.stubs.push(Stub::Exit { label: exit, pending: self.pending, count: index + 1, pc: next });
    }

    /// The value a store instruction writes, into ecx (or edx).
    fn store_value(&mut self, mnemonic: Mnemonic, edx: bool) {
        match (mnemonic, edx) {
            (Mnemonic::Sta, false) => x64!(self.ops ; mov ecx, r12d),
            (Mnemonic::Stx, false) => x64!(self.ops ; mov ecx, ebx),
            (Mnemonic::Sty, false) => x64!(self.ops ; mov ecx, ebp),
            (_, false) => x64!(self.ops ; mov ecx, r12d ; and ecx, ebx),
            (Mnemonic::Sta, true) => x64!(self.ops ; mov edx, r12d),
            (Mnemonic::Stx, true) => x64!(self.ops ; mov edx, ebx),
            (Mnemonic::Sty, true) => x64!(self.ops ; mov edx, ebp),
            (_, true) => x64!(self.ops ; mov edx, r12d ; and edx, ebx),
        }
    }

    /// Calls the bus for `access` (its address a constant or in edx; a
    /// read's result to eax) with the cycle counter exact; afterwards r14 +
    /// the pending cycles after the instruction is the exact cycle again.
    fn call_access(&mut self, access: Access) {
        let before = access.pending_before + access.cycles - 1;
        match access.addr {
            Some(addr) => x64!(self.ops ; mov esi, addr as i32),
            None => x64!(self.ops ; mov esi, edx),
        }
        if before != 0 {
            x64!(self.ops ; add r14, before);
        }
        if let Some(mnemonic) = access.store {
            self.store_value(mnemonic, true);
            x64!(self.ops ; mov rax, [r15 + IO_WRITE_FN]);
        } else {
            // The last byte on the data bus: the operand's high byte.
            x64!(self.ops ; mov edx, esi ; shr edx, 8 ; mov rax, [r15 + IO_READ_FN]);
        }
        x64!(self.ops
            ; call =>self.thunks.io
            ; sub r14, access.pending_before + access.cycles
        );
    }

    /// Computes the operand's location, jumping to `fallback` when it is not
    /// plain memory now (or a dummy access could touch I/O); `None` when the
    /// instruction always needs the interpreter. Adds page-cross cycles.
    fn locate(&mut self, insn: &Instruction, kind: Kind, fallback: DynamicLabel) -> Option<Loc> {
        let op = insn.operand();
        let mem = self.memory;
        let penalty = insn.info.page_penalty;
        if self.dynamic_operands && has_dynamic_operand(insn) {
            return Some(self.locate_from_memory(insn, kind, fallback));
        }
        match insn.info.mode {
            Mode::Imm => Some(Loc::Imm(op as u8)),
            Mode::Zp | Mode::Abs => self.locate_static(op, kind, fallback),
            Mode::Zpx | Mode::Zpy => {
                if insn.info.mode == Mode::Zpx {
                    x64!(self.ops ; movzx edx, bl);
                } else {
                    x64!(self.ops ; movzx edx, bpl);
                }
                x64!(self.ops ; add dl, op as i8);
                if kind != Kind::Read {
                    self.code_check(None, fallback);
                }
                Some(Loc::RamDyn)
            }
            Mode::Abx | Mode::Aby => {
                // The uncorrected address (a dummy read on a page cross, and
                // always for writes) is on the base's page.
                if mem.io_pages[(op >> 8) as usize] {
                    return None;
                }
                if insn.info.mode == Mode::Abx {
                    x64!(self.ops ; movzx edx, bl);
                } else {
                    x64!(self.ops ; movzx edx, bpl);
                }
                x64!(self.ops ; add edx, op as i32);
                if penalty {
                    x64!(self.ops ; mov esi, edx ; xor esi, op as i32 ; shr esi, 8);
                }
                x64!(self.ops ; and edx, 0xFFFF);
                let loc = self.locate_dynamic(kind, fallback);
                if penalty {
                    x64!(self.ops ; neg esi ; adc r14, 0);
                }
                Some(loc)
            }
            Mode::Izx => {
                x64!(self.ops
                    ; movzx ecx, bl
                    ; add cl, op as i8
                    ; movzx edx, BYTE [r13 + rcx]
                    ; inc cl
                    ; movzx ecx, BYTE [r13 + rcx]
                    ; shl ecx, 8
                    ; or edx, ecx
                );
                Some(self.locate_dynamic(kind, fallback))
            }
            Mode::Izy => {
                let lo = op as u8;
                let hi = lo.wrapping_add(1);
                x64!(self.ops
                    ; movzx esi, BYTE [r13 + lo as i32]
                    ; movzx ecx, BYTE [r13 + hi as i32]
                    ; shl ecx, 8
                    ; or esi, ecx
                    ; movzx edx, bpl
                    ; add edx, esi
                );
                if !mem.flat() {
                    // The uncorrected address's page must be plain too.
                    x64!(self.ops
                        ; mov ecx, esi
                        ; shr ecx, 8
                        ; cmp QWORD [r15 + rcx * 8 + READ_MAP], 0
                        ; je =>fallback
                    );
                }
                if penalty {
                    x64!(self.ops ; xor esi, edx ; shr esi, 8);
                }
                x64!(self.ops ; and edx, 0xFFFF);
                let loc = self.locate_dynamic(kind, fallback);
                if penalty {
                    x64!(self.ops ; neg esi ; adc r14, 0);
                }
                Some(loc)
            }
            Mode::Imp | Mode::Acc | Mode::Ind | Mode::Rel => unreachable!("no data operand"),
        }
    }

    /// A fixed address.
    fn locate_static(&mut self, addr: u16, kind: Kind, fallback: DynamicLabel) -> Option<Loc> {
        let mem = self.memory;
        let page = (addr >> 8) as i32;
        if (addr as u32) < mem.ram_end {
            if kind != Kind::Read {
                self.code_check(Some(addr), fallback);
            }
            return Some(Loc::Ram((addr as u32 & mem.ram_mask) as i32));
        }
        if mem.io_pages[page as usize] {
            return None;
        }
        if kind == Kind::ReadModifyWrite {
            x64!(self.ops ; cmp QWORD [r15 + READ_MAP + page * 8], 0 ; je =>fallback);
        }
        let map = if kind == Kind::Read { READ_MAP } else { WRITE_MAP };
        x64!(self.ops
            ; mov rax, [r15 + map + page * 8]
            ; test rax, rax
            ; jz =>fallback
        );
        if kind != Kind::Read {
            self.code_check(Some(addr), fallback);
        }
        Some(Loc::Mapped(addr as i32))
    }

    /// The operand of an immediate, zero-page or absolute instruction read
    /// from guest memory now (the block has dynamic operands). The operand
    /// bytes are on the block's own pages, which are mapped while it runs.
    fn locate_from_memory(&mut self, insn: &Instruction, kind: Kind, fallback: DynamicLabel) -> Loc {
        let lo = insn.addr.wrapping_add(1);
        if insn.info.mode == Mode::Imm {
            return self.code_byte_loc(lo);
        }
        let loc = self.code_byte_loc(lo);
        self.load(loc);
        x64!(self.ops ; mov edx, eax);
        if insn.info.mode == Mode::Zp {
            if kind != Kind::Read {
                self.code_check(None, fallback);
            }
            return Loc::RamDyn;
        }
        let hi = self.code_byte_loc(insn.addr.wrapping_add(2));
        self.load(hi);
        x64!(self.ops ; shl eax, 8 ; or edx, eax);
        self.locate_dynamic(kind, fallback)
    }

    /// Where the code byte at guest `addr` is (rax may be set).
    fn code_byte_loc(&mut self, addr: u16) -> Loc {
        let mem = self.memory;
        if (addr as u32) < mem.ram_end {
            return Loc::Ram((addr as u32 & mem.ram_mask) as i32);
        }
        let page = (addr >> 8) as i32;
        x64!(self.ops ; mov rax, [r15 + READ_MAP + page * 8]);
        Loc::Mapped(addr as i32)
    }

    /// The address in edx (16 bits).
    fn locate_dynamic(&mut self, kind: Kind, fallback: DynamicLabel) -> Loc {
        if self.memory.flat() {
            if kind != Kind::Read {
                self.code_check(None, fallback);
            }
            return Loc::RamDyn;
        }
        x64!(self.ops ; mov ecx, edx ; shr ecx, 8);
        if kind == Kind::ReadModifyWrite {
            x64!(self.ops ; cmp QWORD [r15 + rcx * 8 + READ_MAP], 0 ; je =>fallback);
        }
        let map = if kind == Kind::Read { READ_MAP } else { WRITE_MAP };
        x64!(self.ops
            ; mov rax, [r15 + rcx * 8 + map]
            ; test rax, rax
            ; jz =>fallback
        );
        if kind != Kind::Read {
            self.code_check(None, fallback);
        }
        Loc::MappedDyn
    }

    /// Before a store to `addr` (or the address in edx): jumps to `code`
    /// when the byte is part of compiled code. The common case, a page with
    /// no code, costs one compare.
    fn code_check(&mut self, addr: Option<u16>, code: DynamicLabel) {
        let label = self.ops.new_dynamic_label();
        let back = self.ops.new_dynamic_label();
        match addr {
            Some(addr) => x64!(self.ops ; cmp BYTE [r15 + CODE_PAGES + (addr >> 8) as i32], 0),
            None => x64!(self.ops
                ; mov ecx, edx
                ; shr ecx, 8
                ; cmp BYTE [r15 + rcx + CODE_PAGES], 0
            ),
        }
        x64!(self.ops ; jne =>label ; =>back);
        self.stubs.push(Stub::CodeByte { label, back, code, addr });
    }

    /// Jumps to `fallback` when the stack page shows compiled code.
    fn stack_code_check(&mut self, fallback: DynamicLabel) {
        x64!(self.ops ; cmp BYTE [r15 + CODE_PAGES + 1], 0 ; jne =>fallback);
    }

    /// The operand's value into eax (zero-extended).
    fn load(&mut self, loc: Loc) {
        match loc {
            Loc::Imm(value) => x64!(self.ops ; mov eax, value as i32),
            Loc::Ram(disp) => x64!(self.ops ; movzx eax, BYTE [r13 + disp]),
            Loc::RamDyn => x64!(self.ops ; movzx eax, BYTE [r13 + rdx]),
            Loc::Mapped(disp) => x64!(self.ops ; movzx eax, BYTE [rax + disp]),
            Loc::MappedDyn => x64!(self.ops ; movzx eax, BYTE [rax + rdx]),
            Loc::MappedRdi(disp) => x64!(self.ops ; movzx eax, BYTE [rdi + disp]),
            Loc::MappedRdiDyn => x64!(self.ops ; movzx eax, BYTE [rdi + rdx]),
        }
    }

    /// Stores cl (for `Mapped*`, rax or rdi still holds the map entry).
    fn store_cl(&mut self, loc: Loc) {
        match loc {
            Loc::Ram(disp) => x64!(self.ops ; mov BYTE [r13 + disp], cl),
            Loc::RamDyn => x64!(self.ops ; mov BYTE [r13 + rdx], cl),
            Loc::Mapped(disp) => x64!(self.ops ; mov BYTE [rax + disp], cl),
            Loc::MappedDyn => x64!(self.ops ; mov BYTE [rax + rdx], cl),
            Loc::MappedRdi(disp) => x64!(self.ops ; mov BYTE [rdi + disp], cl),
            Loc::MappedRdiDyn => x64!(self.ops ; mov BYTE [rdi + rdx], cl),
            Loc::Imm(_) => unreachable!("stores have an address"),
        }
    }

    /// Whether the instruction being emitted must set `flag`.
    fn live(&self, flag: u8) -> bool {
        self.live & flag != 0
    }

    /// Whether it must set N or Z.
    fn needs_nz(&self) -> bool {
        self.live(FLAG_N | FLAG_Z)
    }

    /// N and Z from the host flags of the last result, where live.
    fn set_nz(&mut self) {
        if self.live(FLAG_N) {
            x64!(self.ops ; sets r8b);
        }
        if self.live(FLAG_Z) {
            x64!(self.ops ; setz r9b);
        }
    }

    /// `test al, al` for N and Z, where they are live.
    fn test_al(&mut self) {
        if self.needs_nz() {
            x64!(self.ops ; test al, al);
        }
    }

    /// Read-kind operations on the value in eax.
    fn read_op(&mut self, mnemonic: Mnemonic) {
        use Mnemonic::*;
        match mnemonic {
            Lda => {
                x64!(self.ops ; mov r12d, eax);
                self.test_al();
            }
            Ldx => {
                x64!(self.ops ; mov ebx, eax);
                self.test_al();
            }
            Ldy => {
                x64!(self.ops ; mov ebp, eax);
                self.test_al();
            }
            Lax => {
                x64!(self.ops ; mov r12d, eax ; mov ebx, eax);
                self.test_al();
            }
            And => x64!(self.ops ; and r12b, al),
            Ora => x64!(self.ops ; or r12b, al),
            Eor => x64!(self.ops ; xor r12b, al),
            Cmp | Cpx | Cpy => {
                match mnemonic {
                    Cmp => x64!(self.ops ; cmp r12b, al),
                    Cpx => x64!(self.ops ; cmp bl, al),
                    _ => x64!(self.ops ; cmp bpl, al),
                }
                if self.live(FLAG_C) {
                    x64!(self.ops ; setae r10b);
                }
            }
            Bit => {
                if self.live(FLAG_Z) {
                    x64!(self.ops ; test r12b, al ; setz r9b);
                }
                if self.live(FLAG_N) {
                    x64!(self.ops ; mov r8d, eax ; shr r8d, 7);
                }
                if self.live(FLAG_V) {
                    x64!(self.ops ; shr eax, 6 ; and eax, 1 ; mov [r15 + V], al);
                }
                return;
            }
            Adc | Sbc => {
                let resume = self.ops.new_dynamic_label();
                if self.memory.decimal {
                    let label = self.ops.new_dynamic_label();
                    x64!(self.ops ; cmp BYTE [r15 + D], 0 ; jne =>label);
                    self.stubs.push(Stub::Decimal { label, resume, adc: mnemonic == Adc });
                }
                if mnemonic == Adc {
                    // CF = C, then A + M + C.
                    x64!(self.ops ; bt r10d, 0 ; adc r12b, al);
                } else {
                    // CF = borrow = !C, then A - M - borrow.
                    x64!(self.ops ; cmp r10b, 1 ; sbb r12b, al);
                }
                if self.live(FLAG_V) {
                    x64!(self.ops ; seto BYTE [r15 + V]);
                }
                self.set_nz();
                if self.live(FLAG_C) {
                    if mnemonic == Adc {
                        x64!(self.ops ; setc r10b);
                    } else {
                        x64!(self.ops ; setnc r10b);
                    }
                }
                x64!(self.ops ; =>resume);
                return;
            }
            Nop => return,
            _ => unreachable!("not a compiled read instruction"),
        }
        self.set_nz();
    }

    /// NMOS decimal ADC of eax into A, as the interpreter computes it: Z
    /// from the binary sum, N and V from the sum before the high-digit
    /// adjustment, C from the adjusted sum.
    fn adc_decimal(&mut self) {
        x64!(self.ops
            // Z: the binary sum.
            ; lea ecx, [r12 + rax]
            ; add ecx, r10d
            ; test cl, cl
            ; setz r9b
            // Low digit, adjusted past 9.
            ; mov ecx, r12d ; and ecx, 0x0F
            ; mov edx, eax ; and edx, 0x0F
            ; add ecx, edx
            ; add ecx, r10d
            ; lea edx, [rcx + 6]
            ; cmp ecx, 9
            ; cmova ecx, edx
            // sum = high digits + (lo > $0F ? $10 : 0) + (lo & $0F).
            ; mov edx, r12d ; and edx, 0xF0
            ; mov esi, eax ; and esi, 0xF0
            ; add edx, esi
            ; mov esi, ecx ; and esi, 0x0F
            ; add edx, esi
            ; xor esi, esi
            ; cmp ecx, 0x0F
            ; seta sil
            ; shl esi, 4
            ; add edx, esi
            // N from bit 7, V when the operands agree in sign and the sum does not.
            ; mov r8d, edx ; shr r8d, 7 ; and r8d, 1
            ; mov ecx, r12d ; xor ecx, edx
            ; mov esi, r12d ; xor esi, eax ; not esi
            ; and ecx, esi ; shr ecx, 7 ; and ecx, 1
            ; mov [r15 + V], cl
            // High digit adjustment and carry.
            ; mov ecx, edx ; and ecx, 0x1F0
            ; lea esi, [rdx + 0x60]
            ; cmp ecx, 0x90
            ; cmova edx, esi
            ; mov ecx, edx ; and ecx, 0xFF0
            ; cmp ecx, 0xF0
            ; seta r10b
            ; movzx r12d, dl
        );
    }

    /// NMOS decimal SBC of eax from A: the flags are those of the binary
    /// subtraction, A gets the digit-adjusted difference.
    fn sbc_decimal(&mut self) {
        let low_ok = self.ops.new_dynamic_label();
        let high_ok = self.ops.new_dynamic_label();
        x64!(self.ops
            // Low digit difference with the borrow (1 - C).
            ; mov ecx, r12d ; and ecx, 0x0F
            ; mov edx, eax ; and edx, 0x0F
            ; sub ecx, edx
            ; mov esi, 1 ; sub esi, r10d
            ; sub ecx, esi
            // High digits.
            ; mov edx, r12d ; and edx, 0xF0
            ; mov edi, eax ; and edi, 0xF0
            ; sub edx, edi
            ; test ecx, 0x10
            ; jz =>low_ok
            ; sub ecx, 6
            ; sub edx, 0x10
            ; =>low_ok
            ; and ecx, 0x0F
            ; or edx, ecx
            ; test edx, 0x100
            ; jz =>high_ok
            ; sub edx, 0x60
            ; =>high_ok
            // Flags from the binary subtraction.
            ; mov ecx, r12d
            ; cmp r10b, 1
            ; sbb cl, al
            ; seto BYTE [r15 + V]
            ; sets r8b
            ; setz r9b
            ; setnc r10b
            ; movzx r12d, dl
        );
    }

    /// Read-modify-write operations on al.
    fn modify(&mut self, mnemonic: Mnemonic) {
        use Mnemonic::*;
        match mnemonic {
            Asl | Lsr => {
                if mnemonic == Asl {
                    x64!(self.ops ; shl al, 1);
                } else {
                    x64!(self.ops ; shr al, 1);
                }
                if self.live(FLAG_C) {
                    x64!(self.ops ; setc r10b);
                }
            }
            Rol | Ror => {
                x64!(self.ops ; bt r10d, 0);
                if mnemonic == Rol {
                    x64!(self.ops ; rcl al, 1);
                } else {
                    x64!(self.ops ; rcr al, 1);
                }
                if self.live(FLAG_C) {
                    x64!(self.ops ; setc r10b);
                }
                self.test_al();
            }
            Inc => x64!(self.ops ; inc al),
            Dec => x64!(self.ops ; dec al),
            _ => unreachable!("not a compiled read-modify-write instruction"),
        }
        self.set_nz();
    }

    fn implied(&mut self, mnemonic: Mnemonic) {
        use Mnemonic::*;
        match mnemonic {
            Clc => x64!(self.ops ; xor r10d, r10d),
            Sec => x64!(self.ops ; mov r10d, 1),
            Cli => x64!(self.ops ; mov BYTE [r15 + I], 0),
            Sei => x64!(self.ops ; mov BYTE [r15 + I], 1),
            Clv => x64!(self.ops ; mov BYTE [r15 + V], 0),
            Cld => x64!(self.ops ; mov BYTE [r15 + D], 0),
            Sed => x64!(self.ops ; mov BYTE [r15 + D], 1),
            Txs => x64!(self.ops ; mov r11d, ebx),
            _ => {
                match mnemonic {
                    Tax | Tay | Txa | Tya | Tsx => {
                        match mnemonic {
                            Tax => x64!(self.ops ; mov ebx, r12d),
                            Tay => x64!(self.ops ; mov ebp, r12d),
                            Txa => x64!(self.ops ; mov r12d, ebx),
                            Tya => x64!(self.ops ; mov r12d, ebp),
                            _ => x64!(self.ops ; mov ebx, r11d),
                        }
                        if self.needs_nz() {
                            match mnemonic {
                                Tay | Tya => x64!(self.ops ; test bpl, bpl),
                                _ => x64!(self.ops ; test bl, bl),
                            }
                        }
                    }
                    Inx => x64!(self.ops ; inc bl),
                    Iny => x64!(self.ops ; inc bpl),
                    Dex => x64!(self.ops ; dec bl),
                    Dey => x64!(self.ops ; dec bpl),
                    _ => unreachable!("not an implied instruction"),
                }
                self.set_nz();
            }
        }
    }

    fn branch(&mut self, insn: &Instruction, count: u32) {
        use Mnemonic::*;
        let next = insn.addr.wrapping_add(2);
        let target = insn.branch_target();
        let taken = self.ops.new_dynamic_label();
        self.pending += 2;
        self.flush_cycles();
        self.pending = 0;
        match insn.info.mnemonic {
            Bcc | Bcs => x64!(self.ops ; test r10b, r10b),
            Bne | Beq => x64!(self.ops ; test r9b, r9b),
            Bpl | Bmi => x64!(self.ops ; test r8b, r8b),
            _ => x64!(self.ops ; cmp BYTE [r15 + V], 0),
        }
        if matches!(insn.info.mnemonic, Bcs | Beq | Bmi | Bvs) {
            x64!(self.ops ; jnz =>taken);
        } else {
            x64!(self.ops ; jz =>taken);
        }
        let extra = if (target ^ next) & 0xFF00 != 0 { 2 } else { 1 };
        if target == insn.addr {
            // A trap: the taken path leaves out of line, the block goes on.
            self.stubs.push(Stub::Trap { label: taken, extra, count, addr: insn.addr });
            return;
        }
        self.exit_static(next, count, insn.addr);
        x64!(self.ops ; =>taken ; add r14, extra);
        self.exit_static_looping(target, count, insn.addr, 2 + extra);
    }

    /// Pushes cl (the stack page was checked to be plain).
    fn push_cl(&mut self) {
        x64!(self.ops
            ; mov [r13 + r11 + 0x100], cl
            ; dec r11b
        );
    }

    /// Pulls into eax.
    fn pull(&mut self) {
        x64!(self.ops
            ; inc r11b
            ; movzx eax, BYTE [r13 + r11 + 0x100]
        );
    }

    /// P from the flags into ecx, with B and bit 5 set (as PHP pushes it).
    fn compose_p(&mut self) {
        x64!(self.ops
            ; lea ecx, [r10 + r9 * 2]
            ; movzx eax, BYTE [r15 + I]
            ; lea ecx, [rcx + rax * 4]
            ; movzx eax, BYTE [r15 + D]
            ; lea ecx, [rcx + rax * 8]
            ; movzx eax, BYTE [r15 + V]
            ; shl eax, 6
            ; or ecx, eax
            ; mov eax, r8d
            ; shl eax, 7
            ; or ecx, eax
            ; or ecx, 0x30
        );
    }

    /// The flags from P in eax.
    fn decompose_p(&mut self) {
        x64!(self.ops
            ; mov r8d, eax ; shr r8d, 7
            ; mov r9d, eax ; shr r9d, 1 ; and r9d, 1
            ; mov r10d, eax ; and r10d, 1
            ; bt eax, 6 ; setc BYTE [r15 + V]
            ; bt eax, 3 ; setc BYTE [r15 + D]
            ; bt eax, 2 ; setc BYTE [r15 + I]
        );
    }

    /// Jumps to a fallback for this instruction unless stores to the
    /// stack page are plain; returns where the inline path resumes.
    fn stack_write_check(&mut self, insn: &Instruction, index: u32, next: u32) -> DynamicLabel {
        let (fallback, resume) = self.fallback(insn, index, next);
        self.stack_code_check(fallback);
        resume
    }

    fn control(&mut self, insn: &Instruction, index: u32) -> bool {
        use Mnemonic::*;
        let next = insn.addr.wrapping_add(insn.len as u16);
        let cycles = insn.info.cycles as i32;
        let last = insn.addr;
        let count = index + 1;
        match insn.info.mnemonic {
            Pha | Php => {
                let resume = self.stack_write_check(insn, index, next as u32);
                if insn.info.mnemonic == Pha {
                    x64!(self.ops ; mov ecx, r12d);
                } else {
                    self.compose_p();
                }
                self.push_cl();
                x64!(self.ops ; =>resume);
                self.pending += cycles;
                false
            }
            Pla => {
                self.pull();
                x64!(self.ops ; mov r12d, eax);
                self.test_al();
                self.set_nz();
                self.pending += cycles;
                false
            }
            Plp => {
                self.pull();
                self.decompose_p();
                self.pending += cycles;
                self.leave_if_irq_waiting(count, next);
                false
            }
            Jmp if insn.info.mode == Mode::Ind => {
                let ptr = insn.operand();
                let hi = (ptr & 0xFF00) | (ptr.wrapping_add(1) & 0x00FF);
                let mem = self.memory;
                if (ptr as u32) < mem.ram_end {
                    let (lo, hi) = ((ptr as u32 & mem.ram_mask) as i32, (hi as u32 & mem.ram_mask) as i32);
                    x64!(self.ops
                        ; movzx eax, BYTE [r13 + lo]
                        ; movzx ecx, BYTE [r13 + hi]
                    );
                } else if mem.io_pages[(ptr >> 8) as usize] {
                    let (fallback, _) = self.fallback(insn, index, ALWAYS_EXIT);
                    x64!(self.ops ; jmp =>fallback);
                    return true;
                } else {
                    let (fallback, _) = self.fallback(insn, index, ALWAYS_EXIT);
                    let page = (ptr >> 8) as i32;
                    x64!(self.ops
                        ; mov rdx, [r15 + READ_MAP + page * 8]
                        ; test rdx, rdx
                        ; jz =>fallback
                        ; movzx eax, BYTE [rdx + ptr as i32]
                        ; movzx ecx, BYTE [rdx + hi as i32]
                    );
                }
                x64!(self.ops
                    ; shl ecx, 8
                    ; or eax, ecx
                    ; mov [r15 + PC], ax
                );
                self.pending += cycles;
                self.exit_dynamic(count, last);
                true
            }
            Jmp if self.dynamic_operands => {
                // The target as the code holds it now.
                let lo = self.code_byte_loc(insn.addr.wrapping_add(1));
                self.load(lo);
                x64!(self.ops ; mov edx, eax);
                let hi = self.code_byte_loc(insn.addr.wrapping_add(2));
                self.load(hi);
                x64!(self.ops ; shl eax, 8 ; or edx, eax ; mov [r15 + PC], dx);
                self.pending += cycles;
                self.exit_dynamic(count, last);
                true
            }
            Jmp => {
                self.pending += cycles;
                self.exit_static_looping(insn.operand(), count, last, cycles);
                true
            }
            Jsr => {
                let ret = insn.addr.wrapping_add(2);
                let (fallback, _) = self.fallback(insn, index, ALWAYS_EXIT);
                self.stack_code_check(fallback);
                x64!(self.ops ; mov ecx, (ret >> 8) as i32);
                self.push_cl();
                x64!(self.ops ; mov ecx, (ret & 0xFF) as i32);
                self.push_cl();
                self.pending += cycles;
                self.exit_static(insn.operand(), count, last);
                true
            }
            Rts => {
                self.pull();
                x64!(self.ops ; mov edx, eax);
                self.pull();
                x64!(self.ops
                    ; shl eax, 8
                    ; or eax, edx
                    ; inc ax
                    ; mov [r15 + PC], ax
                );
                self.pending += cycles;
                self.exit_dynamic(count, last);
                true
            }
            Rti => {
                // An RTI that clears I under a waiting IRQ takes it at its
                // end, by the samples in its last cycles: the interpreter
                // runs it then.
                self.leave_if_irq_waiting(index, insn.addr);
                self.pull();
                self.decompose_p();
                self.pull();
                x64!(self.ops ; mov edx, eax);
                self.pull();
                x64!(self.ops
                    ; shl eax, 8
                    ; or eax, edx
                    ; mov [r15 + PC], ax
                );
                self.pending += cycles;
                self.exit_dynamic(count, last);
                true
            }
            _ => unreachable!("not a compiled control instruction"),
        }
    }
}
