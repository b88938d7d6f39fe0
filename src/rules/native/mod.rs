//! Checks written in Rust where the rule language would be clumsy (policy documents,
//! port ranges, cross-object Kubernetes selectors, workflow expressions). A rule names
//! one with `native: <name>`; its metadata stays in YAML.

mod aws;
mod aws_iam;
mod cloud;
mod docker;
mod gha;
mod kubernetes;

use super::predicate::EvalCx;
use super::truth::Outcome;
use crate::parse::node::Node;

/// A native check: the node under test (resource body or element), the context, and
/// the rule's optional `args`.
pub type NativeFn = fn(&Node, &EvalCx<'_>, Option<&Node>) -> Outcome;

/// Every native check by name.
pub fn lookup(name: &str) -> Option<NativeFn> {
    all().find(|(n, _)| *n == name).map(|(_, f)| *f)
}

fn all() -> impl Iterator<Item = &'static (&'static str, NativeFn)> {
    aws::NATIVES
        .iter()
        .chain(aws_iam::NATIVES)
        .chain(cloud::NATIVES)
        .chain(docker::NATIVES)
        .chain(gha::NATIVES)
        .chain(kubernetes::NATIVES)
}

/// Names of all native checks, for error messages.
pub fn names() -> Vec<&'static str> {
    let mut v: Vec<&str> = all().map(|(n, _)| *n).collect();
    v.sort_unstable();
    v
}
