//! Runs the compiled rules over batches of resources. A false check is a finding at
//! each span that explains it; an unknown one is a finding only under `--strict`.

use std::collections::{BTreeMap, HashSet};

use rayon::prelude::*;

use crate::finding::{Confidence, Finding, fingerprint};
use crate::gathered::Gathered;
use crate::model::{Family, Resource};
use crate::parse::node::Node;
use crate::rules::context::EvalCx;
use crate::rules::index::ResourceIndex;
use crate::rules::truth::Truth;
use crate::rules::{Rule, RuleSet};
use crate::source::{SourceMap, Span};

pub struct EvalOptions {
    pub strict: bool,
}

/// What evaluating one batch of resources that only relate to each other (one file, one
/// Terraform root, every Kubernetes object) leaves behind: its findings (not yet
/// `finish`ed), how many resources each rule saw, how many resources there were.
#[derive(Debug, Default)]
pub struct Batch {
    pub findings: Gathered,
    /// A check that panicked (the batch's findings are lost, the scan goes on).
    pub errors: Vec<crate::error::FileError>,
    /// Resources each rule saw: (position in the rule set, count), sorted by position,
    /// rules that saw nothing left out. Sparse because a scan holds one batch per file
    /// until it absorbs them, and a file sees a few dozen of the rules: a dense counter
    /// per rule was 7 KB a file once every text file had rules (70 MB at 10,000 files).
    checked: Vec<(u32, u32)>,
    /// The same counts by rule position, for what the batch absorbed from others: an
    /// accumulator sums tens of thousands of per-file batches, and a search and insert in
    /// the sparse list per rule and file cost as much as the text rules themselves.
    absorbed: Vec<u32>,
    pub resources: usize,
}

/// Which of the rules that apply to a resource a batch evaluates. Kubernetes objects and
/// workflows are evaluated twice: in their own file with the rules that read only them,
/// then in the cross-file batch with the rules that read other resources too.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Every rule (a Terraform root, a file whose resources relate only to each other).
    All,
    /// The rules that read only the resource itself. Counts every applicable rule and
    /// the resource: the `Across` pass does not count again.
    Local,
    /// The rules that read other resources; counts nothing.
    Across,
}

impl Batch {
    /// A batch that checked nothing and holds only these errors.
    pub fn failed(errors: Vec<crate::error::FileError>) -> Batch {
        Batch {
            errors,
            ..Batch::default()
        }
    }

    /// Evaluates `resources` on this thread (callers run batches in parallel).
    pub fn evaluate(
        rules: &RuleSet,
        resources: &[Resource],
        sources: &SourceMap,
        opts: &EvalOptions,
        scope: Scope,
    ) -> Batch {
        let index = ResourceIndex::new(resources, sources);
        Batch::evaluate_against(rules, resources, &index, sources, opts, scope)
    }

    /// Evaluates `resources` on this thread, looking other resources up in `index`
    /// (which need not hold `resources` themselves).
    pub fn evaluate_against(
        rules: &RuleSet,
        resources: &[Resource],
        index: &ResourceIndex<'_>,
        sources: &SourceMap,
        opts: &EvalOptions,
        scope: Scope,
    ) -> Batch {
        let mut batch = Batch::default();
        for resource in resources {
            batch.add(rules, resource, index, sources, opts, scope);
        }
        batch
    }

    /// Like `evaluate`, with the resources spread over the thread pool (one big batch:
    /// every Kubernetes object of the scan).
    pub fn evaluate_parallel(
        rules: &RuleSet,
        resources: &[Resource],
        sources: &SourceMap,
        opts: &EvalOptions,
        scope: Scope,
    ) -> Batch {
        let index = ResourceIndex::new(resources, sources);
        Batch::evaluate_parallel_against(rules, resources, &index, sources, opts, scope)
    }

    /// Like `evaluate_against`, spread over the thread pool.
    pub fn evaluate_parallel_against(
        rules: &RuleSet,
        resources: &[Resource],
        index: &ResourceIndex<'_>,
        sources: &SourceMap,
        opts: &EvalOptions,
        scope: Scope,
    ) -> Batch {
        resources
            .par_chunks(64)
            .map(|chunk| Batch::evaluate_against(rules, chunk, index, sources, opts, scope))
            .reduce(Batch::default, |mut a, b| {
                a.absorb(b);
                a
            })
    }

    fn add(
        &mut self,
        rules: &RuleSet,
        resource: &Resource,
        index: &ResourceIndex<'_>,
        sources: &SourceMap,
        opts: &EvalOptions,
        scope: Scope,
    ) {
        let applicable = rules.indices_for(resource);
        if scope != Scope::Across {
            let rule = |i: usize| u32::try_from(i).unwrap_or(u32::MAX);
            if self.checked.is_empty() {
                // The first resource of a batch (most batches are one file's one
                // resource): the list is the ascending rule positions as they are.
                self.checked
                    .extend(applicable.iter().map(|&i| (rule(i), 1)));
            } else {
                for &i in applicable {
                    self.count(rule(i), 1);
                }
            }
            if resource.family != Family::Text {
                self.resources += 1;
            }
        }
        let applicable = applicable
            .iter()
            .copied()
            .filter(|&i| match scope {
                Scope::All => true,
                Scope::Local => !rules.looks_across(i),
                Scope::Across => rules.looks_across(i),
            })
            .map(|i| &rules.rules[i]);
        self.findings
            .extend(check_resource(applicable, resource, index, sources, opts));
    }

    /// Adds `n` to the count of the rule at position `rule`.
    fn count(&mut self, rule: u32, n: u32) {
        match self.checked.binary_search_by_key(&rule, |&(r, _)| r) {
            Ok(at) => self.checked[at].1 += n,
            Err(at) => self.checked.insert(at, (rule, n)),
        }
    }

    /// Adds `n` to the absorbed count of the rule at position `at`.
    fn count_absorbed(&mut self, at: usize, n: u32) {
        if at >= self.absorbed.len() {
            self.absorbed.resize(at + 1, 0);
        }
        self.absorbed[at] += n;
    }

    /// Resources each rule saw, as `rule id → count`, rules that saw nothing left out.
    pub fn checked_by_id(&self, rules: &RuleSet) -> BTreeMap<String, usize> {
        let absorbed = self.absorbed.iter().enumerate().map(|(i, &n)| (i, n));
        let own = self.checked.iter().map(|&(i, n)| (i as usize, n));
        let mut out: BTreeMap<String, usize> = BTreeMap::new();
        for (i, n) in absorbed.chain(own).filter(|&(_, n)| n > 0) {
            if let Some(rule) = rules.rules.get(i) {
                *out.entry(rule.meta.id.clone()).or_default() += n as usize;
            }
        }
        out
    }

    /// Adds another batch's results to this one.
    pub fn absorb(&mut self, other: Batch) {
        self.findings.append(other.findings);
        self.errors.extend(other.errors);
        for (rule, n) in other.checked {
            self.count_absorbed(rule as usize, n);
        }
        if self.absorbed.is_empty() {
            self.absorbed = other.absorbed;
        } else {
            for (rule, n) in other.absorbed.into_iter().enumerate() {
                if n > 0 {
                    self.count_absorbed(rule, n);
                }
            }
        }
        self.resources += other.resources;
    }
}

/// Sorts findings into report order and drops repeats.
pub fn finish(mut findings: Vec<Finding>, sources: &SourceMap) -> Vec<Finding> {
    findings.par_sort_unstable_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    findings.dedup_by(|a, b| a.sort_key() == b.sort_key());
    drop_overlapping_secrets(drop_text_duplicates(findings, sources))
}

/// One secret, one finding: where the spans of two `sensitive` text rules overlap (a
/// GitHub token that is also the password of a URL, a `.npmrc` `_authToken` in npm's
/// format), only one is kept - the higher severity, then the narrower span (the
/// provider's format), then the lower rule id. Findings are sorted by file and start.
fn drop_overlapping_secrets(findings: Vec<Finding>) -> Vec<Finding> {
    let secret =
        |f: &Finding| f.rule.sensitive && f.rule.resources.iter().all(|k| k == "text_file");
    let mut drop = vec![false; findings.len()];
    for i in 0..findings.len() {
        if !secret(&findings[i]) || drop[i] {
            continue;
        }
        for j in i + 1..findings.len() {
            let (a, b) = (&findings[i], &findings[j]);
            if b.span.file != a.span.file || b.span.start >= a.span.end {
                break;
            }
            if !secret(b) || drop[j] || a.rule.id == b.rule.id {
                continue;
            }
            let rank = |f: &Finding| {
                (
                    std::cmp::Reverse(f.severity),
                    f.span.len(),
                    f.rule.id.clone(),
                )
            };
            if rank(a) <= rank(b) {
                drop[j] = true;
            } else {
                drop[i] = true;
                break;
            }
        }
    }
    findings
        .into_iter()
        .zip(drop)
        .filter_map(|(f, d)| (!d).then_some(f))
        .collect()
}

fn check_resource<'r>(
    rules: impl Iterator<Item = &'r Rule>,
    resource: &Resource,
    index: &ResourceIndex<'_>,
    sources: &SourceMap,
    opts: &EvalOptions,
) -> Vec<Finding> {
    // A `text_file` is stored without its text; the rules see the file's text as its body.
    let text = (resource.family == Family::Text)
        .then(|| sources.get(resource.span.file))
        .flatten()
        .map(|src| crate::model::text::text_body(resource, &src));
    let body = text.as_ref().unwrap_or(&resource.body);
    let memo = crate::rules::context::Memo::default();
    let cx = EvalCx {
        resource,
        body,
        index,
        memo: &memo,
    };
    rules
        .flat_map(|rule| check_one(rule, resource, body, &cx, sources, opts))
        .collect()
}

/// A secret found by a plain-text rule on a line that a structured rule already reports
/// for the same control (a literal key in a `provider "aws"` block) is one problem, not
/// two: keep the structured finding, which knows the resource.
fn drop_text_duplicates(findings: Vec<Finding>, sources: &SourceMap) -> Vec<Finding> {
    let is_text = |f: &Finding| f.rule.resources.iter().all(|k| k == "text_file");
    let mut duplicate = vec![false; findings.len()];
    // Findings are sorted by file: one file's run at a time, and only files with a
    // text finding, so the lookup set holds one file's lines, not the whole scan's
    // (a set over 728,153 findings set the peak of `--scale 470`).
    let mut start = 0;
    for run in findings.chunk_by(|a, b| a.file == b.file) {
        if run.iter().any(is_text) && !run.iter().all(is_text) {
            let line_of = |f: &Finding| {
                sources
                    .get(f.span.file)
                    .map_or(0, |s| s.position(f.span.start as usize).line)
            };
            let structured: HashSet<(usize, &str)> = run
                .iter()
                .filter(|f| !is_text(f))
                .flat_map(|f| {
                    let line = line_of(f);
                    f.rule.controls.iter().map(move |c| (line, c.as_str()))
                })
                .collect();
            for (f, dup) in run.iter().zip(&mut duplicate[start..]) {
                *dup = is_text(f) && {
                    let line = line_of(f);
                    f.rule
                        .controls
                        .iter()
                        .any(|c| structured.contains(&(line, c.as_str())))
                };
            }
        }
        start += run.len();
    }
    findings
        .into_iter()
        .zip(duplicate)
        .filter_map(|(f, dup)| (!dup).then_some(f))
        .collect()
}

fn check_one(
    rule: &Rule,
    resource: &Resource,
    body: &Node,
    cx: &EvalCx<'_>,
    sources: &SourceMap,
    opts: &EvalOptions,
) -> Vec<Finding> {
    if let Some(when) = &rule.when
        && when.eval(body, cx).truth != Truth::True
    {
        return Vec::new();
    }
    let outcome = rule.check.eval(body, cx);
    let confidence = match outcome.truth {
        Truth::True => return Vec::new(),
        Truth::Unknown if !opts.strict => return Vec::new(),
        Truth::Unknown => Confidence::Low,
        Truth::False => Confidence::High,
    };
    let mut spans = outcome.spans;
    if spans.is_empty() {
        spans.push(resource.header);
    }
    spans
        .into_iter()
        .filter_map(|span| make_finding(rule, resource, span, confidence, sources))
        .collect()
}

fn make_finding(
    rule: &Rule,
    resource: &Resource,
    span: Span,
    confidence: Confidence,
    sources: &SourceMap,
) -> Option<Finding> {
    let src = sources.get(span.file)?;
    let value = src
        .text
        .get(span.range())
        .map(|t| {
            if rule.meta.sensitive {
                return crate::finding::mask_short(t.trim());
            }
            let line = t.lines().next().unwrap_or_default();
            // A trailing comment is not part of the value.
            let first = line.split(" #").next().unwrap_or(line).trim();
            let first = first
                .strip_prefix('"')
                .and_then(|f| f.strip_suffix('"'))
                .unwrap_or(first);
            if first.chars().count() > 60 {
                format!("{}…", first.chars().take(60).collect::<String>())
            } else {
                first.to_owned()
            }
        })
        .unwrap_or_default();
    let mut message = rule
        .meta
        .message
        .replace("{address}", &resource.address)
        .replace("{value}", &value);
    // A module's line reached from two roots is two findings: each says its caller, and
    // the root enters its fingerprint (and so the de-duplication in `finish`).
    let caller = crate::model::terraform::caller_root(resource);
    if let Some(root) = caller {
        message.push_str(&format!(" (called from {root})"));
    }
    let identity = caller.map_or_else(
        || resource.address.clone(),
        |root| format!("{root}:{}", resource.address),
    );
    if confidence == Confidence::Low {
        message.push_str(" (unverified: depends on a value isolint could not resolve)");
    }
    Some(Finding {
        severity: rule.meta.severity,
        address: resource.address.clone(),
        file: src.display_path.clone(),
        span,
        header: resource.header,
        message,
        confidence,
        fingerprint: fingerprint(&rule.meta.id, &src, &identity, span, rule.meta.sensitive),
        suppression: crate::suppress::annotation::suppression(resource, &rule.meta.id)
            .map(Box::new),
        rule: rule.meta.clone(),
    })
}
