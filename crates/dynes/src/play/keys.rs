//! Names of keyboard keys and gamepad buttons as the config file writes
//! them, and key chords with modifiers (`Ctrl+R`, `Shift+F1`).

use std::fmt;

use gilrs::Button;
use minifb::Key;

/// Lists every name with its value; `$name` is both.
macro_rules! named {
    ($ty:ident: $($name:ident),* $(,)?) => {
        &[$((stringify!($name), $ty::$name)),*]
    };
}

/// Keyboard keys by name: minifb's names, digits as `0`-`9`.
const KEYS: &[(&str, Key)] = named![Key:
    A, B, C, D, E, F, G, H, I, J, K, L, M, N, O, P, Q, R, S, T, U, V, W, X, Y, Z,
    F1, F2, F3, F4, F5, F6, F7, F8, F9, F10, F11, F12, F13, F14, F15,
    Down, Left, Right, Up, Apostrophe, Backquote, Backslash, Comma, Equal, LeftBracket, Minus, Period,
    RightBracket, Semicolon, Slash, Backspace, Delete, End, Enter, Escape, Home, Insert, Menu, PageDown,
    PageUp, Pause, Space, Tab, NumLock, CapsLock, ScrollLock, LeftShift, RightShift, LeftCtrl, RightCtrl,
    NumPad0, NumPad1, NumPad2, NumPad3, NumPad4, NumPad5, NumPad6, NumPad7, NumPad8, NumPad9, NumPadDot,
    NumPadSlash, NumPadAsterisk, NumPadMinus, NumPadPlus, NumPadEnter, LeftAlt, RightAlt, LeftSuper,
    RightSuper,
];

const DIGITS: [Key; 10] = [
    Key::Key0,
    Key::Key1,
    Key::Key2,
    Key::Key3,
    Key::Key4,
    Key::Key5,
    Key::Key6,
    Key::Key7,
    Key::Key8,
    Key::Key9,
];

/// Gamepad buttons by gilrs's names.
const BUTTONS: &[(&str, Button)] = named![Button:
    South, East, North, West, C, Z, LeftTrigger, LeftTrigger2, RightTrigger, RightTrigger2, Select, Start,
    Mode, LeftThumb, RightThumb, DPadUp, DPadDown, DPadLeft, DPadRight,
];

/// The key called `name` (case does not matter).
pub fn key(name: &str) -> Option<Key> {
    if let [digit @ b'0'..=b'9'] = name.as_bytes() {
        return Some(DIGITS[usize::from(digit - b'0')]);
    }
    KEYS.iter().find(|(known, _)| known.eq_ignore_ascii_case(name)).map(|&(_, key)| key)
}

/// The name of `key` as [`key`] reads it.
pub fn key_name(key: Key) -> String {
    if let Some(digit) = DIGITS.iter().position(|&d| d == key) {
        return digit.to_string();
    }
    KEYS.iter()
        .find(|&&(_, known)| known == key)
        .map_or_else(|| format!("{key:?}"), |(name, _)| name.to_string())
}

/// The gamepad button called `name` (case does not matter).
pub fn button(name: &str) -> Option<Button> {
    BUTTONS.iter().find(|(known, _)| known.eq_ignore_ascii_case(name)).map(|&(_, button)| button)
}

/// A key with the modifiers that must be held with it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Chord {
    pub key: Key,
    pub ctrl: bool,
    pub shift: bool,
    pub alt: bool,
}

impl Chord {
    /// Parses `Key` or `Mod+...+Key` with modifiers `Ctrl`, `Shift`, `Alt`.
    pub fn parse(text: &str) -> Result<Chord, String> {
        let mut parts: Vec<&str> = text.split('+').map(str::trim).collect();
        let key_part = parts.pop().unwrap_or_default();
        let mut chord = Chord {
            key: key(key_part).ok_or_else(|| unknown_key(key_part))?,
            ctrl: false,
            shift: false,
            alt: false,
        };
        for modifier in parts {
            match modifier.to_ascii_lowercase().as_str() {
                "ctrl" => chord.ctrl = true,
                "shift" => chord.shift = true,
                "alt" => chord.alt = true,
                _ => return Err(format!("unknown modifier `{modifier}` in `{text}` (use Ctrl, Shift, Alt)")),
            }
        }
        Ok(chord)
    }

    /// Whether the modifiers held are exactly this chord's.
    pub fn modifiers_match(&self, ctrl: bool, shift: bool, alt: bool) -> bool {
        (self.ctrl, self.shift, self.alt) == (ctrl, shift, alt)
    }
}

impl fmt::Display for Chord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (held, name) in [(self.ctrl, "Ctrl+"), (self.shift, "Shift+"), (self.alt, "Alt+")] {
            if held {
                f.write_str(name)?;
            }
        }
        f.write_str(&key_name(self.key))
    }
}

/// The error for a key name nobody knows, with a hint.
pub fn unknown_key(name: &str) -> String {
    format!("unknown key `{name}` (key names: A-Z, 0-9, F1-F12, Up, Down, Left, Right, Enter, Space, Tab, Escape, LeftShift, RightShift, LeftCtrl, RightCtrl, Backspace, NumPad0-NumPad9, ...)")
}

/// The error for a gamepad button nobody knows, with the list.
pub fn unknown_button(name: &str) -> String {
    let names: Vec<&str> = BUTTONS.iter().map(|(n, _)| *n).collect();
    format!("unknown gamepad button `{name}` (one of {})", names.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for &(name, k) in KEYS {
            assert_eq!(key(name), Some(k));
            assert_eq!(key_name(k), name);
        }
        assert_eq!(key("7"), Some(Key::Key7));
        assert_eq!(key_name(Key::Key7), "7");
        assert_eq!(key("rightshift"), Some(Key::RightShift));
        assert_eq!(key("Shift"), None);
        assert_eq!(button("south"), Some(Button::South));
    }

    #[test]
    fn chords() {
        let chord = Chord::parse("Ctrl+Shift+R").expect("parses");
        assert_eq!((chord.key, chord.ctrl, chord.shift, chord.alt), (Key::R, true, true, false));
        assert_eq!(chord.to_string(), "Ctrl+Shift+R");
        assert_eq!(Chord::parse("F12").expect("parses").to_string(), "F12");
        assert!(Chord::parse("Hyper+R").expect_err("refused").contains("unknown modifier"));
        assert!(Chord::parse("Ctrl+Foo").expect_err("refused").contains("unknown key `Foo`"));
    }
}
