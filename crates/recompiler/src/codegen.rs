//! x86-64 code generation with dynasm.
//!
//! Host registers inside a block (all callee-saved, so helper calls keep them):
//!
//! | host  | guest |
//! |-------|-------|
//! | r12b  | A     |
//! | bl    | X     |
//! | bpl   | Y     |
//! | r14   | cycle count |
//! | r13   | plain memory base |
//! | r15   | the `Cpu` (S, PC, flags, instruction count live there) |
//!
//! The upper bits of rbx, rbp and r12 stay zero: guest registers are only
//! ever written through their low bytes after the prologue's zero-extending
//! loads. `[rsp]` holds the `Context` pointer.

use dynasmrt::{dynasm, x64::Assembler, AssemblyOffset, DynamicLabel, DynasmApi, DynasmLabelApi};
use dynes_cpu::{layout, Cpu, Instruction, Kind, Mnemonic, Mode, Nmos6502};

/// What the dispatcher hands a block, and what the block hands back.
#[repr(C)]
pub(crate) struct Context {
    /// The `Cpu` (any variant: the layout does not depend on it).
    pub cpu: *mut u8,
    /// Plain 64 KiB memory.
    pub memory: *mut u8,
    /// The bus's cycle counter.
    pub cycle: *mut u64,
    /// Page of a store that hit compiled code (the block exited right after
    /// it), or `NO_EXIT_PAGE`.
    pub exit_page: u32,
    /// Set when the code returns because an instruction jumped to itself
    /// (a trap): its address. `NO_TRAP` otherwise.
    pub trap: u32,
    /// Blocks are entered (and chained into) only while
    /// `cycle + worst case <= deadline`.
    pub deadline: u64,
}

/// `trap` when no instruction jumped to itself.
pub(crate) const NO_TRAP: u32 = u32::MAX;

/// `exit_page` when no store hit compiled code.
pub(crate) const NO_EXIT_PAGE: u32 = u32::MAX;

const CTX_EXIT_PAGE: i32 = std::mem::offset_of!(Context, exit_page) as i32;
const CTX_TRAP: i32 = std::mem::offset_of!(Context, trap) as i32;
const CTX_CPU: i32 = std::mem::offset_of!(Context, cpu) as i32;
const CTX_MEMORY: i32 = std::mem::offset_of!(Context, memory) as i32;
const CTX_CYCLE: i32 = std::mem::offset_of!(Context, cycle) as i32;
const CTX_DEADLINE: i32 = std::mem::offset_of!(Context, deadline) as i32;

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

/// Whether `insn` ends its block (the next instruction is not known statically).
fn ends_block(insn: &Instruction) -> bool {
    matches!(insn.info.kind(), Kind::Branch)
        || matches!(insn.info.mnemonic, Mnemonic::Jmp | Mnemonic::Jsr | Mnemonic::Rts | Mnemonic::Rti)
}

/// Decodes the block starting at `pc`: empty if its first instruction is not
/// compiled.
pub(crate) fn discover(pc: u16, peek: impl Fn(u16) -> u8) -> Vec<Instruction> {
    let mut insns = Vec::new();
    let mut addr = pc as u32;
    while insns.len() < crate::MAX_BLOCK_INSNS {
        let insn = Instruction::decode(addr as u16, &peek);
        if addr + insn.len as u32 > 0x10000 || !supported(&insn) {
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

/// Guest addresses a block can continue at that are known statically
/// (fall-through, branch targets, JMP/JSR targets).
pub(crate) fn static_successors(insns: &[Instruction]) -> Vec<u16> {
    let Some(last) = insns.last() else { return Vec::new() };
    let next = last.addr.wrapping_add(last.len as u16);
    match (last.info.kind(), last.info.mnemonic) {
        (Kind::Branch, _) => vec![next, last.branch_target()],
        (_, Mnemonic::Jmp) if last.info.mode == Mode::Abs => vec![last.operand()],
        (_, Mnemonic::Jsr) => vec![last.operand(), next],
        (_, Mnemonic::Rts | Mnemonic::Rti | Mnemonic::Jmp) => Vec::new(),
        // The block stopped before an instruction it does not compile.
        _ => Vec::new(),
    }
}

/// Where an instruction's operand is.
#[derive(Clone, Copy)]
enum Operand {
    Imm(u8),
    /// A fixed address.
    Static(u16),
    /// The address is in edx.
    Dynamic,
}

/// Out-of-line code emitted after a block's body.
enum Stub {
    /// A store hit a page with compiled code: record the page (in ecx) and
    /// leave with PC at the next instruction.
    Smc { label: DynamicLabel, next_pc: u16, count: u32, pending: i32 },
    /// Decimal-mode ADC/SBC through the interpreter's arithmetic.
    Decimal { label: DynamicLabel, resume: DynamicLabel, helper: usize },
}

/// The executable code buffer.
pub(crate) struct CodeBuffer {
    asm: Assembler,
    /// Start of the committed code (moves when the buffer grows).
    base: *const u8,
}

/// Where a block landed.
pub(crate) struct Compiled {
    /// Entry from the dispatcher (with the prologue).
    pub offset: usize,
    /// Entry from another block (registers already loaded).
    pub chain_offset: usize,
    pub len: usize,
}

extern "sysv64" fn adc_decimal(cpu: *mut Cpu<Nmos6502>, value: u32) {
    // SAFETY: generated code passes the `Cpu` the dispatcher gave it, which
    // is a live `&mut Cpu` for the duration of the block; the decimal path
    // is only compiled for the NMOS variant.
    unsafe { (*cpu).alu_adc(value as u8) }
}

extern "sysv64" fn sbc_decimal(cpu: *mut Cpu<Nmos6502>, value: u32) {
    // SAFETY: as for `adc_decimal`.
    unsafe { (*cpu).alu_sbc(value as u8) }
}

impl CodeBuffer {
    pub fn new() -> std::io::Result<CodeBuffer> {
        Ok(CodeBuffer { asm: Assembler::new()?, base: std::ptr::null() })
    }

    /// Runs the block at `offset`.
    pub fn run(&self, offset: usize, ctx: &mut Context) {
        // SAFETY: `offset` is the start of a block emitted by `compile` and
        // committed (so `base` is the current start of executable memory);
        // the block follows the System V ABI and only touches memory through
        // the context: the `Cpu` and the 64 KiB plain memory, both live and
        // exclusively borrowed by the dispatcher while the block runs, and
        // guest addresses are masked to 16 bits before indexing it.
        unsafe {
            let entry: extern "sysv64" fn(*mut Context) = std::mem::transmute(self.base.add(offset));
            entry(ctx);
        }
    }

    /// Translates `insns` (whose worst case is `worst_cycles`); the code is
    /// runnable after the next [`CodeBuffer::commit`]. Exits chain through
    /// `entry_table` (guest address to host chain entry, 0 = none).
    pub fn emit(
        &mut self,
        insns: &[Instruction],
        worst_cycles: u64,
        decimal: bool,
        code_pages: *const u8,
        entry_table: *const u64,
    ) -> Compiled {
        let start = self.asm.offset();
        let mut gen = Gen {
            ops: &mut self.asm,
            stubs: Vec::new(),
            decimal,
            code_pages: code_pages as i64,
            entry_table: entry_table as i64,
            pending: 0,
        };
        let chain = gen.block(insns, worst_cycles);
        let len = self.asm.offset().0 - start.0;
        Compiled { offset: start.0, chain_offset: chain.0, len }
    }

    /// Makes everything emitted so far executable (this may move the buffer).
    pub fn commit(&mut self) {
        self.asm.commit().expect("dynasm relocations are all local and resolvable");
        self.base = self.asm.reader().lock().ptr(AssemblyOffset(0));
    }

    /// The host address of `offset` in the committed code.
    pub fn address(&self, offset: usize) -> u64 {
        self.base as u64 + offset as u64
    }
}

struct Gen<'a> {
    ops: &'a mut Assembler,
    stubs: Vec<Stub>,
    decimal: bool,
    code_pages: i64,
    entry_table: i64,
    /// Static cycles of the instructions emitted since r14 was last updated:
    /// added at exits only (page-cross extras go to r14 at once).
    pending: i32,
}

impl Gen<'_> {
    /// Emits a block; returns its chain entry.
    fn block(&mut self, insns: &[Instruction], worst_cycles: u64) -> AssemblyOffset {
        let epilogue = self.ops.new_dynamic_label();
        x64!(self.ops
            ; push rbx ; push rbp ; push r12 ; push r13 ; push r14 ; push r15
            ; sub rsp, 8
            ; mov [rsp], rdi
            ; mov r15, [rdi + CTX_CPU]
            ; mov r13, [rdi + CTX_MEMORY]
            ; mov rax, [rdi + CTX_CYCLE]
            ; mov r14, [rax]
            ; movzx r12d, BYTE [r15 + A]
            ; movzx ebx, BYTE [r15 + X]
            ; movzx ebp, BYTE [r15 + Y]
        );
        // Chained blocks come in here, PC already set by the block before:
        // run only if no event can fall inside this block.
        let chain = self.ops.offset();
        x64!(self.ops
            ; mov rdi, [rsp]
            ; lea rax, [r14 + worst_cycles as i32]
            ; cmp rax, [rdi + CTX_DEADLINE]
            ; ja =>epilogue
        );
        let mut ended = false;
        for (index, insn) in insns.iter().enumerate() {
            let count = index as u32 + 1;
            ended = self.insn(insn, count, epilogue);
        }
        if !ended {
            let last = insns.last().expect("blocks are not empty");
            let next = last.addr.wrapping_add(last.len as u16);
            self.exit_static(next, insns.len() as u32, last.addr, epilogue);
        }
        // Stubs carry the pending cycles of their own exit point.
        self.pending = 0;
        for stub in std::mem::take(&mut self.stubs) {
            match stub {
                Stub::Smc { label, next_pc, count, pending } => {
                    x64!(self.ops
                        ; =>label
                        ; add r14, pending
                        ; mov rdi, [rsp]
                        ; mov DWORD [rdi + CTX_EXIT_PAGE], ecx
                        ; mov WORD [r15 + PC], next_pc as i16
                    );
                    self.exit_to_dispatcher(count, epilogue);
                }
                Stub::Decimal { label, resume, helper } => {
                    x64!(self.ops
                        ; =>label
                        ; mov [r15 + A], r12b
                        ; mov rdi, r15
                        ; movzx esi, al
                        ; mov rax, QWORD helper as i64
                        ; call rax
                        ; movzx r12d, BYTE [r15 + A]
                        ; jmp =>resume
                    );
                }
            }
        }
        x64!(self.ops
            ; =>epilogue
            ; mov [r15 + A], r12b
            ; mov [r15 + X], bl
            ; mov [r15 + Y], bpl
            ; mov rdi, [rsp]
            ; mov rax, [rdi + CTX_CYCLE]
            ; mov [rax], r14
            ; add rsp, 8
            ; pop r15 ; pop r14 ; pop r13 ; pop r12 ; pop rbp ; pop rbx
            ; ret
        );
        chain
    }

    /// Leaves the block with PC = `pc` after `count` instructions, chaining
    /// into the block compiled for `pc` if there is one. A jump to itself
    /// (a trap) returns to the dispatcher so it can see it.
    fn exit_static(&mut self, pc: u16, count: u32, last: u16, epilogue: DynamicLabel) {
        self.exit_bookkeeping(count);
        x64!(self.ops ; mov WORD [r15 + PC], pc as i16);
        if pc == last {
            x64!(self.ops
                ; mov rdi, [rsp]
                ; mov DWORD [rdi + CTX_TRAP], last as i32
                ; jmp =>epilogue
            );
            return;
        }
        let slot = self.entry_table + pc as i64 * 8;
        x64!(self.ops
            ; mov rax, QWORD slot
            ; mov rax, [rax]
            ; test rax, rax
            ; jz =>epilogue
            ; jmp rax
        );
    }

    /// Leaves the block with PC already stored, chaining if possible.
    fn exit_dynamic(&mut self, count: u32, last: u16, epilogue: DynamicLabel) {
        self.exit_bookkeeping(count);
        let not_trap = self.ops.new_dynamic_label();
        x64!(self.ops
            ; movzx eax, WORD [r15 + PC]
            ; cmp eax, last as i32
            ; jne =>not_trap
            ; mov rdi, [rsp]
            ; mov DWORD [rdi + CTX_TRAP], last as i32
            ; jmp =>epilogue
            ; =>not_trap
            ; mov rcx, QWORD self.entry_table
            ; mov rax, [rcx + rax * 8]
            ; test rax, rax
            ; jz =>epilogue
            ; jmp rax
        );
    }

    /// Leaves the block without chaining (PC already stored).
    fn exit_to_dispatcher(&mut self, count: u32, epilogue: DynamicLabel) {
        self.exit_bookkeeping(count);
        x64!(self.ops ; jmp =>epilogue);
    }

    fn exit_bookkeeping(&mut self, count: u32) {
        self.flush_cycles();
        x64!(self.ops ; add QWORD [r15 + INSNS], count as i32);
    }

    /// Adds the pending static cycles to r14.
    fn flush_cycles(&mut self) {
        if self.pending != 0 {
            x64!(self.ops ; add r14, self.pending);
        }
    }

    /// Emits one instruction; returns whether it ended the block.
    fn insn(&mut self, insn: &Instruction, count: u32, epilogue: DynamicLabel) -> bool {
        use Mnemonic::*;
        let info = insn.info;
        let next = insn.addr.wrapping_add(insn.len as u16);
        let cycles = info.cycles as i32;
        match info.kind() {
            Kind::Read if info.mode == Mode::Imp => self.pending += cycles,
            Kind::Read => {
                let operand = self.operand(insn, true);
                self.load(operand);
                self.read_op(info.mnemonic);
                self.pending += cycles;
            }
            Kind::Write => {
                let operand = self.operand(insn, false);
                match info.mnemonic {
                    Sta => x64!(self.ops ; mov cl, r12b),
                    Stx => x64!(self.ops ; mov cl, bl),
                    Sty => x64!(self.ops ; mov cl, bpl),
                    _ => x64!(self.ops ; mov cl, r12b ; and cl, bl),
                }
                self.store_cl(operand);
                self.pending += cycles;
                self.smc_check(operand, next, count);
            }
            Kind::ReadModifyWrite => {
                if info.mode == Mode::Acc {
                    x64!(self.ops ; mov al, r12b);
                    self.modify(info.mnemonic);
                    x64!(self.ops ; mov r12b, al);
                    self.pending += cycles;
                } else {
                    let operand = self.operand(insn, false);
                    self.load(operand);
                    self.modify(info.mnemonic);
                    x64!(self.ops ; mov cl, al);
                    self.store_cl(operand);
                    self.pending += cycles;
                    self.smc_check(operand, next, count);
                }
            }
            Kind::Implied => {
                self.implied(info.mnemonic);
                self.pending += cycles;
            }
            Kind::Branch => {
                self.branch(insn, count, epilogue);
                return true;
            }
            Kind::Control => return self.control(insn, count, epilogue),
        }
        false
    }

    /// Computes the operand's place. Dynamic addresses end up in edx;
    /// `penalty` adds the page-cross cycle of indexed reads at run time.
    fn operand(&mut self, insn: &Instruction, penalty: bool) -> Operand {
        let op = insn.operand();
        match insn.info.mode {
            Mode::Imm => Operand::Imm(op as u8),
            Mode::Zp | Mode::Abs => Operand::Static(op),
            Mode::Zpx => {
                x64!(self.ops ; movzx edx, bl ; add dl, op as i8);
                Operand::Dynamic
            }
            Mode::Zpy => {
                x64!(self.ops ; movzx edx, bpl ; add dl, op as i8);
                Operand::Dynamic
            }
            Mode::Abx | Mode::Aby => {
                if insn.info.mode == Mode::Abx {
                    x64!(self.ops ; movzx edx, bl);
                } else {
                    x64!(self.ops ; movzx edx, bpl);
                }
                x64!(self.ops ; add edx, op as i32);
                if penalty {
                    x64!(self.ops ; mov ecx, edx ; xor ecx, op as i32);
                    self.add_cycle_if_ecx_above_page();
                }
                x64!(self.ops ; and edx, 0xFFFF);
                Operand::Dynamic
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
                Operand::Dynamic
            }
            Mode::Izy => {
                let lo = op as u8;
                let hi = lo.wrapping_add(1);
                x64!(self.ops
                    ; movzx edx, BYTE [r13 + lo as i32]
                    ; movzx ecx, BYTE [r13 + hi as i32]
                    ; shl ecx, 8
                    ; or edx, ecx
                    ; mov esi, edx
                    ; movzx ecx, bpl
                    ; add edx, ecx
                );
                if penalty {
                    x64!(self.ops ; mov ecx, edx ; xor ecx, esi);
                    self.add_cycle_if_ecx_above_page();
                }
                x64!(self.ops ; and edx, 0xFFFF);
                Operand::Dynamic
            }
            Mode::Imp | Mode::Acc | Mode::Ind | Mode::Rel => unreachable!("no data operand"),
        }
    }

    /// `cycle += (ecx >= 0x100)`: the index carried into the high byte.
    fn add_cycle_if_ecx_above_page(&mut self) {
        x64!(self.ops
            ; shr ecx, 8
            ; setnz cl
            ; movzx ecx, cl
            ; add r14, rcx
        );
    }

    /// The operand's value into al.
    fn load(&mut self, operand: Operand) {
        match operand {
            Operand::Imm(value) => x64!(self.ops ; mov al, value as i8),
            Operand::Static(addr) => x64!(self.ops ; movzx eax, BYTE [r13 + addr as i32]),
            Operand::Dynamic => x64!(self.ops ; movzx eax, BYTE [r13 + rdx]),
        }
    }

    fn store_cl(&mut self, operand: Operand) {
        match operand {
            Operand::Static(addr) => x64!(self.ops ; mov BYTE [r13 + addr as i32], cl),
            Operand::Dynamic => x64!(self.ops ; mov BYTE [r13 + rdx], cl),
            Operand::Imm(_) => unreachable!("stores have an address"),
        }
    }

    /// After a store: if its page holds compiled code, leave (PC at the
    /// next instruction) so the dispatcher can drop that code.
    fn smc_check(&mut self, operand: Operand, next: u16, count: u32) {
        match operand {
            Operand::Static(addr) => x64!(self.ops ; mov ecx, (addr >> 8) as i32),
            Operand::Dynamic => x64!(self.ops ; mov ecx, edx ; shr ecx, 8),
            Operand::Imm(_) => unreachable!("stores have an address"),
        }
        self.page_check(next, count);
    }

    /// Exits through an SMC stub if the page in ecx holds compiled code.
    fn page_check(&mut self, next: u16, count: u32) {
        let label = self.ops.new_dynamic_label();
        x64!(self.ops
            ; mov rsi, QWORD self.code_pages
            ; cmp BYTE [rsi + rcx], 0
            ; jne =>label
        );
        self.stubs.push(Stub::Smc { label, next_pc: next, count, pending: self.pending });
    }

    fn set_nz(&mut self) {
        x64!(self.ops ; sets BYTE [r15 + N] ; setz BYTE [r15 + Z]);
    }

    /// Read-kind operations on the value in al.
    fn read_op(&mut self, mnemonic: Mnemonic) {
        use Mnemonic::*;
        match mnemonic {
            Lda => x64!(self.ops ; mov r12b, al ; test al, al),
            Ldx => x64!(self.ops ; mov bl, al ; test al, al),
            Ldy => x64!(self.ops ; mov bpl, al ; test al, al),
            Lax => x64!(self.ops ; mov r12b, al ; mov bl, al ; test al, al),
            And => x64!(self.ops ; and r12b, al),
            Ora => x64!(self.ops ; or r12b, al),
            Eor => x64!(self.ops ; xor r12b, al),
            Cmp | Cpx | Cpy => {
                match mnemonic {
                    Cmp => x64!(self.ops ; cmp r12b, al),
                    Cpx => x64!(self.ops ; cmp bl, al),
                    _ => x64!(self.ops ; cmp bpl, al),
                }
                x64!(self.ops ; setae BYTE [r15 + C]);
            }
            Bit => {
                x64!(self.ops
                    ; test r12b, al
                    ; setz BYTE [r15 + Z]
                    ; mov cl, al
                    ; shr cl, 7
                    ; mov [r15 + N], cl
                    ; shr al, 6
                    ; and al, 1
                    ; mov [r15 + V], al
                );
                return;
            }
            Adc | Sbc => {
                let resume = self.ops.new_dynamic_label();
                if self.decimal {
                    let label = self.ops.new_dynamic_label();
                    let helper = if mnemonic == Adc {
                        adc_decimal as *const () as usize
                    } else {
                        sbc_decimal as *const () as usize
                    };
                    x64!(self.ops ; cmp BYTE [r15 + D], 0 ; jne =>label);
                    self.stubs.push(Stub::Decimal { label, resume, helper });
                }
                if mnemonic == Adc {
                    // CF = C, then A + M + C.
                    x64!(self.ops
                        ; mov cl, [r15 + C]
                        ; add cl, -1
                        ; adc r12b, al
                        ; seto BYTE [r15 + V]
                        ; sets BYTE [r15 + N]
                        ; setz BYTE [r15 + Z]
                        ; setc BYTE [r15 + C]
                    );
                } else {
                    // CF = borrow = !C, then A - M - borrow.
                    x64!(self.ops
                        ; cmp BYTE [r15 + C], 1
                        ; sbb r12b, al
                        ; seto BYTE [r15 + V]
                        ; sets BYTE [r15 + N]
                        ; setz BYTE [r15 + Z]
                        ; setnc BYTE [r15 + C]
                    );
                }
                x64!(self.ops ; =>resume);
                return;
            }
            Nop => return,
            _ => unreachable!("not a compiled read instruction"),
        }
        self.set_nz();
    }

    /// Read-modify-write operations on al.
    fn modify(&mut self, mnemonic: Mnemonic) {
        use Mnemonic::*;
        match mnemonic {
            Asl => x64!(self.ops ; shl al, 1 ; setc BYTE [r15 + C]),
            Lsr => x64!(self.ops ; shr al, 1 ; setc BYTE [r15 + C]),
            Rol | Ror => {
                x64!(self.ops ; mov cl, [r15 + C] ; add cl, -1);
                if mnemonic == Rol {
                    x64!(self.ops ; rcl al, 1);
                } else {
                    x64!(self.ops ; rcr al, 1);
                }
                x64!(self.ops ; setc BYTE [r15 + C] ; test al, al);
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
            Clc => x64!(self.ops ; mov BYTE [r15 + C], 0),
            Sec => x64!(self.ops ; mov BYTE [r15 + C], 1),
            Cli => x64!(self.ops ; mov BYTE [r15 + I], 0),
            Sei => x64!(self.ops ; mov BYTE [r15 + I], 1),
            Clv => x64!(self.ops ; mov BYTE [r15 + V], 0),
            Cld => x64!(self.ops ; mov BYTE [r15 + D], 0),
            Sed => x64!(self.ops ; mov BYTE [r15 + D], 1),
            Txs => x64!(self.ops ; mov [r15 + S], bl),
            _ => {
                match mnemonic {
                    Tax => x64!(self.ops ; mov bl, r12b ; test bl, bl),
                    Tay => x64!(self.ops ; mov bpl, r12b ; test bpl, bpl),
                    Txa => x64!(self.ops ; mov r12b, bl ; test bl, bl),
                    Tya => x64!(self.ops ; mov r12b, bpl ; test bpl, bpl),
                    Tsx => x64!(self.ops ; mov bl, [r15 + S] ; test bl, bl),
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

    fn branch(&mut self, insn: &Instruction, count: u32, epilogue: DynamicLabel) {
        use Mnemonic::*;
        let next = insn.addr.wrapping_add(2);
        let target = insn.branch_target();
        let (flag, taken_if_set) = match insn.info.mnemonic {
            Bcc => (C, false),
            Bcs => (C, true),
            Bne => (Z, false),
            Beq => (Z, true),
            Bpl => (N, false),
            Bmi => (N, true),
            Bvc => (V, false),
            _ => (V, true),
        };
        let taken = self.ops.new_dynamic_label();
        self.pending += 2;
        self.flush_cycles();
        self.pending = 0;
        x64!(self.ops ; cmp BYTE [r15 + flag], 0);
        if taken_if_set {
            x64!(self.ops ; jne =>taken);
        } else {
            x64!(self.ops ; je =>taken);
        }
        self.exit_static(next, count, insn.addr, epilogue);
        let extra = if (target ^ next) & 0xFF00 != 0 { 2 } else { 1 };
        x64!(self.ops ; =>taken ; add r14, extra);
        self.exit_static(target, count, insn.addr, epilogue);
    }

    /// Pushes cl.
    fn push_cl(&mut self) {
        x64!(self.ops
            ; movzx eax, BYTE [r15 + S]
            ; mov [r13 + rax + 0x100], cl
            ; dec BYTE [r15 + S]
        );
    }

    /// After pushes: the stack page may hold code too.
    fn stack_page_check(&mut self, next: u16, count: u32) {
        x64!(self.ops ; mov ecx, 1);
        self.page_check(next, count);
    }

    /// Pulls into eax.
    fn pull(&mut self) {
        x64!(self.ops
            ; inc BYTE [r15 + S]
            ; movzx eax, BYTE [r15 + S]
            ; movzx eax, BYTE [r13 + rax + 0x100]
        );
    }

    /// P from the flags into cl, with B and bit 5 set (as PHP pushes it).
    fn compose_p(&mut self) {
        x64!(self.ops ; mov ecx, 0x30);
        for (flag, bit) in [(N, 7), (V, 6), (D, 3), (I, 2), (Z, 1), (C, 0)] {
            x64!(self.ops ; movzx eax, BYTE [r15 + flag] ; shl eax, bit ; or ecx, eax);
        }
    }

    /// The flags from P in al.
    fn decompose_p(&mut self) {
        for (flag, bit) in [(N, 7), (V, 6), (D, 3), (I, 2), (Z, 1), (C, 0)] {
            x64!(self.ops ; mov ecx, eax ; shr ecx, bit ; and ecx, 1 ; mov [r15 + flag], cl);
        }
    }

    fn control(&mut self, insn: &Instruction, count: u32, epilogue: DynamicLabel) -> bool {
        use Mnemonic::*;
        let next = insn.addr.wrapping_add(insn.len as u16);
        let cycles = insn.info.cycles as i32;
        let last = insn.addr;
        match insn.info.mnemonic {
            Pha => {
                self.pending += cycles;
                x64!(self.ops ; mov cl, r12b);
                self.push_cl();
                self.stack_page_check(next, count);
                false
            }
            Php => {
                self.pending += cycles;
                self.compose_p();
                self.push_cl();
                self.stack_page_check(next, count);
                false
            }
            Pla => {
                self.pull();
                self.pending += cycles;
                x64!(self.ops ; mov r12b, al ; test r12b, r12b);
                self.set_nz();
                false
            }
            Plp => {
                self.pull();
                self.decompose_p();
                self.pending += cycles;
                false
            }
            Jmp if insn.info.mode == Mode::Ind => {
                let ptr = insn.operand();
                let hi = (ptr & 0xFF00) | (ptr.wrapping_add(1) & 0x00FF);
                x64!(self.ops
                    ; movzx eax, BYTE [r13 + ptr as i32]
                    ; movzx ecx, BYTE [r13 + hi as i32]
                    ; shl ecx, 8
                    ; or eax, ecx
                    ; mov [r15 + PC], ax
                );
                self.pending += cycles;
                self.exit_dynamic(count, last, epilogue);
                true
            }
            Jmp => {
                self.pending += cycles;
                self.exit_static(insn.operand(), count, last, epilogue);
                true
            }
            Jsr => {
                let ret = insn.addr.wrapping_add(2);
                self.pending += cycles;
                x64!(self.ops ; mov cl, (ret >> 8) as i8);
                self.push_cl();
                x64!(self.ops ; mov cl, ret as i8);
                self.push_cl();
                self.stack_page_check(insn.operand(), count);
                self.exit_static(insn.operand(), count, last, epilogue);
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
                self.exit_dynamic(count, last, epilogue);
                true
            }
            Rti => {
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
                self.exit_dynamic(count, last, epilogue);
                true
            }
            _ => unreachable!("not a compiled control instruction"),
        }
    }
}
