//! Executable memory for compiled code: one region reserved up front, so
//! code never moves. No page is ever writable and executable at once:
//!
//! - preferably the same memory (a `memfd`) is mapped twice, read+execute
//!   where code runs and read+write where it is written, so committing and
//!   patching code costs no protection changes at all;
//! - where that is not available, one private mapping whose touched pages
//!   are made writable for a copy and executable again afterwards.

use std::io;

/// Bytes reserved for compiled code (address space only: pages are backed
/// when code is written to them).
pub(crate) const CAPACITY: usize = 256 << 20;

const PAGE: usize = 4096;

/// A reserved region; `len` bytes at its start hold code.
pub(crate) struct CodeMemory {
    /// Where code runs (read+execute; read+write while copying in the
    /// single-mapping mode).
    base: *mut u8,
    /// The same memory, writable, in the dual-mapping mode.
    writable: Option<*mut u8>,
    len: usize,
}

/// `mmap` of `CAPACITY` bytes; `None` on failure.
fn map(prot: libc::c_int, flags: libc::c_int, fd: libc::c_int) -> Option<*mut u8> {
    // SAFETY: a new mapping at an address the kernel picks, of `fd` (a memfd
    // of at least CAPACITY bytes) or anonymous; nothing else refers to it.
    let base = unsafe { libc::mmap(std::ptr::null_mut(), CAPACITY, prot, flags, fd, 0) };
    (base != libc::MAP_FAILED).then_some(base.cast())
}

impl CodeMemory {
    /// Reserves the region.
    pub fn new() -> io::Result<CodeMemory> {
        if let Some(memory) = CodeMemory::dual() {
            return Ok(memory);
        }
        let base = map(libc::PROT_NONE, libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE, -1)
            .ok_or_else(io::Error::last_os_error)?;
        Ok(CodeMemory { base, writable: None, len: 0 })
    }

    /// The dual mapping of one memfd, if the host allows it.
    fn dual() -> Option<CodeMemory> {
        // SAFETY: creates a file descriptor owned here and closed below (the
        // mappings keep the memory alive).
        let fd = unsafe { libc::memfd_create(c"dynes-code".as_ptr(), libc::MFD_CLOEXEC) };
        if fd < 0 {
            return None;
        }
        // SAFETY: `fd` is the memfd just created.
        let sized = unsafe { libc::ftruncate(fd, CAPACITY as libc::off_t) } == 0;
        let exec = sized.then(|| map(libc::PROT_READ | libc::PROT_EXEC, libc::MAP_SHARED, fd)).flatten();
        let write = exec.and_then(|_| map(libc::PROT_READ | libc::PROT_WRITE, libc::MAP_SHARED, fd));
        // SAFETY: `fd` is ours; closing it leaves the mappings in place.
        unsafe { libc::close(fd) };
        match (exec, write) {
            (Some(base), Some(writable)) => Some(CodeMemory { base, writable: Some(writable), len: 0 }),
            (Some(base), None) => {
                // SAFETY: the mapping made just above, unused.
                unsafe { libc::munmap(base.cast(), CAPACITY) };
                None
            }
            _ => None,
        }
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
    /// is patched, new code is appended).
    pub fn write(&mut self, offset: usize, bytes: &[u8]) -> io::Result<()> {
        self.write_all(&[(offset, bytes)])
    }

    /// Several writes at once (in the single-mapping mode, under one change
    /// of protection of the pages from the first to the last one written).
    pub fn write_all(&mut self, writes: &[(usize, &[u8])]) -> io::Result<()> {
        let Some(first) = writes.iter().map(|&(offset, _)| offset).min() else { return Ok(()) };
        let end = writes.iter().map(|&(offset, bytes)| offset + bytes.len()).max().unwrap_or(first);
        if writes.iter().any(|&(offset, _)| offset > self.len) || end > CAPACITY {
            return Err(io::Error::new(io::ErrorKind::OutOfMemory, "the code region is full"));
        }
        if end == first {
            return Ok(());
        }
        if let Some(writable) = self.writable {
            for &(offset, bytes) in writes {
                // SAFETY: inside the writable view of the region; no `bytes`
                // overlaps it.
                unsafe { std::ptr::copy_nonoverlapping(bytes.as_ptr(), writable.add(offset), bytes.len()) };
            }
            self.len = self.len.max(end);
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
        // SAFETY: the range holds written code, readable in both modes.
        unsafe { std::slice::from_raw_parts(self.base.add(offset), len).to_vec() }
    }
}

impl Drop for CodeMemory {
    fn drop(&mut self) {
        // SAFETY: the mappings made in `new`; no code runs from them any more.
        unsafe {
            libc::munmap(self.base.cast(), CAPACITY);
            if let Some(writable) = self.writable {
                libc::munmap(writable.cast(), CAPACITY);
            }
        }
    }
}
