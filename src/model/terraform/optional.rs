//! `optional(type, default)` in a variable's type constraint: Terraform fills an object
//! attribute left out of the given value with its default (or null), at every depth, in
//! objects inside lists, sets and maps too. Without this, `var.cfg.versioning` of
//! `object({versioning = optional(bool, true)})` given `{}` would be a missing attribute
//! rather than `true`.

use hcl_edit::expr::{Expression, ObjectKey};

use super::eval::Ev;
use super::load::{Expr, ExprKind};
use crate::parse::node::{Entry, Node, Value};

/// `value` with the defaults of `ty` applied (unchanged for a type with none, a JSON
/// type, or a value of another shape).
pub(super) fn apply_defaults(value: Node, ty: &Expr, ev: &mut Ev) -> Node {
    match &ty.kind {
        ExprKind::Hcl(e) => walk(value, e, ty, ev, 0),
        ExprKind::Json { .. } => value,
    }
}

/// Type expressions nest shallowly; deeper ones are left alone.
const MAX_DEPTH: usize = 32;

fn walk(value: Node, ty: &Expression, at: &Expr, ev: &mut Ev, depth: usize) -> Node {
    let Expression::FuncCall(call) = ty else {
        return value;
    };
    if depth > MAX_DEPTH {
        return value;
    }
    let Some(inner) = call.args.iter().next() else {
        return value;
    };
    match call.name.name.as_str() {
        "optional" => walk(value, inner, at, ev, depth + 1),
        "list" | "set" => match value.value {
            Value::List(items) => Node::new(
                Value::List(
                    items
                        .into_iter()
                        .map(|n| walk(n, inner, at, ev, depth + 1))
                        .collect(),
                ),
                value.span,
            ),
            other => Node::new(other, value.span),
        },
        "map" => match value.value {
            Value::Map(entries) => Node::new(
                Value::Map(
                    entries
                        .into_iter()
                        .map(|e| Entry {
                            value: walk(e.value, inner, at, ev, depth + 1),
                            ..e
                        })
                        .collect(),
                ),
                value.span,
            ),
            other => Node::new(other, value.span),
        },
        "object" => {
            let Expression::Object(fields) = inner else {
                return value;
            };
            let span = value.span;
            let Value::Map(mut entries) = value.value else {
                return Node::new(value.value, span);
            };
            for (key, field) in fields.iter() {
                let name = match key {
                    ObjectKey::Ident(i) => i.as_str().to_owned(),
                    ObjectKey::Expression(Expression::String(s)) => s.as_str().to_owned(),
                    ObjectKey::Expression(_) => continue,
                };
                let fty = field.expr();
                if let Some(i) = entries.iter().position(|e| e.key == name) {
                    let e = entries.remove(i);
                    let filled = Entry {
                        value: walk(e.value, fty, at, ev, depth + 1),
                        ..e
                    };
                    entries.insert(i, filled);
                } else if let Some(default) = optional_default(fty) {
                    let given = ev.eval(&Expr {
                        file: at.file,
                        span: at.span,
                        kind: ExprKind::Hcl(Box::new(default.clone())),
                    });
                    let inner_ty = optional_type(fty).unwrap_or(fty);
                    entries.push(Entry {
                        key: name,
                        key_span: span,
                        value: walk(given, inner_ty, at, ev, depth + 1),
                    });
                } else if optional_type(fty).is_some() {
                    // An optional attribute without a default is null.
                    entries.push(Entry {
                        key: name,
                        key_span: span,
                        value: Node::null(span),
                    });
                }
            }
            Node::new(Value::Map(entries), span)
        }
        _ => value,
    }
}

/// The type inside `optional(type, …)`.
fn optional_type(ty: &Expression) -> Option<&Expression> {
    match ty {
        Expression::FuncCall(call) if call.name.name.as_str() == "optional" => {
            call.args.iter().next()
        }
        _ => None,
    }
}

/// The default of `optional(type, default)`.
fn optional_default(ty: &Expression) -> Option<&Expression> {
    match ty {
        Expression::FuncCall(call) if call.name.name.as_str() == "optional" => {
            call.args.iter().nth(1)
        }
        _ => None,
    }
}
