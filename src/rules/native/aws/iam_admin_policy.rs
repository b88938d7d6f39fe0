//! `aws_iam_admin_policy`: identity policies granting every action on every resource.
//! Native because policies come as JSON, HCL objects or `aws_iam_policy_document` data
//! sources, and guard rails (permissions boundaries, SCPs) built from them are not grants.

use crate::parse::node::Node;
use crate::rules::context::EvalCx;
use crate::rules::native::support::gathered::Gathered;
use crate::rules::native::support::policy::{
    doc_admin_statements, identity_policies, is_guard_rail, json_grants_admin, policy_json,
};
use crate::rules::truth::Outcome;

/// IAM identity policies (`policy` attribute, `inline_policy` blocks of roles) and
/// `aws_iam_policy_document` data sources granting `*` on `*`.
pub(crate) fn check(node: &Node, cx: &EvalCx<'_>, _: Option<&Node>) -> Outcome {
    let me = cx.resource;
    if is_guard_rail(cx, &me.address) {
        return Outcome::pass(Vec::new());
    }
    let mut acc = Gathered::default();
    if me.kind == "data.aws_iam_policy_document" {
        doc_admin_statements(node, cx, &mut acc);
        return acc.outcome();
    }
    for p in identity_policies(node) {
        match policy_json(p) {
            Ok(Some(doc)) if json_grants_admin(&doc) => acc.fail(cx.index.first_line(p.span)),
            Ok(_) => {}
            Err(()) => acc.unknown(p.span),
        }
    }
    acc.outcome()
}
