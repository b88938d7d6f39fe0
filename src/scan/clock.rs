//! Where a scan's time goes (`--stats`): wall time per phase and thread time summed
//! over workers.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

/// Thread time spent modelling and evaluating, summed over workers (`--stats`).
#[derive(Debug, Default)]
pub(super) struct StageClock {
    model_ns: AtomicU64,
    evaluate_ns: AtomicU64,
}

impl StageClock {
    pub(super) fn time_model<T>(&self, work: impl FnOnce() -> T) -> T {
        Self::time(&self.model_ns, work)
    }

    pub(super) fn time_evaluate<T>(&self, work: impl FnOnce() -> T) -> T {
        Self::time(&self.evaluate_ns, work)
    }

    pub(super) fn model_ms(&self) -> u64 {
        self.model_ns.load(Ordering::Relaxed) / 1_000_000
    }

    pub(super) fn evaluate_ms(&self) -> u64 {
        self.evaluate_ns.load(Ordering::Relaxed) / 1_000_000
    }

    fn time<T>(counter: &AtomicU64, work: impl FnOnce() -> T) -> T {
        let started = Instant::now();
        let out = work();
        let ns = u64::try_from(started.elapsed().as_nanos()).unwrap_or(u64::MAX);
        counter.fetch_add(ns, Ordering::Relaxed);
        out
    }
}

/// Milliseconds since `since`.
pub(crate) fn elapsed_ms(since: Instant) -> u64 {
    u64::try_from(since.elapsed().as_millis()).unwrap_or(u64::MAX)
}

/// The whole scan's time budget (`--time-budget`): work not started before it runs out
/// is skipped and counted, so a repository crafted to stall the scan ends it with a
/// failure instead of holding the runner or passing.
#[derive(Debug)]
pub(super) struct Budget {
    deadline: Option<Instant>,
    skipped: AtomicU64,
    /// The first skipped file by name (deterministic whatever the thread schedule).
    first: std::sync::Mutex<Option<String>>,
}

impl Budget {
    pub(super) fn new(started: Instant, budget: std::time::Duration) -> Self {
        Budget {
            deadline: started.checked_add(budget),
            skipped: AtomicU64::new(0),
            first: std::sync::Mutex::new(None),
        }
    }

    /// Whether `work` may still start; if not, it is counted as skipped.
    pub(super) fn allows(&self, work: &str) -> bool {
        if self.deadline.is_none_or(|d| Instant::now() < d) {
            return true;
        }
        self.skipped.fetch_add(1, Ordering::Relaxed);
        let mut first = self
            .first
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if first.as_deref().is_none_or(|f| work < f) {
            *first = Some(work.to_owned());
        }
        false
    }

    /// How much was skipped, and the first skipped file.
    pub(super) fn skipped(&self) -> (usize, Option<String>) {
        let n = usize::try_from(self.skipped.load(Ordering::Relaxed)).unwrap_or(usize::MAX);
        let first = self
            .first
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone();
        (n, first)
    }
}
