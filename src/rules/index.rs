//! Lookups a check needs beyond its own resource: the other resources of the same
//! Terraform root (companion resources), every Kubernetes object, and source lines.

use std::collections::{HashMap, HashSet};

use crate::model::Resource;
use crate::source::{SourceMap, Span};

pub struct ResourceIndex<'a> {
    resources: &'a [Resource],
    /// Kubernetes objects of one kind by `metadata.namespace` (None: not written),
    /// built on first use: cross-object checks look within a namespace.
    by_root_kind: HashMap<&'a str, HashMap<&'a str, Vec<usize>>>,
    /// Image names whose tag a deploy tool sets, per root; built on first use (every
    /// container asks, so scanning the deploy configs each time would be quadratic).
    tagged_at_deploy: std::sync::OnceLock<HashMap<String, HashSet<String>>>,
    /// Per-check indexes built on first use (see [`ResourceIndex::memo`]).
    memo: std::sync::Mutex<Memo>,
    sources: &'a SourceMap,
}

/// Built indexes by name.
type Memo = HashMap<&'static str, std::sync::Arc<dyn std::any::Any + Send + Sync>>;

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
            tagged_at_deploy: std::sync::OnceLock::new(),
            memo: std::sync::Mutex::new(HashMap::new()),
            sources,
        }
    }

    /// An index a cross-resource check builds once per batch (`build` sees every
    /// resource) instead of scanning the other resources for each of its own: what keeps
    /// a relation linear in the number of resources. `key` names it; one type per key.
    pub(crate) fn memo<T: std::any::Any + Send + Sync>(
        &self,
        key: &'static str,
        build: impl FnOnce(&'a [Resource]) -> T,
    ) -> std::sync::Arc<T> {
        let mut memo = self
            .memo
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(built) = memo.get(key)
            && let Ok(t) = std::sync::Arc::clone(built).downcast::<T>()
        {
            return t;
        }
        let t = std::sync::Arc::new(build(self.resources));
        let any: std::sync::Arc<dyn std::any::Any + Send + Sync> = t.clone();
        memo.insert(key, any);
        t
    }

    /// The resource at position `i` of the batch (positions as [`ResourceIndex::memo`]
    /// builders see them).
    pub(crate) fn resource(&self, i: usize) -> Option<&'a Resource> {
        self.resources.get(i)
    }

    /// The root (Terraform root directory, or group) `r` relates within.
    pub(crate) fn root_key(r: &Resource) -> &str {
        root_of(&r.group)
    }

    /// Positions (ascending) of the resources of `kind` that `me` can relate to.
    pub(crate) fn same_root_ids(&self, me: &Resource, kind: &str) -> &[usize] {
        self.by_root_kind
            .get(root_of(&me.group))
            .and_then(|kinds| kinds.get(kind))
            .map_or(&[][..], Vec::as_slice)
    }

    /// Resources of `kind` that `me` can relate to.
    pub fn same_root<'s>(
        &'s self,
        me: &Resource,
        kind: &str,
    ) -> impl Iterator<Item = &'a Resource> + use<'a, 's> {
        let ids = self.same_root_ids(me, kind);
        let resources = self.resources;
        ids.iter().map(move |&i| &resources[i])
    }

    /// Every resource of `kind` in the scan, across files and roots (for checks that
    /// compare what separate files claim, such as the version comments of pinned actions).
    pub fn of_kind<'s>(
        &'s self,
        kind: &'s str,
    ) -> impl Iterator<Item = &'a Resource> + use<'a, 's> {
        self.resources.iter().filter(move |r| r.kind == kind)
    }

    /// Whether a deploy tool in `me`'s root sets the tag of the image called `name`: a
    /// Kustomization (`images: [{name, newTag | digest}]`) or a Skaffold config, which
    /// builds its `build.artifacts[*].image` (also under `profiles`) and tags them.
    pub fn image_tagged_at_deploy(&self, me: &Resource, name: &str) -> bool {
        let map = self.tagged_at_deploy.get_or_init(|| {
            let mut map: HashMap<String, HashSet<String>> = HashMap::new();
            for r in self.resources {
                let names = deploy_tool_images(r);
                if !names.is_empty() {
                    map.entry(root_of(&r.group).to_owned())
                        .or_default()
                        .extend(names.into_iter().map(str::to_owned));
                }
            }
            map
        });
        map.get(root_of(&me.group))
            .is_some_and(|names| names.contains(name))
    }

    /// Where a scanned file is on disk.
    pub fn file_path(&self, file: crate::source::FileId) -> Option<&'a std::path::Path> {
        self.sources.path(file)
    }

    /// The whole text of a scanned file.
    pub fn file_text(&self, file: crate::source::FileId) -> Option<std::sync::Arc<str>> {
        self.sources.get(file).map(|src| src.text.clone())
    }

    /// Whether a scanned file is binary, kept for its name only (a key store).
    pub fn file_is_binary(&self, file: crate::source::FileId) -> bool {
        self.sources.get(file).is_some_and(|src| src.binary)
    }

    /// The first line of a span (to point at a block or list item header).
    pub fn first_line(&self, span: Span) -> Span {
        match self.sources.get(span.file) {
            Some(src) => src.first_line(span),
            None => span,
        }
    }
}

/// The images whose tags a Kustomization or Skaffold config decides.
fn deploy_tool_images(r: &Resource) -> Vec<&str> {
    use crate::parse::node::Node;
    let api = r
        .body
        .get("apiVersion")
        .and_then(Node::as_str)
        .unwrap_or("");
    if r.kind == "Kustomization" {
        r.body
            .get("images")
            .map_or(&[][..], Node::items)
            .iter()
            // `newTag: latest` decides the tag too, but to a floating one: it must not make
            // the image count as pinned at deploy time.
            .filter(|entry| {
                let tag = entry.get("newTag").filter(|t| !t.is_null());
                entry.get("digest").is_some_and(|d| !d.is_null())
                    || tag.is_some_and(|t| t.as_str() != Some("latest"))
            })
            .filter_map(|entry| entry.get("name")?.as_str())
            .collect()
    } else if api.starts_with("skaffold/") {
        let builds = std::iter::once(r.body.get("build")).chain(
            r.body
                .get("profiles")
                .map_or(&[][..], Node::items)
                .iter()
                .map(|p| p.get("build")),
        );
        builds
            .flatten()
            .flat_map(|b| b.get("artifacts").map_or(&[][..], Node::items))
            .filter_map(|a| a.get("image")?.as_str())
            .collect()
    } else {
        Vec::new()
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
