//! Blocks into resources: bodies as `Node` maps (attributes evaluated, nested blocks
//! gathered into lists, `dynamic` blocks expanded), and `count` / `for_each` expanded into
//! instances.

use std::collections::HashMap;
use std::sync::Arc;

use super::eval::{Ev, pairs};
use super::load::{Block, ExprKind, Item};
use super::value::{MAX_ELEMENTS, collect_refs, entry, index_key, unknown, unknown_from};
use crate::model::{Family, Resource};
use crate::parse::node::{Entry, Node, Value};
use crate::source::Span;

/// Evaluates a block body into a map: attributes in order, nested blocks of one type
/// gathered into one list entry at the position of the first occurrence.
pub(super) fn body(ev: &mut Ev<'_, '_>, items: &[Item], span: Span) -> Node {
    let mut entries: Vec<Entry> = Vec::new();
    let mut lists: HashMap<String, usize> = HashMap::new();
    for item in items {
        let (name, key_span, occurrences) = match item {
            Item::Attr(a) => {
                let value = ev.eval(&a.expr);
                entries.push(Entry {
                    key: a.key.clone(),
                    key_span: a.key_span,
                    value,
                });
                continue;
            }
            Item::Block(b) if b.ident == "dynamic" => {
                let key_span = b.labels.first().map_or(b.ident_span, |(_, s)| *s);
                (b.label(0).to_owned(), key_span, dynamic(ev, b))
            }
            Item::Block(b) => (
                b.ident.clone(),
                b.ident_span,
                vec![block_map(ev, b, &b.items)],
            ),
        };
        let idx = match lists.get(&name) {
            Some(&i) => i,
            None if occurrences.is_empty() => continue,
            None => {
                let first = occurrences[0].span;
                lists.insert(name.clone(), entries.len());
                entries.push(Entry {
                    key: name,
                    key_span,
                    value: Node::new(Value::List(Vec::new()), first),
                });
                entries.len() - 1
            }
        };
        if let Value::List(list) = &mut entries[idx].value.value {
            list.extend(occurrences);
        }
    }
    Node::new(Value::Map(entries), span)
}

/// One occurrence of a nested block: its body, plus `_labels` when it has labels.
fn block_map(ev: &mut Ev<'_, '_>, b: &Block, items: &[Item]) -> Node {
    let mut node = body(ev, items, b.span);
    if !b.labels.is_empty()
        && let Value::Map(entries) = &mut node.value
    {
        let labels = b
            .labels
            .iter()
            .map(|(l, s)| Node::string(l.clone(), *s))
            .collect();
        entries.insert(
            0,
            entry(
                "_labels",
                Node::new(Value::List(labels), b.header),
                b.header,
            ),
        );
    }
    node
}

/// Expands `dynamic "x" { for_each = ...; content { ... } }` into occurrences of `x`.
fn dynamic(ev: &mut Ev<'_, '_>, b: &Block) -> Vec<Node> {
    let name = b.label(0).to_owned();
    let iterator = b
        .attr("iterator")
        .and_then(|a| match &a.expr.kind {
            ExprKind::Hcl(e) => e.as_variable().map(|v| v.as_str().to_owned()),
            ExprKind::Json { node, .. } => node.as_str().map(str::to_owned),
        })
        .unwrap_or(name);
    let content: &[Item] = b
        .items
        .iter()
        .find_map(|i| match i {
            Item::Block(c) if c.ident == "content" => Some(c.items.as_slice()),
            _ => None,
        })
        .unwrap_or(&[]);
    let coll = match b.attr("for_each") {
        Some(a) => ev.eval(&a.expr),
        None => unknown("dynamic block without for_each", Vec::new(), b.span),
    };
    let items = if coll.is_unknown() {
        None
    } else {
        pairs(&coll).ok().filter(|p| p.len() <= MAX_ELEMENTS)
    };
    let Some(items) = items else {
        let it = unknown_from(
            "dynamic block over an unknown collection",
            [&coll],
            coll.span,
        );
        ev.bind(iterator, iter_value(it.clone(), it, b.span));
        let mut node = occurrence(ev, b, content);
        ev.unbind();
        if let Value::Map(entries) = &mut node.value {
            entries.push(entry(
                "_dynamic_unknown",
                Node::new(Value::Bool(true), b.header),
                b.header,
            ));
        }
        return vec![node];
    };
    let mut out = Vec::with_capacity(items.len());
    for (k, v) in items {
        ev.bind(iterator.clone(), iter_value(k, v, b.span));
        out.push(occurrence(ev, b, content));
        ev.unbind();
    }
    out
}

fn iter_value(key: Node, value: Node, span: Span) -> Node {
    Node::new(
        Value::Map(vec![entry("key", key, span), entry("value", value, span)]),
        span,
    )
}

fn occurrence(ev: &mut Ev<'_, '_>, b: &Block, content: &[Item]) -> Node {
    let mut node = body(ev, content, b.span);
    if let Some(l) = b.attr("labels") {
        let labels = ev.eval(&l.expr);
        if let Value::Map(entries) = &mut node.value {
            entries.insert(0, entry("_labels", labels, l.key_span));
        }
    }
    node
}

/// One instance of a counted or for_each block: its address suffix and the binding.
pub(super) struct Instance {
    pub key: String,
    pub binding: Option<(&'static str, Node)>,
}

/// The limit error for a block asking for more than [`MAX_ELEMENTS`] instances: it is
/// checked as one instance with an unknown key instead, and the error names it.
fn too_many(ev: &Ev<'_, '_>, b: &Block, what: &str) {
    // Named as in an address: `aws_s3_bucket.b`, `data.x.y`, `module.m`.
    let kind = if b.ident == "resource" {
        ""
    } else {
        b.ident.as_str()
    };
    let name = [kind, b.label(0), b.label(1)]
        .iter()
        .filter(|s| !s.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(".");
    ev.limit_at(
        b.header,
        format!(
            "{name}: {what} is more than {MAX_ELEMENTS} instances; checked as one instance with an unknown key"
        ),
    );
}

/// The instances `count` or `for_each` asks for: none, some, or one with unknown keys.
pub(super) fn instances(ev: &mut Ev<'_, '_>, b: &Block) -> Vec<Instance> {
    let span = b.header;
    if let Some(c) = b.attr("count") {
        let v = ev.eval(&c.expr);
        let n = if v.contains_unknown() {
            None
        } else {
            v.as_f64()
                .filter(|n| n.fract() == 0.0 && *n >= 0.0 && *n <= MAX_ELEMENTS as f64)
        };
        if n.is_none()
            && let Some(big) = v.as_f64().filter(|n| *n > MAX_ELEMENTS as f64)
        {
            too_many(ev, b, &format!("count = {big}"));
        }
        let Some(n) = n else {
            let idx = unknown_from("count is unknown", [&v], v.span);
            let binding = Node::new(Value::Map(vec![entry("index", idx, span)]), span);
            return vec![Instance {
                key: String::new(),
                binding: Some(("count", binding)),
            }];
        };
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        return (0..n as usize)
            .map(|i| {
                #[allow(clippy::cast_precision_loss)]
                let idx = Node::new(Value::Number(i as f64), span);
                Instance {
                    key: index_key(&idx),
                    binding: Some((
                        "count",
                        Node::new(Value::Map(vec![entry("index", idx, span)]), span),
                    )),
                }
            })
            .collect();
    }
    if let Some(f) = b.attr("for_each") {
        let v = ev.eval(&f.expr);
        let keyed: Option<Vec<(Node, Node)>> = match &v.value {
            Value::Map(entries) => Some(
                super::value::sorted_entries(entries)
                    .into_iter()
                    .map(|e| (Node::string(e.key.clone(), e.key_span), e.value.clone()))
                    .collect(),
            ),
            Value::List(items) if !items.iter().any(Node::contains_unknown) => {
                let set = super::func_coll::set_of(items);
                set.iter()
                    .map(|i| {
                        i.scalar_text()
                            .map(|t| (Node::string(t, i.span), i.clone()))
                    })
                    .collect()
            }
            _ => None,
        };
        if let Some(k) = keyed.as_ref().filter(|k| k.len() > MAX_ELEMENTS) {
            too_many(ev, b, &format!("for_each over {} keys", k.len()));
        }
        let Some(keyed) = keyed.filter(|k| k.len() <= MAX_ELEMENTS) else {
            let mut refs = Vec::new();
            collect_refs(&v, &mut refs);
            let k = unknown("for_each is unknown", refs.clone(), v.span);
            let val = unknown("for_each is unknown", refs, v.span);
            return vec![Instance {
                key: String::new(),
                binding: Some(("each", iter_value(k, val, span))),
            }];
        };
        return keyed
            .into_iter()
            .map(|(k, val)| Instance {
                key: index_key(&k),
                binding: Some(("each", iter_value(k, val, span))),
            })
            .collect();
    }
    vec![Instance {
        key: String::new(),
        binding: None,
    }]
}

/// Turns one top-level block into resources (one per instance).
pub(super) fn emit(
    ev: &mut Ev<'_, '_>,
    prefix: &str,
    b: &Block,
    group: &Arc<str>,
    out: &mut Vec<Resource>,
) {
    let (kind, base) = match b.ident.as_str() {
        "resource" => (
            b.label(0).to_owned(),
            format!("{}.{}", b.label(0), b.label(1)),
        ),
        "data" => (
            format!("data.{}", b.label(0)),
            format!("data.{}.{}", b.label(0), b.label(1)),
        ),
        "provider" => {
            let mut addr = format!("provider.{}", b.label(0));
            if let Some(a) = b.attr("alias")
                && let Some(alias) = ev.eval(&a.expr).as_str()
            {
                addr.push('.');
                addr.push_str(alias);
            }
            ("provider".to_owned(), addr)
        }
        "terraform" => ("terraform".to_owned(), "terraform".to_owned()),
        "module" => ("module".to_owned(), format!("module.{}", b.label(0))),
        _ => return,
    };
    let counted = matches!(b.ident.as_str(), "resource" | "data");
    let list = if counted {
        instances(ev, b)
    } else {
        vec![Instance {
            key: String::new(),
            binding: None,
        }]
    };
    for inst in list {
        let address = format!("{prefix}{base}{}", inst.key);
        let mut bound = 0;
        if let Some((name, v)) = inst.binding {
            ev.bind(name, v);
            bound += 1;
        }
        if counted {
            let me = unknown(
                format!("refers to {address}"),
                vec![address.clone()],
                b.span,
            );
            ev.bind("self", me);
            bound += 1;
        }
        let body = body(ev, &b.items, b.span);
        for _ in 0..bound {
            ev.unbind();
        }
        out.push(Resource {
            kind: kind.clone(),
            family: Family::Terraform,
            address,
            span: b.span,
            header: b.header,
            body,
            group: group.clone(),
        });
    }
}
