//! A Markdown job summary (`$GITHUB_STEP_SUMMARY`): counts first, then the unsuppressed
//! findings grouped under each of their ISO/IEC 27002 controls, then the suppressed ones and
//! the files that could not be analysed. GitHub rejects a step summary over 1 MiB, so the
//! output stops below that and says how many findings were left out.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write;

use super::coverage::cell;
use super::{Report, control_label, severity_counts};
use crate::controls::sort_key;
use crate::finding::Finding;
use crate::rules::Severity;

/// GitHub's step summary limit is 1 MiB (1,048,576 bytes); stay clearly below it.
pub const LIMIT: usize = 1_000_000;
/// Room kept for the truncation note.
const RESERVE: usize = 2_048;

pub fn write(report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    out.write_all(render(report, LIMIT).as_bytes())
}

fn badge(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "🟣 critical",
        Severity::High => "🔴 high",
        Severity::Medium => "🟠 medium",
        Severity::Low => "🟡 low",
        Severity::Info => "🔵 info",
    }
}

/// Appends text while it fits in the budget; once something does not fit, nothing more is
/// added.
struct Budget {
    md: String,
    limit: usize,
    full: bool,
}

impl Budget {
    fn push(&mut self, s: &str) -> bool {
        // Scanned text (names, excerpts, messages) must not carry control characters
        // into the job summary.
        let s = &*super::sanitize::lines(s);
        if self.full || self.md.len() + s.len() > self.limit.saturating_sub(RESERVE) {
            self.full = true;
            return false;
        }
        self.md.push_str(s);
        true
    }
}

/// The summary, at most `limit` bytes.
pub fn render(report: &Report, limit: usize) -> String {
    let s = &report.summary;
    let mut b = Budget {
        md: String::new(),
        limit,
        full: false,
    };
    let counts = severity_counts(report);
    let mut head = String::new();
    let _ = write!(
        head,
        "## isolint: {} finding{}",
        s.findings,
        if s.findings == 1 { "" } else { "s" }
    );
    let _ = writeln!(
        head,
        " in {} files ({} resources)\n",
        s.files_scanned, s.resources
    );
    let mut facts: Vec<String> = counts
        .iter()
        .map(|(sev, n)| format!("**{n} {}**", sev.as_str()))
        .collect();
    if facts.is_empty() {
        facts.push("**no findings** ✅".into());
    }
    facts.push(format!("{} suppressed", s.suppressed));
    if s.excluded > 0 {
        facts.push(format!(
            "⚠️ {} file{} excluded by the isolint configuration",
            s.excluded,
            if s.excluded == 1 { "" } else { "s" }
        ));
    }
    if s.parse_errors > 0 {
        facts.push(format!(
            "⚠️ {} file{} not analysed",
            s.parse_errors,
            if s.parse_errors == 1 { "" } else { "s" }
        ));
    }
    let _ = writeln!(head, "{}\n", facts.join(" · "));

    // Unsuppressed findings under every control their rule maps to, in control order
    // (as the evidence report counts them).
    let mut groups: BTreeMap<((u32, u32), String), Vec<&Finding>> = BTreeMap::new();
    for f in report.active_findings() {
        for id in &f.rule.controls {
            groups
                .entry((sort_key(id), id.clone()))
                .or_default()
                .push(f);
        }
    }
    for v in groups.values_mut() {
        v.sort_by_key(|f| std::cmp::Reverse(f.severity));
    }
    if !groups.is_empty() {
        let _ = writeln!(
            head,
            "| ISO/IEC 27002:2022 control | Findings | Most severe |\n|---|---:|---|"
        );
        for ((_, id), fs) in &groups {
            let _ = writeln!(
                head,
                "| [{}](#{}) | {} | {} |",
                cell(&control_label(id)),
                anchor(id),
                fs.len(),
                fs.first().map_or("", |f| badge(f.severity))
            );
        }
        head.push('\n');
    }
    b.push(&head);

    let mut left_out = 0usize;
    for ((_, id), fs) in &groups {
        let mut section = format!(
            "<a id=\"{}\"></a>\n\n### {} ({})\n\n| Severity | Rule | Location | Message |\n|---|---|---|---|\n",
            anchor(id),
            cell(&control_label(id)),
            fs.len()
        );
        let mut rows = fs.iter();
        if let Some(first) = rows.next() {
            section.push_str(&row(report, first));
        }
        if !b.push(&section) {
            left_out += fs.len();
            continue;
        }
        for f in rows {
            if !b.push(&row(report, f)) {
                left_out += 1;
            }
        }
        b.push("\n");
    }

    let suppressed: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| f.suppression.is_some())
        .collect();
    let mut suppressed_left_out = 0usize;
    if !suppressed.is_empty() {
        let open = format!(
            "<details><summary>{} suppressed finding{}</summary>\n\n| Rule | Location | Kind | Reason |\n|---|---|---|---|\n",
            suppressed.len(),
            if suppressed.len() == 1 { "" } else { "s" }
        );
        if b.push(&open) {
            for f in &suppressed {
                let (p, _) = report.region(f.span);
                let (kind, reason) = f
                    .suppression
                    .as_ref()
                    .map_or(("", ""), |s| (s.kind.as_str(), s.reason.as_str()));
                let line = format!(
                    "| {} | <code>{}:{}</code> | {kind} | {} |\n",
                    cell(&f.rule.id),
                    cell(&f.file),
                    p.line,
                    cell(reason)
                );
                if !b.push(&line) {
                    suppressed_left_out += 1;
                }
            }
            // Always close the element, even when truncated.
            b.md.push_str("\n</details>\n\n");
        } else {
            suppressed_left_out = suppressed.len();
        }
    }

    let mut errors_left_out = 0usize;
    if !report.errors.is_empty() {
        let open = "### ⚠️ Files not analysed\n\nFindings in these files are unknown.\n\n| File | Kind | Error |\n|---|---|---|\n";
        if b.push(open) {
            for e in &report.errors {
                let p = report.error_position(e);
                let line = format!(
                    "| <code>{}:{}</code> | {} | {} |\n",
                    cell(&e.file),
                    p.line,
                    e.kind.as_str(),
                    cell(&e.message)
                );
                if !b.push(&line) {
                    errors_left_out += 1;
                }
            }
            b.md.push('\n');
        } else {
            errors_left_out = report.errors.len();
        }
    }

    let mut md = b.md;
    if left_out + suppressed_left_out + errors_left_out > 0 {
        let mut note = format!(
            "Truncated to stay under GitHub's 1 MiB step summary limit: {left_out} of {} finding{}",
            s.findings,
            if s.findings == 1 { "" } else { "s" }
        );
        if suppressed_left_out > 0 {
            let _ = write!(note, ", {suppressed_left_out} suppressed");
        }
        if errors_left_out > 0 {
            let _ = write!(note, ", {errors_left_out} file errors");
        }
        let _ = writeln!(
            md,
            "> [!WARNING]\n> {note} left out. Run `isolint check --format json` (or `--format sarif`) for the complete list."
        );
    }
    md
}

fn anchor(control: &str) -> String {
    format!("iso-{}", control.replace('.', "-"))
}

fn row(report: &Report, f: &Finding) -> String {
    let (p, _) = report.region(f.span);
    let rule = match f.rule.references.first() {
        Some(url) => format!(
            "[{}]({})",
            cell(&f.rule.id),
            url.replace(' ', "%20").replace(')', "%29")
        ),
        None => cell(&f.rule.id),
    };
    format!(
        "| {} | {rule} | <code>{}:{}</code> | {} |\n",
        badge(f.severity),
        cell(&f.file),
        p.line,
        cell(&f.message)
    )
}
