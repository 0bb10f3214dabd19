//! The dynes recompiler: 6502 blocks translated to x86-64 machine code.
//!
//! A block is a run of guest instructions decoded from the opcode table,
//! ending at a control transfer or at an instruction the translator does not
//! handle (which the interpreter then runs). Compiled code works on the
//! [`Cpu`] in place (its layout is `repr(C)`), keeps A, X, Y and the cycle
//! count in host registers, and reaches plain memory directly.
//!
//! The dispatcher ([`Jit::step`]) enters a block only when no interrupt is on
//! its way and `cycle + worst case <= deadline`, so interrupts are taken
//! between blocks at exactly the cycle the interpreter would take them;
//! otherwise it runs one interpreter step. Stores into pages that hold
//! compiled code (from blocks or the interpreter) invalidate those blocks; a
//! block exits right after such a store, and pages rewritten too often
//! become interpret-only.
//!
//! This first stage runs on flat-RAM buses ([`JitBus`], implemented for
//! [`FlatRam`]); the NES bus with its I/O call-outs comes next.

#![allow(unsafe_code)] // the code buffer and the calls into generated code

#[cfg(target_arch = "x86_64")]
mod codegen;

use std::time::Instant;

use dynes_cpu::{Bus, Cpu, FlatRam, Instruction, Variant};

/// A bus the generated code can work on: memory that reads and writes
/// plainly, and the cycle counter.
pub trait JitBus: Bus {
    /// The 64 KiB the bus maps plainly (every address, on a flat RAM).
    fn plain_memory(&mut self) -> *mut u8;
    /// The cycle counter, advanced by generated code.
    fn cycle_mut(&mut self) -> &mut u64;
}

impl JitBus for FlatRam {
    fn plain_memory(&mut self) -> *mut u8 {
        self.memory_mut().as_mut_ptr()
    }

    fn cycle_mut(&mut self) -> &mut u64 {
        FlatRam::cycle_mut(self)
    }
}

/// Counters for `--stats`.
#[derive(Clone, Debug, Default)]
pub struct Stats {
    /// Blocks translated (recompilations included).
    pub blocks_compiled: u64,
    /// Bytes of host code emitted.
    pub host_bytes: u64,
    /// Guest instructions run in compiled code.
    pub guest_insns_jit: u64,
    /// Guest instructions run by the interpreter.
    pub guest_insns_interp: u64,
    /// Blocks thrown away because their memory was written.
    pub invalidations: u64,
    /// Pages given up on: always interpreted.
    pub interpret_only_pages: u64,
    /// Time spent translating.
    pub compile_seconds: f64,
    /// Entries from the dispatcher into compiled code (chained blocks
    /// are not counted).
    pub dispatches: u64,
}

impl Stats {
    /// `key=value` lines, for `--stats`.
    pub fn lines(&self) -> Vec<String> {
        let total = (self.guest_insns_jit + self.guest_insns_interp).max(1);
        vec![
            format!("jit.blocks_compiled={}", self.blocks_compiled),
            format!("jit.host_bytes={}", self.host_bytes),
            format!("jit.guest_insns_jit={}", self.guest_insns_jit),
            format!("jit.guest_insns_interp={}", self.guest_insns_interp),
            format!("jit.guest_insns_jit_percent={:.2}", self.guest_insns_jit as f64 * 100.0 / total as f64),
            format!("jit.invalidations={}", self.invalidations),
            format!("jit.interpret_only_pages={}", self.interpret_only_pages),
            format!("jit.compile_seconds={:.4}", self.compile_seconds),
            format!("jit.dispatches={}", self.dispatches),
        ]
    }
}

/// What one dispatcher step did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// Compiled code ran, from the block at `start` through the blocks it
    /// chained into.
    Block {
        /// First guest instruction.
        start: u16,
        /// Set when it stopped at an instruction that jumps to itself (a
        /// trap): that instruction's address.
        trap: Option<u16>,
    },
    /// The interpreter ran (one instruction, or a stretch of interpret-only
    /// pages); `pc` is the address of the last instruction it ran.
    Interpreted {
        /// Address of the last instruction.
        pc: u16,
    },
}

/// Invalidations of one page after which it is only interpreted.
const INTERPRET_ONLY_AFTER: u32 = 16;
/// Blocks compiled in one batch (one commit).
const REGION_BLOCKS: usize = 64;
/// Longest block, in guest instructions.
pub const MAX_BLOCK_INSNS: usize = 48;
const NO_BLOCK: u32 = u32::MAX;
/// The page has been tried and its first instruction cannot be compiled.
const NOT_COMPILABLE: u32 = u32::MAX - 1;

/// A compiled block.
#[derive(Clone, Debug)]
pub struct Block {
    /// Guest address of the first instruction.
    pub start: u16,
    /// Guest instructions, in order.
    pub insns: Vec<Instruction>,
    /// Most cycles the block can take.
    pub worst_cycles: u64,
    /// Where its code starts in the code buffer.
    pub host_offset: usize,
    /// Where other blocks jump in (after the prologue).
    pub chain_offset: usize,
    /// Bytes of host code.
    pub host_len: usize,
    /// Times the dispatcher entered it (entries chained from other blocks
    /// are not counted).
    pub executions: u64,
}

impl Block {
    /// One past the last guest byte.
    pub fn end(&self) -> u32 {
        self.insns.last().map_or(self.start as u32, |i| i.addr as u32 + i.len as u32)
    }
}

/// The recompiler: code buffer, block cache and dispatcher.
pub struct Jit {
    #[cfg(target_arch = "x86_64")]
    code: codegen::CodeBuffer,
    /// Block index by guest address (`NO_BLOCK` if none).
    by_addr: Vec<u32>,
    blocks: Vec<Option<Block>>,
    /// Per page: how many live blocks touch it (non-zero = stores must check).
    /// Boxed so generated code can hold its address.
    code_pages: Box<[u8; 256]>,
    /// Guest address to the host chain entry of its block (0 = none): exits
    /// jump through it. Boxed so generated code can hold its address.
    entry_table: Box<[u64]>,
    page_blocks: Vec<Vec<u32>>,
    page_invalidations: [u32; 256],
    interpret_only: [bool; 256],
    decimal: bool,
    stats: Stats,
}

/// Why the recompiler cannot run here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unavailable(pub String);

impl std::fmt::Display for Unavailable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl Jit {
    /// A recompiler for CPU variant `V` (decimal mode or not), or why the
    /// host cannot run one.
    pub fn new<V: Variant>() -> Result<Jit, Unavailable> {
        #[cfg(target_arch = "x86_64")]
        {
            let code = codegen::CodeBuffer::new()
                .map_err(|e| Unavailable(format!("cannot map code memory: {e}")))?;
            Ok(Jit {
                code,
                by_addr: vec![NO_BLOCK; 0x10000],
                blocks: Vec::new(),
                code_pages: Box::new([0; 256]),
                entry_table: vec![0; 0x10000].into_boxed_slice(),
                page_blocks: vec![Vec::new(); 256],
                page_invalidations: [0; 256],
                interpret_only: [false; 256],
                decimal: V::DECIMAL,
                stats: Stats::default(),
            })
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            Err(Unavailable("the recompiler emits x86-64 code; this host is not x86-64".into()))
        }
    }

    /// Counters so far.
    pub fn stats(&self) -> &Stats {
        &self.stats
    }

    /// The live blocks.
    pub fn blocks(&self) -> impl Iterator<Item = &Block> {
        self.blocks.iter().flatten()
    }

    /// Runs compiled code from PC (one block and the blocks it chains
    /// into), or one interpreter step where no block may run.
    pub fn step<V: Variant, B: JitBus>(&mut self, cpu: &mut Cpu<V>, bus: &mut B) -> Step {
        self.step_until(cpu, bus, u64::MAX)
    }

    /// As [`Jit::step`], with compiled code kept within `cycle_limit` too.
    pub fn step_until<V: Variant, B: JitBus>(
        &mut self,
        cpu: &mut Cpu<V>,
        bus: &mut B,
        cycle_limit: u64,
    ) -> Step {
        let pc = cpu.pc();
        let id = self.block_at(pc, bus);
        let deadline = bus.deadline().min(cycle_limit);
        let runnable = id < NOT_COMPILABLE
            && cpu.jammed().is_none()
            && cpu.irq_state().0 == 0
            && self.blocks[id as usize]
                .as_ref()
                .is_some_and(|b| bus.cycle().saturating_add(b.worst_cycles) <= deadline);
        if !runnable {
            return self.interpret(cpu, bus, cycle_limit);
        }
        self.run_block(id, cpu, bus, deadline)
    }

    /// Runs until the cycle count reaches `cycle_limit` or `stop` says so
    /// after a step.
    pub fn run_until<V: Variant, B: JitBus>(
        &mut self,
        cpu: &mut Cpu<V>,
        bus: &mut B,
        cycle_limit: u64,
        mut stop: impl FnMut(&Cpu<V>, Step) -> bool,
    ) {
        while bus.cycle() < cycle_limit {
            let step = self.step_until(cpu, bus, cycle_limit);
            if stop(cpu, step) {
                break;
            }
        }
    }

    fn block_at<B: JitBus>(&mut self, pc: u16, bus: &mut B) -> u32 {
        let id = self.by_addr[pc as usize];
        if id != NO_BLOCK || self.interpret_only[(pc >> 8) as usize] {
            return if id == NO_BLOCK { NOT_COMPILABLE } else { id };
        }
        self.compile(pc, bus)
    }

    #[cfg(target_arch = "x86_64")]
    /// Compiles the block at `pc` and, in the same batch, the blocks its
    /// static exits lead to (up to `REGION_BLOCKS`): every commit
    /// re-protects the whole code buffer, so commits are batched.
    fn compile<B: JitBus>(&mut self, pc: u16, bus: &mut B) -> u32 {
        let started = Instant::now();
        let mut work = vec![pc];
        let mut compiled_any = false;
        let mut emitted = 0;
        while let Some(addr) = work.pop() {
            if emitted == REGION_BLOCKS {
                break;
            }
            if self.by_addr[addr as usize] != NO_BLOCK || self.interpret_only[(addr >> 8) as usize] {
                continue;
            }
            let insns = codegen::discover(addr, |a| bus.peek(a));
            if insns.is_empty() {
                self.by_addr[addr as usize] = NOT_COMPILABLE;
                continue;
            }
            work.extend(codegen::static_successors(&insns));
            self.emit(addr, insns);
            compiled_any = true;
            emitted += 1;
        }
        if compiled_any {
            self.code.commit();
            // The buffer may have moved: recompute every chain entry.
            for block in self.blocks.iter().flatten() {
                self.entry_table[block.start as usize] = self.code.address(block.chain_offset);
            }
        }
        self.stats.compile_seconds += started.elapsed().as_secs_f64();
        match self.by_addr[pc as usize] {
            NO_BLOCK => NOT_COMPILABLE,
            id => id,
        }
    }

    #[cfg(target_arch = "x86_64")]
    fn emit(&mut self, pc: u16, insns: Vec<Instruction>) {
        let worst_cycles = insns.iter().map(|i| i.info.max_cycles() as u64).sum();
        let compiled = self.code.emit(
            &insns,
            worst_cycles,
            self.decimal,
            self.code_pages.as_ptr(),
            self.entry_table.as_ptr(),
        );
        let id = self.blocks.len() as u32;
        let block = Block {
            start: pc,
            worst_cycles,
            insns,
            host_offset: compiled.offset,
            chain_offset: compiled.chain_offset,
            host_len: compiled.len,
            executions: 0,
        };
        for page in (block.start as u32 >> 8)..=((block.end() - 1) >> 8).min(255) {
            self.code_pages[page as usize] = self.code_pages[page as usize].saturating_add(1);
            self.page_blocks[page as usize].push(id);
        }
        self.stats.blocks_compiled += 1;
        self.stats.host_bytes += compiled.len as u64;
        self.blocks.push(Some(block));
        self.by_addr[pc as usize] = id;
    }

    #[cfg(not(target_arch = "x86_64"))]
    fn compile<B: JitBus>(&mut self, _pc: u16, _bus: &mut B) -> u32 {
        NOT_COMPILABLE
    }

    #[cfg(target_arch = "x86_64")]
    fn run_block<V: Variant, B: JitBus>(
        &mut self,
        id: u32,
        cpu: &mut Cpu<V>,
        bus: &mut B,
        deadline: u64,
    ) -> Step {
        let before = cpu.instructions();
        let (start, entry) = {
            let Some(block) = self.blocks[id as usize].as_mut() else {
                return self.interpret(cpu, bus, u64::MAX);
            };
            block.executions += 1;
            (block.start, block.host_offset)
        };
        let mut ctx = codegen::Context {
            cpu: (cpu as *mut Cpu<V>).cast(),
            memory: bus.plain_memory(),
            cycle: bus.cycle_mut() as *mut u64,
            exit_page: codegen::NO_EXIT_PAGE,
            trap: codegen::NO_TRAP,
            deadline,
        };
        self.code.run(entry, &mut ctx);
        self.stats.dispatches += 1;
        self.stats.guest_insns_jit += cpu.instructions() - before;
        let trap = (ctx.trap != codegen::NO_TRAP).then_some(ctx.trap as u16);
        if ctx.exit_page != codegen::NO_EXIT_PAGE {
            self.invalidate_page(ctx.exit_page as u8);
        }
        Step::Block { start, trap }
    }

    #[cfg(not(target_arch = "x86_64"))]
    fn run_block<V: Variant, B: JitBus>(
        &mut self,
        _id: u32,
        cpu: &mut Cpu<V>,
        bus: &mut B,
        _deadline: u64,
    ) -> Step {
        self.interpret(cpu, bus, u64::MAX)
    }

    /// One interpreter step, watching its stores for compiled pages. On an
    /// interpret-only page the interpreter keeps going (at its full speed)
    /// until PC leaves such pages or `cycle_limit` is reached.
    fn interpret<V: Variant, B: JitBus>(&mut self, cpu: &mut Cpu<V>, bus: &mut B, cycle_limit: u64) -> Step {
        let pc = cpu.pc();
        let before = cpu.instructions();
        let mut watched = WatchedBus { inner: bus, code_pages: &self.code_pages, written: [0; 4] };
        // The address of the last instruction run (a trap leaves PC there).
        let mut last_insn = pc;
        if self.interpret_only[(pc >> 8) as usize] {
            let interpret_only = &self.interpret_only;
            let mut previous = pc;
            cpu.run_until(&mut watched, cycle_limit, |cpu| {
                last_insn = previous;
                previous = cpu.pc();
                previous == last_insn || !interpret_only[(previous >> 8) as usize] || cpu.jammed().is_some()
            });
        } else {
            cpu.step(&mut watched);
        }
        let written = watched.written;
        self.stats.guest_insns_interp += cpu.instructions() - before;
        for (word, bits) in written.iter().enumerate() {
            let mut bits = *bits;
            while bits != 0 {
                let page = word * 64 + bits.trailing_zeros() as usize;
                bits &= bits - 1;
                self.invalidate_page(page as u8);
            }
        }
        Step::Interpreted { pc: last_insn }
    }

    /// Drops every block that touches `page`.
    fn invalidate_page(&mut self, page: u8) {
        let ids = std::mem::take(&mut self.page_blocks[page as usize]);
        for id in ids {
            let Some(block) = self.blocks[id as usize].take() else { continue };
            self.stats.invalidations += 1;
            self.by_addr[block.start as usize] = NO_BLOCK;
            self.entry_table[block.start as usize] = 0;
            for other in (block.start as u32 >> 8)..=((block.end() - 1) >> 8).min(255) {
                let other = other as usize;
                self.code_pages[other] = self.code_pages[other].saturating_sub(1);
                if other != page as usize {
                    self.page_blocks[other].retain(|&b| b != id);
                }
            }
        }
        self.code_pages[page as usize] = 0;
        // Addresses on the page that could not be compiled may compile now.
        let base = (page as usize) << 8;
        for slot in &mut self.by_addr[base..base + 256] {
            if *slot == NOT_COMPILABLE {
                *slot = NO_BLOCK;
            }
        }
        let count = &mut self.page_invalidations[page as usize];
        *count += 1;
        if *count == INTERPRET_ONLY_AFTER {
            self.interpret_only[page as usize] = true;
            self.stats.interpret_only_pages += 1;
        }
    }
}

/// The bus as the interpreter sees it inside the dispatcher: stores into
/// pages holding compiled code are noted, so those blocks can be dropped.
struct WatchedBus<'a, B: JitBus> {
    inner: &'a mut B,
    code_pages: &'a [u8; 256],
    written: [u64; 4],
}

impl<B: JitBus> Bus for WatchedBus<'_, B> {
    const INTERRUPTS: bool = B::INTERRUPTS;

    #[inline]
    fn read(&mut self, addr: u16) -> u8 {
        self.inner.read(addr)
    }

    #[inline]
    fn write(&mut self, addr: u16, value: u8) {
        self.inner.write(addr, value);
        let page = (addr >> 8) as usize;
        if self.code_pages[page] != 0 {
            self.written[page / 64] |= 1 << (page % 64);
        }
    }

    fn peek(&self, addr: u16) -> u8 {
        self.inner.peek(addr)
    }

    fn cycle(&self) -> u64 {
        self.inner.cycle()
    }

    fn deadline(&self) -> u64 {
        self.inner.deadline()
    }

    fn nmi_line(&mut self) -> bool {
        self.inner.nmi_line()
    }

    fn irq_line(&mut self) -> bool {
        self.inner.irq_line()
    }
}
