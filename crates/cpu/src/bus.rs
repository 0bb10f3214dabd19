//! The CPU's view of memory: one call is one bus cycle.

/// The address space the CPU runs on.
///
/// Every `read` and `write` is exactly one CPU cycle and advances [`Bus::cycle`]
/// by one (a bus may add stall cycles, e.g. for DMA, inside the call). The
/// interpreter is generic over this trait, so a flat RAM and the NES bus are
/// both monomorphized with no dynamic dispatch per access.
///
/// Interrupt lines are sampled by the CPU at the end of a cycle only when
/// `cycle() > deadline()` (or while an interrupt is already on its way): a bus
/// promises that neither line changes at a cycle before its deadline, and
/// lowers the deadline to "now" whenever something it does (a register
/// write, an acknowledge) changes a line, and keeps it there while IRQ is
/// asserted and not masked by I (see [`Bus::irq_masked`]).
pub trait Bus {
    /// `false` for buses that never raise interrupts: the interpreter then
    /// compiles all interrupt polling out.
    const INTERRUPTS: bool = true;

    /// Reads `addr` (one cycle, with all side effects).
    fn read(&mut self, addr: u16) -> u8;
    /// Writes `value` to `addr` (one cycle, with all side effects).
    fn write(&mut self, addr: u16, value: u8);
    /// Reads `addr` without side effects and without spending a cycle (for
    /// disassembly and traces). I/O registers may answer an approximation.
    fn peek(&self, addr: u16) -> u8;
    /// CPU cycles since power-on: the number of bus cycles performed.
    fn cycle(&self) -> u64;
    /// The first cycle index whose end-of-cycle interrupt sample may differ
    /// from the one before it.
    #[inline(always)]
    fn deadline(&self) -> u64 {
        u64::MAX
    }
    /// The CPU tells the bus, before each IRQ sample and whenever CLI, PLP
    /// or RTI clears I, whether its I flag masks IRQ. While IRQ is asserted
    /// but masked, nothing the line does can change a sample, so the bus
    /// may keep a later deadline; when I clears it must lower it to now.
    #[inline(always)]
    fn irq_masked(&mut self, _masked: bool) {}
    /// Whether IRQ was asserted but masked at the last sample (compiled
    /// code must then leave after an instruction that clears I).
    #[inline(always)]
    fn irq_waiting(&self) -> bool {
        false
    }
    /// Level of /NMI as of the end of the last cycle (`true` = asserted).
    #[inline(always)]
    fn nmi_line(&mut self) -> bool {
        false
    }
    /// Level of /IRQ as of the end of the last cycle (`true` = asserted).
    #[inline(always)]
    fn irq_line(&mut self) -> bool {
        false
    }
}

/// 64 KiB of plain RAM with no I/O and no interrupts, for CPU tests such as
/// Klaus Dormann's functional test.
pub struct FlatRam {
    // Inline (not a separate Box) so the optimizer can see that stores to
    // memory never touch the cycle counter and keep it in a register.
    mem: [u8; 0x10000],
    cycle: u64,
}

impl FlatRam {
    /// All-zero RAM at cycle 0, on the heap (it is 64 KiB).
    pub fn new() -> Box<Self> {
        Box::new(Self { mem: [0; 0x10000], cycle: 0 })
    }

    /// Copies `image` into RAM starting at `addr`, wrapping at $FFFF.
    pub fn load(&mut self, addr: u16, image: &[u8]) {
        for (i, byte) in image.iter().enumerate() {
            self.mem[addr.wrapping_add(i as u16) as usize] = *byte;
        }
    }

    /// The whole 64 KiB.
    pub fn memory(&self) -> &[u8; 0x10000] {
        &self.mem
    }

    /// The whole 64 KiB, writable (no cycles spent).
    pub fn memory_mut(&mut self) -> &mut [u8; 0x10000] {
        &mut self.mem
    }

    /// The cycle counter, writable in place (the recompiler's generated
    /// code advances it).
    pub fn cycle_mut(&mut self) -> &mut u64 {
        &mut self.cycle
    }

    /// Sets the cycle counter (e.g. to start a trace at a known count).
    pub fn set_cycle(&mut self, cycle: u64) {
        self.cycle = cycle;
    }
}

impl Bus for FlatRam {
    const INTERRUPTS: bool = false;

    #[inline(always)]
    fn read(&mut self, addr: u16) -> u8 {
        self.cycle += 1;
        self.mem[addr as usize]
    }

    #[inline(always)]
    fn write(&mut self, addr: u16, value: u8) {
        self.cycle += 1;
        self.mem[addr as usize] = value;
    }

    #[inline(always)]
    fn peek(&self, addr: u16) -> u8 {
        self.mem[addr as usize]
    }

    #[inline(always)]
    fn cycle(&self) -> u64 {
        self.cycle
    }
}
