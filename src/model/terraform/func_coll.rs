//! Collection functions: lists, sets (lists without duplicates here) and maps.

use std::collections::HashSet;

use super::value::{
    EvalError, MAX_ELEMENTS, R, arg, err, num, set_entry, sorted_entries, to_bool, to_index,
    to_number, to_text, unknown, unknown_from, value_eq,
};
use crate::parse::node::{Entry, Node, Value};
use crate::source::Span;

fn list(node: &Node) -> Result<&[Node], EvalError> {
    match &node.value {
        Value::List(items) => Ok(items),
        _ => err("a list is required"),
    }
}

fn map(node: &Node) -> Result<&[Entry], EvalError> {
    match &node.value {
        Value::Map(entries) => Ok(entries),
        _ => err("a map or object is required"),
    }
}

fn new_list(items: Vec<Node>, span: Span) -> Node {
    Node::new(Value::List(items), span)
}

fn boolean(b: bool, span: Span) -> Node {
    Node::new(Value::Bool(b), span)
}

#[allow(clippy::cast_precision_loss)]
pub(super) fn length(args: &[Node], span: Span) -> R {
    let a = arg(args, 0)?;
    let n = match &a.value {
        Value::String(s) => s.chars().count(),
        Value::List(items) => items.len(),
        Value::Map(entries) => entries.len(),
        _ => return err("length() needs a string, list or map"),
    };
    Ok(num(n as f64, span))
}

pub(super) fn lookup(args: &[Node], _span: Span) -> R {
    let m = map(arg(args, 0)?)?;
    let key = to_text(arg(args, 1)?)?;
    match m.iter().find(|e| e.key == key) {
        Some(e) => Ok(e.value.clone()),
        None => match args.get(2) {
            Some(d) => Ok(d.clone()),
            None => err(format!("no key {key:?} in map and no default")),
        },
    }
}

pub(super) fn merge(args: &[Node], span: Span) -> R {
    let mut out: Vec<Entry> = Vec::new();
    for a in args {
        match &a.value {
            Value::Null => {}
            Value::Map(entries) => entries.iter().for_each(|e| set_entry(&mut out, e.clone())),
            _ => return err("merge() takes maps or objects"),
        }
    }
    Ok(Node::new(Value::Map(out), span))
}

pub(super) fn concat(args: &[Node], span: Span) -> R {
    let mut out = Vec::new();
    for a in args {
        out.extend_from_slice(list(a)?);
        if out.len() > MAX_ELEMENTS {
            return Ok(unknown("concat() result too large", Vec::new(), span));
        }
    }
    Ok(new_list(out, span))
}

pub(super) fn coalescelist(args: &[Node], _span: Span) -> R {
    for a in args {
        if !list(a)?.is_empty() {
            return Ok(a.clone());
        }
    }
    err("no non-empty list given to coalescelist()")
}

pub(super) fn element(args: &[Node], _span: Span) -> R {
    let items = list(arg(args, 0)?)?;
    let i = to_index(arg(args, 1)?)?;
    if items.is_empty() {
        return err("element() of an empty list");
    }
    if i < 0 {
        return err("element() index must not be negative");
    }
    let len = i64::try_from(items.len()).unwrap_or(i64::MAX);
    Ok(items[usize::try_from(i % len).unwrap_or(0)].clone())
}

pub(super) fn contains(args: &[Node], span: Span) -> R {
    let items = list(arg(args, 0)?)?;
    let v = arg(args, 1)?;
    Ok(boolean(
        items.iter().any(|i| value_eq(i, v) == Some(true)),
        span,
    ))
}

#[allow(clippy::cast_precision_loss)]
pub(super) fn index_of(args: &[Node], span: Span) -> R {
    let items = list(arg(args, 0)?)?;
    let v = arg(args, 1)?;
    match items.iter().position(|i| value_eq(i, v) == Some(true)) {
        Some(p) => Ok(num(p as f64, span)),
        None => err("item not found by index()"),
    }
}

pub(super) fn keys(args: &[Node], span: Span) -> R {
    let m = map(arg(args, 0)?)?;
    Ok(new_list(
        sorted_entries(m)
            .into_iter()
            .map(|e| Node::string(e.key.clone(), e.key_span))
            .collect(),
        span,
    ))
}

pub(super) fn values(args: &[Node], span: Span) -> R {
    let m = map(arg(args, 0)?)?;
    Ok(new_list(
        sorted_entries(m)
            .into_iter()
            .map(|e| e.value.clone())
            .collect(),
        span,
    ))
}

pub(super) fn tomap(args: &[Node], _span: Span) -> R {
    let a = arg(args, 0)?;
    match &a.value {
        Value::Null | Value::Map(_) => Ok(a.clone()),
        _ => err("tomap() needs an object or map"),
    }
}

pub(super) fn tolist(args: &[Node], _span: Span) -> R {
    let a = arg(args, 0)?;
    match &a.value {
        Value::Null | Value::List(_) => Ok(a.clone()),
        _ => err("tolist() needs a list, tuple or set"),
    }
}

/// A key identifying a value for set operations (`None` for values with unknowns).
fn set_key(node: &Node) -> Option<String> {
    let mut out = String::new();
    super::func_enc::json_text(node, &mut out).ok()?;
    Some(out)
}

/// Elements of `items` without duplicates, first occurrence kept.
fn dedup(items: &[Node]) -> Vec<Node> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for i in items {
        let fresh = set_key(i).is_none_or(|k| seen.insert(k));
        if fresh {
            out.push(i.clone());
        }
    }
    out
}

/// Deduplicates and orders like a Terraform set of primitives.
pub(super) fn set_of(items: &[Node]) -> Vec<Node> {
    let mut out = dedup(items);
    if out.iter().all(|n| matches!(n.value, Value::String(_))) {
        out.sort_by(|a, b| a.as_str().cmp(&b.as_str()));
    } else if out.iter().all(|n| matches!(n.value, Value::Number(_))) {
        out.sort_by(|a, b| {
            a.as_f64()
                .partial_cmp(&b.as_f64())
                .unwrap_or(std::cmp::Ordering::Equal)
        });
    }
    out
}

pub(super) fn toset(args: &[Node], span: Span) -> R {
    let a = arg(args, 0)?;
    match &a.value {
        Value::Null => Ok(a.clone()),
        Value::List(items) => Ok(new_list(set_of(items), span)),
        _ => err("toset() needs a list"),
    }
}

fn flatten_into(items: &[Node], out: &mut Vec<Node>, depth: usize) -> Result<bool, EvalError> {
    if depth > 64 || out.len() > MAX_ELEMENTS {
        return Ok(false);
    }
    for i in items {
        match &i.value {
            Value::List(inner) => {
                if !flatten_into(inner, out, depth + 1)? {
                    return Ok(false);
                }
            }
            // An unknown element might be a list: the shape of the result is unknown.
            Value::Unknown(_) => return Ok(false),
            _ => out.push(i.clone()),
        }
    }
    Ok(true)
}

pub(super) fn flatten(args: &[Node], span: Span) -> R {
    let a = arg(args, 0)?;
    let mut out = Vec::new();
    if flatten_into(list(a)?, &mut out, 0)? {
        Ok(new_list(out, span))
    } else {
        Ok(unknown_from("flatten() of unknown elements", [a], span))
    }
}

pub(super) fn distinct(args: &[Node], span: Span) -> R {
    Ok(new_list(dedup(list(arg(args, 0)?)?), span))
}

pub(super) fn compact(args: &[Node], span: Span) -> R {
    let out = list(arg(args, 0)?)?
        .iter()
        .filter(|n| !n.is_null() && n.as_str() != Some(""))
        .cloned()
        .collect();
    Ok(new_list(out, span))
}

pub(super) fn zipmap(args: &[Node], span: Span) -> R {
    let k = list(arg(args, 0)?)?;
    let v = list(arg(args, 1)?)?;
    if k.len() != v.len() {
        return err("zipmap() needs lists of the same length");
    }
    if k.iter().any(Node::contains_unknown) {
        return Ok(unknown_from("zipmap() with unknown keys", k, span));
    }
    let mut out = Vec::new();
    for (key, value) in k.iter().zip(v) {
        set_entry(
            &mut out,
            Entry {
                key: to_text(key)?,
                key_span: key.span,
                value: value.clone(),
            },
        );
    }
    Ok(Node::new(Value::Map(out), span))
}

pub(super) fn one(args: &[Node], span: Span) -> R {
    let items = list(arg(args, 0)?)?;
    match items {
        [] => Ok(Node::null(span)),
        [x] => Ok(x.clone()),
        _ => err("one() of a list with more than one element"),
    }
}

fn bound(n: &Node, len: usize) -> Result<usize, EvalError> {
    let i = to_index(n)?;
    usize::try_from(i)
        .ok()
        .filter(|i| *i <= len)
        .map_or_else(|| err("index out of range"), Ok)
}

pub(super) fn slice(args: &[Node], span: Span) -> R {
    let items = list(arg(args, 0)?)?;
    let start = bound(arg(args, 1)?, items.len())?;
    let end = bound(arg(args, 2)?, items.len())?;
    if start > end {
        return err("slice() start after end");
    }
    Ok(new_list(items[start..end].to_vec(), span))
}

pub(super) fn reverse(args: &[Node], span: Span) -> R {
    let mut items = list(arg(args, 0)?)?.to_vec();
    items.reverse();
    Ok(new_list(items, span))
}

pub(super) fn sort(args: &[Node], span: Span) -> R {
    let items = list(arg(args, 0)?)?;
    let mut texts = Vec::with_capacity(items.len());
    for i in items {
        texts.push((to_text(i)?, i.span));
    }
    texts.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(new_list(
        texts.into_iter().map(|(t, s)| Node::string(t, s)).collect(),
        span,
    ))
}

pub(super) fn range(args: &[Node], span: Span) -> R {
    let n: Vec<f64> = args.iter().map(to_number).collect::<Result<_, _>>()?;
    let (start, limit, step) = match n.as_slice() {
        [l] => (0.0, *l, 1.0),
        [s, l] => (*s, *l, if s <= l { 1.0 } else { -1.0 }),
        [s, l, st] => (*s, *l, *st),
        _ => return err("range() takes one to three arguments"),
    };
    if step == 0.0 {
        return err("range() step must not be zero");
    }
    let count = ((limit - start) / step).ceil();
    if count > MAX_ELEMENTS as f64 {
        return Ok(unknown("range() too large to evaluate", Vec::new(), span));
    }
    let mut out = Vec::new();
    let mut v = start;
    while (step > 0.0 && v < limit) || (step < 0.0 && v > limit) {
        out.push(num(v, span));
        v += step;
        if out.len() > MAX_ELEMENTS {
            return Ok(unknown("range() too large to evaluate", Vec::new(), span));
        }
    }
    Ok(new_list(out, span))
}

pub(super) fn alltrue(args: &[Node], span: Span) -> R {
    let mut all = true;
    for i in list(arg(args, 0)?)? {
        all &= to_bool(i)?;
    }
    Ok(boolean(all, span))
}

pub(super) fn anytrue(args: &[Node], span: Span) -> R {
    let mut any = false;
    for i in list(arg(args, 0)?)? {
        any |= to_bool(i)?;
    }
    Ok(boolean(any, span))
}

pub(super) fn sum(args: &[Node], span: Span) -> R {
    let items = list(arg(args, 0)?)?;
    if items.is_empty() {
        return err("sum() of an empty list");
    }
    let mut total = 0.0;
    for i in items {
        total += to_number(i)?;
    }
    Ok(num(total, span))
}

fn sets(args: &[Node]) -> Result<Vec<&[Node]>, EvalError> {
    args.iter().map(list).collect()
}

fn keys_of(set: &[Node]) -> HashSet<String> {
    set.iter().filter_map(set_key).collect()
}

fn has(set: &HashSet<String>, v: &Node) -> bool {
    set_key(v).is_some_and(|k| set.contains(&k))
}

pub(super) fn setunion(args: &[Node], span: Span) -> R {
    let all: Vec<Node> = sets(args)?.into_iter().flatten().cloned().collect();
    Ok(new_list(set_of(&all), span))
}

pub(super) fn setintersection(args: &[Node], span: Span) -> R {
    let s = sets(args)?;
    let Some((first, rest)) = s.split_first() else {
        return err("setintersection() needs a set");
    };
    let rest: Vec<HashSet<String>> = rest.iter().map(|r| keys_of(r)).collect();
    let out: Vec<Node> = first
        .iter()
        .filter(|v| rest.iter().all(|r| has(r, v)))
        .cloned()
        .collect();
    Ok(new_list(set_of(&out), span))
}

pub(super) fn setsubtract(args: &[Node], span: Span) -> R {
    let a = list(arg(args, 0)?)?;
    let b = list(arg(args, 1)?)?;
    let b = keys_of(b);
    let out: Vec<Node> = a.iter().filter(|v| !has(&b, v)).cloned().collect();
    Ok(new_list(set_of(&out), span))
}

pub(super) fn chunklist(args: &[Node], span: Span) -> R {
    let items = list(arg(args, 0)?)?;
    let size = to_index(arg(args, 1)?)?;
    if size < 0 {
        return err("chunklist() size must not be negative");
    }
    if size == 0 {
        return Ok(new_list(vec![new_list(items.to_vec(), span)], span));
    }
    let size = usize::try_from(size).unwrap_or(usize::MAX);
    Ok(new_list(
        items
            .chunks(size)
            .map(|c| new_list(c.to_vec(), span))
            .collect(),
        span,
    ))
}
