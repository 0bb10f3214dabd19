//! `dynes dump`: run a ROM on the recompiler and show what it compiled.

use std::io::Write as _;
use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use clap::{Args, ValueEnum};
use dynes_bus::source;
use dynes_nes::{Block, Engine, Nes};
use serde::Serialize;

#[derive(Args, Debug)]
pub struct DumpArgs {
    /// iNES or NES 2.0 ROM file.
    rom: PathBuf,
    /// Frames to run before dumping.
    #[arg(long, default_value_t = 60)]
    frames: u64,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    /// Only blocks whose guest code covers this address (hex: 0xC000 or $C000).
    #[arg(long, value_parser = crate::parse_addr)]
    addr: Option<u16>,
    /// Write to this file instead of standard output.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Format {
    /// Readable listing.
    Text,
    /// One JSON document (see docs/dump-format.md).
    Json,
}

/// The whole dump (the JSON document).
#[derive(Serialize)]
struct Dump {
    rom: String,
    frames: u64,
    cycles: u64,
    stats: serde_json::Map<String, serde_json::Value>,
    blocks: Vec<BlockDump>,
}

#[derive(Serialize)]
struct BlockDump {
    start: String,
    end: String,
    source: SourceDump,
    executions: u64,
    worst_cycles: u64,
    dynamic_operands: bool,
    fallback_sites: usize,
    instructions: Vec<InsnDump>,
    exits: Vec<ExitDump>,
    host: HostDump,
}

#[derive(Serialize)]
struct SourceDump {
    /// `ram`, `prg-ram` or `prg-rom`.
    kind: &'static str,
    /// Byte offset in that memory.
    offset: u32,
    /// 8 KiB bank number (PRG-ROM and PRG-RAM).
    #[serde(skip_serializing_if = "Option::is_none")]
    bank: Option<u32>,
}

#[derive(Serialize)]
struct InsnDump {
    addr: String,
    bytes: String,
    text: String,
    cycles: u8,
    max_cycles: u8,
    /// Flags this instruction writes that compiled code does not compute
    /// (overwritten in the same block before anything reads them).
    dropped_flags: String,
}

#[derive(Serialize)]
struct ExitDump {
    /// `branch`, `fall-through`, `jump`, `call`, `return-site`, or `dynamic`.
    kind: &'static str,
    /// Guest target (absent for dynamic exits).
    #[serde(skip_serializing_if = "Option::is_none")]
    target: Option<String>,
    /// Jumps straight into the target's compiled code (same window).
    linked: bool,
}

#[derive(Serialize)]
struct HostDump {
    address: String,
    bytes: usize,
    code: String,
    disassembly: Vec<String>,
}

pub fn run(args: &DumpArgs) -> Result<bool> {
    let mut nes = crate::rom::load(&args.rom)?;
    if let Err(why) = nes.set_engine(Engine::Jit) {
        bail!("the recompiler cannot run here: {why}");
    }
    for _ in 0..args.frames {
        if !nes.run_frame() {
            break;
        }
    }
    let dump = collect(&nes, args);
    let text = match args.format {
        Format::Json => serde_json::to_string_pretty(&dump)? + "\n",
        Format::Text => render_text(&dump),
    };
    match &args.out {
        Some(path) => {
            std::fs::write(path, text).with_context(|| format!("{}: cannot write", path.display()))?
        }
        None => std::io::stdout().write_all(text.as_bytes())?,
    }
    Ok(true)
}

fn collect(nes: &Nes, args: &DumpArgs) -> Dump {
    let jit = nes.jit().expect("the engine was set to the recompiler");
    collect_jit(jit, &args.rom.display().to_string(), nes.frame_count(), nes.cycle(), args.addr)
}

/// The blocks of `jit` (only those covering `addr`, if given) as a text
/// listing, for `cpu-test --dump`.
pub fn render_jit(jit: &dynes_recompiler::Jit, image: &str, cycles: u64, addr: Option<u16>) -> String {
    render_text(&collect_jit(jit, image, 0, cycles, addr))
}

fn collect_jit(jit: &dynes_recompiler::Jit, rom: &str, frames: u64, cycles: u64, addr: Option<u16>) -> Dump {
    let mut blocks: Vec<&Block> = jit
        .blocks()
        .filter(|b| addr.is_none_or(|a| (b.start as u32..b.end()).contains(&(a as u32))))
        .collect();
    blocks.sort_by_key(|b| (b.start, b.source));
    let stats = jit
        .stats()
        .lines()
        .into_iter()
        .filter_map(|line| {
            let (key, value) = line.split_once('=')?;
            let value = value
                .parse::<u64>()
                .map(serde_json::Value::from)
                .or_else(|_| value.parse::<f64>().map(serde_json::Value::from))
                .unwrap_or_else(|_| serde_json::Value::from(value));
            Some((key.trim_start_matches("jit.").to_string(), value))
        })
        .collect();
    Dump {
        rom: rom.to_string(),
        frames,
        cycles,
        stats,
        blocks: blocks.into_iter().map(|b| block_dump(jit, b)).collect(),
    }
}

fn source_dump(key: u32) -> SourceDump {
    if key >= source::PRG_ROM {
        let offset = key - source::PRG_ROM;
        SourceDump { kind: "prg-rom", offset, bank: Some(offset / 0x2000) }
    } else if key >= source::PRG_RAM {
        let offset = key - source::PRG_RAM;
        SourceDump { kind: "prg-ram", offset, bank: Some(offset / 0x2000) }
    } else {
        SourceDump { kind: "ram", offset: key - source::RAM, bank: None }
    }
}

fn block_dump(jit: &dynes_recompiler::Jit, block: &Block) -> BlockDump {
    use dynes_cpu::{Kind, Mnemonic, Mode};
    let instructions = block
        .insns
        .iter()
        .zip(&block.dropped_flags)
        .map(|(insn, &dropped)| InsnDump {
            addr: format!("${:04X}", insn.addr),
            bytes: insn.hex(),
            text: insn.to_string(),
            cycles: insn.info.cycles,
            max_cycles: insn.info.max_cycles(),
            dropped_flags: flag_names(dropped),
        })
        .collect();
    let exit = |kind, target: Option<u16>| ExitDump {
        kind,
        target: target.map(|t| format!("${t:04X}")),
        linked: target.is_some_and(|t| block.linked.contains(&t)),
    };
    let mut exits = Vec::new();
    for insn in &block.insns {
        if insn.info.kind() == Kind::Branch {
            exits.push(exit("branch", Some(insn.branch_target())));
            exits.push(exit("fall-through", Some(insn.addr.wrapping_add(2))));
        }
    }
    if let Some(last) = block.insns.last() {
        let next = last.addr.wrapping_add(last.len as u16);
        match last.info.mnemonic {
            Mnemonic::Jmp if last.info.mode == Mode::Abs => exits.push(exit("jump", Some(last.operand()))),
            Mnemonic::Jsr => {
                exits.push(exit("call", Some(last.operand())));
                exits.push(exit("return-site", Some(next)));
            }
            Mnemonic::Jmp | Mnemonic::Rts | Mnemonic::Rti => exits.push(exit("dynamic", None)),
            _ if last.info.kind() == Kind::Branch => {}
            _ => exits.push(exit("fall-through", Some(next))),
        }
    }
    let code = jit.host_code(block);
    let address = jit.host_address(block);
    BlockDump {
        start: format!("${:04X}", block.start),
        end: format!("${:04X}", block.end() - 1),
        source: source_dump(block.source),
        executions: block.executions,
        worst_cycles: block.worst_cycles,
        dynamic_operands: block.dynamic_operands,
        fallback_sites: block.fallback_sites,
        instructions,
        exits,
        host: HostDump {
            address: format!("{address:#x}"),
            bytes: code.len(),
            code: code.iter().map(|b| format!("{b:02x}")).collect(),
            disassembly: disassemble(&code, address),
        },
    }
}

/// `NVZC` letters of the P bits in `flags`.
fn flag_names(flags: u8) -> String {
    [(0x80, 'N'), (0x40, 'V'), (0x02, 'Z'), (0x01, 'C')]
        .iter()
        .filter(|(bit, _)| flags & bit != 0)
        .map(|&(_, name)| name)
        .collect()
}

/// Intel-syntax lines (`address  bytes  instruction`) for host code.
fn disassemble(code: &[u8], address: u64) -> Vec<String> {
    use iced_x86::{Decoder, DecoderOptions, Formatter, Instruction, IntelFormatter};
    let mut decoder = Decoder::with_ip(64, code, address, DecoderOptions::NONE);
    let mut formatter = IntelFormatter::new();
    let mut insn = Instruction::default();
    let mut lines = Vec::new();
    while decoder.can_decode() {
        decoder.decode_out(&mut insn);
        let mut text = String::new();
        formatter.format(&insn, &mut text);
        let start = (insn.ip() - address) as usize;
        let bytes: String = code[start..start + insn.len()].iter().map(|b| format!("{b:02X}")).collect();
        lines.push(format!("{:016X}  {bytes:<20}  {text}", insn.ip()));
    }
    lines
}

fn render_text(dump: &Dump) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}: {} blocks after {} frames ({} cycles)",
        dump.rom,
        dump.blocks.len(),
        dump.frames,
        dump.cycles
    );
    for block in &dump.blocks {
        let source = &block.source;
        let bank = source.bank.map(|b| format!(" bank {b}")).unwrap_or_default();
        let _ = writeln!(
            out,
            "\nblock {}-{}  {}{bank} offset ${:05X}  runs={}  worst={} cycles{}{}",
            block.start,
            block.end,
            source.kind,
            source.offset,
            block.executions,
            block.worst_cycles,
            if block.dynamic_operands { "  dynamic operands" } else { "" },
            if block.fallback_sites > 0 {
                format!("  interpreter sites={}", block.fallback_sites)
            } else {
                String::new()
            },
        );
        for insn in &block.instructions {
            let cycles = if insn.max_cycles != insn.cycles {
                format!("{}-{}", insn.cycles, insn.max_cycles)
            } else {
                insn.cycles.to_string()
            };
            let dropped = if insn.dropped_flags.is_empty() {
                String::new()
            } else {
                format!(", {} dropped (overwritten in this block)", insn.dropped_flags)
            };
            let _ = writeln!(
                out,
                "  {}  {:<8}  {:<16} ; {cycles} cycles{dropped}",
                insn.addr, insn.bytes, insn.text
            );
        }
        for exit in &block.exits {
            let target = exit.target.as_deref().unwrap_or("(computed)");
            let how = if exit.linked { "linked" } else { "via dispatch table" };
            let _ = writeln!(out, "  exit {:<12} -> {target}  {how}", exit.kind);
        }
        let _ = writeln!(out, "  host code at {} ({} bytes):", block.host.address, block.host.bytes);
        for line in &block.host.disassembly {
            let _ = writeln!(out, "    {line}");
        }
    }
    let _ = writeln!(out, "\ncache:");
    for (key, value) in &dump.stats {
        let _ = writeln!(out, "  {key}={value}");
    }
    out
}
