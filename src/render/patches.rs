//! Patch files: partial objects that only mean something applied to a base. A
//! strategic-merge patch of a Deployment looks like a Deployment missing every setting
//! its base has, so checking it on its own reports settings that are really there. The
//! files named as patches by a kustomization (`patches`, `patchesStrategicMerge`,
//! `patchesJson6902`) and kubeadm patch files (`kube-apiserver+strategic.yaml` and
//! friends) are kept out of the Kubernetes model; they are still scanned as text.

use std::collections::BTreeSet;

use crate::discover::FileKind;
use crate::parse::node::{Node, Value};
use crate::source::{FileId, SourceMap, SourceText};

/// The names kustomize looks for in a directory.
pub(crate) const KUSTOMIZATION_NAMES: &[&str] =
    &["kustomization.yaml", "kustomization.yml", "Kustomization"];

/// Components kubeadm applies patches to (`--patches` directory file names).
const KUBEADM_TARGETS: &[&str] = &[
    "etcd",
    "kube-apiserver",
    "kube-controller-manager",
    "kube-scheduler",
    "kubeletconfiguration",
    "corednsdeployment",
];

/// Display paths of the scanned files that are patches (kustomization files are read
/// here; no other file is).
pub(crate) fn patch_files(
    sources: &SourceMap,
    all: &[(FileId, Option<FileKind>)],
) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut kustomizations = Vec::new();
    for &(id, kind) in all {
        let Some(name) = sources.display_path(id) else {
            continue;
        };
        if is_kubeadm_patch(name) {
            out.insert(name.to_owned());
        }
        if is_kustomization(name) && kind.is_some() {
            kustomizations.extend(sources.get(id));
        }
    }
    for src in kustomizations {
        let dir = parent(&src.display_path);
        for rel in patch_paths(&src) {
            if let Some(path) = join(dir, &rel)
                && sources.find(&path).is_some()
            {
                out.insert(path);
            }
        }
    }
    out
}

/// Whether a display path names a kustomization file.
pub(crate) fn is_kustomization(display_path: &str) -> bool {
    let name = display_path.rsplit('/').next().unwrap_or(display_path);
    KUSTOMIZATION_NAMES.contains(&name)
}

/// The relative paths a kustomization names as patches (inline patches have no file).
pub(crate) fn patch_paths(src: &SourceText) -> Vec<String> {
    let Ok(docs) = crate::parse::yaml::parse_yaml(src) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for doc in &docs {
        for key in ["patches", "patchesJson6902", "patchesStrategicMerge"] {
            for item in doc.get(key).map(Node::items).unwrap_or_default() {
                let path = match &item.value {
                    // `patchesStrategicMerge` entries are paths or inline YAML.
                    Value::String(s) if !s.contains('\n') => Some(s.as_str()),
                    Value::Map(_) => item.get("path").and_then(Node::as_str),
                    _ => None,
                };
                out.extend(path.map(|p| p.trim().to_owned()));
            }
        }
    }
    out
}

/// `kube-apiserver+strategic.yaml`, `etcd0+json.json`, or a kubeadm target name in a
/// directory called `patches` (kubeadm's `--patches` layout: `target[suffix][+type].ext`).
fn is_kubeadm_patch(display_path: &str) -> bool {
    let (dir, name) = display_path.rsplit_once('/').unwrap_or(("", display_path));
    let lower = name.to_ascii_lowercase();
    let Some(stem) = [".yaml", ".yml", ".json"]
        .iter()
        .find_map(|ext| lower.strip_suffix(ext))
    else {
        return false;
    };
    let (target, patch_type) = stem.split_once('+').unwrap_or((stem, ""));
    let known_type = ["strategic", "merge", "json"].contains(&patch_type);
    let in_patches_dir = dir.rsplit('/').next() == Some("patches");
    KUBEADM_TARGETS.iter().any(|t| target.starts_with(t))
        && (known_type || (patch_type.is_empty() && in_patches_dir))
}

fn parent(display_path: &str) -> &str {
    display_path.rsplit_once('/').map_or("", |(d, _)| d)
}

/// `dir/rel` normalised lexically (`.` and `..` resolved), `/`-separated; `None` for a
/// URL or a path that climbs above the start of `dir`.
pub(crate) fn join(dir: &str, rel: &str) -> Option<String> {
    if rel.contains("://") || rel.is_empty() {
        return None;
    }
    let start = if rel.starts_with('/') || dir.is_empty() || dir == "." {
        rel.to_owned()
    } else {
        format!("{dir}/{rel}")
    };
    let absolute = start.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in start.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    let joined = parts.join("/");
    Some(if absolute {
        format!("/{joined}")
    } else {
        joined
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn src(id: u32, path: &str, text: &str) -> Arc<SourceText> {
        let s = SourceText::new(FileId(id), path, path.into(), Arc::from(text));
        Arc::new(s)
    }

    #[test]
    fn kustomization_patches_are_found_relative_to_it() {
        let all = vec![
            src(
                1,
                "k/overlays/prod/kustomization.yaml",
                "resources: [../../base]\n\
                 patchesStrategicMerge:\n- replicas.yaml\n- |-\n  kind: Deployment\n  x: 1\n\
                 patchesJson6902:\n- path: ../common/json.yaml\n  target: {kind: Deployment}\n\
                 patches:\n- path: privileged.yaml\n- patch: |-\n    - op: remove\n",
            ),
            src(2, "k/overlays/prod/replicas.yaml", "kind: Deployment"),
            src(3, "k/overlays/common/json.yaml", "- op: add"),
            src(4, "k/overlays/prod/privileged.yaml", "kind: Deployment"),
            src(5, "k/base/deployment.yaml", "kind: Deployment"),
        ];
        let kinds: Vec<_> = all.iter().map(|s| (s.id, Some(FileKind::Yaml))).collect();
        let got = patch_files(&SourceMap::new(all), &kinds);
        let want: BTreeSet<String> = [
            "k/overlays/prod/privileged.yaml",
            "k/overlays/prod/replicas.yaml",
            "k/overlays/common/json.yaml",
        ]
        .map(String::from)
        .into();
        assert_eq!(got, want);
    }

    #[test]
    fn kubeadm_patch_names() {
        assert!(is_kubeadm_patch("cp/kube-apiserver+strategic.yaml"));
        assert!(is_kubeadm_patch("etcd0+json.json"));
        assert!(is_kubeadm_patch("node/patches/kube-scheduler.yaml"));
        // A static pod manifest is a complete object.
        assert!(!is_kubeadm_patch("manifests/kube-apiserver.yaml"));
        assert!(!is_kubeadm_patch("patches/deployment.yaml"));
        assert!(!is_kubeadm_patch("kube-apiserver+other.yaml"));
    }

    #[test]
    fn joins_lexically() {
        assert_eq!(join("a/b", "../c.yaml").as_deref(), Some("a/c.yaml"));
        assert_eq!(join("", "./c.yaml").as_deref(), Some("c.yaml"));
        assert_eq!(join("/r/a", "../c.yaml").as_deref(), Some("/r/c.yaml"));
        assert_eq!(join("a", "../../c.yaml"), None);
        assert_eq!(join("a", "https://x/y.yaml"), None);
    }
}
