//! `dockerfile_duplicate_stage_alias`: two FROM instructions with the same `AS` name.
//! Native because it compares stages with each other.

use super::instructions;
use crate::parse::node::Node;
use crate::rules::context::EvalCx;
use crate::rules::native::support::spans::fail_or_pass;
use crate::rules::truth::Outcome;

/// A finding at every FROM whose alias (case-insensitive, as BuildKit compares them) an
/// earlier FROM already used.
pub(crate) fn check(body: &Node, cx: &EvalCx<'_>, _: Option<&Node>) -> Outcome {
    let mut seen: Vec<String> = Vec::new();
    let mut spans = Vec::new();
    for (kw, ins) in instructions(body) {
        if kw != "FROM" {
            continue;
        }
        let Some(alias) = ins.get("alias").and_then(Node::as_str) else {
            continue;
        };
        let a = alias.to_ascii_lowercase();
        if seen.contains(&a) {
            spans.push(cx.index.first_line(ins.span));
        } else {
            seen.push(a);
        }
    }
    fail_or_pass(spans)
}
