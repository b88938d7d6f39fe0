//! Runs the compiled rules over every resource in parallel. A false check is a finding at
//! each span that explains it; an unknown one is a finding only under `--strict`.

use rayon::prelude::*;

use crate::finding::{Confidence, Finding, Suppression, fingerprint};
use crate::model::Resource;
use crate::rules::index::ResourceIndex;
use crate::rules::predicate::EvalCx;
use crate::rules::truth::Truth;
use crate::rules::{Rule, RuleSet};
use crate::source::{SourceMap, Span};

pub struct EvalOptions {
    pub strict: bool,
}

pub fn evaluate(
    rules: &RuleSet,
    resources: &[Resource],
    sources: &SourceMap,
    opts: &EvalOptions,
) -> Vec<Finding> {
    let index = ResourceIndex::new(resources, sources);
    let mut findings: Vec<Finding> = resources
        .par_iter()
        .flat_map_iter(|resource| {
            let cx = EvalCx {
                resource,
                index: &index,
            };
            rules
                .for_resource(resource)
                .flat_map(|rule| check_one(rule, resource, &cx, sources, opts))
                .collect::<Vec<_>>()
        })
        .collect();
    findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    findings.dedup_by(|a, b| a.sort_key() == b.sort_key());
    drop_text_duplicates(findings, resources, sources)
}

/// A secret found by a plain-text rule on a line that a structured rule already reports
/// for the same control (a literal key in a `provider "aws"` block) is one problem, not
/// two: keep the structured finding, which knows the resource.
fn drop_text_duplicates(
    findings: Vec<Finding>,
    resources: &[Resource],
    sources: &SourceMap,
) -> Vec<Finding> {
    let text_addresses: std::collections::HashSet<&str> = resources
        .iter()
        .filter(|r| r.family == crate::model::Family::Text)
        .map(|r| r.address.as_str())
        .collect();
    let line_of = |f: &Finding| {
        sources
            .get(f.span.file)
            .map(|s| s.position(f.span.start as usize).line)
    };
    let is_text = |f: &Finding| f.rule.resources.iter().all(|k| k == "text_file");
    let structured: std::collections::HashSet<(String, Option<usize>, String)> = findings
        .iter()
        .filter(|f| !is_text(f))
        .flat_map(|f| {
            f.rule
                .controls
                .iter()
                .map(move |c| (f.file.clone(), line_of(f), c.clone()))
        })
        .collect();
    findings
        .into_iter()
        .filter(|f| {
            !(is_text(f)
                && text_addresses.contains(f.address.as_str())
                && f.rule
                    .controls
                    .iter()
                    .any(|c| structured.contains(&(f.file.clone(), line_of(f), c.clone()))))
        })
        .collect()
}

fn check_one(
    rule: &Rule,
    resource: &Resource,
    cx: &EvalCx<'_>,
    sources: &SourceMap,
    opts: &EvalOptions,
) -> Vec<Finding> {
    if let Some(when) = &rule.when
        && when.eval(&resource.body, cx).truth != Truth::True
    {
        return Vec::new();
    }
    let outcome = rule.check.eval(&resource.body, cx);
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
        fingerprint: fingerprint(&rule.meta.id, src, &resource.address, span),
        suppression: annotation_suppression(resource, &rule.meta.id),
        rule: rule.meta.clone(),
    })
}

/// Kubernetes objects can carry their suppressions as an annotation, which survives
/// tools that drop YAML comments: `isolint.dev/ignore: "K8S-POD-001,K8S-POD-002 -- reason"`.
fn annotation_suppression(resource: &Resource, rule_id: &str) -> Option<Suppression> {
    let value = resource
        .body
        .get("metadata")?
        .get("annotations")?
        .get(ANNOTATION)?
        .as_str()?;
    let (ids, reason) = value.split_once("--")?;
    let reason = reason.trim();
    let covers = ids
        .split(|c: char| c == ',' || c.is_whitespace())
        .any(|id| id.eq_ignore_ascii_case(rule_id) || id == "*");
    (covers && !reason.is_empty()).then(|| Suppression {
        kind: "annotation",
        reason: reason.to_owned(),
    })
}

/// The Kubernetes annotation that suppresses findings on its object.
pub const ANNOTATION: &str = "isolint.dev/ignore";
