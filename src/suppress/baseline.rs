//! Baseline files: the fingerprints of findings a team has accepted for now, so a big
//! repository can adopt isolint and fail only on new findings. `isolint baseline`
//! writes one; `--baseline FILE` marks matching findings as suppressed.

use std::collections::BTreeSet;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Fatal, Problem};
use crate::finding::{Finding, Fingerprint};

#[derive(Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub(crate) struct Baseline {
    pub version: u32,
    pub findings: Vec<Entry>,
}

/// One accepted finding; only the fingerprint matches, the rest helps reviewers.
#[derive(Debug, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(deny_unknown_fields)]
pub(crate) struct Entry {
    pub fingerprint: String,
    pub rule_id: String,
    pub file: String,
    pub resource: String,
}

impl Baseline {
    /// A baseline of every unsuppressed finding, sorted.
    pub(crate) fn from_findings(findings: &[Finding]) -> Baseline {
        let mut entries: Vec<Entry> = findings
            .iter()
            .filter(|f| f.suppression.is_none())
            .map(|f| Entry {
                fingerprint: f.fingerprint.to_string(),
                rule_id: f.rule.id.clone(),
                file: f.file.to_string(),
                resource: f.address.clone(),
            })
            .collect();
        entries.sort();
        entries.dedup();
        Baseline {
            version: 1,
            findings: entries,
        }
    }

    pub(crate) fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).unwrap_or_default();
        s.push('\n');
        s
    }

    pub(crate) fn load(path: &Path) -> Result<BTreeSet<Fingerprint>, Fatal> {
        let text =
            crate::source::read_capped(path, crate::source::MAX_BASELINE_BYTES).map_err(|e| {
                Fatal::Io {
                    context: format!("cannot read baseline {}", path.display()),
                    source: e,
                }
            })?;
        let baseline: Baseline = serde_json::from_str(&text).map_err(|e| {
            Fatal::Config(vec![Problem::in_file(
                path,
                e.line(),
                e.column(),
                format!("not a valid isolint baseline: {e}"),
            )])
        })?;
        baseline
            .findings
            .iter()
            .map(|e| {
                e.fingerprint.parse().map_err(|message| {
                    // serde_json keeps no positions after parsing: the first line
                    // holding the value is where it was written.
                    let line = text
                        .lines()
                        .position(|l| l.contains(&format!("\"{}\"", e.fingerprint)))
                        .map_or(1, |i| i + 1);
                    Fatal::Config(vec![Problem::in_file(path, line, 1, message)])
                })
            })
            .collect()
    }
}
