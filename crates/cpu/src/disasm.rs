//! Disassembly from the opcode table, plain and in nestest.log's trace format.

use std::fmt::Write;

use crate::bus::Bus;
use crate::cpu::{Cpu, Variant};
use crate::opcodes::{opcode, Kind, Mnemonic, Mode, Opcode};

/// One decoded instruction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Instruction {
    /// Address of the opcode byte.
    pub addr: u16,
    /// The instruction's bytes; only `len` of them are meaningful.
    pub bytes: [u8; 3],
    /// Length in bytes (1-3).
    pub len: u8,
    /// The table entry.
    pub info: Opcode,
}

impl Instruction {
    /// Decodes the instruction at `addr`, reading bytes through `peek`.
    pub fn decode(addr: u16, peek: impl Fn(u16) -> u8) -> Self {
        let info = *opcode(peek(addr));
        let mut bytes = [peek(addr), 0, 0];
        for (i, byte) in bytes.iter_mut().enumerate().take(info.size() as usize).skip(1) {
            *byte = peek(addr.wrapping_add(i as u16));
        }
        Self { addr, bytes, len: info.size(), info }
    }

    /// The 8- or 16-bit operand as a number.
    pub fn operand(&self) -> u16 {
        match self.len {
            2 => self.bytes[1] as u16,
            3 => u16::from_le_bytes([self.bytes[1], self.bytes[2]]),
            _ => 0,
        }
    }

    /// The branch target of a relative instruction.
    pub fn branch_target(&self) -> u16 {
        self.addr.wrapping_add(2).wrapping_add(self.bytes[1] as i8 as u16)
    }

    /// The hex bytes, space separated (`4C F5 C5`).
    pub fn hex(&self) -> String {
        let mut out = String::new();
        for (i, byte) in self.bytes[..self.len as usize].iter().enumerate() {
            if i > 0 {
                out.push(' ');
            }
            let _ = write!(out, "{byte:02X}");
        }
        out
    }

    /// The operand in assembler syntax (`#$10`, `($20),Y`, `$C010` for branches).
    pub fn operand_text(&self) -> String {
        let op = self.operand();
        match self.info.mode {
            Mode::Imp => String::new(),
            Mode::Acc => "A".to_string(),
            Mode::Imm => format!("#${op:02X}"),
            Mode::Zp => format!("${op:02X}"),
            Mode::Zpx => format!("${op:02X},X"),
            Mode::Zpy => format!("${op:02X},Y"),
            Mode::Abs => format!("${op:04X}"),
            Mode::Abx => format!("${op:04X},X"),
            Mode::Aby => format!("${op:04X},Y"),
            Mode::Izx => format!("(${op:02X},X)"),
            Mode::Izy => format!("(${op:02X}),Y"),
            Mode::Ind => format!("(${op:04X})"),
            Mode::Rel => format!("${:04X}", self.branch_target()),
        }
    }
}

impl std::fmt::Display for Instruction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let operand = self.operand_text();
        if operand.is_empty() {
            f.write_str(self.info.mnemonic.name())
        } else {
            write!(f, "{} {}", self.info.mnemonic.name(), operand)
        }
    }
}

/// The name nestest.log uses (it calls ISC "ISB").
fn nestest_name(mnemonic: Mnemonic) -> &'static str {
    match mnemonic {
        Mnemonic::Isc => "ISB",
        other => other.name(),
    }
}

/// The instruction about to run, as one line of nestest.log up to and
/// including the `SP:` column (the caller appends `PPU:` and `CYC:`).
/// Memory annotations (`= 00`, `@ 0300`) show values before execution,
/// read with [`Bus::peek`].
pub fn nestest_line<V: Variant, B: Bus>(cpu: &Cpu<V>, bus: &B) -> String {
    let regs = cpu.regs();
    let insn = Instruction::decode(regs.pc, |a| bus.peek(a));
    let peek16_zp =
        |ptr: u8| u16::from_le_bytes([bus.peek(ptr as u16), bus.peek(ptr.wrapping_add(1) as u16)]);
    let op = insn.operand();
    let shows_value = !matches!(insn.info.mnemonic, Mnemonic::Jmp | Mnemonic::Jsr);
    let value = |addr: u16| format!(" = {:02X}", bus.peek(addr));
    let text = match insn.info.mode {
        Mode::Zp => format!("${op:02X}{}", value(op)),
        Mode::Zpx | Mode::Zpy => {
            let (index, name) = if let Mode::Zpx = insn.info.mode { (regs.x, 'X') } else { (regs.y, 'Y') };
            let addr = (op as u8).wrapping_add(index);
            format!("${op:02X},{name} @ {addr:02X}{}", value(addr as u16))
        }
        Mode::Abs if shows_value => format!("${op:04X}{}", value(op)),
        Mode::Abx | Mode::Aby => {
            let (index, name) = if let Mode::Abx = insn.info.mode { (regs.x, 'X') } else { (regs.y, 'Y') };
            let addr = op.wrapping_add(index as u16);
            format!("${op:04X},{name} @ {addr:04X}{}", value(addr))
        }
        Mode::Izx => {
            let ptr = (op as u8).wrapping_add(regs.x);
            let addr = peek16_zp(ptr);
            format!("(${op:02X},X) @ {ptr:02X} = {addr:04X}{}", value(addr))
        }
        Mode::Izy => {
            let base = peek16_zp(op as u8);
            let addr = base.wrapping_add(regs.y as u16);
            format!("(${op:02X}),Y = {base:04X} @ {addr:04X}{}", value(addr))
        }
        Mode::Ind => {
            let hi_addr = (op & 0xFF00) | (op.wrapping_add(1) & 0x00FF);
            let target = u16::from_le_bytes([bus.peek(op), bus.peek(hi_addr)]);
            format!("(${op:04X}) = {target:04X}")
        }
        _ => insn.operand_text(),
    };
    let official = insn.info.official || insn.info.kind() == Kind::Control;
    let mut asm = nestest_name(insn.info.mnemonic).to_string();
    if !text.is_empty() {
        asm.push(' ');
        asm.push_str(&text);
    }
    format!(
        "{:04X}  {:<8} {}{:<32}A:{:02X} X:{:02X} Y:{:02X} P:{:02X} SP:{:02X}",
        regs.pc,
        insn.hex(),
        if official { ' ' } else { '*' },
        asm,
        regs.a,
        regs.x,
        regs.y,
        regs.p,
        regs.s
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(bytes: &[u8]) -> Instruction {
        Instruction::decode(0x8000, |a| bytes.get((a - 0x8000) as usize).copied().unwrap_or(0))
    }

    #[test]
    fn plain_syntax() {
        assert_eq!(decode(&[0xA9, 0x10]).to_string(), "LDA #$10");
        assert_eq!(decode(&[0xBD, 0x34, 0x12]).to_string(), "LDA $1234,X");
        assert_eq!(decode(&[0xB1, 0x20]).to_string(), "LDA ($20),Y");
        assert_eq!(decode(&[0x6C, 0xFF, 0x12]).to_string(), "JMP ($12FF)");
        assert_eq!(decode(&[0x0A]).to_string(), "ASL A");
        assert_eq!(decode(&[0x18]).to_string(), "CLC");
        // Backward branch: $8002 - 4.
        assert_eq!(decode(&[0xD0, 0xFC]).to_string(), "BNE $7FFE");
        assert_eq!(decode(&[0x8D, 0x00, 0x20]).hex(), "8D 00 20");
    }
}
