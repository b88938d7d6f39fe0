//! The built-in rules about suppressions themselves (they have no YAML check: the
//! suppression stage produces their findings).

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use crate::rules::{RuleMeta, Severity};

/// ISOLINT-SUPPRESS-001 (no reason), -002 (expired), -003 (matches nothing).
pub(crate) fn meta_rules() -> &'static [Arc<RuleMeta>] {
    static RULES: OnceLock<Vec<Arc<RuleMeta>>> = OnceLock::new();
    RULES.get_or_init(|| {
        let rule = |id: &str, name: &str, title: &str, severity, remediation: &str| {
            Arc::new(RuleMeta {
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
                pack: "isolint/suppressions".into(),
                platform: "isolint".into(),
                source: PathBuf::from("src/suppress/meta.rs"),
                line: 0,
            })
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
        ]
    })
}

/// Whether each meta rule (in `meta_rules` order) is on under the configuration's
/// `select` and `ignore` (`ignore: ["ISOLINT-SUPPRESS-*"]` silences them).
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
