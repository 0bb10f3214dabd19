//! The 2C02's 64 colours as RGB, computed from its composite video signal.
//!
//! Each colour is a square wave between two voltage levels (hue = phase of
//! the wave, level = which voltages), decoded as NTSC: luma is the wave's
//! average, chroma its projection on the colour subcarrier.

/// Signal voltages of the four levels, low and high halves of the wave.
const LOW: [f32; 4] = [0.350, 0.518, 0.962, 1.550];
const HIGH: [f32; 4] = [1.094, 1.506, 1.962, 1.962];
const BLACK: f32 = 0.518;
const WHITE: f32 = 1.962;

/// RGB of palette index `index` (0-63) with emphasis bits `emphasis` (0-7,
/// bit 0 red, bit 1 green, bit 2 blue).
pub fn rgb(index: u8, emphasis: u8) -> [u8; 3] {
    let hue = (index & 0x0F) as i32;
    let level = ((index >> 4) & 3) as usize;
    let (mut y, mut i, mut q) = (0.0f32, 0.0f32, 0.0f32);
    for phase in 0..12 {
        let in_color = |h: i32| (h + phase) % 12 < 6;
        let mut signal = match hue {
            0 => HIGH[level],
            13 => LOW[level],
            14 | 15 => BLACK,
            _ if in_color(hue) => HIGH[level],
            _ => LOW[level],
        };
        // Emphasis attenuates the signal during the phases of the other colours.
        let attenuate = [(1, 0), (2, 4), (4, 8)]
            .iter()
            .any(|&(bit, start)| emphasis & bit != 0 && hue < 14 && (phase + 12 - start) % 12 < 6);
        if attenuate {
            signal *= 0.746;
        }
        let value = (signal - BLACK) / (WHITE - BLACK);
        // Hue steps are 30 degrees; the decoder reference is 100 degrees off
        // the wave's phase 0 (so that $x6 is red, $xA green and $x2 blue).
        let angle = std::f32::consts::PI * (phase as f32 + 0.5) / 6.0 + 100f32.to_radians();
        y += value;
        i += value * angle.cos();
        q += value * angle.sin();
    }
    let (y, i, q) = (y / 12.0, i / 12.0, q / 12.0);
    let to_byte = |v: f32| (v.clamp(0.0, 1.0) * 255.0).round() as u8;
    [
        to_byte(y + 0.956 * i + 0.621 * q),
        to_byte(y - 0.272 * i - 0.647 * q),
        to_byte(y - 1.106 * i + 1.703 * q),
    ]
}

/// The full table for all 512 index/emphasis combinations.
pub fn table() -> Vec<[u8; 3]> {
    (0..512u16).map(|c| rgb((c & 0x3F) as u8, (c >> 6) as u8)).collect()
}

#[cfg(test)]
mod tests {
    use super::rgb;

    /// The dominant channel of a colour.
    fn dominant(c: [u8; 3]) -> usize {
        (0..3).max_by_key(|&i| c[i]).unwrap_or(0)
    }

    #[test]
    fn hues_land_where_the_2c02_puts_them() {
        // $16 red, $1A green, $12 blue, $0F black, $30 white.
        assert_eq!(dominant(rgb(0x16, 0)), 0);
        assert_eq!(dominant(rgb(0x1A, 0)), 1);
        assert_eq!(dominant(rgb(0x12, 0)), 2);
        assert_eq!(rgb(0x0F, 0), [0, 0, 0]);
        assert!(rgb(0x30, 0).iter().all(|&c| c > 230));
    }
}
