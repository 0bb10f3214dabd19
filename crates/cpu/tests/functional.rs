//! Klaus Dormann's 6502 functional test on the NMOS variant.

use std::path::PathBuf;

use dynes_cpu::{Bus, Cpu, FlatRam, Nmos6502};

fn suite_dir() -> PathBuf {
    std::env::var_os("DYNES_6502_TESTS").map(PathBuf::from).unwrap_or_else(|| {
        PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/6502-functional-test"))
    })
}

#[test]
fn klaus_dormann_functional_test() {
    let path = suite_dir().join("6502_functional_test.bin");
    let Ok(image) = std::fs::read(&path) else {
        eprintln!("skipped: 6502 functional test not found at {} (set DYNES_6502_TESTS)", path.display());
        return;
    };
    let mut bus = FlatRam::new();
    bus.load(0, &image);
    let mut cpu = Cpu::<Nmos6502>::new();
    cpu.set_pc(0x0400);
    let mut last_pc = 0x0400;
    let mut trapped = false;
    cpu.run_until(&mut *bus, 200_000_000, |cpu| {
        let pc = cpu.pc();
        trapped = pc == last_pc;
        last_pc = pc;
        trapped
    });
    assert!(trapped, "no trap within {} cycles", bus.cycle());
    assert_eq!(cpu.pc(), 0x3469, "trapped at ${:04X}: a failing test", cpu.pc());
    // The known length of a full pass: a change here is a timing change.
    assert_eq!(cpu.instructions(), 30_646_177);
    assert_eq!(bus.cycle(), 96_241_367);
}
