//! `compose_env_secret`: secrets written as literal `environment` values of a Compose
//! service. Native because `environment` is a map or a list of `NAME=value` strings with
//! user-chosen names judged by the shared secret heuristic.

use crate::parse::node::{Node, Value};
use crate::rules::context::EvalCx;
use crate::rules::native::support::secrets::{
    covered_by_format_rules, is_literal_secret, is_secret_name,
};
use crate::rules::native::support::spans::fail_or_pass;
use crate::rules::truth::Outcome;

/// A finding at each `environment` entry whose name says secret and whose value (after
/// interpolation: `${DB_PASSWORD:-changeme}` is `changeme`) is a literal secret. Values
/// from variables without a default are unknown and not reported; `NAME` alone (taken
/// from the shell) is fine.
pub(crate) fn check(service: &Node, _: &EvalCx<'_>, _: Option<&Node>) -> Outcome {
    let mut spans = Vec::new();
    let Some(env) = service.get("environment") else {
        return Outcome::pass(Vec::new());
    };
    let mut judge = |name: &str, value: &str, span| {
        if is_secret_name(name) && is_literal_secret(value) && !covered_by_format_rules(name, value)
        {
            spans.push(span);
        }
    };
    match &env.value {
        Value::Map(entries) => {
            for e in entries {
                let value = match &e.value.value {
                    Value::String(s) => s.clone(),
                    Value::Number(_) => e.value.scalar_text().unwrap_or_default(),
                    _ => continue,
                };
                judge(&e.key, &value, e.key_span);
            }
        }
        Value::List(items) => {
            for item in items {
                if let Some((name, value)) = item.as_str().and_then(|s| s.split_once('=')) {
                    judge(name.trim(), value, item.span);
                }
            }
        }
        _ => {}
    }
    fail_or_pass(spans)
}
