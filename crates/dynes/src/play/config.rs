//! The window's settings: a RON file in the user's config folder, created
//! with the defaults (and comments saying what each key does) on first run.

use std::path::{Path, PathBuf};

use anyhow::{anyhow, Context, Result};
use gilrs::Button;
use minifb::Key;
use serde::{de, Deserialize, Deserializer};

use super::keys::{self, Chord};
use crate::rom::EngineArg;
use crate::run::RegionArg;

/// The config format version this build reads.
pub const VERSION: u32 = 1;

/// Written on first run; parsing it gives [`Config::default`] (a test
/// checks), so the comments always describe real defaults.
pub const DEFAULT_CONFIG: &str = r#"// dynes configuration (RON: https://github.com/ron-rs/ron).
// Every key is optional: a missing key keeps its default. A misspelt key or
// a bad value is an error naming its line. Delete this file to get the
// defaults back.
(
    version: 1,

    // CPU engine: jit (the recompiler), interp (the interpreter), or verify
    // (both in lockstep, stopping at the first difference; slow).
    engine: jit,
    // Console: auto (as the ROM's header says), ntsc or pal.
    region: auto,
    // Window size: the picture is scaled by this integer factor (1-8).
    scale: 3,
    // Show pixels 8:7 wide, as a TV did, instead of square.
    aspect: false,
    // Sound: on or off, and its volume (0-100).
    audio: true,
    volume: 80,

    // Where battery saves (<game>.sav), save states (<game>.<slot>.state)
    // and screenshots go; None: folders in dynes's data directory.
    saves_dir: None,
    states_dir: None,
    screenshots_dir: None,
    // While a game runs, battery RAM that changed is written after this
    // many seconds (and always when the game stops).
    battery_save_seconds: 5,

    // Keyboard: key names are A-Z, 0-9, F1-F15, Up, Down, Left, Right,
    // Enter, Space, Tab, Escape, Backspace, LeftShift, RightShift, LeftCtrl,
    // RightCtrl, LeftAlt, RightAlt, Comma, Period, Slash, Semicolon,
    // NumPad0-NumPad9, NumPadEnter, ...
    player1: (
        a: "X", b: "Z", select: "RightShift", start: "Enter",
        up: "Up", down: "Down", left: "Left", right: "Right",
    ),
    player2: (
        a: "G", b: "F", select: "Q", start: "E",
        up: "W", down: "S", left: "A", right: "D",
    ),

    // Gamepads, by gilrs's button names (South, East, North, West, Select,
    // Start, DPadUp, DPadDown, DPadLeft, DPadRight, LeftTrigger, ...): the
    // NES's B and A sit like the pad's bottom and right face buttons. The
    // first pad plugged in is player 1, the second player 2; the left stick
    // also steers, past `stick_deadzone` (0-1).
    gamepad: (
        a: "East", b: "South", select: "Select", start: "Start",
        up: "DPadUp", down: "DPadDown", left: "DPadLeft", right: "DPadRight",
        stick_deadzone: 0.5,
    ),

    // Hotkeys: a key name, with Ctrl+, Shift+ or Alt+ in front if needed.
    hotkeys: (
        quit: "Escape",
        pause: "P",
        frame_advance: "N",          // while paused: run one frame
        reset: "Ctrl+R",             // the console's reset button
        power_cycle: "Ctrl+Shift+R", // off and on again
        fast_forward: "Tab",         // held: run as fast as possible
        screenshot: "F12",
        fullscreen: "F11",           // borderless window (see README)
        mute: "M",
        // Slots 1-9, in order.
        save_state: ["F1", "F2", "F3", "F4", "F5", "F6", "F7", "F8", "F9"],
        load_state: ["Shift+F1", "Shift+F2", "Shift+F3", "Shift+F4", "Shift+F5",
                     "Shift+F6", "Shift+F7", "Shift+F8", "Shift+F9"],
    ),
)
"#;

/// All settings of the window.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    #[serde(deserialize_with = "supported_version")]
    pub version: u32,
    pub engine: EngineArg,
    pub region: RegionArg,
    #[serde(deserialize_with = "scale")]
    pub scale: u32,
    pub aspect: bool,
    pub audio: bool,
    #[serde(deserialize_with = "volume")]
    pub volume: u8,
    pub saves_dir: Option<PathBuf>,
    pub states_dir: Option<PathBuf>,
    pub screenshots_dir: Option<PathBuf>,
    #[serde(deserialize_with = "positive")]
    pub battery_save_seconds: u32,
    pub player1: Pad<KeyName>,
    pub player2: Pad<KeyName>,
    pub gamepad: Gamepad,
    pub hotkeys: Hotkeys,
}

/// The eight buttons of a controller, bound to keys or gamepad buttons.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pad<T> {
    pub a: T,
    pub b: T,
    pub select: T,
    pub start: T,
    pub up: T,
    pub down: T,
    pub left: T,
    pub right: T,
}

impl<T: Copy> Pad<T> {
    /// (binding, controller bit) for each button.
    pub fn bindings(&self) -> [(T, u8); 8] {
        use dynes_nes::Buttons;
        [
            (self.a, Buttons::A.bits()),
            (self.b, Buttons::B.bits()),
            (self.select, Buttons::SELECT.bits()),
            (self.start, Buttons::START.bits()),
            (self.up, Buttons::UP.bits()),
            (self.down, Buttons::DOWN.bits()),
            (self.left, Buttons::LEFT.bits()),
            (self.right, Buttons::RIGHT.bits()),
        ]
    }
}

/// Gamepad bindings, shared by both players' pads.
#[derive(Clone, Copy, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Gamepad {
    pub a: ButtonName,
    pub b: ButtonName,
    pub select: ButtonName,
    pub start: ButtonName,
    pub up: ButtonName,
    pub down: ButtonName,
    pub left: ButtonName,
    pub right: ButtonName,
    #[serde(deserialize_with = "deadzone")]
    pub stick_deadzone: f32,
}

impl Gamepad {
    /// The button bindings as a [`Pad`].
    pub fn pad(&self) -> Pad<ButtonName> {
        Pad {
            a: self.a,
            b: self.b,
            select: self.select,
            start: self.start,
            up: self.up,
            down: self.down,
            left: self.left,
            right: self.right,
        }
    }
}

/// Window hotkeys.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Hotkeys {
    pub quit: Chord,
    pub pause: Chord,
    pub frame_advance: Chord,
    pub reset: Chord,
    pub power_cycle: Chord,
    pub fast_forward: Chord,
    pub screenshot: Chord,
    pub fullscreen: Chord,
    pub mute: Chord,
    #[serde(deserialize_with = "slots")]
    pub save_state: Vec<Chord>,
    #[serde(deserialize_with = "slots")]
    pub load_state: Vec<Chord>,
}

impl Hotkeys {
    /// Every hotkey with a name for messages.
    fn named(&self) -> Vec<(String, Chord)> {
        let mut all = vec![
            ("quit".to_string(), self.quit),
            ("pause".to_string(), self.pause),
            ("frame_advance".to_string(), self.frame_advance),
            ("reset".to_string(), self.reset),
            ("power_cycle".to_string(), self.power_cycle),
            ("fast_forward".to_string(), self.fast_forward),
            ("screenshot".to_string(), self.screenshot),
            ("fullscreen".to_string(), self.fullscreen),
            ("mute".to_string(), self.mute),
        ];
        for (slot, chord) in self.save_state.iter().enumerate() {
            all.push((format!("save_state slot {}", slot + 1), *chord));
        }
        for (slot, chord) in self.load_state.iter().enumerate() {
            all.push((format!("load_state slot {}", slot + 1), *chord));
        }
        all
    }
}

/// A keyboard key, written by name in the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeyName(pub Key);

/// A gamepad button, written by name in the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ButtonName(pub Button);

impl<'de> Deserialize<'de> for KeyName {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        keys::key(&name).map(KeyName).ok_or_else(|| de::Error::custom(keys::unknown_key(&name)))
    }
}

impl<'de> Deserialize<'de> for ButtonName {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        keys::button(&name).map(ButtonName).ok_or_else(|| de::Error::custom(keys::unknown_button(&name)))
    }
}

impl<'de> Deserialize<'de> for Chord {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Chord::parse(&text).map_err(de::Error::custom)
    }
}

fn supported_version<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u32, D::Error> {
    match u32::deserialize(deserializer)? {
        VERSION => Ok(VERSION),
        other => {
            Err(de::Error::custom(format!("unsupported version {other}: this dynes reads version {VERSION}")))
        }
    }
}

fn scale<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u32, D::Error> {
    match u32::deserialize(deserializer)? {
        scale @ 1..=8 => Ok(scale),
        other => Err(de::Error::custom(format!("scale {other} is out of range: 1 to 8"))),
    }
}

fn volume<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u8, D::Error> {
    match u32::deserialize(deserializer)? {
        volume @ 0..=100 => Ok(volume as u8),
        other => Err(de::Error::custom(format!("volume {other} is out of range: 0 to 100"))),
    }
}

fn positive<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u32, D::Error> {
    match u32::deserialize(deserializer)? {
        0 => Err(de::Error::custom("must be at least 1")),
        n => Ok(n),
    }
}

fn deadzone<'de, D: Deserializer<'de>>(deserializer: D) -> Result<f32, D::Error> {
    match f32::deserialize(deserializer)? {
        zone if (0.0..1.0).contains(&zone) => Ok(zone),
        other => Err(de::Error::custom(format!("stick_deadzone {other} is out of range: 0 to below 1"))),
    }
}

fn slots<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<Chord>, D::Error> {
    let chords = Vec::<Chord>::deserialize(deserializer)?;
    if chords.len() > 9 {
        return Err(de::Error::custom(format!("{} slots given: at most 9", chords.len())));
    }
    Ok(chords)
}

impl Default for Config {
    fn default() -> Config {
        let pad = |keys: [&str; 8]| {
            let k = |i: usize| KeyName(keys::key(keys[i]).unwrap_or(Key::Unknown));
            Pad { a: k(0), b: k(1), select: k(2), start: k(3), up: k(4), down: k(5), left: k(6), right: k(7) }
        };
        let chord = |text: &str| {
            Chord::parse(text).unwrap_or(Chord { key: Key::Unknown, ctrl: false, shift: false, alt: false })
        };
        let b = ButtonName;
        Config {
            version: VERSION,
            engine: EngineArg::Jit,
            region: RegionArg::Auto,
            scale: 3,
            aspect: false,
            audio: true,
            volume: 80,
            saves_dir: None,
            states_dir: None,
            screenshots_dir: None,
            battery_save_seconds: 5,
            player1: pad(["X", "Z", "RightShift", "Enter", "Up", "Down", "Left", "Right"]),
            player2: pad(["G", "F", "Q", "E", "W", "S", "A", "D"]),
            gamepad: Gamepad {
                a: b(Button::East),
                b: b(Button::South),
                select: b(Button::Select),
                start: b(Button::Start),
                up: b(Button::DPadUp),
                down: b(Button::DPadDown),
                left: b(Button::DPadLeft),
                right: b(Button::DPadRight),
                stick_deadzone: 0.5,
            },
            hotkeys: Hotkeys {
                quit: chord("Escape"),
                pause: chord("P"),
                frame_advance: chord("N"),
                reset: chord("Ctrl+R"),
                power_cycle: chord("Ctrl+Shift+R"),
                fast_forward: chord("Tab"),
                screenshot: chord("F12"),
                fullscreen: chord("F11"),
                mute: chord("M"),
                save_state: (1..=9).map(|n| chord(&format!("F{n}"))).collect(),
                load_state: (1..=9).map(|n| chord(&format!("Shift+F{n}"))).collect(),
            },
        }
    }
}

impl Default for Hotkeys {
    fn default() -> Hotkeys {
        Config::default().hotkeys
    }
}

impl Default for Gamepad {
    fn default() -> Gamepad {
        Config::default().gamepad
    }
}

/// The default config file: `config.ron` in the user's config folder
/// (`~/.config/dynes` on Linux).
pub fn default_path() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "dynes").map(|dirs| dirs.config_dir().join("config.ron"))
}

/// dynes's data folder (`~/.local/share/dynes` on Linux), for saves,
/// states and screenshots.
pub fn data_dir() -> PathBuf {
    directories::ProjectDirs::from("", "", "dynes")
        .map(|dirs| dirs.data_dir().to_path_buf())
        .unwrap_or_else(|| PathBuf::from("dynes-data"))
}

impl Config {
    /// Parses a config document; `source` names it in errors, which say
    /// `SOURCE:LINE:COL: problem`.
    pub fn parse(text: &str, source: &str) -> Result<Config> {
        let config: Config = ron::from_str(text).map_err(|err| {
            let at = err.span.start;
            anyhow!("{source}:{}:{}: {}", at.line, at.col, err.code)
        })?;
        config.check().map_err(|problem| anyhow!("{source}: {problem}"))?;
        Ok(config)
    }

    /// Reads `path`, or with `None` the default file, which is created with
    /// the defaults first if it does not exist. Returns the config and the
    /// file it came from.
    pub fn load(path: Option<&Path>) -> Result<(Config, Option<PathBuf>)> {
        let path = match path {
            Some(path) => path.to_path_buf(),
            None => match default_path() {
                Some(path) => {
                    if !path.exists() {
                        create_default(&path)?;
                    }
                    path
                }
                None => return Ok((Config::default(), None)),
            },
        };
        if path.is_dir() {
            anyhow::bail!("{}: is a directory, not a config file", path.display());
        }
        let text =
            std::fs::read_to_string(&path).with_context(|| format!("{}: cannot read", path.display()))?;
        Ok((Config::parse(&text, &path.display().to_string())?, Some(path)))
    }

    /// Rules across keys: no key does two things.
    fn check(&self) -> Result<(), String> {
        let mut uses: Vec<(String, Chord)> = Vec::new();
        for (player, pad) in [("player1", &self.player1), ("player2", &self.player2)] {
            let names = ["a", "b", "select", "start", "up", "down", "left", "right"];
            for ((key, _), name) in pad.bindings().iter().zip(names) {
                uses.push((
                    format!("{player}.{name}"),
                    Chord { key: key.0, ctrl: false, shift: false, alt: false },
                ));
            }
        }
        uses.extend(self.hotkeys.named().into_iter().map(|(name, chord)| (format!("hotkeys.{name}"), chord)));
        for (i, (name, chord)) in uses.iter().enumerate() {
            if let Some((other, _)) = uses[..i].iter().find(|(_, earlier)| earlier == chord) {
                return Err(format!("`{chord}` is bound to both {other} and {name}"));
            }
        }
        Ok(())
    }

    /// Folder for battery saves.
    pub fn saves_dir(&self) -> PathBuf {
        self.saves_dir.clone().unwrap_or_else(|| data_dir().join("saves"))
    }

    /// Folder for save states.
    pub fn states_dir(&self) -> PathBuf {
        self.states_dir.clone().unwrap_or_else(|| data_dir().join("states"))
    }

    /// Folder for screenshots.
    pub fn screenshots_dir(&self) -> PathBuf {
        self.screenshots_dir.clone().unwrap_or_else(|| data_dir().join("screenshots"))
    }
}

/// Writes the commented default config to `path`.
fn create_default(path: &Path) -> Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("{}: cannot create folder", dir.display()))?;
    }
    crate::files::write_atomic(path, DEFAULT_CONFIG.as_bytes())?;
    eprintln!("dynes: wrote the default settings to {}", path.display());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_file_is_the_default_config() {
        assert_eq!(Config::parse(DEFAULT_CONFIG, "default").expect("parses"), Config::default());
        assert_eq!(Config::parse("()", "empty").expect("parses"), Config::default());
    }

    fn error(text: &str) -> String {
        format!("{:#}", Config::parse(text, "cfg.ron").expect_err("refused"))
    }

    #[test]
    fn problems_name_the_line() {
        let unknown = error("(\n  version: 1,\n  scael: 2,\n)");
        assert!(unknown.starts_with("cfg.ron:3:"), "{unknown}");
        assert!(unknown.contains("scael"), "{unknown}");
        let bad_key = error("(\n  player1: (a: \"X\", b: \"Zed\", select: \"Q\", start: \"Enter\",\n up: \"Up\", down: \"Down\", left: \"Left\", right: \"Right\"),\n)");
        assert!(bad_key.starts_with("cfg.ron:2:") && bad_key.contains("unknown key `Zed`"), "{bad_key}");
        let scale = error("(\n\n  scale: 12,\n)");
        assert!(scale.starts_with("cfg.ron:3:") && scale.contains("1 to 8"), "{scale}");
        let engine = error("(engine: turbo)");
        assert!(engine.starts_with("cfg.ron:1:") && engine.contains("turbo"), "{engine}");
        let newer = error("(version: 2)");
        assert!(newer.contains("unsupported version 2"), "{newer}");
        let twice = error("(hotkeys: (quit: \"Escape\", pause: \"X\", frame_advance: \"N\", reset: \"Ctrl+R\", power_cycle: \"Ctrl+Shift+R\", fast_forward: \"Tab\", screenshot: \"F12\", fullscreen: \"F11\", mute: \"M\", save_state: [], load_state: []))");
        assert!(twice.contains("`X` is bound to both player1.a and hotkeys.pause"), "{twice}");
        let syntax = error("(\n  scale: 3\n  aspect: true,\n)");
        assert!(syntax.starts_with("cfg.ron:3:"), "{syntax}");
    }
}
