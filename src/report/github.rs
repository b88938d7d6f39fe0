//! GitHub Actions workflow commands: one `::error`/`::warning`/`::notice` annotation per
//! unsuppressed finding, most severe first (GitHub renders only 10 of each type per step),
//! then file errors. Values are escaped as `@actions/core` does.

use std::io::Write;

use super::{Report, by_severity, control_label};
use crate::rules::Severity;

/// GitHub shows this many annotations of each type per step.
const SHOWN_PER_TYPE: usize = 10;

/// The workflow command for a severity.
pub fn command(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium | Severity::Low => "warning",
        Severity::Info => "notice",
    }
}

/// Escapes a message (the data after `::`) as the runner requires (`%`, CR, LF), and
/// shows every other control character (ESC, BEL, C1…) as a visible escape: raw, they
/// would reach the log and the terminal of whoever reads it.
pub fn escape_data(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            c => {
                let mut buf = [0; 4];
                out.push_str(&super::sanitize::line(c.encode_utf8(&mut buf)));
            }
        }
    }
    out
}

/// Escapes a property value (`file=`, `title=`): data escaping plus `:` and `,`.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// One annotation line, without the trailing newline.
pub fn annotation(
    kind: &str,
    file: &str,
    (line, col, end_line, end_col): (usize, usize, usize, usize),
    title: &str,
    message: &str,
) -> String {
    format!(
        "::{kind} file={},line={line},col={col},endLine={end_line},endColumn={end_col},title={}::{}",
        escape_property(file),
        escape_property(title),
        escape_data(message)
    )
}

pub fn write(report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    let mut counts = [0usize; 3];
    let mut bump = |kind: &str| {
        let i = match kind {
            "error" => 0,
            "warning" => 1,
            _ => 2,
        };
        counts[i] += 1;
    };
    let findings = by_severity(report.active_findings());
    let (errors, rest): (Vec<_>, Vec<_>) = findings
        .into_iter()
        .partition(|f| command(f.severity) == "error");
    for f in &errors {
        finding(report, f, out)?;
        bump("error");
    }
    // A file that could not be parsed hides its findings: as visible as an error.
    for e in &report.errors {
        let pos = report.error_position(e);
        let line = annotation(
            "error",
            &e.file,
            (pos.line, pos.column, pos.line, pos.column),
            &format!("isolint: {} error", e.kind.as_str()),
            &format!("{} (file not analysed)", e.message),
        );
        writeln!(out, "{line}")?;
        bump("error");
    }
    for f in &rest {
        finding(report, f, out)?;
        bump(command(f.severity));
    }
    let hidden: usize = counts
        .iter()
        .map(|n| n.saturating_sub(SHOWN_PER_TYPE))
        .sum();
    if hidden > 0 {
        writeln!(
            out,
            "::notice title=isolint::{}",
            escape_data(&format!(
                "{hidden} more annotations are in the log but not shown on the pull request (GitHub shows {SHOWN_PER_TYPE} per type and step); the job summary (--format markdown) lists every finding"
            ))
        )?;
    }
    Ok(())
}

fn finding(
    report: &Report,
    f: &crate::finding::Finding,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let (start, end) = report.region(f.span);
    let primary = f.rule.controls.first().map(String::as_str).unwrap_or("");
    let title = if primary.is_empty() {
        format!("{} {}", f.rule.id, f.rule.title)
    } else {
        format!("{} {} [ISO 27002 {primary}]", f.rule.id, f.rule.title)
    };
    let controls: Vec<String> = f.rule.controls.iter().map(|c| control_label(c)).collect();
    let mut message = format!("{} ({})", f.message, f.severity.as_str());
    if !controls.is_empty() {
        message.push_str(&format!("\nISO/IEC 27002:2022 {}", controls.join("; ")));
    }
    if !f.rule.remediation.is_empty() {
        message.push_str(&format!("\nFix: {}", f.rule.remediation));
    }
    if let Some(url) = f.rule.references.first() {
        message.push_str(&format!("\nSee {url}"));
    }
    let line = annotation(
        command(f.severity),
        &f.file,
        (start.line, start.column, end.line, end.column),
        &title,
        &message,
    );
    writeln!(out, "{line}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_like_actions_core() {
        assert_eq!(escape_data("50% done\r\nnext"), "50%25 done%0D%0Anext");
        assert_eq!(escape_data("a: b, c"), "a: b, c");
        assert_eq!(escape_data("x\u{1b}]0;t\u{7}"), "x\\u{1b}]0;t\\u{7}");
        assert_eq!(escape_property("a: b, 5%\n"), "a%3A b%2C 5%25%0A");
        assert_eq!(
            annotation("error", "a,b.tf", (1, 2, 3, 4), "T: x", "m\nn"),
            "::error file=a%2Cb.tf,line=1,col=2,endLine=3,endColumn=4,title=T%3A x::m%0An"
        );
    }
}
