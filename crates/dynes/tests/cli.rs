//! The `dynes` binary end to end: exit codes, messages, and the acceptance
//! commands of the CPU and cartridge work.

use std::path::PathBuf;
use std::process::{Command, Output};

fn dynes(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dynes")).args(args).output().expect("dynes runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn shared(var: &str, default: &str) -> PathBuf {
    std::env::var_os(var).map(PathBuf::from).unwrap_or_else(|| {
        PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared")).join(default)
    })
}

fn test_roms() -> Option<PathBuf> {
    let dir = shared("DYNES_TEST_ROMS", "nes-test-roms");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("skipped: NES test ROMs not found at {} (set DYNES_TEST_ROMS)", dir.display());
        None
    }
}

/// A scratch directory unique to this test process.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("dynes-cli-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn nrom_image(prg_banks: u8) -> Vec<u8> {
    let mut rom = b"NES\x1A".to_vec();
    rom.extend([prg_banks, 1, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    rom.resize(16 + prg_banks as usize * 0x4000 + 0x2000, 0xEA);
    rom
}

/// One line on stderr naming the file, non-zero exit, no panic.
fn assert_clean_error(out: &Output, file: &str, problem: &str) {
    let stderr = text(&out.stderr);
    assert!(!out.status.success(), "exit status for {file}");
    assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
    assert!(stderr.contains(file) && stderr.contains(problem), "{stderr}");
    assert!(!stderr.contains("panicked") && !stderr.contains("backtrace"), "{stderr}");
}

#[test]
fn info_describes_a_good_rom() {
    let dir = scratch("good");
    let path = dir.join("nrom.nes");
    std::fs::write(&path, nrom_image(2)).expect("write");
    let out = dynes(&["info", path.to_str().expect("utf-8")]);
    assert!(out.status.success());
    let stdout = text(&out.stdout);
    for needle in ["iNES", "0 (NROM)", "32 KiB", "vertical", "battery      no"] {
        assert!(stdout.contains(needle), "missing {needle:?} in:\n{stdout}");
    }
}

#[test]
fn info_rejects_bad_files_in_one_line() {
    let dir = scratch("bad");
    let cases: [(&str, Vec<u8>, &str); 4] = [
        ("empty.nes", Vec::new(), "file is empty"),
        ("short.nes", nrom_image(2)[..5000].to_vec(), "header declares"),
        ("magic.nes", b"MZ\x90\x00............".to_vec(), "not an iNES ROM"),
        ("tiny.nes", b"NES\x1A\x01".to_vec(), "shorter than the 16-byte"),
    ];
    for (name, bytes, problem) in cases {
        let path = dir.join(name);
        std::fs::write(&path, bytes).expect("write");
        assert_clean_error(&dynes(&["info", path.to_str().expect("utf-8")]), name, problem);
    }
    assert_clean_error(&dynes(&["info", dir.to_str().expect("utf-8")]), "dynes-cli", "is a directory");
    assert_clean_error(&dynes(&["info", "no-such-rom.nes"]), "no-such-rom.nes", "cannot read");
}

#[test]
fn unsupported_mapper_is_named() {
    let dir = scratch("mapper");
    let mut rom = nrom_image(1);
    rom[6] = 0x50; // mapper 5
    let path = dir.join("mmc5.nes");
    std::fs::write(&path, rom).expect("write");
    // `info` still describes it; `trace` refuses to run it.
    let info = dynes(&["info", path.to_str().expect("utf-8")]);
    assert!(info.status.success() && text(&info.stdout).contains("supported    no"));
    assert_clean_error(
        &dynes(&["trace", path.to_str().expect("utf-8")]),
        "mmc5.nes",
        "mapper 5 is not supported",
    );
}

#[test]
fn info_reads_every_shared_test_rom() {
    let Some(dir) = test_roms() else { return };
    let mut roms = Vec::new();
    let mut stack = vec![dir];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("readable dir").flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e.eq_ignore_ascii_case("nes")) {
                roms.push(path);
            }
        }
    }
    assert!(roms.len() > 100, "found only {} ROMs", roms.len());
    for rom in roms {
        let out = dynes(&["info", rom.to_str().expect("utf-8")]);
        assert!(out.status.success(), "{}: {}", rom.display(), text(&out.stderr));
    }
}

#[test]
fn trace_nestest_matches_the_log() {
    let Some(dir) = test_roms() else { return };
    let dir = dir.join("other");
    let out = dynes(&["trace", dir.join("nestest.nes").to_str().expect("utf-8"), "--nestest"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let log = std::fs::read_to_string(dir.join("nestest.log")).expect("nestest.log");
    let ours = text(&out.stdout);
    let expected: Vec<&str> = log.lines().map(str::trim_end).collect();
    let ours: Vec<&str> = ours.lines().map(str::trim_end).collect();
    assert_eq!(ours.len(), expected.len(), "line count");
    for (number, (a, b)) in ours.iter().zip(&expected).enumerate() {
        assert_eq!(a, b, "line {}", number + 1);
    }
}

#[test]
fn cpu_test_passes_the_functional_test() {
    let dir = shared("DYNES_6502_TESTS", "6502-functional-test");
    let bin = dir.join("6502_functional_test.bin");
    if !bin.exists() {
        eprintln!("skipped: 6502 functional test not found at {} (set DYNES_6502_TESTS)", bin.display());
        return;
    }
    let bin = bin.to_str().expect("utf-8");
    let args =
        ["cpu-test", bin, "--load", "0", "--start", "0x400", "--success", "0x3469", "--variant", "nmos"];
    let out = dynes(&args);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines[0], "PASS");
    assert!(lines[1].starts_with("instructions=30646177 cycles=96241367 seconds="), "{}", lines[1]);
    assert!(lines[1].contains(" mhz="));
    // A wrong success address fails and quotes the listing line of the trap.
    let out = dynes(&["cpu-test", bin, "--start", "0x400", "--success", "0x1234"]);
    let stdout = text(&out.stdout);
    assert!(!out.status.success());
    assert!(stdout.starts_with("FAIL: trapped at $3469\n  3469 : 4c6934"), "{stdout}");
    // The recompiler, alone and checked against the interpreter after every
    // step, gives the same result and the same counts.
    for engine in ["jit", "verify"] {
        let out = dynes(&[
            "cpu-test",
            bin,
            "--start",
            "0x400",
            "--success",
            "0x3469",
            "--engine",
            engine,
            "--stats",
        ]);
        let stdout = text(&out.stdout);
        assert!(out.status.success(), "{engine}: {stdout}");
        assert!(stdout.contains("PASS\ninstructions=30646177 cycles=96241367 "), "{engine}: {stdout}");
        assert!(stdout.contains("jit.blocks_compiled="), "{engine}: {stdout}");
    }
    // The 2A03 has no decimal mode, so the decimal tests trap elsewhere.
    let out = dynes(&["cpu-test", bin, "--start", "0x400", "--success", "0x3469", "--variant", "2a03"]);
    assert!(!out.status.success() && text(&out.stdout).starts_with("FAIL: trapped at $"));
}

#[test]
fn cpu_test_reports_jams_and_limits() {
    let dir = scratch("jam");
    let path = dir.join("jam.bin");
    // LDA #1; JAM at $0402.
    let mut image = vec![0; 0x10000];
    image[0x400..0x403].copy_from_slice(&[0xA9, 0x01, 0x02]);
    image[0xFFFC..0xFFFE].copy_from_slice(&[0x00, 0x04]);
    std::fs::write(&path, &image).expect("write");
    let out = dynes(&["cpu-test", path.to_str().expect("utf-8"), "--success", "0x400"]);
    assert!(!out.status.success());
    assert!(text(&out.stdout).starts_with("FAIL: CPU jammed at $0402 (opcode $02)\n"));
    // An endless loop that never traps hits the cycle limit.
    image[0x400..0x405].copy_from_slice(&[0xE8, 0xD0, 0xFD, 0xF0, 0xFB]); // INX; BNE -3; BEQ -5
    std::fs::write(&path, &image).expect("write");
    let out =
        dynes(&["cpu-test", path.to_str().expect("utf-8"), "--success", "0x400", "--max-cycles", "10000"]);
    assert!(!out.status.success());
    assert!(text(&out.stdout).starts_with("FAIL: no trap within 10000 cycles"), "{}", text(&out.stdout));
}

#[test]
fn bad_address_is_a_usage_error() {
    let out = dynes(&["cpu-test", "x.bin", "--start", "0x10000"]);
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("is not an address"));
}

fn project_rom(name: &str) -> String {
    concat!(env!("CARGO_MANIFEST_DIR"), "/../../roms-test/").to_string() + name
}

#[test]
fn run_gives_the_same_picture_on_every_engine() {
    let rom = project_rom("mapper_004_mmc3.nes");
    let mut summaries = Vec::new();
    for engine in ["interp", "jit", "verify"] {
        let out = dynes(&["run", &rom, "--frames", "120", "--engine", engine, "--stats"]);
        let stdout = text(&out.stdout);
        assert!(out.status.success(), "{engine}: {stdout}{}", text(&out.stderr));
        let summary = stdout.lines().find(|l| l.starts_with("frames=")).expect("summary line");
        let (cycles, hash) = (summary.split(' ').nth(1), summary.split("hash=").nth(1));
        summaries.push((cycles.map(str::to_string), hash.map(str::to_string)));
        let has_stats = stdout.contains("jit.guest_insns_jit_percent=");
        assert_eq!(has_stats, engine != "interp", "{engine}: {stdout}");
    }
    assert!(summaries.windows(2).all(|w| w[0] == w[1]), "{summaries:?}");
}

#[test]
fn test_runs_each_rom_on_both_engines() {
    let manifest = concat!(env!("CARGO_MANIFEST_DIR"), "/../../roms-test/manifest.tsv");
    let out = dynes(&["test", manifest, "--engine", "both", "--filter", "mapper_00", "--stats"]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(stdout.contains("failed=0 below_bar=0"), "{stdout}");
    assert!(stdout.contains("jit.lowest_jit_percent="), "{stdout}");
}

#[test]
fn dump_lists_blocks_as_text_and_json() {
    let rom = project_rom("mapper_002_uxrom.nes");
    let out = dynes(&["dump", &rom, "--frames", "20"]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", text(&out.stderr));
    assert!(stdout.contains("block $") && stdout.contains("prg-rom bank"), "{stdout}");
    assert!(stdout.contains("host code at") && stdout.contains("cache:"), "{stdout}");
    let json_path = scratch("dump").join("blocks.json");
    let json = json_path.to_str().expect("utf-8");
    let out = dynes(&["dump", &rom, "--frames", "20", "--format", "json", "--out", json, "--addr", "0xC200"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let dump: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json_path).expect("written")).expect("valid JSON");
    let blocks = dump["blocks"].as_array().expect("blocks");
    assert!(!blocks.is_empty());
    for block in blocks {
        let start = u16::from_str_radix(&block["start"].as_str().expect("start")[1..], 16).expect("hex");
        let end = u16::from_str_radix(&block["end"].as_str().expect("end")[1..], 16).expect("hex");
        assert!(start <= 0xC200 && 0xC200 <= end, "{block}");
        assert!(!block["host"]["disassembly"].as_array().expect("disassembly").is_empty());
    }
    assert!(dump["stats"]["blocks_compiled"].as_u64().expect("count") >= blocks.len() as u64);
}
