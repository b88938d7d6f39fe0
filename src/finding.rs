//! A finding: a rule that came out false for a resource, located at the span that
//! explains it, with a fingerprint that survives unrelated edits.

use std::sync::Arc;

use sha2::{Digest, Sha256};

use crate::rules::{RuleMeta, Severity};
use crate::source::{SourceText, Span};

/// How sure the finding is: `Low` marks a `--strict` finding whose premise is unknown.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Confidence {
    High,
    Low,
}

/// Why a finding does not count (kept and reported, never dropped).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Suppression {
    pub kind: SuppressionKind,
    pub reason: String,
}

/// Where a suppression was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SuppressionKind {
    /// An `isolint:ignore` comment in the file.
    Inline,
    /// The `isolint.dev/ignore` annotation of a Kubernetes object.
    Annotation,
    /// `ignore`/`suppress` in the configuration file.
    Config,
    /// A fingerprint in the `--baseline` file.
    Baseline,
}

impl SuppressionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SuppressionKind::Inline => "inline",
            SuppressionKind::Annotation => "annotation",
            SuppressionKind::Config => "config",
            SuppressionKind::Baseline => "baseline",
        }
    }
}

impl std::fmt::Display for SuppressionKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Clone, Debug)]
pub struct Finding {
    pub rule: Arc<RuleMeta>,
    /// The rule's severity after configuration overrides.
    pub severity: Severity,
    pub address: String,
    pub file: String,
    pub span: Span,
    /// The resource's header (block or object start), for suppressions on it.
    pub header: Span,
    pub message: String,
    pub confidence: Confidence,
    pub fingerprint: String,
    pub suppression: Option<Suppression>,
}

impl Finding {
    /// Sort key: file, position, rule, address (stable whatever the thread schedule).
    pub fn sort_key(&self) -> (&str, u32, u32, &str, &str) {
        (
            &self.file,
            self.span.start,
            self.span.end,
            &self.rule.id,
            &self.address,
        )
    }
}

/// rule + file + resource address + the offending text (whitespace folded), so moving
/// a block down the file keeps its fingerprint.
pub fn fingerprint(rule_id: &str, src: &SourceText, address: &str, span: Span) -> String {
    let snippet = src.text.get(span.range()).unwrap_or_default();
    let folded: String = snippet.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut h = Sha256::new();
    for part in [rule_id, &src.display_path, address, &folded] {
        h.update(part.as_bytes());
        h.update([0]);
    }
    h.finalize()[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
