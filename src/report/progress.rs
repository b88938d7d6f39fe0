//! Scan progress for long runs on a terminal: the scan counts files as it models them,
//! and a line on stderr shows the count once the scan has taken long enough to be worth
//! it (only on a terminal and not in CI; machine formats are never affected).

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

/// Files discovered in the current scan.
static TOTAL: AtomicUsize = AtomicUsize::new(0);
/// Files parsed and modelled so far.
static DONE: AtomicUsize = AtomicUsize::new(0);

pub fn start(total: usize) {
    DONE.store(0, Ordering::Relaxed);
    TOTAL.store(total, Ordering::Relaxed);
}

pub fn tick() {
    DONE.fetch_add(1, Ordering::Relaxed);
}

/// Runs `work`, drawing a progress line on stderr if it takes more than a moment.
pub fn while_running<T>(work: impl FnOnce() -> T) -> T {
    let finished = AtomicBool::new(false);
    std::thread::scope(|scope| {
        scope.spawn(|| draw_until(&finished));
        let out = work();
        finished.store(true, Ordering::Relaxed);
        out
    })
}

#[expect(clippy::print_stderr, reason = "the progress line lives on stderr")]
fn draw_until(finished: &AtomicBool) {
    let mut waited = 0;
    let mut drawn = false;
    while !finished.load(Ordering::Relaxed) {
        std::thread::sleep(Duration::from_millis(100));
        waited += 100;
        if waited < 800 {
            continue;
        }
        let (done, total) = (DONE.load(Ordering::Relaxed), TOTAL.load(Ordering::Relaxed));
        if done < total {
            eprint!("\r\x1b[2Kisolint: parsing {done}/{total} files…");
        } else {
            eprint!("\r\x1b[2Kisolint: evaluating {total} files…");
        }
        drawn = true;
    }
    if drawn {
        eprint!("\r\x1b[2K");
    }
}
