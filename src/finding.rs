//! A finding: a rule that came out false for a resource, located at the span that
//! explains it, with a fingerprint that survives unrelated edits.

use std::collections::BTreeMap;
use std::sync::Arc;

use sha2::{Digest, Sha256};

use crate::rules::{RuleMeta, Severity};
use crate::source::{FileId, SourceMap, SourceText, Span};

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
    /// The file's display path, shared with its source and its other findings.
    pub file: Arc<str>,
    pub span: Span,
    /// The resource's header (block or object start), for suppressions on it.
    pub header: Span,
    pub message: String,
    pub confidence: Confidence,
    pub fingerprint: Fingerprint,
    /// Boxed: nearly every finding has none, and a scan can hold a million findings.
    pub suppression: Option<Box<Suppression>>,
}

/// The first 64 bits of a SHA-256 ([`fingerprint`]), written as 16 lower-case hex digits
/// in every report and baseline. Held as a number: a string was 40 bytes a finding.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Fingerprint(pub u64);

impl std::fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:016x}", self.0)
    }
}

impl std::str::FromStr for Fingerprint {
    type Err = String;

    /// Exactly 16 hex digits, as reports write them (either case).
    fn from_str(s: &str) -> Result<Self, String> {
        if s.len() != 16 || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(format!("`{s}` is not a fingerprint (16 hex digits)"));
        }
        u64::from_str_radix(s, 16)
            .map(Fingerprint)
            .map_err(|e| e.to_string())
    }
}

impl serde::Serialize for Fingerprint {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl Finding {
    /// Sort key: file, position, rule, address (stable whatever the thread schedule), then
    /// the message and the fingerprint, which both hold the root a module instance was
    /// reached from: the same module line reached from two roots stays two findings when
    /// repeats are dropped, in the order of their roots.
    pub fn sort_key(&self) -> (&str, u32, u32, &str, &str, &str, Fingerprint) {
        (
            &self.file,
            self.span.start,
            self.span.end,
            &self.rule.id,
            &self.address,
            &self.message,
            self.fingerprint,
        )
    }
}

/// rule + file + resource address + the offending text (whitespace folded), so moving
/// a block down the file keeps its fingerprint. For a resource of a module instance the
/// address is preceded by the root it was reached from (`envs/prod:module.net.…`). For a `sensitive` rule the text enters
/// only as its masked form and a slow (iterated) hash of it, so the fingerprint, which is
/// written to baselines and reports, does not let anyone confirm a guessed password
/// cheaply.
pub fn fingerprint(
    rule_id: &str,
    src: &SourceText,
    address: &str,
    span: Span,
    sensitive: bool,
) -> Fingerprint {
    let snippet = src.text.get(span.range()).unwrap_or_default();
    let folded: String = snippet.split_whitespace().collect::<Vec<_>>().join(" ");
    let text = if sensitive {
        let mut digest: [u8; 32] = Sha256::digest(folded.as_bytes()).into();
        for _ in 0..SLOW_ROUNDS {
            digest = Sha256::digest(digest).into();
        }
        let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        format!("{} {hex}", mask(&folded))
    } else {
        folded
    };
    let mut h = Sha256::new();
    for part in [rule_id, &src.display_path, address, &text] {
        h.update(part.as_bytes());
        h.update([0]);
    }
    let digest = h.finalize();
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    // Big-endian: the hex of the number is the hex of the first eight bytes, as before.
    Fingerprint(u64::from_be_bytes(first))
}

/// Rounds of the slow hash a sensitive fingerprint is built on.
const SLOW_ROUNDS: usize = 1024;

/// How a secret is shown in every report: its first characters (at most 4, and at most a
/// quarter of it, so a short password keeps most of it hidden), every other character but
/// white space as `*`. Byte length, line breaks and so every span, line and column stay as
/// they were.
pub fn mask(secret: &str) -> String {
    let visible_chars = secret.chars().filter(|c| !c.is_whitespace()).count();
    let keep = (visible_chars / 4).min(4);
    let mut kept = 0;
    let mut out = String::with_capacity(secret.len());
    for c in secret.chars() {
        if c.is_whitespace() {
            // Line breaks and indentation are not the secret (and keep lines and columns).
            out.push(c);
        } else if kept < keep && !c.is_whitespace() {
            kept += 1;
            out.push(c);
        } else {
            out.extend(std::iter::repeat_n('*', c.len_utf8()));
        }
    }
    out
}

/// The short form of a secret for messages: its first characters and `…`.
pub fn mask_short(secret: &str) -> String {
    let masked = mask(secret);
    let shown: String = masked.chars().take_while(|c| *c != '*').collect();
    format!("{shown}…")
}

/// The texts a report shows: the files with findings or with errors that point into
/// them (read again where the scan released them), each secret a `sensitive` rule found
/// masked, so no output format can print it. No other text is kept.
pub fn report_sources(
    findings: &[Finding],
    errors: &[crate::error::FileError],
    sources: &SourceMap,
) -> SourceMap {
    let mut spans: BTreeMap<FileId, Vec<Span>> = BTreeMap::new();
    for f in findings.iter().filter(|f| f.rule.sensitive) {
        spans.entry(f.span.file).or_default().push(f.span);
    }
    let keep: std::collections::BTreeSet<FileId> = findings
        .iter()
        .map(|f| f.span.file)
        .chain(errors.iter().filter_map(|e| e.span.map(|s| s.file)))
        .collect();
    sources.only(&keep, |src| {
        let Some(list) = spans.get(&src.id) else {
            return src;
        };
        let mut text = src.text.to_string();
        for span in list {
            let r = span.range();
            if let Some(secret) = text.get(r.clone()) {
                let masked = mask(secret);
                text.replace_range(r, &masked);
            }
        }
        Arc::new(SourceText::new(
            src.id,
            src.display_path.clone(),
            src.path.clone(),
            Arc::from(text),
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fingerprint_reads_back_what_it_writes() {
        let f = Fingerprint(0x00ab_cdef_0123_4567);
        assert_eq!(f.to_string(), "00abcdef01234567");
        assert_eq!("00ABCDEF01234567".parse(), Ok(f));
        assert!("abc".parse::<Fingerprint>().is_err());
        assert!("+0abcdef01234567".parse::<Fingerprint>().is_err());
    }

    #[test]
    fn masks_keep_length_and_lines() {
        let key = "ghp_Q7m2Xk9Lp4Rt8Vw1Zb6Nc3Jd5Hf0Gs2Ya4E";
        let m = mask(key);
        assert_eq!(m.len(), key.len());
        assert!(m.starts_with("ghp_*"));
        assert_eq!(mask("hunter22"), "hu******");
        assert_eq!(mask("abc"), "***");
        assert_eq!(mask("MIIEab\nXYZ0cd"), "MII***\n******");
        assert_eq!(mask("\n    MIIEabXYZ0cdEFGH\n"), "\n    MIIE************\n");
        assert_eq!(mask_short(key), "ghp_…");
    }
}
