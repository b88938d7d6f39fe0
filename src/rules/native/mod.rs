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
mod dockerfile;
mod gha;
mod kubernetes;
mod secrets;
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
    ("text_secret_assignment", text::secret_assignment::check),
    ("text_credential_url", text::credential_url::check),
    ("text_secret_pattern", text::secret_pattern::check),
    ("k8s_secret_credential", secrets::k8s_secret_data::check),
    ("gha_script_injection", gha::script_injection::check),
    ("gha_literal_secret", gha::literal_secret::check),
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

/// Problems in a native check's `args`, found when the pack is loaded (for the checks
/// whose args are code: regexes).
pub fn validate(name: &str, args: Option<&crate::parse::node::Node>) -> Vec<String> {
    match name {
        "text_secret_pattern" => text::secret_pattern::validate(args),
        _ => Vec::new(),
    }
}

/// The keyword prefilter of a native check (`text_secret_pattern`): registered ids of the
/// literals one of which a file must contain for the check to run.
pub fn keyword_ids(name: &str, args: Option<&crate::parse::node::Node>) -> Option<Vec<usize>> {
    match name {
        "text_secret_pattern" => text::secret_pattern::keyword_ids(args?),
        _ => None,
    }
}

/// Whether `text` contains one of the registered keywords `ids` (one scan per resource).
pub fn keywords_present(text: &str, ids: &[usize], cx: &super::context::EvalCx<'_>) -> bool {
    text::secret_pattern::has_keyword(text, ids, cx)
}

/// Names of all native checks, for error messages.
pub fn names() -> Vec<&'static str> {
    let mut v: Vec<&str> = all().map(|(n, _)| *n).collect();
    v.sort_unstable();
    v
}
