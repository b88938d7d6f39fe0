//! Scan progress for long runs on a terminal: the scan counts files as it models them;
//! `main` shows a line on stderr only when stderr is a terminal, not in CI, and only once
//! the scan has taken long enough to be worth it. Machine formats are never affected.

use std::sync::atomic::{AtomicUsize, Ordering};

/// Files discovered in the current scan.
pub static TOTAL: AtomicUsize = AtomicUsize::new(0);
/// Files parsed and modelled so far.
pub static DONE: AtomicUsize = AtomicUsize::new(0);

pub fn start(total: usize) {
    DONE.store(0, Ordering::Relaxed);
    TOTAL.store(total, Ordering::Relaxed);
}

pub fn tick() {
    DONE.fetch_add(1, Ordering::Relaxed);
}

/// `(done, total)` for the display.
pub fn get() -> (usize, usize) {
    (DONE.load(Ordering::Relaxed), TOTAL.load(Ordering::Relaxed))
}
