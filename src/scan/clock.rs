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
