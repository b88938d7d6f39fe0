//! The binary end to end: exit codes, the JSON contract, configuration, user rule packs,
//! bad input, determinism.

use crate::support::{json, run_in, stderr, stdout, temp_repo};

const OPEN_BUCKET: &str = r#"resource "aws_s3_bucket" "reports" {
  bucket = "acme-reports"
}
"#;

const VERSIONED_BUCKET: &str = r#"resource "aws_s3_bucket" "data" {
  bucket = "acme-data"
}

resource "aws_s3_bucket_versioning" "data" {
  bucket = aws_s3_bucket.data.id
  versioning_configuration {
    status = "Enabled"
  }
}
"#;

/// Only the versioning rule, so these tests do not depend on the rest of the packs.
const ONLY_VERSIONING: &str = "select: [AWS-S3-004]\n";

#[test]
fn findings_exit_1_and_clean_exit_0() {
    let bad = temp_repo(&[("main.tf", OPEN_BUCKET), (".isolint.yaml", ONLY_VERSIONING)]);
    let out = run_in(bad.path(), &["check", "."]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(stdout(&out).contains("AWS-S3-004"));
    assert!(stdout(&out).contains("8.13 Information backup"));

    let good = temp_repo(&[
        ("main.tf", VERSIONED_BUCKET),
        (".isolint.yaml", ONLY_VERSIONING),
    ]);
    let out = run_in(good.path(), &["check", "."]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
}

#[test]
fn fail_on_threshold_decides_the_exit_code() {
    let repo = temp_repo(&[("main.tf", OPEN_BUCKET), (".isolint.yaml", ONLY_VERSIONING)]);
    // AWS-S3-004 is medium: failing on high lets it pass, failing on medium does not.
    assert_eq!(
        run_in(repo.path(), &["check", ".", "--fail-on", "high"])
            .status
            .code(),
        Some(0)
    );
    assert_eq!(
        run_in(repo.path(), &["check", ".", "--fail-on", "medium"])
            .status
            .code(),
        Some(1)
    );
    assert_eq!(
        run_in(repo.path(), &["check", ".", "--fail-on", "never"])
            .status
            .code(),
        Some(0)
    );
}

#[test]
fn json_contract_has_positions_paths_and_controls() {
    let repo = temp_repo(&[
        ("infra/main.tf", OPEN_BUCKET),
        (".isolint.yaml", ONLY_VERSIONING),
    ]);
    let out = run_in(repo.path(), &["check", ".", "--format", "json"]);
    let v = json(&out);
    assert_eq!(v["version"], 1);
    assert_eq!(v["tool"]["name"], "isolint");
    assert_eq!(v["summary"]["findings"], 1);
    assert_eq!(v["summary"]["parse_errors"], 0);
    let f = &v["findings"][0];
    assert_eq!(f["rule_id"], "AWS-S3-004");
    assert_eq!(f["severity"], "medium");
    assert_eq!(f["controls"], serde_json::json!(["8.13"]));
    assert_eq!(f["file"], "infra/main.tf");
    assert_eq!(f["line"], 1);
    assert_eq!(f["column"], 1);
    assert_eq!(f["end_line"], 1);
    assert_eq!(f["resource"], "aws_s3_bucket.reports");
    assert_eq!(f["fingerprint"].as_str().map(str::len), Some(16));
}

#[test]
fn stats_go_to_stderr_and_leave_the_report_intact() {
    let repo = temp_repo(&[
        ("infra/main.tf", OPEN_BUCKET),
        (
            "k8s/ns.yaml",
            "apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n",
        ),
        (".isolint.yaml", ONLY_VERSIONING),
    ]);
    let out = run_in(
        repo.path(),
        &[
            "check",
            ".",
            "--format",
            "json",
            "--stats",
            "--threads",
            "1",
        ],
    );
    assert_eq!(
        json(&out)["summary"]["findings"],
        1,
        "stdout is still the JSON"
    );
    let err = stderr(&out);
    for stage in [
        "discover",
        "read",
        "terraform",
        "other files",
        "kubernetes",
        "report",
    ] {
        assert!(err.contains(&format!("{stage} ")), "{stage} missing: {err}");
    }
    if cfg!(target_os = "linux") {
        assert!(
            err.contains("memory: resident MiB after discover "),
            "{err}"
        );
        assert!(err.contains(", suppress+sort "), "{err}");
    }
    assert!(
        err.contains("largest: file infra/main.tf (0 KiB), Terraform root infra (1 resource)"),
        "{err}"
    );
    // The pool is sized before the rule packs are loaded in parallel.
    assert!(err.ends_with("threads: 1 worker\n"), "{err}");
}

#[test]
fn malformed_file_is_an_error_and_the_rest_is_scanned() {
    let repo = temp_repo(&[
        ("a/main.tf", OPEN_BUCKET),
        (
            "b/broken.tf",
            "resource \"aws_s3_bucket\" \"x\" {\n  bucket = \n",
        ),
        (
            "k8s/broken.yaml",
            "apiVersion: v1\nkind: Pod\nmetadata: [unclosed\n",
        ),
        (".isolint.yaml", ONLY_VERSIONING),
    ]);
    let out = run_in(repo.path(), &["check", ".", "--format", "json"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "findings still decide the exit code"
    );
    let v = json(&out);
    assert_eq!(
        v["summary"]["findings"], 1,
        "the good file is still scanned"
    );
    let errors = v["errors"].as_array().expect("errors array");
    let files: Vec<&str> = errors.iter().filter_map(|e| e["file"].as_str()).collect();
    assert!(files.contains(&"b/broken.tf"), "{errors:?}");
    assert!(files.contains(&"k8s/broken.yaml"), "{errors:?}");
    for e in errors {
        assert!(e["line"].as_u64().unwrap_or(0) >= 1);
        assert!(!e["message"].as_str().unwrap_or_default().is_empty());
    }
}

#[test]
fn unknown_config_key_exits_2_with_file_and_line() {
    let repo = temp_repo(&[
        ("main.tf", OPEN_BUCKET),
        (".isolint.yaml", "exclude: []\nfail_onn: high\n"),
    ]);
    let out = run_in(repo.path(), &["check", "."]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains(".isolint.yaml:2:1"), "{err}");
    assert!(err.contains("unknown key `fail_onn`"), "{err}");
}

#[test]
fn user_rule_pack_adds_a_rule() {
    let pack = r#"rules:
  - id: ACME-TAG-001
    name: bucket-without-owner-tag
    title: Bucket without an owner tag
    severity: low
    controls: ["5.9"]
    resources: [aws_s3_bucket]
    check: { present: tags.owner }
    message: "{address} has no owner tag"
    remediation: Add an owner tag.
"#;
    let repo = temp_repo(&[("main.tf", OPEN_BUCKET), ("policies/tags.yaml", pack)]);
    let out = run_in(
        repo.path(),
        &[
            "check",
            "main.tf",
            "--rules",
            "policies",
            "--format",
            "json",
            "--no-config",
        ],
    );
    let v = json(&out);
    let ids: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["rule_id"].as_str())
        .collect();
    assert!(ids.contains(&"ACME-TAG-001"), "{ids:?}");
}

#[test]
fn bad_rule_pack_lists_every_problem_and_exits_2() {
    let pack = r#"rules:
  - id: ACME-TAG-001
    name: Bad Name
    title: x
    severity: urgent
    controls: [8.20, "9.99"]
    resources: [aws_s3_bucket]
    check: { path: tags, matches: "[" }
    message: m
    remediation: r.
    colour: blue
  - id: ACME-TAG-001
    name: dup
    title: x
    severity: low
    controls: ["8.9"]
    resources: [x]
    check: { present: a }
    message: m
    remediation: r.
"#;
    let repo = temp_repo(&[("main.tf", OPEN_BUCKET), ("policies/bad.yaml", pack)]);
    let out = run_in(repo.path(), &["check", ".", "--rules", "policies"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    for needle in [
        "bad.yaml:3:11: rule name `Bad Name` must be kebab-case",
        "bad.yaml:5:15: unknown severity `urgent`",
        "bad.yaml:6:16: control 8.20 is a number in YAML",
        "unknown ISO/IEC 27002:2022 control `9.99`",
        "bad regex",
        "unknown key `colour`",
        "duplicate rule id `ACME-TAG-001`",
    ] {
        assert!(err.contains(needle), "missing `{needle}` in:\n{err}");
    }
}

#[test]
fn output_is_identical_across_runs_and_thread_counts() {
    let demo = crate::support::repo_root().join("examples/demo");
    let run = |threads: &str| {
        let out = run_in(
            &demo,
            &["check", ".", "--format", "json", "--threads", threads],
        );
        let mut v = json(&out);
        v["summary"]["duration_ms"] = 0.into();
        serde_json::to_string(&v).unwrap()
    };
    let one = run("1");
    assert_eq!(one, run("2"));
    assert_eq!(one, run("4"));
}

#[test]
fn rule_and_controls_commands_explain() {
    let dir = temp_repo(&[]);
    let out = run_in(dir.path(), &["rule", "AWS-S3-004"]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    assert!(text.contains("8.13 Information backup"), "{text}");
    assert!(text.contains("How to fix"));
    let out = run_in(dir.path(), &["rule", "NOPE-001"]);
    assert_eq!(out.status.code(), Some(2));
    let out = run_in(dir.path(), &["controls", "--format", "json"]);
    let v = json(&out);
    let c = v
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "8.13")
        .expect("8.13 listed");
    assert!(
        c["rules"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r == "AWS-S3-004")
    );
}

#[test]
fn closed_stdout_exits_quietly() {
    use std::io::Read;
    use std::process::{Command, Stdio};
    let demo = crate::support::repo_root().join("examples/demo");
    let mut child = Command::new(crate::support::bin())
        .args(["check", ".", "--format", "json"])
        .current_dir(&demo)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let status = child.wait().unwrap();
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert!(!err.contains("panicked"), "{err}");
    assert!(status.code().is_some_and(|c| c <= 1), "{status:?} {err}");
}
