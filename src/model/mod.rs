//! Turns parsed documents into `Resource`s: the unit a rule is evaluated against.
//! Terraform blocks, Kubernetes objects, a Dockerfile, compose services, workflows and
//! jobs, and plain text files (for secrets) all become the same shape.

pub mod compose;
pub mod docker;
pub mod kubernetes;
pub mod terraform;
pub mod text;
pub mod workflow;

use std::sync::Arc;

use crate::discover::sniff::{self, Content};
use crate::error::{FileError, Notice};
use crate::parse::Parsed;
use crate::parse::node::Node;
use crate::source::{SourceText, Span};

/// What modelling one file produced.
#[derive(Debug, Default)]
pub struct Modelled {
    pub resources: Vec<Resource>,
    pub errors: Vec<FileError>,
    pub notices: Vec<Notice>,
    /// Keys written twice in one mapping (the last one was used): reported as findings.
    pub duplicate_keys: Vec<crate::parse::yaml::DuplicateKey>,
}

/// The resources of one non-Terraform file: those its parsed content holds, plus the
/// file as text (for secrets) even when it did not parse. `tf_files` are the scan's
/// Terraform sources, which a plan's resources are mapped back to.
pub fn build(
    src: &SourceText,
    parsed: Result<Parsed, FileError>,
    tf_files: &[Arc<SourceText>],
) -> Modelled {
    let mut out = Modelled::default();
    match parsed {
        Ok(Parsed::Documents(docs)) => out.resources = documents(src, docs, tf_files),
        Ok(Parsed::Dockerfile(doc)) => out.resources = docker::dockerfile_resources(src, doc),
        Ok(Parsed::HelmTemplate) => out.notices.push(Notice {
            file: src.display_path.to_string(),
            span: None,
            message: "Helm template skipped (render it with `helm template` and scan the output)"
                .into(),
        }),
        Ok(Parsed::Text) => {}
        Err(e) => out.errors.push(e),
    }
    out.resources.push(text::text_resource(src));
    out
}

/// YAML/JSON documents as the resources of what they are.
fn documents(src: &SourceText, docs: Vec<Node>, tf_files: &[Arc<SourceText>]) -> Vec<Resource> {
    match sniff::content(src, &docs) {
        // `terraform show -json` output: fully resolved resources, mapped back to the .tf
        // blocks they came from where the plan says which.
        Content::Plan => terraform::plan_resources(src, &docs[0], tf_files),
        Content::Workflow => docs
            .into_iter()
            .flat_map(|d| workflow::workflow_resources(src, d))
            .collect(),
        Content::Action => docs
            .into_iter()
            .flat_map(|d| workflow::action_resources(src, d))
            .collect(),
        Content::Compose => docs
            .into_iter()
            .flat_map(|d| compose::compose_resources(src, d))
            .collect(),
        Content::Kubernetes => kubernetes::kubernetes_resources(src, docs),
        Content::Plain => Vec::new(),
    }
}

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
