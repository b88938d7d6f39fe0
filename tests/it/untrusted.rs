//! Scanning a pull request written by an attacker: each case is a small crafted git
//! repository and checks that nothing is hidden, leaked, stalled or forged.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

use crate::support::{bin, json, run_in, stderr, stdout, temp_repo};

/// A bucket without versioning: AWS-S3-004.
const BUCKET: &str = "resource \"aws_s3_bucket\" \"b\" {\n  bucket = \"acme\"\n}\n";

/// `git args…` in `dir`, which must succeed.
fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", dir)
        .output()
        .expect("git runs");
    assert!(out.status.success(), "git {args:?}: {}", stderr(&out));
}

/// A git repository holding `files`, committed on `main`.
fn committed(files: &[(&str, &str)]) -> tempfile::TempDir {
    let repo = temp_repo(files);
    git(repo.path(), &["init", "-q", "-b", "main"]);
    git(repo.path(), &["add", "-A"]);
    git(repo.path(), &["commit", "-qm", "base"]);
    repo
}

fn files_with(v: &Value, rule: &str) -> Vec<String> {
    let mut files: Vec<String> = v["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["rule_id"] == rule)
        .filter_map(|f| f["file"].as_str().map(str::to_owned))
        .collect();
    files.sort();
    files.dedup();
    files
}

#[test]
fn ignore_files_added_by_the_pr_hide_no_tracked_file() {
    let repo = committed(&[("main.tf", BUCKET), ("infra/b.tf", BUCKET)]);
    let root = repo.path();
    std::fs::write(root.join(".ignore"), "*\n").unwrap();
    std::fs::write(root.join(".gitignore"), "*.tf\ninfra/\n").unwrap();
    std::fs::create_dir_all(root.join(".git/info")).unwrap();
    std::fs::write(root.join(".git/info/exclude"), "*\n").unwrap();
    // Untracked and ignored: not scanned. Untracked and not ignored: scanned.
    std::fs::write(root.join("ignored.tf"), BUCKET).unwrap();
    std::fs::create_dir_all(root.join("new")).unwrap();
    std::fs::write(root.join("new/c.yaml.tf"), BUCKET).unwrap();
    std::fs::write(root.join(".gitignore"), "*.tf\ninfra/\n!new/*.tf\n").unwrap();
    let scan = || {
        json(&run_in(
            root,
            &["check", ".", "--no-config", "--format", "json"],
        ))
    };
    // `.git/info/exclude` says `*`: every tracked file is still scanned, untracked ones not.
    assert_eq!(files_with(&scan(), "AWS-S3-004"), ["infra/b.tf", "main.tf"]);
    std::fs::write(root.join(".git/info/exclude"), "").unwrap();
    assert_eq!(
        files_with(&scan(), "AWS-S3-004"),
        ["infra/b.tf", "main.tf", "new/c.yaml.tf"]
    );
    // The same from a subdirectory given as a path.
    let v = json(&run_in(
        root,
        &["check", "infra", "--no-config", "--format", "json"],
    ));
    assert_eq!(files_with(&v, "AWS-S3-004"), ["infra/b.tf"]);
}

#[test]
fn outside_git_gitignore_counts_and_dot_ignore_does_not() {
    let repo = temp_repo(&[
        ("main.tf", BUCKET),
        ("gone/b.tf", BUCKET),
        (".gitignore", "gone/\n"),
        (".ignore", "*\n"),
    ]);
    let v = json(&run_in(
        repo.path(),
        &["check", ".", "--no-config", "--format", "json"],
    ));
    assert_eq!(files_with(&v, "AWS-S3-004"), ["main.tf"]);
}

#[test]
fn files_excluded_by_configuration_are_counted_in_the_summary() {
    let repo = committed(&[
        ("a.tf", BUCKET),
        ("b/b.tf", BUCKET),
        (".isolint.yaml", "exclude: [\"b/\", \"a.tf\"]\n"),
    ]);
    let out = run_in(repo.path(), &["check", "."]);
    let text = stdout(&out);
    assert!(text.contains("2 files excluded by configuration"), "{text}");
    let out = run_in(repo.path(), &["check", ".", "--format", "markdown"]);
    assert!(
        stdout(&out).contains("2 files excluded by the isolint configuration"),
        "{}",
        stdout(&out)
    );
}

/// A repository whose `feature` branch changed `cfg/prod-clé.env` (and other odd names)
/// while `main` moved on with its own change.
fn branched() -> tempfile::TempDir {
    let repo = committed(&[("base.tf", BUCKET), ("sub/keep.txt", "x\n")]);
    let root = repo.path();
    git(root, &["checkout", "-qb", "feature"]);
    std::fs::create_dir_all(root.join("cfg")).unwrap();
    for name in ["cfg/prod-clé.env", "cfg/tab\there.tf", "cfg/quo\"te\\.tf"] {
        std::fs::write(root.join(name), BUCKET).unwrap();
    }
    git(root, &["add", "-A"]);
    git(root, &["commit", "-qm", "feature"]);
    git(root, &["checkout", "-q", "main"]);
    // A change on the base branch only: not the pull request's.
    std::fs::write(root.join("base.tf"), BUCKET.replace("acme", "moved")).unwrap();
    git(root, &["add", "-A"]);
    git(root, &["commit", "-qm", "main moves on"]);
    git(root, &["checkout", "-q", "feature"]);
    // Untracked, not ignored: changed too.
    std::fs::write(root.join("untracked.tf"), BUCKET).unwrap();
    repo
}

#[test]
fn changed_since_sees_odd_names_untracked_files_and_uses_the_merge_base() {
    let repo = branched();
    let root = repo.path();
    let args = ["--no-config", "--format", "json", "--changed-since", "main"];
    let v = json(&run_in(root, &[&["check", "."][..], &args].concat()));
    let expected = ["cfg/quo\"te\\.tf", "cfg/tab\there.tf", "untracked.tf"];
    assert_eq!(files_with(&v, "AWS-S3-004"), expected, "{v}");
    // `prod-clé.env` is read (its name reached the scan), not a finding of this rule.
    assert!(v["summary"]["files_scanned"].as_u64().unwrap() >= 4, "{v}");
    // From a subdirectory, with `..` and with an absolute path: the same files.
    let sub = root.join("sub");
    let v = json(&run_in(&sub, &[&["check", ".."][..], &args].concat()));
    let up: Vec<String> = expected.iter().map(|f| format!("../{f}")).collect();
    assert_eq!(files_with(&v, "AWS-S3-004"), up, "{v}");
    let abs = root.to_string_lossy().into_owned();
    let v = json(&run_in(
        &sub,
        &[&["check", abs.as_str()][..], &args].concat(),
    ));
    assert_eq!(files_with(&v, "AWS-S3-004"), up, "{v}");
    // A scan path narrows: `sub` changed nothing.
    let v = json(&run_in(&sub, &[&["check", "."][..], &args].concat()));
    assert!(files_with(&v, "AWS-S3-004").is_empty(), "{v}");
}

#[test]
fn changed_since_names_a_secret_in_a_non_ascii_file() {
    let repo = committed(&[("a.txt", "x\n")]);
    let root = repo.path();
    std::fs::create_dir_all(root.join("cfg")).unwrap();
    std::fs::write(
        root.join("cfg/prod-clé.env"),
        "AWS_SECRET_ACCESS_KEY=Zq9xW2vB7nM4kL1pR8tY6uI3oP0aS5dF2gH7jK9l\n",
    )
    .unwrap();
    git(root, &["add", "-A"]);
    git(root, &["commit", "-qm", "key"]);
    let out = run_in(
        root,
        &[
            "check",
            ".",
            "--no-config",
            "--format",
            "json",
            "--changed-since",
            "HEAD~1",
        ],
    );
    let v = json(&out);
    let files: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["file"].as_str())
        .collect();
    assert!(files.contains(&"cfg/prod-clé.env"), "{v}");
}

#[test]
fn changed_since_refuses_options_missing_refs_and_non_repositories() {
    let repo = committed(&[("a.tf", BUCKET)]);
    let root = repo.path();
    let victim = root.join("victim.txt");
    std::fs::write(&victim, "keep me\n").unwrap();
    let opt = format!("--changed-since=--output={}", victim.display());
    let out = run_in(root, &["check", ".", "--no-config", &opt]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("not a git ref"), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep me\n");

    let out = run_in(
        root,
        &[
            "check",
            ".",
            "--no-config",
            "--changed-since",
            "origin/nope",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("fetch-depth"), "{err}");
    assert!(!err.contains("usage:"), "{err}");

    let plain = temp_repo(&[("a.tf", BUCKET)]);
    let out = run_in(
        plain.path(),
        &["check", ".", "--no-config", "--changed-since", "HEAD"],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("needs a git repository"), "{err}");
    assert!(!err.contains("usage:"), "{err}");
}

#[test]
fn symlinks_out_of_the_tree_are_reported_never_read() {
    let outside = temp_repo(&[("secret.env", "FROM nowhere-SECRET-LINE\n")]);
    let secret = outside.path().join("secret.env");
    let repo = committed(&[
        ("main.tf", BUCKET),
        ("inside/real.txt", "FROM alpine:3.20\n"),
    ]);
    let root = repo.path();
    std::os::unix::fs::symlink(&secret, root.join("Dockerfile")).unwrap();
    std::os::unix::fs::symlink(
        "../../../../../../../../../etc/passwd",
        root.join("leak.env"),
    )
    .unwrap();
    std::os::unix::fs::symlink("inside/real.txt", root.join("inside.Dockerfile")).unwrap();
    git(root, &["add", "-A"]);
    git(root, &["commit", "-qm", "links"]);
    for format in ["json", "human", "github", "markdown"] {
        let out = run_in(root, &["check", ".", "--no-config", "--format", format]);
        let all = format!("{}{}", stdout(&out), stderr(&out));
        assert!(!all.contains("SECRET-LINE"), "{format}: {all}");
        assert!(!all.contains("root:"), "{format}: {all}");
    }
    let v = json(&run_in(
        root,
        &["check", ".", "--no-config", "--format", "json"],
    ));
    for file in ["Dockerfile", "leak.env"] {
        let e = v["errors"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["file"] == file)
            .unwrap_or_else(|| panic!("{file} reported: {v}"));
        assert!(
            e["message"]
                .as_str()
                .unwrap()
                .contains("outside the scanned tree"),
            "{e}"
        );
    }
    // A link inside the tree is still read through; a link given by name is checked too.
    assert!(
        !v["errors"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["file"] == "inside.Dockerfile"),
        "{v}"
    );
    let out = run_in(
        root,
        &["check", "Dockerfile", "--no-config", "--format", "json"],
    );
    assert!(!stdout(&out).contains("SECRET-LINE"), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("outside the scanned tree"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn a_link_to_a_special_file_is_reported_not_read() {
    let repo = temp_repo(&[("main.tf", BUCKET)]);
    let root = repo.path();
    let fifo = root.join("pipe");
    let made = Command::new("mkfifo").arg(&fifo).status().expect("mkfifo");
    assert!(made.success());
    std::os::unix::fs::symlink("pipe", root.join("values.yaml")).unwrap();
    let out = Command::new(bin())
        .args(["check", ".", "--no-config", "--format", "json"])
        .current_dir(root)
        .output()
        .unwrap();
    let v = json(&out);
    let e = v["errors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["file"] == "values.yaml")
        .unwrap_or_else(|| panic!("{v}"));
    assert!(
        e["message"].as_str().unwrap().contains("special file"),
        "{e}"
    );
}

/// The lines of `out` that a GitHub runner would take for a workflow command, and any raw
/// control character other than LF and tab (the CR of a CRLF included: none is written).
fn forged(out: &[u8], format: &str) -> Vec<String> {
    let text = String::from_utf8_lossy(out);
    let mut bad: Vec<String> = text
        .split(['\n', '\r'])
        .filter(|l| l.starts_with("::"))
        .filter(|l| {
            format != "github"
                || !(l.starts_with("::error file=")
                    || l.starts_with("::warning file=")
                    || l.starts_with("::notice "))
                || l.starts_with("::error file=x::")
        })
        .map(str::to_owned)
        .collect();
    let colour = regex_lite_sgr(&text);
    bad.extend(
        colour
            .chars()
            .filter(|c| c.is_control() && !matches!(c, '\n' | '\t'))
            .map(|c| format!("raw {c:?}")),
    );
    bad
}

/// `text` without its SGR colour sequences (`ESC [ digits m`), which are allowed.
fn regex_lite_sgr(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find("\u{1b}[") {
        out.push_str(&rest[..at]);
        let tail = &rest[at + 2..];
        let n = tail
            .find(|c: char| !(c.is_ascii_digit() || c == ';'))
            .unwrap_or(tail.len());
        if tail[n..].starts_with('m') {
            rest = &tail[n + 1..];
        } else {
            out.push('\u{1b}');
            rest = &rest[at + 1..];
        }
    }
    out.push_str(rest);
    out
}

#[test]
fn no_output_format_lets_a_scanned_file_forge_a_workflow_command() {
    let repo = temp_repo(&[
        ("Dockerfile", "FROM ubuntu\r::stop-commands::x\nUSER root\n"),
        (
            "evil\n::error file=x::forged.tf",
            "resource \"aws_s3_bucket\" \"b\" {\n  bucket = \"a\u{1b}]0;title\u{7}\u{9b}2J\"\n}\n",
        ),
        (
            "crlf.tf",
            "resource \"aws_s3_bucket\" \"c\" {\r\n  bucket = \"c\"\r\n}\r\n",
        ),
        ("bad\u{1b}[2J.yaml", "a: [\n"),
    ]);
    for format in [
        "human",
        "github",
        "markdown",
        "coverage-md",
        "coverage-html",
    ] {
        for colour in ["never", "always"] {
            let out = Command::new(bin())
                .args([
                    "check",
                    ".",
                    "--no-config",
                    "--color",
                    colour,
                    "--format",
                    format,
                ])
                .current_dir(repo.path())
                .output()
                .unwrap();
            assert_eq!(out.status.code(), Some(1), "{format}: {}", stderr(&out));
            let bad = forged(&out.stdout, format);
            assert!(bad.is_empty(), "{format} --color {colour}: {bad:?}");
            assert!(forged(&out.stderr, "").is_empty(), "{}", stderr(&out));
        }
    }
}

#[test]
fn a_configuration_error_shows_no_raw_control_characters() {
    let repo = temp_repo(&[(
        ".isolint.yaml",
        "fail_on: \"x\r::stop-commands::y\u{1b}]0;t\u{7}\"\n",
    )]);
    for colour in ["never", "always"] {
        let out = run_in(repo.path(), &["check", ".", "--color", colour]);
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        assert!(forged(&out.stderr, "").is_empty(), "{:?}", stderr(&out));
    }
}

/// Runs `action/run.sh` in `dir` as the Action would, with isolint from this build on
/// PATH; returns (exit-code output, job summary, log).
fn run_action(dir: &Path, env: &[(&str, &str)]) -> (String, String, String) {
    let work = tempfile::tempdir().unwrap();
    let summary = work.path().join("summary.md");
    let output = work.path().join("output");
    let bin_dir = bin().parent().unwrap().to_path_buf();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = Command::new(crate::support::repo_root().join("action/run.sh"))
        .current_dir(dir)
        .env("PATH", path)
        .env("RUNNER_TEMP", work.path())
        .env("GITHUB_STEP_SUMMARY", &summary)
        .env("GITHUB_OUTPUT", &output)
        .env("ISOLINT_ANNOTATIONS", "true")
        .envs(env.iter().copied())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    (
        std::fs::read_to_string(output).unwrap_or_default(),
        std::fs::read_to_string(summary).unwrap_or_default(),
        stdout(&out),
    )
}

#[test]
fn the_action_takes_the_configuration_from_the_base_and_warns_when_the_pr_changes_it() {
    let repo = committed(&[
        ("main.tf", BUCKET),
        (".isolint.yaml", "select: [AWS-S3-004]\n"),
    ]);
    let root = repo.path();
    git(root, &["checkout", "-qb", "pr"]);
    std::fs::write(root.join(".isolint.yaml"), "ignore: [\"*\"]\n").unwrap();
    git(root, &["commit", "-qam", "switch everything off"]);
    // Without config-from-ref: the PR's configuration applies, and the summary says so.
    let (output, summary, _) = run_action(root, &[("ISOLINT_CHANGED_SINCE", "main")]);
    assert!(output.contains("exit-code=0"), "{output}");
    assert!(
        summary.contains("modifies the isolint configuration"),
        "{summary}"
    );
    // With it: the base's configuration applies and the finding is back.
    let (output, summary, log) = run_action(root, &[("ISOLINT_CONFIG_FROM_REF", "main")]);
    assert!(output.contains("exit-code=1"), "{output}\n{log}");
    assert!(
        summary.contains("used the configuration of main"),
        "{summary}"
    );
    assert!(log.contains("AWS-S3-004"), "{log}");
    let (output, _, _) = run_action(root, &[("ISOLINT_CONFIG_FROM_REF", "--output=x")]);
    assert!(output.contains("exit-code=2"), "{output}");
}

#[test]
fn configuration_rule_packs_stay_in_the_repository_and_files_are_capped() {
    let pack = temp_repo(&[("p.yaml", "rules: []\n")]);
    let outside = pack.path().to_string_lossy().into_owned();
    let repo = committed(&[
        ("main.tf", BUCKET),
        (".isolint.yaml", &format!("rules: [\"{outside}\"]\n")),
    ]);
    let out = run_in(repo.path(), &["check", "."]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("outside the repository"),
        "{}",
        stderr(&out)
    );
    // The same directory given by the user on the command line is fine.
    let out = run_in(
        repo.path(),
        &["check", ".", "--no-config", "--rules", &outside],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));

    // A baseline or configuration that is a device or huge is refused quickly.
    for args in [
        &["check", ".", "--no-config", "--baseline", "/dev/zero"][..],
        &["check", ".", "--config", "/dev/zero"][..],
    ] {
        let started = std::time::Instant::now();
        let out = run_in(repo.path(), args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(started.elapsed().as_secs() < 20);
    }
    std::fs::write(
        repo.path().join("big.yaml"),
        format!("exclude: [{}]\n", "\"x\",".repeat(400_000)),
    )
    .unwrap();
    let out = run_in(repo.path(), &["check", ".", "--config", "big.yaml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("limit"), "{}", stderr(&out));
}

/// Valid Terraform (`terraform validate` accepts each) that must parse: each file also
/// declares a bucket, whose AWS-S3-004 finding shows the file was analysed.
const TERRAFORM_ODDITIES: &[(&str, &str)] = &[
    (
        "number-beyond-f64.tf",
        "locals {\n  big = 1e400\n  neg = -1e400\n  huge = 1.5E+999\n}\n",
    ),
    (
        "long-integer.tf",
        "locals {\n  n = 99999999999999999999999999999999999999\n}\n",
    ),
    (
        "lone-cr-in-comment.tf",
        "# first\rsecond\n// also\rhere\n/* and\r*/\n",
    ),
    ("crlf.tf", "locals {\r\n  a = 1 # note\r\n}\r\n"),
    (
        "number-beyond-f64-in-interpolation.tf",
        "variable \"a\" {\n  default = 2\n}\nlocals {\n  s = \"${1e400}\"\n  x = \"${var.a * 1e400}\"\n  n = \"${\"${-1e400}\"}\"\n  d = \"%{ if 1e400 > 0 }big%{ endif }\"\n}\n",
    ),
    (
        "number-beyond-f64-in-heredoc.tf",
        "locals {\n  h = <<-EOT\n    ${1e400} and $${1e400}\n  EOT\n}\n",
    ),
    (
        "tiny-and-negative-numbers.tf",
        "locals {\n  tiny = 1e-400\n  neg = -1e400\n}\n",
    ),
    (
        "lone-cr-in-heredoc.tf",
        "locals {\n  h = <<EOT\nab\rcd\nEOT\n}\n",
    ),
    (
        "lone-cr-in-block-comment.tf",
        "/* one\rtwo\r\r */\nlocals {}\n",
    ),
];

#[test]
fn valid_terraform_oddities_parse() {
    let files: Vec<(String, String)> = TERRAFORM_ODDITIES
        .iter()
        .enumerate()
        .map(|(i, (name, text))| {
            let dir = format!("m{i}/{name}");
            let bucket = BUCKET.replace("\"b\"", &format!("\"b{i}\""));
            (dir, format!("{text}{bucket}"))
        })
        .collect();
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let repo = temp_repo(&refs);
    let v = json(&run_in(
        repo.path(),
        &["check", ".", "--no-config", "--format", "json"],
    ));
    assert_eq!(v["errors"], serde_json::json!([]), "{v}");
    let expected: Vec<String> = files.iter().map(|(f, _)| f.clone()).collect();
    let mut expected = expected;
    expected.sort();
    assert_eq!(files_with(&v, "AWS-S3-004"), expected);
}

/// A Terraform file past the node budget (1.4 GB of syntax tree for 14 MB of `0,` before)
/// is a limit error at the line where it passes the budget; the other modules are analysed.
#[test]
fn a_terraform_list_of_a_million_zeros_is_a_limit_not_gigabytes() {
    let zeros = "0,".repeat(1_000_001);
    let tf = format!("locals {{\n  a = 1\n  x = [\n{zeros}0]\n}}\n");
    let tf_json = format!("{{\"locals\": {{\"x\": [{zeros}0]}}}}");
    let repo = temp_repo(&[
        ("big/main.tf", &tf),
        ("bigjson/main.tf.json", &tf_json),
        ("main.tf", BUCKET),
    ]);
    let started = std::time::Instant::now();
    let v = json(&run_in(
        repo.path(),
        &["check", ".", "--no-config", "--format", "json"],
    ));
    for (file, line) in [("big/main.tf", 4), ("bigjson/main.tf.json", 1)] {
        let e = v["errors"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["file"] == file)
            .unwrap_or_else(|| panic!("{file}: {v}"));
        assert_eq!(e["kind"], "limit", "{e}");
        assert_eq!(e["line"], line, "{e}");
    }
    assert_eq!(files_with(&v, "AWS-S3-004"), ["main.tf"]);
    assert!(started.elapsed().as_secs() < 30, "{:?}", started.elapsed());
}

#[test]
fn a_json_array_of_a_million_zeros_is_a_limit_not_gigabytes() {
    let zeros = format!("[{}0]", "0,".repeat(1_000_001));
    let repo = temp_repo(&[("zeros.json", &zeros), ("main.tf", BUCKET)]);
    let started = std::time::Instant::now();
    let v = json(&run_in(
        repo.path(),
        &["check", ".", "--no-config", "--format", "json"],
    ));
    let e = v["errors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["file"] == "zeros.json")
        .unwrap_or_else(|| panic!("{v}"));
    assert_eq!(e["kind"], "limit", "{e}");
    assert_eq!(files_with(&v, "AWS-S3-004"), ["main.tf"]);
    assert!(started.elapsed().as_secs() < 30, "{:?}", started.elapsed());
}

/// Ten thousand bucket instances from a 200-byte file: the log-target relation is looked
/// up, not compared pairwise (71 s before, 2 s after in a debug build on 2 cores).
#[test]
fn ten_thousand_counted_buckets_are_not_quadratic() {
    let tf: String = (0..5)
        .map(|i| {
            format!(
                "resource \"aws_s3_bucket\" \"b{i}\" {{\n  count = 2000\n  bucket = \"b{i}-${{count.index}}\"\n}}\n"
            )
        })
        .collect();
    let repo = temp_repo(&[("main.tf", &tf)]);
    let started = std::time::Instant::now();
    let out = run_in(
        repo.path(),
        &["check", ".", "--no-config", "--format", "json"],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        started.elapsed().as_secs() < 40,
        "took {:?}",
        started.elapsed()
    );
}

/// Pods in one namespace and NetworkPolicies whose selectors only exclude labels (none
/// can be looked up by a label the pod has), each distinct, none selecting a pod.
fn pods_and_excluding_policies(ns: &str, n: usize, tier: impl Fn(usize) -> String) -> String {
    let mut out = String::new();
    for i in 0..n {
        out.push_str(&format!(
            "---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: p{i}\n  namespace: {ns}\n  labels: {{app: web-{i}, tier: {}}}\nspec:\n  containers: [{{name: c, image: 'nginx:1.0'}}]\n",
            tier(i)
        ));
    }
    for i in 0..n {
        out.push_str(&format!(
            "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: n{i}\n  namespace: {ns}\nspec:\n  podSelector:\n    matchExpressions:\n      - {{key: app, operator: DoesNotExist}}\n      - {{key: tier, operator: NotIn, values: [t{i}]}}\n"
        ));
    }
    out
}

/// 6,000 pods × 6,000 NetworkPolicies that only exclude labels: the selection is decided
/// once per label set the selectors can tell apart, within a work bound per set, instead
/// of pods × policies (release build: 20k × 20k took 59 s before). Pods no selector
/// tells apart get the exact answer (a gap each); pods that each need their own answer
/// get an unknown past the bound, reported with --strict.
#[test]
fn network_policies_that_only_exclude_labels_are_not_joined_pairwise() {
    let shared = pods_and_excluding_policies("shared", 3000, |_| "web".into());
    let apart = pods_and_excluding_policies("apart", 3000, |i| format!("t{}", i + 1));
    let repo = temp_repo(&[("shared.yaml", &shared), ("apart.yaml", &apart)]);
    let started = std::time::Instant::now();
    let v = json(&run_in(
        repo.path(),
        &["check", ".", "--no-config", "--strict", "--format", "json"],
    ));
    let elapsed = started.elapsed();
    let gaps = |unknown: bool| {
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule_id"] == "K8S-NET-001")
            .filter(|f| (f["confidence"] == "low") == unknown)
            .map(|f| f["file"].as_str().unwrap_or_default().to_owned())
            .collect::<Vec<_>>()
    };
    let definite = gaps(false);
    assert_eq!(definite.len(), 3000, "{v:.2000}");
    assert!(definite.iter().all(|f| f == "shared.yaml"));
    assert!(gaps(true).iter().all(|f| f == "apart.yaml"));
    assert!(elapsed.as_secs() < 60, "took {elapsed:?}");
}

/// The other cross-resource checks, each fed many resources on both sides of its
/// relation (release build, 10,000 on each side: related 17.8 s -> 0.8 s, account
/// settings 6.3 s -> 0.9 s, 20,000 terraform blocks 38 s -> 0.7 s, 8,000 pinned jobs
/// > 100 s -> 0.6 s, 5,000 documents / policies / roles 12.1 s -> 0.5 s).
#[test]
fn cross_resource_checks_are_not_pairwise() {
    let n = 5000;
    let related = format!(
        "resource \"aws_s3_bucket\" \"b\" {{\n  count  = {n}\n  bucket = \"b-${{count.index}}\"\n}}\nresource \"aws_s3_bucket_versioning\" \"v\" {{\n  count  = {n}\n  bucket = aws_s3_bucket.b[count.index].id\n  versioning_configuration {{\n    status = \"Enabled\"\n  }}\n}}\n"
    );
    let account = format!(
        "resource \"aws_ebs_encryption_by_default\" \"e\" {{\n  count   = {n}\n  enabled = false\n}}\nresource \"aws_ebs_volume\" \"v\" {{\n  count             = {n}\n  availability_zone = \"x\"\n  size              = 1\n}}\n"
    );
    let provider =
        "terraform {\n  required_providers {\n    aws = { source = \"hashicorp/aws\" }\n  }\n}\n"
            .repeat(2 * n)
            + &format!(
                "resource \"aws_redshift_cluster\" \"c\" {{\n  count              = {n}\n  cluster_identifier = \"c\"\n  node_type          = \"dc2.large\"\n}}\n"
            );
    let sha = "8e5e7e5ab8b370d6c329ec480221332ada57f0ab";
    let jobs: String = (0..4000)
        .map(|i| {
            let v = if i == 0 { 2 } else { 1 };
            format!("  j{i}:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@{sha} # v4.{v}.0\n")
        })
        .collect();
    let workflow = format!("on: push\npermissions: {{}}\njobs:\n{jobs}");
    // Bucket policies and IAM policies built from documents, roles bounded by the IAM
    // policies (a document was checked against every policy and every role: cubic).
    let policies = format!(
        "data \"aws_iam_policy_document\" \"d\" {{\n  count = {n}\n  statement {{\n    actions   = [\"s3:GetObject\"]\n    resources = [\"arn:aws:s3:::b/*\"]\n    principals {{\n      type        = \"*\"\n      identifiers = [\"*\"]\n    }}\n  }}\n}}\nresource \"aws_s3_bucket_policy\" \"p\" {{\n  count  = {n}\n  bucket = \"b\"\n  policy = data.aws_iam_policy_document.d[count.index].json\n}}\nresource \"aws_iam_policy\" \"i\" {{\n  count  = {n}\n  policy = data.aws_iam_policy_document.d[count.index].json\n}}\nresource \"aws_iam_role\" \"r\" {{\n  count                = {n}\n  assume_role_policy   = \"{{}}\"\n  permissions_boundary = aws_iam_policy.i[count.index].arn\n}}\n"
    );
    // Many stages with distinct aliases, and many CMDs in the last one.
    let dockerfile = (0..10_000)
        .map(|i| format!("FROM alpine:3.19 AS s{i}\n"))
        .collect::<String>()
        + &"CMD x\n".repeat(40_000);
    let repo = temp_repo(&[
        ("related/main.tf", &related),
        ("account/main.tf", &account),
        ("provider/main.tf", &provider),
        (".github/workflows/ci.yml", &workflow),
        ("policies/main.tf", &policies),
        ("Dockerfile", &dockerfile),
    ]);
    let started = std::time::Instant::now();
    let v = json(&run_in(
        repo.path(),
        &["check", ".", "--no-config", "--format", "json"],
    ));
    let elapsed = started.elapsed();
    let count = |rule: &str, file: &str| {
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule_id"] == rule && f["file"] == file)
            .count()
    };
    // Every bucket found its versioning block; every volume lacks encryption (the
    // account setting is off); the one job claiming v4.2.0 for the v4.1.0 SHA is odd.
    assert_eq!(count("AWS-S3-004", "related/main.tf"), 0, "{v:.2000}");
    assert_eq!(count("AWS-EBS-001", "account/main.tf"), n, "{v:.2000}");
    assert_eq!(count("GHA-027", ".github/workflows/ci.yml"), 1, "{v:.2000}");
    // Every bucket policy is public through its document; every CMD but the last is moot.
    assert_eq!(count("AWS-S3-020", "policies/main.tf"), n, "{v:.2000}");
    assert_eq!(count("DOCKER-033", "Dockerfile"), 40_000 - 1, "{v:.2000}");
    assert!(elapsed.as_secs() < 120, "took {elapsed:?}");
}

/// An expensive local in one file of a module leaves a literal elsewhere in it known.
#[test]
fn one_expensive_local_does_not_switch_its_module_off() {
    let repo = temp_repo(&[
        (
            "heavy.tf",
            "locals {\n  big = [for a in range(10000) : [for b in range(10000) : a * b]]\n}\n",
        ),
        (
            "main.tf",
            "resource \"aws_s3_bucket\" \"b\" {\n  bucket = \"x\"\n  acl    = \"public-read\"\n}\n",
        ),
    ]);
    let out = run_in(
        repo.path(),
        &[
            "check",
            ".",
            "--no-config",
            "--fail-on",
            "high",
            "--format",
            "json",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let v = json(&out);
    assert_eq!(files_with(&v, "AWS-S3-002"), ["main.tf"]);
    assert!(
        v["errors"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["file"] == "heavy.tf" && e["kind"] == "limit"),
        "{v}"
    );
}
