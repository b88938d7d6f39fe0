//! Suppressions with accountability: inline comments with reasons and expiry, config
//! entries, baselines, and the findings about bad suppressions. Also changed-file scans.

use crate::support::{json, run_in, temp_repo};

const ONLY: &str = "select: [AWS-S3-004]\n";

fn bucket(name: &str, comment: &str) -> String {
    format!("{comment}\nresource \"aws_s3_bucket\" \"{name}\" {{\n  bucket = \"acme-{name}\"\n}}\n")
}

fn ids(v: &serde_json::Value) -> Vec<(String, bool)> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule_id"].as_str().unwrap().to_owned(),
                f["suppressed"].as_bool().unwrap(),
            )
        })
        .collect()
}

#[test]
fn inline_ignore_with_reason_suppresses_and_stays_visible() {
    let tf = bucket(
        "scratch",
        "# isolint:ignore AWS-S3-004 -- scratch data, recreated nightly",
    );
    let repo = temp_repo(&[("main.tf", &tf), (".isolint.yaml", ONLY)]);
    let out = run_in(repo.path(), &["check", ".", "--format", "json"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "suppressed findings do not fail"
    );
    let v = json(&out);
    assert_eq!(ids(&v), vec![("AWS-S3-004".to_owned(), true)]);
    assert_eq!(
        v["findings"][0]["suppression"]["reason"],
        "scratch data, recreated nightly"
    );
    assert_eq!(v["summary"]["suppressed"], 1);
    assert_eq!(v["summary"]["findings"], 0);

    // --ignore-inline shows what inline comments hide.
    let out = run_in(
        repo.path(),
        &["check", ".", "--format", "json", "--ignore-inline"],
    );
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn reasonless_expired_and_unused_suppressions_are_reported() {
    let tf = [
        bucket("a", "# isolint:ignore AWS-S3-004"),
        bucket(
            "b",
            "# isolint:ignore AWS-S3-004 until 2001-01-01 -- temporary",
        ),
        "# isolint:ignore AWS-S3-004 -- nothing below needs this\nlocals {\n  x = 1\n}\n"
            .to_owned(),
    ]
    .join("\n");
    // `select` narrows the meta rules too: they are selected beside the bucket check.
    let config = "select: [AWS-S3-004, \"ISOLINT-SUPPRESS-*\"]\n";
    let repo = temp_repo(&[("main.tf", &tf), (".isolint.yaml", config)]);
    let v = json(&run_in(repo.path(), &["check", ".", "--format", "json"]));
    let got = ids(&v);
    for want in [
        "ISOLINT-SUPPRESS-001",
        "ISOLINT-SUPPRESS-002",
        "ISOLINT-SUPPRESS-003",
    ] {
        assert!(
            got.iter().any(|(id, s)| id == want && !s),
            "{want} missing in {got:?}"
        );
    }
    // Neither bad comment suppressed its bucket.
    assert_eq!(
        got.iter()
            .filter(|(id, s)| id == "AWS-S3-004" && !s)
            .count(),
        2,
        "{got:?}"
    );
}

#[test]
fn config_suppression_needs_a_reason_and_applies_by_path() {
    let cfg = "select: [AWS-S3-004]\nsuppress:\n  - rules: [AWS-S3-004]\n    paths: [legacy/]\n    reason: Decommissioned in Q3 (OPS-88)\n";
    let repo = temp_repo(&[
        ("legacy/main.tf", &bucket("old", "")),
        ("new/main.tf", &bucket("fresh", "")),
        (".isolint.yaml", cfg),
    ]);
    let v = json(&run_in(repo.path(), &["check", ".", "--format", "json"]));
    let f = v["findings"].as_array().unwrap();
    let legacy = f.iter().find(|f| f["file"] == "legacy/main.tf").unwrap();
    assert_eq!(legacy["suppression"]["kind"], "config");
    let new = f.iter().find(|f| f["file"] == "new/main.tf").unwrap();
    assert_eq!(new["suppressed"], false);

    let bad = temp_repo(&[(".isolint.yaml", "suppress:\n  - rules: [AWS-S3-004]\n")]);
    let out = run_in(bad.path(), &["check", "."]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn baseline_reports_only_new_findings() {
    let repo = temp_repo(&[("main.tf", &bucket("old", "")), (".isolint.yaml", ONLY)]);
    let out = run_in(repo.path(), &["baseline", "."]);
    assert_eq!(out.status.code(), Some(0));
    assert!(repo.path().join(".isolint-baseline.json").is_file());
    let out = run_in(
        repo.path(),
        &["check", ".", "--baseline", ".isolint-baseline.json"],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "the accepted finding no longer fails"
    );

    std::fs::write(repo.path().join("new.tf"), bucket("fresh", "")).unwrap();
    let out = run_in(
        repo.path(),
        &[
            "check",
            ".",
            "--baseline",
            ".isolint-baseline.json",
            "--format",
            "json",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let v = json(&out);
    let new: Vec<_> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["suppressed"] == false)
        .collect();
    assert_eq!(new.len(), 1);
    assert_eq!(new[0]["file"], "new.tf");
}

#[test]
fn a_baseline_with_a_malformed_fingerprint_fails_naming_its_line() {
    let baseline = "{\n  \"version\": 1,\n  \"findings\": [\n    {\n      \"fingerprint\": \"not-hex\",\n      \"rule_id\": \"AWS-S3-004\",\n      \"file\": \"main.tf\",\n      \"resource\": \"aws_s3_bucket.old\"\n    }\n  ]\n}\n";
    let repo = temp_repo(&[
        ("main.tf", &bucket("old", "")),
        (".isolint.yaml", ONLY),
        ("b.json", baseline),
    ]);
    let out = run_in(repo.path(), &["check", ".", "--baseline", "b.json"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("b.json") && err.contains("not-hex"), "{err}");
    assert!(err.contains(":5"), "the fingerprint's line: {err}");
}

#[test]
fn given_files_report_only_themselves_but_load_their_module() {
    // The variable's value lives in another file of the module; the companion too.
    let repo = temp_repo(&[
        (
            "infra/buckets.tf",
            "resource \"aws_s3_bucket\" \"a\" {\n  bucket = \"a\"\n}\nresource \"aws_s3_bucket\" \"b\" {\n  bucket = \"b\"\n}\n",
        ),
        (
            "infra/versioning.tf",
            "resource \"aws_s3_bucket_versioning\" \"a\" {\n  bucket = aws_s3_bucket.a.id\n  versioning_configuration {\n    status = \"Enabled\"\n  }\n}\n",
        ),
        ("other/main.tf", &bucket("elsewhere", "")),
        (".isolint.yaml", ONLY),
    ]);
    let v = json(&run_in(
        repo.path(),
        &["check", "infra/buckets.tf", "--format", "json"],
    ));
    let f = v["findings"].as_array().unwrap();
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(
        f[0]["resource"], "aws_s3_bucket.b",
        "bucket a is versioned by the sibling file"
    );
}

#[test]
fn a_directory_given_beside_a_file_is_reported_whole() {
    let repo = temp_repo(&[
        ("infra/a.tf", &bucket("a", "")),
        ("infra/nested/b.tf", &bucket("b", "")),
        ("infra-old/c.tf", &bucket("c", "")),
        ("app/d.tf", &bucket("d", "")),
        ("app/e.tf", &bucket("e", "")),
        (".isolint.yaml", ONLY),
    ]);
    let v = json(&run_in(
        repo.path(),
        &["check", "infra", "app/d.tf", "--format", "json"],
    ));
    let mut files: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["file"].as_str().unwrap())
        .collect();
    files.sort_unstable();
    // `infra-old/` shares the prefix but is not under `infra/`; `app/e.tf` was not given.
    assert_eq!(files, ["app/d.tf", "infra/a.tf", "infra/nested/b.tf"]);
}

#[test]
fn changed_since_limits_the_report_to_the_diff() {
    let repo = temp_repo(&[("a.tf", &bucket("a", "")), (".isolint.yaml", ONLY)]);
    let git = |args: &[&str]| {
        let ok = std::process::Command::new("git")
            .args(args)
            .current_dir(repo.path())
            .env("GIT_AUTHOR_NAME", "t")
            .env("GIT_AUTHOR_EMAIL", "t@example.com")
            .env("GIT_COMMITTER_NAME", "t")
            .env("GIT_COMMITTER_EMAIL", "t@example.com")
            .output()
            .unwrap();
        assert!(
            ok.status.success(),
            "{}",
            String::from_utf8_lossy(&ok.stderr)
        );
    };
    git(&["init", "-q"]);
    git(&["add", "."]);
    git(&["commit", "-qm", "base"]);
    std::fs::write(repo.path().join("b.tf"), bucket("b", "")).unwrap();
    git(&["add", "b.tf"]);
    let v = json(&run_in(
        repo.path(),
        &["check", ".", "--changed-since", "HEAD", "--format", "json"],
    ));
    let files: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["file"].as_str())
        .collect();
    assert_eq!(files, vec!["b.tf"]);
    let out = run_in(
        repo.path(),
        &["check", ".", "--changed-since", "no-such-ref"],
    );
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn kubernetes_annotation_suppresses_with_reason() {
    let pack = "rules:\n  - id: ACME-K8S-001\n    name: pod-without-team-label\n    title: Pod without a team label\n    severity: low\n    controls: [\"5.9\"]\n    resources: [Pod]\n    check: { present: metadata.labels.team }\n    message: \"{address} has no team label\"\n    remediation: Add a team label.\n";
    let pod = |annotations: &str| {
        format!(
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n{annotations}spec:\n  containers:\n    - name: web\n      image: nginx:1.27\n"
        )
    };
    let with = pod(
        "  annotations:\n    isolint.dev/ignore: \"ACME-K8S-001 -- labels come from the operator\"\n",
    );
    let without = pod("  annotations:\n    isolint.dev/ignore: \"ACME-K8S-001\"\n");
    let repo = temp_repo(&[
        ("p/pack.yaml", pack),
        ("k8s/with.yaml", &with),
        ("k8s/without.yaml", &without),
    ]);
    let v = json(&run_in(
        repo.path(),
        &[
            "check",
            "k8s",
            "--rules",
            "p",
            "--no-config",
            "--format",
            "json",
        ],
    ));
    let f = v["findings"].as_array().unwrap();
    let by_file = |name: &str| f.iter().find(|x| x["file"] == name).unwrap();
    assert_eq!(
        by_file("k8s/with.yaml")["suppression"]["kind"],
        "annotation"
    );
    assert_eq!(
        by_file("k8s/without.yaml")["suppressed"],
        false,
        "no reason, no suppression"
    );
}
