//! Paths into a `Node` tree, compiled once at load: `a.b[*].c`, `containers[0]`,
//! `metadata.annotations."example.com/key"`, and `$.x` to start again from the resource root.
//! A key applied to a list applies to every element (HCL blocks are lists), so
//! `rule.apply_server_side_encryption_by_default.sse_algorithm` reads naturally.

use crate::parse::node::{Node, Value};

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Segment {
    Key(String),
    Index(usize),
    All,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Path {
    pub from_root: bool,
    pub segments: Vec<Segment>,
    pub text: String,
}

/// What one branch of a path walk reached.
#[derive(Clone, Copy, Debug)]
pub enum Hit<'a> {
    /// The path exists; this is the value.
    Found(&'a Node),
    /// The path stops here: the deepest node that exists (a finding about something
    /// missing points at it).
    Missing(&'a Node),
    /// The walk met an unknown value before the end.
    Unknown(&'a Node),
}

impl Path {
    pub fn parse(text: &str) -> Result<Path, String> {
        let mut rest = text.trim();
        let from_root = if let Some(r) = rest.strip_prefix("$.") {
            rest = r;
            true
        } else if rest == "$" {
            rest = "";
            true
        } else {
            false
        };
        let mut segments = Vec::new();
        let mut chars = rest.char_indices().peekable();
        let mut key = String::new();
        let mut expect_key = !rest.is_empty();
        while let Some((_, c)) = chars.next() {
            match c {
                '.' => {
                    if !key.is_empty() {
                        segments.push(Segment::Key(std::mem::take(&mut key)));
                    } else if expect_key {
                        return Err(format!("empty key in path `{text}`"));
                    }
                    expect_key = true;
                }
                '"' => {
                    let mut quoted = String::new();
                    let mut closed = false;
                    for (_, q) in chars.by_ref() {
                        if q == '"' {
                            closed = true;
                            break;
                        }
                        quoted.push(q);
                    }
                    if !closed {
                        return Err(format!("unterminated quote in path `{text}`"));
                    }
                    segments.push(Segment::Key(quoted));
                    expect_key = false;
                }
                '[' => {
                    if !key.is_empty() {
                        segments.push(Segment::Key(std::mem::take(&mut key)));
                    }
                    let mut inner = String::new();
                    let mut closed = false;
                    for (_, q) in chars.by_ref() {
                        if q == ']' {
                            closed = true;
                            break;
                        }
                        inner.push(q);
                    }
                    if !closed {
                        return Err(format!("unclosed `[` in path `{text}`"));
                    }
                    let seg = match inner.trim() {
                        "*" => Segment::All,
                        n => Segment::Index(
                            n.parse()
                                .map_err(|_| format!("bad index `[{n}]` in path `{text}`"))?,
                        ),
                    };
                    segments.push(seg);
                    expect_key = false;
                }
                c if c.is_whitespace() => return Err(format!("space in path `{text}`")),
                c => {
                    key.push(c);
                    expect_key = false;
                }
            }
        }
        if !key.is_empty() {
            segments.push(Segment::Key(key));
        } else if expect_key && !segments.is_empty() {
            return Err(format!("path `{text}` ends with `.`"));
        }
        Ok(Path {
            from_root,
            segments,
            text: text.to_owned(),
        })
    }

    /// Walks the path from `start` (or `root` for `$.` paths), fanning out over lists.
    pub fn resolve<'a>(&self, start: &'a Node, root: &'a Node) -> Vec<Hit<'a>> {
        let mut current = vec![Hit::Found(if self.from_root { root } else { start })];
        for seg in &self.segments {
            let mut next = Vec::with_capacity(current.len());
            for hit in current {
                match hit {
                    Hit::Found(node) => step(node, seg, &mut next),
                    other => next.push(other),
                }
            }
            current = next;
        }
        current
    }
}

fn step<'a>(node: &'a Node, seg: &Segment, out: &mut Vec<Hit<'a>>) {
    match (&node.value, seg) {
        (Value::Unknown(_), _) => out.push(Hit::Unknown(node)),
        (Value::Map(_), Segment::Key(k)) => match node.get(k) {
            Some(v) if v.is_null() => out.push(Hit::Missing(node)),
            Some(v) => out.push(Hit::Found(v)),
            None => out.push(Hit::Missing(node)),
        },
        (Value::List(items), Segment::Key(_)) => {
            if items.is_empty() {
                out.push(Hit::Missing(node));
            }
            for item in items {
                step(item, seg, out);
            }
        }
        (Value::List(items), Segment::All) => {
            for item in items {
                out.push(if item.is_unknown() {
                    Hit::Unknown(item)
                } else {
                    Hit::Found(item)
                });
            }
        }
        (Value::List(items), Segment::Index(i)) => match items.get(*i) {
            Some(v) => out.push(Hit::Found(v)),
            None => out.push(Hit::Missing(node)),
        },
        _ => out.push(Hit::Missing(node)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_keys_indexes_and_quotes() {
        let p = Path::parse(r#"spec.containers[*].env[0]."a.b/c""#).unwrap();
        assert_eq!(
            p.segments,
            vec![
                Segment::Key("spec".into()),
                Segment::Key("containers".into()),
                Segment::All,
                Segment::Key("env".into()),
                Segment::Index(0),
                Segment::Key("a.b/c".into()),
            ]
        );
        assert!(Path::parse("$.x").unwrap().from_root);
        assert!(Path::parse("a..b").is_err());
        assert!(Path::parse("a[").is_err());
        assert!(Path::parse("a[x]").is_err());
    }
}
