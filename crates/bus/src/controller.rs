//! The standard NES controller: eight buttons behind a 4021 shift register.

use std::ops::{BitOr, BitOrAssign};

/// A set of pressed buttons; bit order is the order the controller shifts
/// them out (A first).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct Buttons(u8);

impl Buttons {
    /// No button pressed.
    pub const NONE: Buttons = Buttons(0);
    /// A button.
    pub const A: Buttons = Buttons(0x01);
    /// B button.
    pub const B: Buttons = Buttons(0x02);
    /// Select button.
    pub const SELECT: Buttons = Buttons(0x04);
    /// Start button.
    pub const START: Buttons = Buttons(0x08);
    /// D-pad up.
    pub const UP: Buttons = Buttons(0x10);
    /// D-pad down.
    pub const DOWN: Buttons = Buttons(0x20);
    /// D-pad left.
    pub const LEFT: Buttons = Buttons(0x40);
    /// D-pad right.
    pub const RIGHT: Buttons = Buttons(0x80);

    /// Buttons from their bits (bit 0 = A … bit 7 = Right).
    pub const fn from_bits(bits: u8) -> Buttons {
        Buttons(bits)
    }

    /// The raw bits (bit 0 = A … bit 7 = Right).
    pub const fn bits(self) -> u8 {
        self.0
    }

    /// Every button in `other` is pressed.
    pub const fn contains(self, other: Buttons) -> bool {
        self.0 & other.0 == other.0
    }

    /// Presses or releases the buttons in `buttons`.
    pub fn set(&mut self, buttons: Buttons, pressed: bool) {
        if pressed {
            self.0 |= buttons.0;
        } else {
            self.0 &= !buttons.0;
        }
    }
}

impl BitOr for Buttons {
    type Output = Buttons;

    fn bitor(self, rhs: Buttons) -> Buttons {
        Buttons(self.0 | rhs.0)
    }
}

impl BitOrAssign for Buttons {
    fn bitor_assign(&mut self, rhs: Buttons) {
        self.0 |= rhs.0;
    }
}

/// One controller port with a standard controller plugged in.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct Controller {
    buttons: Buttons,
    shift: u8,
    strobe: bool,
}

impl Controller {
    /// A controller with nothing pressed and strobe low.
    pub fn new() -> Controller {
        Controller::default()
    }

    /// The buttons currently held.
    pub fn buttons(&self) -> Buttons {
        self.buttons
    }

    /// Sets the buttons currently held (from the frontend).
    pub fn set_buttons(&mut self, buttons: Buttons) {
        self.buttons = buttons;
        // While strobe is high the 4021 keeps loading the live buttons.
        if self.strobe {
            self.shift = buttons.bits();
        }
    }

    /// A write to $4016: bit 0 is the strobe (parallel load) line.
    pub fn write_strobe(&mut self, value: u8) {
        self.strobe = value & 1 != 0;
        if self.strobe {
            self.shift = self.buttons.bits();
        }
    }

    /// A read of $4016/$4017: bit 0 is the next button (A, B, Select, Start,
    /// Up, Down, Left, Right), then 1 forever on an official controller.
    pub fn read(&mut self) -> u8 {
        if self.strobe {
            // The register is reloaded every cycle, so it never gets past A.
            return self.buttons.bits() & 1;
        }
        let bit = self.shift & 1;
        self.shift = (self.shift >> 1) | 0x80;
        bit
    }

    /// What [`Controller::read`] would return, without shifting.
    pub fn peek(&self) -> u8 {
        if self.strobe {
            self.buttons.bits() & 1
        } else {
            self.shift & 1
        }
    }
}
