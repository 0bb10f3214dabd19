//! Files the emulator writes for the player: save states and battery
//! saves. Every write is atomic, so a crash or a kill mid-write leaves the
//! previous file whole.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use dynes_nes::Nes;

/// Writes `bytes` to `path` so that `path` always holds either its old
/// contents or all of the new ones: write a temporary file beside it, flush
/// it to the disk, rename it over `path`, then flush the directory.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    write_atomic_with(path, bytes, |file, bytes| file.write_all(bytes))
}

/// [`write_atomic`] with the step that fills the temporary file given, so
/// tests can interrupt it.
pub(crate) fn write_atomic_with(
    path: &Path,
    bytes: &[u8],
    fill: impl FnOnce(&mut File, &[u8]) -> std::io::Result<()>,
) -> Result<()> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path.file_name().with_context(|| format!("{}: not a file name", path.display()))?;
    let temp = dir.join(format!(".{}.{}.tmp", name.to_string_lossy(), std::process::id()));
    let result = (|| -> std::io::Result<()> {
        let mut file = File::create(&temp)?;
        fill(&mut file, bytes)?;
        file.sync_all()?;
        drop(file);
        std::fs::rename(&temp, path)?;
        // The rename is durable once the directory is on disk too.
        if let Ok(dir) = File::open(&dir) {
            let _ = dir.sync_all();
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    result.with_context(|| format!("{}: cannot write", path.display()))
}

/// Writes a save state of `nes` to `path`.
pub fn save_state(nes: &mut Nes, path: &Path) -> Result<()> {
    let bytes = nes.save_state().with_context(|| format!("{}: cannot save state", path.display()))?;
    write_atomic(path, &bytes)
}

/// Loads the save state in `path` into `nes`; on any error `nes` runs on
/// untouched.
pub fn load_state(nes: &mut Nes, path: &Path) -> Result<()> {
    let bytes = std::fs::read(path).with_context(|| format!("{}: cannot read save state", path.display()))?;
    nes.load_state(&bytes).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
}

/// A cartridge's battery-backed RAM kept in a `.sav` file: loaded when the
/// game starts, written when it changed (at most every few seconds while
/// playing) and when the game stops.
pub struct BatterySave {
    path: PathBuf,
    /// What the file holds now.
    on_disk: Vec<u8>,
}

impl BatterySave {
    /// For a cartridge with a battery: loads `path` into its PRG-RAM if the
    /// file exists. `None` when the cartridge has no battery. A file of the
    /// wrong size is an error (it is left alone, and not overwritten).
    pub fn open(nes: &mut Nes, path: PathBuf) -> Result<Option<BatterySave>> {
        if !nes.has_battery() {
            return Ok(None);
        }
        let ram_len = nes.prg_ram().len();
        match std::fs::read(&path) {
            Ok(bytes) if bytes.len() == ram_len => {
                nes.load_prg_ram(&bytes);
                Ok(Some(BatterySave { path, on_disk: bytes }))
            }
            Ok(bytes) => anyhow::bail!(
                "{}: battery save is {} bytes but the cartridge has {ram_len} bytes of PRG-RAM; \
                 move it away to start without it",
                path.display(),
                bytes.len()
            ),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                Ok(Some(BatterySave { path, on_disk: nes.prg_ram().to_vec() }))
            }
            Err(e) => Err(e).with_context(|| format!("{}: cannot read battery save", path.display())),
        }
    }

    /// Where the save lives.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Writes the cartridge RAM if it differs from the file; true if it
    /// wrote.
    pub fn flush(&mut self, nes: &Nes) -> Result<bool> {
        if nes.prg_ram() == self.on_disk.as_slice() {
            return Ok(false);
        }
        if let Some(dir) = self.path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("{}: cannot create folder", dir.display()))?;
        }
        write_atomic(&self.path, nes.prg_ram())?;
        self.on_disk = nes.prg_ram().to_vec();
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("dynes-files-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        dir
    }

    #[test]
    fn atomic_write_replaces_the_file() {
        let dir = temp_dir("replace");
        let path = dir.join("game.sav");
        write_atomic(&path, b"old").expect("writes");
        write_atomic(&path, b"new contents").expect("writes");
        assert_eq!(std::fs::read(&path).expect("reads"), b"new contents");
        let leftovers: Vec<_> = std::fs::read_dir(&dir).expect("lists").collect();
        assert_eq!(leftovers.len(), 1, "no temporary file is left behind");
    }

    #[test]
    fn a_write_interrupted_at_any_point_leaves_the_old_save_whole() {
        let dir = temp_dir("interrupt");
        let path = dir.join("game.sav");
        let old = vec![0x11u8; 8192];
        write_atomic(&path, &old).expect("writes");
        let new = vec![0x22u8; 8192];
        // The write dies after `cut` bytes (as a kill or a full disk would
        // stop it): the file keeps the old save.
        for cut in [0, 1, 4096, 8191] {
            let result = write_atomic_with(&path, &new, |file, bytes| {
                file.write_all(&bytes[..cut])?;
                Err(std::io::Error::other("interrupted"))
            });
            assert!(result.is_err());
            assert_eq!(std::fs::read(&path).expect("reads"), old, "cut after {cut} bytes");
        }
        // A process killed outright leaves its temporary file; the save is
        // still the old one, and the next write succeeds.
        std::fs::write(dir.join(".game.sav.99999.tmp"), &new[..100]).expect("writes");
        assert_eq!(std::fs::read(&path).expect("reads"), old);
        write_atomic(&path, &new).expect("writes");
        assert_eq!(std::fs::read(&path).expect("reads"), new);
    }

    fn demo() -> Nes {
        crate::rom::Game::Demo.load(None, dynes_nes::Engine::Interp).expect("the demo loads")
    }

    #[test]
    fn battery_ram_is_loaded_and_written_when_it_changes() {
        let dir = temp_dir("battery");
        let path = dir.join("saves").join("game.sav");
        let mut nes = demo();
        assert!(nes.has_battery(), "the demo keeps its high score on a battery");
        let mut save = BatterySave::open(&mut nes, path.clone()).expect("opens").expect("has a battery");
        assert!(!save.flush(&nes).expect("flushes"), "nothing changed, nothing written");
        assert!(!path.exists());
        let mut changed = nes.prg_ram().to_vec();
        changed[0x10] = 0x5A;
        nes.load_prg_ram(&changed);
        assert!(save.flush(&nes).expect("flushes"));
        assert_eq!(std::fs::read(&path).expect("written")[0x10], 0x5A);
        assert!(!save.flush(&nes).expect("flushes"), "written once");

        // The next start loads it.
        let mut again = demo();
        BatterySave::open(&mut again, path.clone()).expect("opens");
        assert_eq!(again.prg_ram()[0x10], 0x5A);

        // A save of the wrong size is refused, named, and left alone.
        std::fs::write(&path, [1, 2, 3]).expect("writes");
        let error = BatterySave::open(&mut demo(), path.clone()).err().expect("refused");
        assert!(format!("{error:#}").contains("game.sav"), "{error:#}");
        assert_eq!(std::fs::read(&path).expect("still there"), [1, 2, 3]);
    }

    /// Run as a child process by the test below: saves two different
    /// 64 KiB images in turn, forever.
    #[test]
    fn child_writing_saves_until_killed() {
        let Some(path) = std::env::var_os("DYNES_KILL_TEST_FILE") else {
            return;
        };
        let images = [vec![0xAAu8; 0x10000], vec![0x55u8; 0x10000]];
        for k in 0.. {
            write_atomic(Path::new(&path), &images[k % 2]).expect("writes");
        }
    }

    #[test]
    fn a_process_killed_while_saving_leaves_a_whole_save() {
        let dir = temp_dir("kill");
        let path = dir.join("game.sav");
        write_atomic(&path, &[0xAA; 0x10000]).expect("writes");
        for round in 0..12u64 {
            let mut child = std::process::Command::new(std::env::current_exe().expect("test binary"))
                .args(["--exact", "files::tests::child_writing_saves_until_killed", "--test-threads=1"])
                .env("DYNES_KILL_TEST_FILE", &path)
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .spawn()
                .expect("child starts");
            std::thread::sleep(std::time::Duration::from_millis(20 + round * 7));
            child.kill().expect("kill");
            let _ = child.wait();
            let bytes = std::fs::read(&path).expect("the save is there");
            assert_eq!(bytes.len(), 0x10000, "round {round}: whole file");
            assert!(
                bytes.iter().all(|&b| b == 0xAA) || bytes.iter().all(|&b| b == 0x55),
                "round {round}: one image, not a mix"
            );
        }
    }
}
