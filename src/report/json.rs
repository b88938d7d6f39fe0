//! The stable JSON contract (version 1), documented in the README. Its own structs, so
//! internal refactors never change the output by accident. Fields are only ever added.

use std::io::Write;

use serde::Serialize;

use super::{Report, Streamed};
use crate::finding::Finding;

#[derive(Serialize)]
struct Output<'a, Findings> {
    version: u32,
    tool: Tool,
    summary: Summary,
    findings: Findings,
    errors: Vec<JsonError<'a>>,
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct Summary {
    files_scanned: usize,
    resources: usize,
    findings: usize,
    suppressed: usize,
    parse_errors: usize,
    duration_ms: u64,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    rule_id: &'a str,
    name: &'a str,
    title: &'a str,
    severity: &'static str,
    controls: &'a [String],
    message: &'a str,
    remediation: &'a str,
    file: &'a str,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    resource: &'a str,
    fingerprint: crate::finding::Fingerprint,
    confidence: &'static str,
    suppressed: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    suppression: Option<JsonSuppression<'a>>,
}

#[derive(Serialize)]
struct JsonSuppression<'a> {
    kind: &'a str,
    reason: &'a str,
}

#[derive(Serialize)]
struct JsonError<'a> {
    file: &'a str,
    line: usize,
    column: usize,
    kind: &'static str,
    message: &'a str,
}

pub fn write(report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    let findings = Streamed(|| {
        report
            .findings
            .iter()
            .filter_map(|f| json_finding(report, f))
    });
    let errors = report
        .errors
        .iter()
        .map(|e| {
            let pos = e.span.and_then(|s| report.positions(s)).map(|p| p.0);
            JsonError {
                file: &e.file,
                line: pos.map_or(1, |p| p.line),
                column: pos.map_or(1, |p| p.column),
                kind: e.kind.as_str(),
                message: &e.message,
            }
        })
        .collect();
    let s = &report.summary;
    let output = Output {
        version: 1,
        tool: Tool {
            name: "isolint",
            version: env!("CARGO_PKG_VERSION"),
        },
        summary: Summary {
            files_scanned: s.files_scanned,
            resources: s.resources,
            findings: s.findings,
            suppressed: s.suppressed,
            parse_errors: s.parse_errors,
            duration_ms: s.duration_ms,
        },
        findings,
        errors,
    };
    serde_json::to_writer_pretty(&mut *out, &output)?;
    writeln!(out)
}

fn json_finding<'a>(report: &'a Report, f: &'a Finding) -> Option<JsonFinding<'a>> {
    let (start, end) = report.positions(f.span)?;
    Some(JsonFinding {
        rule_id: &f.rule.id,
        name: &f.rule.name,
        title: &f.rule.title,
        severity: f.severity.as_str(),
        controls: &f.rule.controls,
        message: &f.message,
        remediation: &f.rule.remediation,
        file: &f.file,
        line: start.line,
        column: start.column,
        end_line: end.line,
        end_column: end.column,
        resource: &f.address,
        fingerprint: f.fingerprint,
        confidence: match f.confidence {
            crate::finding::Confidence::High => "high",
            crate::finding::Confidence::Low => "low",
        },
        suppressed: f.suppression.is_some(),
        suppression: f.suppression.as_ref().map(|s| JsonSuppression {
            kind: s.kind.as_str(),
            reason: &s.reason,
        }),
    })
}
