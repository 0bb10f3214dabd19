//! The dynes recompiler: 6502 blocks translated to x86-64 machine code.
//!
//! A block is a run of guest instructions decoded from the opcode table,
//! ending at a control transfer, at the edge of its address window, or at
//! an instruction the translator does not handle (which the interpreter then
//! runs). Compiled code keeps A, X, Y, N, Z, C, the cycle and instruction
//! counts in host registers, reads and writes plain memory (console RAM,
//! ROM and PRG-RAM as currently mapped) directly, and hands every other
//! access (I/O registers, mapper registers, open bus, pages holding code)
//! to the interpreter, one whole instruction at a time, at the exact cycle.
//!
//! The dispatcher ([`Jit::step`]) enters a block only when no interrupt is on
//! its way and `cycle + worst case <= deadline`, so interrupts are taken
//! between blocks at exactly the cycle the interpreter would take them;
//! otherwise it runs one interpreter step. After an interpreted access that
//! moves the deadline, remaps memory, stalls the CPU or writes code, compiled
//! code leaves for the dispatcher at once.
//!
//! Compiled code is cached by where its bytes come from (see
//! [`dynes_bus::source`]): a bank switch back to a bank seen before finds its
//! blocks again. Stores into pages that hold compiled code drop those
//! blocks; pages rewritten too often become interpret-only.

#![allow(unsafe_code)] // the code buffer and the calls into generated code

#[cfg(target_arch = "x86_64")]
mod codegen;
#[cfg(target_arch = "x86_64")]
mod memory;

use std::collections::{HashMap as StdHashMap, HashSet as StdHashSet};
use std::hash::{BuildHasherDefault, Hasher};
use std::time::Instant;

use dynes_bus::{NesBus, PlainPage};
use dynes_cpu::{Bus, Cpu, FlatRam, Instruction, Variant, OPCODES};

/// A multiply-rotate hasher for the recompiler's small integer keys
/// (source addresses, block numbers): much cheaper than SipHash, and the
/// keys come from the emulated program, not from an adversary.
#[derive(Default)]
struct IntHasher(u64);

impl Hasher for IntHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.write_u64(byte as u64);
        }
    }

    fn write_u16(&mut self, value: u16) {
        self.write_u64(value as u64);
    }

    fn write_u32(&mut self, value: u32) {
        self.write_u64(value as u64);
    }

    fn write_u64(&mut self, value: u64) {
        self.0 = (self.0.rotate_left(5) ^ value).wrapping_mul(0x51_7C_C1_B7_27_22_0A_95);
    }
}

type HashMap<K, V> = StdHashMap<K, V, BuildHasherDefault<IntHasher>>;
type HashSet<K> = StdHashSet<K, BuildHasherDefault<IntHasher>>;

/// A bus the generated code can work on.
pub trait JitBus: Bus {
    /// Guest addresses below this are console RAM, always plain memory,
    /// mirrored every `RAM_MASK + 1` bytes.
    const RAM_END: u32;
    /// See `RAM_END`.
    const RAM_MASK: u32;
    /// Blocks never cross a multiple of this (the smallest bank window).
    const WINDOW: u32;
    /// Console RAM (`RAM_MASK + 1` bytes).
    fn ram_ptr(&mut self) -> *mut u8;
    /// How `page` is mapped now.
    fn plain_page(&mut self, page: u8) -> PlainPage;
    /// Pages where an access, even a dummy read, may have side effects.
    fn io_page(page: u8) -> bool;
    /// Changes whenever `plain_page` may answer differently.
    fn mapping_generation(&self) -> u64;
    /// The cycle counter, advanced by generated code.
    fn cycle_mut(&mut self) -> &mut u64;
    /// Sets the last value on the data bus (open bus) before an access
    /// from compiled code, which fetched its operand without the bus.
    fn set_open_bus(&mut self, _value: u8) {}
    /// Whether bytes from `source` can be written (so code there may change).
    fn writable_source(source: u32) -> bool;
}

impl JitBus for FlatRam {
    const RAM_END: u32 = 0x10000;
    const RAM_MASK: u32 = 0xFFFF;
    const WINDOW: u32 = 0x10000;

    fn ram_ptr(&mut self) -> *mut u8 {
        self.memory_mut().as_mut_ptr()
    }

    fn plain_page(&mut self, page: u8) -> PlainPage {
        let start = usize::from(page) << 8;
        PlainPage::ram(&mut self.memory_mut()[start..start + 0x100], start as u32, true, true)
    }

    fn io_page(_page: u8) -> bool {
        false
    }

    fn mapping_generation(&self) -> u64 {
        0
    }

    fn cycle_mut(&mut self) -> &mut u64 {
        FlatRam::cycle_mut(self)
    }

    fn writable_source(_source: u32) -> bool {
        true
    }
}

impl JitBus for NesBus {
    const RAM_END: u32 = 0x2000;
    const RAM_MASK: u32 = dynes_bus::RAM_SIZE as u32 - 1;
    const WINDOW: u32 = 0x2000;

    fn ram_ptr(&mut self) -> *mut u8 {
        self.ram_mut().as_mut_ptr()
    }

    fn plain_page(&mut self, page: u8) -> PlainPage {
        NesBus::plain_page(self, page)
    }

    /// PPU and APU/controller registers, and $4020-$5FFF where boards may
    /// put registers.
    fn io_page(page: u8) -> bool {
        (0x20..0x60).contains(&page)
    }

    fn mapping_generation(&self) -> u64 {
        NesBus::mapping_generation(self)
    }

    fn cycle_mut(&mut self) -> &mut u64 {
        NesBus::cycle_mut(self)
    }

    fn set_open_bus(&mut self, value: u8) {
        NesBus::set_open_bus(self, value);
    }

    fn writable_source(source: u32) -> bool {
        source < dynes_bus::source::PRG_ROM
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
    /// Guest instructions run by the interpreter (including single
    /// instructions compiled code handed to it).
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
    /// Blocks found again in the cache after a bank switch.
    pub cache_hits: u64,
}

impl Stats {
    /// Share of guest instructions that ran in compiled code, in percent
    /// (`None` before any instruction ran).
    pub fn jit_percent(&self) -> Option<f64> {
        let total = self.guest_insns_jit + self.guest_insns_interp;
        (total > 0).then(|| self.guest_insns_jit as f64 * 100.0 / total as f64)
    }

    /// Adds another run's counters (for totals over several runs).
    pub fn add(&mut self, other: &Stats) {
        self.blocks_compiled += other.blocks_compiled;
        self.host_bytes += other.host_bytes;
        self.guest_insns_jit += other.guest_insns_jit;
        self.guest_insns_interp += other.guest_insns_interp;
        self.invalidations += other.invalidations;
        self.interpret_only_pages += other.interpret_only_pages;
        self.compile_seconds += other.compile_seconds;
        self.dispatches += other.dispatches;
        self.cache_hits += other.cache_hits;
    }

    /// `key=value` lines, for `--stats`.
    pub fn lines(&self) -> Vec<String> {
        vec![
            format!("jit.blocks_compiled={}", self.blocks_compiled),
            format!("jit.host_bytes={}", self.host_bytes),
            format!("jit.guest_insns_jit={}", self.guest_insns_jit),
            format!("jit.guest_insns_interp={}", self.guest_insns_interp),
            format!("jit.guest_insns_jit_percent={:.2}", self.jit_percent().unwrap_or(0.0)),
            format!("jit.invalidations={}", self.invalidations),
            format!("jit.interpret_only_pages={}", self.interpret_only_pages),
            format!("jit.compile_seconds={:.4}", self.compile_seconds),
            format!("jit.dispatches={}", self.dispatches),
            format!("jit.cache_hits={}", self.cache_hits),
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
/// Invalidations of one page after which its blocks are compiled with
/// dynamic operands (read from memory when they run).
const DYNAMIC_OPERANDS_AFTER: u32 = 2;
/// Blocks compiled in one batch (one commit).
const REGION_BLOCKS: usize = 64;
/// Longest block, in guest instructions.
pub const MAX_BLOCK_INSNS: usize = 48;
const NO_BLOCK: u32 = u32::MAX;
/// The address has been tried and its first instruction cannot be compiled.
const NOT_COMPILABLE: u32 = u32::MAX - 1;

/// A compiled block.
#[derive(Clone, Debug)]
pub struct Block {
    /// Guest address of the first instruction.
    pub start: u16,
    /// Where its first byte comes from (see [`dynes_bus::source`]).
    pub source: u32,
    /// Guest instructions, in order.
    pub insns: Vec<Instruction>,
    /// Most cycles the block can take.
    pub worst_cycles: u64,
    /// Where its code starts in the code buffer (its chain entry).
    pub host_offset: usize,
    /// Bytes of host code.
    pub host_len: usize,
    /// Instructions that hand non-plain accesses to the interpreter.
    pub fallback_sites: usize,
    /// Times the dispatcher entered it (entries chained from other blocks
    /// are not counted).
    pub executions: u64,
    /// Guest addresses its exits jump to directly (same window).
    pub linked: Vec<u16>,
    relink_offset: usize,
    /// Immediate, zero-page and absolute operands (and `JMP abs` targets)
    /// are read at run time.
    pub dynamic_operands: bool,
    /// Per instruction: the flags (P bits among N, V, Z, C) it writes that
    /// compiled code does not compute, because nothing reads them before
    /// the block itself overwrites them.
    pub dropped_flags: Vec<u8>,
}

impl Block {
    /// Source addresses of the bytes a store must invalidate the block for:
    /// all its bytes but the operands it reads at run time.
    pub fn fixed_sources(&self) -> impl Iterator<Item = u32> + '_ {
        self.insns.iter().flat_map(move |insn| {
            let at = self.source + insn.addr.wrapping_sub(self.start) as u32;
            #[cfg(target_arch = "x86_64")]
            let len = if self.dynamic_operands && codegen::has_dynamic_operand(insn) { 1 } else { insn.len };
            #[cfg(not(target_arch = "x86_64"))]
            let len = insn.len;
            (0..len as u32).map(move |i| at + i)
        })
    }

    /// One past the last guest byte.
    pub fn end(&self) -> u32 {
        self.insns.last().map_or(self.start as u32, |i| i.addr as u32 + i.len as u32)
    }
}

/// Why the recompiler cannot run here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unavailable(pub String);

impl std::fmt::Display for Unavailable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The recompiler: code buffer, block cache and dispatcher. One `Jit` serves
/// one CPU variant on one bus type.
pub struct Jit {
    #[cfg(target_arch = "x86_64")]
    code: codegen::CodeBuffer,
    #[cfg(target_arch = "x86_64")]
    ctx: Box<codegen::Context>,
    /// Guest address to the host chain entry of its block under the current
    /// mapping (0 = none). Boxed: generated code holds its address.
    entry: Box<[u64]>,
    /// Block index by guest address under the current mapping.
    by_addr: Vec<u32>,
    blocks: Vec<Option<Block>>,
    /// Blocks by (source << 16 | guest address).
    cache: HashMap<u64, u32>,
    /// Live blocks by writable source page.
    source_blocks: HashMap<u32, Vec<u32>>,
    source_invalidations: HashMap<u32, u32>,
    interpret_only_sources: HashSet<u32>,
    /// Writable source pages whose blocks read their operands at run time.
    dynamic_sources: HashSet<u32>,
    /// Per writable source page: how many live blocks hold each byte as a
    /// fixed code byte.
    fixed: HashMap<u32, Box<[u16; 256]>>,
    /// Per guest address: whether the byte is a fixed code byte now
    /// (`fixed` seen through the current mapping). Boxed: generated code
    /// holds its address.
    code_bytes: Box<[u8]>,
    /// The mapping the maps were built for.
    pages: Vec<PlainPage>,
    /// Per guest page: the range blocks starting there may use.
    windows: Vec<(u32, u32)>,
    generation: Option<u64>,
    ram: *mut u8,
    /// Per guest page, under the current mapping.
    interpret_only: [bool; 256],
    decimal: bool,
    /// The code region filled up: nothing more is compiled.
    code_full: bool,
    stats: Stats,
}

impl Jit {
    /// A recompiler for CPU variant `V` (decimal mode or not), or why the
    /// host cannot run one.
    pub fn new<V: Variant>() -> Result<Jit, Unavailable> {
        #[cfg(target_arch = "x86_64")]
        {
            let code = codegen::CodeBuffer::new()
                .map_err(|e| Unavailable(format!("cannot map code memory: {e}")))?;
            let entry = vec![0u64; 0x10000].into_boxed_slice();
            let code_bytes = vec![0u8; 0x10000].into_boxed_slice();
            let ctx = Box::new(codegen::Context {
                code_bytes: code_bytes.as_ptr(),
                cpu: Cpu::new(),
                bus: std::ptr::null_mut(),
                cycle: std::ptr::null_mut(),
                ram: std::ptr::null_mut(),
                deadline: 0,
                entry: entry.as_ptr(),
                trap: codegen::NO_TRAP,
                exit_request: 0,
                irq_waiting: 0,
                fallbacks: 0,
                written: [0; 4],
                code_pages: [0; 256],
                read_map: [0; 256],
                write_map: [0; 256],
                helpers: codegen::Helpers::default(),
            });
            Ok(Jit {
                code,
                ctx,
                entry,
                by_addr: vec![NO_BLOCK; 0x10000],
                blocks: Vec::new(),
                cache: HashMap::default(),
                source_blocks: HashMap::default(),
                source_invalidations: HashMap::default(),
                interpret_only_sources: HashSet::default(),
                dynamic_sources: HashSet::default(),
                fixed: HashMap::default(),
                code_bytes,
                pages: vec![PlainPage::NONE; 256],
                windows: vec![(0, 0); 256],
                generation: None,
                ram: std::ptr::null_mut(),
                interpret_only: [false; 256],
                decimal: V::DECIMAL,
                code_full: false,
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

    /// The live block mapped at guest address `pc` now, if any.
    pub fn block_at_pc(&self, pc: u16) -> Option<&Block> {
        match self.by_addr[pc as usize] {
            NO_BLOCK | NOT_COMPILABLE => None,
            id => self.blocks[id as usize].as_ref(),
        }
    }

    /// The host code of a block.
    pub fn host_code(&self, block: &Block) -> Vec<u8> {
        #[cfg(target_arch = "x86_64")]
        {
            self.code.bytes(block.host_offset, block.host_len)
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            let _ = block;
            Vec::new()
        }
    }

    /// The host address a block's code runs at now (it moves while the
    /// buffer grows).
    pub fn host_address(&self, block: &Block) -> u64 {
        #[cfg(target_arch = "x86_64")]
        {
            self.code.address(block.host_offset)
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            let _ = block;
            0
        }
    }

    /// Writes `/tmp/perf-<pid>.map`, so `perf report` names compiled
    /// blocks (`6502 $C123 src=...`). Addresses are where the blocks are
    /// now: samples taken before the buffer last moved are not named.
    pub fn write_perf_map(&self) -> std::io::Result<std::path::PathBuf> {
        use std::io::Write as _;
        let path = std::env::temp_dir().join(format!("perf-{}.map", std::process::id()));
        let mut out = std::io::BufWriter::new(std::fs::File::create(&path)?);
        for block in self.blocks() {
            writeln!(
                out,
                "{:x} {:x} 6502 ${:04X} src={:08X}",
                self.host_address(block),
                block.host_len,
                block.start,
                block.source
            )?;
        }
        out.flush()?;
        Ok(path)
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
        self.sync_mapping(bus);
        // Compiled RTI leaves the block with I perhaps cleared: tell the bus.
        bus.irq_masked(cpu.regs().p & 0x04 != 0);
        let pc = cpu.pc();
        let id = self.block_at::<V, B>(pc, bus);
        let deadline = bus.deadline().min(cycle_limit);
        let runnable = id < NOT_COMPILABLE
            && cpu.jammed().is_none()
            && cpu.irq_state().0 == 0
            && self.blocks[id as usize].as_ref().is_some_and(|b| {
                // Compiled RTI leaves before itself while an IRQ waits for
                // I to clear: the interpreter runs a block starting there.
                bus.cycle().saturating_add(b.worst_cycles) <= deadline
                    && !(bus.irq_waiting() && b.insns[0].info.mnemonic == dynes_cpu::Mnemonic::Rti)
            });
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

    /// Rebuilds the memory maps when the bus's mapping (or where its RAM
    /// lives) changed; blocks of pages whose source changed are unmapped
    /// (they stay cached for when the bank comes back).
    fn sync_mapping<B: JitBus>(&mut self, bus: &mut B) {
        let generation = bus.mapping_generation();
        let ram = bus.ram_ptr();
        if self.generation == Some(generation) && self.ram == ram {
            return;
        }
        for page in 0..256 {
            let new = bus.plain_page(page as u8);
            let old = self.pages[page];
            if new.read.is_null() != old.read.is_null() || new.source != old.source {
                let base = page << 8;
                self.by_addr[base..base + 256].fill(NO_BLOCK);
                self.entry[base..base + 256].fill(0);
            }
            self.pages[page] = new;
        }
        self.generation = Some(generation);
        self.ram = ram;
        #[cfg(target_arch = "x86_64")]
        {
            self.ctx.ram = ram;
        }
        self.compute_windows::<B>();
        self.refresh_maps::<B>(None);
    }

    /// Recomputes the per-page tables from the current mapping and the
    /// live blocks: for every guest page, or only those showing one of the
    /// source pages in `only`.
    fn refresh_maps<B: JitBus>(&mut self, only: Option<&HashSet<u32>>) {
        for page in 0..256 {
            let info = self.pages[page];
            let source_page = info.source >> 8;
            let readable = !info.read.is_null();
            if only.is_some_and(|only| !(readable && only.contains(&source_page))) {
                continue;
            }
            let counts = self.fixed.get(&source_page).filter(|_| readable && B::writable_source(info.source));
            let bytes = &mut self.code_bytes[page << 8..(page << 8) + 256];
            let has_code = match counts {
                Some(counts) => {
                    for (byte, &count) in bytes.iter_mut().zip(counts.iter()) {
                        *byte = (count != 0) as u8;
                    }
                    counts.iter().any(|&c| c != 0)
                }
                None => {
                    bytes.fill(0);
                    false
                }
            };
            self.interpret_only[page] = readable && self.interpret_only_sources.contains(&source_page);
            let bias = page << 8;
            #[cfg(target_arch = "x86_64")]
            {
                let ctx = &mut self.ctx;
                ctx.code_pages[page] = has_code as u8;
                ctx.read_map[page] = if readable { (info.read as usize).wrapping_sub(bias) } else { 0 };
                ctx.write_map[page] =
                    if info.write.is_null() { 0 } else { (info.write as usize).wrapping_sub(bias) };
            }
            #[cfg(not(target_arch = "x86_64"))]
            let _ = (has_code, bias);
        }
    }

    /// The source key of guest address `addr` under the current mapping,
    /// if code there can be compiled.
    fn source_of(&self, addr: u16) -> Option<u32> {
        let info = self.pages[(addr >> 8) as usize];
        (!info.read.is_null()).then_some(info.source + (addr as u32 & 0xFF))
    }

    /// Cuts the address space into the ranges blocks may use: runs of
    /// pages whose sources are contiguous, inside one window.
    fn compute_windows<B: JitBus>(&mut self) {
        let mut start = 0u32;
        for page in 0..=256u32 {
            let addr = page << 8;
            let continues = page < 256 && page > 0 && addr % B::WINDOW != 0 && {
                let (prev, info) = (self.pages[page as usize - 1], self.pages[page as usize]);
                !prev.read.is_null() && !info.read.is_null() && info.source.wrapping_sub(prev.source) == 0x100
            };
            if !continues {
                for p in (start >> 8)..page {
                    self.windows[p as usize] = (start, addr);
                }
                start = addr;
            }
        }
    }

    /// The guest range around `addr` that blocks starting there may use.
    fn window_of(&self, addr: u16) -> (u32, u32) {
        self.windows[(addr >> 8) as usize]
    }

    fn block_at<V: Variant, B: JitBus>(&mut self, pc: u16, bus: &mut B) -> u32 {
        let id = self.by_addr[pc as usize];
        if id != NO_BLOCK {
            return id;
        }
        if self.interpret_only[(pc >> 8) as usize] {
            return NOT_COMPILABLE;
        }
        let Some(source) = self.source_of(pc) else {
            return NOT_COMPILABLE;
        };
        if let Some(&id) = self.cache.get(&cache_key(source, pc)) {
            self.stats.cache_hits += 1;
            self.map_block(id);
            return id;
        }
        self.compile::<V, B>(pc, bus)
    }

    /// Makes block `id` the one at its guest address.
    fn map_block(&mut self, id: u32) {
        let Some(block) = self.blocks[id as usize].as_ref() else { return };
        let start = block.start as usize;
        self.by_addr[start] = id;
        #[cfg(target_arch = "x86_64")]
        {
            self.entry[start] = self.code.address(block.host_offset);
        }
    }

    #[cfg(target_arch = "x86_64")]
    /// Compiles the block at `pc` and, in the same batch, the blocks its
    /// static exits lead to (up to `REGION_BLOCKS`): every commit
    /// re-protects the whole code buffer, so commits are batched.
    fn compile<V: Variant, B: JitBus>(&mut self, pc: u16, bus: &mut B) -> u32 {
        if self.code_full {
            return NOT_COMPILABLE;
        }
        let started = Instant::now();
        // Decode the batch first, so its blocks can jump to each other.
        let mut work = vec![pc];
        let mut planned: Vec<Planned> = Vec::new();
        let mut labels: HashMap<u16, dynasmrt::DynamicLabel> = HashMap::default();
        while let Some(addr) = work.pop() {
            if planned.len() == REGION_BLOCKS {
                break;
            }
            if self.by_addr[addr as usize] != NO_BLOCK
                || labels.contains_key(&addr)
                || self.interpret_only[(addr >> 8) as usize]
            {
                continue;
            }
            let Some(source) = self.source_of(addr) else { continue };
            if let Some(&id) = self.cache.get(&cache_key(source, addr)) {
                self.map_block(id);
                continue;
            }
            let window = self.window_of(addr);
            let insns = codegen::discover(addr, window.1, |a| bus.peek(a));
            if insns.is_empty() {
                self.by_addr[addr as usize] = NOT_COMPILABLE;
                continue;
            }
            work.extend(codegen::static_successors(&insns));
            let label = self.code.new_label();
            labels.insert(addr, label);
            planned.push(Planned { addr, insns, label, window });
        }
        let memory = codegen::Memory {
            ram_end: B::RAM_END,
            ram_mask: B::RAM_MASK,
            io_pages: std::array::from_fn(|p| B::io_page(p as u8)),
            decimal: self.decimal,
            idle_skip: B::INTERRUPTS,
        };
        let helpers = codegen::Helpers {
            fallback: fallback::<V, B> as *const () as usize,
            io_read: io_read::<V, B> as *const () as usize,
            io_write: io_write::<V, B> as *const () as usize,
        };
        self.ctx.helpers = helpers;
        let mut new_ids = Vec::new();
        let code_base = self.code.base();
        for Planned { addr, insns, label, window } in planned {
            let worst_cycles = insns.iter().map(|i| i.info.max_cycles() as u64).sum();
            let linked = std::cell::RefCell::new(Vec::new());
            let link = |target: u16| {
                let t = target as u32;
                if t < window.0 || t >= window.1 {
                    return None;
                }
                let found = labels.get(&target).map(|&l| codegen::Link::Label(l)).or_else(|| {
                    match self.by_addr[target as usize] {
                        NO_BLOCK | NOT_COMPILABLE => None,
                        id => self.blocks[id as usize]
                            .as_ref()
                            .map(|b| codegen::Link::Address(code_base as usize + b.host_offset)),
                    }
                });
                if found.is_some() {
                    linked.borrow_mut().push(target);
                }
                found
            };
            let source = self.source_of(addr).expect("planned blocks have a source");
            let last = source + insns.iter().map(|i| i.len as u32).sum::<u32>() - 1;
            let dynamic_operands = B::writable_source(source)
                && ((source >> 8)..=(last >> 8)).any(|page| self.dynamic_sources.contains(&page));
            let plan = codegen::Plan { insns: &insns, worst_cycles, label, dynamic_operands };
            let compiled = self.code.emit(&plan, &memory, &link);
            let id = self.blocks.len() as u32;
            let block = Block {
                start: addr,
                source,
                worst_cycles,
                insns,
                host_offset: compiled.chain_offset,
                host_len: compiled.len,
                fallback_sites: compiled.fallback_sites,
                executions: 0,
                linked: linked.into_inner(),
                relink_offset: compiled.relink_offset,
                dynamic_operands,
                dropped_flags: compiled.dropped_flags,
            };
            self.stats.blocks_compiled += 1;
            self.stats.host_bytes += compiled.len as u64;
            if B::writable_source(source) {
                for page in (source >> 8)..=(last >> 8) {
                    self.source_blocks.entry(page).or_default().push(id);
                }
                self.count_fixed_bytes(&block, 1);
            }
            self.cache.insert(cache_key(source, addr), id);
            self.by_addr[addr as usize] = id;
            self.blocks.push(Some(block));
            new_ids.push(id);
        }
        if !new_ids.is_empty() {
            if self.code.commit().is_err() {
                // The code region is full: these blocks never run, and from
                // now on the interpreter runs what is not compiled yet.
                self.code_full = true;
                for id in new_ids {
                    let Some(block) = self.blocks[id as usize].take() else { continue };
                    self.cache.remove(&cache_key(block.source, block.start));
                    self.by_addr[block.start as usize] = NOT_COMPILABLE;
                    for list in self.source_blocks.values_mut() {
                        list.retain(|&b| b != id);
                    }
                    if B::writable_source(block.source) {
                        self.count_fixed_bytes(&block, -1);
                    }
                }
                self.stats.compile_seconds += started.elapsed().as_secs_f64();
                return NOT_COMPILABLE;
            }
            let mut touched = HashSet::default();
            for id in new_ids {
                self.map_block(id);
                if let Some(block) = self.blocks[id as usize].as_ref() {
                    touched.extend(block.fixed_sources().map(|s| s >> 8));
                }
            }
            self.refresh_maps::<B>(Some(&touched));
        }
        self.stats.compile_seconds += started.elapsed().as_secs_f64();
        match self.by_addr[pc as usize] {
            NO_BLOCK => NOT_COMPILABLE,
            id => id,
        }
    }

    #[cfg(not(target_arch = "x86_64"))]
    fn compile<V: Variant, B: JitBus>(&mut self, _pc: u16, _bus: &mut B) -> u32 {
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
        {
            let ctx = &mut *self.ctx;
            // SAFETY: `Cpu<V>` and `Cpu<Nmos6502>` have the same layout
            // (`repr(C)`; the variant is a zero-sized marker).
            ctx.cpu = unsafe { std::mem::transmute_copy::<Cpu<V>, Cpu<dynes_cpu::Nmos6502>>(cpu) };
            ctx.bus = (bus as *mut B).cast();
            ctx.cycle = bus.cycle_mut() as *mut u64;
            ctx.deadline = deadline;
            ctx.irq_waiting = u8::from(bus.irq_waiting());
            ctx.trap = codegen::NO_TRAP;
            ctx.exit_request = 0;
            ctx.fallbacks = 0;
            ctx.written = [0; 4];
        }
        self.code.run(entry, &mut self.ctx);
        // SAFETY: as above.
        *cpu = unsafe { std::mem::transmute_copy::<Cpu<dynes_cpu::Nmos6502>, Cpu<V>>(&self.ctx.cpu) };
        self.ctx.bus = std::ptr::null_mut();
        self.stats.dispatches += 1;
        let fallbacks = self.ctx.fallbacks;
        self.stats.guest_insns_jit += cpu.instructions() - before - fallbacks;
        self.stats.guest_insns_interp += fallbacks;
        let trap = (self.ctx.trap != codegen::NO_TRAP).then_some(self.ctx.trap as u16);
        let written = self.ctx.written;
        self.invalidate_written::<B>(written);
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

    /// One interpreter step, watching its stores for pages with code. On an
    /// interpret-only page the interpreter keeps going (at its full speed)
    /// until PC leaves such pages or `cycle_limit` is reached.
    fn interpret<V: Variant, B: JitBus>(&mut self, cpu: &mut Cpu<V>, bus: &mut B, cycle_limit: u64) -> Step {
        let pc = cpu.pc();
        let before = cpu.instructions();
        let mut watched = WatchedBus {
            inner: bus,
            code_pages: self.code_pages(),
            code_bytes: &self.code_bytes,
            written: [0; 4],
        };
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
        self.invalidate_written::<B>(written);
        Step::Interpreted { pc: last_insn }
    }

    fn code_pages(&self) -> &[u8; 256] {
        #[cfg(target_arch = "x86_64")]
        {
            &self.ctx.code_pages
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            &[0; 256]
        }
    }

    /// Drops the blocks on the guest pages in the `written` bit set.
    fn invalidate_written<B: JitBus>(&mut self, written: [u64; 4]) {
        if written == [0; 4] {
            return;
        }
        let mut unlink = Vec::new();
        let mut touched = HashSet::default();
        for (word, bits) in written.iter().enumerate() {
            let mut bits = *bits;
            while bits != 0 {
                let page = word * 64 + bits.trailing_zeros() as usize;
                bits &= bits - 1;
                let info = self.pages[page];
                if !info.read.is_null() && B::writable_source(info.source) {
                    self.invalidate_source_page(info.source >> 8, &mut unlink, &mut touched);
                }
            }
        }
        #[cfg(target_arch = "x86_64")]
        self.code.unlink(&unlink);
        self.refresh_maps::<B>(Some(&touched));
    }

    /// Drops every block with bytes on source page `page`.
    /// Notes in `touched` the source pages whose fixed bytes changed.
    fn invalidate_source_page(
        &mut self,
        page: u32,
        unlink: &mut Vec<(usize, usize)>,
        touched: &mut HashSet<u32>,
    ) {
        touched.insert(page);
        let ids = self.source_blocks.remove(&page).unwrap_or_default();
        for id in ids {
            let Some(block) = self.blocks[id as usize].take() else { continue };
            self.stats.invalidations += 1;
            self.cache.remove(&cache_key(block.source, block.start));
            if self.by_addr[block.start as usize] == id {
                self.by_addr[block.start as usize] = NO_BLOCK;
                self.entry[block.start as usize] = 0;
            }
            unlink.push((block.host_offset, block.relink_offset));
            self.count_fixed_bytes(&block, -1);
            touched.extend(block.fixed_sources().map(|s| s >> 8));
            let last = block.source + (block.end() - block.start as u32) - 1;
            for other in (block.source >> 8)..=(last >> 8) {
                if other != page {
                    if let Some(list) = self.source_blocks.get_mut(&other) {
                        list.retain(|&b| b != id);
                    }
                }
            }
        }
        // Addresses showing the page that could not be compiled may compile now.
        for guest in 0..256usize {
            let info = self.pages[guest];
            if !info.read.is_null() && info.source >> 8 == page {
                let base = guest << 8;
                for slot in &mut self.by_addr[base..base + 256] {
                    if *slot == NOT_COMPILABLE {
                        *slot = NO_BLOCK;
                    }
                }
            }
        }
        let count = self.source_invalidations.entry(page).or_default();
        *count += 1;
        if *count == DYNAMIC_OPERANDS_AFTER {
            self.dynamic_sources.insert(page);
        }
        if *count == INTERPRET_ONLY_AFTER {
            self.interpret_only_sources.insert(page);
            self.stats.interpret_only_pages += 1;
        }
    }
}

/// A block decoded for the next batch.
#[cfg(target_arch = "x86_64")]
struct Planned {
    addr: u16,
    insns: Vec<Instruction>,
    label: dynasmrt::DynamicLabel,
    window: (u32, u32),
}

impl Jit {
    /// Adds `delta` (1 or -1) to the fixed-byte counts of `block`'s bytes.
    fn count_fixed_bytes(&mut self, block: &Block, delta: i32) {
        for source in block.fixed_sources() {
            let counts = self.fixed.entry(source >> 8).or_insert_with(|| Box::new([0; 256]));
            let count = &mut counts[(source & 0xFF) as usize];
            *count = (*count as i32 + delta).clamp(0, u16::MAX as i32) as u16;
        }
    }
}

fn cache_key(source: u32, addr: u16) -> u64 {
    (source as u64) << 16 | addr as u64
}

/// Runs the instruction at PC on the interpreter for compiled code (its
/// access was not plain memory); returns non-zero when compiled code must
/// leave: PC is not `next`, an interrupt is on its way, the deadline moved
/// closer, the mapping changed, code was written, or the CPU stalled.
#[cfg(target_arch = "x86_64")]
extern "sysv64" fn fallback<V: Variant, B: JitBus>(ctx: *mut codegen::Context, next: u32) -> u32 {
    // SAFETY: compiled code passes the dispatcher's context.
    let (ctx, cpu, bus) = unsafe { parts::<V, B>(ctx) };
    let generation = bus.mapping_generation();
    let start = bus.cycle();
    let opcode = bus.peek(cpu.pc());
    // SAFETY: `code_bytes` is the recompiler's 64 KiB map, alive while
    // compiled code runs and not written during it.
    let code_bytes = unsafe { std::slice::from_raw_parts(ctx.code_bytes, 0x10000) };
    let mut watched = WatchedBus { inner: bus, code_pages: &ctx.code_pages, code_bytes, written: [0; 4] };
    cpu.step(&mut watched);
    let written = watched.written;
    ctx.fallbacks += 1;
    for (all, new) in ctx.written.iter_mut().zip(written) {
        *all |= new;
    }
    let stalled = bus.cycle() - start > OPCODES[opcode as usize].max_cycles() as u64;
    let leave = next == codegen::ALWAYS_EXIT
        || cpu.pc() as u32 != next
        || written != [0; 4]
        || cpu.irq_state().0 != 0
        || cpu.jammed().is_some()
        || bus.mapping_generation() != generation
        || bus.deadline() < ctx.deadline
        || stalled;
    leave as u32
}

/// The context, CPU and bus behind a pointer from compiled code.
///
/// # Safety
/// `ctx` must be the context the dispatcher set up for the running block:
/// its `cpu` holds variant `V`'s state (the layout is the same for every
/// variant) and `bus` points at the `B` the dispatcher is running,
/// exclusively borrowed while the block runs.
#[cfg(target_arch = "x86_64")]
unsafe fn parts<'a, V: Variant, B: JitBus>(
    ctx: *mut codegen::Context,
) -> (&'a mut codegen::Context, &'a mut Cpu<V>, &'a mut B) {
    // SAFETY: see the function's contract; the three references cover
    // disjoint memory (the `Cpu` is the context's first field and is only
    // reached through `cpu` while these are alive).
    unsafe {
        let cpu = &mut *(&mut (*ctx).cpu as *mut Cpu<dynes_cpu::Nmos6502>).cast::<Cpu<V>>();
        let bus = &mut *(*ctx).bus.cast::<B>();
        (&mut *ctx, cpu, bus)
    }
}

/// A read by compiled code of an address that is not plain memory (an I/O
/// register, open bus), during the instruction's last cycle: the bus read
/// and the interpreter's end-of-cycle sampling. Asks compiled code to leave
/// after the instruction when an interrupt is on its way, the deadline
/// moved closer or the mapping changed.
#[cfg(target_arch = "x86_64")]
extern "sysv64" fn io_read<V: Variant, B: JitBus>(
    ctx: *mut codegen::Context,
    addr: u32,
    last_bus: u32,
) -> u32 {
    // SAFETY: compiled code passes the dispatcher's context.
    let (ctx, cpu, bus) = unsafe { parts::<V, B>(ctx) };
    let generation = bus.mapping_generation();
    bus.set_open_bus(last_bus as u8);
    let value = bus.read(addr as u16);
    cpu.end_of_cycle(bus);
    if cpu.irq_state().0 != 0 || bus.deadline() < ctx.deadline || bus.mapping_generation() != generation {
        ctx.exit_request = 1;
    }
    value as u32
}

/// A write by compiled code to an address that is not plain memory (I/O
/// and mapper registers, protected or code-holding RAM) during the
/// instruction's last cycle. Asks compiled code to leave after it as
/// [`io_read`] does, and also after a DMA stall or a write into code.
#[cfg(target_arch = "x86_64")]
extern "sysv64" fn io_write<V: Variant, B: JitBus>(ctx: *mut codegen::Context, addr: u32, value: u32) {
    // SAFETY: compiled code passes the dispatcher's context.
    let (ctx, cpu, bus) = unsafe { parts::<V, B>(ctx) };
    let generation = bus.mapping_generation();
    let start = bus.cycle();
    bus.write(addr as u16, value as u8);
    let page = (addr >> 8) as usize & 0xFF;
    // SAFETY: as in `fallback`.
    let code_written =
        ctx.code_pages[page] != 0 && unsafe { *ctx.code_bytes.add(addr as usize & 0xFFFF) } != 0;
    if code_written {
        ctx.written[page / 64] |= 1 << (page % 64);
    }
    cpu.end_of_cycle(bus);
    if code_written
        || bus.cycle() != start + 1
        || cpu.irq_state().0 != 0
        || bus.deadline() < ctx.deadline
        || bus.mapping_generation() != generation
    {
        ctx.exit_request = 1;
    }
}

/// The bus as the interpreter sees it inside the dispatcher: stores into
/// pages holding compiled code are noted, so those blocks can be dropped.
struct WatchedBus<'a, B: JitBus> {
    inner: &'a mut B,
    code_pages: &'a [u8; 256],
    code_bytes: &'a [u8],
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
        if self.code_pages[page] != 0 && self.code_bytes[addr as usize] != 0 {
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

    fn irq_masked(&mut self, masked: bool) {
        self.inner.irq_masked(masked);
    }

    fn irq_waiting(&self) -> bool {
        self.inner.irq_waiting()
    }
}
