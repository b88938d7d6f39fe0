//! The first hour with isolint: mistakes are loud (exit 2 naming the file and line), the
//! command line behaves like the tools people know, configuration paths mean the same
//! wherever it runs from.

use crate::support::{run_in, stderr, stdout, temp_repo};

const OPEN_BUCKET: &str =
    "resource \"aws_s3_bucket\" \"reports\" {\n  bucket = \"acme-reports\"\n}\n";

#[test]
fn a_path_that_does_not_exist_exits_2() {
    let repo = temp_repo(&[("main.tf", OPEN_BUCKET)]);
    let out = run_in(repo.path(), &["check", "nonexistent"]);
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    assert!(stderr(&out).contains("nonexistent: no such file or directory"));
}

#[test]
fn config_entries_that_match_no_rule_exit_2_in_place() {
    for (config, expect) in [
        ("select: [\"AWZ-*\"]\n", "did you mean `AWS-*`?"),
        (
            "select: [\"8.99\"]\n",
            "`8.99` is not an ISO/IEC 27002:2022 control",
        ),
        ("ignore: [\"5.1\"]\n", "no rule evidences control 5.1"),
        (
            "severity:\n  AWS-S3-099: low\n",
            "did you mean `AWS-S3-009`?",
        ),
    ] {
        let repo = temp_repo(&[("main.tf", OPEN_BUCKET), (".isolint.yaml", config)]);
        let out = run_in(repo.path(), &["check", "."]);
        assert_eq!(out.status.code(), Some(2), "{config}: {}", stdout(&out));
        let err = stderr(&out);
        assert!(err.contains(expect), "{config}: {err}");
        assert!(err.contains(".isolint.yaml:"), "{config}: {err}");
    }
}

#[test]
fn fail_on_never_is_accepted_in_the_config_as_on_the_command_line() {
    let repo = temp_repo(&[
        ("main.tf", OPEN_BUCKET),
        (".isolint.yaml", "fail_on: never\nselect: [AWS-S3-004]\n"),
    ]);
    let out = run_in(repo.path(), &["check", "."]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("AWS-S3-004"));
}
