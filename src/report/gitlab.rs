//! GitLab Code Quality (a Code Climate subset): a JSON array of issues for
//! `artifacts: reports: codequality`. Unsuppressed findings, plus files that could not be
//! analysed.

use std::io::Write;

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::{Report, control_label};
use crate::rules::Severity;

#[derive(Serialize)]
struct Issue<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    description: String,
    check_name: &'a str,
    fingerprint: String,
    severity: &'static str,
    categories: [&'static str; 1],
    location: Location<'a>,
}

#[derive(Serialize)]
struct Location<'a> {
    path: &'a str,
    lines: Lines,
}

#[derive(Serialize)]
struct Lines {
    begin: usize,
    end: usize,
}

/// Code Quality severity for an isolint severity.
pub fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "blocker",
        Severity::High => "critical",
        Severity::Medium => "major",
        Severity::Low => "minor",
        Severity::Info => "info",
    }
}

pub fn write(report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    let mut issues: Vec<Issue> = report
        .active_findings()
        .map(|f| {
            let (start, end) = report.region(f.span);
            let controls: Vec<String> = f.rule.controls.iter().map(|c| control_label(c)).collect();
            let description = if controls.is_empty() {
                format!("{}: {}", f.rule.id, f.message)
            } else {
                format!(
                    "{}: {} [ISO 27002 {}]",
                    f.rule.id,
                    f.message,
                    controls.join("; ")
                )
            };
            Issue {
                kind: "issue",
                description,
                check_name: &f.rule.id,
                fingerprint: f.fingerprint.to_string(),
                severity: severity(f.severity),
                categories: ["Security"],
                location: Location {
                    path: &f.file,
                    lines: Lines {
                        begin: start.line,
                        end: end.line.max(start.line),
                    },
                },
            }
        })
        .collect();
    for e in &report.errors {
        let pos = report.error_position(e);
        let mut h = Sha256::new();
        for part in ["isolint-error", e.kind.as_str(), &e.file, &e.message] {
            h.update(part.as_bytes());
            h.update([0]);
        }
        let fingerprint = h.finalize()[..8]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        issues.push(Issue {
            kind: "issue",
            description: format!(
                "isolint could not analyse this file ({}): {}",
                e.kind.as_str(),
                e.message
            ),
            check_name: "isolint-file-error",
            fingerprint,
            severity: "major",
            categories: ["Bug Risk"],
            location: Location {
                path: &e.file,
                lines: Lines {
                    begin: pos.line,
                    end: pos.line,
                },
            },
        });
    }
    serde_json::to_writer_pretty(&mut *out, &issues)?;
    writeln!(out)
}
