//! The one opcode table: every fact about every 6502 opcode lives here.
//!
//! The interpreter specializes itself on these entries at compile time, the
//! disassembler prints them, and the recompiler reads them to build blocks.

use Mnemonic::*;
use Mode::*;

/// Instruction names, official and unofficial.
#[allow(missing_docs)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Mnemonic {
    Adc,
    And,
    Asl,
    Bcc,
    Bcs,
    Beq,
    Bit,
    Bmi,
    Bne,
    Bpl,
    Brk,
    Bvc,
    Bvs,
    Clc,
    Cld,
    Cli,
    Clv,
    Cmp,
    Cpx,
    Cpy,
    Dec,
    Dex,
    Dey,
    Eor,
    Inc,
    Inx,
    Iny,
    Jmp,
    Jsr,
    Lda,
    Ldx,
    Ldy,
    Lsr,
    Nop,
    Ora,
    Pha,
    Php,
    Pla,
    Plp,
    Rol,
    Ror,
    Rti,
    Rts,
    Sbc,
    Sec,
    Sed,
    Sei,
    Sta,
    Stx,
    Sty,
    Tax,
    Tay,
    Tsx,
    Txa,
    Txs,
    Tya,
    // Unofficial.
    Lax,
    Sax,
    Dcp,
    Isc,
    Slo,
    Rla,
    Sre,
    Rra,
    Anc,
    Alr,
    Arr,
    Axs,
    Las,
    Shx,
    Shy,
    Sha,
    Tas,
    Ane,
    Lxa,
    Jam,
}

impl Mnemonic {
    /// The upper-case name, as assemblers write it.
    pub const fn name(self) -> &'static str {
        match self {
            Adc => "ADC",
            And => "AND",
            Asl => "ASL",
            Bcc => "BCC",
            Bcs => "BCS",
            Beq => "BEQ",
            Bit => "BIT",
            Bmi => "BMI",
            Bne => "BNE",
            Bpl => "BPL",
            Brk => "BRK",
            Bvc => "BVC",
            Bvs => "BVS",
            Clc => "CLC",
            Cld => "CLD",
            Cli => "CLI",
            Clv => "CLV",
            Cmp => "CMP",
            Cpx => "CPX",
            Cpy => "CPY",
            Dec => "DEC",
            Dex => "DEX",
            Dey => "DEY",
            Eor => "EOR",
            Inc => "INC",
            Inx => "INX",
            Iny => "INY",
            Jmp => "JMP",
            Jsr => "JSR",
            Lda => "LDA",
            Ldx => "LDX",
            Ldy => "LDY",
            Lsr => "LSR",
            Nop => "NOP",
            Ora => "ORA",
            Pha => "PHA",
            Php => "PHP",
            Pla => "PLA",
            Plp => "PLP",
            Rol => "ROL",
            Ror => "ROR",
            Rti => "RTI",
            Rts => "RTS",
            Sbc => "SBC",
            Sec => "SEC",
            Sed => "SED",
            Sei => "SEI",
            Sta => "STA",
            Stx => "STX",
            Sty => "STY",
            Tax => "TAX",
            Tay => "TAY",
            Tsx => "TSX",
            Txa => "TXA",
            Txs => "TXS",
            Tya => "TYA",
            Lax => "LAX",
            Sax => "SAX",
            Dcp => "DCP",
            Isc => "ISC",
            Slo => "SLO",
            Rla => "RLA",
            Sre => "SRE",
            Rra => "RRA",
            Anc => "ANC",
            Alr => "ALR",
            Arr => "ARR",
            Axs => "AXS",
            Las => "LAS",
            Shx => "SHX",
            Shy => "SHY",
            Sha => "SHA",
            Tas => "TAS",
            Ane => "ANE",
            Lxa => "LXA",
            Jam => "JAM",
        }
    }

    /// How the instruction uses its operand, which decides its bus cycles.
    pub const fn kind(self) -> Kind {
        match self {
            Lda | Ldx | Ldy | Adc | Sbc | And | Ora | Eor | Cmp | Cpx | Cpy | Bit | Lax | Nop | Anc | Alr
            | Arr | Axs | Ane | Lxa | Las => Kind::Read,
            Sta | Stx | Sty | Sax | Sha | Shx | Shy | Tas => Kind::Write,
            Asl | Lsr | Rol | Ror | Inc | Dec | Slo | Rla | Sre | Rra | Dcp | Isc => Kind::ReadModifyWrite,
            Bcc | Bcs | Beq | Bmi | Bne | Bpl | Bvc | Bvs => Kind::Branch,
            Clc | Cld | Cli | Clv | Sec | Sed | Sei | Tax | Tay | Tsx | Txa | Txs | Tya | Dex | Dey | Inx
            | Iny => Kind::Implied,
            Pha | Php | Pla | Plp | Jmp | Jsr | Rts | Rti | Brk | Jam => Kind::Control,
        }
    }

    /// Status flags the instruction's result depends on.
    pub const fn flags_read(self) -> Flags {
        match self {
            Adc | Sbc | Rra | Isc => Flags(Flags::C.0 | Flags::D.0),
            Rol | Ror | Rla | Arr => Flags::C,
            Bcc | Bcs => Flags::C,
            Beq | Bne => Flags::Z,
            Bmi | Bpl => Flags::N,
            Bvc | Bvs => Flags::V,
            Php | Brk => Flags::ALL,
            _ => Flags::NONE,
        }
    }

    /// Status flags the instruction writes.
    pub const fn flags_written(self) -> Flags {
        const NZ: u8 = Flags::N.0 | Flags::Z.0;
        const NZC: u8 = NZ | Flags::C.0;
        const NVZC: u8 = NZC | Flags::V.0;
        Flags(match self {
            Adc | Sbc | Rra | Isc | Arr => NVZC,
            Bit => NZ | Flags::V.0,
            And | Ora | Eor | Lda | Ldx | Ldy | Lax | Tax | Tay | Tsx | Txa | Tya | Inx | Iny | Dex | Dey
            | Inc | Dec | Pla | Ane | Lxa | Las => NZ,
            Asl | Lsr | Rol | Ror | Cmp | Cpx | Cpy | Slo | Rla | Sre | Dcp | Anc | Alr | Axs => NZC,
            Clc | Sec => Flags::C.0,
            Cli | Sei => Flags::I.0,
            Cld | Sed => Flags::D.0,
            Clv => Flags::V.0,
            Plp | Rti => Flags::ALL.0,
            Brk => Flags::I.0,
            _ => 0,
        })
    }
}

/// What an instruction does with memory, which fixes its cycle-by-cycle bus
/// pattern for a given addressing mode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Reads one operand (page-cross penalty on indexed modes).
    Read,
    /// Writes one operand (indexed modes always take the extra cycle).
    Write,
    /// Reads, writes the old value back, writes the new one.
    ReadModifyWrite,
    /// Conditional relative branch.
    Branch,
    /// Register-only, two cycles with a dummy read of the next byte.
    Implied,
    /// Stack and flow control with their own sequences (JSR, RTS, BRK, ...).
    Control,
}

/// Addressing modes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// No operand.
    Imp,
    /// The accumulator.
    Acc,
    /// `#$nn`
    Imm,
    /// `$nn`
    Zp,
    /// `$nn,X`
    Zpx,
    /// `$nn,Y`
    Zpy,
    /// `$nnnn`
    Abs,
    /// `$nnnn,X`
    Abx,
    /// `$nnnn,Y`
    Aby,
    /// `($nn,X)`
    Izx,
    /// `($nn),Y`
    Izy,
    /// `($nnnn)`, JMP only
    Ind,
    /// Branch offset.
    Rel,
}

impl Mode {
    /// Operand bytes after the opcode.
    pub const fn operand_len(self) -> u8 {
        match self {
            Imp | Acc => 0,
            Imm | Zp | Zpx | Zpy | Izx | Izy | Rel => 1,
            Abs | Abx | Aby | Ind => 2,
        }
    }
}

/// A set of 6502 status flags, in the bit positions of the P register.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Flags(pub u8);

impl Flags {
    /// Carry.
    pub const C: Flags = Flags(0x01);
    /// Zero.
    pub const Z: Flags = Flags(0x02);
    /// Interrupt disable.
    pub const I: Flags = Flags(0x04);
    /// Decimal.
    pub const D: Flags = Flags(0x08);
    /// Overflow.
    pub const V: Flags = Flags(0x40);
    /// Negative.
    pub const N: Flags = Flags(0x80);
    /// No flag.
    pub const NONE: Flags = Flags(0);
    /// Every flag that P stores.
    pub const ALL: Flags = Flags(0xCF);

    /// Whether every flag of `other` is in `self`.
    pub const fn contains(self, other: Flags) -> bool {
        self.0 & other.0 == other.0
    }

    /// Whether `self` and `other` share a flag.
    pub const fn intersects(self, other: Flags) -> bool {
        self.0 & other.0 != 0
    }
}

impl std::fmt::Display for Flags {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (bit, name) in [(0x80, 'N'), (0x40, 'V'), (0x08, 'D'), (0x04, 'I'), (0x02, 'Z'), (0x01, 'C')] {
            if self.0 & bit != 0 {
                write!(f, "{name}")?;
            }
        }
        Ok(())
    }
}

/// One entry of the opcode table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Opcode {
    /// Instruction name.
    pub mnemonic: Mnemonic,
    /// Addressing mode.
    pub mode: Mode,
    /// Cycles without page-cross or branch extras (0 for JAM, which never ends).
    pub cycles: u8,
    /// One more cycle when the indexed address crosses a page.
    pub page_penalty: bool,
    /// Documented by MOS.
    pub official: bool,
}

impl Opcode {
    /// The instruction's bus pattern.
    pub const fn kind(&self) -> Kind {
        self.mnemonic.kind()
    }

    /// Instruction length in bytes.
    pub const fn size(&self) -> u8 {
        1 + self.mode.operand_len()
    }

    /// Flags the instruction reads.
    pub const fn flags_read(&self) -> Flags {
        self.mnemonic.flags_read()
    }

    /// Flags the instruction writes.
    pub const fn flags_written(&self) -> Flags {
        self.mnemonic.flags_written()
    }

    /// The most cycles it can take (page cross, taken branch across a page).
    pub const fn max_cycles(&self) -> u8 {
        match self.mnemonic.kind() {
            Kind::Branch => self.cycles + 2,
            _ => self.cycles + self.page_penalty as u8,
        }
    }
}

const fn entry(mnemonic: Mnemonic, mode: Mode, cycles: u8, official: bool) -> Opcode {
    let indexed = matches!(mode, Abx | Aby | Izy);
    let page_penalty = indexed && matches!(mnemonic.kind(), Kind::Read);
    Opcode { mnemonic, mode, cycles, page_penalty, official }
}

/// An official opcode.
const fn o(mnemonic: Mnemonic, mode: Mode, cycles: u8) -> Opcode {
    entry(mnemonic, mode, cycles, true)
}

/// An unofficial opcode.
const fn u(mnemonic: Mnemonic, mode: Mode, cycles: u8) -> Opcode {
    entry(mnemonic, mode, cycles, false)
}

/// A JAM (KIL/HLT) opcode: the CPU stops.
const J: Opcode = entry(Jam, Imp, 0, false);

/// All 256 opcodes, indexed by opcode byte.
#[rustfmt::skip]
pub const OPCODES: [Opcode; 256] = [
    // 0x00
    o(Brk, Imp, 7), o(Ora, Izx, 6), J, u(Slo, Izx, 8), u(Nop, Zp, 3), o(Ora, Zp, 3), o(Asl, Zp, 5), u(Slo, Zp, 5),
    o(Php, Imp, 3), o(Ora, Imm, 2), o(Asl, Acc, 2), u(Anc, Imm, 2), u(Nop, Abs, 4), o(Ora, Abs, 4), o(Asl, Abs, 6), u(Slo, Abs, 6),
    // 0x10
    o(Bpl, Rel, 2), o(Ora, Izy, 5), J, u(Slo, Izy, 8), u(Nop, Zpx, 4), o(Ora, Zpx, 4), o(Asl, Zpx, 6), u(Slo, Zpx, 6),
    o(Clc, Imp, 2), o(Ora, Aby, 4), u(Nop, Imp, 2), u(Slo, Aby, 7), u(Nop, Abx, 4), o(Ora, Abx, 4), o(Asl, Abx, 7), u(Slo, Abx, 7),
    // 0x20
    o(Jsr, Abs, 6), o(And, Izx, 6), J, u(Rla, Izx, 8), o(Bit, Zp, 3), o(And, Zp, 3), o(Rol, Zp, 5), u(Rla, Zp, 5),
    o(Plp, Imp, 4), o(And, Imm, 2), o(Rol, Acc, 2), u(Anc, Imm, 2), o(Bit, Abs, 4), o(And, Abs, 4), o(Rol, Abs, 6), u(Rla, Abs, 6),
    // 0x30
    o(Bmi, Rel, 2), o(And, Izy, 5), J, u(Rla, Izy, 8), u(Nop, Zpx, 4), o(And, Zpx, 4), o(Rol, Zpx, 6), u(Rla, Zpx, 6),
    o(Sec, Imp, 2), o(And, Aby, 4), u(Nop, Imp, 2), u(Rla, Aby, 7), u(Nop, Abx, 4), o(And, Abx, 4), o(Rol, Abx, 7), u(Rla, Abx, 7),
    // 0x40
    o(Rti, Imp, 6), o(Eor, Izx, 6), J, u(Sre, Izx, 8), u(Nop, Zp, 3), o(Eor, Zp, 3), o(Lsr, Zp, 5), u(Sre, Zp, 5),
    o(Pha, Imp, 3), o(Eor, Imm, 2), o(Lsr, Acc, 2), u(Alr, Imm, 2), o(Jmp, Abs, 3), o(Eor, Abs, 4), o(Lsr, Abs, 6), u(Sre, Abs, 6),
    // 0x50
    o(Bvc, Rel, 2), o(Eor, Izy, 5), J, u(Sre, Izy, 8), u(Nop, Zpx, 4), o(Eor, Zpx, 4), o(Lsr, Zpx, 6), u(Sre, Zpx, 6),
    o(Cli, Imp, 2), o(Eor, Aby, 4), u(Nop, Imp, 2), u(Sre, Aby, 7), u(Nop, Abx, 4), o(Eor, Abx, 4), o(Lsr, Abx, 7), u(Sre, Abx, 7),
    // 0x60
    o(Rts, Imp, 6), o(Adc, Izx, 6), J, u(Rra, Izx, 8), u(Nop, Zp, 3), o(Adc, Zp, 3), o(Ror, Zp, 5), u(Rra, Zp, 5),
    o(Pla, Imp, 4), o(Adc, Imm, 2), o(Ror, Acc, 2), u(Arr, Imm, 2), o(Jmp, Ind, 5), o(Adc, Abs, 4), o(Ror, Abs, 6), u(Rra, Abs, 6),
    // 0x70
    o(Bvs, Rel, 2), o(Adc, Izy, 5), J, u(Rra, Izy, 8), u(Nop, Zpx, 4), o(Adc, Zpx, 4), o(Ror, Zpx, 6), u(Rra, Zpx, 6),
    o(Sei, Imp, 2), o(Adc, Aby, 4), u(Nop, Imp, 2), u(Rra, Aby, 7), u(Nop, Abx, 4), o(Adc, Abx, 4), o(Ror, Abx, 7), u(Rra, Abx, 7),
    // 0x80
    u(Nop, Imm, 2), o(Sta, Izx, 6), u(Nop, Imm, 2), u(Sax, Izx, 6), o(Sty, Zp, 3), o(Sta, Zp, 3), o(Stx, Zp, 3), u(Sax, Zp, 3),
    o(Dey, Imp, 2), u(Nop, Imm, 2), o(Txa, Imp, 2), u(Ane, Imm, 2), o(Sty, Abs, 4), o(Sta, Abs, 4), o(Stx, Abs, 4), u(Sax, Abs, 4),
    // 0x90
    o(Bcc, Rel, 2), o(Sta, Izy, 6), J, u(Sha, Izy, 6), o(Sty, Zpx, 4), o(Sta, Zpx, 4), o(Stx, Zpy, 4), u(Sax, Zpy, 4),
    o(Tya, Imp, 2), o(Sta, Aby, 5), o(Txs, Imp, 2), u(Tas, Aby, 5), u(Shy, Abx, 5), o(Sta, Abx, 5), u(Shx, Aby, 5), u(Sha, Aby, 5),
    // 0xA0
    o(Ldy, Imm, 2), o(Lda, Izx, 6), o(Ldx, Imm, 2), u(Lax, Izx, 6), o(Ldy, Zp, 3), o(Lda, Zp, 3), o(Ldx, Zp, 3), u(Lax, Zp, 3),
    o(Tay, Imp, 2), o(Lda, Imm, 2), o(Tax, Imp, 2), u(Lxa, Imm, 2), o(Ldy, Abs, 4), o(Lda, Abs, 4), o(Ldx, Abs, 4), u(Lax, Abs, 4),
    // 0xB0
    o(Bcs, Rel, 2), o(Lda, Izy, 5), J, u(Lax, Izy, 5), o(Ldy, Zpx, 4), o(Lda, Zpx, 4), o(Ldx, Zpy, 4), u(Lax, Zpy, 4),
    o(Clv, Imp, 2), o(Lda, Aby, 4), o(Tsx, Imp, 2), u(Las, Aby, 4), o(Ldy, Abx, 4), o(Lda, Abx, 4), o(Ldx, Aby, 4), u(Lax, Aby, 4),
    // 0xC0
    o(Cpy, Imm, 2), o(Cmp, Izx, 6), u(Nop, Imm, 2), u(Dcp, Izx, 8), o(Cpy, Zp, 3), o(Cmp, Zp, 3), o(Dec, Zp, 5), u(Dcp, Zp, 5),
    o(Iny, Imp, 2), o(Cmp, Imm, 2), o(Dex, Imp, 2), u(Axs, Imm, 2), o(Cpy, Abs, 4), o(Cmp, Abs, 4), o(Dec, Abs, 6), u(Dcp, Abs, 6),
    // 0xD0
    o(Bne, Rel, 2), o(Cmp, Izy, 5), J, u(Dcp, Izy, 8), u(Nop, Zpx, 4), o(Cmp, Zpx, 4), o(Dec, Zpx, 6), u(Dcp, Zpx, 6),
    o(Cld, Imp, 2), o(Cmp, Aby, 4), u(Nop, Imp, 2), u(Dcp, Aby, 7), u(Nop, Abx, 4), o(Cmp, Abx, 4), o(Dec, Abx, 7), u(Dcp, Abx, 7),
    // 0xE0
    o(Cpx, Imm, 2), o(Sbc, Izx, 6), u(Nop, Imm, 2), u(Isc, Izx, 8), o(Cpx, Zp, 3), o(Sbc, Zp, 3), o(Inc, Zp, 5), u(Isc, Zp, 5),
    o(Inx, Imp, 2), o(Sbc, Imm, 2), o(Nop, Imp, 2), u(Sbc, Imm, 2), o(Cpx, Abs, 4), o(Sbc, Abs, 4), o(Inc, Abs, 6), u(Isc, Abs, 6),
    // 0xF0
    o(Beq, Rel, 2), o(Sbc, Izy, 5), J, u(Isc, Izy, 8), u(Nop, Zpx, 4), o(Sbc, Zpx, 4), o(Inc, Zpx, 6), u(Isc, Zpx, 6),
    o(Sed, Imp, 2), o(Sbc, Aby, 4), u(Nop, Imp, 2), u(Isc, Aby, 7), u(Nop, Abx, 4), o(Sbc, Abx, 4), o(Inc, Abx, 7), u(Isc, Abx, 7),
];

/// The table entry for `opcode`.
#[inline(always)]
pub const fn opcode(opcode: u8) -> &'static Opcode {
    &OPCODES[opcode as usize]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn official_count_is_151() {
        assert_eq!(OPCODES.iter().filter(|o| o.official).count(), 151);
    }

    #[test]
    fn twelve_jams() {
        let jams: Vec<usize> = (0..256).filter(|&i| OPCODES[i].mnemonic == Jam).collect();
        assert_eq!(jams, [0x02, 0x12, 0x22, 0x32, 0x42, 0x52, 0x62, 0x72, 0x92, 0xB2, 0xD2, 0xF2]);
    }

    #[test]
    fn penalties_only_on_indexed_reads() {
        for (i, op) in OPCODES.iter().enumerate() {
            if op.page_penalty {
                assert_eq!(op.kind(), Kind::Read, "opcode {i:02X}");
                assert!(matches!(op.mode, Abx | Aby | Izy), "opcode {i:02X}");
            }
        }
        assert!(OPCODES[0xBD].page_penalty && !OPCODES[0x9D].page_penalty && !OPCODES[0x1E].page_penalty);
    }

    #[test]
    fn flag_facts() {
        assert!(OPCODES[0x69].flags_written().contains(Flags(0xC3)));
        assert!(OPCODES[0x69].flags_read().contains(Flags::C));
        assert_eq!(OPCODES[0xA9].flags_written(), Flags(0x82));
        assert_eq!(OPCODES[0x85].flags_written(), Flags::NONE);
        assert_eq!(OPCODES[0xD0].flags_read(), Flags::Z);
        assert_eq!(Flags(0xC3).to_string(), "NVZC");
    }
}
