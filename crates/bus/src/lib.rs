//! The NES CPU bus: 2 KiB of RAM, the cartridge's mapper, the controllers,
//! and the open-bus value that unanswered reads return.

pub mod cartridge;
pub mod controller;
pub mod mapper;
#[cfg(test)]
mod tests;

pub use cartridge::{Cartridge, CartridgeError, Console, Header, Mirroring, Region, RomFormat};
pub use controller::{Buttons, Controller};
pub use mapper::{source, Mapper, PlainPage};

use dynes_apu::Apu;
use dynes_ppu::{Ppu, PpuBus};

pub use dynes_ppu::Region as TvSystem;

/// How CPU cycles and PPU dots line up, in master-clock ticks: NTSC runs the
/// CPU every 12 and the PPU every 4 ticks (3 dots per cycle), PAL every 16
/// and 5 (3.2 dots per cycle).
#[derive(Clone, Copy, Debug, serde::Serialize, serde::Deserialize)]
struct Timing {
    cycle_ticks: u64,
    dot_ticks: u64,
}

impl Timing {
    fn of(system: TvSystem) -> Timing {
        match system {
            TvSystem::Ntsc => Timing { cycle_ticks: 12, dot_ticks: 4 },
            TvSystem::Pal => Timing { cycle_ticks: 16, dot_ticks: 5 },
        }
    }

    /// Dots processed when the CPU reaches the PPU during cycle `k`: one
    /// dot into the cycle.
    #[inline]
    fn access_dots(self, k: u64) -> u64 {
        (self.cycle_ticks * k + self.dot_ticks) / self.dot_ticks
    }

    /// Dots processed when the interrupt lines are sampled at the end of cycle `k`.
    #[inline]
    fn end_of_cycle_dots(self, k: u64) -> u64 {
        (self.cycle_ticks * k + self.cycle_ticks - 1) / self.dot_ticks
    }

    /// Dots processed once `cycles` cycles have completed.
    #[inline]
    fn boundary_dots(self, cycles: u64) -> u64 {
        self.cycle_ticks * cycles / self.dot_ticks
    }

    /// The first cycle whose end-of-cycle sample sees dot `event` processed.
    fn first_cycle_seeing(self, event: u64) -> u64 {
        let ticks = (self.dot_ticks * (event + 1) + 1).saturating_sub(self.cycle_ticks);
        ticks.div_ceil(self.cycle_ticks)
    }

    /// The number of completed cycles after which dot `event` is processed.
    fn cycles_until_processed(self, event: u64) -> u64 {
        (self.dot_ticks * (event + 1)).div_ceil(self.cycle_ticks)
    }
}

/// Size of the console's internal RAM, mirrored through $0000-$1FFF.
pub const RAM_SIZE: usize = 0x800;

/// The CPU's address space as the NES wires it.
///
/// Serializable for save states, except the cartridge's ROM: a restored
/// bus takes it from the running one ([`NesBus::restore`]).
#[derive(Clone, serde::Serialize, serde::Deserialize)]
pub struct NesBus {
    #[serde(with = "serde_bytes")]
    ram: [u8; RAM_SIZE],
    mapper: Mapper,
    ppu: Ppu,
    /// Console nametable RAM (2 KiB), plus 2 KiB for four-screen boards.
    #[serde(with = "serde_bytes")]
    vram: [u8; 0x1000],
    /// See `dynes_cpu::Bus::deadline`: the first cycle whose end-of-cycle
    /// interrupt sample may differ from the one before.
    deadline: u64,
    /// PPU A12 as the cartridge sees it, for MMC3's scanline counter.
    a12: A12Filter,
    timing: Timing,
    controllers: [Controller; 2],
    open_bus: u8,
    cycle: u64,
    /// Counts writes that may have changed the CPU memory map.
    mapping_generation: u64,
    apu: Apu,
    /// The CPU's I flag at the last IRQ sample (see `Bus::irq_masked`).
    #[serde(skip)]
    irq_masked: bool,
    /// IRQ was asserted but masked at the last sample.
    #[serde(skip)]
    irq_waiting: bool,
    /// The APU's next event ([`Apu::next_event`]): a cycle index at which
    /// the bus must catch the APU up (a DMC fetch may be due).
    apu_event: u64,
}

impl NesBus {
    /// An NTSC bus at power-on (RAM zeroed, cycle 0) with `mapper` plugged in.
    pub fn new(mapper: Mapper) -> NesBus {
        NesBus::with_tv_system(mapper, TvSystem::Ntsc)
    }

    /// A bus of an NTSC or PAL console at power-on.
    pub fn with_tv_system(mapper: Mapper, system: TvSystem) -> NesBus {
        NesBus {
            ram: [0; RAM_SIZE],
            mapper,
            ppu: Ppu::with_region(system),
            timing: Timing::of(system),
            vram: [0; 0x1000],
            deadline: 0,
            a12: A12Filter::default(),
            controllers: [Controller::new(), Controller::new()],
            open_bus: 0,
            cycle: 0,
            mapping_generation: 0,
            apu: Apu::new(match system {
                TvSystem::Ntsc => dynes_apu::Region::Ntsc,
                TvSystem::Pal => dynes_apu::Region::Pal,
            }),
            apu_event: 0,
            irq_masked: false,
            irq_waiting: false,
        }
    }

    /// The APU (caught up to the last access that observed it).
    pub fn apu(&self) -> &Apu {
        &self.apu
    }

    /// The APU, writable (to set the output rate).
    pub fn apu_mut(&mut self) -> &mut Apu {
        &mut self.apu
    }

    /// Brings the APU up to the end of the last cycle, e.g. before taking
    /// its samples at the end of a frame.
    pub fn sync_apu(&mut self) {
        self.catch_up_apu(self.cycle);
    }

    /// The APU's side of the reset button.
    pub fn reset_apu(&mut self) {
        self.catch_up_apu(self.cycle);
        self.apu.reset();
        self.apu_event = self.apu.next_event();
        self.deadline = 0;
    }

    /// Processes APU cycles until `cycles` are done, and notes its next
    /// event.
    #[inline]
    fn catch_up_apu(&mut self, cycles: u64) {
        self.apu.run_to(cycles);
        self.apu_event = self.apu.next_event();
    }

    /// The DMC's memory reader may want a byte: if so the CPU, about to
    /// read `addr` during the cycle just counted, is halted for a DMC DMA
    /// instead, and its read happens after.
    #[cold]
    fn dmc_dma(&mut self, addr: u16) {
        let k = self.cycle - 1;
        self.catch_up_apu(k);
        if !self.apu.dmc_wants_byte() {
            return;
        }
        self.cycle = k;
        self.run_dma(Some(addr), None);
        self.cycle += 1;
    }

    /// Runs the DMA units while the CPU is halted, from cycle `self.cycle`
    /// (the halt cycle) on: the sprite DMA of `oam_page` if given, and a DMC
    /// fetch whenever the DMC wants a byte, now or during the sprite DMA.
    ///
    /// Every cycle is a *get* (a unit may read; the even cycles) or a
    /// *put* (sprite DMA writes OAM; the odd ones). The DMC's fetch needs two cycles after its request (a
    /// halt and a dummy cycle, which may be sprite DMA cycles) and then
    /// takes the next get, ahead of the sprite DMA, which then needs a
    /// cycle to realign. Cycles with nothing to do repeat the halted CPU's
    /// read of `halted_at`.
    fn run_dma(&mut self, halted_at: Option<u16>, oam_page: Option<u8>) {
        // Sprite DMA's progress: even = next a get, odd = next a put.
        let mut oam = oam_page.map(|page| (u16::from(page) << 8, 0u16));
        let mut latch = 0;
        // Cycles the DMC's fetch must still wait (its halt and dummy).
        let mut dmc: Option<u8> = None;
        let mut halt = true;
        while halt || dmc.is_some() || oam.is_some() {
            let c = self.cycle;
            self.cycle += 1;
            if dmc.is_none() && c >= self.apu_event {
                self.catch_up_apu(c);
                if self.apu.dmc_wants_byte() {
                    dmc = Some(2);
                }
            }
            let get = c & 1 == 0;
            match (&mut oam, dmc) {
                _ if halt => self.halted_read(halted_at, true),
                (_, Some(0)) if get => {
                    // Sample addresses are always $8000-$FFFF: the cartridge.
                    let value = self.mapper.cpu_read(self.apu.dmc_address()).unwrap_or(self.open_bus);
                    self.open_bus = value;
                    self.catch_up_apu(c);
                    self.apu.dmc_fill(value);
                    self.apu_event = self.apu.next_event();
                    dmc = None;
                }
                (Some((base, done)), _) if get == (*done & 1 == 0) => {
                    if get {
                        latch = self.load(*base | *done >> 1);
                    } else {
                        self.catch_up_ppu(self.access_dot());
                        self.ppu.write_oam_dma(latch);
                    }
                    *done += 1;
                    if *done == 512 {
                        oam = None;
                    }
                }
                _ => self.halted_read(halted_at, false),
            }
            halt = false;
            if let Some(wait) = &mut dmc {
                *wait = wait.saturating_sub(1);
            }
        }
        self.deadline = 0;
    }

    /// A halted CPU keeps reading the address it stopped at: registers
    /// with read side effects see each of those reads, except that a
    /// controller port sees one read for a run of consecutive ones (the
    /// first).
    fn halted_read(&mut self, addr: Option<u16>, first: bool) {
        let Some(addr) = addr else { return };
        if matches!(addr, 0x2000..=0x3FFF | 0x4015) || (first && matches!(addr, 0x4016 | 0x4017)) {
            self.load(addr);
        }
    }

    /// Internal RAM.
    pub fn ram(&self) -> &[u8; RAM_SIZE] {
        &self.ram
    }

    /// Internal RAM, writable (no cycles spent).
    pub fn ram_mut(&mut self) -> &mut [u8; RAM_SIZE] {
        &mut self.ram
    }

    /// The cartridge board.
    pub fn mapper(&self) -> &Mapper {
        &self.mapper
    }

    /// The cartridge board, writable.
    pub fn mapper_mut(&mut self) -> &mut Mapper {
        &mut self.mapper
    }

    /// Controller in `port` 0 ($4016) or 1 ($4017); panics on other ports.
    pub fn controller(&self, port: usize) -> &Controller {
        &self.controllers[port]
    }

    /// Controller in `port` 0 ($4016) or 1 ($4017), writable; panics on
    /// other ports.
    pub fn controller_mut(&mut self, port: usize) -> &mut Controller {
        &mut self.controllers[port]
    }

    /// The last value driven on the CPU data bus.
    pub fn open_bus(&self) -> u8 {
        self.open_bus
    }

    /// Sets the value last seen on the CPU data bus (what open-bus reads
    /// return), for compiled code that fetched bytes without the bus.
    pub fn set_open_bus(&mut self, value: u8) {
        self.open_bus = value;
    }

    /// The cycle counter, for compiled code that counts cycles itself.
    pub fn cycle_mut(&mut self) -> &mut u64 {
        &mut self.cycle
    }

    /// Changes whenever a write may have changed what [`NesBus::plain_page`]
    /// answers (a mapper register write).
    pub fn mapping_generation(&self) -> u64 {
        self.mapping_generation
    }

    /// How CPU page `page` is mapped now, for compiled code: console RAM
    /// (through its mirrors), plain cartridge memory, or nothing plain
    /// (registers and open bus).
    pub fn plain_page(&mut self, page: u8) -> PlainPage {
        match page {
            0x00..=0x1F => {
                let offset = (usize::from(page) << 8) & (RAM_SIZE - 1);
                PlainPage::ram(&mut self.ram[offset..offset + 0x100], source::RAM + offset as u32, true, true)
            }
            0x20..=0x3F => PlainPage::NONE,
            page => self.mapper.plain_page(page),
        }
    }

    /// Sets the cycle counter (e.g. to start a trace at a known count).
    pub fn set_cycle(&mut self, cycle: u64) {
        self.cycle = cycle;
    }

    /// The PPU (caught up to the last access that observed it).
    pub fn ppu(&self) -> &Ppu {
        &self.ppu
    }

    /// The PPU and the memory it fetches through, borrowed together.
    #[inline]
    fn ppu_with_memory(&mut self) -> (&mut Ppu, PpuMemory<'_>) {
        (&mut self.ppu, PpuMemory { mapper: &mut self.mapper, vram: &mut self.vram, a12: &mut self.a12 })
    }

    /// Brings the PPU up to `dots` processed dots.
    #[inline]
    fn catch_up_ppu(&mut self, dots: u64) {
        let (ppu, mut memory) = self.ppu_with_memory();
        ppu.run_to(dots, &mut memory);
    }

    /// Brings the PPU up to the boundary after the last completed cycle,
    /// e.g. before showing a frame or a trace.
    pub fn sync_ppu(&mut self) {
        self.catch_up_ppu(self.timing.boundary_dots(self.cycle));
    }

    /// The CPU cycle at whose end the PPU's next vblank has begun.
    pub fn next_vblank_cycle(&self) -> u64 {
        let event_dot = self.ppu.dots() + self.ppu.dots_until_vblank();
        self.timing.cycles_until_processed(event_dot)
    }

    /// Reads a nametable byte ($2000-$2FFF) without side effects.
    pub fn peek_nametable(&self, addr: u16) -> u8 {
        self.vram[nametable_index(self.mapper.mirroring(), addr)]
    }

    /// The PPU's side of the reset button.
    pub fn reset_ppu(&mut self) {
        self.ppu.reset();
        self.deadline = 0;
    }

    /// The next cycle whose end-of-cycle interrupt sample may change: the
    /// PPU's next vblank edge, the next scanline's A12 rise while a mapper
    /// IRQ is armed, or now while the IRQ line is asserted.
    fn update_deadline(&mut self) {
        // A mapper's IRQ is sampled every cycle while asserted. The APU's
        // frame IRQ is often left asserted for good under a set I flag:
        // while I masks it the samples cannot change, so they wait for the
        // next event (or for I to clear, see `irq_masked`).
        let apu_irq = self.apu.irq_line();
        if self.mapper.irq_line() || (apu_irq && !self.irq_masked) {
            self.irq_waiting = false;
            self.deadline = 0;
            return;
        }
        self.irq_waiting = apu_irq;
        let mut dots = self.ppu.dots_until_event();
        if self.mapper.irq_armed() {
            dots = dots.min(self.ppu.dots_until_a12_candidate());
        }
        self.deadline = self.timing.first_cycle_seeing(self.ppu.dots() + dots).min(self.apu_event);
    }

    /// Dots the PPU has processed when the CPU accesses it during the cycle
    /// that was just counted: one dot into that cycle's three.
    #[inline]
    fn access_dot(&self) -> u64 {
        self.timing.access_dots(self.cycle.saturating_sub(1))
    }

    /// $4014: copy a page to OAM. The CPU is halted at its next cycle (a
    /// read: the next opcode fetch), one more to align to a get cycle if
    /// needed, then 256 get/put pairs: 513 or 514 cycles, more if the DMC
    /// fetches meanwhile.
    fn oam_dma(&mut self, page: u8) {
        self.run_dma(None, Some(page));
    }

    /// A CPU-side read of `addr` during the cycle just counted.
    #[inline]
    fn load(&mut self, addr: u16) -> u8 {
        let value = if addr < 0x2000 {
            self.ram[addr as usize & (RAM_SIZE - 1)]
        } else if addr >= 0x4020 {
            self.mapper.cpu_read(addr).unwrap_or(self.open_bus)
        } else {
            self.read_io(addr)
        };
        self.open_bus = value;
        value
    }

    /// $2000-$401F: the registers, kept out of line so RAM and ROM reads stay
    /// small enough to inline into the CPU.
    #[inline(never)]
    fn read_io(&mut self, addr: u16) -> u8 {
        match addr {
            0x2000..=0x3FFF => {
                self.catch_up_ppu(self.access_dot());
                let (ppu, mut memory) = self.ppu_with_memory();
                let value = ppu.read_register(addr, &mut memory);
                // A $2002 read can lower the NMI line: sample from now on.
                self.deadline = 0;
                value
            }
            0x4015 => {
                // The status read sees this cycle's frame counter step.
                self.catch_up_apu(self.cycle);
                let value = self.apu.read_status(self.open_bus);
                // Reading clears the frame IRQ flag.
                self.deadline = 0;
                value
            }
            // Only bits 0-4 are driven; a standard controller uses bit 0.
            0x4016 => self.controllers[0].read() | (self.open_bus & 0xE0),
            0x4017 => self.controllers[1].read() | (self.open_bus & 0xE0),
            _ => self.open_bus,
        }
    }

    /// $2000-$401F writes.
    #[inline(never)]
    fn write_io(&mut self, addr: u16, value: u8) {
        match addr {
            0x2000..=0x3FFF => {
                self.catch_up_ppu(self.access_dot());
                let (ppu, mut memory) = self.ppu_with_memory();
                ppu.write_register(addr, value, &mut memory);
                // $2000 can raise or lower NMI, $2001 moves the odd-frame
                // skip: sample from now on until the deadline is known again.
                self.deadline = 0;
            }
            0x4014 => self.oam_dma(value),
            0x4000..=0x4013 | 0x4015 | 0x4017 => {
                // Channel registers change after the next cycle's frame
                // counter clocks (a length reload or halt written as the
                // counter is clocked does not affect that clock); $4015 and
                // $4017 after this cycle's.
                self.catch_up_apu(if addr < 0x4014 { self.cycle + 1 } else { self.cycle });
                self.apu.write(addr, value);
                self.apu_event = self.apu.next_event();
                // $4015 and $4017 can lower the IRQ line.
                self.deadline = 0;
            }
            // The strobe line is shared by both ports.
            0x4016 => {
                for controller in &mut self.controllers {
                    controller.write_strobe(value);
                }
            }
            _ => {}
        }
    }
}

impl dynes_cpu::Bus for NesBus {
    #[inline]
    fn read(&mut self, addr: u16) -> u8 {
        self.cycle += 1;
        if self.cycle > self.apu_event {
            self.dmc_dma(addr);
        }
        self.load(addr)
    }

    #[inline]
    fn write(&mut self, addr: u16, value: u8) {
        self.cycle += 1;
        self.open_bus = value;
        if addr < 0x2000 {
            self.ram[addr as usize & (RAM_SIZE - 1)] = value;
        } else if addr >= 0x4020 {
            self.mapper.cpu_write(addr, value, self.cycle);
            if self.mapper.write_affects_mapping(addr) {
                // IRQ enable/acknowledge and the like: sample from now on.
                self.deadline = 0;
                self.mapping_generation += 1;
            }
        } else {
            self.write_io(addr, value);
        }
    }

    #[inline]
    fn peek(&self, addr: u16) -> u8 {
        // 0xFF for I/O and unmapped space is what nestest.log shows there.
        if addr < 0x2000 {
            self.ram[addr as usize & (RAM_SIZE - 1)]
        } else if addr >= 0x4020 {
            self.mapper.cpu_peek(addr).unwrap_or(0xFF)
        } else if addr < 0x4000 {
            self.ppu.peek_register(addr)
        } else {
            0xFF
        }
    }

    #[inline]
    fn deadline(&self) -> u64 {
        self.deadline
    }

    /// Catches the PPU up to the end of the cycle just performed, and moves
    /// the deadline to the cycle whose end first sees its next event.
    fn nmi_line(&mut self) -> bool {
        self.catch_up_ppu(self.timing.end_of_cycle_dots(self.cycle.saturating_sub(1)));
        self.update_deadline();
        self.ppu.nmi_line()
    }

    #[inline]
    fn irq_masked(&mut self, masked: bool) {
        if self.irq_masked && !masked {
            // A pending IRQ may be taken now: sample from the next cycle.
            self.deadline = 0;
            self.irq_waiting = false;
        }
        self.irq_masked = masked;
    }

    #[inline]
    fn irq_waiting(&self) -> bool {
        self.irq_waiting
    }

    fn irq_line(&mut self) -> bool {
        self.catch_up_ppu(self.timing.end_of_cycle_dots(self.cycle.saturating_sub(1)));
        self.catch_up_apu(self.cycle);
        self.update_deadline();
        self.mapper.irq_line() || self.apu.irq_line()
    }

    #[inline]
    fn cycle(&self) -> u64 {
        self.cycle
    }
}

/// What the PPU sees: the mapper's pattern tables and the nametables,
/// arranged by the board's mirroring.
struct PpuMemory<'a> {
    mapper: &'a mut Mapper,
    vram: &'a mut [u8; 0x1000],
    a12: &'a mut A12Filter,
}

/// MMC3 counts a rise of PPU A12 only after A12 has been low for a while
/// (about three CPU cycles), so the short lows between sprite fetches and
/// quick $2006 toggles do not clock it.
#[derive(Clone, Default, serde::Serialize, serde::Deserialize)]
struct A12Filter {
    high: bool,
    /// Dot at which A12 last went low.
    low_since: u64,
}

/// Dots A12 must stay low before a rise counts.
const A12_LOW_DOTS: u64 = 10;

impl PpuMemory<'_> {
    #[inline]
    fn nametable_index(&self, addr: u16) -> usize {
        nametable_index(self.mapper.mirroring(), addr)
    }
}

/// Where nametable address `addr` ($2000-$3EFF) lands in console VRAM.
#[inline]
fn nametable_index(mirroring: Mirroring, addr: u16) -> usize {
    let addr = addr as usize & 0x0FFF;
    let (table, offset) = (addr >> 10, addr & 0x03FF);
    let physical = match mirroring {
        Mirroring::Horizontal => table >> 1,
        Mirroring::Vertical => table & 1,
        Mirroring::FourScreen => table,
        Mirroring::SingleScreenLower => 0,
        Mirroring::SingleScreenUpper => 1,
    };
    physical << 10 | offset
}

impl PpuBus for PpuMemory<'_> {
    #[inline]
    fn drive_address(&mut self, addr: u16, dot: u64) {
        let high = addr & 0x1000 != 0;
        if high != self.a12.high {
            if high {
                if dot.saturating_sub(self.a12.low_since) >= A12_LOW_DOTS {
                    self.mapper.clock_scanline_irq();
                }
            } else {
                self.a12.low_since = dot;
            }
            self.a12.high = high;
        }
    }

    #[inline]
    fn read(&mut self, addr: u16) -> u8 {
        let addr = addr & 0x3FFF;
        if addr < 0x2000 {
            self.mapper.ppu_read(addr)
        } else {
            self.vram[self.nametable_index(addr)]
        }
    }

    #[inline]
    fn write(&mut self, addr: u16, value: u8) {
        let addr = addr & 0x3FFF;
        if addr < 0x2000 {
            self.mapper.ppu_write(addr, value);
        } else {
            self.vram[self.nametable_index(addr)] = value;
        }
    }
}

/// A summary: RAM and ROM contents are no use in a debug print.
impl std::fmt::Debug for NesBus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NesBus")
            .field("mapper", &self.mapper)
            .field("controllers", &self.controllers)
            .field("open_bus", &self.open_bus)
            .field("cycle", &self.cycle)
            .finish_non_exhaustive()
    }
}
