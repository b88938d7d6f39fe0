//! `aws_lambda_env_secrets`: literal credentials in a Lambda function's environment.
//! Native because the variable names are user-chosen and judged by the secret heuristic.

use super::credentials::{env_secret_ranges, secret_spans};
use crate::parse::node::{Node, Value};
use crate::rules::context::EvalCx;
use crate::rules::native::support::gathered::Gathered;
use crate::rules::native::support::secrets::is_secret_name;
use crate::rules::truth::Outcome;

/// Lambda `environment { variables = { ... } }` entries holding a literal credential:
/// each credential in them, which reports mask.
pub(crate) fn check(node: &Node, cx: &EvalCx<'_>, _: Option<&Node>) -> Outcome {
    let mut acc = Gathered::default();
    for env in node.get("environment").map(Node::items).unwrap_or_default() {
        let Some(vars) = env.get("variables") else {
            continue;
        };
        if vars.is_unknown() {
            acc.unknown(vars.span);
            continue;
        }
        for e in vars.entries() {
            match &e.value.value {
                Value::String(s) => {
                    if let Some(ranges) = env_secret_ranges(&e.key, s) {
                        for span in secret_spans(&e.value, s, &ranges, cx) {
                            acc.fail(span);
                        }
                    }
                }
                Value::Unknown(_) if is_secret_name(&e.key) => acc.unknown(e.value.span),
                _ => {}
            }
        }
    }
    acc.outcome()
}
