//! Small three-valued questions about attribute values, shared by the checks.

use crate::parse::node::{Node, Value};
use crate::rules::truth::Truth;
use crate::source::Span;

/// A value's text, lower-cased and trimmed: `Err(())` when it cannot be known, `Ok(None)`
/// when it is missing or null.
pub(crate) fn text_of(node: Option<&Node>) -> Result<Option<String>, ()> {
    match node {
        None => Ok(None),
        Some(n) => match &n.value {
            Value::Null => Ok(None),
            Value::Unknown(_) => Err(()),
            _ => Ok(n.scalar_text().map(|t| t.trim().to_ascii_lowercase())),
        },
    }
}

/// Whether the value is one of `options` (lower-case); `missing` when it is not set.
pub(crate) fn text_is(node: Option<&Node>, options: &[&str], missing: Truth) -> Truth {
    match text_of(node) {
        Err(()) => Truth::Unknown,
        Ok(None) => missing,
        Ok(Some(t)) => {
            if options.contains(&t.as_str()) {
                Truth::True
            } else {
                Truth::False
            }
        }
    }
}

/// The elements of an attribute that holds one value or a list: `Err(span)` when the
/// whole attribute cannot be known.
pub(crate) fn elements(node: Option<&Node>) -> Result<Vec<&Node>, Span> {
    match node {
        None => Ok(Vec::new()),
        Some(n) => match &n.value {
            Value::Null => Ok(Vec::new()),
            Value::Unknown(_) => Err(n.span),
            Value::List(items) => Ok(items.iter().collect()),
            _ => Ok(vec![n]),
        },
    }
}

pub(crate) fn scalar_string(n: &Node) -> Option<String> {
    match &n.value {
        Value::String(s) => Some(s.clone()),
        Value::Number(_) | Value::Bool(_) => n.scalar_text(),
        _ => None,
    }
}
