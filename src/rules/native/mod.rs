//! Checks written in Rust where the rule language would be clumsy (policy documents,
//! port ranges, cross-object Kubernetes selectors, workflow expressions). A rule names
//! one with `native: <name>`; its metadata, and every list or threshold an auditor should
//! read, stays in the YAML pack (`args`).
//!
//! One check per file, grouped by family; helpers shared across families in `support/`.
//! Adding a check: its file, a `mod` line in its family, one line in `NATIVES`.

mod aws;
mod cloud;
mod compose;
pub(crate) mod dockerfile;
mod gha;
mod kubernetes;
mod secrets;
pub(crate) mod support;
mod text;

pub use super::context::NativeFn;

/// Kinds the native checks look up beside the resource they check: the scan keeps such
/// objects for the cross-file batch even when no rule checks them.
pub(crate) const LOOKED_UP_KINDS: &[&[&str]] = &[
    // Policies a workload's coverage is decided by; deploy tools that set image tags
    // (a Skaffold file's kind is `Config`).
    &["NetworkPolicy", "Kustomization", "Config"],
    kubernetes::network_policy::OTHER_POLICY_KINDS,
    // Workflow pins compared across files.
    &gha::version_comment::PIN_KINDS,
];

/// Native checks that read resources other than the one they check, through the
/// index's lookups (`same_root`, `same_root_ids`, `of_kind`, `memo`,
/// `image_tagged_at_deploy`), directly or through `support/`: the rules using them are
/// evaluated in the cross-file batch. The test below keeps this list complete.
pub(crate) const CROSS_NATIVES: &[&str] = &[
    "aws_account_setting",
    "aws_iam_admin_policy",
    "aws_iam_privilege_escalation",
    "aws_s3_log_target",
    "aws_s3_public_policy",
    "gcp_subnet_network_flow_logs",
    "gha_pinned_version_conflict",
    "k8s_image_tagged_at_deploy",
    "k8s_workload_selected_by_network_policy",
    "terraform_provider_at_least",
];

/// Every native check by name: one line each.
#[rustfmt::skip]
const NATIVES: &[(&str, NativeFn)] = &[
    ("aws_account_setting", aws::account_setting::check),
    ("aws_ecs_env_secrets", aws::ecs_env_secrets::check),
    ("aws_iam_admin_policy", aws::iam_admin_policy::check),
    ("aws_iam_privilege_escalation", aws::iam_privilege_escalation::check),
    ("aws_lambda_env_secrets", aws::lambda_env_secrets::check),
    ("aws_provider", aws::provider::check),
    ("aws_s3_log_target", aws::s3_log_target::check),
    ("aws_s3_public_policy", aws::s3_public_policy::check),
    ("aws_sg_public_ingress", aws::sg_public_ingress::check),
    ("aws_user_data_secrets", aws::user_data_secrets::check),
    ("azure_nsg_public_ingress", cloud::azure_nsg_public_ingress::check),
    ("compose_env_secret", compose::env_secret::check),
    ("credential_file_name", secrets::credential_file::check),
    ("dockerfile_copied_credentials", dockerfile::copied_credentials::check),
    ("dockerfile_copy_from_unknown_stage", dockerfile::copy_from_stage::check),
    ("dockerfile_duplicate_stage_alias", dockerfile::duplicate_alias::check),
    ("dockerfile_env_secret", dockerfile::env_secret::check),
    ("dockerfile_instruction_match", dockerfile::instruction_match::check),
    ("dockerfile_repeated_instruction", dockerfile::repeated_instruction::check),
    ("dockerfile_run_command", dockerfile::run_command::check),
    ("dockerfile_secret_build_arg", dockerfile::secret_build_arg::check),
    ("gcp_firewall_public_ingress", cloud::gcp_firewall_public_ingress::check),
    ("gcp_subnet_network_flow_logs", cloud::gcp_subnet_network_flow_logs::check),
    ("gha_expression_match", gha::expression_match::check),
    ("gha_literal_secret", gha::literal_secret::check),
    ("gha_pinned_version_conflict", gha::version_comment::check),
    ("gha_script_injection", gha::script_injection::check),
    ("gha_tainted_env", gha::tainted_env::check),
    ("gha_uses_own_repository", gha::own_workflow::check),
    ("gha_workflow_level_writes", gha::workflow_level_writes::check),
    ("k8s_annotation_match", kubernetes::annotation_match::check),
    ("k8s_image_tagged_at_deploy", kubernetes::image_tagged_at_deploy::check),
    ("k8s_secret_credential", secrets::k8s_secret_data::check),
    ("k8s_workload_selected_by_network_policy", kubernetes::network_policy::check),
    ("terraform_provider_at_least", cloud::provider_at_least::check),
    ("text_credential_url", text::credential_url::check),
    ("text_secret_assignment", text::secret_assignment::check),
    ("text_secret_pattern", text::secret_pattern::check),
];

/// The native check called `name`.
pub fn lookup(name: &str) -> Option<NativeFn> {
    NATIVES.iter().find(|(n, _)| *n == name).map(|(_, f)| *f)
}

/// Problems in a native check's `args`, found when the pack is loaded (for the checks
/// whose args are code: regexes).
pub fn validate(name: &str, args: Option<&crate::parse::node::Node>) -> Vec<String> {
    match name {
        "text_secret_pattern" => text::secret_pattern::validate(args),
        "credential_file_name" => secrets::credential_file::validate(args),
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

/// What the cross-file lookups read of an object of a kind [`has_lookup_stand_in`]
/// accepts (the pins of a job), None when they would find nothing in it: such objects are
/// not kept whole, and their own cross-file checks run on them modelled again.
pub fn lookup_stand_in(r: &crate::model::Resource) -> Option<crate::model::Resource> {
    gha::version_comment::pin_stand_in(r)
}

/// Whether [`lookup_stand_in`] stands in for objects of this kind.
pub fn has_lookup_stand_in(kind: &str) -> bool {
    gha::version_comment::PIN_KINDS.contains(&kind)
}

/// Names of all native checks, for error messages.
pub fn names() -> Vec<&'static str> {
    let mut v: Vec<&str> = NATIVES.iter().map(|(n, _)| *n).collect();
    v.sort_unstable();
    v
}

#[cfg(test)]
mod cross_guard;
