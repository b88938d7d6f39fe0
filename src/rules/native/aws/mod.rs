//! Native checks on AWS Terraform resources, one per file.

pub(super) mod account_setting;
mod credentials;
pub(super) mod ecs_env_secrets;
pub(super) mod iam_admin_policy;
pub(super) mod iam_privilege_escalation;
pub(super) mod lambda_env_secrets;
pub(super) mod provider;
pub(super) mod s3_log_target;
pub(super) mod s3_public_policy;
pub(super) mod sg_public_ingress;
pub(super) mod user_data_secrets;
