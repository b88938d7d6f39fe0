//! The built-in rules about suppressions themselves (they have no YAML check: the
//! suppression stage produces their findings).

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use crate::rules::{RuleMeta, Severity};

/// ISOLINT-SUPPRESS-001 (no reason), -002 (expired), -003 (matches nothing), and
/// ISOLINT-YAML-001 (a key written twice: the file is still checked, last key wins).
pub(crate) fn meta_rules() -> &'static [Arc<RuleMeta>] {
    static RULES: OnceLock<Vec<Arc<RuleMeta>>> = OnceLock::new();
    RULES.get_or_init(|| {
        let meta = |id: &str, name: &str, title: &str, severity, remediation: &str| {
            RuleMeta {
                id: id.into(),
                name: name.into(),
                title: title.into(),
                severity,
                controls: vec!["5.36".into()],
                resources: Vec::new(),
                message: String::new(),
                remediation: remediation.into(),
                description: "Inline suppressions must say why, may carry an expiry date, and must still match a finding.".into(),
                rationale: "An exception to a security rule is evidence only when it is justified, time-bound and current; auditors review them under 5.36.".into(),
                references: Vec::new(),
                sensitive: false,
                pack: "isolint/suppressions".into(),
                platform: "isolint".into(),
                source: PathBuf::from("src/suppress/meta.rs"),
                line: 0,
            }
        };
        let rule = |id: &str, name: &str, title: &str, severity, remediation: &str| {
            Arc::new(meta(id, name, title, severity, remediation))
        };
        vec![
            rule(
                "ISOLINT-SUPPRESS-001",
                "suppression-without-reason",
                "Suppression without a reason",
                Severity::Low,
                "Add the reason after `--`: `# isolint:ignore RULE-ID -- why this is acceptable`.",
            ),
            rule(
                "ISOLINT-SUPPRESS-002",
                "expired-suppression",
                "Suppression past its expiry date",
                Severity::Low,
                "Fix the finding, or renew the exception with a new `until` date and reason.",
            ),
            rule(
                "ISOLINT-SUPPRESS-003",
                "unused-suppression",
                "Suppression that matches no finding",
                Severity::Info,
                "Remove the comment: the finding it was written for is gone.",
            ),
            {
                let base = meta(
                    "ISOLINT-YAML-001",
                    "duplicate-mapping-key",
                    "Mapping key written twice",
                    Severity::Low,
                    "Remove the overridden key, or merge the two values into the one that should apply.",
                );
                Arc::new(RuleMeta {
                    controls: vec!["8.9".into()],
                    description: "Flags a YAML or JSON mapping that writes the same key twice. The file is still checked with the last value, as kubectl, Helm and PyYAML read it.".into(),
                    rationale: "A key written twice hides one value from reviewers: what is read may not be what was reviewed; configuration management (8.9) asks for configurations that say one thing.".into(),
                    pack: "isolint/parsing".into(),
                    ..base
                })
            },
        ]
    })
}

/// A finding for a key written twice (`ISOLINT-YAML-001`), at the overridden key.
pub(crate) fn duplicate_key(
    src: &crate::source::SourceText,
    dup: &crate::parse::yaml::DuplicateKey,
) -> crate::finding::Finding {
    let rule = meta_rules()[3].clone();
    let line = src.position(dup.span.start as usize).line;
    crate::finding::Finding {
        severity: rule.severity,
        address: format!("{}:{line}", src.display_path),
        file: src.display_path.clone(),
        span: dup.span,
        header: dup.span,
        message: dup.message.clone(),
        confidence: crate::finding::Confidence::High,
        fingerprint: crate::finding::fingerprint(&rule.id, src, "", dup.span, false),
        suppression: None,
        rule,
    }
}

/// Whether each meta rule (in `meta_rules` order) is on under the configuration's
/// `select` and `ignore`, as for any other rule: selected (or nothing selected) and not
/// ignored. `select: ["AWS-*"]` therefore turns them off, `select: ["AWS-*",
/// "ISOLINT-*"]` keeps them, and `ignore: ["ISOLINT-SUPPRESS-*"]` silences them.
pub(crate) fn enabled(config: &crate::config::Config) -> Vec<bool> {
    let select = crate::rules::selector(&config.select, config).ok();
    let ignore = crate::rules::selector(&config.ignore, config).ok();
    meta_rules()
        .iter()
        .map(|m| {
            let selected = config.select.is_empty() || select.as_ref().is_some_and(|s| s(m));
            let ignored = !config.ignore.is_empty() && ignore.as_ref().is_some_and(|i| i(m));
            selected && !ignored
        })
        .collect()
}

/// Documents written for people (Markdown, reStructuredText, AsciiDoc, plain text): they
/// quote `isolint:ignore` as an example far more often than they use it.
pub(crate) fn is_prose(display_path: &str) -> bool {
    let lower = display_path.to_ascii_lowercase();
    [".md", ".markdown", ".mdx", ".rst", ".adoc", ".txt"]
        .iter()
        .any(|ext| lower.ends_with(ext))
}
