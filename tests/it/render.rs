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
    let root = repo_root().join("tests/it/data/render/kustomize");
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

/// Runs isolint in `dir` with `path` as its whole PATH (which tools it can find).
fn run_with_path(dir: &Path, args: &[&str], path: &std::ffi::OsStr) -> std::process::Output {
    std::process::Command::new(crate::support::bin())
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("CLICOLOR_FORCE")
        .env("PATH", path)
        .output()
        .expect("isolint runs")
}

/// The directory holding `tool` on PATH, or `None` after saying visibly that the test
/// is skipped. `ISOLINT_TEST_REQUIRE=kubectl,helm` (set by CI) turns a missing tool
/// into a failure instead.
fn tool_dir(tool: &str) -> Option<std::path::PathBuf> {
    let found = std::env::var_os("PATH")
        .and_then(|p| std::env::split_paths(&p).find(|d| d.join(tool).is_file()));
    let required = std::env::var("ISOLINT_TEST_REQUIRE")
        .unwrap_or_default()
        .split(',')
        .any(|t| t.trim() == tool);
    match found {
        Some(d) => Some(d),
        None if required => panic!("{tool} is not on PATH and ISOLINT_TEST_REQUIRE needs it"),
        None => {
            // Written to stderr directly: libtest captures `eprintln!` of passing tests.
            let _ = std::io::Write::write_all(
                &mut std::io::stderr(),
                format!("SKIPPED: `{tool}` is not on PATH; this test needs the real tool\n")
                    .as_bytes(),
            );
            None
        }
    }
}

/// `(rule id, file, line, message)` of every finding.
fn located(v: &serde_json::Value) -> Vec<(String, String, u64, String)> {
    v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["rule_id"].as_str().unwrap_or_default().to_owned(),
                f["file"].as_str().unwrap_or_default().to_owned(),
                f["line"].as_u64().unwrap_or_default(),
                f["message"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

#[test]
fn kustomize_overlay_is_built_and_findings_point_at_the_patch() {
    let Some(dir) = tool_dir("kubectl").or_else(|| tool_dir("kustomize")) else {
        return;
    };
    let root = repo_root().join("tests/it/data/render/kustomize");
    let out = run_with_path(&root, &["check", ".", "--format", "json"], dir.as_os_str());
    let v = json(&out);
    assert_eq!(v["errors"], serde_json::json!([]), "{v}");
    let got = located(&v);
    // The privileged container exists only in the prod overlay's build; the finding
    // points at the patch line that introduced it, once.
    assert_eq!(got.len(), 1, "{got:?}");
    let (rule, file, line, message) = &got[0];
    assert_eq!(
        (rule.as_str(), file.as_str(), *line),
        ("K8S-POD-001", "overlays/prod/debug.yaml", 12)
    );
    assert!(
        message.contains("in the build of `overlays/prod`"),
        "{message}"
    );
}

#[test]
fn kustomize_missing_tool_is_a_note_and_strict_an_error() {
    let root = repo_root().join("tests/it/data/render/kustomize");
    let empty = tempfile::tempdir().expect("temp dir");
    let out = run_with_path(
        &root,
        &["check", ".", "--verbose"],
        empty.path().as_os_str(),
    );
    let text = crate::support::stdout(&out);
    assert_eq!(
        text.matches("was not rendered").count(),
        1,
        "one note for the one top-level overlay: {text}"
    );
    assert!(
        text.contains("note: overlays/prod/kustomization.yaml: overlay `overlays/prod`"),
        "{text}"
    );
    assert!(text.contains("install `kustomize` or `kubectl`"), "{text}");
    let out = run_with_path(
        &root,
        &["check", ".", "--strict", "--format", "json"],
        empty.path().as_os_str(),
    );
    let v = json(&out);
    assert_eq!(v["errors"][0]["kind"], "render", "{v}");
    assert_eq!(
        v["errors"][0]["file"], "overlays/prod/kustomization.yaml",
        "{v}"
    );
}

#[test]
fn helm_charts_render_with_configured_values() {
    let Some(dir) = tool_dir("helm") else {
        return;
    };
    let root = repo_root().join("tests/it/data/render/helm");
    let out = run_with_path(&root, &["check", ".", "--format", "json"], dir.as_os_str());
    let v = json(&out);
    let got = located(&v);
    let at: Vec<_> = got
        .iter()
        .map(|(r, f, l, _)| (r.as_str(), f.as_str(), *l))
        .collect();
    // `privileged: {{ .Values.debug }}` is true only with values-debug.yaml (from the
    // configuration); the dependency in charts/ renders with its parent.
    assert_eq!(
        at,
        [
            (
                "K8S-POD-004",
                "web/charts/cache/templates/deployment.yaml",
                16
            ),
            ("K8S-POD-001", "web/templates/deployment.yaml", 30),
        ],
        "{got:?}"
    );
    assert!(got[1].3.contains("values-debug.yaml"), "{got:?}");
    assert!(got[1].3.contains("chart `web`"), "{got:?}");
    let errors = v["errors"].as_array().expect("errors");
    assert_eq!(errors.len(), 1, "{v}");
    assert_eq!(errors[0]["file"], "broken/Chart.yaml");
    assert_eq!(errors[0]["kind"], "render");
    assert!(
        errors[0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("broken/templates/configmap.yaml")),
        "{v}"
    );
    let out = run_with_path(&root, &["check", ".", "--verbose"], dir.as_os_str());
    let text = crate::support::stdout(&out);
    assert!(
        text.contains("chart `nodeps` not rendered: its dependencies are missing"),
        "{text}"
    );
    assert!(!text.contains("Helm template skipped"), "{text}");
}

#[test]
fn helm_missing_is_one_note_per_chart() {
    let root = repo_root().join("tests/it/data/render/helm");
    let empty = tempfile::tempdir().expect("temp dir");
    let out = run_with_path(
        &root,
        &["check", ".", "--verbose"],
        empty.path().as_os_str(),
    );
    let text = crate::support::stdout(&out);
    for chart in ["web", "broken", "nodeps"] {
        assert!(
            text.contains(&format!(
                "note: {chart}/Chart.yaml: chart `{chart}` was not rendered"
            )),
            "{text}"
        );
    }
    assert_eq!(text.matches("was not rendered").count(), 3, "{text}");
    assert!(text.contains("install `helm`"), "{text}");
    assert!(!text.contains("Helm template skipped"), "{text}");
    // `--no-render`: the templates are skipped one by one, as before rendering existed.
    let out = run_with_path(
        &root,
        &["check", ".", "--verbose", "--no-render"],
        empty.path().as_os_str(),
    );
    let text = crate::support::stdout(&out);
    assert!(!text.contains("was not rendered"), "{text}");
    assert!(
        text.contains("note: web/templates/deployment.yaml: Helm template skipped"),
        "{text}"
    );

    let repo = temp_repo(&[
        (
            "chart/Chart.yaml",
            "apiVersion: v2\nname: c\nversion: 0.1.0\n",
        ),
        (
            "chart/templates/cm.yaml",
            "kind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\n",
        ),
        (".isolint.yaml", "helm:\n  require: true\n"),
    ]);
    let v = json(&run_with_path(
        repo.path(),
        &["check", ".", "--format", "json"],
        empty.path().as_os_str(),
    ));
    assert_eq!(v["errors"][0]["kind"], "render", "{v}");
}

/// A stand-in `helm` that prints a fixed rendering and records its arguments: the
/// mapping back to templates is checked wherever the real tool is missing.
#[cfg(unix)]
#[test]
fn rendered_objects_map_back_to_their_template_lines() {
    use std::os::unix::fs::PermissionsExt;
    let template = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {{ .Release.Name }}\nspec:\n  hostPID: {{ .Values.hostPID }}\n  containers:\n    - name: app\n      image: {{ .Values.image }}\n";
    let repo = temp_repo(&[
        (
            "charts/app/Chart.yaml",
            "apiVersion: v2\nname: renamed\nversion: 0.1.0\n",
        ),
        ("charts/app/templates/pod.yaml", template),
        ("charts/app/prod.yaml", "hostPID: true\n"),
        (
            ".isolint.yaml",
            "helm:\n  charts:\n    charts/app:\n      values: [prod.yaml]\n      set: {image: \"web:1\"}\n",
        ),
    ]);
    let bin = tempfile::tempdir().expect("temp dir");
    let args_file = bin.path().join("args");
    let script = format!(
        "#!/bin/sh\necho \"$@\" > '{}'\ncat <<'YAML'\n---\n# Source: renamed/templates/pod.yaml\napiVersion: v1\nkind: Pod\nmetadata:\n  name: isolint\nspec:\n  hostPID: true\n  containers:\n    - name: app\n      image: web:1\nYAML\n",
        args_file.display()
    );
    let helm = bin.path().join("helm");
    std::fs::write(&helm, script).expect("write");
    std::fs::set_permissions(&helm, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let path =
        std::env::join_paths([bin.path(), Path::new("/bin"), Path::new("/usr/bin")]).expect("path");
    let v = json(&run_with_path(
        repo.path(),
        &["check", ".", "--format", "json"],
        &path,
    ));
    let args = std::fs::read_to_string(&args_file).expect("helm ran");
    assert_eq!(
        args.trim(),
        "template isolint . --namespace=release-namespace --values=prod.yaml --set=image=web:1"
    );
    let got = located(&v);
    let host_pid = got
        .iter()
        .find(|(r, ..)| r == "K8S-POD-005")
        .unwrap_or_else(|| panic!("no hostPID finding: {got:?}"));
    assert_eq!(
        (host_pid.1.as_str(), host_pid.2),
        ("charts/app/templates/pod.yaml", 6)
    );
    assert!(
        host_pid
            .3
            .contains("with the chart's default values, prod.yaml, --set image=web:1"),
        "{host_pid:?}"
    );
    // Every finding is in the template; a container's missing setting at its item.
    assert!(
        got.iter()
            .all(|(_, f, ..)| f == "charts/app/templates/pod.yaml"),
        "{got:?}"
    );
    assert!(
        got.iter().any(|(r, _, l, _)| r == "K8S-POD-002" && *l == 8),
        "{got:?}"
    );
}

#[test]
fn render_config_keys_are_validated() {
    let repo = temp_repo(&[(
        ".isolint.yaml",
        "helm:\n  charts:\n    web:\n      value: [x.yaml]\n",
    )]);
    let out = run_in(repo.path(), &["check", "."]);
    assert_eq!(out.status.code(), Some(2));
    let err = crate::support::stderr(&out);
    assert!(err.contains(".isolint.yaml:4:7"), "{err}");
    assert!(err.contains("unknown key `value` in a chart"), "{err}");
}

/// A renderer follows links: a chart holding one could read files from outside the
/// repository into its output, so it is not rendered.
#[cfg(unix)]
#[test]
fn a_chart_with_a_symbolic_link_is_not_rendered() {
    let repo = temp_repo(&[
        ("c/Chart.yaml", "apiVersion: v2\nname: c\nversion: 0.1.0\n"),
        (
            "c/templates/cm.yaml",
            "kind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\n",
        ),
    ]);
    std::os::unix::fs::symlink("/etc/hostname", repo.path().join("c/files")).expect("link");
    let empty = tempfile::tempdir().expect("temp dir");
    let out = run_with_path(
        repo.path(),
        &["check", ".", "--verbose"],
        empty.path().as_os_str(),
    );
    let text = crate::support::stdout(&out);
    assert!(
        text.contains("chart `c` not rendered: it holds the symbolic link `files`"),
        "{text}"
    );
}

/// Remote bases and `helmCharts` would make kustomize fetch: such overlays are not built.
#[test]
fn overlays_that_would_fetch_are_not_built() {
    let repo = temp_repo(&[
        (
            "remote/kustomization.yaml",
            "resources:\n  - github.com/org/repo//deploy?ref=v1\n",
        ),
        (
            "charted/kustomization.yaml",
            "helmCharts:\n  - name: x\n    repo: https://charts.example.com\n",
        ),
        // A component is built only inside the overlay that includes it.
        (
            "comp/kustomization.yaml",
            "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\npatches:\n  - path: p.yaml\n",
        ),
        ("comp/p.yaml", "kind: Deployment\nmetadata:\n  name: x\n"),
    ]);
    let empty = tempfile::tempdir().expect("temp dir");
    let out = run_with_path(
        repo.path(),
        &["check", ".", "--verbose"],
        empty.path().as_os_str(),
    );
    let text = crate::support::stdout(&out);
    assert!(
        text.contains("remote/kustomization.yaml: overlay not built: it names `github.com/org/repo//deploy?ref=v1`"),
        "{text}"
    );
    assert!(
        text.contains("charted/kustomization.yaml: overlay not built: it names `helmCharts`"),
        "{text}"
    );
    assert!(!text.contains("comp/"), "{text}");
}
