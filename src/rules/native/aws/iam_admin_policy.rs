//! `aws_iam_admin_policy`: identity policies granting every action on every resource.
//! Native because policies come as JSON, HCL objects or `aws_iam_policy_document` data
//! sources, and guard rails (permissions boundaries, SCPs) built from them are not grants.

use crate::parse::node::Node;
use crate::rules::context::EvalCx;
use crate::rules::native::support::gathered::Gathered;
use crate::rules::native::support::policy::{
    doc_admin_statements, json_grants_admin, policy_json, refers,
};
use crate::rules::truth::Outcome;

/// Whether the data source at `address` or a policy built from it is only a guard rail
/// (a permissions boundary or an Organizations policy), not a grant.
fn is_guard_rail(cx: &EvalCx<'_>, address: &str) -> bool {
    let me = cx.resource;
    let boundary = |addr: &str| {
        ["aws_iam_role", "aws_iam_user"].iter().any(|kind| {
            cx.index
                .same_root(me, kind)
                .any(|r| refers(r, "permissions_boundary", addr))
        })
    };
    if boundary(address) {
        return true;
    }
    if me.kind == "data.aws_iam_policy_document" {
        if cx
            .index
            .same_root(me, "aws_organizations_policy")
            .any(|r| refers(r, "content", address))
        {
            return true;
        }
        return cx
            .index
            .same_root(me, "aws_iam_policy")
            .any(|p| refers(p, "policy", address) && boundary(&p.address));
    }
    false
}

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
    let mut policies: Vec<&Node> = node.get("policy").into_iter().collect();
    for block in node
        .get("inline_policy")
        .map(Node::items)
        .unwrap_or_default()
    {
        policies.extend(block.get("policy"));
    }
    for p in policies {
        match policy_json(p) {
            Ok(Some(doc)) if json_grants_admin(&doc) => acc.fail(cx.index.first_line(p.span)),
            Ok(_) => {}
            Err(()) => acc.unknown(p.span),
        }
    }
    acc.outcome()
}
