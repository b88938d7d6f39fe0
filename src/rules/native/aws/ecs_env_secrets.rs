//! `aws_ecs_env_secrets`: literal credentials in the `environment` of ECS container
//! definitions (a JSON string). Native because the definitions are JSON inside HCL.

use serde_json::Value as Json;

use super::credentials::env_has_secret;
use crate::parse::node::{Node, Value};
use crate::rules::context::EvalCx;
use crate::rules::native::support::gathered::Gathered;
use crate::rules::truth::Outcome;

/// Whether ECS container definitions (JSON) set a literal credential in `environment`.
fn containers_have_secret(defs: &Json) -> bool {
    let containers: Vec<&Json> = match defs {
        Json::Array(items) => items.iter().collect(),
        other => vec![other],
    };
    containers.into_iter().any(|c| {
        c.get("environment")
            .and_then(Json::as_array)
            .is_some_and(|env| {
                env.iter().any(|e| {
                    let name = e.get("name").and_then(Json::as_str).unwrap_or_default();
                    e.get("value")
                        .and_then(Json::as_str)
                        .is_some_and(|v| env_has_secret(name, v))
                })
            })
    })
}

/// ECS task definitions whose `container_definitions` put a literal credential in a
/// container's `environment` (instead of `secrets`).
pub(crate) fn check(node: &Node, cx: &EvalCx<'_>, _: Option<&Node>) -> Outcome {
    let mut acc = Gathered::default();
    if let Some(v) = node.get("container_definitions") {
        match &v.value {
            Value::String(s)
                if serde_json::from_str::<Json>(s).is_ok_and(|d| containers_have_secret(&d)) =>
            {
                acc.fail(cx.index.first_line(v.span));
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
