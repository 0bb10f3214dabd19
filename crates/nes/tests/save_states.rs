//! Save states: save, keep playing, load, and the machine replays the same
//! frames; bad states are refused without touching the running game.

use std::path::{Path, PathBuf};

use dynes_nes::{Buttons, Engine, Nes, StateError};

fn project_roms() -> Vec<PathBuf> {
    let dir = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../roms-test"));
    let mut roms: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("roms-test/ exists")
        .map(|entry| entry.expect("readable directory entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "nes"))
        .collect();
    let demo = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../assets/demo.nes"));
    if demo.exists() {
        roms.push(demo.to_path_buf());
    }
    roms.sort();
    roms
}

/// Runs `frames` frames holding a pattern of buttons that changes with the
/// frame number, and returns (frame hash, cycle) after each frame.
fn play(nes: &mut Nes, frames: u64) -> Vec<(u64, u64)> {
    (0..frames)
        .map(|_| {
            let pattern = [0x00, 0x08, 0x40, 0x80, 0x01, 0x00, 0x10, 0x02];
            let k = (nes.frame_count() / 7) as usize % pattern.len();
            nes.set_buttons(0, Buttons::from_bits(pattern[k]));
            nes.run_frame();
            (nes.frame_hash(), nes.cycle())
        })
        .collect()
}

fn round_trip(rom: &Path, engine: Engine) {
    let name = rom.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let mut nes = Nes::from_file(rom).unwrap_or_else(|e| panic!("{name}: {e}"));
    let _ = nes.set_engine(engine);
    play(&mut nes, 45);
    let state = nes.save_state().expect("state encodes");
    let (hash_at_save, cycle_at_save) = (nes.frame_hash(), nes.cycle());
    let first = play(&mut nes, 40);

    nes.load_state(&state).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_eq!(
        (nes.frame_hash(), nes.cycle()),
        (hash_at_save, cycle_at_save),
        "{name}: state restores the frame"
    );
    assert_eq!(nes.save_state().expect("state encodes"), state, "{name}: a loaded state saves identically");
    let again = play(&mut nes, 40);
    assert_eq!(first, again, "{name} on {engine:?}: frames after loading differ from the first run");
    assert!(nes.divergence().is_none(), "{name}: {:?}", nes.divergence());

    // A fresh console of the same game takes the state too.
    let mut other = Nes::from_file(rom).expect("loads again");
    other.load_state(&state).unwrap_or_else(|e| panic!("{name}: fresh console: {e}"));
    assert_eq!(play(&mut other, 40), first, "{name}: a fresh console replays the same frames");
}

#[test]
fn every_project_rom_round_trips_on_the_interpreter() {
    let roms = project_roms();
    assert!(roms.len() >= 19, "the project ROMs are in roms-test/");
    for rom in roms {
        round_trip(&rom, Engine::Interp);
    }
}

#[test]
fn every_project_rom_round_trips_on_the_recompiler_checked_by_the_interpreter() {
    for rom in project_roms() {
        round_trip(&rom, Engine::Verify);
    }
}

fn rom(name: &str) -> PathBuf {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../roms-test")).join(name)
}

/// Loads `bad` and checks it is refused with `expected`, leaving the
/// machine playing on exactly as if nothing happened.
fn refused(nes: &mut Nes, bad: &[u8], expected: fn(&StateError) -> bool) {
    let mut twin = Nes::from_file(rom("mapper_004_mmc3.nes")).expect("loads");
    twin.load_state(&nes.save_state().expect("encodes")).expect("a good state loads");
    let error = nes.load_state(bad).expect_err("a bad state is refused");
    assert!(expected(&error), "unexpected error: {error}");
    assert_eq!(play(nes, 20), play(&mut twin, 20), "a refused state leaves the game untouched");
}

#[test]
fn bad_states_are_refused_and_leave_the_game_running() {
    let mut nes = Nes::from_file(rom("mapper_004_mmc3.nes")).expect("loads");
    play(&mut nes, 30);
    let good = nes.save_state().expect("encodes");

    refused(&mut nes, b"", |e| matches!(e, StateError::NotAState));
    refused(&mut nes, b"PNG\x0d\x0a not a state at all", |e| matches!(e, StateError::NotAState));
    refused(&mut nes, &good[..14], |e| matches!(e, StateError::Truncated(_)));
    refused(&mut nes, &good[..good.len() / 2], |e| matches!(e, StateError::Checksum));
    let mut flipped = good.clone();
    flipped[good.len() / 3] ^= 0x40;
    refused(&mut nes, &flipped, |e| matches!(e, StateError::Checksum));

    let mut newer = good.clone();
    newer[8] = newer[8].wrapping_add(1);
    let n = newer.len() - 4;
    let checksum = crc32(&newer[..n]);
    newer[n..].copy_from_slice(&checksum);
    refused(&mut nes, &newer, |e| matches!(e, StateError::Newer { .. }));

    let mut older = good.clone();
    older[8] = older[8].wrapping_sub(1);
    let checksum = crc32(&older[..n]);
    older[n..].copy_from_slice(&checksum);
    refused(&mut nes, &older, |e| matches!(e, StateError::Older { .. }));

    let mut other_game = Nes::from_file(rom("mapper_001_mmc1.nes")).expect("loads");
    play(&mut other_game, 10);
    let foreign = other_game.save_state().expect("encodes");
    refused(&mut nes, &foreign, |e| matches!(e, StateError::WrongRom { .. }));
}

/// CRC-32 (IEEE), as the state format uses, to forge a consistent file.
fn crc32(bytes: &[u8]) -> [u8; 4] {
    let mut crc = !0u32;
    for &byte in bytes {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 != 0 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    (!crc).to_le_bytes()
}
