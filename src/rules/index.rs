//! Lookups a check needs beyond its own resource: the other resources of the same
//! Terraform root (companion resources), every Kubernetes object, and source lines.

use std::collections::HashMap;

use crate::model::Resource;
use crate::source::{SourceMap, Span};

pub struct ResourceIndex<'a> {
    resources: &'a [Resource],
    by_root_kind: HashMap<&'a str, HashMap<&'a str, Vec<usize>>>,
    sources: &'a SourceMap,
}

/// Resources relate within a root: a Terraform root directory with all its module
/// instances (`tf:<dir>:…`), or the group itself for everything else.
fn root_of(group: &str) -> &str {
    if let Some(rest) = group.strip_prefix("tf:")
        && let Some(i) = rest.find(':')
    {
        return &group[..3 + i];
    }
    group
}

impl<'a> ResourceIndex<'a> {
    pub fn new(resources: &'a [Resource], sources: &'a SourceMap) -> Self {
        let mut by_root_kind: HashMap<&str, HashMap<&str, Vec<usize>>> = HashMap::new();
        for (i, r) in resources.iter().enumerate() {
            by_root_kind
                .entry(root_of(&r.group))
                .or_default()
                .entry(r.kind.as_str())
                .or_default()
                .push(i);
        }
        ResourceIndex {
            resources,
            by_root_kind,
            sources,
        }
    }

    /// Resources of `kind` that `me` can relate to.
    pub fn same_root<'s>(
        &'s self,
        me: &Resource,
        kind: &str,
    ) -> impl Iterator<Item = &'a Resource> + use<'a, 's> {
        let ids = self
            .by_root_kind
            .get(root_of(&me.group))
            .and_then(|kinds| kinds.get(kind))
            .map_or(&[][..], Vec::as_slice);
        let resources = self.resources;
        ids.iter().map(move |&i| &resources[i])
    }

    /// Every resource of `kind` in the scan.
    pub fn all_of_kind(&self, kind: &'a str) -> impl Iterator<Item = &'a Resource> + use<'a> {
        self.resources.iter().filter(move |r| r.kind == kind)
    }

    /// The first line of a span (to point at a block or list item header).
    pub fn first_line(&self, span: Span) -> Span {
        match self.sources.get(span.file) {
            Some(src) => src.first_line(span),
            None => span,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::root_of;

    #[test]
    fn terraform_groups_share_their_root() {
        assert_eq!(root_of("tf:infra:module.a"), "tf:infra");
        assert_eq!(root_of("tf:infra:"), "tf:infra");
        assert_eq!(root_of("k8s"), "k8s");
    }
}
