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
    // A set: a Vec's `contains` made a file of many stages quadratic.
    let mut seen: std::collections::HashSet<String> = std::collections::HashSet::new();
    let mut spans = Vec::new();
    for (kw, ins) in instructions(body) {
        if kw != "FROM" {
            continue;
        }
        let Some(alias) = ins.get("alias").and_then(Node::as_str) else {
            continue;
        };
        let a = alias.to_ascii_lowercase();
        if !seen.insert(a) {
            spans.push(cx.index.first_line(ins.span));
        }
    }
    fail_or_pass(spans)
}
