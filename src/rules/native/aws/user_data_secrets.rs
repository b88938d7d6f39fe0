//! `aws_user_data_secrets`: literal credentials in EC2 user data (decoded when base64).
//! Native because user data is a script whose assignments and URLs must be read.

use super::credentials::{base64_decode, secret_ranges, secret_spans};
use crate::parse::node::{Node, Value};
use crate::rules::context::EvalCx;
use crate::rules::native::support::gathered::Gathered;
use crate::rules::truth::Outcome;

/// EC2 user data (`aws_instance`, `aws_launch_template`, `aws_launch_configuration`)
/// holding a literal credential; base64 user data is decoded first. The finding points at
/// each credential (the whole value when it is encoded), which reports mask.
pub(crate) fn check(node: &Node, cx: &EvalCx<'_>, _: Option<&Node>) -> Outcome {
    let mut acc = Gathered::default();
    for key in ["user_data", "user_data_base64"] {
        let Some(v) = node.get(key) else { continue };
        match &v.value {
            Value::String(s) => {
                let plain = secret_ranges(s);
                let spans = if !plain.is_empty() {
                    secret_spans(v, s, &plain, cx)
                } else if let Some(d) = base64_decode(s)
                    && let found = secret_ranges(&d)
                    && !found.is_empty()
                {
                    // Found in the decoded script: where the source shows it (base64encode
                    // of a heredoc), else the whole encoded value.
                    secret_spans(v, &d, &found, cx)
                } else {
                    Vec::new()
                };
                for span in spans {
                    acc.fail(span);
                }
            }
            Value::Unknown(_) => acc.unknown(v.span),
            _ => {}
        }
    }
    acc.outcome()
}
