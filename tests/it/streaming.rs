//! The streaming scan: texts are released after their file's work and read again only
//! for what a report shows; the whole scan runs within a time budget.

use crate::support::{json, run_in, stderr, temp_repo};

const POD: &str = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n    - name: web\n      image: nginx:1.27\n      securityContext:\n        privileged: true\n";

#[test]
fn an_exhausted_time_budget_is_reported_and_fails_the_run() {
    let repo = temp_repo(&[
        ("k8s/pod.yaml", POD),
        (
            "main.tf",
            "resource \"aws_s3_bucket\" \"b\" {\n  bucket = \"x\"\n}\n",
        ),
    ]);
    // Zero seconds: nothing may start, as when a crafted repository stalls the scan.
    let out = run_in(
        repo.path(),
        &[
            "check",
            ".",
            "--format",
            "json",
            "--fail-on",
            "never",
            "--time-budget",
            "0",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let report = json(&out);
    assert_eq!(report["summary"]["findings"], 0);
    let errors = report["errors"].as_array().expect("errors");
    let budget = errors
        .iter()
        .find(|e| {
            e["message"]
                .as_str()
                .is_some_and(|m| m.contains("time budget of 0 s ran out"))
        })
        .unwrap_or_else(|| panic!("no budget error in {errors:?}"));
    assert_eq!(budget["kind"], "limit");
    assert_eq!(
        budget["file"], "k8s/pod.yaml",
        "the first unchecked file by name"
    );

    // With time to spare, the same scan checks both files and passes with --fail-on never.
    let out = run_in(
        repo.path(),
        &["check", ".", "--format", "json", "--fail-on", "never"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report = json(&out);
    assert!(report["summary"]["findings"].as_u64() > Some(1));
    assert_eq!(report["errors"].as_array().map(Vec::len), Some(0));
}

#[test]
fn the_time_budget_in_the_config_must_be_whole_seconds() {
    let repo = temp_repo(&[
        (".isolint.yaml", "exclude: []\ntime_budget: 0.5\n"),
        ("k8s/pod.yaml", POD),
    ]);
    let out = run_in(repo.path(), &["check", "."]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains(".isolint.yaml:2:14: `time_budget` must be a whole number"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_finding_in_a_released_file_is_shown_from_the_file_read_again() {
    // Kubernetes objects are checked after every file is modelled, when the file's text
    // has been released: the excerpt comes from reading it again.
    let repo = temp_repo(&[("k8s/pod.yaml", POD)]);
    let out = run_in(repo.path(), &["check", ".", "--fail-on", "never"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("10 │         privileged: true"), "{text}");
}

/// A big JSON document is read without the YAML scanner's token queue (parse/json.rs);
/// the findings, lines and columns must be those the YAML reader gives. The second copy
/// ends with a YAML comment, which sends it to the YAML reader.
#[test]
fn a_big_json_document_gives_the_findings_the_yaml_reader_gives() {
    let items: Vec<_> = (0..2_000)
        .map(|i| {
            serde_json::json!({
                "apiVersion": "v1", "kind": "Pod",
                "metadata": {"name": format!("p{i}"), "labels": {"app": "web"}},
                "spec": {"containers": [{
                    "name": "web", "image": "nginx:1.27",
                    "securityContext": {"privileged": i % 500 == 7, "runAsNonRoot": true},
                }]},
            })
        })
        .collect();
    let doc = serde_json::json!({"apiVersion": "v1", "kind": "List", "items": items});
    let text = serde_json::to_string_pretty(&doc).expect("json");
    let by_yaml = format!("{text}\n# read by the YAML reader\n");
    let repo = temp_repo(&[("a/list.json", text.as_str()), ("b/list.json", &by_yaml)]);
    let out = run_in(
        repo.path(),
        &["check", ".", "--format", "json", "--fail-on", "never"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report = json(&out);
    assert_eq!(report["errors"].as_array().map(Vec::len), Some(0));
    let findings_in = |dir: &str| -> Vec<String> {
        let all = report["findings"].as_array().expect("findings");
        all.iter()
            .filter(|f| f["file"].as_str().is_some_and(|p| p.starts_with(dir)))
            .map(|f| {
                let at = [
                    "rule_id",
                    "line",
                    "column",
                    "end_line",
                    "end_column",
                    "message",
                ];
                at.map(|k| f[k].to_string()).join(" ")
            })
            .collect()
    };
    let fast = findings_in("a/");
    assert_eq!(fast, findings_in("b/"));
    let privileged: Vec<_> = fast
        .iter()
        .filter(|f| f.starts_with("\"K8S-POD-001\""))
        .collect();
    assert_eq!(privileged.len(), 4, "{privileged:?}");
    let line = text
        .lines()
        .position(|l| l.contains("\"privileged\": true"))
        .expect("a privileged pod")
        + 1;
    assert!(
        privileged[0].starts_with(&format!("\"K8S-POD-001\" {line} ")),
        "{privileged:?} (line {line})"
    );
}
