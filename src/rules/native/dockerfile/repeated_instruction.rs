//! `dockerfile_repeated_instruction`: an instruction that only takes effect once per stage
//! (CMD, ENTRYPOINT, HEALTHCHECK) written more than once in one stage. Native because it
//! counts instructions per stage; the rule language has no counting.

use super::instructions;
use crate::parse::node::Node;
use crate::rules::context::EvalCx;
use crate::rules::truth::Outcome;

/// `args: {instruction: CMD}`: every occurrence of that instruction in a stage except the
/// last one (the one that takes effect) is a finding.
pub(crate) fn check(body: &Node, cx: &EvalCx<'_>, args: Option<&Node>) -> Outcome {
    let Some(kind) = args
        .and_then(|a| a.get("instruction"))
        .and_then(Node::as_str)
    else {
        return Outcome::unknown(vec![cx.resource.header]);
    };
    let found: Vec<(Option<f64>, &Node)> = instructions(body)
        .filter(|(k, _)| k.eq_ignore_ascii_case(kind))
        .map(|(_, i)| (i.get("stage").and_then(Node::as_f64), i))
        .collect();
    // The last occurrence per stage takes effect; looked up, not searched for after each
    // occurrence (quadratic in a file of many CMDs).
    let mut last: std::collections::HashMap<Option<u64>, usize> = std::collections::HashMap::new();
    for (n, (stage, _)) in found.iter().enumerate() {
        last.insert(stage.map(f64::to_bits), n);
    }
    let spans: Vec<_> = found
        .iter()
        .enumerate()
        .filter(|(n, (stage, _))| last.get(&stage.map(f64::to_bits)) != Some(n))
        .map(|(_, (_, i))| cx.index.first_line(i.span))
        .collect();
    crate::rules::native::support::spans::fail_or_pass(spans)
}
