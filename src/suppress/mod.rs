//! Marks findings as suppressed — by an inline `isolint:ignore` comment or a config
//! `suppress` entry — without dropping them: reports count and show them with the reason.

pub mod directive;

use globset::{Glob, GlobSetBuilder};

use crate::config::Config;
use crate::finding::{Finding, Suppression};
use crate::source::SourceMap;
use directive::Directive;

/// Applies inline directives and config suppressions.
pub fn apply(mut findings: Vec<Finding>, sources: &SourceMap, config: &Config) -> Vec<Finding> {
    let directives: Vec<Vec<Directive>> =
        sources.iter().map(|s| directive::scan(&s.text)).collect();
    for f in &mut findings {
        let Some(src) = sources.get(f.span.file) else {
            continue;
        };
        let line = src.position(f.span.start as usize).line;
        let header_src = sources.get(f.header.file).unwrap_or(src);
        let header_line = header_src.position(f.header.start as usize).line;
        let candidates = directives
            .get(f.span.file.0 as usize)
            .into_iter()
            .flatten()
            .filter(|d| d.target_line == line)
            .chain(
                directives
                    .get(f.header.file.0 as usize)
                    .into_iter()
                    .flatten()
                    .filter(|d| d.target_line == header_line),
            );
        for d in candidates {
            if d.covers(&f.rule.id) && d.reason.is_some() && !d.expired() {
                f.suppression = Some(Suppression {
                    kind: "inline",
                    reason: d.reason.clone().unwrap_or_default(),
                });
                break;
            }
        }
        if f.suppression.is_none()
            && let Some(s) = config_match(f, config)
        {
            f.suppression = Some(s);
        }
    }
    findings
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
            b.build().is_ok_and(|set| set.is_match(&f.file))
        };
        (rule_ok && path_ok).then(|| Suppression {
            kind: "config",
            reason: s.reason.clone(),
        })
    })
}
