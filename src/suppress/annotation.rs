//! Suppressions carried by a Kubernetes object's annotation, which survive tools that
//! drop YAML comments. Decided while the object is evaluated (the object is gone later).

use crate::finding::{Suppression, SuppressionKind};
use crate::model::Resource;

/// Kubernetes objects can carry their suppressions as an annotation, which survives
/// tools that drop YAML comments: `isolint.dev/ignore: "K8S-POD-001,K8S-POD-002 -- reason"`.
pub(crate) fn suppression(resource: &Resource, rule_id: &str) -> Option<Suppression> {
    let value = resource
        .body
        .get("metadata")?
        .get("annotations")?
        .get(ANNOTATION)?
        .as_str()?;
    let (ids, reason) = value.split_once("--")?;
    let reason = reason.trim();
    let covers = ids
        .split(|c: char| c == ',' || c.is_whitespace())
        .any(|id| id.eq_ignore_ascii_case(rule_id) || id == "*");
    (covers && !reason.is_empty()).then(|| Suppression {
        kind: SuppressionKind::Annotation,
        reason: reason.to_owned(),
    })
}

/// The Kubernetes annotation that suppresses findings on its object.
pub(crate) const ANNOTATION: &str = "isolint.dev/ignore";
