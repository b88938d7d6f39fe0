//! What an identity policy allows, statement by statement, in one shape whatever form the
//! policy is written in (a JSON string, an HCL object, `inline_policy` blocks, or an
//! `aws_iam_policy_document` data source), so checks about actions are written once.

use serde_json::Value as Json;

use super::policy::{doc_allows, identity_policies, json_strings, policy_json};
use crate::parse::node::{Node, Value};
use crate::rules::context::EvalCx;
use crate::rules::truth::Truth;
use crate::source::Span;

/// Action or resource patterns of one statement (`None`: cannot be known).
pub(crate) type Patterns = Option<Vec<(String, Span)>>;

/// One statement of an identity policy.
#[derive(Debug)]
pub(crate) struct Grant {
    pub(crate) allow: Truth,
    pub(crate) actions: Patterns,
    /// `NotAction` (every action except these), when the statement has one.
    pub(crate) not_actions: Option<Patterns>,
    pub(crate) resources: Patterns,
    /// Where a finding about the whole statement points.
    pub(crate) span: Span,
}

impl Grant {
    /// Whether the statement allows `action` (an exact `service:Action`): `True` when a
    /// pattern matches it, `Unknown` when the patterns cannot be known.
    pub(crate) fn covers(&self, action: &str) -> (Truth, Option<Span>) {
        match &self.not_actions {
            Some(Some(not)) if not.iter().any(|(p, _)| glob_match(p, action)) => {
                return (Truth::False, None);
            }
            Some(Some(_)) => return (Truth::True, Some(self.span)),
            Some(None) => return (Truth::Unknown, Some(self.span)),
            None => {}
        }
        match &self.actions {
            Some(list) => match list.iter().find(|(p, _)| glob_match(p, action)) {
                Some((_, span)) => (Truth::True, Some(*span)),
                None => (Truth::False, None),
            },
            None => (Truth::Unknown, Some(self.span)),
        }
    }

    /// Whether the statement applies to every resource (`*`).
    pub(crate) fn on_every_resource(&self) -> Truth {
        match &self.resources {
            Some(list) if list.iter().any(|(r, _)| r.trim() == "*") => Truth::True,
            Some(_) => Truth::False,
            None => Truth::Unknown,
        }
    }
}

/// The statements of an identity policy resource or data source, and the spans of
/// policies that cannot be read (unknown). Statements naming principals belong to
/// resource or trust policies and are left out.
pub(crate) fn identity_grants(node: &Node, cx: &EvalCx<'_>) -> (Vec<Grant>, Vec<Span>) {
    let mut grants = Vec::new();
    let mut unknown = Vec::new();
    if cx.resource.kind == "data.aws_iam_policy_document" {
        for stmt in node.get("statement").map(Node::items).unwrap_or_default() {
            if stmt.get("_dynamic_unknown").is_some() {
                unknown.push(stmt.span);
            } else if stmt.get("principals").is_none() && stmt.get("not_principals").is_none() {
                grants.push(Grant {
                    allow: doc_allows(stmt),
                    actions: node_patterns(stmt.get("actions")),
                    not_actions: stmt.get("not_actions").map(|n| node_patterns(Some(n))),
                    resources: node_patterns(stmt.get("resources")),
                    span: cx.index.first_line(stmt.span),
                });
            }
        }
        for merged in ["source_policy_documents", "override_policy_documents"] {
            if let Some(v) = node.get(merged) {
                unknown.push(v.span);
            }
        }
        return (grants, unknown);
    }
    for p in identity_policies(node) {
        match policy_json(p) {
            Ok(Some(doc)) => grants.extend(json_grants(&doc, cx.index.first_line(p.span))),
            Ok(None) => {}
            Err(()) => unknown.push(p.span),
        }
    }
    (grants, unknown)
}

fn json_grants(doc: &Json, span: Span) -> Vec<Grant> {
    super::policy::statements(doc)
        .into_iter()
        .filter(|s| s.get("Principal").is_none() && s.get("NotPrincipal").is_none())
        .map(|s| {
            let effect = s.get("Effect").and_then(Json::as_str).unwrap_or("");
            let list = |key: &str| -> Patterns {
                s.get(key).map(|v| {
                    json_strings(Some(v))
                        .into_iter()
                        .map(|a| (a.to_owned(), span))
                        .collect()
                })
            };
            Grant {
                allow: if effect.eq_ignore_ascii_case("allow") {
                    Truth::True
                } else {
                    Truth::False
                },
                actions: list("Action").or(Some(Vec::new())),
                not_actions: s.get("NotAction").map(|_| list("NotAction")),
                resources: list("Resource").or(Some(Vec::new())),
                span,
            }
        })
        .collect()
}

/// The strings of a list attribute with their spans; `None` when any is unknown.
fn node_patterns(n: Option<&Node>) -> Patterns {
    let Some(n) = n else {
        return Some(Vec::new());
    };
    let items: Vec<&Node> = match &n.value {
        Value::List(items) => items.iter().collect(),
        Value::Unknown(_) => return None,
        Value::Null => Vec::new(),
        _ => vec![n],
    };
    let mut out = Vec::new();
    for item in items {
        match &item.value {
            Value::String(s) => out.push((s.clone(), item.span)),
            Value::Unknown(_) => return None,
            _ => {}
        }
    }
    Some(out)
}

/// IAM's action wildcards: `*` any run, `?` one character, case-insensitive.
pub(crate) fn glob_match(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.trim().to_ascii_lowercase().chars().collect();
    let t: Vec<char> = text.to_ascii_lowercase().chars().collect();
    // Iterative matching with one backtrack point for the last `*` (linear in practice).
    let (mut pi, mut ti) = (0, 0);
    let (mut star, mut mark) = (None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == '*' {
        pi += 1;
    }
    pi == p.len()
}

#[cfg(test)]
mod tests {
    use super::glob_match;

    #[test]
    fn iam_wildcards() {
        assert!(glob_match("iam:*", "iam:PutUserPolicy"));
        assert!(glob_match("IAM:put*", "iam:PutUserPolicy"));
        assert!(glob_match("iam:?ttachRolePolicy", "iam:AttachRolePolicy"));
        assert!(glob_match("*", "iam:PassRole"));
        assert!(!glob_match("iam:Get*", "iam:PutUserPolicy"));
        assert!(!glob_match("s3:*", "iam:PassRole"));
        assert!(glob_match("*:Pass*", "iam:PassRole"));
    }
}
