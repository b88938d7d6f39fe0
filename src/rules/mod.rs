//! Rule packs: YAML data (embedded at build time, plus `--rules DIR`), validated and
//! compiled once into a `RuleSet` indexed by resource kind.

pub mod compile;
pub mod context;
pub mod index;
pub(crate) mod links;
pub mod load;
pub mod native;
pub mod path;
pub mod pattern;
pub mod predicate;
pub mod select;
pub mod truth;

pub use select::{load_rules, load_rules_with, selector};

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::Arc;

use crate::model::Resource;
use predicate::Predicate;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub const ALL: [Severity; 5] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Info,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    pub fn parse(s: &str) -> Option<Severity> {
        Severity::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

/// Everything about a rule except its check: what reports and docs need.
#[derive(Debug)]
pub struct RuleMeta {
    pub id: String,
    pub name: String,
    pub title: String,
    pub severity: Severity,
    /// ISO/IEC 27002:2022 control IDs, primary first.
    pub controls: Vec<String>,
    pub resources: Vec<String>,
    pub message: String,
    pub remediation: String,
    pub description: String,
    pub rationale: String,
    pub references: Vec<String>,
    /// The flagged text is itself a secret: every report shows it masked (`sensitive:` in
    /// the pack; true by default for the `secrets` platform).
    pub sensitive: bool,
    /// Pack path without extension, e.g. `terraform/aws/s3`; fixtures mirror it.
    pub pack: String,
    /// `terraform-aws`, `kubernetes`, … (the control catalogue's platform keys).
    pub platform: String,
    /// Where the rule is written, for errors and `isolint rule`.
    pub source: PathBuf,
    pub line: usize,
}

#[derive(Debug)]
pub struct Rule {
    pub meta: Arc<RuleMeta>,
    /// Applies only where this holds (a false or unknown precondition: no finding).
    pub when: Option<Predicate>,
    pub check: Predicate,
}

/// All rules, compiled, with an index from resource kind to rules.
#[derive(Debug, Default)]
pub struct RuleSet {
    pub rules: Vec<Rule>,
    by_kind: BTreeMap<String, Vec<usize>>,
    /// Kinds that checks look up beside the resource they check (`related`, and the
    /// native checks' lookups).
    looked_up: BTreeSet<String>,
    /// Per rule (by position): whether its check or precondition reads other resources.
    across: Vec<bool>,
    /// For a workload (a Kubernetes object with a pod spec) of each kind: its kind's rules
    /// merged with the `workload` rules, ascending, so that finding the rules of a
    /// resource allocates nothing. Empty without `workload` rules; kinds without rules of
    /// their own use `by_kind[WORKLOAD]`.
    workload_by_kind: BTreeMap<String, Vec<usize>>,
}

/// The kind selector that matches every Kubernetes workload (anything with a pod spec).
pub const WORKLOAD: &str = "workload";

impl RuleSet {
    pub fn new(mut rules: Vec<Rule>) -> Self {
        rules.sort_by(|a, b| a.meta.id.cmp(&b.meta.id));
        let mut by_kind: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for (i, r) in rules.iter().enumerate() {
            for kind in &r.meta.resources {
                by_kind.entry(kind.clone()).or_default().push(i);
            }
        }
        let mut looked_up: BTreeSet<&str> = native::LOOKED_UP_KINDS
            .iter()
            .flat_map(|k| k.iter().copied())
            .collect();
        for r in &rules {
            r.check.related_kinds(&mut looked_up);
            if let Some(when) = &r.when {
                when.related_kinds(&mut looked_up);
            }
        }
        let looked_up = looked_up.into_iter().map(str::to_owned).collect();
        let workload = by_kind.get(WORKLOAD).cloned().unwrap_or_default();
        let workload_by_kind = by_kind
            .iter()
            .filter(|(kind, _)| *kind != WORKLOAD && !workload.is_empty())
            .map(|(kind, own)| {
                let mut ids: Vec<usize> = own.iter().chain(&workload).copied().collect();
                ids.sort_unstable();
                ids.dedup();
                (kind.clone(), ids)
            })
            .collect();
        let across = rules
            .iter()
            .map(|r| r.check.looks_across() || r.when.as_ref().is_some_and(Predicate::looks_across))
            .collect();
        RuleSet {
            rules,
            by_kind,
            looked_up,
            across,
            workload_by_kind,
        }
    }

    /// Whether any check can read this resource: a rule applies to it, or a check looks
    /// its kind up. A Kubernetes object no check can read is not kept for the
    /// cross-file batch (CustomResourceDefinitions, often megabytes of schema, are the
    /// common case).
    pub fn reads(&self, resource: &Resource) -> bool {
        self.looked_up.contains(&resource.kind) || !self.indices_for(resource).is_empty()
    }

    /// Whether the rule at position `i` reads resources other than the one it checks.
    pub fn looks_across(&self, i: usize) -> bool {
        self.across.get(i).copied().unwrap_or(false)
    }

    /// Whether a check looks this resource's kind up beside the one it checks.
    pub fn is_looked_up(&self, resource: &Resource) -> bool {
        self.looked_up.contains(&resource.kind)
    }

    /// Whether a rule that reads other resources applies to this one.
    pub fn has_across(&self, resource: &Resource) -> bool {
        self.indices_for(resource)
            .iter()
            .any(|&i| self.looks_across(i))
    }

    /// Positions in `rules` of the rules that apply to a resource, ascending (id order).
    pub fn indices_for(&self, resource: &Resource) -> &[usize] {
        let is_workload = resource.family == crate::model::Family::Kubernetes
            && resource.body.get("pod").is_some();
        let list = if is_workload {
            (self.workload_by_kind.get(&resource.kind))
                .or_else(|| self.by_kind.get(&resource.kind))
                .or_else(|| self.by_kind.get(WORKLOAD))
        } else {
            self.by_kind.get(&resource.kind)
        };
        list.map_or(&[][..], Vec::as_slice)
    }

    pub fn get(&self, id: &str) -> Option<&Rule> {
        self.rules
            .iter()
            .find(|r| r.meta.id.eq_ignore_ascii_case(id))
    }

    /// Keeps only the rules `keep` accepts (config select/ignore).
    #[must_use]
    pub fn filtered(self, keep: impl Fn(&RuleMeta) -> bool) -> RuleSet {
        RuleSet::new(self.rules.into_iter().filter(|r| keep(&r.meta)).collect())
    }

    pub fn len(&self) -> usize {
        self.rules.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }
}
