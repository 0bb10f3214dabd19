//! The NES CPU bus: 2 KiB of RAM, the cartridge's mapper, the controllers,
//! and the open-bus value that unanswered reads return.

pub mod cartridge;
pub mod controller;
pub mod mapper;
#[cfg(test)]
mod tests;

pub use cartridge::{Cartridge, CartridgeError, Console, Header, Mirroring, Region, RomFormat};
pub use controller::{Buttons, Controller};
pub use mapper::Mapper;

/// Size of the console's internal RAM, mirrored through $0000-$1FFF.
pub const RAM_SIZE: usize = 0x800;

/// The CPU's address space as the NES wires it.
pub struct NesBus {
    ram: [u8; RAM_SIZE],
    mapper: Mapper,
    controllers: [Controller; 2],
    open_bus: u8,
    cycle: u64,
}

impl NesBus {
    /// A bus at power-on (RAM zeroed, cycle 0) with `mapper` plugged in.
    pub fn new(mapper: Mapper) -> NesBus {
        NesBus {
            ram: [0; RAM_SIZE],
            mapper,
            controllers: [Controller::new(), Controller::new()],
            open_bus: 0,
            cycle: 0,
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

    /// Sets the cycle counter (e.g. to start a trace at a known count).
    pub fn set_cycle(&mut self, cycle: u64) {
        self.cycle = cycle;
    }

    /// $2000-$401F: the registers, kept out of line so RAM and ROM reads stay
    /// small enough to inline into the CPU.
    #[inline(never)]
    fn read_io(&mut self, addr: u16) -> u8 {
        match addr {
            // The PPU issue fills this in; until then nothing drives the bus.
            0x2000..=0x3FFF => self.open_bus,
            // Only bits 0-4 are driven; a standard controller uses bit 0.
            0x4016 => self.controllers[0].read() | (self.open_bus & 0xE0),
            0x4017 => self.controllers[1].read() | (self.open_bus & 0xE0),
            _ => self.open_bus,
        }
    }

    /// $2000-$401F writes.
    #[inline(never)]
    fn write_io(&mut self, addr: u16, value: u8) {
        // The strobe line is shared by both ports.
        if addr == 0x4016 {
            for controller in &mut self.controllers {
                controller.write_strobe(value);
            }
        }
    }
}

impl dynes_cpu::Bus for NesBus {
    // INTERRUPTS, deadline, nmi_line and irq_line keep their defaults (on,
    // never, low, low) until the PPU and APU issues give them a source.

    #[inline]
    fn read(&mut self, addr: u16) -> u8 {
        self.cycle += 1;
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

    #[inline]
    fn write(&mut self, addr: u16, value: u8) {
        self.cycle += 1;
        self.open_bus = value;
        if addr < 0x2000 {
            self.ram[addr as usize & (RAM_SIZE - 1)] = value;
        } else if addr >= 0x4020 {
            self.mapper.cpu_write(addr, value);
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
        } else {
            0xFF
        }
    }

    #[inline]
    fn cycle(&self) -> u64 {
        self.cycle
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
