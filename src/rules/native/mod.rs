//! Checks written in Rust where the rule language would be clumsy (policy documents,
//! port ranges, cross-object Kubernetes selectors, workflow expressions). A rule names
//! one with `native: <name>`; its metadata stays in YAML.

mod aws;
mod aws_iam;
mod cloud;
mod docker;
mod gha;
mod kubernetes;

pub use super::context::NativeFn;

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
