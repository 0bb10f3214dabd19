//! Controller input files (`dynes run --input`): a RON document of button
//! changes per port and frame, written by a program (the window's recorder)
//! and read by people. The format is described in `docs/input-format.md`.

use std::path::Path;

use anyhow::{anyhow, Result};
use dynes_nes::Buttons;
use serde::{de, Deserialize, Deserializer, Serialize};

/// The format version this build reads and writes.
pub const VERSION: u32 = 1;

/// Written above the document by [`InputMovie::save`], for whoever opens it.
const HEADER: &str = "// dynes controller input (docs/input-format.md): each change holds from\n\
                      // its frame until the next change for the same port.\n";

/// A recording of controller changes for ports 1 and 2.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InputMovie {
    /// Format version; only [`VERSION`] is accepted.
    #[serde(deserialize_with = "supported_version")]
    pub version: u32,
    /// The changes, sorted by frame (stably: same-frame changes keep their
    /// order) once loaded.
    pub changes: Vec<InputChange>,
}

/// From `frame` on, `port` holds exactly `buttons` until its next change.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InputChange {
    /// The frame before which the change applies; 0 is the first frame run.
    pub frame: u64,
    /// Controller port as printed on the console: 1 or 2.
    #[serde(deserialize_with = "console_port")]
    pub port: u8,
    /// The buttons held; empty releases all.
    pub buttons: Vec<Button>,
}

/// A button of the standard controller, named as in the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Button {
    /// A.
    A,
    /// B.
    B,
    /// Select.
    Select,
    /// Start.
    Start,
    /// Up on the D-pad.
    Up,
    /// Down on the D-pad.
    Down,
    /// Left on the D-pad.
    Left,
    /// Right on the D-pad.
    Right,
}

impl Button {
    /// The button's bit in the controller's shift register.
    pub fn mask(self) -> Buttons {
        match self {
            Button::A => Buttons::A,
            Button::B => Buttons::B,
            Button::Select => Buttons::SELECT,
            Button::Start => Buttons::START,
            Button::Up => Buttons::UP,
            Button::Down => Buttons::DOWN,
            Button::Left => Buttons::LEFT,
            Button::Right => Buttons::RIGHT,
        }
    }
}

impl InputChange {
    /// The port as `Nes::set_buttons` numbers it (0 or 1).
    pub fn port_index(&self) -> usize {
        usize::from(self.port.saturating_sub(1))
    }

    /// All buttons of the change as one mask.
    pub fn held(&self) -> Buttons {
        self.buttons.iter().fold(Buttons::NONE, |held, &button| held | button.mask())
    }
}

impl InputMovie {
    /// Reads and checks an input file. Every problem is one line naming the
    /// file; problems inside the document also give `LINE:COL`.
    pub fn load(path: &Path) -> Result<InputMovie> {
        if path.is_dir() {
            return Err(anyhow!("{}: is a directory, not an input file", path.display()));
        }
        let text =
            std::fs::read_to_string(path).map_err(|err| anyhow!("{}: cannot read: {err}", path.display()))?;
        let mut movie: InputMovie = ron::from_str(&text).map_err(|err| {
            let at = err.span.start;
            anyhow!("{}:{}:{}: {}", path.display(), at.line, at.col, err.code)
        })?;
        movie.changes.sort_by_key(|change| change.frame);
        Ok(movie)
    }

    /// The changes to apply before `frame` runs, in file order. Needs
    /// `changes` sorted by frame, as [`InputMovie::load`] leaves them and a
    /// recorder appends them.
    pub fn changes_at(&self, frame: u64) -> &[InputChange] {
        let start = self.changes.partition_point(|change| change.frame < frame);
        let end = self.changes.partition_point(|change| change.frame <= frame);
        &self.changes[start..end]
    }

    /// The document as `save` writes it: pretty RON, one change per line.
    pub fn to_ron(&self) -> Result<String> {
        // Depth 2 is the `changes` list: its items (the changes) go on one line each.
        let config = ron::ser::PrettyConfig::new().depth_limit(2);
        let body =
            ron::ser::to_string_pretty(self, config).map_err(|err| anyhow!("cannot write RON: {err}"))?;
        Ok(format!("{HEADER}{body}\n"))
    }

    /// Writes the movie as pretty RON, atomically (see
    /// [`crate::files::write_atomic`]).
    pub fn save(&self, path: &Path) -> Result<()> {
        crate::files::write_atomic(path, self.to_ron()?.as_bytes())
    }

    /// Appends a change for `port` (0 or 1) before `frame`, for a recorder
    /// that runs frames in order.
    pub fn record(&mut self, frame: u64, port: usize, held: Buttons) {
        let buttons = ALL.iter().copied().filter(|b| held.bits() & b.mask().bits() != 0).collect();
        self.changes.push(InputChange { frame, port: port as u8 + 1, buttons });
    }
}

/// Every button, in the controller's report order.
const ALL: [Button; 8] = [
    Button::A,
    Button::B,
    Button::Select,
    Button::Start,
    Button::Up,
    Button::Down,
    Button::Left,
    Button::Right,
];

/// Accepts only [`VERSION`], so a newer file is named as such rather than
/// misread.
fn supported_version<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u32, D::Error> {
    let version = u64::deserialize(deserializer)?;
    if version == u64::from(VERSION) {
        Ok(VERSION)
    } else {
        Err(de::Error::custom(format!("unsupported version {version}: this dynes reads version {VERSION}")))
    }
}

/// Accepts the console's port numbers, 1 and 2.
fn console_port<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u8, D::Error> {
    match u64::deserialize(deserializer)? {
        port @ (1 | 2) => Ok(port as u8),
        port => Err(de::Error::custom(format!("port {port} does not exist: ports are 1 and 2"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(frame: u64, port: u8, buttons: &[Button]) -> InputChange {
        InputChange { frame, port, buttons: buttons.to_vec() }
    }

    #[test]
    fn record_appends_whole_states() {
        let mut movie = InputMovie { version: VERSION, changes: Vec::new() };
        movie.record(5, 1, Buttons::A | Buttons::LEFT);
        assert_eq!(movie.changes, vec![change(5, 2, &[Button::A, Button::Left])]);
    }

    #[test]
    fn save_writes_one_change_per_line_and_loads_back() {
        let movie = InputMovie {
            version: VERSION,
            changes: vec![
                change(60, 1, &[Button::Start]),
                change(66, 1, &[]),
                change(200, 1, &[Button::A, Button::Right]),
                change(200, 2, &[Button::B]),
            ],
        };
        let dir = std::env::temp_dir().join(format!("dynes-input-unit-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let path = dir.join("movie.ron");
        movie.save(&path).expect("save");
        let text = std::fs::read_to_string(&path).expect("read back");
        assert!(text.contains("        (frame: 200, port: 1, buttons: [A, Right]),\n"), "{text}");
        assert!(text.starts_with("// "), "{text}");
        assert_eq!(InputMovie::load(&path).expect("load"), movie);
        let leftovers: Vec<_> = std::fs::read_dir(&dir)
            .expect("list")
            .filter_map(|entry| entry.ok())
            .map(|e| e.file_name())
            .collect();
        assert_eq!(leftovers, vec![std::ffi::OsString::from("movie.ron")], "no temporary file left");
        std::fs::remove_dir_all(&dir).expect("clean up");
    }

    #[test]
    fn changes_at_returns_the_frame_in_file_order() {
        let movie = InputMovie {
            version: VERSION,
            changes: vec![change(3, 2, &[Button::B]), change(3, 1, &[Button::A]), change(9, 1, &[])],
        };
        assert!(movie.changes_at(2).is_empty());
        assert_eq!(movie.changes_at(3), &movie.changes[..2]);
        assert_eq!(movie.changes_at(9), &movie.changes[2..]);
        assert_eq!(movie.changes[1].held(), Buttons::A);
        assert_eq!(movie.changes[0].port_index(), 1);
        assert_eq!(change(0, 1, &ALL).held().bits(), 0xFF);
    }
}
