//! `aws_iam_privilege_escalation`: identity policies that let their holder give
//! themselves more rights: a listed IAM action on every resource (`args.actions`), or
//! `iam:PassRole` on every resource together with an action that starts compute under a
//! passed role (`args.pass_role_with`). Native because actions are wildcard patterns,
//! `NotAction` inverts them, and the policy may be JSON or a data source.
//!
//! Statements that allow `*` are left to the admin-policy rule; guard rails (permissions
//! boundaries, Organizations policies) grant nothing.

use crate::parse::node::Node;
use crate::rules::context::EvalCx;
use crate::rules::native::support::gathered::Gathered;
use crate::rules::native::support::grants::{Grant, identity_grants};
use crate::rules::native::support::policy::{is_all_actions, is_guard_rail};
use crate::rules::truth::{Outcome, Truth};
use crate::source::Span;

pub(crate) fn check(node: &Node, cx: &EvalCx<'_>, args: Option<&Node>) -> Outcome {
    let list = |key: &str| -> Vec<&str> {
        args.and_then(|a| a.get(key))
            .map(|n| n.items().iter().filter_map(Node::as_str).collect())
            .unwrap_or_default()
    };
    let (actions, pass_role_with) = (list("actions"), list("pass_role_with"));
    if is_guard_rail(cx, &cx.resource.address) {
        return Outcome::pass(Vec::new());
    }
    let (grants, unreadable) = identity_grants(node, cx);
    let mut acc = Gathered::default();
    unreadable.into_iter().for_each(|s| acc.unknown(s));
    // Only allows on every resource that are not already full admin rights.
    let relevant: Vec<&Grant> = grants
        .iter()
        .filter(|g| g.allow != Truth::False && g.on_every_resource() != Truth::False)
        .filter(|g| {
            g.actions
                .as_ref()
                .is_none_or(|a| !a.iter().any(|(p, _)| is_all_actions(p)))
        })
        .collect();
    for action in &actions {
        for g in &relevant {
            record(&mut acc, g, action);
        }
    }
    if !pass_role_with.is_empty() {
        let pass = best(&relevant, "iam:PassRole");
        let launch = pass_role_with
            .iter()
            .map(|a| best(&relevant, a))
            .max_by_key(|(t, _)| rank(*t))
            .unwrap_or((Truth::False, None));
        match (pass, launch) {
            ((Truth::True, Some(at)), (Truth::True, _)) => acc.fail(at),
            ((Truth::False, _), _) | (_, (Truth::False, _)) => {}
            ((_, at), _) => acc.unknown(at.unwrap_or(cx.resource.header)),
        }
    }
    acc.outcome()
}

/// A failure or unknown for one grant and one action.
fn record(acc: &mut Gathered, g: &Grant, action: &str) {
    match (g.allow, g.on_every_resource(), g.covers(action)) {
        (Truth::True, Truth::True, (Truth::True, Some(at))) => acc.fail(at),
        (_, _, (Truth::False, _)) => {}
        (_, _, (_, at)) => acc.unknown(at.unwrap_or(g.span)),
    }
}

/// The most certain answer over all grants to "is `action` allowed on `*`?".
fn best(grants: &[&Grant], action: &str) -> (Truth, Option<Span>) {
    grants
        .iter()
        .map(|g| {
            let (t, at) = g.covers(action);
            (g.allow.and(g.on_every_resource()).and(t), at)
        })
        .max_by_key(|(t, _)| rank(*t))
        .unwrap_or((Truth::False, None))
}

fn rank(t: Truth) -> u8 {
    match t {
        Truth::True => 2,
        Truth::Unknown => 1,
        Truth::False => 0,
    }
}
