//! Compiled checks and their three-valued evaluation against a resource. A check states
//! the compliant state; a rule reports a finding where it comes out false.

use std::collections::BTreeSet;

use regex::Regex;

use super::context::{EvalCx, Memo, NativeFn};
use super::index::ResourceIndex;
use super::path::{Hit, Path};
use super::pattern::Pattern;
use super::truth::{Outcome, Truth};
use crate::model::terraform::ManagedAddresses;
use crate::parse::node::{Node, Value};
use crate::source::Span;

#[derive(Debug)]
pub enum Predicate {
    All(Vec<Predicate>),
    Any(Vec<Predicate>),
    Not(Box<Predicate>),
    /// `if` holds → `then` must hold; `if` false → nothing to check.
    If(Box<Predicate>, Box<Predicate>),
    Present(Path),
    Absent(Path),
    Leaf(Leaf),
    Every(Path, Box<Predicate>),
    Some(Path, Box<Predicate>),
    Related(Related),
    Native(Native),
}

/// `path` + one operator, with an optional value to assume when the path is missing
/// (the provider's default).
#[derive(Debug)]
pub struct Leaf {
    pub path: Path,
    pub op: Op,
    pub default: Option<Node>,
}

#[derive(Debug)]
pub enum Op {
    Equals(Node, bool),
    NotEquals(Node, bool),
    OneOf(Vec<Node>, bool),
    NoneOf(Vec<Node>, bool),
    Matches(Pattern),
    NotMatches(Pattern),
    /// No match anywhere in the text; each match is its own finding.
    NoMatch(Pattern),
    Compare(std::cmp::Ordering, bool, f64),
    Contains(Node, bool),
    NotContains(Node, bool),
}

#[derive(Debug)]
pub struct Related {
    pub kind: String,
    /// The attribute of the other resource that refers to this one.
    pub via: Path,
    /// Compare known values instead: this resource's attribute at `by`...
    pub by: Option<Path>,
    pub check: Option<Box<Predicate>>,
}

pub struct Native {
    pub name: String,
    pub func: NativeFn,
    pub args: Option<Node>,
    /// Literals one of which the text must contain for the check to run at all (the
    /// keyword prefilter of `text_secret_pattern`; ids in its shared registry).
    pub keywords: Option<Vec<usize>>,
}

impl std::fmt::Debug for Native {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Native({})", self.name)
    }
}

impl Predicate {
    /// The kinds of the other resources this predicate relates to (`related`).
    pub fn related_kinds<'a>(&'a self, out: &mut BTreeSet<&'a str>) {
        match self {
            Predicate::All(list) | Predicate::Any(list) => {
                list.iter().for_each(|p| p.related_kinds(out));
            }
            Predicate::Not(p) | Predicate::Every(_, p) | Predicate::Some(_, p) => {
                p.related_kinds(out);
            }
            Predicate::If(a, b) => {
                a.related_kinds(out);
                b.related_kinds(out);
            }
            Predicate::Related(r) => {
                out.insert(&r.kind);
                if let Some(check) = &r.check {
                    check.related_kinds(out);
                }
            }
            Predicate::Present(_) | Predicate::Absent(_) | Predicate::Leaf(_) => {}
            Predicate::Native(_) => {}
        }
    }

    /// Whether this predicate reads resources other than the one it checks (`related`,
    /// or a native check that looks others up): such rules need the cross-file batch.
    pub fn looks_across(&self) -> bool {
        match self {
            Predicate::All(list) | Predicate::Any(list) => list.iter().any(Predicate::looks_across),
            Predicate::Not(p) | Predicate::Every(_, p) | Predicate::Some(_, p) => p.looks_across(),
            Predicate::If(a, b) => a.looks_across() || b.looks_across(),
            Predicate::Related(_) => true,
            Predicate::Native(n) => super::native::CROSS_NATIVES.contains(&n.name.as_str()),
            Predicate::Present(_) | Predicate::Absent(_) | Predicate::Leaf(_) => false,
        }
    }

    /// Evaluates against `node` (the resource body, or an element inside `every`).
    pub fn eval(&self, node: &Node, cx: &EvalCx<'_>) -> Outcome {
        match self {
            Predicate::All(ps) => Outcome::all(ps.iter().map(|p| p.eval(node, cx))),
            Predicate::Any(ps) => {
                let outcomes: Vec<Outcome> = ps.iter().map(|p| p.eval(node, cx)).collect();
                // When every alternative fails, blame a companion resource's setting
                // (a span outside this resource) over "missing here".
                let own = cx.resource.span;
                let outside =
                    |s: &Span| s.file != own.file || s.start < own.start || s.end > own.end;
                let specific = outcomes
                    .iter()
                    .find(|o| {
                        o.truth == Truth::False
                            && !o.spans.is_empty()
                            && o.spans.iter().all(outside)
                    })
                    .map(|o| o.spans.clone());
                let o = Outcome::any(outcomes);
                match specific {
                    Some(spans) if o.truth == Truth::False => Outcome::fail(spans),
                    _ => o,
                }
            }
            Predicate::Not(p) => p.eval(node, cx).negate(),
            Predicate::If(cond, then) => {
                let c = cond.eval(node, cx);
                match c.truth {
                    Truth::False => Outcome::pass(Vec::new()),
                    Truth::True => then.eval(node, cx),
                    Truth::Unknown => {
                        let t = then.eval(node, cx);
                        if t.truth == Truth::True {
                            t
                        } else {
                            Outcome::unknown(t.spans)
                        }
                    }
                }
            }
            Predicate::Present(path) => present(path, node, cx),
            Predicate::Absent(path) => absent(path, node, cx),
            Predicate::Leaf(leaf) => leaf.eval(node, cx),
            Predicate::Every(path, check) => {
                let hits = elements(path.resolve(node, cx.body));
                Outcome::all(hits.into_iter().map(|hit| match hit {
                    Hit::Found(el) => check.eval(el, cx),
                    Hit::Missing(_) => Outcome::pass(Vec::new()),
                    Hit::Unknown(n) => Outcome::unknown(vec![n.span]),
                }))
            }
            Predicate::Some(path, check) => {
                let hits = elements(path.resolve(node, cx.body));
                let mut blame = Vec::new();
                let outcome = Outcome::any(hits.into_iter().map(|hit| match hit {
                    Hit::Found(el) => {
                        let o = check.eval(el, cx);
                        if o.truth == Truth::False {
                            blame.push(header_of(node, cx));
                        }
                        o
                    }
                    Hit::Missing(n) => Outcome::fail(vec![missing_span(n, cx)]),
                    Hit::Unknown(n) => Outcome::unknown(vec![n.span]),
                }));
                if outcome.truth == Truth::False && !blame.is_empty() {
                    Outcome::fail(vec![blame[0]])
                } else {
                    outcome
                }
            }
            Predicate::Related(rel) => rel.eval(node, cx),
            Predicate::Native(n) => {
                if let Some(ids) = &n.keywords
                    && let Some(text) = node.as_str()
                    && !super::native::keywords_present(text, ids, cx)
                {
                    return Outcome::pass(Vec::new());
                }
                (n.func)(node, cx, n.args.as_ref())
            }
        }
    }
}

/// `every`/`some` iterate elements: a path that ends at a list (HCL blocks, a YAML
/// sequence) means its items, with or without a trailing `[*]`.
fn elements(hits: Vec<Hit<'_>>) -> Vec<Hit<'_>> {
    let mut out = Vec::with_capacity(hits.len());
    for hit in hits {
        match hit {
            Hit::Found(Node {
                value: Value::List(items),
                ..
            }) => out.extend(items.iter().map(|i| {
                if i.is_unknown() {
                    Hit::Unknown(i)
                } else {
                    Hit::Found(i)
                }
            })),
            other => out.push(other),
        }
    }
    out
}

/// Where to point when something is missing in `node`: the resource header when `node`
/// is the resource body, otherwise the first line of `node`.
pub fn missing_span(node: &Node, cx: &EvalCx<'_>) -> Span {
    header_of(node, cx)
}

fn header_of(node: &Node, cx: &EvalCx<'_>) -> Span {
    if std::ptr::eq(node, cx.body) || node.span == cx.body.span {
        cx.resource.header
    } else {
        cx.index.first_line(node.span)
    }
}

fn present(path: &Path, node: &Node, cx: &EvalCx<'_>) -> Outcome {
    let hits = path.resolve(node, cx.body);
    let mut unknown = None;
    let mut missing = None;
    for hit in &hits {
        match hit {
            Hit::Found(n) => return Outcome::pass(vec![n.span]),
            Hit::Unknown(n) => unknown = unknown.or(Some(n.span)),
            Hit::Missing(n) => missing = missing.or(Some(missing_span(n, cx))),
        }
    }
    match (unknown, missing) {
        (Some(s), _) => Outcome::unknown(vec![s]),
        (None, Some(s)) => Outcome::fail(vec![s]),
        (None, None) => Outcome::fail(vec![header_of(node, cx)]),
    }
}

fn absent(path: &Path, node: &Node, cx: &EvalCx<'_>) -> Outcome {
    let hits = path.resolve(node, cx.body);
    let found: Vec<Span> = hits
        .iter()
        .filter_map(|h| match h {
            Hit::Found(n) => Some(n.span),
            _ => None,
        })
        .collect();
    if !found.is_empty() {
        Outcome::fail(found)
    } else if hits.iter().any(|h| matches!(h, Hit::Unknown(_))) {
        Outcome::unknown(Vec::new())
    } else {
        Outcome::pass(Vec::new())
    }
}

impl Leaf {
    fn eval(&self, node: &Node, cx: &EvalCx<'_>) -> Outcome {
        let hits = self.path.resolve(node, cx.body);
        Outcome::all(hits.into_iter().map(|hit| match hit {
            Hit::Found(v) => match &self.op {
                Op::NoMatch(re) => no_match(re.regex(), v, Some(cx)),
                op => op.test(v),
            },
            Hit::Unknown(n) => Outcome::unknown(vec![n.span]),
            Hit::Missing(n) => match &self.default {
                // The assumed default decides; a failure points at the block lacking it.
                Some(d) => {
                    let o = self.op.test(d);
                    Outcome {
                        truth: o.truth,
                        spans: vec![missing_span(n, cx)],
                    }
                }
                None => Outcome::fail(vec![missing_span(n, cx)]),
            },
        }))
    }
}

impl Op {
    fn test(&self, v: &Node) -> Outcome {
        if let Value::Unknown(_) = v.value {
            return Outcome::unknown(vec![v.span]);
        }
        match self {
            Op::Equals(want, ci) => Outcome::from_bool(scalar_eq(v, want, *ci), v.span),
            Op::NotEquals(want, ci) => Outcome::from_bool(!scalar_eq(v, want, *ci), v.span),
            Op::OneOf(set, ci) => {
                Outcome::from_bool(set.iter().any(|w| scalar_eq(v, w, *ci)), v.span)
            }
            Op::NoneOf(set, ci) => {
                Outcome::from_bool(!set.iter().any(|w| scalar_eq(v, w, *ci)), v.span)
            }
            Op::Matches(re) => match v.scalar_text() {
                Some(t) => Outcome::from_bool(re.regex().is_match(&t), v.span),
                None => Outcome::unknown(vec![v.span]),
            },
            Op::NotMatches(re) => match v.scalar_text() {
                Some(t) => Outcome::from_bool(!re.regex().is_match(&t), v.span),
                None => Outcome::unknown(vec![v.span]),
            },
            Op::NoMatch(re) => no_match(re.regex(), v, None),
            Op::Compare(ord, or_equal, bound) => match v.as_f64() {
                Some(n) => {
                    let c = n.partial_cmp(bound);
                    let ok = c == Some(*ord) || (*or_equal && c == Some(std::cmp::Ordering::Equal));
                    Outcome::from_bool(ok, v.span)
                }
                None => Outcome::unknown(vec![v.span]),
            },
            Op::Contains(want, ci) => contains(v, want, *ci),
            Op::NotContains(want, ci) => contains(v, want, *ci).negate(),
        }
    }
}

fn contains(v: &Node, want: &Node, ci: bool) -> Outcome {
    match &v.value {
        Value::List(items) => {
            if let Some(hit) = items.iter().find(|i| scalar_eq(i, want, ci)) {
                Outcome::pass(vec![hit.span])
            } else if items.iter().any(Node::is_unknown) {
                Outcome::unknown(vec![v.span])
            } else {
                Outcome::fail(vec![v.span])
            }
        }
        Value::String(s) => {
            let w = want.scalar_text().unwrap_or_default();
            let found = if ci {
                s.to_lowercase().contains(&w.to_lowercase())
            } else {
                s.contains(&w)
            };
            Outcome::from_bool(found, v.span)
        }
        _ => Outcome::fail(vec![v.span]),
    }
}

/// Every match of `re` in a string is a separate failure. Spans point at the match when
/// the string is the verbatim source text under its span, or (with the file's text, for
/// block scalars and joined lines) at the same text found under the value's span; else
/// at the whole value.
fn no_match(re: &Regex, v: &Node, cx: Option<&EvalCx<'_>>) -> Outcome {
    let Some(text) = v.as_str() else {
        return match &v.value {
            Value::List(items) => Outcome::all(items.iter().map(|i| no_match(re, i, cx))),
            _ => Outcome::pass(Vec::new()),
        };
    };
    let verbatim = v.span.len() == text.len();
    let spans: Vec<Span> = re
        .find_iter(text)
        .map(|m| {
            if let (false, Some(cx)) = (verbatim, cx) {
                use crate::rules::native::support::spans::{file_text, place};
                place(file_text(cx).as_deref(), v, text, m.start(), m.end(), cx)
            } else if verbatim {
                Span::new(
                    v.span.file,
                    v.span.start as usize + m.start(),
                    v.span.start as usize + m.end(),
                )
            } else {
                v.span
            }
        })
        .collect();
    if spans.is_empty() {
        Outcome::pass(Vec::new())
    } else {
        Outcome::fail(spans)
    }
}

/// Scalar equality across formats: `true` equals `"true"`, `22` equals `"22"`.
pub fn scalar_eq(a: &Node, b: &Node, case_insensitive: bool) -> bool {
    match (&a.value, &b.value) {
        (Value::Number(x), Value::Number(y)) => (x - y).abs() < f64::EPSILON,
        _ => match (a.scalar_text(), b.scalar_text()) {
            (Some(x), Some(y)) if case_insensitive => x.eq_ignore_ascii_case(&y),
            (Some(x), Some(y)) => x == y,
            _ => false,
        },
    }
}

impl Related {
    fn eval(&self, node: &Node, cx: &EvalCx<'_>) -> Outcome {
        let me = cx.resource;
        let my_value = self.by.as_ref().and_then(|p| {
            p.resolve(&me.body, &me.body)
                .into_iter()
                .find_map(|h| match h {
                    Hit::Found(n) => n.scalar_text(),
                    _ => None,
                })
        });
        // Looked up in the relation's index, built once per root (a hash join).
        let cache = cx.index.memo("related_links", |_| {
            crate::rules::links::LinkCache::default()
        });
        // A reference into a module instance names a resource and is traced; a module
        // output, variable or data source is not.
        let managed = cx
            .index
            .memo("terraform_managed_addresses", ManagedAddresses::new);
        let links = cache.get(
            ResourceIndex::root_key(me),
            // Compiled rules live for the whole scan: the address names the relation.
            format!("related@{:p}", std::ptr::from_ref(self)),
            || {
                let ids = cx.index.same_root_ids(me, &self.kind);
                crate::rules::links::Links::build(cx.index, ids, &self.via, &managed)
            },
        );
        let linked = links.linked(&me.address, my_value.as_deref());
        let maybe = links.maybe_beyond(&linked);
        let mut outcomes = Vec::new();
        for other in linked.iter().filter_map(|&i| cx.index.resource(i)) {
            outcomes.push(match &self.check {
                Some(check) => {
                    let ocx = EvalCx {
                        resource: other,
                        body: &other.body,
                        index: cx.index,
                        memo: &Memo::default(),
                    };
                    check.eval(&other.body, &ocx)
                }
                None => Outcome::pass(vec![other.header]),
            });
        }
        if outcomes.is_empty() {
            return if maybe {
                Outcome::unknown(vec![me.header])
            } else {
                Outcome::fail(vec![header_of(node, cx)])
            };
        }
        let o = Outcome::any(outcomes);
        if o.truth == Truth::False && maybe {
            Outcome::unknown(o.spans)
        } else {
            o
        }
    }
}

/// `aws_s3_bucket.b.id` refers to `aws_s3_bucket.b`; so does `aws_s3_bucket.b["x"].arn`
/// to `aws_s3_bucket.b["x"]`, but `aws_s3_bucket.bb.id` does not.
pub fn refers_to(reference: &str, address: &str) -> bool {
    match reference.strip_prefix(address) {
        Some(rest) => rest.is_empty() || rest.starts_with('.') || rest.starts_with('['),
        None => {
            // An unindexed reference to a counted resource (`aws_s3_bucket.b.id`
            // when the address is `aws_s3_bucket.b[0]`) still names it.
            address.find('[').is_some_and(|i| {
                refers_to(reference, &address[..i]) && !reference[i..].starts_with('[')
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_match_whole_addresses() {
        assert!(refers_to("aws_s3_bucket.b.id", "aws_s3_bucket.b"));
        assert!(refers_to("aws_s3_bucket.b", "aws_s3_bucket.b"));
        assert!(!refers_to("aws_s3_bucket.bb.id", "aws_s3_bucket.b"));
        assert!(refers_to(
            r#"aws_s3_bucket.b["x"].id"#,
            r#"aws_s3_bucket.b["x"]"#
        ));
        assert!(!refers_to(
            r#"aws_s3_bucket.b["y"].id"#,
            r#"aws_s3_bucket.b["x"]"#
        ));
        assert!(refers_to("aws_s3_bucket.b.id", "aws_s3_bucket.b[0]"));
    }
}
