//! `aws_ecs_env_secrets`: literal credentials in the `environment` of ECS container
//! definitions (a JSON string). Native because the definitions are JSON inside HCL.

use serde_json::Value as Json;

use super::credentials::{env_secret_ranges, secret_spans};
use crate::parse::node::{Node, Value};
use crate::rules::context::EvalCx;
use crate::rules::native::support::gathered::Gathered;
use crate::rules::truth::Outcome;

/// The credentials ECS container definitions (JSON) set in an `environment`: each
/// value's credential text.
fn environment_secrets(defs: &Json) -> Vec<&str> {
    let containers: Vec<&Json> = match defs {
        Json::Array(items) => items.iter().collect(),
        other => vec![other],
    };
    let mut out = Vec::new();
    for c in containers {
        let env = c.get("environment").and_then(Json::as_array);
        for e in env.into_iter().flatten() {
            let name = e.get("name").and_then(Json::as_str).unwrap_or_default();
            let Some(value) = e.get("value").and_then(Json::as_str) else {
                continue;
            };
            for r in env_secret_ranges(name, value).unwrap_or_default() {
                out.extend(value.get(r));
            }
        }
    }
    out
}

#[cfg(test)]
fn containers_have_secret(defs: &Json) -> bool {
    !environment_secrets(defs).is_empty()
}

/// Where each credential is in the definitions' text `s`: each occurrence of it (a
/// secret written in JSON escapes is not found, and the whole value is then flagged).
fn ranges_in(s: &str, secrets: &[&str]) -> Vec<std::ops::Range<usize>> {
    let mut out: Vec<_> = secrets
        .iter()
        .filter(|x| !x.is_empty())
        .flat_map(|x| s.match_indices(x).map(|(i, m)| i..i + m.len()))
        .collect();
    out.sort_by_key(|r| (r.start, r.end));
    out.dedup();
    out
}

/// ECS task definitions whose `container_definitions` put a literal credential in a
/// container's `environment` (instead of `secrets`).
pub(crate) fn check(node: &Node, cx: &EvalCx<'_>, _: Option<&Node>) -> Outcome {
    let mut acc = Gathered::default();
    if let Some(v) = node.get("container_definitions") {
        match &v.value {
            Value::String(s) => {
                let Ok(defs) = serde_json::from_str::<Json>(s) else {
                    return acc.outcome();
                };
                let secrets = environment_secrets(&defs);
                if !secrets.is_empty() {
                    // The finding points at each credential, which reports mask.
                    for span in secret_spans(v, s, &ranges_in(s, &secrets), cx) {
                        acc.fail(span);
                    }
                }
            }
            Value::Unknown(_) => acc.unknown(v.span),
            _ => {}
        }
    }
    acc.outcome()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ecs_environment_secrets() {
        let d: Json = serde_json::from_str(
            r#"[{"name":"api","environment":[{"name":"LOG_LEVEL","value":"info"},{"name":"DB_PASSWORD","value":"n0t-a-real-one"}]}]"#,
        )
        .unwrap();
        assert!(containers_have_secret(&d));
        let ok: Json = serde_json::from_str(
            r#"[{"name":"api","environment":[{"name":"LOG_LEVEL","value":"info"}],"secrets":[{"name":"DB_PASSWORD","valueFrom":"arn:aws:ssm:eu-west-1:111122223333:parameter/db"}]}]"#,
        )
        .unwrap();
        assert!(!containers_have_secret(&ok));
    }
}
