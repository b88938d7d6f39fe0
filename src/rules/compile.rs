//! Turns a rule's `check:` YAML into a `Predicate`: paths split, regexes built, native
//! checks looked up. Every problem is collected with its position, none stops the load.

use super::native;
use super::path::Path;
use super::pattern::Pattern;
use super::predicate::{Leaf, Native, Op, Predicate, Related};
use crate::error::Problem;
use crate::parse::node::{Node, Value};
use crate::source::{SourceText, Span};

/// Collects problems for one pack file.
pub struct Problems<'a> {
    pub src: &'a SourceText,
    pub list: Vec<Problem>,
}

impl<'a> Problems<'a> {
    pub fn new(src: &'a SourceText) -> Self {
        Problems {
            src,
            list: Vec::new(),
        }
    }

    pub fn at(&mut self, span: Span, message: impl Into<String>) {
        self.list.push(Problem::at(self.src, span, message));
    }
}

const OPERATORS: &[&str] = &[
    "equals",
    "not_equals",
    "one_of",
    "none_of",
    "matches",
    "not_matches",
    "no_match",
    "gt",
    "gte",
    "lt",
    "lte",
    "contains",
    "not_contains",
];

const FORMS: &str = "all, any, not, if/then, present, absent, every/check, some/check, related, native, or path with one of: equals, not_equals, one_of, none_of, matches, not_matches, no_match, gt, gte, lt, lte, contains, not_contains";

pub fn compile(node: &Node, p: &mut Problems<'_>) -> Option<Predicate> {
    let entries = match &node.value {
        Value::Map(e) if !e.is_empty() => e,
        _ => {
            p.at(node.span, format!("a check must be a mapping: {FORMS}"));
            return None;
        }
    };
    let has = |k: &str| node.get(k).is_some();
    let allowed: &[&str];
    let pred = if has("all") || has("any") {
        let key = if has("all") { "all" } else { "any" };
        allowed = &["all", "any"];
        let list = node.get(key)?;
        if list.items().is_empty() {
            p.at(
                list.span,
                format!("`{key}` needs a non-empty list of checks"),
            );
            return None;
        }
        let items: Vec<_> = list.items().iter().map(|n| compile(n, p)).collect();
        let items: Option<Vec<_>> = items.into_iter().collect();
        let items = items?;
        if key == "all" {
            Predicate::All(items)
        } else {
            Predicate::Any(items)
        }
    } else if let Some(inner) = node.get("not") {
        allowed = &["not"];
        Predicate::Not(Box::new(compile(inner, p)?))
    } else if let Some(cond) = node.get("if") {
        allowed = &["if", "then"];
        let Some(then) = node.get("then") else {
            p.at(node.span, "`if` needs a `then` check");
            return None;
        };
        let c = compile(cond, p);
        let t = compile(then, p);
        Predicate::If(Box::new(c?), Box::new(t?))
    } else if let Some(path) = node.get("present") {
        allowed = &["present"];
        Predicate::Present(path_of(path, p)?)
    } else if let Some(path) = node.get("absent") {
        allowed = &["absent"];
        Predicate::Absent(path_of(path, p)?)
    } else if has("every") || has("some") {
        let key = if has("every") { "every" } else { "some" };
        allowed = &["every", "some", "check"];
        let path = path_of(node.get(key)?, p);
        let Some(check) = node.get("check") else {
            p.at(
                node.span,
                format!("`{key}` needs a `check` for each element"),
            );
            return None;
        };
        let check = Box::new(compile(check, p)?);
        if key == "every" {
            Predicate::Every(path?, check)
        } else {
            Predicate::Some(path?, check)
        }
    } else if let Some(rel) = node.get("related") {
        allowed = &["related"];
        Predicate::Related(related(rel, p)?)
    } else if let Some(name) = node.get("native") {
        allowed = &["native", "args"];
        let Some(n) = name.as_str() else {
            p.at(name.span, "`native` takes the name of a native check");
            return None;
        };
        let Some(func) = native::lookup(n) else {
            p.at(
                name.span,
                format!(
                    "unknown native check `{n}` (known: {})",
                    native::names().join(", ")
                ),
            );
            return None;
        };
        let problems = native::validate(n, node.get("args"));
        for problem in &problems {
            p.at(
                node.get("args").map_or(name.span, |a| a.span),
                problem.clone(),
            );
        }
        if !problems.is_empty() {
            return None;
        }
        Predicate::Native(Native {
            name: n.to_owned(),
            func,
            keywords: native::keyword_ids(n, node.get("args")),
            args: node.get("args").cloned(),
        })
    } else if has("path") {
        allowed = &["path", "default", "case_insensitive"];
        Predicate::Leaf(leaf(node, p)?)
    } else {
        p.at(
            node.span,
            format!("unrecognised check; expected one of: {FORMS}"),
        );
        return None;
    };
    for e in entries {
        let ok = allowed.contains(&e.key.as_str())
            || (allowed.contains(&"path") && OPERATORS.contains(&e.key.as_str()));
        if !ok {
            p.at(e.key_span, format!("unknown key `{}` in this check", e.key));
        }
    }
    Some(pred)
}

fn path_of(node: &Node, p: &mut Problems<'_>) -> Option<Path> {
    let Some(text) = node.as_str() else {
        p.at(node.span, "a path must be a string like `a.b[*].c`");
        return None;
    };
    match Path::parse(text) {
        Ok(path) => Some(path),
        Err(e) => {
            p.at(node.span, e);
            None
        }
    }
}

fn regex_of(node: &Node, p: &mut Problems<'_>) -> Option<Pattern> {
    let Some(text) = node.as_str() else {
        p.at(node.span, "a pattern must be a string");
        return None;
    };
    match Pattern::new(text) {
        Ok(re) => Some(re),
        Err(e) => {
            p.at(node.span, format!("bad regex: {e}"));
            None
        }
    }
}

fn leaf(node: &Node, p: &mut Problems<'_>) -> Option<Leaf> {
    let path = path_of(node.get("path")?, p);
    let ci = node
        .get("case_insensitive")
        .and_then(Node::as_bool)
        .unwrap_or(false);
    let ops: Vec<_> = node
        .entries()
        .iter()
        .filter(|e| OPERATORS.contains(&e.key.as_str()))
        .collect();
    if ops.len() != 1 {
        p.at(
            node.span,
            format!(
                "a `path` check needs exactly one operator ({}), found {}",
                OPERATORS.join(", "),
                ops.len()
            ),
        );
        return None;
    }
    let (key, v) = (ops[0].key.as_str(), &ops[0].value);
    let list = |p: &mut Problems<'_>| {
        if v.items().is_empty() {
            p.at(v.span, format!("`{key}` takes a non-empty list"));
            None
        } else {
            Some(v.items().to_vec())
        }
    };
    let number = |p: &mut Problems<'_>| {
        let n = v.as_f64();
        if n.is_none() {
            p.at(v.span, format!("`{key}` takes a number"));
        }
        n
    };
    use std::cmp::Ordering::{Greater, Less};
    let op = match key {
        "equals" => Op::Equals(v.clone(), ci),
        "not_equals" => Op::NotEquals(v.clone(), ci),
        "one_of" => Op::OneOf(list(p)?, ci),
        "none_of" => Op::NoneOf(list(p)?, ci),
        "matches" => Op::Matches(regex_of(v, p)?),
        "not_matches" => Op::NotMatches(regex_of(v, p)?),
        "no_match" => Op::NoMatch(regex_of(v, p)?),
        "gt" => Op::Compare(Greater, false, number(p)?),
        "gte" => Op::Compare(Greater, true, number(p)?),
        "lt" => Op::Compare(Less, false, number(p)?),
        "lte" => Op::Compare(Less, true, number(p)?),
        "contains" => Op::Contains(v.clone(), ci),
        _ => Op::NotContains(v.clone(), ci),
    };
    Some(Leaf {
        path: path?,
        op,
        default: node.get("default").cloned(),
    })
}

fn related(node: &Node, p: &mut Problems<'_>) -> Option<Related> {
    for e in node.entries() {
        if !["kind", "via", "by", "check"].contains(&e.key.as_str()) {
            p.at(e.key_span, format!("unknown key `{}` in `related`", e.key));
        }
    }
    let Some(kind) = node.get("kind").and_then(Node::as_str) else {
        p.at(
            node.span,
            "`related` needs `kind`: the other resource's kind",
        );
        return None;
    };
    let Some(via) = node.get("via") else {
        p.at(
            node.span,
            "`related` needs `via`: the other resource's attribute that refers to this one",
        );
        return None;
    };
    let via = path_of(via, p);
    let by = match node.get("by") {
        Some(b) => Some(path_of(b, p)?),
        None => None,
    };
    let check = match node.get("check") {
        Some(c) => Some(Box::new(compile(c, p)?)),
        None => None,
    };
    Some(Related {
        kind: kind.to_owned(),
        via: via?,
        by,
        check,
    })
}
