//! Bank-switched memory shared by the boards: ROM or RAM seen through an
//! address window cut into equal slots, and PRG-RAM at $6000-$7FFF.
//!
//! Bank numbers are reduced to the memory's real size when a bank is mapped,
//! never on access, so a read is one table look-up and one index whatever
//! size (power of two or not) the ROM file declared.

use std::fmt;

use crate::cartridge::Cartridge;

/// PRG slot size: 8 KiB, the smallest PRG bank any supported board switches.
pub(crate) const PRG_SLOT: usize = 0x2000;
/// CHR slot size: 1 KiB, the smallest CHR bank any supported board switches.
pub(crate) const CHR_SLOT: usize = 0x400;
/// CHR-RAM a board gets when the header declares neither CHR-ROM nor CHR-RAM.
pub(crate) const DEFAULT_CHR_RAM: usize = 0x2000;

/// CPU $8000-$FFFF: four 8 KiB slots.
pub(crate) type PrgRom = Banked<4, PRG_SLOT>;
/// PPU $0000-$1FFF: eight 1 KiB slots.
pub(crate) type Chr = Banked<8, CHR_SLOT>;

/// ROM or RAM behind an address window of `SLOTS` slots of `SLOT_SIZE`
/// bytes, each slot pointing at a slot-aligned offset in `data`.
#[derive(Clone)]
pub(crate) struct Banked<const SLOTS: usize, const SLOT_SIZE: usize> {
    /// A whole number of slots long, so every slot offset has a full slot
    /// behind it.
    data: Box<[u8]>,
    offsets: [usize; SLOTS],
    writable: bool,
}

impl<const SLOTS: usize, const SLOT_SIZE: usize> Banked<SLOTS, SLOT_SIZE> {
    const SLOT_SIZE_IS_A_POWER_OF_TWO: () = assert!(SLOT_SIZE.is_power_of_two());

    /// Wraps ROM contents or fresh RAM, initially mapped in order. Data that
    /// is not a whole number of slots is repeated to fill the last one, as a
    /// small chip repeats through address lines it does not decode; empty
    /// data becomes one zeroed slot.
    pub(crate) fn new(mut data: Vec<u8>, writable: bool) -> Self {
        let () = Self::SLOT_SIZE_IS_A_POWER_OF_TWO;
        if data.is_empty() {
            data.resize(SLOT_SIZE, 0);
        }
        let original = data.len();
        let padded = original.next_multiple_of(SLOT_SIZE);
        data.reserve(padded - original);
        for i in original..padded {
            data.push(data[i - original]);
        }
        let mut offsets = [0; SLOTS];
        for (slot, offset) in offsets.iter_mut().enumerate() {
            *offset = (slot * SLOT_SIZE) % padded;
        }
        Banked { data: data.into_boxed_slice(), offsets, writable }
    }

    /// Bytes held (a whole number of slots).
    pub(crate) fn len(&self) -> usize {
        self.data.len()
    }

    /// How many `size`-byte banks there are; a partial last bank counts.
    pub(crate) fn bank_count(&self, size: usize) -> usize {
        self.data.len().div_ceil(size.max(1)).max(1)
    }

    /// The last `size`-byte bank: what "fixed to the last bank" means even
    /// when the size is not a power of two.
    pub(crate) fn last_bank(&self, size: usize) -> usize {
        self.bank_count(size) - 1
    }

    /// Maps bank `bank`, counted in `size`-byte units (a multiple of the slot
    /// size), at `addr`. The bank number wraps at the bank count, as a board
    /// with fewer address lines than register bits does; a bank larger than
    /// the whole memory repeats it.
    pub(crate) fn map(&mut self, addr: u16, size: usize, bank: usize) {
        let first = usize::from(addr) / SLOT_SIZE;
        let base = (bank % self.bank_count(size)) * size;
        for k in 0..(size / SLOT_SIZE).max(1) {
            self.offsets[(first + k) % SLOTS] = (base + k * SLOT_SIZE) % self.data.len();
        }
    }

    /// The byte at `addr` (any address: the window repeats every
    /// `SLOTS * SLOT_SIZE` bytes).
    #[inline]
    pub(crate) fn read(&self, addr: u16) -> u8 {
        let addr = usize::from(addr);
        self.data[self.offsets[(addr / SLOT_SIZE) % SLOTS] + addr % SLOT_SIZE]
    }

    /// Stores `value` at `addr` if this is RAM.
    #[inline]
    pub(crate) fn write(&mut self, addr: u16, value: u8) {
        if self.writable {
            let addr = usize::from(addr);
            self.data[self.offsets[(addr / SLOT_SIZE) % SLOTS] + addr % SLOT_SIZE] = value;
        }
    }
}

impl PrgRom {
    /// CPU page `page` ($80-$FF) as plain read-only memory.
    pub(crate) fn plain_page(&self, page: u8) -> super::PlainPage {
        let addr = usize::from(page) << 8;
        let offset = self.offsets[(addr / PRG_SLOT) % 4] + addr % PRG_SLOT;
        super::PlainPage::rom(&self.data[offset..offset + 0x100], super::source::PRG_ROM + offset as u32)
    }
}

impl<const SLOTS: usize, const SLOT_SIZE: usize> Banked<SLOTS, SLOT_SIZE> {
    /// Takes the contents of `running` if this is ROM restored from a save
    /// state (which leaves ROM out); false if the sizes differ.
    pub(crate) fn adopt_rom(&mut self, running: &mut Self) -> bool {
        if self.writable {
            return true;
        }
        if self.data.len() != running.data.len() || running.writable {
            return false;
        }
        std::mem::swap(&mut self.data, &mut running.data);
        true
    }
}

/// A [`Banked`] in a save state: the mapping, and the contents only if it
/// is RAM (ROM comes from the cartridge file).
#[derive(serde::Serialize, serde::Deserialize)]
struct BankedState<'a> {
    len: usize,
    offsets: Vec<usize>,
    writable: bool,
    #[serde(with = "serde_bytes", borrow)]
    ram: std::borrow::Cow<'a, [u8]>,
}

/// Largest memory a save state may declare (no board has more than this).
const MAX_STATE_MEMORY: usize = 16 << 20;

impl<const SLOTS: usize, const SLOT_SIZE: usize> serde::Serialize for Banked<SLOTS, SLOT_SIZE> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        BankedState {
            len: self.data.len(),
            offsets: self.offsets.to_vec(),
            writable: self.writable,
            ram: std::borrow::Cow::Borrowed(if self.writable { &self.data } else { &[] }),
        }
        .serialize(serializer)
    }
}

impl<'de, const SLOTS: usize, const SLOT_SIZE: usize> serde::Deserialize<'de> for Banked<SLOTS, SLOT_SIZE> {
    /// Checks what the read path relies on: whole slots, slot-aligned
    /// offsets inside the memory. ROM arrives zeroed, to be adopted.
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let state = BankedState::deserialize(deserializer)?;
        if state.len == 0 || state.len % SLOT_SIZE != 0 || state.len > MAX_STATE_MEMORY {
            return Err(D::Error::custom(format!("bad banked memory size {}", state.len)));
        }
        let offsets: [usize; SLOTS] = state
            .offsets
            .as_slice()
            .try_into()
            .map_err(|_| D::Error::invalid_length(state.offsets.len(), &"one offset per slot"))?;
        if offsets.iter().any(|&offset| offset % SLOT_SIZE != 0 || offset >= state.len) {
            return Err(D::Error::custom("bank offset outside the memory"));
        }
        let data = if state.writable {
            if state.ram.len() != state.len {
                return Err(D::Error::invalid_length(state.ram.len(), &"the declared RAM size"));
            }
            state.ram.into_owned().into_boxed_slice()
        } else {
            vec![0; state.len].into_boxed_slice()
        };
        Ok(Banked { data, offsets, writable: state.writable })
    }
}

/// Save-state form of a boxed byte array: its bytes, which must be exactly
/// `N` long.
pub(crate) mod boxed_bytes {
    use serde::{de::Error, Deserializer, Serializer};

    pub(crate) fn serialize<S: Serializer, const N: usize>(
        bytes: &[u8; N],
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        serializer.serialize_bytes(bytes)
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>, const N: usize>(
        deserializer: D,
    ) -> Result<Box<[u8; N]>, D::Error> {
        let bytes: Box<[u8]> = serde_bytes::deserialize(deserializer)?;
        let len = bytes.len();
        bytes.try_into().map_err(|_| D::Error::invalid_length(len, &"the board's fixed memory size"))
    }
}

/// Sizes and the mapping: contents are no use in a debug print.
impl<const SLOTS: usize, const SLOT_SIZE: usize> fmt::Debug for Banked<SLOTS, SLOT_SIZE> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Banked")
            .field("len", &self.data.len())
            .field("writable", &self.writable)
            .field("banks", &self.offsets.map(|offset| offset / SLOT_SIZE))
            .finish()
    }
}

/// A board's pattern memory: its CHR-ROM, or its CHR-RAM (`default_ram`
/// bytes when the header declares none, which iNES headers never do).
pub(crate) fn chr_memory(cart: &mut Cartridge, default_ram: usize) -> Chr {
    let data = std::mem::take(&mut cart.chr);
    if cart.chr_is_ram() {
        let data = if data.is_empty() { vec![0; default_ram] } else { data };
        Chr::new(data, true)
    } else {
        Chr::new(data, false)
    }
}

/// PRG-RAM behind CPU $6000-$7FFF: an 8 KiB window that smaller RAM repeats
/// through and larger RAM (SOROM, SXROM) is switched into in 8 KiB banks.
#[derive(Clone, serde::Serialize, serde::Deserialize)]
pub(crate) struct PrgRam {
    #[serde(with = "serde_bytes")]
    data: Vec<u8>,
    bank_offset: usize,
}

impl PrgRam {
    /// Window size, and the unit of `set_bank`.
    const WINDOW: usize = 0x2000;

    /// Wraps the cartridge's PRG-RAM (possibly none).
    pub(crate) fn new(data: Vec<u8>) -> PrgRam {
        PrgRam { data, bank_offset: 0 }
    }

    /// Selects the 8 KiB bank seen at $6000 (wrapping at the RAM's size).
    pub(crate) fn set_bank(&mut self, bank: usize) {
        let banks = self.data.len().div_ceil(Self::WINDOW).max(1);
        self.bank_offset = (bank % banks) * Self::WINDOW;
    }

    /// Index for a CPU address; `None` when there is no RAM at all.
    #[inline]
    fn index(&self, addr: u16) -> Option<usize> {
        match self.data.len() {
            0 => None,
            len => Some((self.bank_offset + (usize::from(addr) & (Self::WINDOW - 1))) % len),
        }
    }

    /// The byte at `addr`; `None` (open bus) without RAM.
    #[inline]
    pub(crate) fn read(&self, addr: u16) -> Option<u8> {
        self.index(addr).map(|i| self.data[i])
    }

    /// Stores `value` at `addr`; dropped without RAM.
    #[inline]
    pub(crate) fn write(&mut self, addr: u16, value: u8) {
        if let Some(i) = self.index(addr) {
            self.data[i] = value;
        }
    }

    /// Size in bytes.
    pub(crate) fn len(&self) -> usize {
        self.data.len()
    }

    /// CPU page `page` ($60-$7F) as plain memory, readable and writable as
    /// asked; not plain when the RAM is too small to hold a whole page.
    pub(crate) fn plain_page(&mut self, page: u8, readable: bool, writable: bool) -> super::PlainPage {
        match self.index(u16::from(page) << 8) {
            Some(i) if i % 0x100 == 0 && i + 0x100 <= self.data.len() => super::PlainPage::ram(
                &mut self.data[i..i + 0x100],
                super::source::PRG_RAM + i as u32,
                readable,
                writable,
            ),
            _ => super::PlainPage::NONE,
        }
    }

    /// The whole RAM, e.g. for a save file.
    pub(crate) fn bytes(&self) -> &[u8] {
        &self.data
    }

    /// The whole RAM, writable.
    pub(crate) fn bytes_mut(&mut self) -> &mut [u8] {
        &mut self.data
    }
}

/// The size instead of the contents.
impl fmt::Debug for PrgRam {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PrgRam")
            .field("len", &self.data.len())
            .field("bank_offset", &self.bank_offset)
            .finish()
    }
}
