//! The ISO/IEC 27002:2022 evidence report: for every control in the catalogue, the rules
//! that evidence it and what they found (resources checked, passed, failed, suppressed
//! with reasons), and the controls no rule observes. This file holds the model and the
//! Markdown rendering; `coverage_html` renders the same model as one HTML page.

use super::plural;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::io::Write;
use std::sync::Arc;

use super::{Report, scanned_root};
use crate::controls::{Catalogue, Control};
use crate::finding::Finding;
use crate::rules::RuleMeta;

/// Where a control stands after a scan.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Status {
    /// At least one unsuppressed finding.
    Failing,
    /// Findings, all suppressed with a reason.
    SuppressedOnly,
    /// Rules ran on resources and found nothing.
    Passing,
    /// Rules exist, but the scan had no resource they apply to.
    NotEvaluated,
    /// Infrastructure code could show it, but no rule checks it yet.
    NoRule,
    /// Infrastructure code cannot show it (organisational, people, physical).
    NotObservable,
}

impl Status {
    pub const ALL: [Status; 6] = [
        Status::Failing,
        Status::SuppressedOnly,
        Status::Passing,
        Status::NotEvaluated,
        Status::NoRule,
        Status::NotObservable,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Status::Failing => "Failing",
            Status::SuppressedOnly => "Suppressed only",
            Status::Passing => "Passing",
            Status::NotEvaluated => "Not evaluated",
            Status::NoRule => "No rule yet",
            Status::NotObservable => "Not observable",
        }
    }

    /// CSS class / anchor-friendly name.
    pub fn slug(self) -> &'static str {
        match self {
            Status::Failing => "failing",
            Status::SuppressedOnly => "suppressed",
            Status::Passing => "passing",
            Status::NotEvaluated => "not-evaluated",
            Status::NoRule => "no-rule",
            Status::NotObservable => "not-observable",
        }
    }

    pub fn meaning(self) -> &'static str {
        match self {
            Status::Failing => "at least one resource fails a rule mapped to the control",
            Status::SuppressedOnly => {
                "every finding is suppressed with a recorded reason (accepted risk)"
            }
            Status::Passing => "every resource checked satisfies every rule mapped to the control",
            Status::NotEvaluated => "rules exist, but nothing in the scan is in their scope",
            Status::NoRule => "observable in infrastructure code, but no rule checks it yet",
            Status::NotObservable => {
                "organisational, people or physical: infrastructure code cannot show it"
            }
        }
    }
}

/// One rule's results over the whole scan.
pub struct RuleEvidence<'a> {
    pub meta: Arc<RuleMeta>,
    /// Resources the rule was evaluated against.
    pub checked: usize,
    /// Checked resources without any finding of this rule.
    pub passed: usize,
    /// Resources with at least one unsuppressed finding.
    pub failed: usize,
    /// Resources whose findings are all suppressed.
    pub suppressed: usize,
    /// Its findings (suppressed ones included), in report order.
    pub findings: Vec<&'a Finding>,
}

pub struct ControlEvidence {
    pub control: Control,
    pub status: Status,
    /// Indexes into `Coverage::rules`, in rule id order.
    pub rules: Vec<usize>,
}

pub struct Coverage<'a> {
    pub controls: Vec<ControlEvidence>,
    pub rules: Vec<RuleEvidence<'a>>,
}

/// Identifies the resource a finding belongs to (its header span).
pub fn resource_key(f: &Finding) -> (u32, u32, &str) {
    (f.header.file.0, f.header.start, f.address.as_str())
}

impl<'a> Coverage<'a> {
    pub fn build(report: &'a Report) -> Coverage<'a> {
        let mut by_rule: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
        for f in &report.findings {
            by_rule.entry(&f.rule.id).or_default().push(f);
        }
        let rules: Vec<RuleEvidence> = report
            .rules()
            .into_iter()
            .map(|meta| {
                let findings = by_rule.remove(meta.id.as_str()).unwrap_or_default();
                let mut failed = BTreeSet::new();
                let mut touched = BTreeSet::new();
                for f in &findings {
                    touched.insert(resource_key(f));
                    if f.suppression.is_none() {
                        failed.insert(resource_key(f));
                    }
                }
                let checked = report
                    .checked
                    .get(&meta.id)
                    .copied()
                    .unwrap_or(0)
                    .max(touched.len());
                RuleEvidence {
                    checked,
                    passed: checked - touched.len(),
                    failed: failed.len(),
                    suppressed: touched.len() - failed.len(),
                    findings,
                    meta,
                }
            })
            .collect();
        let controls = Catalogue::get_embedded()
            .all()
            .iter()
            .map(|c| {
                let idx: Vec<usize> = rules
                    .iter()
                    .enumerate()
                    .filter(|(_, r)| r.meta.controls.contains(&c.id))
                    .map(|(i, _)| i)
                    .collect();
                let sum = |f: fn(&RuleEvidence) -> usize| {
                    idx.iter().map(|&i| f(&rules[i])).sum::<usize>()
                };
                let status = if idx.is_empty() {
                    if c.observable == "none" {
                        Status::NotObservable
                    } else {
                        Status::NoRule
                    }
                } else if sum(|r| r.failed) > 0 {
                    Status::Failing
                } else if sum(|r| r.suppressed) > 0 {
                    Status::SuppressedOnly
                } else if sum(|r| r.checked) == 0 {
                    Status::NotEvaluated
                } else {
                    Status::Passing
                };
                ControlEvidence {
                    control: c.clone(),
                    status,
                    rules: idx,
                }
            })
            .collect();
        Coverage { controls, rules }
    }

    pub fn count(&self, status: Status) -> usize {
        self.controls.iter().filter(|c| c.status == status).count()
    }

    /// (checked, passed, failed, suppressed) summed over a control's rules.
    pub fn totals(&self, c: &ControlEvidence) -> (usize, usize, usize, usize) {
        c.rules
            .iter()
            .map(|&i| &self.rules[i])
            .fold((0, 0, 0, 0), |t, r| {
                (
                    t.0 + r.checked,
                    t.1 + r.passed,
                    t.2 + r.failed,
                    t.3 + r.suppressed,
                )
            })
    }

    /// A control's findings (suppressed ones included), most severe first, then by place.
    pub fn findings(&self, c: &ControlEvidence) -> Vec<&'a Finding> {
        let mut v: Vec<&Finding> = c
            .rules
            .iter()
            .flat_map(|&i| self.rules[i].findings.iter().copied())
            .collect();
        v.sort_by(|a, b| {
            b.severity
                .cmp(&a.severity)
                .then(a.sort_key().cmp(&b.sort_key()))
        });
        v
    }

    /// Controls with rules (evidenced), in catalogue order.
    pub fn evidenced(&self) -> impl Iterator<Item = &ControlEvidence> {
        self.controls.iter().filter(|c| !c.rules.is_empty())
    }
}

/// Theme headings, in the standard's clause order.
pub const THEMES: [(&str, &str, &str); 4] = [
    ("5", "organizational", "Organizational controls"),
    ("6", "people", "People controls"),
    ("7", "physical", "Physical controls"),
    ("8", "technological", "Technological controls"),
];

/// Source lines around a finding: `(line number, text, flagged)`, at most `max_flagged`
/// flagged lines plus one line of context either side; `None` marks elided lines.
pub fn snippet(
    report: &Report,
    f: &Finding,
    max_flagged: usize,
) -> Vec<Option<(usize, String, bool)>> {
    let Some(src) = report.sources.get(f.span.file) else {
        return Vec::new();
    };
    let (start, end) = report.region(f.span);
    // A span ending at column 1 ends on the line before.
    let last = if end.line > start.line && end.column == 1 {
        end.line - 1
    } else {
        end.line
    };
    let shown_last = last.min(start.line + max_flagged.saturating_sub(1));
    // Long lines (minified files) are cut around the finding's column.
    let at = (f.span.start as usize).saturating_sub(src.line_start(start.line));
    let clip = |n: usize| super::excerpt::clip(src.line_text(n), at);
    let mut lines = Vec::new();
    if start.line > 1 {
        let t = clip(start.line - 1);
        if !t.trim().is_empty() {
            lines.push(Some((start.line - 1, t, false)));
        }
    }
    for n in start.line..=shown_last {
        lines.push(Some((n, clip(n), true)));
    }
    if shown_last < last {
        lines.push(None);
    } else if last < src.line_count() {
        let t = clip(last + 1);
        if !t.trim().is_empty() {
            lines.push(Some((last + 1, t, false)));
        }
    }
    lines
}

// ---------------------------------------------------------------- Markdown rendering

pub fn write_markdown(
    report: &Report,
    scan_time: &str,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    out.write_all(super::sanitize::lines(&markdown(report, scan_time)).as_bytes())
}

fn markdown(report: &Report, scan_time: &str) -> String {
    let cov = Coverage::build(report);
    let s = &report.summary;
    let mut md = String::new();
    let _ = writeln!(md, "# ISO/IEC 27002:2022 evidence report\n");
    let _ = writeln!(
        md,
        "Scanned <code>{}</code> on {} with isolint {}: {}, {}, {}; {}, {} suppressed; {} not analysed.\n",
        cell(&scanned_root(report)),
        scan_time,
        env!("CARGO_PKG_VERSION"),
        plural(s.files_scanned, "file", "files"),
        plural(s.resources, "resource", "resources"),
        plural(cov.rules.len(), "rule", "rules"),
        plural(s.findings, "open finding", "open findings"),
        s.suppressed,
        plural(s.parse_errors, "file", "files"),
    );
    let _ = writeln!(md, "| Status | Controls | Meaning |\n|---|---:|---|");
    for st in Status::ALL {
        let _ = writeln!(
            md,
            "| {} {} | {} | {} |",
            emoji(st),
            st.label(),
            cov.count(st),
            st.meaning()
        );
    }
    let _ = writeln!(
        md,
        "\nA passing control means every rule mapped to it held on every resource checked: evidence for the control, not proof that it is implemented.\n"
    );

    let _ = writeln!(md, "## Controls with rules\n");
    let _ = writeln!(
        md,
        "| Control | Title | Status | Rules | Checked | Passed | Failed | Suppressed |\n|---|---|---|---|---:|---:|---:|---:|"
    );
    for c in cov.evidenced() {
        let (checked, passed, failed, suppressed) = cov.totals(c);
        let rules: Vec<&str> = c
            .rules
            .iter()
            .map(|&i| cov.rules[i].meta.id.as_str())
            .collect();
        let _ = writeln!(
            md,
            "| [{id}](#control-{anchor}) | {} | {} {} | {} | {checked} | {passed} | {failed} | {suppressed} |",
            cell(&c.control.title),
            emoji(c.status),
            c.status.label(),
            cell(&rules.join(", ")),
            id = c.control.id,
            anchor = c.control.id.replace('.', "-"),
        );
    }

    for c in cov.evidenced() {
        let (checked, passed, failed, suppressed) = cov.totals(c);
        let _ = writeln!(
            md,
            "\n<a id=\"control-{}\"></a>\n## {} {} — {} {}\n",
            c.control.id.replace('.', "-"),
            c.control.id,
            cell(&c.control.title),
            emoji(c.status),
            c.status.label()
        );
        let _ = writeln!(
            md,
            "Theme: {} · observable: {} · {checked} resource checks (summed over its rules), {passed} passed, {failed} failed, {suppressed} suppressed\n",
            c.control.theme, c.control.observable
        );
        let _ = writeln!(
            md,
            "| Rule | Title | Severity | Checked | Passed | Failed | Suppressed |\n|---|---|---|---:|---:|---:|---:|"
        );
        for &i in &c.rules {
            let r = &cov.rules[i];
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} | {} | {} | {} |",
                cell(&r.meta.id),
                cell(&r.meta.title),
                r.meta.severity.as_str(),
                r.checked,
                r.passed,
                r.failed,
                r.suppressed
            );
        }
        let findings = cov.findings(c);
        let active: Vec<_> = findings
            .iter()
            .filter(|f| f.suppression.is_none())
            .collect();
        let suppressed: Vec<_> = findings
            .iter()
            .filter(|f| f.suppression.is_some())
            .collect();
        if !active.is_empty() {
            let _ = writeln!(
                md,
                "\n**Findings**\n\n| Severity | Rule | Location | Message |\n|---|---|---|---|"
            );
            for f in active {
                let (p, _) = report.region(f.span);
                let _ = writeln!(
                    md,
                    "| {} | {} | <code>{}:{}</code> | {} |",
                    f.severity.as_str(),
                    cell(&f.rule.id),
                    cell(&f.file),
                    p.line,
                    cell(&f.message)
                );
            }
        }
        if !suppressed.is_empty() {
            let _ = writeln!(
                md,
                "\n**Suppressed**\n\n| Rule | Location | Resource | Kind | Reason |\n|---|---|---|---|---|"
            );
            for f in suppressed {
                let (p, _) = report.region(f.span);
                let s = f
                    .suppression
                    .as_ref()
                    .map_or(("", ""), |s| (s.kind.as_str(), s.reason.as_str()));
                let _ = writeln!(
                    md,
                    "| {} | <code>{}:{}</code> | {} | {} | {} |",
                    cell(&f.rule.id),
                    cell(&f.file),
                    p.line,
                    cell(&f.address),
                    s.0,
                    cell(s.1)
                );
            }
        }
    }

    let no_rule: Vec<&ControlEvidence> = cov
        .controls
        .iter()
        .filter(|c| c.status == Status::NoRule)
        .collect();
    let _ = writeln!(md, "\n## Observable controls with no rule yet\n");
    if no_rule.is_empty() {
        let _ = writeln!(md, "None.");
    } else {
        let _ = writeln!(
            md,
            "| Control | Title | Theme | Observable |\n|---|---|---|---|"
        );
        for c in no_rule {
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} |",
                c.control.id,
                cell(&c.control.title),
                c.control.theme,
                c.control.observable
            );
        }
    }

    let _ = writeln!(
        md,
        "\n## Controls not observable from infrastructure code\n"
    );
    let _ = writeln!(
        md,
        "These need evidence from outside the repository (policies, records, interviews, site visits).\n"
    );
    for (_, theme, heading) in THEMES {
        let ids: Vec<String> = cov
            .controls
            .iter()
            .filter(|c| c.status == Status::NotObservable && c.control.theme == theme)
            .map(|c| format!("{} {}", c.control.id, cell(&c.control.title)))
            .collect();
        if !ids.is_empty() {
            let _ = writeln!(md, "- **{heading}** ({}): {}", ids.len(), ids.join("; "));
        }
    }

    if !report.errors.is_empty() {
        let _ = writeln!(
            md,
            "\n## Files not analysed\n\nFindings in these files are unknown: evidence gaps.\n\n| File | Line | Kind | Error |\n|---|---:|---|---|"
        );
        for e in &report.errors {
            let p = report.error_position(e);
            let _ = writeln!(
                md,
                "| <code>{}</code> | {} | {} | {} |",
                cell(&e.file),
                p.line,
                e.kind.as_str(),
                cell(&e.message)
            );
        }
    }
    md
}

fn emoji(s: Status) -> &'static str {
    match s {
        Status::Failing => "🔴",
        Status::SuppressedOnly => "🟡",
        Status::Passing => "🟢",
        Status::NotEvaluated => "⚪",
        Status::NoRule => "➖",
        Status::NotObservable => "▫️",
    }
}

/// Text safe inside a Markdown table cell: HTML-escaped, pipes and Markdown punctuation
/// escaped, on one line.
pub fn cell(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '|' => out.push_str("\\|"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '~' | '$' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' | '\t' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}
