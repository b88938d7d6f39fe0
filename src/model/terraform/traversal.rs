//! Names and traversals: `var.x`, `local.y`, `each.key`, iterator and `for` variables,
//! `path.module`, and references to resources, data sources and modules, which become
//! unknowns carrying the qualified address they name.

use hcl_edit::Decorated;
use hcl_edit::expr::{Expression, Traversal, TraversalOperator};

use super::eval::Ev;
use super::value::{
    EvalError, MAX_WORK, R, collect_refs, err, index_key, is_unknown, respanned, size_capped,
    to_index, to_text, unknown, unknown_from,
};
use crate::parse::node::{Node, Value};
use crate::source::Span;

type Op = Decorated<TraversalOperator>;

impl Ev<'_, '_> {
    pub(super) fn traversal(&mut self, t: &Traversal, span: Span) -> R {
        match &t.expr {
            Expression::Variable(v) => self.variable(v.as_str(), &t.operators, span),
            other => {
                let base = self.hcl(other)?;
                self.apply(base, &t.operators, span)
            }
        }
    }

    /// A root name followed by traversal operators.
    pub(super) fn variable(&mut self, name: &str, ops: &[Op], span: Span) -> R {
        if let Some(v) = self.binding(name) {
            let v = v.clone();
            let v = self.copied(v, span);
            return self.apply(v, ops, span);
        }
        let attr = |i: usize| match ops.get(i).map(|o| o.value()) {
            Some(TraversalOperator::GetAttr(a)) => Some(a.as_str().to_owned()),
            _ => None,
        };
        match name {
            "var" | "local" => {
                let Some(n) = attr(0) else {
                    return err(format!("{name} must be followed by a name"));
                };
                let value = match self.scope {
                    Some(scope) if name == "var" => scope.var(&n, span),
                    Some(scope) => scope.local(self, &n, span),
                    None => unknown(
                        format!("{name}.{n} is not available here"),
                        Vec::new(),
                        span,
                    ),
                };
                let value = self.copied(value, span);
                self.apply(value, &ops[1..], span)
            }
            "path" => {
                let value = match attr(0).as_deref() {
                    Some("module") => self
                        .scope
                        .map_or_else(|| ".".to_owned(), |s| s.path_module.clone()),
                    Some("root" | "cwd") => ".".to_owned(),
                    _ => return err("unknown path attribute"),
                };
                self.apply(Node::string(value, span), &ops[1..], span)
            }
            "terraform" => match attr(0).as_deref() {
                Some("workspace") => self.apply(Node::string("default", span), &ops[1..], span),
                _ => Ok(unknown("terraform attribute", Vec::new(), span)),
            },
            "count" => Ok(unknown(
                "count.index outside a counted block",
                Vec::new(),
                span,
            )),
            "each" => Ok(unknown("each outside a for_each block", Vec::new(), span)),
            "self" => Ok(unknown("self outside a resource", Vec::new(), span)),
            "data" => self.reference(name, 3, ops, span),
            "module" => self.reference(name, 2, ops, span),
            "resource" => self.reference(name, 3, ops, span),
            _ if attr(0).is_some() => self.reference(name, 2, ops, span),
            _ => Ok(unknown(format!("unknown name {name}"), Vec::new(), span)),
        }
    }

    /// A value copied from a variable, local or binding, charged to the work budget.
    fn copied(&mut self, value: Node, span: Span) -> Node {
        if self.charge(size_capped(&value, MAX_WORK)) {
            return unknown("evaluation too large", Vec::new(), span);
        }
        respanned(value, span)
    }

    /// A reference to a resource, data source or module: unknown, with the address as
    /// written, qualified with the module prefix and known instance keys.
    fn reference(&mut self, head: &str, _parts: usize, ops: &[Op], span: Span) -> R {
        let mut text = String::new();
        if let Some(scope) = self.scope {
            text.push_str(&scope.prefix);
        }
        text.push_str(head);
        let mut refs = Vec::new();
        for op in ops {
            match op.value() {
                TraversalOperator::GetAttr(a) => {
                    text.push('.');
                    text.push_str(a.as_str());
                }
                TraversalOperator::LegacyIndex(i) => {
                    text.push_str(&format!("[{}]", i.value()));
                }
                TraversalOperator::Index(e) => {
                    let k = self.hcl(e)?;
                    if k.contains_unknown() {
                        // An unknown key is left out: `aws_s3_bucket.b.id` still names
                        // every instance of `aws_s3_bucket.b`.
                        collect_refs(&k, &mut refs);
                    } else {
                        text.push_str(&index_key(&k));
                    }
                }
                TraversalOperator::AttrSplat(_) => text.push_str(".*"),
                TraversalOperator::FullSplat(_) => text.push_str("[*]"),
            }
        }
        refs.insert(0, text.clone());
        Ok(unknown(format!("refers to {text}"), refs, span))
    }

    /// Applies traversal operators to a value.
    pub(super) fn apply(&mut self, mut value: Node, ops: &[Op], span: Span) -> R {
        let mut i = 0;
        while i < ops.len() {
            if is_unknown(&value) {
                // Index expressions may add references of their own.
                let mut parts = vec![value];
                for op in &ops[i..] {
                    if let TraversalOperator::Index(e) = op.value() {
                        parts.push(self.hcl(e)?);
                    }
                }
                return Ok(unknown_from(reason_of(&parts[0]), &parts, span));
            }
            match ops[i].value() {
                TraversalOperator::GetAttr(a) => value = get_attr(value, a.as_str())?,
                TraversalOperator::LegacyIndex(n) => {
                    #[allow(clippy::cast_precision_loss)]
                    let k = Node::new(Value::Number(*n.value() as f64), span);
                    value = index(value, &k, span)?;
                }
                TraversalOperator::Index(e) => {
                    let k = self.hcl(e)?;
                    value = index(value, &k, span)?;
                }
                TraversalOperator::AttrSplat(_) | TraversalOperator::FullSplat(_) => {
                    let full = matches!(ops[i].value(), TraversalOperator::FullSplat(_));
                    // An attribute splat applies only the attribute accesses that follow.
                    let end = if full {
                        ops.len()
                    } else {
                        i + 1
                            + ops[i + 1..]
                                .iter()
                                .take_while(|o| matches!(o.value(), TraversalOperator::GetAttr(_)))
                                .count()
                    };
                    let items = match value.value {
                        Value::List(items) => items,
                        Value::Null => Vec::new(),
                        _ => vec![value],
                    };
                    let mut out = Vec::with_capacity(items.len());
                    for item in items {
                        out.push(self.apply(item, &ops[i + 1..end], span)?);
                    }
                    value = Node::new(Value::List(out), span);
                    i = end;
                    continue;
                }
            }
            i += 1;
        }
        Ok(value)
    }
}

fn reason_of(node: &Node) -> String {
    match &node.value {
        Value::Unknown(u) => u.reason.clone(),
        _ => "unknown value".into(),
    }
}

pub(super) fn get_attr(value: Node, name: &str) -> R {
    match value.value {
        Value::Map(entries) => match entries.into_iter().find(|e| e.key == name) {
            Some(e) => Ok(e.value),
            None => err(format!("object has no attribute {name:?}")),
        },
        Value::Null => err(format!("cannot read attribute {name:?} of null")),
        Value::List(_) => err(format!("cannot read attribute {name:?} of a list")),
        _ => err(format!(
            "cannot read attribute {name:?} of a primitive value"
        )),
    }
}

pub(super) fn index(value: Node, key: &Node, span: Span) -> R {
    if key.contains_unknown() {
        return Ok(unknown_from("index is unknown", [&value, key], span));
    }
    match value.value {
        Value::List(items) => {
            let i = to_index(key)?;
            let len = items.len();
            usize::try_from(i)
                .ok()
                .and_then(|i| items.into_iter().nth(i))
                .map_or_else(
                    || err(format!("index {i} out of range for {len} elements")),
                    Ok,
                )
        }
        Value::Map(entries) => {
            let k = to_text(key)?;
            match entries.into_iter().find(|e| e.key == k) {
                Some(e) => Ok(e.value),
                None => err(format!("no element with key {k:?}")),
            }
        }
        Value::Null => err("cannot index null"),
        _ => Err(EvalError("cannot index a primitive value".into())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::node::Entry;

    fn s() -> Span {
        Span::default()
    }

    #[test]
    fn attributes_and_indexes_of_known_values() {
        let m = Node::new(
            Value::Map(vec![Entry {
                key: "a".into(),
                key_span: s(),
                value: Node::new(Value::Number(1.0), s()),
            }]),
            s(),
        );
        assert!(get_attr(m.clone(), "a").is_ok());
        assert!(get_attr(m.clone(), "b").is_err());
        assert!(index(m.clone(), &Node::string("a", s()), s()).is_ok());
        let l = Node::new(Value::List(vec![Node::string("x", s())]), s());
        assert_eq!(
            index(l.clone(), &Node::new(Value::Number(0.0), s()), s())
                .unwrap()
                .as_str(),
            Some("x")
        );
        assert!(index(l.clone(), &Node::new(Value::Number(1.0), s()), s()).is_err());
        assert!(index(l, &Node::new(Value::Number(-1.0), s()), s()).is_err());
        let u = unknown("u", vec!["a.b".into()], s());
        let r = index(m, &u, s()).unwrap();
        assert_eq!(r.refs(), ["a.b".to_string()]);
    }
}
