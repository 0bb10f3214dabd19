//! Test ROMs from `$DYNES_TEST_ROMS` that report through memory, run on the
//! interpreter: blargg's `$6000` protocol and the 2005-era `$F0` result byte.
//! (The full manifest-driven runner is `dynes test`; these guard the CPU and
//! PPU core against regressions.)

use std::path::PathBuf;

use dynes_nes::Nes;

fn suite_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("DYNES_TEST_ROMS").map(PathBuf::from).unwrap_or_else(|| {
        PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/nes-test-roms"))
    });
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("skipped: NES test ROMs not found at {} (set DYNES_TEST_ROMS)", dir.display());
        None
    }
}

/// The zero-terminated text a `$6000` test printed at `$6004`.
fn status_text(nes: &Nes) -> String {
    let bytes: Vec<u8> = (0x6004u16..0x7000).map(|a| nes.peek(a)).take_while(|&b| b != 0).collect();
    String::from_utf8_lossy(&bytes).into_owned()
}

/// Runs a `$6000`-protocol ROM: `DE B0 61` at $6001 marks valid data,
/// $80 = running, $81 = press reset (after 100 ms or more), below $80 = done.
fn run_status6000(path: &PathBuf) -> Result<(), String> {
    let mut nes = Nes::from_file(path).map_err(|e| e.to_string())?;
    let mut reset_at = None;
    for frame in 0..60 * 30 {
        if !nes.run_frame() {
            return Err(format!("CPU jammed: {:?}", nes.jammed()));
        }
        let valid = [nes.peek(0x6001), nes.peek(0x6002), nes.peek(0x6003)] == [0xDE, 0xB0, 0x61];
        match nes.peek(0x6000) {
            _ if !valid => {}
            0x80 => {}
            0x81 => match reset_at {
                None => reset_at = Some(frame + 8),
                Some(at) if frame >= at => {
                    nes.reset();
                    reset_at = None;
                }
                Some(_) => {}
            },
            0 => return Ok(()),
            code => return Err(format!("result {code}: {}", status_text(&nes))),
        }
    }
    Err(format!("no result after 30 s of emulated time: {}", status_text(&nes)))
}

fn run_zp_f0(path: &PathBuf) -> Result<(), String> {
    let mut nes = Nes::from_file(path).map_err(|e| e.to_string())?;
    for _ in 0..60 * 10 {
        nes.run_frame();
    }
    match nes.peek(0x00F0) {
        1 => Ok(()),
        code => Err(format!("result {code}")),
    }
}

fn check(rows: &[&str], run: fn(&PathBuf) -> Result<(), String>) {
    let Some(dir) = suite_dir() else { return };
    let failures: Vec<String> =
        rows.iter().filter_map(|rom| run(&dir.join(rom)).err().map(|why| format!("{rom}: {why}"))).collect();
    assert!(failures.is_empty(), "failed:\n{}", failures.join("\n"));
}

#[test]
fn instr_test_v5() {
    let rows: Vec<String> = [
        "01-basics",
        "02-implied",
        "03-immediate",
        "04-zero_page",
        "05-zp_xy",
        "06-absolute",
        "07-abs_xy",
        "08-ind_x",
        "09-ind_y",
        "10-branches",
        "11-stack",
        "12-jmp_jsr",
        "13-rts",
        "14-rti",
        "15-brk",
        "16-special",
    ]
    .iter()
    .map(|name| format!("instr_test-v5/rom_singles/{name}.nes"))
    .collect();
    check(&rows.iter().map(String::as_str).collect::<Vec<_>>(), run_status6000);
}

#[test]
fn ppu_vbl_nmi() {
    let rows: Vec<String> = [
        "01-vbl_basics",
        "02-vbl_set_time",
        "03-vbl_clear_time",
        "04-nmi_control",
        "05-nmi_timing",
        "06-suppression",
        "07-nmi_on_timing",
        "08-nmi_off_timing",
        "09-even_odd_frames",
    ]
    .iter()
    .map(|name| format!("ppu_vbl_nmi/rom_singles/{name}.nes"))
    .collect();
    check(&rows.iter().map(String::as_str).collect::<Vec<_>>(), run_status6000);
}

#[test]
fn oam_read_and_dummy_writes() {
    check(
        &[
            "oam_read/oam_read.nes",
            "cpu_dummy_writes/cpu_dummy_writes_oam.nes",
            "cpu_dummy_writes/cpu_dummy_writes_ppumem.nes",
        ],
        run_status6000,
    );
}

#[test]
fn blargg_ppu_tests_2005() {
    check(
        &[
            "blargg_ppu_tests_2005.09.15b/palette_ram.nes",
            "blargg_ppu_tests_2005.09.15b/sprite_ram.nes",
            "blargg_ppu_tests_2005.09.15b/vbl_clear_time.nes",
            "blargg_ppu_tests_2005.09.15b/vram_access.nes",
        ],
        run_zp_f0,
    );
}
