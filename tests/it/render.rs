//! What the cluster receives: patch files named by a kustomization are not checked as
//! complete objects; overlays and charts are rendered by the real tools when installed.

use std::path::Path;

use crate::support::{json, repo_root, run_in, temp_repo};

/// `(rule id, file)` of every finding of a JSON report.
fn findings(v: &serde_json::Value) -> Vec<(String, String)> {
    v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["rule_id"].as_str().unwrap_or_default().to_owned(),
                f["file"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

/// The fixture overlay's files, copied so a test can drop some of them.
fn overlay_files(skip: &[&str]) -> Vec<(String, String)> {
    let root = repo_root().join("fixtures/kustomize");
    let mut out = Vec::new();
    for rel in [
        "base/kustomization.yaml",
        "base/deployment.yaml",
        "overlays/staging/kustomization.yaml",
        "overlays/staging/replicas.yaml",
        "overlays/prod/kustomization.yaml",
        "overlays/prod/debug.yaml",
    ] {
        if !skip.contains(&rel) {
            let text = std::fs::read_to_string(root.join(rel)).expect("fixture");
            out.push((rel.to_owned(), text));
        }
    }
    out
}

fn check_json(dir: &Path, extra: &[&str]) -> serde_json::Value {
    let mut args = vec!["check", ".", "--format", "json"];
    args.extend(extra);
    json(&run_in(dir, &args))
}

#[test]
fn kustomize_patches_are_not_checked_as_objects() {
    // Without the kustomization naming it, the privileged patch looks like a Deployment
    // missing every setting (the false positives users saw).
    let loose = overlay_files(&[
        "overlays/staging/kustomization.yaml",
        "overlays/prod/kustomization.yaml",
    ]);
    let files: Vec<(&str, &str)> = loose.iter().map(|(p, t)| (&**p, &**t)).collect();
    let repo = temp_repo(&files);
    let got = findings(&check_json(repo.path(), &["--no-render"]));
    assert!(
        got.iter().any(|(_, f)| f == "overlays/prod/debug.yaml"),
        "{got:?}"
    );

    let all = overlay_files(&[]);
    let files: Vec<(&str, &str)> = all.iter().map(|(p, t)| (&**p, &**t)).collect();
    let repo = temp_repo(&files);
    let got = findings(&check_json(repo.path(), &["--no-render"]));
    assert!(got.is_empty(), "patches reported as objects: {got:?}");
}

#[test]
fn kubeadm_patch_files_are_not_objects() {
    let patch = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: kube-apiserver\n  namespace: kube-system\nspec:\n  containers:\n  - name: kube-apiserver\n    resources:\n      requests:\n        cpu: 300m\n";
    let repo = temp_repo(&[
        ("kubeadm/patches/kube-apiserver+strategic.yaml", patch),
        ("loose/pod.yaml", patch),
    ]);
    let got = findings(&check_json(repo.path(), &["--no-render"]));
    assert!(got.iter().any(|(_, f)| f == "loose/pod.yaml"), "{got:?}");
    assert!(
        got.iter().all(|(_, f)| !f.starts_with("kubeadm/")),
        "{got:?}"
    );
}
