//! Kustomize overlays: each kustomization that no other one includes is built with
//! `kustomize build` (or `kubectl kustomize`), offline. Each built object is traced to
//! the file that defined it (same kind, name contained in the built name) and to the
//! patches of the overlay chain that name it, so a finding points at the line that set
//! the field: the patch that introduced it, or the base.

use std::collections::{BTreeSet, HashMap};
use std::ops::Range;
use std::sync::Arc;

use super::locate::{self, Candidate};
use super::patches::{is_kustomization, join, patch_paths};
use super::{RenderedDoc, dir_of};
use crate::parse::node::Node;
use crate::source::SourceText;

/// One kustomization and what it names.
#[derive(Debug)]
pub(super) struct Kustomization {
    pub dir: String,
    pub src: Arc<SourceText>,
    /// Included kustomization directories.
    pub children: Vec<String>,
    /// Resource files (complete objects).
    pub files: Vec<String>,
    pub patches: Vec<String>,
    /// A resource fetched from elsewhere (git, http): never built, isolint stays offline.
    pub remote: Option<String>,
    /// `kind: Component`: only meaningful inside the overlay that includes it.
    pub component: bool,
}

/// Every kustomization among the scanned files.
pub(super) fn kustomizations(
    files: &[Arc<SourceText>],
    known: &BTreeSet<&str>,
) -> HashMap<String, Kustomization> {
    let kust_dirs: BTreeSet<&str> = files
        .iter()
        .filter(|s| is_kustomization(&s.display_path))
        .map(|s| dir_of(&s.display_path))
        .collect();
    let mut out = HashMap::new();
    for src in files.iter().filter(|s| is_kustomization(&s.display_path)) {
        let dir = dir_of(&src.display_path).to_owned();
        let mut k = Kustomization {
            dir: dir.clone(),
            src: src.clone(),
            children: Vec::new(),
            files: Vec::new(),
            patches: Vec::new(),
            remote: None,
            component: false,
        };
        let docs = crate::parse::yaml::parse_yaml(src).unwrap_or_default();
        for doc in &docs {
            // `helmCharts` pulls charts from their repositories (`--enable-helm`).
            k.component |= doc.get("kind").and_then(Node::as_str) == Some("Component");
            if doc.get("helmCharts").is_some() {
                k.remote = Some("helmCharts".into());
            }
            for key in ["resources", "bases", "components"] {
                for entry in doc.get(key).map(Node::items).unwrap_or_default() {
                    let Some(entry) = entry.as_str().map(str::trim) else {
                        continue;
                    };
                    match join(&dir, entry) {
                        Some(p) if kust_dirs.contains(p.as_str()) => k.children.push(p),
                        Some(p) if known.contains(p.as_str()) => k.files.push(p),
                        _ if is_remote(entry) => k.remote = Some(entry.to_owned()),
                        _ => {}
                    }
                }
            }
        }
        k.patches = patch_paths(src)
            .iter()
            .filter_map(|p| join(&dir, p))
            .filter(|p| known.contains(p.as_str()))
            .collect();
        out.insert(dir, k);
    }
    out
}

/// `github.com/org/repo//path?ref=v1`, `https://…`, `git@…`.
fn is_remote(entry: &str) -> bool {
    let first = entry.split('/').next().unwrap_or_default();
    entry.contains("://")
        || entry.starts_with("git@")
        || entry.contains("?ref=")
        || (first.contains('.') && first != "." && first != ".." && entry.contains('/'))
}

/// Kustomizations no other one includes (components excepted: they cannot be built
/// alone), sorted.
pub(super) fn top_level(all: &HashMap<String, Kustomization>) -> Vec<&Kustomization> {
    let included: BTreeSet<&str> = all
        .values()
        .flat_map(|k| k.children.iter().map(String::as_str))
        .collect();
    let mut out: Vec<_> = all
        .values()
        .filter(|k| !k.component && !included.contains(k.dir.as_str()))
        .collect();
    out.sort_by(|a, b| a.dir.cmp(&b.dir));
    out
}

/// The kustomizations `top` builds from, outermost first (each once, cycles cut).
pub(super) fn chain<'k>(
    top: &'k Kustomization,
    all: &'k HashMap<String, Kustomization>,
) -> Vec<&'k Kustomization> {
    let mut out: Vec<&Kustomization> = Vec::new();
    let mut stack = vec![top];
    while let Some(k) = stack.pop() {
        if out.iter().any(|o| o.dir == k.dir) {
            continue;
        }
        out.push(k);
        stack.extend(k.children.iter().rev().filter_map(|c| all.get(c)));
    }
    out
}

/// `kind` and `metadata.name` of the object in `text[range]`, read from its lines.
fn identity(text: &str, range: Range<usize>) -> Option<(String, String)> {
    let body = text.get(range)?;
    let mut kind = None;
    let mut name = None;
    let mut in_metadata = false;
    // The indentation of `metadata`'s own keys (its first indented line).
    let mut indent = None;
    for line in body.lines() {
        if let Some(k) = line.strip_prefix("kind:") {
            kind = Some(k.trim().trim_matches(['"', '\'']).to_owned());
        }
        if !line.starts_with([' ', '\t']) {
            in_metadata = line.trim_end() == "metadata:";
            continue;
        }
        let depth = line.len() - line.trim_start().len();
        if !in_metadata || name.is_some() || line.trim().is_empty() {
            continue;
        }
        if *indent.get_or_insert(depth) == depth
            && let Some(n) = line.trim().strip_prefix("name:")
        {
            name = Some(n.trim().trim_matches(['"', '\'']).to_owned());
        }
    }
    Some((kind?, name?))
}

/// Every object document of the chain's files: (patch?, file, range, kind, name).
type Objects = Vec<(bool, Arc<SourceText>, Range<usize>, String, String)>;

pub(super) fn objects(chain: &[&Kustomization], by_path: &super::ByPath<'_>) -> Objects {
    let mut out = Vec::new();
    let mut add = |patch: bool, path: &str| {
        let Some(src) = by_path(path) else {
            return;
        };
        for range in locate::documents(&src.text) {
            if let Some((kind, name)) = identity(&src.text, range.clone()) {
                out.push((patch, src.clone(), range, kind, name));
            }
        }
    };
    for k in chain {
        k.patches.iter().for_each(|p| add(true, p));
    }
    for k in chain {
        k.files.iter().for_each(|p| add(false, p));
    }
    out
}

/// Each built document with the files that may have produced it.
pub(super) fn documents(rendered: &str, objects: &Objects) -> Vec<RenderedDoc> {
    locate::documents(rendered)
        .into_iter()
        .map(|range| {
            let id = identity(rendered, range.clone());
            let candidates: Vec<Candidate> = objects
                .iter()
                .filter(|(_, _, _, kind, name)| {
                    id.as_ref()
                        .is_some_and(|(k, n)| k == kind && n.contains(name.as_str()))
                })
                .map(|(patch, src, range, _, _)| Candidate {
                    src: src.clone(),
                    range: range.clone(),
                    patch: *patch,
                })
                .collect();
            let fallback = candidates
                .iter()
                .find(|c| !c.patch)
                .map(|c| (c.src.clone(), locate::object_start(&c.src, c.range.clone())));
            RenderedDoc {
                range,
                candidates,
                fallback,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_reads_kind_and_name() {
        let t = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  labels:\n    name: nope\n  name: web\nspec:\n  template:\n    metadata:\n      name: inner\n";
        assert_eq!(
            identity(t, 0..t.len()),
            Some(("Deployment".into(), "web".into()))
        );
    }

    #[test]
    fn remote_resources() {
        assert!(is_remote("github.com/org/repo//deploy?ref=v1"));
        assert!(is_remote("https://example.com/x.yaml"));
        assert!(!is_remote("../base"));
        assert!(!is_remote("deployment.yaml"));
    }
}
