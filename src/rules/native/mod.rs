//! Checks written in Rust where the rule language would be clumsy (policy documents,
//! port ranges, cross-object Kubernetes selectors, workflow expressions). A rule names
//! one with `native: <name>`; its metadata, and every list or threshold an auditor should
//! read, stays in the YAML pack (`args`).
//!
//! One check per file, grouped by family; helpers shared across families in `support/`.
//! Adding a check: its file, a `mod` line in its family, one line in `NATIVES`.

mod aws;
mod aws_iam;
mod cloud;
mod compose;
pub(crate) mod dockerfile;
mod gha;
mod kubernetes;
pub(crate) mod support;
mod text;

pub use super::context::NativeFn;

/// Every native check by name.
const NATIVES: &[(&str, NativeFn)] = &[
    (
        "dockerfile_instruction_match",
        dockerfile::instruction_match::check,
    ),
    ("dockerfile_env_secret", dockerfile::env_secret::check),
    (
        "dockerfile_copied_credentials",
        dockerfile::copied_credentials::check,
    ),
    ("dockerfile_run_command", dockerfile::run_command::check),
    (
        "dockerfile_repeated_instruction",
        dockerfile::repeated_instruction::check,
    ),
    (
        "dockerfile_copy_from_unknown_stage",
        dockerfile::copy_from_stage::check,
    ),
    (
        "dockerfile_duplicate_stage_alias",
        dockerfile::duplicate_alias::check,
    ),
    (
        "dockerfile_secret_build_arg",
        dockerfile::secret_build_arg::check,
    ),
    ("compose_env_secret", compose::env_secret::check),
    ("text_secret_assignment", text::secret_assignment::check),
    ("text_credential_url", text::credential_url::check),
    ("gha_script_injection", gha::script_injection::check),
    ("gha_literal_secret", gha::literal_secret::check),
    ("gha_expression_match", gha::expression_match::check),
    ("gha_tainted_env", gha::tainted_env::check),
    ("gha_uses_own_repository", gha::own_workflow::check),
    ("gha_pinned_version_conflict", gha::version_comment::check),
    (
        "gha_workflow_level_writes",
        gha::workflow_level_writes::check,
    ),
];

/// Every native check by name.
pub fn lookup(name: &str) -> Option<NativeFn> {
    all().find(|(n, _)| *n == name).map(|(_, f)| *f)
}

fn all() -> impl Iterator<Item = &'static (&'static str, NativeFn)> {
    NATIVES
        .iter()
        .chain(aws::NATIVES)
        .chain(aws_iam::NATIVES)
        .chain(cloud::NATIVES)
        .chain(kubernetes::NATIVES)
}

/// Names of all native checks, for error messages.
pub fn names() -> Vec<&'static str> {
    let mut v: Vec<&str> = all().map(|(n, _)| *n).collect();
    v.sort_unstable();
    v
}
