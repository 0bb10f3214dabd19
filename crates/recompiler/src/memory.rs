//! Executable memory for compiled code: one region reserved up front, so
//! code never moves, and only the pages a commit or a patch touches change
//! protection. Pages are writable or executable, never both at once.

use std::io;

/// Bytes reserved for compiled code (address space only: pages are backed
/// when code is written to them).
pub(crate) const CAPACITY: usize = 256 << 20;

const PAGE: usize = 4096;

/// A reserved region; `len` bytes at its start hold code.
pub(crate) struct CodeMemory {
    base: *mut u8,
    len: usize,
}

impl CodeMemory {
    /// Reserves the region (inaccessible until code is written).
    pub fn new() -> io::Result<CodeMemory> {
        // SAFETY: an anonymous private mapping at an address the kernel
        // picks; nothing else refers to it.
        let base = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                CAPACITY,
                libc::PROT_NONE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE,
                -1,
                0,
            )
        };
        if base == libc::MAP_FAILED {
            return Err(io::Error::last_os_error());
        }
        Ok(CodeMemory { base: base.cast(), len: 0 })
    }

    /// Where the region starts.
    pub fn base(&self) -> *const u8 {
        self.base
    }

    /// Bytes holding code.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Copies `bytes` to `offset` (at most the current length: existing code
    /// is patched, new code is appended), making the touched pages writable
    /// for the copy and executable again afterwards.
    pub fn write(&mut self, offset: usize, bytes: &[u8]) -> io::Result<()> {
        self.write_all(&[(offset, bytes)])
    }

    /// Several writes under one change of protection (of the pages from the
    /// first to the last one written).
    pub fn write_all(&mut self, writes: &[(usize, &[u8])]) -> io::Result<()> {
        let Some(first) = writes.iter().map(|&(offset, _)| offset).min() else { return Ok(()) };
        let end = writes.iter().map(|&(offset, bytes)| offset + bytes.len()).max().unwrap_or(first);
        if writes.iter().any(|&(offset, _)| offset > self.len) || end > CAPACITY {
            return Err(io::Error::new(io::ErrorKind::OutOfMemory, "the code region is full"));
        }
        if end == first {
            return Ok(());
        }
        let first_page = first / PAGE * PAGE;
        let last_page = end.div_ceil(PAGE) * PAGE;
        // SAFETY: the pages lie inside the reserved mapping; while they are
        // writable no compiled code runs (the recompiler does not run code
        // while it writes code), and no `bytes` overlaps them.
        unsafe {
            let pages = self.base.add(first_page).cast();
            let size = last_page - first_page;
            if libc::mprotect(pages, size, libc::PROT_READ | libc::PROT_WRITE) != 0 {
                return Err(io::Error::last_os_error());
            }
            for &(offset, bytes) in writes {
                std::ptr::copy_nonoverlapping(bytes.as_ptr(), self.base.add(offset), bytes.len());
            }
            if libc::mprotect(pages, size, libc::PROT_READ | libc::PROT_EXEC) != 0 {
                return Err(io::Error::last_os_error());
            }
        }
        self.len = self.len.max(end);
        Ok(())
    }

    /// The code bytes at `offset..offset + len`.
    pub fn read(&self, offset: usize, len: usize) -> Vec<u8> {
        assert!(offset + len <= self.len, "reading past the code");
        // SAFETY: the range holds written code, readable (PROT_READ).
        unsafe { std::slice::from_raw_parts(self.base.add(offset), len).to_vec() }
    }
}

impl Drop for CodeMemory {
    fn drop(&mut self) {
        // SAFETY: the mapping made in `new`; no code runs from it any more.
        unsafe {
            libc::munmap(self.base.cast(), CAPACITY);
        }
    }
}
