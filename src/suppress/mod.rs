//! Marks findings as suppressed — by an inline `isolint:ignore` comment, a config
//! `suppress` entry or a baseline — without dropping them: reports count and show them
//! with the reason. Suppressions are accountable: one without a reason, past its date,
//! or matching nothing is itself reported.

pub(crate) mod annotation;
pub(crate) mod baseline;
pub(crate) mod directive;
pub(crate) mod meta;

use std::collections::BTreeSet;

use globset::{Glob, GlobSetBuilder};

use crate::config::Config;
use crate::finding::{Confidence, Finding, Suppression, SuppressionKind, fingerprint};
use crate::source::{FileId, SourceMap, SourceText, Span};
pub(crate) use directive::Directive;

/// The `isolint:ignore` comments of one file's text.
pub(crate) fn directives(text: &str) -> Vec<Directive> {
    directive::scan(text)
}

pub(crate) use meta::{duplicate_key, meta_rules};

pub(crate) struct SuppressOptions<'a> {
    pub config: &'a Config,
    /// Fingerprints accepted by `--baseline`.
    pub baseline: Option<&'a BTreeSet<crate::finding::Fingerprint>>,
    /// Ids of the rules this scan ran: a directive naming only these that matched
    /// nothing is stale.
    pub active_rules: &'a BTreeSet<String>,
}

/// Applies every suppression and appends findings about the suppressions themselves.
pub(crate) fn apply(
    mut findings: Vec<Finding>,
    sources: &SourceMap,
    opts: &SuppressOptions<'_>,
    directives: &[Vec<Directive>],
) -> Vec<Finding> {
    let mut used = BTreeSet::new();
    for f in &mut findings {
        if let Some((file, idx)) = inline_match(f, sources, directives) {
            used.insert((file, idx));
            let d = &directives[file][idx];
            f.suppression = Some(Box::new(Suppression {
                kind: SuppressionKind::Inline,
                reason: d.reason.clone().unwrap_or_default(),
            }));
        } else if let Some(s) = config_match(f, opts.config) {
            f.suppression = Some(Box::new(s));
        } else if opts.baseline.is_some_and(|b| b.contains(&f.fingerprint)) {
            f.suppression = Some(Box::new(Suppression {
                kind: SuppressionKind::Baseline,
                reason: "accepted in the baseline file".into(),
            }));
        }
    }
    // The meta rules obey the configuration's select/ignore like any other rule.
    let meta_on = meta::enabled(opts.config);
    findings.retain(|f| {
        !f.rule.id.starts_with("ISOLINT-YAML-")
            || meta_rules()
                .iter()
                .zip(&meta_on)
                .any(|(m, on)| *on && m.id == f.rule.id)
    });
    for (file, list) in directives.iter().enumerate() {
        if list.is_empty() {
            continue;
        }
        let Some(src) = sources.get(FileId(u32::try_from(file).unwrap_or(u32::MAX))) else {
            continue;
        };
        // A directive in prose (a README quoting the syntax) still suppresses a finding in
        // that file, but is not itself judged: it is usually an example, not an exception.
        if meta::is_prose(&src.display_path) {
            continue;
        }
        for (idx, d) in list.iter().enumerate() {
            let problem = if d.reason.is_none() {
                Some((
                    0,
                    "this isolint:ignore has no reason after `--`, so it suppresses nothing"
                        .to_owned(),
                ))
            } else if d.expired() {
                Some((
                    1,
                    format!(
                        "this isolint:ignore expired on {}, so it suppresses nothing",
                        d.until.as_deref().unwrap_or_default()
                    ),
                ))
            } else if !used.contains(&(file, idx))
                && !d.rules.is_empty()
                && d.rules.iter().all(|r| opts.active_rules.contains(r))
            {
                Some((
                    2,
                    format!(
                        "this isolint:ignore for {} matches no finding; remove it",
                        d.rules.join(", ")
                    ),
                ))
            } else {
                None
            };
            if let Some((which, message)) = problem
                && meta_on[which]
            {
                let mut f = meta_finding(which, message, &src, d);
                // A baseline accepts meta findings like any other: `isolint baseline`
                // records them, so `check --baseline` must honour them.
                if opts.baseline.is_some_and(|b| b.contains(&f.fingerprint)) {
                    f.suppression = Some(Box::new(Suppression {
                        kind: SuppressionKind::Baseline,
                        reason: "accepted in the baseline file".into(),
                    }));
                } else if let Some(s) = config_match(&f, opts.config) {
                    f.suppression = Some(Box::new(s));
                }
                findings.push(f);
            }
        }
    }
    findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    findings
}

/// The directive (file index, directive index) that suppresses `f`, if any: one on the
/// finding's line, or on its resource's header line.
fn inline_match(
    f: &Finding,
    sources: &SourceMap,
    directives: &[Vec<Directive>],
) -> Option<(usize, usize)> {
    let lines = [(f.span.file, f.span.start), (f.header.file, f.header.start)];
    for (file, offset) in lines {
        let src = sources.get(file)?;
        let line = src.position(offset as usize).line;
        let list = directives.get(file.0 as usize)?;
        if let Some(idx) = list.iter().position(|d| {
            d.target_line == line && d.covers(&f.rule.id) && d.reason.is_some() && !d.expired()
        }) {
            return Some((file.0 as usize, idx));
        }
    }
    None
}

fn meta_finding(which: usize, message: String, src: &SourceText, d: &Directive) -> Finding {
    let rule = meta_rules()[which].clone();
    let start = src.line_start(d.line);
    let span = Span::new(src.id, start, start + src.line_text(d.line).len());
    Finding {
        severity: rule.severity,
        address: format!("{}:{}", src.display_path, d.line),
        file: src.display_path.clone(),
        span,
        header: span,
        message,
        confidence: Confidence::High,
        fingerprint: fingerprint(&rule.id, src, "", span, false),
        suppression: None,
        rule,
    }
}

fn config_match(f: &Finding, config: &Config) -> Option<Suppression> {
    config.suppress.iter().find_map(|s| {
        let rule_ok = s.rules.is_empty()
            || s.rules.iter().any(|r| {
                f.rule.controls.contains(r)
                    || Glob::new(&r.to_ascii_uppercase())
                        .is_ok_and(|g| g.compile_matcher().is_match(&f.rule.id))
            });
        let path_ok = s.paths.is_empty() || {
            let mut b = GlobSetBuilder::new();
            for p in &s.paths {
                if let Ok(g) = Glob::new(p) {
                    b.add(g);
                }
                if let Ok(g) = Glob::new(&format!("{}/**", p.trim_end_matches('/'))) {
                    b.add(g);
                }
            }
            b.build().is_ok_and(|set| set.is_match(&*f.file))
        };
        (rule_ok && path_ok).then(|| Suppression {
            kind: SuppressionKind::Config,
            reason: s.reason.clone(),
        })
    })
}
