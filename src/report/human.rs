//! Readable diagnostics for terminals: one miette diagnostic per finding with the source
//! line, a label on the offending span, the rule id, the ISO/IEC 27002 control and the fix.

use std::io::Write;

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteDiagnostic};

use super::sanitize::{line, lines};
use super::{RenderOptions, Report};
use crate::controls::Catalogue;
use crate::finding::Finding;
use crate::rules::Severity;

pub fn write(report: &Report, opts: &RenderOptions, out: &mut dyn Write) -> std::io::Result<()> {
    let theme = if opts.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(opts.width)
        .with_links(false);
    for f in report
        .findings
        .iter()
        .filter(|f| opts.verbose || f.suppression.is_none())
    {
        render_finding(report, f, &handler, out)?;
    }
    for e in &report.errors {
        let mut diag = MietteDiagnostic::new(format!("{}: {}", line(&e.file), line(&e.message)))
            .with_code(format!("isolint::{}", e.kind.as_str()))
            .with_severity(miette::Severity::Error);
        let src = report.sources.iter().find(|s| *s.display_path == *e.file);
        if let (Some(span), Some(src)) = (e.span, src) {
            let shown = super::excerpt::around(&src, span.start as usize, span.len());
            diag = diag.with_label(LabeledSpan::new_primary_with_span(
                Some("here".into()),
                shown.label,
            ));
            render(
                &handler,
                miette::Report::new(diag).with_source_code(shown.source),
                out,
            )?;
        } else {
            render(&handler, miette::Report::new(diag), out)?;
        }
    }
    if opts.verbose {
        for n in &report.notices {
            writeln!(out, "note: {}: {}", line(&n.file), line(&n.message))?;
        }
    }
    if opts.quiet {
        return Ok(());
    }
    write_summary(report, out)
}

fn render_finding(
    report: &Report,
    f: &Finding,
    handler: &GraphicalReportHandler,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let Some(src) = report.sources.get(f.span.file) else {
        return Ok(());
    };
    let catalogue = Catalogue::get_embedded();
    let controls: Vec<String> = f
        .rule
        .controls
        .iter()
        .map(|id| match catalogue.get(id) {
            Some(c) => format!("{id} {}", c.title),
            None => id.clone(),
        })
        .collect();
    let label_span = src.first_line(f.span);
    let shown = super::excerpt::around(&src, label_span.start as usize, label_span.len());
    let severity = match f.severity {
        Severity::Critical | Severity::High => miette::Severity::Error,
        Severity::Medium | Severity::Low => miette::Severity::Warning,
        Severity::Info => miette::Severity::Advice,
    };
    let mut help = format!(
        "{}\nISO/IEC 27002:2022 {}",
        f.rule.remediation,
        controls.join("; ")
    );
    if let Some(s) = &f.suppression {
        help.push_str(&format!("\nsuppressed ({}): {}", s.kind, line(&s.reason)));
    }
    let mut diag =
        MietteDiagnostic::new(format!("[{}] {}", f.severity.as_str(), line(&f.rule.title)))
            .with_code(line(&f.rule.id).into_owned())
            .with_severity(severity)
            .with_help(lines(&help).into_owned())
            .with_label(LabeledSpan::new_primary_with_span(
                Some(line(&f.message).into_owned()),
                shown.label,
            ));
    if let Some(url) = f.rule.references.first() {
        diag = diag.with_url(line(url).into_owned());
    }
    render(
        handler,
        miette::Report::new(diag).with_source_code(shown.source),
        out,
    )
}

fn render(
    handler: &GraphicalReportHandler,
    report: miette::Report,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let mut text = String::new();
    handler
        .render_report(&mut text, report.as_ref())
        .map_err(|_| std::io::Error::other("could not render a diagnostic"))?;
    writeln!(out, "{text}")
}

pub(crate) fn write_summary(report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    let s = &report.summary;
    let mut by_sev = Vec::new();
    for sev in Severity::ALL {
        let n = report
            .active_findings()
            .filter(|f| f.severity == sev)
            .count();
        if n > 0 {
            by_sev.push(format!("{n} {}", sev.as_str()));
        }
    }
    let findings = if s.findings == 0 {
        "no findings".to_owned()
    } else {
        format!(
            "{} finding{} ({})",
            s.findings,
            if s.findings == 1 { "" } else { "s" },
            by_sev.join(", ")
        )
    };
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    write!(
        out,
        "isolint: {findings} in {} ({})",
        plural(s.files_scanned, "file"),
        plural(s.resources, "resource")
    )?;
    if s.suppressed > 0 {
        write!(out, ", {} suppressed", s.suppressed)?;
    }
    if s.parse_errors > 0 {
        write!(
            out,
            ", {} file{} could not be read or parsed",
            s.parse_errors,
            if s.parse_errors == 1 { "" } else { "s" }
        )?;
    }
    if s.excluded > 0 {
        write!(
            out,
            ", {} excluded by configuration",
            plural(s.excluded, "file")
        )?;
    }
    writeln!(out, " — {} ms", s.duration_ms)?;
    Ok(())
}
