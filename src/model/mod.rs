//! Turns parsed documents into `Resource`s: the unit a rule is evaluated against.
//! Terraform blocks, Kubernetes objects, a Dockerfile, compose services, workflows and
//! jobs, and plain text files (for secrets) all become the same shape.

pub mod compose;
pub mod docker;
pub mod kubernetes;
pub mod terraform;
pub mod text;
pub mod workflow;

use crate::parse::node::Node;
use crate::source::Span;

/// Which family of files a resource came from; rules name kinds, families group them
/// for `isolint rules` and the evidence report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Family {
    Terraform,
    Kubernetes,
    Dockerfile,
    Compose,
    Workflow,
    Text,
}

impl Family {
    pub fn as_str(self) -> &'static str {
        match self {
            Family::Terraform => "terraform",
            Family::Kubernetes => "kubernetes",
            Family::Dockerfile => "dockerfile",
            Family::Compose => "docker-compose",
            Family::Workflow => "github-actions",
            Family::Text => "secrets",
        }
    }
}

/// One thing a rule can be checked against.
#[derive(Clone, Debug)]
pub struct Resource {
    /// `aws_s3_bucket`, `Deployment`, `dockerfile`, `compose_service`, `gha_workflow`,
    /// `gha_job`, `text_file`.
    pub kind: String,
    pub family: Family,
    /// Stable, human-readable address: `aws_s3_bucket.logs`,
    /// `module.vpc.aws_vpc.this`, `apps/v1/Deployment/prod/web`, `services.web`.
    pub address: String,
    /// The whole resource.
    pub span: Span,
    /// What a finding points at when something is missing: the block header line,
    /// the `kind:` line of a manifest, the job key.
    pub header: Span,
    pub body: Node,
    /// Resources with the same group can see each other through `related` checks
    /// (a Terraform module instance, all Kubernetes objects of a scan, one workflow).
    pub group: std::sync::Arc<str>,
}
