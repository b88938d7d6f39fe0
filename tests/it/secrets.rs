//! The secrets pack end to end: files that hide secrets are read (a stray NUL, BOM-less
//! UTF-16, Latin-1, lock files, SVG), key stores are findings by name though binary, a
//! file over the size cap is reported, and secrets found by the AWS natives are masked.

use std::path::Path;

use serde_json::Value;

use crate::support::{json, run_in, stdout, temp_repo};

/// A GitHub token in its documented format (SECRET-005), made up.
const TOKEN: &str = "ghp_Q7m2Xk9Lp4Rt8Vw1Zb6Nc3Jd5Hf0Gs2Ya4Ek";

fn write(dir: &Path, rel: &str, bytes: &[u8]) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
    std::fs::write(p, bytes).expect("write");
}

fn check_json(dir: &Path, extra: &[&str]) -> (Value, Option<i32>) {
    let mut args = vec!["check", ".", "--no-config", "--format", "json"];
    args.extend_from_slice(extra);
    let out = run_in(dir, &args);
    (json(&out), out.status.code())
}

/// (file, line) of every finding of `rule`, sorted.
fn found(report: &Value, rule: &str) -> Vec<(String, u64)> {
    let mut out: Vec<_> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule_id"] == rule)
        .map(|f| {
            (
                f["file"].as_str().unwrap_or_default().to_owned(),
                f["line"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    out.sort();
    out
}

fn utf16(text: &str, le: bool) -> Vec<u8> {
    text.encode_utf16()
        .flat_map(|u| if le { u.to_le_bytes() } else { u.to_be_bytes() })
        .collect()
}

#[test]
fn files_that_hide_secrets_are_read_and_point_at_the_right_line() {
    let repo = temp_repo(&[]);
    let dir = repo.path();
    // A stray NUL (a bad paste, a truncated write) does not make a .env binary.
    write(
        dir,
        ".env",
        format!("APP_ENV=prod\nBROKEN=\0\nGITHUB_TOKEN={TOKEN}\n").as_bytes(),
    );
    // Latin-1, not UTF-8: still text.
    let mut latin1 = b"NAME=caf\xE9\n".to_vec();
    latin1.extend(format!("GH={TOKEN}\n").as_bytes());
    write(dir, "config/legacy.env", &latin1);
    // UTF-16 without a BOM, as Windows tools write it, both byte orders.
    let notes = format!("Deploy notes\r\n\r\ntoken: {TOKEN}\r\n");
    write(dir, "notes-le.txt", &utf16(&notes, true));
    write(dir, "notes-be.txt", &utf16(&notes, false));
    // Lock files and SVGs were never read.
    write(
        dir,
        "yarn.lock",
        format!("left-pad@^1.3.0:\n  version \"1.3.0\"\n  resolved \"https://npm.example.org/left-pad.tgz?token={TOKEN}\"\n").as_bytes(),
    );
    write(
        dir,
        "docs/logo.svg",
        format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\">\n  <!-- exported with {TOKEN} -->\n</svg>\n"
        )
        .as_bytes(),
    );
    // A real binary (compressed-looking bytes) that happens to hold the token is not text.
    let mut blob = Vec::new();
    let mut x: u32 = 0x1234_5678;
    for _ in 0..4096 {
        x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        blob.push((x >> 24) as u8);
    }
    blob.extend(TOKEN.as_bytes());
    write(dir, "cache.dat", &blob);

    let (report, code) = check_json(dir, &[]);
    assert_eq!(code, Some(1), "{report}");
    let want: Vec<(String, u64)> = [
        (".env", 3),
        ("config/legacy.env", 2),
        ("docs/logo.svg", 2),
        ("notes-be.txt", 3),
        ("notes-le.txt", 3),
        ("yarn.lock", 3),
    ]
    .iter()
    .map(|(f, l)| ((*f).to_owned(), *l))
    .collect();
    assert_eq!(found(&report, "SECRET-005"), want, "{report}");
    assert!(!report.to_string().contains(TOKEN), "the token is printed");
}

#[test]
fn key_stores_and_binary_keys_are_findings_by_name() {
    let repo = temp_repo(&[]);
    let dir = repo.path();
    // A Java key store: magic, version, one private key entry (not text, not UTF-8).
    let mut jks = vec![
        0xFE, 0xED, 0xFE, 0xED, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 1, 0, 7,
    ];
    jks.extend(b"release");
    jks.extend([
        0, 0, 1, 0x8A, 0x3C, 0x51, 0x9E, 0x02, 0, 0, 5, 1, 0x30, 0x82, 0x04, 0xFD,
    ]);
    write(dir, "android/app/release.jks", &jks);
    write(dir, "android/debug.keystore", &jks);
    // A DER private key under a .key name.
    let der = [
        0x30, 0x82, 0x04, 0xA4, 0x02, 0x01, 0x00, 0x02, 0x82, 0x01, 0x01, 0x00, 0xC3,
    ];
    write(dir, "tls/server.key", &der);
    // A binary file of another name is still not read.
    write(dir, "tls/server.crt.bin", &der);

    let (report, code) = check_json(dir, &[]);
    assert_eq!(code, Some(1), "{report}");
    assert_eq!(
        found(&report, "SECRET-064"),
        vec![("android/app/release.jks".to_owned(), 1)],
        "{report}"
    );
    assert_eq!(
        found(&report, "SECRET-065"),
        vec![("tls/server.key".to_owned(), 1)],
        "{report}"
    );
    // The human report names the file and shows none of its bytes.
    let out = run_in(dir, &["check", ".", "--no-config"]);
    let human = stdout(&out);
    assert!(human.contains("android/app/release.jks"), "{human}");
    assert!(
        !human.contains("release\u{0}") && !human.contains('\u{FFFD}'),
        "{human}"
    );
}

#[test]
fn text_file_over_the_size_cap_is_reported_and_can_fail_the_run() {
    let repo = temp_repo(&[(".env", "APP_ENV=prod\n")]);
    // Sparse: the cap is decided from the size, nothing is read.
    let big = std::fs::File::create(repo.path().join("dump.sql")).expect("create");
    big.set_len(17 * 1024 * 1024 - 100).expect("set_len");
    let (report, code) = check_json(repo.path(), &[]);
    assert_eq!(
        code,
        Some(0),
        "a skipped file alone does not fail: {report}"
    );
    let errors = report["errors"].as_array().expect("errors");
    let e = errors
        .iter()
        .find(|e| e["file"] == "dump.sql")
        .unwrap_or_else(|| panic!("dump.sql not reported: {report}"));
    assert_eq!(e["kind"], "too-large", "{e}");
    let m = e["message"].as_str().unwrap_or_default();
    assert!(m.contains("17 MiB") && m.contains("16 MiB limit"), "{m}");
    assert_eq!(report["summary"]["parse_errors"], 1, "{report}");

    let out = run_in(repo.path(), &["check", ".", "--no-config"]);
    let human = format!("{}{}", stdout(&out), crate::support::stderr(&out));
    assert!(
        human.contains("dump.sql") && human.contains("16 MiB limit"),
        "{human}"
    );
    assert!(human.contains("1 file could not be read"), "{human}");

    let (_, code) = check_json(repo.path(), &["--fail-on-error"]);
    assert_eq!(code, Some(1), "--fail-on-error fails on a skipped file");
}

#[test]
fn aws_credential_findings_mask_the_value() {
    const PASSWORD: &str = "Pr0d-Orders-2024!";
    const LAMBDA: &str = "Billing#2024q";
    const SLACK: &str = "xoxb-5082719364-Qm7vT2rL9xKd4wZp";
    let tf = format!(
        r#"resource "aws_instance" "orders" {{
  ami           = "ami-0c1a2b3c4d5e6f708"
  instance_type = "t3.medium"
  user_data = <<-EOT
    #!/bin/bash
    export DB_PASSWORD='{PASSWORD}'
  EOT
}}

resource "aws_lambda_function" "billing" {{
  function_name = "billing"
  role          = "arn:aws:iam::111122223333:role/billing"
  environment {{
    variables = {{
      DB_PASSWORD = "{LAMBDA}"
    }}
  }}
}}

resource "aws_ecs_task_definition" "worker" {{
  family = "worker"
  container_definitions = <<-EOT
    [{{"name": "worker", "environment": [{{"name": "SLACK_BOT_TOKEN", "value": "{SLACK}"}}]}}]
  EOT
}}
"#
    );
    let repo = temp_repo(&[("main.tf", &tf)]);
    let (report, _) = check_json(repo.path(), &[]);
    assert_eq!(found(&report, "AWS-CRED-002"), vec![("main.tf".into(), 6)]);
    assert_eq!(found(&report, "AWS-CRED-003"), vec![("main.tf".into(), 15)]);
    assert_eq!(found(&report, "AWS-CRED-004"), vec![("main.tf".into(), 23)]);
    let out = run_in(repo.path(), &["check", ".", "--no-config"]);
    let human = stdout(&out);
    assert!(human.contains("AWS-CRED-004"), "{human}");
    for value in [PASSWORD, LAMBDA, SLACK] {
        assert!(
            !human.contains(value),
            "{value} in the human output:\n{human}"
        );
        assert!(!report.to_string().contains(value), "{value} in JSON");
    }
    assert!(
        human.contains("Pr0d*"),
        "the excerpt shows the masked value:\n{human}"
    );
}

#[test]
fn a_key_a_structured_rule_reports_is_not_reported_again_as_text() {
    let dir = tempfile::tempdir().expect("tempdir");
    // Two files, so the de-duplication works per file: the same line in the other file,
    // which has no structured finding, keeps its text finding.
    let provider = "provider \"aws\" {\n  region     = \"eu-west-1\"\n  access_key = \"AKIAQ3EGRXKM7ZBVX4NP\"\n}\n# AKIAQ3EGRXKM7ZBVX4NP again, in a comment\n";
    write(dir.path(), "a/main.tf", provider.as_bytes());
    write(
        dir.path(),
        "b/notes.txt",
        b"line one\nline two\n  access_key = \"AKIAQ3EGRXKM7ZBVX4NP\"\n",
    );
    let (report, _) = check_json(dir.path(), &[]);
    assert_eq!(found(&report, "AWS-CRED-001"), [("a/main.tf".into(), 3)]);
    assert_eq!(
        found(&report, "SECRET-001"),
        [("a/main.tf".into(), 5), ("b/notes.txt".into(), 3)],
        "the key on line 3 of main.tf is the provider's finding"
    );
}
