//! The 6502 CPU of the NES (Ricoh 2A03) and its NMOS parent.

mod bus;

pub use bus::{Bus, FlatRam};
mod cpu;
mod interp;
pub mod opcodes;

pub use cpu::{layout, Cpu, Nmos6502, Registers, Ricoh2A03, Variant};
pub use interp::{ANE_MAGIC, LXA_MAGIC};
pub use opcodes::{opcode, Flags, Kind, Mnemonic, Mode, Opcode, OPCODES};
mod disasm;

pub use disasm::{nestest_line, Instruction};
