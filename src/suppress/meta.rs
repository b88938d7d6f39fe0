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
                sensitive: false,
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
