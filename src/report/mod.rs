//! Every output format. Emitters take a finished `Report` and write bytes; nothing else
//! in isolint prints.

pub mod concise;
pub mod coverage;
pub mod coverage_html;
pub(crate) mod excerpt;
pub mod fatal;
pub mod github;
pub mod gitlab;
pub mod human;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod progress;
pub mod sanitize;
pub mod sarif;
pub mod stats;

use std::collections::BTreeMap;
use std::io::Write;
use std::ops::Deref;
use std::sync::Arc;

use crate::controls::Catalogue;
use crate::error::{FileError, Notice};
use crate::finding::Finding;
use crate::rules::{RuleMeta, Severity};
use crate::source::{Position, SourceMap, Span};

/// Counts for the summary line and the JSON contract.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    pub files_scanned: usize,
    pub resources: usize,
    /// Findings not suppressed.
    pub findings: usize,
    pub suppressed: usize,
    pub parse_errors: usize,
    /// Files left out by the configuration's `exclude` (shown, so that a pull request
    /// excluding everything cannot pass unnoticed).
    pub excluded: usize,
    /// Files (or Terraform roots, or the Kubernetes cross-file batch) not checked because
    /// the time budget ran out.
    pub unchecked: usize,
    pub duration_ms: u64,
}

/// A sequence written as it is produced: a report of a million findings is never held a
/// second time as output structs (that copy set the peak of a `--scale 470` scan).
pub(crate) struct Streamed<F>(pub F);

impl<F, I> serde::Serialize for Streamed<F>
where
    F: Fn() -> I,
    I: IntoIterator,
    I::Item: serde::Serialize,
{
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq((self.0)())
    }
}

/// `1 file`, `2 files`.
pub(crate) fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Time and memory per stage, for `--stats`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StageTimes {
    pub discover_ms: u64,
    pub read_ms: u64,
    /// Wall time of the phases: Terraform roots, other files, Kubernetes objects, then
    /// sorting and suppressions.
    pub terraform_ms: u64,
    pub files_ms: u64,
    pub kubernetes_ms: u64,
    pub finish_ms: u64,
    /// Rendering Helm charts and building Kustomize overlays (wall time; the tools run
    /// in parallel).
    pub render_ms: u64,
    /// Thread time summed over all workers: parsing and modelling, and rule evaluation.
    pub model_cpu_ms: u64,
    pub evaluate_cpu_ms: u64,
    /// Resident memory (now, and the peak so far) after each stage, in order: the stage
    /// where the peak rises is the one that set it.
    pub resident: Vec<(&'static str, crate::memory::Resident)>,
    /// The largest file read, by bytes.
    pub largest_file: Option<(u64, String)>,
    /// The largest batch: Terraform roots by resources, and the Kubernetes cross-file
    /// batch.
    pub largest_root: Option<(usize, String)>,
    /// Kubernetes objects and workflow jobs kept whole for the cross-file batch.
    pub kubernetes_objects: usize,
    /// Files read and modelled again for the subjects of the cross-file rules.
    pub across_files: usize,
    /// Worker threads of the scan (`--threads`, default one per core).
    pub threads: usize,
}

impl StageTimes {
    /// Notes resident memory at the end of `stage`.
    pub fn mark(&mut self, stage: &'static str) {
        if let Some(r) = crate::memory::resident() {
            self.resident.push((stage, r));
        }
    }
}

/// The result of a scan, ready to render.
#[derive(Debug)]
pub struct Report {
    /// Sorted by file, position, rule, address; suppressed ones included.
    pub findings: Vec<Finding>,
    pub errors: Vec<FileError>,
    pub notices: Vec<Notice>,
    pub summary: Summary,
    pub times: StageTimes,
    pub sources: SourceMap,
    /// How many resources each rule was evaluated against (rule id → count; derefs to the
    /// map), and every loaded rule's metadata (rules with no finding still evidence a
    /// control).
    pub checked: Checked,
}

/// The rules a scan ran: every loaded rule (after `select`/`ignore`) and how many
/// resources each one was evaluated against. Derefs to the `rule id → count` map; rules
/// that met no resource have no entry.
#[derive(Clone, Debug, Default)]
pub struct Checked {
    pub counts: BTreeMap<String, usize>,
    /// In id order.
    pub rules: Vec<Arc<RuleMeta>>,
}

impl Deref for Checked {
    type Target = BTreeMap<String, usize>;

    fn deref(&self) -> &Self::Target {
        &self.counts
    }
}

impl Report {
    /// Line/column (1-based) of a span's start and end.
    pub fn positions(&self, span: Span) -> Option<(Position, Position)> {
        let src = self.sources.get(span.file)?;
        Some((
            src.position(span.start as usize),
            src.position(span.end as usize),
        ))
    }

    pub fn active_findings(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| f.suppression.is_none())
    }

    /// Every rule the scan loaded, in id order (falls back to the rules of the findings
    /// when the report was built without them).
    pub fn rules(&self) -> Vec<Arc<RuleMeta>> {
        let mut rules = self.checked.rules.clone();
        for f in &self.findings {
            if !rules.iter().any(|r| r.id == f.rule.id) {
                rules.push(f.rule.clone());
            }
        }
        rules.sort_by(|a, b| a.id.cmp(&b.id));
        rules
    }

    /// The 1-based `(line, column, end line, end column)` of a finding, or of the start
    /// of its file when the span is unknown.
    pub fn region(&self, span: Span) -> (Position, Position) {
        self.positions(span).unwrap_or((
            Position { line: 1, column: 1 },
            Position { line: 1, column: 1 },
        ))
    }

    /// Position of a file error (line 1, column 1 when it has no span).
    pub fn error_position(&self, e: &FileError) -> Position {
        e.span
            .and_then(|s| self.positions(s))
            .map_or(Position { line: 1, column: 1 }, |p| p.0)
    }
}

/// `8.24 Use of cryptography` (or the bare id for a control the catalogue lacks).
pub fn control_label(id: &str) -> String {
    match Catalogue::get_embedded().get(id) {
        Some(c) => format!("{id} {}", c.title),
        None => id.to_owned(),
    }
}

/// Findings most severe first, then in report order (stable).
pub fn by_severity<'a>(findings: impl Iterator<Item = &'a Finding>) -> Vec<&'a Finding> {
    let mut v: Vec<&Finding> = findings.collect();
    v.sort_by_key(|f| std::cmp::Reverse(f.severity));
    v
}

/// Counts of unsuppressed findings per severity, most severe first, zeros left out.
pub fn severity_counts(report: &Report) -> Vec<(Severity, usize)> {
    Severity::ALL
        .into_iter()
        .map(|s| {
            (
                s,
                report.active_findings().filter(|f| f.severity == s).count(),
            )
        })
        .filter(|(_, n)| *n > 0)
        .collect()
}

/// The scan time for reports that show one: `SOURCE_DATE_EPOCH` (seconds, for
/// reproducible output) or now, as `YYYY-MM-DD HH:MM UTC`.
pub fn scan_time() -> String {
    let secs = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|v| v.trim().parse::<i64>().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(0))
        });
    format_utc(secs)
}

/// Seconds since the Unix epoch as `YYYY-MM-DD HH:MM UTC`.
pub fn format_utc(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02} UTC",
        rem / 3600,
        rem % 3600 / 60
    )
}

/// The directory the scanned files share (their longest common parent), for report
/// headers; `.` when they share none.
pub fn scanned_root(report: &Report) -> String {
    let mut common: Option<Vec<&str>> = None;
    for (display_path, _) in report.sources.names() {
        let mut parts: Vec<&str> = display_path.split('/').collect();
        parts.pop();
        common = Some(match common {
            None => parts,
            Some(c) => c
                .iter()
                .zip(&parts)
                .take_while(|(a, b)| a == b)
                .map(|(a, _)| *a)
                .collect(),
        });
    }
    match common {
        Some(c) if !(c.is_empty() || c.len() == 1 && c[0].is_empty()) => c.join("/"),
        Some(c) if c.len() == 1 => "/".into(),
        _ => ".".into(),
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Diagnostics with source lines, for terminals.
    #[value(alias = "plain")]
    Human,
    /// One `path:line:col: ID [severity] message` line per finding (editors, grep).
    Concise,
    /// The stable JSON contract (version 1).
    Json,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.
    Sarif,
    /// JUnit XML, for CI test report views.
    Junit,
    /// GitHub Actions workflow commands (annotations).
    Github,
    /// A Markdown job summary grouped by ISO control.
    Markdown,
    /// GitLab Code Quality JSON.
    Gitlab,
    /// The ISO/IEC 27002 evidence report as Markdown.
    CoverageMd,
    /// The ISO/IEC 27002 evidence report as one self-contained HTML page.
    CoverageHtml,
}

impl Format {
    /// Line-oriented output that can share stdout with another stream; the rest are
    /// documents that must be alone in their file.
    pub fn is_stream(self) -> bool {
        matches!(self, Format::Human | Format::Concise | Format::Github)
    }
}

pub struct RenderOptions {
    pub color: bool,
    pub width: usize,
    pub verbose: bool,
    /// Findings only: no summary line (`--quiet`).
    pub quiet: bool,
}

pub fn emit(
    report: &Report,
    format: Format,
    opts: &RenderOptions,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    match format {
        Format::Human => human::write(report, opts, out),
        Format::Concise => concise::write(report, opts, out),
        Format::Json => json::write(report, out),
        Format::Sarif => sarif::write(report, out),
        Format::Junit => junit::write(report, out),
        Format::Github => github::write(report, out),
        Format::Markdown => markdown::write(report, out),
        Format::Gitlab => gitlab::write(report, out),
        Format::CoverageMd => coverage::write_markdown(report, &scan_time(), out),
        Format::CoverageHtml => coverage_html::write(report, &scan_time(), out),
    }
}
