//! Findings gathered from many batches. A scan absorbs one batch per file, tens of
//! thousands of them: one growing `Vec<Finding>` copied itself at every doubling, and
//! each rayon split's accumulator was copied again into the total, so the buffers of
//! `--scale 470`'s 728,153 findings held several times their size at the peak. Here
//! findings sit in chunks of a fixed capacity: absorbing moves each finding once, never
//! copies what was gathered before, and leaves no buffer larger than a chunk.

use crate::finding::Finding;

/// Findings per chunk: large enough that the chunk list is short, small enough that the
/// last, partly filled chunk wastes little.
const CHUNK: usize = 4096;

#[derive(Debug, Default)]
pub struct Gathered {
    /// Chunks filled to `CHUNK` (but for the few an `append` closed early).
    full: Vec<Vec<Finding>>,
    /// The chunk being filled.
    open: Vec<Finding>,
}

impl Gathered {
    pub fn push(&mut self, finding: Finding) {
        if self.open.len() == CHUNK {
            self.full.push(std::mem::take(&mut self.open));
        }
        if self.open.capacity() == 0 && !self.full.is_empty() {
            self.open.reserve_exact(CHUNK);
        }
        self.open.push(finding);
    }

    /// Moves another gathering's findings here: its full chunks as they are, its open
    /// chunk finding by finding.
    pub fn append(&mut self, other: Gathered) {
        if !other.full.is_empty() && !self.open.is_empty() {
            // Keeps the order gathered; a partial chunk here is one per rayon reduce.
            self.full.push(std::mem::take(&mut self.open));
        }
        self.full.extend(other.full);
        self.extend(other.open);
    }

    pub fn len(&self) -> usize {
        self.full.iter().map(Vec::len).sum::<usize>() + self.open.len()
    }

    pub fn is_empty(&self) -> bool {
        self.open.is_empty() && self.full.iter().all(Vec::is_empty)
    }

    pub fn iter(&self) -> impl Iterator<Item = &Finding> {
        self.full.iter().flatten().chain(&self.open)
    }

    /// One vector of every finding, in the order gathered. Chunks are freed as they are
    /// moved, so the peak is the result plus one chunk.
    pub fn into_vec(self) -> Vec<Finding> {
        let mut out = Vec::with_capacity(self.len());
        for chunk in self.full {
            out.extend(chunk);
        }
        out.extend(self.open);
        out
    }
}

impl Extend<Finding> for Gathered {
    fn extend<I: IntoIterator<Item = Finding>>(&mut self, findings: I) {
        for f in findings {
            self.push(f);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{Confidence, Finding};
    use crate::rules::Severity;
    use crate::source::{FileId, Span};
    use std::sync::Arc;

    fn finding(n: u32) -> Finding {
        Finding {
            rule: crate::suppress::meta::meta_rules()[0].clone(),
            severity: Severity::Low,
            address: format!("r{n}"),
            file: Arc::from(""),
            span: Span::new(FileId(0), n as usize, n as usize + 1),
            header: Span::new(FileId(0), n as usize, n as usize + 1),
            message: String::new(),
            confidence: Confidence::High,
            fingerprint: Default::default(),
            suppression: None,
        }
    }

    #[test]
    fn keeps_every_finding_in_order_across_chunks() {
        let mut total = Gathered::default();
        let mut next = 0;
        // Batches of uneven sizes, one larger than a chunk, gathered in two halves that
        // are then appended, as rayon's fold and reduce do.
        let mut halves = [Gathered::default(), Gathered::default()];
        for (i, size) in [3, CHUNK + 5, 0, 17, CHUNK - 1, 2].into_iter().enumerate() {
            let batch: Vec<Finding> = (next..next + size as u32).map(finding).collect();
            next += size as u32;
            halves[i / 3].extend(batch);
        }
        let [a, b] = halves;
        total.append(a);
        total.append(b);
        assert_eq!(total.len(), next as usize);
        // The one chunk closed early is where the second half was appended.
        assert_eq!(total.full.iter().filter(|c| c.len() != CHUNK).count(), 1);
        let starts: Vec<u32> = total.into_vec().iter().map(|f| f.span.start).collect();
        assert_eq!(starts, (0..next).collect::<Vec<_>>());
    }

    #[test]
    fn empty_until_something_is_pushed() {
        let mut g = Gathered::default();
        assert!(g.is_empty());
        g.append(Gathered::default());
        assert!(g.is_empty());
        g.push(finding(1));
        assert!(!g.is_empty());
        assert_eq!(g.iter().count(), 1);
    }
}
