//! Every output format on the showcase repo (golden snapshots), plus the properties each
//! format promises: SARIF valid against the official schema, GitHub escaping, the
//! Markdown summary under GitHub's 1 MiB limit, a self-contained and escaped HTML report.
//!
//! Snapshots: `INSTA_UPDATE=always cargo test --test it formats` rewrites them; review the
//! diff. They change whenever a rule that fires on `fixtures/showcase` is added or edited.

use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;

use crate::support::{repo_root, run_in, stdout, temp_repo};

/// A fixed scan date (2026-01-15 09:30 UTC) so the evidence report is reproducible.
const SCAN_EPOCH: &str = "1768469400";

/// Runs isolint on the showcase from the crate root with a fixed date, colour off.
fn showcase(format: &str) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_isolint"))
        .args(["check", "fixtures/showcase", "--format", format])
        .current_dir(repo_root())
        .env("NO_COLOR", "1")
        .env("COLUMNS", "100")
        .env("SOURCE_DATE_EPOCH", SCAN_EPOCH)
        .env_remove("CLICOLOR_FORCE")
        .output()
        .expect("isolint runs");
    assert_eq!(
        out.status.code(),
        Some(1),
        "the showcase has findings: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    normalise(&stdout(&out))
}

/// Replaces what changes between runs and machines: durations, the version, the
/// absolute checkout path.
fn normalise(text: &str) -> String {
    let mut s = text.replace(env!("CARGO_PKG_VERSION"), "[version]");
    let root = repo_root().to_string_lossy().replace('\\', "/");
    let root = root.trim_end_matches('/');
    s = s.replace(&format!("file://{root}/"), "file:///[root]/");
    s = s.replace(&format!("{root}/"), "[root]/");
    let rules: [(&str, &str); 3] = [
        (r#""duration_ms": \d+"#, r#""duration_ms": "[duration]""#),
        (r#"(<testsuites [^>]*time=")[0-9.]+""#, r#"${1}[duration]""#),
        (r"— \d+ ms", "— [duration] ms"),
    ];
    for (re, with) in rules {
        s = regex::Regex::new(re)
            .expect("valid regex")
            .replace_all(&s, with)
            .into_owned();
    }
    s
}

macro_rules! showcase_snapshot {
    ($name:ident, $format:literal) => {
        #[test]
        fn $name() {
            insta::assert_snapshot!(stringify!($name), showcase($format));
        }
    };
}

showcase_snapshot!(showcase_human, "human");
showcase_snapshot!(showcase_json, "json");
showcase_snapshot!(showcase_sarif, "sarif");
showcase_snapshot!(showcase_junit, "junit");
showcase_snapshot!(showcase_github, "github");
showcase_snapshot!(showcase_markdown, "markdown");
showcase_snapshot!(showcase_gitlab, "gitlab");
showcase_snapshot!(showcase_coverage_md, "coverage-md");
showcase_snapshot!(showcase_coverage_html, "coverage-html");

fn sarif_schema() -> serde_json::Value {
    let path: PathBuf = repo_root().join("tests/it/data/schemas/sarif-schema-2.1.0.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "the official SARIF schema must be at {} ({e}); it is needed to validate --format sarif",
            path.display()
        )
    });
    serde_json::from_str(&text).expect("the SARIF schema is JSON")
}

#[test]
fn sarif_validates_against_the_official_schema() {
    let schema = sarif_schema();
    let validator = jsonschema::validator_for(&schema).expect("the schema compiles");
    let sarif: serde_json::Value =
        serde_json::from_str(&showcase("sarif")).expect("SARIF output is JSON");
    let errors: Vec<String> = validator
        .iter_errors(&sarif)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "invalid SARIF:\n{}", errors.join("\n"));

    // The schema also rejects what it should (guards against a validator that accepts all).
    let mut bad = sarif.clone();
    bad["runs"][0]["results"][0]["level"] = "high".into();
    assert!(!validator.is_valid(&bad), "level `high` must be rejected");

    // What GitHub code scanning reads.
    let run = &sarif["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
    let results = run["results"].as_array().expect("results");
    assert!(!results.is_empty());
    for r in results {
        let idx = r["ruleIndex"].as_u64().expect("ruleIndex") as usize;
        assert_eq!(
            rules[idx]["id"], r["ruleId"],
            "ruleIndex points at its rule"
        );
        assert_eq!(
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uriBaseId"],
            "%SRCROOT%"
        );
        assert!(r["partialFingerprints"]["isolint/v1"].is_string());
        assert!(r["locations"][0]["physicalLocation"]["region"]["startLine"].as_u64() >= Some(1));
    }
    for rule in rules {
        let tags = rule["properties"]["tags"].as_array().expect("tags");
        assert!(tags.iter().any(|t| t == "security"));
        assert!(
            tags.iter()
                .any(|t| t.as_str().is_some_and(|t| t.starts_with("iso27002:")))
        );
        assert!(tags.len() <= 10, "GitHub shows 10 tags");
        assert!(rule["properties"]["security-severity"].is_string());
        assert!(rule["help"]["markdown"].is_string());
    }
    // The showcase has suppressed findings (inline and config) and a parse error.
    let kinds: Vec<&str> = results
        .iter()
        .filter_map(|r| r["suppressions"][0]["kind"].as_str())
        .collect();
    assert!(
        kinds.contains(&"inSource") && kinds.contains(&"external"),
        "{kinds:?}"
    );
    let notes = run["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .expect("notifications");
    assert!(notes.iter().any(|n| n["level"] == "error"
        && n["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            == "fixtures/showcase/k8s/worker.yaml"));
    assert_eq!(run["automationDetails"]["id"], "isolint/");
    assert_eq!(run["columnKind"], "unicodeCodePoints");
}

#[test]
fn github_annotations_escape_data_and_properties() {
    use isolint::report::github::{annotation, escape_data, escape_property};
    assert_eq!(
        escape_data("100% sure\r\nnext: a, b"),
        "100%25 sure%0D%0Anext: a, b"
    );
    assert_eq!(escape_property("C:\\x, 5%\n"), "C%3A\\x%2C 5%25%0A");
    assert_eq!(
        annotation(
            "warning",
            "dir/a,b:c.tf",
            (3, 1, 4, 2),
            "R-1 [ISO 27002 8.13]",
            "two\nlines"
        ),
        "::warning file=dir/a%2Cb%3Ac.tf,line=3,col=1,endLine=4,endColumn=2,title=R-1 [ISO 27002 8.13]::two%0Alines"
    );

    // End to end: a file name with a comma and a percent sign.
    let repo = temp_repo(&[
        (
            "odd,name%.tf",
            "resource \"aws_s3_bucket\" \"b\" {\n  bucket = \"b\"\n}\n",
        ),
        (".isolint.yaml", "select: [AWS-S3-004]\n"),
    ]);
    let out = run_in(repo.path(), &["check", ".", "--format", "github"]);
    let text = stdout(&out);
    let line = text.lines().next().expect("one annotation");
    assert!(
        line.starts_with("::warning file=odd%2Cname%25.tf,line=1,col=1,"),
        "{line}"
    );
    assert!(
        line.contains("title=AWS-S3-004 S3 bucket without object versioning [ISO 27002 8.13]::")
    );
    assert!(!line.contains('\n'));
}

#[test]
fn github_annotations_are_most_severe_first() {
    let text = showcase("github");
    let rank = |l: &str| match l.split_whitespace().next() {
        Some("::error") => 0,
        Some("::warning") => 1,
        _ => 2,
    };
    let ranks: Vec<i32> = text.lines().map(rank).collect();
    assert!(ranks.windows(2).all(|w| w[0] <= w[1]), "{text}");
    assert!(text.contains("::error file=fixtures/showcase/k8s/worker.yaml,line="));
}

fn meta(id: &str, control: &str) -> Arc<isolint::rules::RuleMeta> {
    Arc::new(isolint::rules::RuleMeta {
        id: id.into(),
        name: "test-rule".into(),
        title: "A test rule".into(),
        severity: isolint::rules::Severity::Medium,
        controls: vec![control.into()],
        resources: vec!["aws_s3_bucket".into()],
        message: "{address} is bad".into(),
        remediation: "Fix it.".into(),
        description: "Checks things.".into(),
        rationale: "Because.".into(),
        references: vec!["https://example.com/rule".into()],
        sensitive: false,
        pack: "test".into(),
        platform: "terraform-aws".into(),
        source: PathBuf::from("test.yaml"),
        line: 1,
    })
}

/// A report with `n` findings of one rule in one synthetic file.
fn big_report(n: usize) -> isolint::report::Report {
    use isolint::finding::{Confidence, Finding};
    use isolint::source::{FileId, SourceMap, SourceText, Span};
    let line = "resource \"aws_s3_bucket\" \"bucket_with_a_rather_long_name\" {}\n";
    let text: String = line.repeat(n);
    let src = SourceText::new(
        FileId(0),
        "infra/generated.tf",
        "infra/generated.tf".into(),
        Arc::from(text.as_str()),
    );
    let rule = meta("TEST-001", "8.13");
    let findings = (0..n)
        .map(|i| {
            let span = Span::new(FileId(0), i * line.len(), i * line.len() + line.len() - 1);
            Finding {
                rule: rule.clone(),
                severity: isolint::rules::Severity::Medium,
                address: format!("aws_s3_bucket.bucket_{i}"),
                file: "infra/generated.tf".into(),
                span,
                header: span,
                message: format!(
                    "aws_s3_bucket.bucket_{i} keeps no previous versions of its objects, so an overwritten object is lost"
                ),
                confidence: Confidence::High,
                fingerprint: isolint::finding::Fingerprint(i as u64),
                suppression: None,
            }
        })
        .collect();
    let mut checked = isolint::report::Checked::default();
    checked.counts.insert("TEST-001".into(), n);
    checked.rules.push(rule);
    isolint::report::Report {
        findings,
        errors: Vec::new(),
        notices: Vec::new(),
        summary: isolint::report::Summary {
            files_scanned: 1,
            resources: n,
            findings: n,
            ..Default::default()
        },
        times: Default::default(),
        sources: SourceMap::new(vec![Arc::new(src)]),
        checked,
    }
}

#[test]
fn markdown_summary_stays_under_one_mib_and_says_what_it_left_out() {
    let n = 20_000;
    let report = big_report(n);
    let md = isolint::report::markdown::render(&report, isolint::report::markdown::LIMIT);
    assert!(md.len() < 1024 * 1024, "{} bytes", md.len());
    let rows = md
        .lines()
        .filter(|l| l.starts_with("| 🟠 medium |"))
        .count();
    assert!(rows > 1000, "most of the budget is used: {rows} rows");
    let note = format!("{} of {n} findings left out", n - rows);
    assert!(
        md.contains(&note),
        "missing `{note}` in the tail:\n{}",
        &md[md.len() - 600..]
    );

    // Small reports are not truncated.
    let small = isolint::report::markdown::render(&big_report(3), isolint::report::markdown::LIMIT);
    assert!(!small.contains("left out"));
    assert_eq!(
        small
            .lines()
            .filter(|l| l.starts_with("| 🟠 medium |"))
            .count(),
        3
    );
}

#[test]
fn html_report_is_self_contained() {
    let html = showcase("coverage-html");
    assert!(html.starts_with("<!DOCTYPE html>"));
    let lower = html.to_ascii_lowercase();
    for banned in [
        "<script",
        "<link",
        "@import",
        "<img",
        "<iframe",
        "url(http",
        "src=\"http",
        "src='http",
    ] {
        assert!(
            !lower.contains(banned),
            "the report must not load `{banned}`"
        );
    }
    // External URLs appear only as the targets of links (rule references).
    let attr = regex::Regex::new(r#"<(\w+)[^<>]*?([\w-]+)=["']?https?:"#).expect("regex");
    for c in attr.captures_iter(&html) {
        assert_eq!(
            (&c[1], &c[2]),
            ("a", "href"),
            "external URL outside a link: {}",
            &c[0]
        );
    }
    // All 93 controls have a tile.
    assert_eq!(html.matches("<a class=\"tile ").count(), 93);
    assert!(html.contains("@media print"));
}

#[test]
fn html_report_escapes_source_and_messages() {
    let repo = temp_repo(&[
        (
            "main.tf",
            "resource \"aws_s3_bucket\" \"x\" {\n  bucket = \"<script>alert('x')</script>&\"\n}\n",
        ),
        (".isolint.yaml", "select: [AWS-S3-004]\n"),
    ]);
    let out = run_in(repo.path(), &["check", ".", "--format", "coverage-html"]);
    let html = stdout(&out);
    assert!(!html.contains("<script>"), "raw markup leaked");
    assert!(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;"));
}

#[test]
fn coverage_statuses_follow_the_evidence() {
    let repo = temp_repo(&[
        (
            "main.tf",
            "# isolint:ignore AWS-S3-004 -- scratch bucket, recreated daily\nresource \"aws_s3_bucket\" \"scratch\" {\n  bucket = \"scratch\"\n}\n",
        ),
        (".isolint.yaml", "select: [AWS-S3-004, AWS-KMS-001]\n"),
    ]);
    let out = run_in(repo.path(), &["check", ".", "--format", "coverage-md"]);
    let md = stdout(&out);
    let row = |id: &str| {
        md.lines()
            .find(|l| l.starts_with(&format!("| [{id}](#control-")))
            .unwrap_or_else(|| panic!("no row for {id}:\n{md}"))
            .to_owned()
    };
    // 8.13: the only finding is suppressed; 8.24: the KMS rule had nothing to check.
    assert!(
        row("8.13").contains("Suppressed only | AWS-S3-004 | 1 | 0 | 0 | 1 |"),
        "{}",
        row("8.13")
    );
    assert!(row("8.24").contains("Not evaluated"), "{}", row("8.24"));
    assert!(md.contains("scratch bucket, recreated daily"));
    assert!(md.contains("## Controls not observable from infrastructure code"));
    assert!(md.contains("5.1 Policies for information security"));
    // 8.20 is observable but no selected rule covers it.
    let gaps = &md[md
        .find("## Observable controls with no rule yet")
        .expect("gaps")..];
    assert!(gaps.contains("| 8.20 | Networks security |"));
}

#[test]
fn junit_is_well_formed_enough_for_ci() {
    let xml = showcase("junit");
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites "));
    assert_eq!(
        xml.matches("<testsuite ").count(),
        xml.matches("</testsuite>").count()
    );
    let self_closing = regex::Regex::new(r"<testcase [^>]*/>").expect("regex");
    assert_eq!(
        xml.matches("<testcase ").count(),
        xml.matches("</testcase>").count() + self_closing.find_iter(&xml).count()
    );
    assert!(xml.contains("<skipped message=\"suppressed (inline): "));
    assert!(xml.contains("<error type=\"parse\""));
    // GitLab keys tests on classname + name: they must be unique.
    let re = regex::Regex::new(r#"<testcase classname="([^"]*)" name="([^"]*)""#).expect("regex");
    let mut keys: Vec<(String, String)> = re
        .captures_iter(&xml)
        .map(|c| (c[1].to_owned(), c[2].to_owned()))
        .collect();
    let n = keys.len();
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), n, "duplicate testcase keys");
}
