//! Failures and unknowns gathered over several parts of a resource (each statement of a
//! policy, each ingress rule), turned into one outcome at the end.

use crate::rules::truth::Outcome;
use crate::source::Span;

/// Failures and unknowns gathered over several parts of a resource.
#[derive(Default)]
pub(crate) struct Gathered {
    fails: Vec<Span>,
    unknown: Vec<Span>,
    any_unknown: bool,
}

impl Gathered {
    pub(crate) fn fail(&mut self, span: Span) {
        if !self.fails.contains(&span) {
            self.fails.push(span);
        }
    }

    pub(crate) fn unknown(&mut self, span: Span) {
        self.any_unknown = true;
        self.unknown.push(span);
    }

    pub(crate) fn outcome(self) -> Outcome {
        if !self.fails.is_empty() {
            Outcome::fail(self.fails)
        } else if self.any_unknown {
            Outcome::unknown(self.unknown)
        } else {
            Outcome::pass(Vec::new())
        }
    }
}
