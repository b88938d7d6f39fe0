//! The format-neutral tree every parser produces and every rule reads: maps, lists and
//! scalars, each with the byte span it came from, plus `Unknown` for values that cannot be
//! known statically (a Terraform reference, a data source, an unsupported function).

use crate::source::Span;

/// One value with the span of the text it came from.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub value: Value,
    pub span: Span,
}

/// A map entry: the key, where the key is written, and the value.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub key: String,
    pub key_span: Span,
    pub value: Node,
}

/// Why a value is unknown, and which addresses it refers to (`aws_kms_key.k.arn`),
/// so rules can still relate resources through it.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Unknown {
    pub reason: String,
    pub refs: Vec<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Number(f64),
    String(String),
    List(Vec<Node>),
    /// Entries in source order; keys may repeat only where the format allows it
    /// (HCL blocks are gathered into one list entry by the model).
    Map(Vec<Entry>),
    Unknown(Box<Unknown>),
}

impl Node {
    pub fn new(value: Value, span: Span) -> Self {
        Node { value, span }
    }

    pub fn unknown(reason: impl Into<String>, refs: Vec<String>, span: Span) -> Self {
        Node::new(
            Value::Unknown(Box::new(Unknown {
                reason: reason.into(),
                refs,
            })),
            span,
        )
    }

    pub fn null(span: Span) -> Self {
        Node::new(Value::Null, span)
    }

    pub fn string(s: impl Into<String>, span: Span) -> Self {
        Node::new(Value::String(s.into()), span)
    }

    /// The value at `key` when this is a map.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|e| &e.value)
    }

    pub fn entry(&self, key: &str) -> Option<&Entry> {
        match &self.value {
            Value::Map(entries) => entries.iter().find(|e| e.key == key),
            _ => None,
        }
    }

    /// Follows a dotted path of map keys (no fan-out over lists).
    pub fn get_path(&self, path: &str) -> Option<&Node> {
        path.split('.').try_fold(self, |node, key| node.get(key))
    }

    pub fn entries(&self) -> &[Entry] {
        match &self.value {
            Value::Map(entries) => entries,
            _ => &[],
        }
    }

    pub fn items(&self) -> &[Node] {
        match &self.value {
            Value::List(items) => items,
            _ => &[],
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match &self.value {
            Value::Bool(b) => Some(*b),
            // Terraform and YAML authors quote booleans; both tools accept them.
            Value::String(s) if s == "true" => Some(true),
            Value::String(s) if s == "false" => Some(false),
            _ => None,
        }
    }

    pub fn as_f64(&self) -> Option<f64> {
        match &self.value {
            Value::Number(n) => Some(*n),
            Value::String(s) => s.trim().parse().ok(),
            _ => None,
        }
    }

    pub fn is_unknown(&self) -> bool {
        matches!(self.value, Value::Unknown(_))
    }

    pub fn is_null(&self) -> bool {
        matches!(self.value, Value::Null)
    }

    /// Whether this value or anything inside it is unknown.
    pub fn contains_unknown(&self) -> bool {
        match &self.value {
            Value::Unknown(_) => true,
            Value::List(items) => items.iter().any(Node::contains_unknown),
            Value::Map(entries) => entries.iter().any(|e| e.value.contains_unknown()),
            _ => false,
        }
    }

    /// Addresses this value refers to, when it is an unknown built from references.
    pub fn refs(&self) -> &[String] {
        match &self.value {
            Value::Unknown(u) => &u.refs,
            _ => &[],
        }
    }

    /// A scalar rendered as text for comparisons and messages (`None` for containers
    /// and unknowns).
    pub fn scalar_text(&self) -> Option<String> {
        match &self.value {
            Value::Null => Some("null".into()),
            Value::Bool(b) => Some(b.to_string()),
            Value::Number(n) => Some(format_number(*n)),
            Value::String(s) => Some(s.clone()),
            _ => None,
        }
    }

    /// Nesting depth, for guards and tests.
    pub fn depth(&self) -> usize {
        match &self.value {
            Value::List(items) => 1 + items.iter().map(Node::depth).max().unwrap_or(0),
            Value::Map(entries) => 1 + entries.iter().map(|e| e.value.depth()).max().unwrap_or(0),
            _ => 0,
        }
    }

    /// Converts to JSON (unknowns become `null`), for `isolint debug` and policy documents.
    pub fn to_json(&self) -> serde_json::Value {
        match &self.value {
            Value::Null | Value::Unknown(_) => serde_json::Value::Null,
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::Number(n) => serde_json::Number::from_f64(*n)
                .map_or(serde_json::Value::Null, serde_json::Value::Number),
            Value::String(s) => serde_json::Value::String(s.clone()),
            Value::List(items) => {
                serde_json::Value::Array(items.iter().map(Node::to_json).collect())
            }
            Value::Map(entries) => serde_json::Value::Object(
                entries
                    .iter()
                    .map(|e| (e.key.clone(), e.value.to_json()))
                    .collect(),
            ),
        }
    }
}

/// Renders a number the way users write it (`22`, not `22.0`).
pub fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{n:.0}")
    } else {
        n.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s() -> Span {
        Span::default()
    }

    /// Every value of a parsed document is one `Node` and every map key one `Entry`: a
    /// 14 MB document holds over a million of them, so their size is the tree's cost.
    #[test]
    fn nodes_stay_small() {
        assert!(
            std::mem::size_of::<Node>() <= 48,
            "{}",
            std::mem::size_of::<Node>()
        );
        assert!(
            std::mem::size_of::<Entry>() <= 88,
            "{}",
            std::mem::size_of::<Entry>()
        );
        assert!(
            std::mem::size_of::<Value>() <= 32,
            "{}",
            std::mem::size_of::<Value>()
        );
    }

    #[test]
    fn paths_follow_maps() {
        let inner = Node::new(
            Value::Map(vec![Entry {
                key: "b".into(),
                key_span: s(),
                value: Node::new(Value::Number(22.0), s()),
            }]),
            s(),
        );
        let root = Node::new(
            Value::Map(vec![Entry {
                key: "a".into(),
                key_span: s(),
                value: inner,
            }]),
            s(),
        );
        assert_eq!(root.get_path("a.b").and_then(Node::as_f64), Some(22.0));
        assert_eq!(
            root.get_path("a.b").and_then(Node::scalar_text).as_deref(),
            Some("22")
        );
        assert!(root.get_path("a.c").is_none());
        assert_eq!(root.depth(), 2);
    }
}
