//! Gamepads through gilrs: plugged in and out while a game runs, the first
//! connected pad playing player 1 and the second player 2.

use dynes_nes::Buttons;
use gilrs::{Axis, EventType, GamepadId, Gilrs};

use super::config::Gamepad as Bindings;

/// The connected gamepads, in the order they arrived.
pub struct Gamepads {
    gilrs: Option<Gilrs>,
    order: Vec<GamepadId>,
}

impl Gamepads {
    /// Opens the gamepad subsystem. Without one (no udev, a sandbox) the
    /// keyboard still works; the reason comes back as a message.
    pub fn open() -> (Gamepads, Option<String>) {
        match Gilrs::new() {
            Ok(gilrs) => {
                let order = gilrs.gamepads().map(|(id, _)| id).collect();
                (Gamepads { gilrs: Some(gilrs), order }, None)
            }
            Err(err) => (
                Gamepads { gilrs: None, order: Vec::new() },
                Some(format!("gamepads unavailable ({err}); keyboard only")),
            ),
        }
    }

    /// Handles pads plugged in or out since the last call; returns a
    /// message for each.
    pub fn poll(&mut self) -> Vec<String> {
        let Some(gilrs) = &mut self.gilrs else {
            return Vec::new();
        };
        let mut messages = Vec::new();
        while let Some(event) = gilrs.next_event() {
            match event.event {
                EventType::Connected if !self.order.contains(&event.id) => {
                    self.order.push(event.id);
                    let player = self.order.len();
                    let name = gilrs.gamepad(event.id).name().to_string();
                    messages.push(if player <= 2 {
                        format!("gamepad {name} is player {player}")
                    } else {
                        format!("gamepad {name} connected (two players already)")
                    });
                }
                EventType::Disconnected => {
                    if let Some(index) = self.order.iter().position(|&id| id == event.id) {
                        self.order.remove(index);
                        messages.push(format!("gamepad of player {} disconnected", index + 1));
                    }
                }
                _ => {}
            }
        }
        messages
    }

    /// The controller bits player `player` (0 or 1) holds on their pad.
    pub fn held(&self, player: usize, bindings: &Bindings) -> u8 {
        let (Some(gilrs), Some(&id)) = (&self.gilrs, self.order.get(player)) else {
            return 0;
        };
        let Some(pad) = gilrs.connected_gamepad(id) else {
            return 0;
        };
        let mut bits = 0;
        for (button, bit) in bindings.pad().bindings() {
            if pad.is_pressed(button.0) {
                bits |= bit;
            }
        }
        // The left stick steers like the D-pad.
        let zone = bindings.stick_deadzone;
        let (x, y) = (pad.value(Axis::LeftStickX), pad.value(Axis::LeftStickY));
        for (pushed, direction) in [
            (x < -zone, Buttons::LEFT),
            (x > zone, Buttons::RIGHT),
            (y > zone, Buttons::UP),
            (y < -zone, Buttons::DOWN),
        ] {
            if pushed {
                bits |= direction.bits();
            }
        }
        bits
    }
}
