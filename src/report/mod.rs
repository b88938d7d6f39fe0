//! Every output format. Emitters take a finished `Report` and write bytes; nothing else
//! in isolint prints.

pub mod human;
pub mod json;

use std::collections::BTreeMap;
use std::io::Write;

use crate::error::{FileError, Notice};
use crate::finding::Finding;
use crate::model::Resource;
use crate::rules::RuleSet;
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
    pub duration_ms: u64,
}

/// Wall time per stage, for `--stats`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StageTimes {
    pub discover_ms: u64,
    pub parse_ms: u64,
    pub evaluate_ms: u64,
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
    /// How many resources each rule was evaluated against (rule id → count).
    pub checked: BTreeMap<String, usize>,
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
}

pub fn checked_counts(rules: &RuleSet, resources: &[Resource]) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for r in resources {
        for rule in rules.for_resource(r) {
            *counts.entry(rule.meta.id.clone()).or_insert(0) += 1;
        }
    }
    counts
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Human,
    Json,
}

pub struct RenderOptions {
    pub color: bool,
    pub width: usize,
    pub stats: bool,
    pub verbose: bool,
}

pub fn emit(
    report: &Report,
    format: Format,
    opts: &RenderOptions,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    match format {
        Format::Human => human::write(report, opts, out),
        Format::Json => json::write(report, out),
    }
}
