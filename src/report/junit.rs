//! JUnit XML for CI test views (GitLab `reports: junit`, Jenkins, Azure DevOps).
//!
//! One testsuite per rule that ran; one testcase per finding (a failure, or skipped when
//! suppressed, with the reason), plus one passing testcase counting the resources that
//! passed; files that could not be analysed are errors in a suite of their own.
//! `classname` is `isolint.<RULE-ID>` (no other dot: Jenkins splits package/class at the
//! last one) and `classname` + `name` is unique, as GitLab keys tests on it.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::io::Write;

use super::coverage::resource_key;
use super::{Report, control_label};
use crate::finding::Finding;

struct Suite {
    name: String,
    properties: Vec<(&'static str, String)>,
    cases: Vec<String>,
    failures: usize,
    errors: usize,
    skipped: usize,
}

pub fn write(report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    let mut by_rule: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
    for f in &report.findings {
        by_rule.entry(&f.rule.id).or_default().push(f);
    }
    let mut suites = Vec::new();
    for meta in report.rules() {
        let findings = by_rule.get(meta.id.as_str()).map_or(&[][..], Vec::as_slice);
        let checked = report.checked.get(&meta.id).copied().unwrap_or(0);
        if checked == 0 && findings.is_empty() {
            continue;
        }
        let classname = format!("isolint.{}", meta.id);
        let mut suite = Suite {
            name: format!("{} {}", meta.id, meta.title),
            properties: vec![
                ("severity", meta.severity.as_str().to_owned()),
                (
                    "iso27002",
                    meta.controls
                        .iter()
                        .map(|c| control_label(c))
                        .collect::<Vec<_>>()
                        .join("; "),
                ),
                ("resources_checked", checked.to_string()),
            ],
            cases: Vec::new(),
            failures: 0,
            errors: 0,
            skipped: 0,
        };
        let mut names = BTreeSet::new();
        for f in findings {
            let (start, _) = report.region(f.span);
            let base = format!("{} ({}:{})", f.address, f.file, start.line);
            let mut name = base.clone();
            let mut n = 1;
            while !names.insert(name.clone()) {
                n += 1;
                name = format!("{base} #{n}");
            }
            let mut case = format!(
                "    <testcase classname=\"{}\" name=\"{}\" file=\"{}\" line=\"{}\" time=\"0\">\n",
                attr(&classname),
                attr(&name),
                attr(&f.file),
                start.line
            );
            if let Some(s) = &f.suppression {
                suite.skipped += 1;
                let _ = writeln!(
                    case,
                    "      <skipped message=\"{}\"/>",
                    attr(&format!("suppressed ({}): {}", s.kind, s.reason))
                );
            } else {
                suite.failures += 1;
                let _ = writeln!(
                    case,
                    "      <failure type=\"{}\" message=\"{}\">{}</failure>",
                    f.severity.as_str(),
                    attr(&f.message),
                    text(&failure_body(report, f))
                );
            }
            case.push_str("    </testcase>\n");
            suite.cases.push(case);
        }
        let failed: BTreeSet<_> = findings.iter().map(|f| resource_key(f)).collect();
        let passed = checked.saturating_sub(failed.len());
        if passed > 0 {
            suite.cases.push(format!(
                "    <testcase classname=\"{}\" name=\"{}\" time=\"0\"/>\n",
                attr(&classname),
                attr(&format!(
                    "{passed} of {checked} resource{} pass{}",
                    if checked == 1 { "" } else { "s" },
                    if passed == 1 { "es" } else { "" }
                ))
            ));
        }
        suites.push(suite);
    }
    if !report.errors.is_empty() {
        let mut suite = Suite {
            name: "isolint: files not analysed".into(),
            properties: Vec::new(),
            cases: Vec::new(),
            failures: 0,
            errors: 0,
            skipped: 0,
        };
        for e in &report.errors {
            let pos = report.error_position(e);
            suite.errors += 1;
            suite.cases.push(format!(
                "    <testcase classname=\"isolint.files\" name=\"{}\" file=\"{}\" line=\"{}\" time=\"0\">\n      <error type=\"{}\" message=\"{}\">{}</error>\n    </testcase>\n",
                attr(&format!("{}:{} ({} error)", e.file, pos.line, e.kind.as_str())),
                attr(&e.file),
                pos.line,
                e.kind.as_str(),
                attr(&e.message),
                text(&format!("{}:{}:{}: {}", e.file, pos.line, pos.column, e.message)),
            ));
        }
        suites.push(suite);
    }

    let total = |f: fn(&Suite) -> usize| suites.iter().map(f).sum::<usize>();
    let seconds = format!("{:.3}", report.summary.duration_ms as f64 / 1000.0);
    writeln!(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>")?;
    writeln!(
        out,
        "<testsuites name=\"isolint\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" time=\"{seconds}\">",
        total(|s| s.cases.len()),
        total(|s| s.failures),
        total(|s| s.errors),
        total(|s| s.skipped),
    )?;
    for s in &suites {
        writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" time=\"0\">",
            attr(&s.name),
            s.cases.len(),
            s.failures,
            s.errors,
            s.skipped
        )?;
        if !s.properties.is_empty() {
            writeln!(out, "    <properties>")?;
            for (k, v) in &s.properties {
                writeln!(out, "      <property name=\"{k}\" value=\"{}\"/>", attr(v))?;
            }
            writeln!(out, "    </properties>")?;
        }
        for c in &s.cases {
            out.write_all(c.as_bytes())?;
        }
        writeln!(out, "  </testsuite>")?;
    }
    writeln!(out, "</testsuites>")
}

fn failure_body(report: &Report, f: &Finding) -> String {
    let (start, _) = report.region(f.span);
    let mut body = format!(
        "{}:{}:{} {}\n{}\nSeverity: {}\n",
        f.file,
        start.line,
        start.column,
        f.address,
        f.message,
        f.severity.as_str()
    );
    if !f.rule.controls.is_empty() {
        let controls: Vec<String> = f.rule.controls.iter().map(|c| control_label(c)).collect();
        let _ = writeln!(body, "ISO/IEC 27002:2022: {}", controls.join("; "));
    }
    if !f.rule.remediation.is_empty() {
        let _ = writeln!(body, "Fix: {}", f.rule.remediation);
    }
    if let Some(url) = f.rule.references.first() {
        let _ = writeln!(body, "See: {url}");
    }
    body
}

/// A character XML 1.0 can carry (others become U+FFFD, even escaped they are invalid).
fn xml_char(c: char) -> char {
    match c {
        '\t' | '\n' | '\r' => c,
        c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => '\u{FFFD}',
        c => c,
    }
}

/// Escapes element text.
pub fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars().map(xml_char) {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

/// Escapes an attribute value (quotes, and whitespace that parsers would normalise).
pub fn attr(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars().map(xml_char) {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_xml() {
        assert_eq!(text("a<b & c>d \"q\""), "a&lt;b &amp; c&gt;d \"q\"");
        assert_eq!(
            attr("x=\"1\" & 'y'\n\u{1}"),
            "x=&quot;1&quot; &amp; &apos;y&apos;&#10;\u{FFFD}"
        );
    }
}
