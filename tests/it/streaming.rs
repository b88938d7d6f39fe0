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
