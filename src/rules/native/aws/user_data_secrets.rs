//! `aws_user_data_secrets`: literal credentials in EC2 user data (decoded when base64).
//! Native because user data is a script whose assignments and URLs must be read.

use super::credentials::{base64_decode, text_has_secret};
use crate::parse::node::{Node, Value};
use crate::rules::context::EvalCx;
use crate::rules::native::support::gathered::Gathered;
use crate::rules::truth::Outcome;

/// EC2 user data (`aws_instance`, `aws_launch_template`, `aws_launch_configuration`)
/// holding a literal credential; base64 user data is decoded first.
pub(crate) fn check(node: &Node, cx: &EvalCx<'_>, _: Option<&Node>) -> Outcome {
    let mut acc = Gathered::default();
    for key in ["user_data", "user_data_base64"] {
        let Some(v) = node.get(key) else { continue };
        match &v.value {
            Value::String(s) => {
                let decoded = base64_decode(s);
                if text_has_secret(s) || decoded.is_some_and(|d| text_has_secret(&d)) {
                    acc.fail(cx.index.first_line(v.span));
                }
            }
            Value::Unknown(_) => acc.unknown(v.span),
            _ => {}
        }
    }
    acc.outcome()
}
