//! Three-valued outcomes. `Unknown` means a value the scan could not know decided the
//! result: it never becomes a finding unless `--strict` asks for low-confidence ones.

use crate::source::Span;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Truth {
    True,
    False,
    Unknown,
}

impl Truth {
    /// Kleene conjunction: false wins, then unknown.
    pub fn and(self, other: Truth) -> Truth {
        match (self, other) {
            (Truth::False, _) | (_, Truth::False) => Truth::False,
            (Truth::True, Truth::True) => Truth::True,
            _ => Truth::Unknown,
        }
    }

    /// Kleene disjunction: true wins, then unknown.
    pub fn or(self, other: Truth) -> Truth {
        match (self, other) {
            (Truth::True, _) | (_, Truth::True) => Truth::True,
            (Truth::False, Truth::False) => Truth::False,
            _ => Truth::Unknown,
        }
    }
}

/// The result of one check with the spans that explain it: where it failed (for a
/// finding) or what satisfied it (so `not` can point at the offending value).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    pub truth: Truth,
    pub spans: Vec<Span>,
}

impl Outcome {
    pub fn pass(spans: Vec<Span>) -> Self {
        Outcome {
            truth: Truth::True,
            spans,
        }
    }

    pub fn fail(spans: Vec<Span>) -> Self {
        Outcome {
            truth: Truth::False,
            spans,
        }
    }

    pub fn unknown(spans: Vec<Span>) -> Self {
        Outcome {
            truth: Truth::Unknown,
            spans,
        }
    }

    pub fn from_bool(ok: bool, span: Span) -> Self {
        if ok {
            Outcome::pass(vec![span])
        } else {
            Outcome::fail(vec![span])
        }
    }

    /// Logical AND of several outcomes: every failure is kept so each offending element
    /// becomes its own finding.
    pub fn all(outcomes: impl IntoIterator<Item = Outcome>) -> Outcome {
        let mut failed = Vec::new();
        let mut any_failed = false;
        let mut any_unknown = false;
        let mut unknown_spans = Vec::new();
        let mut passed = Vec::new();
        for o in outcomes {
            match o.truth {
                Truth::False => {
                    any_failed = true;
                    failed.extend(o.spans);
                }
                Truth::Unknown => {
                    any_unknown = true;
                    unknown_spans.extend(o.spans);
                }
                Truth::True => passed.extend(o.spans),
            }
        }
        if any_failed {
            Outcome::fail(dedup(failed))
        } else if any_unknown {
            Outcome::unknown(dedup(unknown_spans))
        } else {
            Outcome::pass(dedup(passed))
        }
    }

    /// Logical OR: the first success wins; otherwise unknown beats failure.
    pub fn any(outcomes: impl IntoIterator<Item = Outcome>) -> Outcome {
        let mut first_fail: Option<Vec<Span>> = None;
        let mut unknown: Option<Vec<Span>> = None;
        for o in outcomes {
            match o.truth {
                Truth::True => return o,
                Truth::Unknown => {
                    unknown.get_or_insert(o.spans);
                }
                Truth::False => {
                    first_fail.get_or_insert(o.spans);
                }
            }
        }
        match (unknown, first_fail) {
            (Some(spans), _) => Outcome::unknown(spans),
            (None, Some(spans)) => Outcome::fail(spans),
            (None, None) => Outcome::fail(Vec::new()),
        }
    }

    #[must_use]
    pub fn negate(self) -> Outcome {
        match self.truth {
            Truth::True => Outcome::fail(self.spans),
            Truth::False => Outcome::pass(self.spans),
            Truth::Unknown => self,
        }
    }
}

fn dedup(mut spans: Vec<Span>) -> Vec<Span> {
    spans.sort();
    spans.dedup();
    spans
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sp(n: u32) -> Span {
        Span {
            file: crate::source::FileId(0),
            start: n,
            end: n + 1,
        }
    }

    #[test]
    fn all_keeps_every_failure_and_unknown_beats_pass() {
        let o = Outcome::all([
            Outcome::fail(vec![sp(2)]),
            Outcome::unknown(vec![]),
            Outcome::fail(vec![sp(1)]),
        ]);
        assert_eq!(o, Outcome::fail(vec![sp(1), sp(2)]));
        let o = Outcome::all([Outcome::pass(vec![]), Outcome::unknown(vec![sp(3)])]);
        assert_eq!(o.truth, Truth::Unknown);
    }

    #[test]
    fn kleene_logic() {
        assert_eq!(Truth::True.and(Truth::Unknown), Truth::Unknown);
        assert_eq!(Truth::False.and(Truth::Unknown), Truth::False);
        assert_eq!(Truth::True.or(Truth::Unknown), Truth::True);
        assert_eq!(Truth::False.or(Truth::Unknown), Truth::Unknown);
    }

    #[test]
    fn any_prefers_success_then_unknown() {
        let o = Outcome::any([Outcome::fail(vec![sp(1)]), Outcome::unknown(vec![])]);
        assert_eq!(o.truth, Truth::Unknown);
        let o = Outcome::any([Outcome::fail(vec![sp(1)]), Outcome::pass(vec![sp(2)])]);
        assert_eq!(o, Outcome::pass(vec![sp(2)]));
        assert_eq!(
            Outcome::pass(vec![sp(1)]).negate(),
            Outcome::fail(vec![sp(1)])
        );
    }
}
