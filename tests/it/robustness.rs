//! Hostile and odd input, end to end through the binary: malformed files, nesting and
//! alias bombs, huge files and lines, binary and mis-encoded files, unreadable files,
//! symbolic links, odd names, bad rule packs and configurations. Every case checks that
//! isolint neither panics nor hangs, exits 0 or 1 (decided by findings only), names the
//! problem in `errors` where there is one, and still scans the good file beside it.
//! Property tests at the end feed arbitrary text and bytes to the parsers and the scan.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use proptest::prelude::*;
use serde_json::Value;

use crate::support::{bin, stderr, stdout, temp_repo};

/// A bucket without versioning: AWS-S3-004 at `good/main.tf:1:1`.
const OPEN_BUCKET: &str =
    "resource \"aws_s3_bucket\" \"reports\" {\n  bucket = \"acme-reports\"\n}\n";

/// A user pack whose rule flags `CANARY-<digits>` in any text file, so that files of every
/// format can carry a known finding.
const CANARY_PACK: &str = r#"rules:
  - id: TEST-CANARY-001
    name: canary-token-in-file
    title: Canary token in a file
    severity: low
    controls: ["5.9"]
    resources: [text_file]
    check: { path: $, no_match: 'CANARY-[0-9]+' }
    message: "{address} contains {value}"
    remediation: Remove the canary.
"#;

/// Longest any single case may take before it counts as a hang.
const HANG: Duration = Duration::from_secs(60);

/// What one run produced.
struct Run {
    out: Output,
    json: Value,
    took: Duration,
}

impl Run {
    fn code(&self) -> i32 {
        self.out.status.code().unwrap_or(-1)
    }

    fn findings(&self) -> &[Value] {
        self.json["findings"].as_array().map_or(&[], Vec::as_slice)
    }

    fn errors(&self) -> &[Value] {
        self.json["errors"].as_array().map_or(&[], Vec::as_slice)
    }

    fn has_finding(&self, rule: &str, file: &str) -> bool {
        self.findings()
            .iter()
            .any(|f| f["rule_id"] == rule && f["file"] == file)
    }

    fn finding(&self, rule: &str, file: &str) -> &Value {
        self.findings()
            .iter()
            .find(|f| f["rule_id"] == rule && f["file"] == file)
            .unwrap_or_else(|| panic!("no {rule} in {file}:\n{}", self.dump()))
    }

    /// The error reported for `file` (exactly one expected).
    fn error(&self, file: &str) -> &Value {
        let found: Vec<&Value> = self.errors().iter().filter(|e| e["file"] == file).collect();
        assert_eq!(found.len(), 1, "errors for {file}:\n{}", self.dump());
        let e = found[0];
        assert!(e["line"].as_u64().is_some_and(|l| l >= 1), "{e}");
        assert!(e["column"].as_u64().is_some_and(|c| c >= 1), "{e}");
        assert!(
            e["message"].as_str().is_some_and(|m| m.len() > 10),
            "a clear message: {e}"
        );
        e
    }

    fn assert_good_scanned(&self) {
        assert!(
            self.has_finding("AWS-S3-004", "good/main.tf"),
            "the good file beside the bad one is still scanned:\n{}",
            self.dump()
        );
    }

    fn dump(&self) -> String {
        let mut v = self.json.clone();
        if let Some(f) = v["findings"].as_array_mut() {
            for x in f.iter_mut() {
                *x = serde_json::json!([x["rule_id"], x["file"], x["line"], x["column"]]);
            }
        }
        format!(
            "exit {:?} after {:?}\n{}\nstderr: {}",
            self.out.status.code(),
            self.took,
            serde_json::to_string_pretty(&v).unwrap_or_default(),
            stderr(&self.out)
        )
    }
}

/// Runs `isolint args…` in `dir` like `support::run_in`, but kills it after [`HANG`]
/// so a hang fails the test instead of blocking the suite.
fn run_bounded(dir: &Path, args: &[&str]) -> (Output, Duration) {
    let started = Instant::now();
    let mut child = Command::new(bin())
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("CLICOLOR_FORCE")
        .env("RUST_BACKTRACE", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("isolint runs");
    let drain = |mut r: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            let _ = r.read_to_end(&mut buf);
            buf
        })
    };
    let out = drain(Box::new(child.stdout.take().expect("stdout")));
    let err = drain(Box::new(child.stderr.take().expect("stderr")));
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if started.elapsed() > HANG {
            let _ = child.kill();
            let _ = child.wait();
            panic!("isolint {args:?} hung for more than {HANG:?}");
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let output = Output {
        status,
        stdout: out.join().expect("stdout thread"),
        stderr: err.join().expect("stderr thread"),
    };
    (output, started.elapsed())
}

/// `isolint check . --no-config --format json` plus `extra`, with the invariants every
/// case shares: no panic, no crash, exit 0 or 1, JSON on stdout.
fn scan(dir: &Path, extra: &[&str]) -> Run {
    let mut args = vec!["check", ".", "--no-config", "--format", "json"];
    args.extend_from_slice(extra);
    let (out, took) = run_bounded(dir, &args);
    let err = stderr(&out);
    for needle in [
        "panicked",
        "stack overflow",
        "RUST_BACKTRACE",
        "internal error",
    ] {
        assert!(!err.contains(needle), "`{needle}` on stderr:\n{err}");
    }
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "exit {:?} (101 is a panic, none a signal)\nstderr: {err}",
        out.status
    );
    let json: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}\nstderr: {err}", stdout(&out)));
    for e in json["errors"].as_array().into_iter().flatten() {
        assert_ne!(e["kind"], "internal", "an internal error is a bug: {e}");
    }
    Run { out, json, took }
}

/// A temp repo with `good/main.tf` (a known finding) plus `files`.
fn repo_with_good(files: &[(&str, &str)]) -> tempfile::TempDir {
    let mut all = vec![("good/main.tf", OPEN_BUCKET)];
    all.extend_from_slice(files);
    temp_repo(&all)
}

fn write_bytes(dir: &Path, rel: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
    std::fs::write(&p, bytes).expect("write");
    p
}

/// The canary pack in its own temp dir (outside the scanned tree), as `--rules` args.
fn canary_pack() -> (tempfile::TempDir, String) {
    let dir = temp_repo(&[("canary.yaml", CANARY_PACK)]);
    let path = dir.path().to_string_lossy().into_owned();
    (dir, path)
}

// ---------------------------------------------------------------------------------------
// Malformed files: an error with file, line and column; the rest scanned; the exit code
// decided by findings only.

fn malformed(path: &str, text: &str, line: u64, column: u64, words: &str) {
    let repo = repo_with_good(&[(path, text)]);
    let run = scan(repo.path(), &[]);
    let e = run.error(path);
    assert_eq!(e["kind"], "parse", "{e}");
    assert_eq!(
        (&e["line"], &e["column"]),
        (&line.into(), &column.into()),
        "{e}"
    );
    let message = e["message"].as_str().unwrap_or_default();
    assert!(message.contains(words), "{e}");
    run.assert_good_scanned();
    assert_eq!(
        run.code(),
        1,
        "the good file's finding decides the exit code"
    );
    assert_eq!(run.json["summary"]["parse_errors"], 1, "{}", run.dump());

    // Alone, the broken file fails nothing: parse errors do not change the exit code.
    let alone = temp_repo(&[(path, text)]);
    let run = scan(alone.path(), &[]);
    assert_eq!(run.code(), 0, "{}", run.dump());
    run.error(path);

    // ... unless the user asks for it, on the command line or in the config.
    let run = scan(alone.path(), &["--fail-on-error"]);
    assert_eq!(run.code(), 1, "{}", run.dump());
    let config = temp_repo(&[("isolint.yaml", "fail_on_error: true\n")]);
    let config = config.path().join("isolint.yaml");
    let (out, _) = run_bounded(
        alone.path(),
        &["check", ".", "--config", &config.to_string_lossy()],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
}

#[test]
fn malformed_hcl_is_located_and_the_rest_is_scanned() {
    malformed(
        "b/broken.tf",
        "resource \"aws_s3_bucket\" \"x\" {\n  bucket = \n}\n",
        2,
        12,
        "invalid expression",
    );
}

#[test]
fn malformed_terraform_json_is_located_and_the_rest_is_scanned() {
    malformed(
        "t/main.tf.json",
        "{\n  \"resource\": {\n    \"aws_s3_bucket\": {\"x\": {\"bucket\": \"b\"}}\n  \n",
        5,
        1,
        "did not find expected ',' or '}'",
    );
}

#[test]
fn malformed_yaml_is_located_and_the_rest_is_scanned() {
    malformed(
        "k8s/broken.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata: name: x\n",
        3,
        15,
        "mapping values are not allowed",
    );
}

#[test]
fn malformed_json_is_located_and_the_rest_is_scanned() {
    malformed(
        "k8s/broken.json",
        "{\n  \"apiVersion\": \"v1\",\n  \"kind\": \"Pod\"\n  \"metadata\": {}\n}\n",
        4,
        3,
        "did not find expected ',' or '}'",
    );
}

#[test]
fn malformed_dockerfile_is_located_and_the_rest_is_scanned() {
    malformed(
        "api/Dockerfile",
        "FROM alpine:3.20\nRUN echo hi\n  FOO bar\n",
        3,
        3,
        "unknown instruction: FOO",
    );
}

// ---------------------------------------------------------------------------------------
// Bombs and depth.

#[test]
fn yaml_alias_bomb_is_a_limit_error_and_quick() {
    // Billion laughs: 9 levels of 10 aliases each, 10^9 nodes if expanded.
    let mut bomb = String::from(
        "a: &a [\"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\"]\n",
    );
    for (prev, name) in "abcdefgh".chars().zip("bcdefghi".chars()) {
        let refs = vec![format!("*{prev}"); 10].join(", ");
        bomb.push_str(&format!("{name}: &{name} [{refs}]\n"));
    }
    let repo = repo_with_good(&[("bomb.yaml", &bomb)]);
    let run = scan(repo.path(), &[]);
    let e = run.error("bomb.yaml");
    assert_eq!(e["kind"], "limit", "{e}");
    assert!(
        e["message"].as_str().unwrap_or_default().contains("alias"),
        "{e}"
    );
    assert!(
        e["line"].as_u64() > Some(1),
        "points at the alias that overflowed: {e}"
    );
    run.assert_good_scanned();
}

/// 10,000 levels: a limit (or parse) error at a position on the first lines, never a
/// stack overflow.
fn too_deep(path: &str, text: &str, kinds: &[&str]) {
    let repo = repo_with_good(&[(path, text)]);
    let run = scan(repo.path(), &[]);
    let e = run.error(path);
    assert!(
        kinds.iter().any(|k| e["kind"] == *k),
        "kind {} not in {kinds:?}: {e}",
        e["kind"]
    );
    assert!(
        e["message"].as_str().unwrap_or_default().contains("nest"),
        "the message says why: {e}"
    );
    run.assert_good_scanned();
}

const DEEP: usize = 10_000;

#[test]
fn deep_nesting_yaml_block() {
    let text = format!("top:\n{}x\n", "- ".repeat(DEEP));
    too_deep("deep/block.yaml", &text, &["limit"]);
}

#[test]
fn deep_nesting_yaml_flow() {
    let seqs = format!("{}{}\n", "[".repeat(DEEP), "]".repeat(DEEP));
    too_deep("deep/flow.yaml", &seqs, &["limit"]);
    let maps = format!("{}1{}\n", "{a: ".repeat(DEEP), "}".repeat(DEEP));
    too_deep("deep/flow-map.yml", &maps, &["limit"]);
}

#[test]
fn deep_nesting_json() {
    let text = format!("{}1{}\n", "{\"a\": ".repeat(DEEP), "}".repeat(DEEP));
    too_deep("deep/deep.json", &text, &["limit"]);
}

#[test]
fn deep_nesting_hcl_expression() {
    let lists = format!(
        "locals {{\n  a = {}{}\n}}\n",
        "[".repeat(DEEP),
        "]".repeat(DEEP)
    );
    too_deep("lists/main.tf", &lists, &["limit", "parse"]);
    for (dir, open, close) in [
        ("parens", "(", ")"),
        ("calls", "max(", ")"),
        ("objects", "{a = ", "}"),
        ("templates", "\"${", "}\""),
        ("fors", "[for x in [1] : ", "]"),
    ] {
        let text = format!(
            "locals {{\n  a = {}1{}\n}}\n",
            open.repeat(DEEP),
            close.repeat(DEEP)
        );
        too_deep(&format!("{dir}/main.tf"), &text, &["limit", "parse"]);
    }
    let unary = format!("locals {{\n  a = {}true\n}}\n", "!".repeat(DEEP));
    too_deep("unary/main.tf", &unary, &["limit", "parse"]);
    // A 100,000-term sum is not nesting but is a 100,000-deep tree once parsed.
    let sum = format!("locals {{\n  a = 1{}\n}}\n", " + 1".repeat(10 * DEEP));
    let repo = repo_with_good(&[("sum/main.tf", &sum)]);
    let run = scan(repo.path(), &[]);
    run.error("sum/main.tf");
    run.assert_good_scanned();
}

#[test]
fn deep_nesting_hcl_blocks() {
    let text = format!("{}{}", "b {\n".repeat(DEEP), "}\n".repeat(DEEP));
    too_deep("blocks/main.tf", &text, &["limit", "parse"]);
    let json = format!(
        "{{\"locals\": {{\"a\": {}{}}}}}\n",
        "[".repeat(DEEP),
        "]".repeat(DEEP)
    );
    too_deep("json/main.tf.json", &json, &["limit"]);
}

#[test]
fn a_panic_in_one_files_parse_or_checks_is_contained() {
    let dockerfile = "FROM alpine:3.20\nRUN apk add curl\n";
    let compose = "services:\n  web:\n    image: nginx:1.27\n    privileged: true\n";
    for (step, file) in [
        ("reading", "app/compose.yaml"),
        ("checking", "app/Dockerfile"),
    ] {
        let repo = repo_with_good(&[
            ("app/compose.yaml", compose),
            ("app/Dockerfile", dockerfile),
        ]);
        let out = Command::new(bin())
            .args(["check", ".", "--no-config", "--format", "json"])
            .current_dir(repo.path())
            .env("ISOLINT_INJECT_PANIC", format!("{step}:{file}"))
            .output()
            .expect("run isolint");
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        let v: Value = serde_json::from_slice(&out.stdout).expect("JSON despite the panic");
        let errors = v["errors"].as_array().expect("errors");
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0]["file"], file);
        assert_eq!(errors[0]["kind"], "internal");
        let message = errors[0]["message"].as_str().unwrap_or_default();
        assert!(
            message.starts_with(&format!("internal error while {step}")),
            "{message}"
        );
        let files: Vec<&str> = v["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .filter_map(|f| f["file"].as_str())
            .collect();
        assert!(
            files.contains(&"good/main.tf"),
            "the rest is scanned: {files:?}"
        );
        assert!(
            !files.contains(&file),
            "the broken step reports nothing: {files:?}"
        );
        let other = if file == "app/Dockerfile" {
            "app/compose.yaml"
        } else {
            "app/Dockerfile"
        };
        assert!(
            files.contains(&other),
            "its neighbour is checked: {files:?}"
        );
    }
}

#[test]
fn long_operator_runs_are_a_limit_not_a_hang() {
    // Found by fuzz_hcl: 748 bytes the HCL parser spent 23 s on (release build), backtracking
    // over runs of up to 29 `-`.
    let text = include_str!("data/fuzz_hcl_operator_run.tf");
    let repo = repo_with_good(&[("slow/main.tf", text)]);
    let run = scan(repo.path(), &[]);
    let e = run.error("slow/main.tf");
    assert_eq!(e["kind"], "limit", "{e}");
    assert_eq!((&e["line"], &e["column"]), (&1.into(), &5.into()), "{e}");
    run.assert_good_scanned();
}

#[test]
fn huge_hcl_object_is_a_limit_not_a_hang() {
    // The HCL parser indexes object keys linearly: 200,000 keys would take hours.
    let keys: Vec<String> = (0..200_000).map(|i| format!("k{i} = \"v\"")).collect();
    let text = format!(
        "resource \"aws_s3_bucket\" \"b\" {{\n  bucket = \"b\"\n  tags = {{ {} }}\n}}\n",
        keys.join(", ")
    );
    let repo = repo_with_good(&[("huge/main.tf", &text)]);
    let run = scan(repo.path(), &[]);
    let e = run.error("huge/main.tf");
    assert_eq!(e["kind"], "limit", "{e}");
    assert_eq!((&e["line"], &e["column"]), (&3.into(), &10.into()), "{e}");
    run.assert_good_scanned();
}

#[test]
fn long_traversals_and_reference_chains_stay_quick() {
    let traversal = format!(
        "locals {{\n  a = local.b{}\n  c = local.d{}\n  b = {{}}\n  d = []\n}}\n",
        ".x".repeat(DEEP),
        "[0]".repeat(DEEP)
    );
    let mut chain = String::from("locals {\n  l0 = \"acme-chained\"\n");
    for i in 1..=DEEP {
        chain.push_str(&format!("  l{i} = local.l{}\n", i - 1));
    }
    chain.push_str(&format!(
        "}}\nresource \"aws_s3_bucket\" \"chained\" {{\n  bucket = local.l{DEEP}\n}}\n"
    ));
    let repo = repo_with_good(&[("trav/main.tf", &traversal), ("chain/main.tf", &chain)]);
    let run = scan(repo.path(), &[]);
    run.assert_good_scanned();
    assert!(
        run.has_finding("AWS-S3-004", "chain/main.tf"),
        "{}",
        run.dump()
    );
}

#[test]
fn dockerfile_with_a_10000_line_continuation() {
    // Dockerfiles are flat; their depth is a continued instruction.
    let mut text = String::from("FROM alpine:3.20\nRUN echo start \\\n");
    for i in 0..DEEP {
        text.push_str(&format!("  && echo {i} \\\n"));
        if i % 1000 == 0 {
            text.push_str("  # a comment inside the continuation\n");
        }
    }
    text.push_str("  && echo CANARY-10000\nUSER app\n");
    let (_pack, pack) = canary_pack();
    let repo = repo_with_good(&[("docker/Dockerfile", &text)]);
    let run = scan(repo.path(), &["--rules", &pack]);
    assert!(run.errors().is_empty(), "{}", run.dump());
    let f = run.finding("TEST-CANARY-001", "docker/Dockerfile");
    assert_eq!(f["line"], 10_013, "{f}");
    run.assert_good_scanned();
}

// ---------------------------------------------------------------------------------------
// Size.

#[test]
fn file_of_200_mb_is_too_large_and_not_read() {
    let repo = repo_with_good(&[]);
    let started = Instant::now();
    {
        let f = std::fs::File::create(repo.path().join("huge.yaml")).expect("create");
        let mut w = std::io::BufWriter::with_capacity(1 << 20, f);
        let line = format!("{}\n", "a".repeat(99));
        for _ in 0..(200 * 1024 * 1024 / 100) {
            w.write_all(line.as_bytes()).expect("write");
        }
        w.flush().expect("flush");
    }
    // The same size without data: a sparse file, as a generated artefact might be.
    let sparse = std::fs::File::create(repo.path().join("sparse.tf")).expect("create");
    sparse.set_len(200 * 1024 * 1024).expect("set_len");
    let written = started.elapsed();
    let run = scan(repo.path(), &[]);
    for file in ["huge.yaml", "sparse.tf"] {
        let e = run.error(file);
        assert_eq!(e["kind"], "too-large", "{e}");
        let m = e["message"].as_str().unwrap_or_default();
        assert!(m.contains("200 MiB") && m.contains("limit"), "{e}");
    }
    run.assert_good_scanned();
    // Reading 200 MB would show; measuring it does not.
    assert!(
        run.took < Duration::from_secs(5) + written / 2,
        "took {:?}",
        run.took
    );
}

#[test]
fn five_mb_single_line_yaml_and_tf() {
    const MB5: usize = 5 * 1024 * 1024;
    // One flow mapping on one line, with the canary at its very end.
    let mut yaml = String::from("{\"apiVersion\": \"v1\", \"kind\": \"ConfigMap\", \"data\": {");
    let mut i = 0;
    while yaml.len() < MB5 {
        yaml.push_str(&format!("\"k{i}\": \"v\", "));
        i += 1;
    }
    yaml.push_str("\"last\": \"CANARY-5\"}}\n");
    let yaml_col = yaml.find("CANARY-5").expect("canary") + 1;
    // One HCL block on one line with a 5 MB string.
    let tf = format!(
        "resource \"aws_s3_bucket\" \"wide\" {{ bucket = \"{}\" }} # CANARY-6\n",
        "x".repeat(MB5)
    );
    let plain = format!("key: {} CANARY-7\n", "y".repeat(MB5));
    let (_pack, pack) = canary_pack();
    let repo = repo_with_good(&[
        ("wide/config.yaml", &yaml),
        ("wide/main.tf", &tf),
        ("wide/plain.yml", &plain),
    ]);
    let run = scan(repo.path(), &["--rules", &pack]);
    assert!(run.errors().is_empty(), "{}", run.dump());
    let f = run.finding("TEST-CANARY-001", "wide/config.yaml");
    assert_eq!(
        (&f["line"], &f["column"]),
        (&1.into(), &yaml_col.into()),
        "{f}"
    );
    assert!(run.has_finding("TEST-CANARY-001", "wide/main.tf"));
    assert!(run.has_finding("TEST-CANARY-001", "wide/plain.yml"));
    assert!(
        run.has_finding("AWS-S3-004", "wide/main.tf"),
        "{}",
        run.dump()
    );
    run.assert_good_scanned();
}

#[test]
fn long_lines_are_cut_in_readable_reports() {
    // A minified 1 MB line with the finding at its end: the terminal and HTML reports show
    // a window around the finding, not the whole line.
    let mut yaml = String::from("{\"apiVersion\": \"v1\", \"kind\": \"ConfigMap\", \"data\": {");
    let mut i = 0;
    while yaml.len() < 1024 * 1024 {
        yaml.push_str(&format!("\"k{i}\": \"v\", "));
        i += 1;
    }
    yaml.push_str("\"last\": \"CANARY-5\"}}\n");
    let (_pack, pack) = canary_pack();
    let repo = temp_repo(&[("wide/config.yaml", &yaml)]);
    for format in ["human", "coverage-html"] {
        let (out, _) = run_bounded(
            repo.path(),
            &[
                "check",
                ".",
                "--no-config",
                "--rules",
                &pack,
                "--format",
                format,
            ],
        );
        assert_eq!(out.status.code(), Some(1), "{format}: {}", stderr(&out));
        let text = stdout(&out);
        // The page itself is large (every control and rule); the 1 MB line must not be
        // in it: a key from the middle of the line is cut away.
        assert!(
            !text.contains("k20000"),
            "{format}: the whole line is shown ({} bytes)",
            text.len()
        );
        assert!(
            text.contains("CANARY-5"),
            "{format} shows the finding's column"
        );
        assert!(text.contains('…'), "{format} marks the cut");
    }
}

// ---------------------------------------------------------------------------------------
// Encodings.

#[test]
fn binary_file_named_main_tf() {
    let repo = repo_with_good(&[]);
    let mut elf = b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00".to_vec();
    elf.extend((0..4096u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8));
    write_bytes(repo.path(), "bin/main.tf", &elf);
    let run = scan(repo.path(), &[]);
    let e = run.error("bin/main.tf");
    assert_eq!(e["kind"], "encoding", "{e}");
    assert!(
        e["message"].as_str().unwrap_or_default().contains("binary"),
        "{e}"
    );
    run.assert_good_scanned();
}

#[test]
fn invalid_utf8_in_yaml() {
    let repo = repo_with_good(&[]);
    write_bytes(
        repo.path(),
        "k8s/latin1.yaml",
        b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: caf\xe9\n",
    );
    let run = scan(repo.path(), &[]);
    let e = run.error("k8s/latin1.yaml");
    assert_eq!(e["kind"], "encoding", "{e}");
    let m = e["message"].as_str().unwrap_or_default();
    assert!(m.contains("not valid UTF-8"), "{e}");
    assert!(m.contains("line 4, column 12"), "names where: {e}");
    run.assert_good_scanned();
}

#[test]
fn utf16_with_bom_is_decoded_and_scanned() {
    let utf16 = |text: &str, le: bool| -> Vec<u8> {
        let mut out = if le {
            vec![0xFF, 0xFE]
        } else {
            vec![0xFE, 0xFF]
        };
        for unit in text.encode_utf16() {
            out.extend(if le {
                unit.to_le_bytes()
            } else {
                unit.to_be_bytes()
            });
        }
        out
    };
    let (_pack, pack) = canary_pack();
    let repo = repo_with_good(&[]);
    let tf = "# Windows editor, UTF-16 LE — CANARY-16\nresource \"aws_s3_bucket\" \"wide\" {\n  bucket = \"ü\"\n}\n";
    write_bytes(repo.path(), "win/main.tf", &utf16(tf, true));
    let yaml = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ünï\ndata:\n  k: CANARY-17\n";
    write_bytes(repo.path(), "win/cm.yaml", &utf16(yaml, false));
    let run = scan(repo.path(), &["--rules", &pack]);
    assert!(run.errors().is_empty(), "{}", run.dump());
    let f = run.finding("AWS-S3-004", "win/main.tf");
    assert_eq!(f["line"], 2, "{f}");
    let f = run.finding("TEST-CANARY-001", "win/main.tf");
    assert_eq!((&f["line"], &f["column"]), (&1.into(), &31.into()), "{f}");
    let f = run.finding("TEST-CANARY-001", "win/cm.yaml");
    assert_eq!((&f["line"], &f["column"]), (&6.into(), &6.into()), "{f}");
    run.assert_good_scanned();
}

#[test]
fn empty_and_blank_files_are_fine() {
    let repo = repo_with_good(&[
        ("e/main.tf", ""),
        ("e/vars.tfvars", "\n\n"),
        ("e/x.tf.json", ""),
        ("e/empty.yaml", ""),
        ("e/only-comments.yaml", "# nothing\n---\n# here\n"),
        ("e/empty.json", ""),
        ("e/Dockerfile", ""),
        ("e/bom.yaml", "\u{feff}"),
        ("e/crlf.tf", "locals {\r\n  a = 1\r\n}\r\n"),
    ]);
    let run = scan(repo.path(), &[]);
    // Empty JSON is not valid JSON, but it is valid YAML: either way no crash.
    for e in run.errors() {
        assert!(
            e["file"].as_str().unwrap_or_default().starts_with("e/"),
            "{e}"
        );
    }
    run.assert_good_scanned();
}

// ---------------------------------------------------------------------------------------
// The file system.

#[test]
fn unreadable_file_and_directory() {
    use std::os::unix::fs::PermissionsExt;
    let repo = repo_with_good(&[
        ("locked/main.tf", OPEN_BUCKET),
        ("closed/main.tf", OPEN_BUCKET),
    ]);
    let file = repo.path().join("locked/main.tf");
    let dir = repo.path().join("closed");
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o000)).expect("chmod");
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o000)).expect("chmod");
    // As root (CI containers), mode 000 does not stop reading: then the scan simply
    // reads both; otherwise each is a `read` error and the rest is scanned.
    let privileged = std::fs::read(&file).is_ok();
    let run = scan(repo.path(), &[]);
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    if privileged {
        assert!(
            run.has_finding("AWS-S3-004", "locked/main.tf"),
            "{}",
            run.dump()
        );
        assert!(
            run.has_finding("AWS-S3-004", "closed/main.tf"),
            "{}",
            run.dump()
        );
    } else {
        let e = run.error("locked/main.tf");
        assert_eq!(e["kind"], "read", "{e}");
        assert!(
            e["message"]
                .as_str()
                .unwrap_or_default()
                .contains("permission denied")
        );
        let e = run.error("closed");
        assert_eq!(e["kind"], "read", "{e}");
    }
    run.assert_good_scanned();
}

#[test]
fn broken_symlink() {
    let repo = repo_with_good(&[]);
    std::os::unix::fs::symlink("nowhere/main.tf", repo.path().join("dangling.tf"))
        .expect("symlink");
    let run = scan(repo.path(), &[]);
    let e = run.error("dangling.tf");
    assert_eq!(e["kind"], "read", "{e}");
    assert!(
        e["message"]
            .as_str()
            .unwrap_or_default()
            .contains("broken symbolic link"),
        "{e}"
    );
    run.assert_good_scanned();
}

#[test]
fn symlink_loops() {
    let repo = repo_with_good(&[]);
    let root = repo.path();
    // A directory link back up: not followed, so no loop, no error, nothing twice.
    std::os::unix::fs::symlink("..", root.join("good/up")).expect("symlink");
    std::os::unix::fs::symlink(".", root.join("self")).expect("symlink");
    // Two file links pointing at each other.
    std::os::unix::fs::symlink("b.tf", root.join("a.tf")).expect("symlink");
    std::os::unix::fs::symlink("a.tf", root.join("b.tf")).expect("symlink");
    let run = scan(root, &[]);
    for file in ["a.tf", "b.tf"] {
        let e = run.error(file);
        assert_eq!(e["kind"], "read", "{e}");
        assert!(
            e["message"].as_str().unwrap_or_default().contains("loop"),
            "{e}"
        );
    }
    assert_eq!(
        run.errors().len(),
        2,
        "links to directories are no error:\n{}",
        run.dump()
    );
    run.assert_good_scanned();
    let s3 = run
        .findings()
        .iter()
        .filter(|f| f["rule_id"] == "AWS-S3-004")
        .count();
    assert_eq!(s3, 1, "scanned once:\n{}", run.dump());
}

#[test]
fn symlinked_file_is_read_through() {
    let repo = repo_with_good(&[("real/bucket.tf.txt", OPEN_BUCKET)]);
    std::fs::create_dir_all(repo.path().join("linked")).expect("mkdir");
    std::os::unix::fs::symlink("../real/bucket.tf.txt", repo.path().join("linked/main.tf"))
        .expect("symlink");
    let run = scan(repo.path(), &[]);
    assert!(
        run.has_finding("AWS-S3-004", "linked/main.tf"),
        "{}",
        run.dump()
    );
    run.assert_good_scanned();
}

#[test]
fn directory_named_main_tf() {
    let repo = repo_with_good(&[
        ("main.tf/inner.tf", OPEN_BUCKET),
        ("Dockerfile/readme.txt", "not a Dockerfile\n"),
        ("deploy.yaml/x.txt", "x\n"),
    ]);
    let run = scan(repo.path(), &[]);
    assert!(run.errors().is_empty(), "{}", run.dump());
    assert!(
        run.has_finding("AWS-S3-004", "main.tf/inner.tf"),
        "{}",
        run.dump()
    );
    run.assert_good_scanned();
}

#[test]
fn path_with_spaces_and_non_ascii() {
    let repo = repo_with_good(&[("dir with space/ünïcode.tf", OPEN_BUCKET)]);
    let run = scan(repo.path(), &[]);
    let f = run.finding("AWS-S3-004", "dir with space/ünïcode.tf");
    assert_eq!((&f["line"], &f["column"]), (&1.into(), &1.into()), "{f}");
    run.assert_good_scanned();
    // Named on the command line, too.
    let (out, _) = run_bounded(
        repo.path(),
        &[
            "check",
            "dir with space/ünïcode.tf",
            "--no-config",
            "--format",
            "json",
        ],
    );
    let v: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(v["findings"][0]["file"], "dir with space/ünïcode.tf", "{v}");
}

#[test]
fn file_name_that_is_not_utf8_is_still_scanned() {
    use std::os::unix::ffi::OsStrExt;
    let repo = repo_with_good(&[]);
    let name = std::ffi::OsStr::from_bytes(b"caf\xe9.tf");
    std::fs::write(repo.path().join(name), OPEN_BUCKET).expect("write");
    let run = scan(repo.path(), &[]);
    assert!(
        run.has_finding("AWS-S3-004", "caf\u{fffd}.tf"),
        "shown with a replacement character, not skipped:\n{}",
        run.dump()
    );
    run.assert_good_scanned();
}

#[test]
fn fifo_is_never_waited_for() {
    let repo = repo_with_good(&[]);
    let fifo = repo.path().join("pipe.yaml");
    let made = Command::new("mkfifo").arg(&fifo).status();
    if !made.is_ok_and(|s| s.success()) {
        return; // no mkfifo here: nothing to test
    }
    std::os::unix::fs::symlink("pipe.yaml", repo.path().join("via-link.tf")).expect("symlink");
    let run = scan(repo.path(), &[]);
    let e = run.error("via-link.tf");
    assert!(
        e["message"]
            .as_str()
            .unwrap_or_default()
            .contains("not a regular file"),
        "{e}"
    );
    run.assert_good_scanned();
}

// ---------------------------------------------------------------------------------------
// Every output format on odd positions.

/// Found by `cargo fuzz run fuzz_hcl`: hcl-edit reports this parse error at byte 3, inside
/// the two-byte `ڐ`. Every format must still render it (at character column 3), as well
/// as errors after multi-byte text and a finding on a 1 MB line.
#[test]
fn odd_positions_render_in_every_format() {
    let wide = format!(
        "resource \"aws_s3_bucket\" \"wide\" {{ bucket = \"{}\" }}\n",
        "x".repeat(1 << 20)
    );
    let repo = repo_with_good(&[
        ("odd/main.tf", "c \u{690}"),
        ("k8s/näme.yaml", "näme: ü\nbad: [\n"),
        ("k8s/tabs.yaml", "a:\n\t- ü\n"),
        ("wide/main.tf", &wide),
    ]);
    let run = scan(repo.path(), &[]);
    let e = run.error("odd/main.tf");
    assert_eq!((&e["line"], &e["column"]), (&1.into(), &3.into()), "{e}");
    assert_eq!(run.error("k8s/näme.yaml")["line"], 3);
    assert_eq!(run.error("k8s/tabs.yaml")["line"], 2);
    assert!(run.has_finding("AWS-S3-004", "wide/main.tf"));
    run.assert_good_scanned();
    for format in [
        "human",
        "sarif",
        "junit",
        "github",
        "gitlab",
        "markdown",
        "coverage-md",
        "coverage-html",
    ] {
        let (out, _) = run_bounded(
            repo.path(),
            &["check", ".", "--no-config", "--format", format],
        );
        let err = stderr(&out);
        assert!(!err.contains("panicked"), "{format}: {err}");
        assert_eq!(out.status.code(), Some(1), "{format}: {err}");
        assert!(!out.stdout.is_empty(), "{format}");
    }
}

// ---------------------------------------------------------------------------------------
// Bad rule packs and configurations: exit 2, every problem with file and line.

fn exit_2_listing(dir: &Path, args: &[&str], needles: &[&str]) {
    let (out, _) = run_bounded(dir, args);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    for needle in needles {
        assert!(err.contains(needle), "missing `{needle}` in:\n{err}");
    }
}

#[test]
fn rule_pack_with_wrong_types_exits_2_listing_each() {
    let pack = r#"rules:
  - id: ACME-TAG-001
    name: bucket-without-owner-tag
    title: Bucket without an owner tag
    severity: [high]
    controls: "8.24"
    resources: aws_s3_bucket
    check: { present: [tags] }
    message: 5
    remediation: Add an owner tag.
"#;
    let repo = repo_with_good(&[("policies/bad.yaml", pack)]);
    exit_2_listing(
        repo.path(),
        &["check", "good", "--rules", "policies", "--no-config"],
        &[
            "bad.yaml:5:15: `severity` must be",
            "bad.yaml:6:15: `controls` must be a non-empty list",
            "bad.yaml:7:16: `resources` must be a list",
            "bad.yaml:8:23:",
            "bad.yaml:9:14: `message` must be",
        ],
    );
}

#[test]
fn rule_pack_shapes_and_encodings_exit_2() {
    for (text, needle) in [
        ("rules: 5\n", "bad.yaml:1:8: `rules` must be a list"),
        ("- a\n", "bad.yaml:1:1:"),
        (
            "rules:\n  - 5\n",
            "bad.yaml:2:5: each rule must be a mapping",
        ),
        ("rules: [\n", "bad.yaml:2:1: not valid YAML"),
        (
            "rules:\n  - {}\n",
            "bad.yaml:2:5: rule is missing required key `id`",
        ),
    ] {
        let repo = repo_with_good(&[("policies/bad.yaml", text)]);
        exit_2_listing(
            repo.path(),
            &["check", "good", "--rules", "policies", "--no-config"],
            &[needle],
        );
    }
    let repo = repo_with_good(&[]);
    write_bytes(repo.path(), "policies/bad.yaml", b"rules:\n  - id: \xff\n");
    exit_2_listing(
        repo.path(),
        &["check", "good", "--rules", "policies", "--no-config"],
        &["bad.yaml"],
    );
    // Nesting bombs in a pack are limits, not crashes.
    let deep = format!("rules:\n  - check: {}\n", "{not: ".repeat(DEEP));
    let repo = repo_with_good(&[("policies/bad.yaml", &deep)]);
    exit_2_listing(
        repo.path(),
        &["check", "good", "--rules", "policies", "--no-config"],
        &["bad.yaml:2:"],
    );
}

#[test]
fn config_with_wrong_types_exits_2_listing_each() {
    let config = "fail_on: [high]\nexclude: \"x\"\nseverity: {AWS-S3-004: urgent}\nselect: 5\n";
    let repo = repo_with_good(&[(".isolint.yaml", config)]);
    exit_2_listing(
        repo.path(),
        &["check", "."],
        &[
            ".isolint.yaml:1:10: `fail_on` must be",
            ".isolint.yaml:2:10: `exclude` must be a list",
            ".isolint.yaml:3:24:",
            ".isolint.yaml:4:9: `select` must be a list",
        ],
    );
    for (text, needle) in [
        ("a: [\n", ".isolint.yaml:2:1: not valid YAML"),
        ("- x\n", ".isolint.yaml:1:1:"),
    ] {
        let repo = repo_with_good(&[(".isolint.yaml", text)]);
        exit_2_listing(repo.path(), &["check", "."], &[needle]);
    }
}

// ---------------------------------------------------------------------------------------
// Property tests: arbitrary input never panics. `PROPTEST_CASES=100000` runs longer.

fn source(name: &str, text: &str) -> isolint::source::SourceText {
    isolint::source::SourceText::new(
        isolint::source::FileId(0),
        name,
        name.into(),
        Arc::from(text),
    )
}

/// Text made of the pieces the parsers care about, so that cases reach deep states.
fn structured_text() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "\n",
        " ",
        "  ",
        "\t",
        "- ",
        ": ",
        "[",
        "]",
        "{",
        "}",
        ",",
        "\"",
        "'",
        "&a ",
        "*a",
        "<<",
        "? ",
        "|",
        ">",
        "#",
        "---\n",
        "...\n",
        "!!str ",
        "!t ",
        "\\",
        "`",
        "\r\n",
        "é",
        "\u{feff}",
        "FROM ",
        "RUN ",
        "COPY ",
        "USER ",
        "AS ",
        "--from=",
        "<<EOF",
        "EOF\n",
        "# escape=`\n",
        "x",
        "1",
        "0x",
        ".5",
        "key",
        "null",
        "true",
        "${",
        "%{",
        "=",
        "(",
        ")",
        "resource ",
        "\"aws_s3_bucket\" ",
        "locals ",
        "module ",
        "var.",
        "local.",
        "for ",
        " in ",
        " : ",
        "count",
        "for_each",
        "dynamic ",
        "content ",
        "each.value",
        "?",
        "!",
        "-",
        "*",
        "/",
        "%",
        "<=",
        "&&",
        "||",
        "~",
        "\u{0}",
    ]);
    prop::collection::vec(pieces, 0..64).prop_map(|v| v.concat())
}

fn text_input() -> impl Strategy<Value = String> {
    prop_oneof![any::<String>(), structured_text()]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(512)
    ))]

    #[test]
    fn parse_yaml_never_panics(text in text_input()) {
        let src = source("t.yaml", &text);
        if let Err(e) = isolint::parse::yaml::parse_yaml(&src) {
            let span = e.span.expect("a YAML error has a position");
            prop_assert!(span.end as usize <= text.len());
            prop_assert!(text.is_char_boundary(span.start as usize), "{e:?}");
        }
    }

    #[test]
    fn parse_dockerfile_never_panics(text in text_input()) {
        let src = source("Dockerfile", &text);
        if let Ok(doc) = isolint::parse::dockerfile::parse_dockerfile(&src) {
            // Every span lies inside the text, on character boundaries.
            let mut stack = vec![&doc];
            while let Some(n) = stack.pop() {
                prop_assert!(text.get(n.span.range()).is_some(), "{n:?}");
                stack.extend(n.items());
                for e in n.entries() {
                    prop_assert!(text.get(e.key_span.range()).is_some());
                    stack.push(&e.value);
                }
            }
        }
    }

    #[test]
    fn terraform_build_never_panics(text in text_input()) {
        let src = Arc::new(source("m/main.tf", &text));
        let opts = isolint::model::terraform::TerraformOptions::default();
        let out = std::panic::catch_unwind(|| isolint::model::terraform::build(&[src], &opts));
        prop_assert!(out.is_ok(), "terraform::build panicked on {text:?}");
    }

    #[test]
    fn decode_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        if let Ok(text) = isolint::source::decode(bytes) {
            let _ = source("x", &text).position(text.len());
        }
    }
}

proptest! {
    // Each case runs the binary: fewer of them.
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn whole_scan_of_byte_soup_never_panics(
        files in prop::collection::vec(
            (
                prop::sample::select(vec![
                    "main.tf", "x.tf.json", "prod.tfvars", "k8s/a.yaml", "b.json",
                    "Dockerfile", "docker-compose.yml", ".github/workflows/ci.yml", ".env",
                ]),
                prop_oneof![
                    prop::collection::vec(any::<u8>(), 0..512),
                    structured_text().prop_map(String::into_bytes),
                ],
            ),
            1..6,
        )
    ) {
        let repo = repo_with_good(&[]);
        for (name, bytes) in &files {
            write_bytes(repo.path(), &format!("soup/{name}"), bytes);
        }
        let run = scan(repo.path(), &[]);
        run.assert_good_scanned();
    }
}
