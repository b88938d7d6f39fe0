//! Small helpers over `Node` values used by the evaluator and the functions: unknowns with
//! merged references, span rewriting, equality that ignores spans, and Terraform's implicit
//! conversions.

use crate::parse::node::{Entry, Node, Value, format_number};
use crate::source::Span;

/// Most elements a collection built by evaluation (for_each, count, `range()`, a `for`
/// expression) may have before the result is given up as unknown.
pub(super) const MAX_ELEMENTS: usize = 10_000;

/// Longest string evaluation builds; longer results are unknown.
pub(super) const MAX_STRING: usize = 1 << 20;

/// Deepest value kept (a chain of locals can nest a value one level per local).
pub(super) const MAX_VALUE_DEPTH: usize = 200;

/// Nodes copied and iterations run per top-level expression (an attribute, a local, a
/// `count`) before its value becomes unknown (bounds memory when locals double a value at
/// every step). Per expression, so one expensive local leaves the rest of its module known.
pub(super) const MAX_WORK: usize = 4_000_000;

/// The same summed over one module instance, so that many expensive expressions still
/// end: beyond it the rest of the instance is unknown.
pub(super) const MAX_TOTAL_WORK: usize = 4 * MAX_WORK;

/// Most nodes a value kept in a local or returned by a function may have.
pub(super) const MAX_VALUE_NODES: usize = 100_000;

/// Size of `node` in work units (one per node, one per 16 bytes of string), counting
/// at most `cap`.
pub(super) fn size_capped(node: &Node, cap: usize) -> usize {
    let mut count: usize = 0;
    let mut stack = vec![node];
    while let Some(n) = stack.pop() {
        count += 1;
        if let Value::String(s) = &n.value {
            count = count.saturating_add(s.len() / 16);
        }
        if count >= cap {
            return cap;
        }
        match &n.value {
            Value::List(items) => stack.extend(items.iter()),
            Value::Map(entries) => stack.extend(entries.iter().map(|e| &e.value)),
            _ => {}
        }
    }
    count
}

/// Whether `node` nests deeper than `limit` (stops looking at the limit).
pub(super) fn deeper_than(node: &Node, limit: usize) -> bool {
    let mut stack = vec![(node, 0usize)];
    while let Some((n, d)) = stack.pop() {
        if d > limit {
            return true;
        }
        match &n.value {
            Value::List(items) => stack.extend(items.iter().map(|i| (i, d + 1))),
            Value::Map(entries) => stack.extend(entries.iter().map(|e| (&e.value, d + 1))),
            _ => {}
        }
    }
    false
}

/// An error when a string result would exceed [`MAX_STRING`] bytes.
pub(super) fn check_len(len: usize) -> Result<(), EvalError> {
    if len > MAX_STRING {
        err("string too long to evaluate")
    } else {
        Ok(())
    }
}

/// Replaces a value that is too deep or a string that is too long with an unknown.
pub(super) fn bounded(node: Node) -> Node {
    match &node.value {
        Value::String(s) if s.len() > MAX_STRING => {
            unknown("string too long to evaluate", Vec::new(), node.span)
        }
        Value::List(_) | Value::Map(_) if deeper_than(&node, MAX_VALUE_DEPTH) => {
            unknown("value nested too deeply", Vec::new(), node.span)
        }
        Value::List(_) | Value::Map(_)
            if size_capped(&node, MAX_VALUE_NODES + 1) > MAX_VALUE_NODES =>
        {
            unknown("value too large to evaluate", Vec::new(), node.span)
        }
        _ => node,
    }
}

/// An evaluation error: Terraform would reject the expression. Outside `try`/`can` it
/// becomes an unknown value carrying the message.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct EvalError(pub String);

pub(super) type R = Result<Node, EvalError>;

pub(super) fn err<T>(msg: impl Into<String>) -> Result<T, EvalError> {
    Err(EvalError(msg.into()))
}

pub(super) fn unknown(reason: impl Into<String>, refs: Vec<String>, span: Span) -> Node {
    Node::unknown(reason, refs, span)
}

/// Appends every reference found in unknowns anywhere inside `node`, without duplicates.
pub(super) fn collect_refs(node: &Node, out: &mut Vec<String>) {
    match &node.value {
        Value::Unknown(u) => {
            for r in &u.refs {
                if !out.contains(r) {
                    out.push(r.clone());
                }
            }
        }
        Value::List(items) => items.iter().for_each(|n| collect_refs(n, out)),
        Value::Map(entries) => entries.iter().for_each(|e| collect_refs(&e.value, out)),
        _ => {}
    }
}

/// An unknown that carries the references of all `parts`.
pub(super) fn unknown_from<'a>(
    reason: impl Into<String>,
    parts: impl IntoIterator<Item = &'a Node>,
    span: Span,
) -> Node {
    let mut refs = Vec::new();
    for p in parts {
        collect_refs(p, &mut refs);
    }
    unknown(reason, refs, span)
}

/// Rewrites the span of `node` and everything inside it (values reached through a
/// reference point at the referring expression, so a resource's body stays in its file).
pub(super) fn respan(node: &mut Node, span: Span) {
    node.span = span;
    match &mut node.value {
        Value::List(items) => items.iter_mut().for_each(|n| respan(n, span)),
        Value::Map(entries) => entries.iter_mut().for_each(|e| {
            e.key_span = span;
            respan(&mut e.value, span);
        }),
        _ => {}
    }
}

pub(super) fn respanned(mut node: Node, span: Span) -> Node {
    respan(&mut node, span);
    node
}

/// Deep equality ignoring spans; `None` when an unknown makes the answer unknowable.
pub(super) fn value_eq(a: &Node, b: &Node) -> Option<bool> {
    match (&a.value, &b.value) {
        (Value::Unknown(_), _) | (_, Value::Unknown(_)) => None,
        (Value::Null, Value::Null) => Some(true),
        (Value::Bool(x), Value::Bool(y)) => Some(x == y),
        (Value::Number(x), Value::Number(y)) => Some(x == y),
        (Value::String(x), Value::String(y)) => Some(x == y),
        (Value::List(x), Value::List(y)) => {
            if x.len() != y.len() {
                return Some(false);
            }
            let mut all = Some(true);
            for (p, q) in x.iter().zip(y) {
                match value_eq(p, q) {
                    Some(false) => return Some(false),
                    None => all = None,
                    Some(true) => {}
                }
            }
            all
        }
        (Value::Map(x), Value::Map(y)) => {
            if x.len() != y.len() {
                return Some(false);
            }
            let mut all = Some(true);
            for e in x {
                let Some(f) = y.iter().find(|f| f.key == e.key) else {
                    return Some(false);
                };
                match value_eq(&e.value, &f.value) {
                    Some(false) => return Some(false),
                    None => all = None,
                    Some(true) => {}
                }
            }
            all
        }
        _ => Some(false),
    }
}

/// Terraform's conversion of a primitive to a string (templates, `tostring`, map keys).
pub(super) fn to_text(node: &Node) -> Result<String, EvalError> {
    match &node.value {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(format_number(*n)),
        Value::Bool(b) => Ok(b.to_string()),
        Value::Null => err("a null value cannot be used as a string"),
        Value::List(_) => err("a list cannot be converted to a string"),
        Value::Map(_) => err("an object cannot be converted to a string"),
        Value::Unknown(_) => err("unknown value"),
    }
}

pub(super) fn to_number(node: &Node) -> Result<f64, EvalError> {
    match &node.value {
        Value::Number(n) => Ok(*n),
        Value::String(s) => s
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|n| n.is_finite())
            .map_or_else(|| err(format!("{s:?} is not a number")), Ok),
        Value::Null => err("a null value cannot be used as a number"),
        _ => err("a number is required"),
    }
}

pub(super) fn to_bool(node: &Node) -> Result<bool, EvalError> {
    match &node.value {
        Value::Bool(b) => Ok(*b),
        Value::String(s) if s == "true" => Ok(true),
        Value::String(s) if s == "false" => Ok(false),
        Value::Null => err("a null value cannot be used as a bool"),
        _ => err("a bool is required"),
    }
}

/// A whole number usable as an index or count.
pub(super) fn to_index(node: &Node) -> Result<i64, EvalError> {
    let n = to_number(node)?;
    if n.fract() != 0.0 || n.abs() > 1e15 {
        return err(format!("{} is not a whole number", format_number(n)));
    }
    #[allow(clippy::cast_possible_truncation)]
    Ok(n as i64)
}

/// Entries of a map sorted by key, as Terraform iterates maps and objects.
pub(super) fn sorted_entries(entries: &[Entry]) -> Vec<&Entry> {
    let mut v: Vec<&Entry> = entries.iter().collect();
    v.sort_by(|a, b| a.key.cmp(&b.key));
    v
}

pub(super) fn entry(key: impl Into<String>, value: Node, span: Span) -> Entry {
    Entry {
        key: key.into(),
        key_span: span,
        value,
    }
}

/// Inserts or replaces `key` in a map's entries.
pub(super) fn set_entry(entries: &mut Vec<Entry>, e: Entry) {
    if let Some(old) = entries.iter_mut().find(|o| o.key == e.key) {
        *old = e;
    } else {
        entries.push(e);
    }
}

/// An address key rendered as Terraform does: `[0]` or `["a"]`.
pub(super) fn index_key(key: &Node) -> String {
    match &key.value {
        Value::Number(n) => format!("[{}]", format_number(*n)),
        Value::String(s) => format!("[{}]", quote(s)),
        _ => match key.scalar_text() {
            Some(t) => format!("[{}]", quote(&t)),
            None => String::new(),
        },
    }
}

/// A string quoted the way Terraform writes instance keys.
pub(super) fn quote(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| format!("\"{s}\""))
}

pub(super) fn is_unknown(node: &Node) -> bool {
    matches!(node.value, Value::Unknown(_))
}

/// The function argument at `i`.
pub(super) fn arg(args: &[Node], i: usize) -> Result<&Node, EvalError> {
    args.get(i)
        .map_or_else(|| err(format!("missing argument {}", i + 1)), Ok)
}

/// The function argument at `i` as text.
pub(super) fn str_arg(args: &[Node], i: usize) -> Result<String, EvalError> {
    to_text(arg(args, i)?)
}

/// A number node.
pub(super) fn num(n: f64, span: Span) -> Node {
    Node::new(Value::Number(n), span)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s() -> Span {
        Span::default()
    }

    #[test]
    fn equality_is_three_valued() {
        let a = Node::new(Value::List(vec![Node::string("x", s())]), s());
        let b = Node::new(
            Value::List(vec![Node::string("x", Span::new(Default::default(), 3, 4))]),
            s(),
        );
        assert_eq!(value_eq(&a, &b), Some(true));
        let u = Node::new(Value::List(vec![unknown("r", vec![], s())]), s());
        assert_eq!(value_eq(&a, &u), None);
        let c = Node::new(Value::List(vec![]), s());
        assert_eq!(value_eq(&u, &c), Some(false));
    }

    #[test]
    fn refs_are_merged_without_duplicates() {
        let u1 = unknown("a", vec!["x.y".into()], s());
        let u2 = unknown("b", vec!["x.y".into(), "z.w".into()], s());
        let merged = unknown_from("c", [&u1, &u2], s());
        assert_eq!(merged.refs(), ["x.y".to_string(), "z.w".to_string()]);
    }

    #[test]
    fn keys_render_like_terraform() {
        assert_eq!(index_key(&Node::new(Value::Number(2.0), s())), "[2]");
        assert_eq!(index_key(&Node::string("a\"b", s())), "[\"a\\\"b\"]");
    }
}
