//! One line per finding, `path:line:col: ID [severity] message` — the shape editors'
//! quickfix lists, `grep` and ruff's `--output-format concise` users expect — then one per
//! file error, then the summary line (left out with `--quiet`).

use std::io::Write;

use super::{RenderOptions, Report};

pub fn write(report: &Report, opts: &RenderOptions, out: &mut dyn Write) -> std::io::Result<()> {
    for f in report
        .findings
        .iter()
        .filter(|f| opts.verbose || f.suppression.is_none())
    {
        let (start, _) = report.region(f.span);
        let suppressed = if f.suppression.is_some() {
            " (suppressed)"
        } else {
            ""
        };
        writeln!(
            out,
            "{}:{}:{}: {} [{}] {}{suppressed}",
            printable(&f.file),
            start.line,
            start.column,
            f.rule.id,
            f.severity.as_str(),
            printable(&f.message)
        )?;
    }
    for e in &report.errors {
        let p = report.error_position(e);
        writeln!(
            out,
            "{}:{}:{}: error[{}] {}",
            printable(&e.file),
            p.line,
            p.column,
            e.kind.as_str(),
            printable(&e.message)
        )?;
    }
    if !opts.quiet {
        super::human::write_summary(report, out)?;
    }
    Ok(())
}

/// One line stays one line, and a scanned file cannot send terminal escapes.
fn printable(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}
