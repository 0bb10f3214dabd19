//! The NES console.
