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

#[test]
fn each_command_offers_only_its_own_flags() {
    let dir = temp_repo(&[]);
    let help = |cmd: &str| stdout(&run_in(dir.path(), &[cmd, "--help"]));
    for cmd in ["resources", "baseline"] {
        let h = help(cmd);
        for flag in [
            "--format",
            "--fail-on",
            "--output",
            "--changed-since",
            "--color",
        ] {
            assert!(!h.contains(flag), "`{cmd} --help` offers {flag}:\n{h}");
        }
    }
    assert!(!help("rules").contains("--all"));
    assert!(help("controls").contains("--all"));
    let out = run_in(dir.path(), &["resources", "--format", "sarif"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn an_unknown_output_format_lists_the_known_ones() {
    let dir = temp_repo(&[]);
    let out = run_in(dir.path(), &["check", ".", "-o", "xml=out.xml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("known: human, concise, json, sarif"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn stdout_carries_one_document() {
    let repo = temp_repo(&[("main.tf", OPEN_BUCKET)]);
    let out = run_in(
        repo.path(),
        &["check", ".", "--format", "json", "-o", "json=-"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("stdout can carry one document"));
    // `-o json=-` alone replaces the human report.
    let out = run_in(
        repo.path(),
        &["check", ".", "-o", "json=-", "--fail-on", "never"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let _: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON document");
    // Line streams may share it (the Action's log and its annotations).
    let out = run_in(
        repo.path(),
        &["check", ".", "-o", "github=-", "--fail-on", "never"],
    );
    let text = stdout(&out);
    assert!(text.contains("::warning") || text.contains("::error") || text.contains("::notice"));
    assert!(text.contains("isolint:"), "{text}");
}

#[test]
fn rule_and_control_tables_align_and_count() {
    let dir = temp_repo(&[]);
    let rules = stdout(&run_in(dir.path(), &["rules"]));
    let lines: Vec<&str> = rules.lines().collect();
    assert!(lines[0].starts_with("ID "), "{}", lines[0]);
    // Every title starts in the same column as the header's TITLE.
    let col = lines[0].find("TITLE").expect("header");
    for l in &lines[1..lines.len() - 1] {
        assert_eq!(l.as_bytes()[col - 1], b' ', "misaligned: {l}");
        assert_ne!(l.as_bytes()[col], b' ', "misaligned: {l}");
    }
    let one = temp_repo(&[(
        "rules/one.yaml",
        "rules:\n  - id: ACME-A-VERY-LONG-RULE-ID-001\n    name: one\n    title: One\n    severity: low\n    controls: [\"5.9\"]\n    resources: [aws_s3_bucket]\n    check: { present: tags.owner }\n    message: m\n    remediation: r\n",
    )]);
    let out = run_in(
        one.path(),
        &["rules", "--rules", "rules", "--no-builtin-rules"],
    );
    assert!(
        stdout(&out).ends_with("\n1 rule\n"),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    let controls = stdout(&run_in(dir.path(), &["controls"]));
    assert!(controls.starts_with("CONTROL"), "{controls}");
}

#[test]
fn markdown_summary_counts_every_control_of_a_finding() {
    let root = crate::support::repo_root();
    let json = crate::support::json(&run_in(
        &root,
        &["check", "fixtures/showcase", "-f", "json", "--no-config"],
    ));
    let md = stdout(&run_in(
        &root,
        &[
            "check",
            "fixtures/showcase",
            "-f",
            "markdown",
            "--no-config",
        ],
    ));
    let mut per: std::collections::BTreeMap<String, usize> = Default::default();
    for f in json["findings"].as_array().expect("findings") {
        if f["suppressed"] == true {
            continue;
        }
        for c in f["controls"].as_array().expect("controls") {
            *per.entry(c.as_str().unwrap_or_default().to_owned())
                .or_default() += 1;
        }
    }
    assert!(per.contains_key("8.4"), "{per:?}");
    for (control, n) in per {
        let anchor = format!("](#iso-{}) | {n} |", control.replace('.', "-"));
        assert!(md.contains(&anchor), "{control}: {n} expected in\n{md}");
    }
}

#[test]
fn concise_quiet_and_no_color() {
    let repo = temp_repo(&[
        ("main.tf", OPEN_BUCKET),
        (".isolint.yaml", "select: [AWS-S3-004]\n"),
    ]);
    let out = run_in(repo.path(), &["check", ".", "-f", "concise", "--no-color"]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    let first = text.lines().next().expect("a line");
    assert!(
        first.starts_with("main.tf:1:1: AWS-S3-004 [medium] aws_s3_bucket.reports"),
        "{text}"
    );
    assert!(text.contains("isolint: 1 finding"), "{text}");
    let quiet = stdout(&run_in(repo.path(), &["check", ".", "-f", "concise", "-q"]));
    assert_eq!(quiet.lines().count(), 1, "{quiet}");
    let quiet_human = stdout(&run_in(repo.path(), &["check", ".", "--quiet"]));
    assert!(!quiet_human.contains("isolint: 1 finding"), "{quiet_human}");
    assert!(quiet_human.contains("AWS-S3-004"));
}

#[test]
fn manifests_from_stdin_are_classified_by_their_given_name() {
    use std::io::Write as _;
    let dir = temp_repo(&[]);
    let pod = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: c\n    image: nginx\n    securityContext:\n      privileged: true\n";
    let mut child = std::process::Command::new(crate::support::bin())
        .args([
            "check",
            "-",
            "--stdin-filename",
            "chart/pod.yaml",
            "-f",
            "concise",
        ])
        .current_dir(dir.path())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(pod.as_bytes())
        .expect("write");
    let out = child.wait_with_output().expect("exits");
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(text.contains("chart/pod.yaml:"), "{text}");
    assert!(text.contains("K8S-POD-"), "{text}");
    let bad = run_in(dir.path(), &["check", "-", "--stdin-filename", "../x.yaml"]);
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn rule_accepts_names_and_suggests_near_ids() {
    let dir = temp_repo(&[]);
    let by_name = run_in(dir.path(), &["rule", "s3-bucket-without-versioning"]);
    assert!(
        stdout(&by_name).starts_with("# AWS-S3-004"),
        "{}",
        stdout(&by_name)
    );
    let typo = run_in(dir.path(), &["rule", "AWS-S3-0044"]);
    assert_eq!(typo.status.code(), Some(2));
    assert!(
        stderr(&typo).contains("did you mean AWS-S3-004"),
        "{}",
        stderr(&typo)
    );
}

#[test]
fn completions_man_page_and_init() {
    let dir = temp_repo(&[]);
    let bash = run_in(dir.path(), &["completions", "bash"]);
    assert!(stdout(&bash).contains("_isolint()"));
    let man = run_in(dir.path(), &["man"]);
    assert!(stdout(&man).contains(".TH isolint 1"));
    let init = run_in(dir.path(), &["init"]);
    assert_eq!(init.status.code(), Some(0), "{}", stderr(&init));
    assert!(stdout(&init).contains("uses: OWNER/isolint@"));
    assert!(stdout(&init).contains("- id: isolint"));
    assert!(dir.path().join(".isolint.yaml").is_file());
    // The written configuration is accepted, and init does not overwrite it.
    assert_eq!(run_in(dir.path(), &["check", "."]).status.code(), Some(0));
    assert_eq!(run_in(dir.path(), &["init"]).status.code(), Some(2));
}

const STALE_IGNORE: &str = "# isolint:ignore AWS-S3-004 -- scratch bucket\nresource \"aws_s3_bucket\" \"b\" {\n  bucket = \"b\"\n}\nresource \"aws_s3_bucket_versioning\" \"b\" {\n  bucket = aws_s3_bucket.b.id\n  versioning_configuration {\n    status = \"Enabled\"\n  }\n}\n";

#[test]
fn meta_rules_are_rules_like_the_others() {
    let dir = temp_repo(&[]);
    let rule = run_in(dir.path(), &["rule", "ISOLINT-SUPPRESS-003"]);
    assert_eq!(rule.status.code(), Some(0), "{}", stderr(&rule));
    assert!(stdout(&run_in(dir.path(), &["rules"])).contains("ISOLINT-SUPPRESS-003"));
    let controls = stdout(&run_in(dir.path(), &["controls"]));
    let line = controls
        .lines()
        .find(|l| l.starts_with("5.36 "))
        .expect("5.36 listed");
    assert!(line.contains("    3  "), "{line}");

    // A stale directive is reported; `ignore` silences it like any rule.
    let repo = temp_repo(&[("main.tf", STALE_IGNORE)]);
    let out = run_in(
        repo.path(),
        &["check", ".", "-f", "concise", "--fail-on", "info"],
    );
    assert!(
        stdout(&out).contains("ISOLINT-SUPPRESS-003"),
        "{}",
        stdout(&out)
    );
    std::fs::write(
        repo.path().join(".isolint.yaml"),
        "ignore: [\"ISOLINT-SUPPRESS-*\"]\n",
    )
    .expect("write");
    let out = run_in(
        repo.path(),
        &["check", ".", "-f", "concise", "--fail-on", "info"],
    );
    assert!(
        !stdout(&out).contains("ISOLINT-SUPPRESS"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn select_turns_meta_rules_off_unless_it_names_them() {
    let repo = temp_repo(&[("main.tf", STALE_IGNORE)]);
    let concise = |config: &str| {
        std::fs::write(repo.path().join(".isolint.yaml"), config).expect("write");
        stdout(&run_in(
            repo.path(),
            &["check", ".", "-f", "concise", "--fail-on", "info"],
        ))
    };
    let only_aws = concise("select: [\"AWS-*\"]\n");
    assert!(!only_aws.contains("ISOLINT-SUPPRESS"), "{only_aws}");
    let with_meta = concise("select: [\"AWS-*\", \"ISOLINT-*\"]\n");
    assert!(with_meta.contains("ISOLINT-SUPPRESS-003"), "{with_meta}");
}

#[test]
fn prose_quoting_the_directive_is_not_judged() {
    let readme = "Suppress inline:\n\n```hcl\n# isolint:ignore AWS-S3-004 until 2020-01-01 -- scratch\n```\n\nor `# isolint:ignore AWS-S3-004` without a reason.\n";
    let repo = temp_repo(&[("README.md", readme)]);
    let out = run_in(
        repo.path(),
        &["check", ".", "-f", "concise", "--fail-on", "info"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
}

#[test]
fn a_baseline_accepts_meta_findings_too() {
    let repo = temp_repo(&[("main.tf", STALE_IGNORE)]);
    let base = run_in(repo.path(), &["baseline", "."]);
    assert_eq!(base.status.code(), Some(0), "{}", stderr(&base));
    let out = run_in(
        repo.path(),
        &[
            "check",
            ".",
            "--baseline",
            ".isolint-baseline.json",
            "--fail-on",
            "info",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
}

#[test]
fn excludes_are_relative_to_the_config_file_and_cover_named_files() {
    let outer = temp_repo(&[
        ("repo/.isolint.yaml", "exclude: [\"legacy/**\"]\n"),
        ("repo/legacy/main.tf", OPEN_BUCKET),
        ("repo/app/main.tf", OPEN_BUCKET),
    ]);
    let files = |dir: &std::path::Path, args: &[&str]| -> Vec<String> {
        let mut v: Vec<String> = stdout(&run_in(dir, args))
            .lines()
            .filter_map(|l| l.split(':').next())
            .map(|f| f.trim_start_matches("repo/").to_owned())
            .collect();
        v.sort();
        v.dedup();
        v
    };
    let repo = outer.path().join("repo");
    let inside = files(&repo, &["check", ".", "-f", "concise", "-q"]);
    let outside = files(outer.path(), &["check", "repo", "-f", "concise", "-q"]);
    assert_eq!(inside, vec!["app/main.tf".to_owned()]);
    assert_eq!(inside, outside);
    let named = files(&repo, &["check", "legacy/main.tf", "-f", "concise", "-q"]);
    assert!(named.is_empty(), "{named:?}");
}

#[test]
fn sarif_uris_are_relative_to_the_repository_root_from_anywhere() {
    let outer = temp_repo(&[
        ("repo/.git/HEAD", "ref: refs/heads/main\n"),
        ("repo/infra/main.tf", OPEN_BUCKET),
    ]);
    let repo = std::fs::canonicalize(outer.path().join("repo")).expect("canonical");
    let abs = repo.join("infra").to_string_lossy().into_owned();
    let uris = |dir: &std::path::Path, path: &str| -> (Vec<String>, String) {
        let v = crate::support::json(&run_in(dir, &["check", path, "-f", "sarif", "--no-config"]));
        let run = &v["runs"][0];
        let uris = run["results"]
            .as_array()
            .expect("results")
            .iter()
            .map(|r| {
                let loc = &r["locations"][0]["physicalLocation"]["artifactLocation"];
                assert_eq!(loc["uriBaseId"], "%SRCROOT%", "{loc}");
                loc["uri"].as_str().unwrap_or_default().to_owned()
            })
            .collect();
        let base = run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        (uris, base)
    };
    let (from_abs, base) = uris(std::path::Path::new("/"), &abs);
    assert!(!from_abs.is_empty());
    assert!(
        from_abs.iter().all(|u| u == "infra/main.tf"),
        "{from_abs:?}"
    );
    assert!(base.ends_with("/repo/"), "{base}");
    assert_eq!(uris(&repo, "infra"), (from_abs.clone(), base.clone()));
    assert_eq!(uris(&repo.join("infra"), "."), (from_abs, base));
}

#[test]
fn a_duplicate_key_is_a_finding_and_the_file_is_still_checked() {
    let pod = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  name: q\nspec:\n  containers:\n  - name: c\n    image: nginx\n    securityContext:\n      privileged: true\n";
    let repo = temp_repo(&[("pod.yaml", pod)]);
    let out = run_in(repo.path(), &["check", ".", "-f", "concise"]);
    let text = stdout(&out);
    assert!(
        text.contains("pod.yaml:4:3: ISOLINT-YAML-001 [low] duplicate key `name`"),
        "{text}"
    );
    assert!(text.contains("K8S-"), "the pod is still checked: {text}");
    assert!(!text.contains("error[parse]"), "{text}");
    // The last key wins, as kubectl reads it.
    assert!(text.contains("v1/Pod/default/q"), "{text}");
}

#[test]
fn json_with_comments_is_not_a_parse_error() {
    let tsconfig =
        "{\n  \"a\": 1, // note: here\n  /* block\n   comment */\n  \"b\": \"x\" // end\n}\n";
    let settings = "{\n  // editor\n  \"editor.tabSize\": 2,\n}\n";
    let pod = "{\n  // a pod\n  \"apiVersion\": \"v1\", \"kind\": \"Pod\", \"metadata\": {\"name\": \"p\"},\n  \"spec\": {\"containers\": [{\"name\": \"c\", \"image\": \"nginx\", \"securityContext\": {\"privileged\": true}}]}\n}\n";
    let repo = temp_repo(&[
        ("tsconfig.json", tsconfig),
        (".vscode/settings.json", settings),
        ("k8s/pod.json", pod),
        ("broken.json", "{ \"a\": [1, }"),
    ]);
    let out = run_in(repo.path(), &["check", ".", "-f", "concise"]);
    let text = stdout(&out);
    assert!(!text.contains("error[parse]"), "{text}");
    assert!(text.contains("k8s/pod.json:"), "{text}");
}
