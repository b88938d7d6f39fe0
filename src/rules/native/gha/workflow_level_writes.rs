//! `gha_workflow_level_writes`: write scopes at the top of a workflow that several jobs
//! inherit. Native because it counts the jobs without their own `permissions`.

use crate::parse::node::Node;
use crate::rules::context::EvalCx;
use crate::rules::native::support::spans::fail_or_pass;
use crate::rules::truth::Outcome;

/// Write scopes granted at the top of a workflow that two or more jobs inherit (they
/// set no `permissions` of their own): a finding at each such scope.
pub(crate) fn check(wf: &Node, _: &EvalCx<'_>, _: Option<&Node>) -> Outcome {
    let inheriting = wf
        .get("jobs")
        .map_or(&[][..], Node::entries)
        .iter()
        .filter(|j| j.value.get("permissions").is_none())
        .count();
    if inheriting < 2 {
        return Outcome::pass(Vec::new());
    }
    let spans = wf
        .get("permissions")
        .map_or(&[][..], Node::entries)
        .iter()
        .filter(|e| e.value.as_str() == Some("write"))
        .map(|e| e.key_span)
        .collect();
    fail_or_pass(spans)
}
