//! The fixture contract: every rule has `fixtures/<pack>/<ID>/` with `fail*` inputs whose
//! flagged lines carry `expect: ID` markers and `pass*` inputs that must stay clean
//! (`unknown*` inputs too: a value isolint cannot know never yields a finding). The real
//! pipeline runs with only the rule under test; every mismatch is collected, then one
//! assert reports them all. `ISOLINT_RULE=AWS-S3` narrows a local run to ids with that prefix.

use std::collections::BTreeSet;

use isolint::config::Config;
use isolint::rules::load;
use isolint::rules::load_rules;

use crate::support::repo_root;

#[test]
fn every_rule_fires_exactly_on_its_marked_lines() {
    let root = repo_root();
    std::env::set_current_dir(&root).expect("cd to the crate root");
    let only = std::env::var("ISOLINT_RULE").unwrap_or_default();
    let outcome = isolint::ruletest::run(&load::embedded(), &root.join("fixtures"), &only, &root)
        .expect("embedded packs load");
    assert!(
        outcome.failures.is_empty(),
        "{} problems:\n{}",
        outcome.failures.len(),
        outcome.failures.join("\n")
    );
    assert!(
        outcome.checked > 0 || !only.is_empty(),
        "no rules were checked"
    );
}

#[test]
fn every_fixture_directory_belongs_to_a_rule() {
    let all = load_rules(&[], &Config::default()).expect("embedded packs load");
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
