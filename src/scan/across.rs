//! The cross-file batch (phase B). Phase A evaluates every Kubernetes object and workflow
//! in its own file with the rules that read only it, and keeps whole only the objects
//! that checks look up (policies, service accounts, deploy configs) or that cannot be read
//! again (rendered output); of jobs and actions it keeps only their pinned `uses`. A file
//! whose objects are subjects of a rule that looks across is remembered by id, read and
//! modelled again here, and its subjects evaluated against the index of the kept objects:
//! memory is bounded by one file, not by every object of the scan.

use std::collections::BTreeSet;
use std::sync::Arc;

use rayon::prelude::*;

use super::clock::{Budget, StageClock};
use super::guard::{guarded_batch, model_again};
use super::read;
use crate::discover::FileKind;
use crate::evaluate::{Batch, EvalOptions, Scope};
use crate::model::{Family, Modelled, Resource};
use crate::parse::node::{Entry, Node, Value};
use crate::render::Rendered;
use crate::rules::index::ResourceIndex;
use crate::rules::{RuleSet, native};
use crate::source::{FileId, SourceMap, SourceText};

/// What the model stage makes of one file, the same in both phases: its resources, less
/// the patch objects of a kustomization and the objects a render replaces.
pub(super) fn model_file(
    src: &SourceText,
    kind: Option<FileKind>,
    tf_files: &[Arc<SourceText>],
    patches: &BTreeSet<String>,
    rendered: &Rendered,
    again: bool,
) -> Modelled {
    let mut m = if again {
        model_again(src, kind, tf_files)
    } else {
        super::guard::model_guarded(src, kind, tf_files)
    };
    crate::render::drop_patch_objects(&src.display_path, patches, &mut m);
    rendered.settle(&src.display_path, &mut m);
    m
}

/// Objects evaluated in the cross-file batch: Kubernetes objects and workflows.
pub(super) fn waits(r: &Resource) -> bool {
    matches!(r.family, Family::Kubernetes | Family::Workflow)
}

/// What phase A keeps of one file's objects.
#[derive(Default)]
pub(super) struct Kept {
    /// Objects checks look up, kept whole for the index.
    pub whole: Vec<Resource>,
    /// Stand-ins for the objects left in the file: workloads' labels (see [`census`]),
    /// jobs' pins ([`native::lookup_stand_in`]).
    pub census: Vec<Resource>,
    /// Whether the file holds subjects of a rule that looks across.
    pub subjects: bool,
}

/// Splits objects already evaluated with the local rules.
pub(super) fn keep(rules: &RuleSet, objects: Vec<Resource>) -> Kept {
    let mut kept = Kept::default();
    for r in objects {
        if kept_whole(rules, &r) {
            kept.whole.push(r);
        } else if rules.is_looked_up(&r) {
            // A kind with a stand-in: the index gets what lookups read of it.
            kept.subjects |= rules.has_across(&r);
            kept.census.extend(native::lookup_stand_in(&r));
        } else if rules.has_across(&r) {
            kept.subjects = true;
            kept.census.extend(census(&r));
        }
    }
    kept
}

/// The subjects of the rules that look across among a file's objects, modelled again
/// (objects of looked-up kinds are in the index already).
fn subjects(rules: &RuleSet, objects: Vec<Resource>) -> Vec<Resource> {
    objects
        .into_iter()
        .filter(|r| waits(r) && !kept_whole(rules, r) && rules.has_across(r))
        .collect()
}

/// Whether phase A keeps an object whole: checks look its kind up and need more of it
/// than a stand-in holds.
fn kept_whole(rules: &RuleSet, r: &Resource) -> bool {
    rules.is_looked_up(r) && !native::has_lookup_stand_in(&r.kind)
}

/// A workload's namespace and pod labels, without the rest: the network-policy check
/// bounds its work by how many workloads share a label set, so the index must count
/// the workloads it no longer holds.
fn census(r: &Resource) -> Option<Resource> {
    if r.family != Family::Kubernetes {
        return None;
    }
    r.body.get("pod")?;
    let span = r.body.span;
    let entry = |key: &str, value: Node| Entry {
        key: key.to_owned(),
        key_span: span,
        value,
    };
    let map = |entries| Node::new(Value::Map(entries), span);
    let mut body = vec![entry("pod", map(Vec::new()))];
    if let Some(ns) = r.body.get_path("metadata.namespace") {
        body.push(entry("metadata", map(vec![entry("namespace", ns.clone())])));
    }
    if let Some(labels) = r.body.get_path("pod_metadata.labels") {
        body.push(entry(
            "pod_metadata",
            map(vec![entry("labels", labels.clone())]),
        ));
    }
    Some(Resource {
        kind: r.kind.clone(),
        family: r.family,
        address: r.address.clone(),
        span: r.span,
        header: r.header,
        body: map(body),
        group: r.group.clone(),
    })
}

/// What phase B needs beside the kept objects.
pub(super) struct PhaseB<'a> {
    pub sources: &'a SourceMap,
    pub rules: &'a RuleSet,
    pub eval: &'a EvalOptions,
    pub clock: &'a StageClock,
    pub budget: &'a Budget,
    pub tf_files: &'a [Arc<SourceText>],
    pub patches: &'a BTreeSet<String>,
    pub rendered: &'a Rendered,
}

/// A file remembered for phase B: its id, kind, and whether phase A kept its text.
pub(super) type Remembered = (FileId, Option<FileKind>, bool);

/// Evaluates the rules that look across: on the kept objects, then on each remembered
/// file's subjects, against one index of the kept objects and the census.
pub(super) fn evaluate(
    cx: &PhaseB<'_>,
    mut kept: Vec<Resource>,
    census: Vec<Resource>,
    files: &[Remembered],
) -> Batch {
    let whole = kept.len();
    kept.extend(census);
    let index = ResourceIndex::new(&kept, cx.sources);
    let first = super::guard::first_file(&kept[..whole], cx.sources);
    let mut total = Batch::default();
    if whole > 0 && cx.budget.allows(&first) {
        total.absorb(cx.clock.time_evaluate(|| {
            guarded_batch(&first, || {
                Batch::evaluate_parallel_against(
                    cx.rules,
                    &kept[..whole],
                    &index,
                    cx.sources,
                    cx.eval,
                    Scope::Across,
                )
            })
        }));
    }
    let per_file = files
        .par_iter()
        .map(|&(id, kind, held)| file(cx, &index, id, kind, held))
        .reduce(Batch::default, |mut a, b| {
            a.absorb(b);
            a
        });
    total.absorb(per_file);
    drop(index);
    kept.into_par_iter().for_each(drop);
    total
}

/// One remembered file: read again (a changed file is an error, not a silent loss),
/// modelled as in phase A, its subjects evaluated against the shared index.
fn file(
    cx: &PhaseB<'_>,
    index: &ResourceIndex<'_>,
    id: FileId,
    kind: Option<FileKind>,
    held: bool,
) -> Batch {
    let name = cx.sources.display_path(id).unwrap_or_default();
    if !cx.budget.allows(name) {
        return Batch::default();
    }
    let src = match read::read_file(cx.sources, id, kind) {
        Ok(src) => src,
        Err(error) => return Batch::failed(error.into_iter().collect()),
    };
    let m = cx
        .clock
        .time_model(|| model_file(&src, kind, cx.tf_files, cx.patches, cx.rendered, true));
    let subjects = subjects(cx.rules, m.resources);
    let batch = cx.clock.time_evaluate(|| {
        guarded_batch(&src.display_path, || {
            Batch::evaluate_against(
                cx.rules,
                &subjects,
                index,
                cx.sources,
                cx.eval,
                Scope::Across,
            )
        })
    });
    drop(src);
    if !held && batch.findings.is_empty() && batch.errors.is_empty() {
        cx.sources.release(id);
    }
    batch
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    const DEPLOYMENT: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers: [{name: web, image: 'nginx:1.0'}]\n";
    const POLICY: &str = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: api-only\n  namespace: shop\nspec:\n  podSelector: {matchLabels: {app: api}}\n";

    /// Phase B on one remembered file whose text phase A read and released; `edit`
    /// runs in between. The index holds only the policy (from another file).
    fn phase_b(edit: impl FnOnce(&std::path::Path)) -> Batch {
        let dir = tempfile::tempdir().expect("temp dir");
        let deploy = dir.path().join("deploy.yaml");
        let policy = dir.path().join("policy.yaml");
        std::fs::write(&deploy, DEPLOYMENT).expect("write");
        std::fs::write(&policy, POLICY).expect("write");
        let sources = SourceMap::unread(
            [("deploy.yaml", &deploy), ("policy.yaml", &policy)]
                .into_iter()
                .map(|(n, p)| (n.to_owned(), p.clone(), false)),
        );
        let rules = crate::rules::load_rules(&[], &Config::default()).expect("rules");
        let rendered = Rendered::default();
        let patches = BTreeSet::new();
        let (eval, clock) = (EvalOptions { strict: false }, StageClock::default());
        let budget = Budget::new(
            std::time::Instant::now(),
            std::time::Duration::from_secs(600),
        );
        let cx = PhaseB {
            sources: &sources,
            rules: &rules,
            eval: &eval,
            clock: &clock,
            budget: &budget,
            tf_files: &[],
            patches: &patches,
            rendered: &rendered,
        };
        let load = |id| sources.load(FileId(id)).expect("readable");
        let policy_src = load(1);
        let targets = model_file(
            &policy_src,
            Some(FileKind::Yaml),
            &[],
            &patches,
            &rendered,
            true,
        );
        let index = ResourceIndex::new(&targets.resources, &sources);
        drop(load(0));
        sources.release(FileId(0));
        edit(&deploy);
        file(&cx, &index, FileId(0), Some(FileKind::Yaml), false)
    }

    #[test]
    fn a_subject_is_checked_against_targets_of_another_file() {
        let batch = phase_b(|_| {});
        assert!(batch.errors.is_empty(), "{:?}", batch.errors);
        let ids: Vec<&str> = batch.findings.iter().map(|f| f.rule.id.as_str()).collect();
        // The policy selects other pods; no default ServiceAccount is in the index. The
        // Deployment's local findings (no securityContext...) belong to phase A.
        assert_eq!(
            ids,
            ["K8S-NET-001", "K8S-WL-004"],
            "only the cross-file rules"
        );
    }

    #[test]
    fn a_file_changed_since_phase_a_is_an_error_not_a_silent_loss() {
        let batch = phase_b(|path| {
            std::fs::write(path, DEPLOYMENT.replace("nginx:1.0", "nginx:1.1")).expect("write");
        });
        assert!(batch.findings.is_empty());
        assert_eq!(batch.errors.len(), 1);
        assert_eq!(batch.errors[0].file, "deploy.yaml");
        assert!(
            batch.errors[0].message.contains("changed on disk"),
            "{:?}",
            batch.errors
        );
    }
}
