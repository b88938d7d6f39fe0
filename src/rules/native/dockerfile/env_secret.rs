//! `dockerfile_env_secret`: ENV/ARG values that are literal secrets. Native because an
//! instruction holds several `NAME=value` words (quotes, escapes, the legacy one-pair form)
//! and the name and value are judged by the shared secret heuristic.

use super::variables;
use crate::parse::node::Node;
use crate::rules::context::EvalCx;
use crate::rules::native::support::secrets::{
    covered_by_format_rules, is_literal_secret, is_secret_name,
};
use crate::rules::native::support::spans::{fail_or_pass, file_text, place};
use crate::rules::truth::Outcome;

/// ENV/ARG variables whose name says secret and whose value is a literal: a finding at
/// the variable name. `ARG NAME` without a default is fine (nothing is written down).
pub(crate) fn check(body: &Node, cx: &EvalCx<'_>, _: Option<&Node>) -> Outcome {
    let text = file_text(cx);
    let src = text.as_deref();
    let mut spans = Vec::new();
    for v in variables(body, &["ENV", "ARG"]) {
        let Some(value) = &v.value else {
            continue;
        };
        if is_secret_name(v.name)
            && is_literal_secret(value)
            && !covered_by_format_rules(v.name, value)
        {
            // The finding points at the value (reports mask it), not at the name.
            let (text, end_of_name) = (v.text, v.at + v.name.len());
            let rest = &text[end_of_name..];
            let skip = rest.len() - rest.trim_start_matches(['=', ' ', '\t']).len();
            let a = end_of_name + skip;
            let raw = &text[a..];
            let len = if raw.starts_with(['"', '\'']) {
                raw[1..].find(&raw[..1]).map_or(raw.len(), |i| i + 2)
            } else {
                raw.find(char::is_whitespace).unwrap_or(raw.len())
            };
            spans.push(place(src, v.node, text, a, a + len, cx));
        }
    }
    fail_or_pass(spans)
}
