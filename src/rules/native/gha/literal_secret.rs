//! `gha_literal_secret`: literal secrets in a workflow's free-form maps (`env`, `with`,
//! `secrets`, container credentials). Native because the keys are user-chosen names judged
//! by the shared secret heuristic.

use crate::parse::node::{Node, Value};
use crate::rules::context::EvalCx;
use crate::rules::native::support::secrets::{
    covered_by_format_rules, is_literal_secret, is_secret_name,
};
use crate::rules::native::support::spans::fail_or_pass;
use crate::rules::truth::Outcome;
use crate::source::Span;

/// Literal secrets written into a workflow: secret-named `env`, `with` and `secrets`
/// entries, and container or service registry passwords. Service containers' own `env`
/// (a throwaway database's password) is not checked.
pub(crate) fn check(body: &Node, cx: &EvalCx<'_>, _: Option<&Node>) -> Outcome {
    let mut spans = Vec::new();
    if cx.resource.kind == "gha_workflow" {
        named(body.get("env"), &mut spans);
        return fail_or_pass(spans);
    }
    for key in ["env", "with", "secrets"] {
        named(body.get(key), &mut spans);
    }
    for step in body.get("steps").map_or(&[][..], Node::items) {
        named(step.get("env"), &mut spans);
        named(step.get("with"), &mut spans);
    }
    if let Some(container) = body.get("container") {
        named(container.get("env"), &mut spans);
        password(container, &mut spans);
    }
    for service in body.get("services").map_or(&[][..], Node::entries) {
        password(&service.value, &mut spans);
    }
    fail_or_pass(spans)
}

/// Secret-named entries of a map with literal values.
fn named(map: Option<&Node>, spans: &mut Vec<Span>) {
    for e in map.map_or(&[][..], Node::entries) {
        if is_secret_name(&e.key)
            && let Some(v) = literal(&e.value)
            && !covered_by_format_rules(&e.key, &v)
        {
            spans.push(e.value.span);
        }
    }
}

/// `credentials.password` of a job container or service container.
fn password(container: &Node, spans: &mut Vec<Span>) {
    if let Some(e) = container
        .get("credentials")
        .and_then(|c| c.entry("password"))
        && literal(&e.value).is_some()
    {
        spans.push(e.value.span);
    }
}

/// The value as text when it is a literal secret (not an expression, flag or placeholder).
fn literal(v: &Node) -> Option<String> {
    let text = match &v.value {
        Value::String(s) => s.clone(),
        Value::Number(_) => v.scalar_text()?,
        _ => return None,
    };
    (!text.contains("${{") && is_literal_secret(&text)).then_some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_values() {
        let s = |v: &str| Node::string(v, Span::default());
        assert!(literal(&s("hunter22")).is_some());
        assert!(literal(&s("${{ secrets.DB_PASSWORD }}")).is_none());
        assert!(literal(&s("pre-${{ secrets.X }}")).is_none());
        assert!(literal(&Node::new(Value::Bool(false), Span::default())).is_none());
        assert!(literal(&Node::new(Value::Number(123456.0), Span::default())).is_some());
    }
}
