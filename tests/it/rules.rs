//! The fixture contract: every rule has `fixtures/<pack>/<ID>/` with `fail*` inputs whose
//! flagged lines carry `expect: ID` markers and `pass*` inputs that must stay clean
//! (`unknown*` inputs too: a value isolint cannot know never yields a finding). The real
//! pipeline runs with only the rule under test; every mismatch is collected, then one
//! assert reports them all. `ISOLINT_RULE=AWS-S3` narrows a local run to ids with that prefix.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use isolint::app::{self, ScanOptions};
use isolint::config::Config;
use isolint::controls::Catalogue;
use isolint::model::terraform::TerraformOptions;
use isolint::rules::RuleSet;
use isolint::rules::load::{self, PackSource};

use crate::support::repo_root;

/// (display path, line) pairs a fixture expects for `id`.
fn expected(dir: &Path, id: &str) -> BTreeSet<(String, usize)> {
    let mut out = BTreeSet::new();
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.expect("walk fixtures");
        if !entry.file_type().is_file() {
            continue;
        }
        let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            let Some(at) = line.find("expect:") else {
                continue;
            };
            let ids: Vec<&str> = line[at + 7..]
                .split(|c: char| c == ',' || c.is_whitespace())
                .filter(|w| !w.is_empty())
                .collect();
            if !ids.contains(&id) {
                continue;
            }
            let before = line[..at].trim_end();
            let own_line = before
                .trim_start()
                .trim_start_matches(['#', '/'])
                .trim()
                .is_empty();
            let target = if own_line {
                (i + 1..lines.len())
                    .find(|&j| {
                        let t = lines[j].trim();
                        !t.is_empty() && !t.starts_with('#') && !t.starts_with("//")
                    })
                    .unwrap_or(i)
            } else {
                i
            };
            out.insert((display(entry.path()), target + 1));
        }
    }
    out
}

fn display(path: &Path) -> String {
    let root = repo_root();
    path.strip_prefix(&root)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

/// Scans each input on its own (files in one directory would otherwise form one
/// Terraform module and see each other's resources).
fn scan(inputs: &[PathBuf], rules: &RuleSet) -> (BTreeSet<(String, usize)>, Vec<String>) {
    let mut found = BTreeSet::new();
    let mut errors = Vec::new();
    for input in inputs {
        let (f, e) = scan_one(input, rules);
        found.extend(f);
        errors.extend(e);
    }
    (found, errors)
}

/// Copies the input into a directory of its own first: a Terraform file's siblings
/// (the other fixtures) must not become its module context.
fn scan_one(input: &Path, rules: &RuleSet) -> (BTreeSet<(String, usize)>, Vec<String>) {
    let tmp = tempfile::tempdir().expect("temp dir");
    let name = input.file_name().expect("named input");
    let copy = tmp.path().join(name);
    copy_tree(input, &copy);
    let opts = ScanOptions {
        paths: vec![copy.clone()],
        config: Config::default(),
        strict: false,
        threads: 0,
        gitignore: false,
        terraform: TerraformOptions::default(),
        baseline: None,
        inline_suppressions: true,
        changed_since: None,
    };
    let report = app::scan(&opts, rules).expect("scan runs");
    let tmp_prefix = tmp.path().to_string_lossy().replace('\\', "/");
    let original_parent = display(input.parent().expect("has parent"));
    let back = |file: &str| file.replacen(&tmp_prefix, &original_parent, 1);
    let found = report
        .findings
        .iter()
        .filter_map(|f| Some((back(&f.file), report.positions(f.span)?.0.line)))
        .collect();
    let errors = report
        .errors
        .iter()
        .map(|e| format!("{}: {}", back(&e.file), e.message))
        .collect();
    (found, errors)
}

fn copy_tree(from: &Path, to: &Path) {
    if from.is_dir() {
        for entry in walkdir::WalkDir::new(from) {
            let entry = entry.expect("walk fixture");
            let rel = entry.path().strip_prefix(from).expect("below");
            let target = to.join(rel);
            if entry.file_type().is_dir() {
                std::fs::create_dir_all(&target).expect("mkdir");
            } else {
                std::fs::copy(entry.path(), &target).expect("copy");
            }
        }
    } else {
        std::fs::copy(from, to).expect("copy");
    }
}

fn inputs(dir: &Path, prefix: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| rd.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    v.retain(|p| {
        p.file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with(prefix))
    });
    v.sort();
    v
}

#[test]
fn every_rule_fires_exactly_on_its_marked_lines() {
    std::env::set_current_dir(repo_root()).expect("cd to the crate root");
    let all = app::load_rules(&[], &Config::default()).expect("embedded packs load");
    let only = std::env::var("ISOLINT_RULE").unwrap_or_default();
    let packs = load::embedded();
    let mut failures = Vec::new();
    let mut checked = 0;
    for rule in &all.rules {
        let meta = &rule.meta;
        if !meta.id.starts_with(&only) {
            continue;
        }
        let dir = repo_root().join("fixtures").join(&meta.pack).join(&meta.id);
        let fails = inputs(&dir, "fail");
        let passes = inputs(&dir, "pass");
        if fails.is_empty() || passes.is_empty() {
            failures.push(format!(
                "{} has no fixtures: create {}/fail.<ext> and pass.<ext>",
                meta.id,
                display(&dir)
            ));
            continue;
        }
        checked += 1;
        // Compile only the rule's own pack (loading every pack per rule is slow).
        let pack: Vec<PackSource> = packs
            .iter()
            .filter(|p| p.pack == meta.pack)
            .map(|p| PackSource {
                path: p.path.clone(),
                pack: p.pack.clone(),
                text: p.text.clone(),
            })
            .collect();
        let id = meta.id.clone();
        let one = RuleSet::new(load::load(&pack, Catalogue::get_embedded()).expect("pack loads"))
            .filtered(|m| m.id == id);
        let want: BTreeSet<_> = fails.iter().flat_map(|f| expected(f, &meta.id)).collect();
        if want.is_empty() {
            failures.push(format!(
                "{}: fail inputs carry no `expect: {}` marker",
                meta.id, meta.id
            ));
        }
        let (got, errors) = scan(&fails, &one);
        for e in errors {
            failures.push(format!("{}: fixture does not parse: {e}", meta.id));
        }
        for miss in want.difference(&got) {
            failures.push(format!(
                "{}: expected a finding at {}:{} but got none",
                meta.id, miss.0, miss.1
            ));
        }
        for extra in got.difference(&want) {
            failures.push(format!(
                "{}: unexpected finding at {}:{}",
                meta.id, extra.0, extra.1
            ));
        }
        let mut clean = passes;
        clean.extend(inputs(&dir, "unknown"));
        let (got, errors) = scan(&clean, &one);
        for e in errors {
            failures.push(format!("{}: fixture does not parse: {e}", meta.id));
        }
        for extra in got {
            failures.push(format!(
                "{}: finding in a passing input at {}:{}",
                meta.id, extra.0, extra.1
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} problems:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(checked > 0 || !only.is_empty(), "no rules were checked");
}

#[test]
fn every_fixture_directory_belongs_to_a_rule() {
    let all = app::load_rules(&[], &Config::default()).expect("embedded packs load");
    let known: BTreeSet<(String, String)> = all
        .rules
        .iter()
        .map(|r| (r.meta.pack.clone(), r.meta.id.clone()))
        .collect();
    let root = repo_root().join("fixtures");
    let mut orphans = Vec::new();
    for entry in walkdir::WalkDir::new(&root).min_depth(1) {
        let entry = entry.expect("walk");
        let name = entry.file_name().to_string_lossy().into_owned();
        let looks_like_id = name.chars().next().is_some_and(|c| c.is_ascii_uppercase())
            && name
                .rsplit('-')
                .next()
                .is_some_and(|n| n.len() == 3 && n.chars().all(|c| c.is_ascii_digit()));
        if entry.file_type().is_dir() && looks_like_id {
            let pack = entry
                .path()
                .parent()
                .and_then(|p| p.strip_prefix(&root).ok())
                .map(|p| p.to_string_lossy().replace('\\', "/"))
                .unwrap_or_default();
            if !known.contains(&(pack.clone(), name.clone())) {
                orphans.push(format!("fixtures/{pack}/{name}"));
            }
        }
    }
    assert!(
        orphans.is_empty(),
        "fixture directories without a rule: {orphans:?}"
    );
}
