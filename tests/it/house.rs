//! House rules for the rule packs, checked over every embedded rule: what a reviewer
//! would otherwise have to remember. (That every rule has fixtures that pass is
//! `rules.rs`; that ids are unique, controls exist and natives resolve is the loader's.)

use std::collections::BTreeSet;

use isolint::config::Config;
use isolint::rules::load::embedded;
use isolint::rules::load_rules;

/// The id prefix each platform's rules use.
fn prefix_of(platform: &str) -> String {
    match platform {
        "kubernetes" => "K8S-".into(),
        "dockerfile" => "DOCKER-".into(),
        "docker-compose" => "COMPOSE-".into(),
        "github-actions" => "GHA-".into(),
        "secrets" => "SECRET-".into(),
        p => match p.strip_prefix("terraform-") {
            Some(provider) => format!("{}-", provider.to_ascii_uppercase()),
            None => format!("{}-", p.to_ascii_uppercase()),
        },
    }
}

#[test]
fn every_rule_follows_the_house_style() {
    let rules = load_rules(&[], &Config::default()).expect("embedded packs load");
    let mut problems = Vec::new();
    for rule in &rules.rules {
        let m = &rule.meta;
        let mut bad = |what: &str| problems.push(format!("{}: {what}", m.id));
        if !m.id.starts_with(&prefix_of(&m.platform)) {
            bad(&format!(
                "id does not start with {}",
                prefix_of(&m.platform)
            ));
        }
        // Sentence case. A title may lead with a name that is written in lower case: a
        // product (etcd, age), a command (apt-get, cd) or a key (extra_hosts).
        const LOWER_CASE_NAMES: &[&str] = &[
            "age", "apk", "apt", "cd", "etcd", "gem", "go", "kubelet", "npm", "pip", "useradd",
            "yum", "zypper",
        ];
        let first_word = m.title.split_whitespace().next().unwrap_or("");
        let first = m.title.chars().next().unwrap_or(' ');
        let code_like = first_word.contains(['_', '/', '-']);
        if !first.is_uppercase()
            && !first.is_ascii_digit()
            && !code_like
            && !LOWER_CASE_NAMES.contains(&first_word)
        {
            bad("title does not start with a capital letter");
        }
        if m.title.ends_with('.') {
            bad("title ends with a period");
        }
        if m.controls.is_empty() {
            bad("no control");
        }
        let unique: BTreeSet<&String> = m.controls.iter().collect();
        if unique.len() != m.controls.len() {
            bad("a control is listed twice");
        }
        if m.references.is_empty() {
            bad("no reference");
        }
        for r in &m.references {
            if !r.starts_with("https://") {
                bad(&format!("reference is not https: {r}"));
            }
        }
        for (field, text) in [
            ("description", &m.description),
            ("rationale", &m.rationale),
            ("remediation", &m.remediation),
            ("message", &m.message),
        ] {
            if text.trim().is_empty() {
                bad(&format!("empty {field}"));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn every_native_check_is_used_by_a_rule() {
    // A `native: name` in any embedded pack (the loader already rejects unknown names).
    let used: BTreeSet<String> = embedded()
        .iter()
        .flat_map(|p| {
            p.text
                .lines()
                .filter_map(|l| l.trim().trim_start_matches("- ").strip_prefix("native:"))
                .map(|n| n.trim().trim_matches(['"', '\'']).to_owned())
                .collect::<Vec<_>>()
        })
        .collect();
    let unused: Vec<&str> = isolint::rules::native::names()
        .into_iter()
        .filter(|n| !used.contains(*n))
        .collect();
    assert!(unused.is_empty(), "native checks no rule uses: {unused:?}");
}
