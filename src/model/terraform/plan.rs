//! Terraform plan JSON (`terraform show -json`): planned resources as `Resource`s.

use std::sync::Arc;

use crate::model::Resource;
use crate::parse::node::Node;
use crate::source::SourceText;

/// Whether a JSON document is a Terraform plan.
pub fn is_plan_json(doc: &Node) -> bool {
    doc.get("format_version").is_some()
        && (doc.get("planned_values").is_some() || doc.get("resource_changes").is_some())
}

/// The planned resources of a plan document.
pub fn plan_resources(
    _plan_src: &SourceText,
    _doc: &Node,
    _config_files: &[Arc<SourceText>],
) -> Vec<Resource> {
    Vec::new()
}
