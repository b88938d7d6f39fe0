//! The work done per file, in parallel: read every file, then model one file into
//! resources. Each step turns a problem (or a panic) into an error for that file alone.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use rayon::prelude::*;

use crate::discover::{self, FileKind, SourceFile};
use crate::error::{FileError, FileErrorKind, Notice};
use crate::model::{self, Resource, terraform};
use crate::parse::{dockerfile, yaml};
use crate::source::{FileId, ReadFailure, SourceText, read_text};

/// Thread time spent modelling and evaluating, summed over workers (`--stats`).
#[derive(Debug, Default)]
pub struct StageClock {
    model_ns: AtomicU64,
    evaluate_ns: AtomicU64,
}

impl StageClock {
    pub fn time_model<T>(&self, work: impl FnOnce() -> T) -> T {
        Self::time(&self.model_ns, work)
    }

    pub fn time_evaluate<T>(&self, work: impl FnOnce() -> T) -> T {
        Self::time(&self.evaluate_ns, work)
    }

    pub fn model_ms(&self) -> u64 {
        self.model_ns.load(Ordering::Relaxed) / 1_000_000
    }

    pub fn evaluate_ms(&self) -> u64 {
        self.evaluate_ns.load(Ordering::Relaxed) / 1_000_000
    }

    fn time<T>(counter: &AtomicU64, work: impl FnOnce() -> T) -> T {
        let started = Instant::now();
        let out = work();
        let ns = u64::try_from(started.elapsed().as_nanos()).unwrap_or(u64::MAX);
        counter.fetch_add(ns, Ordering::Relaxed);
        out
    }
}

/// What modelling one file produced.
#[derive(Debug, Default)]
pub struct Modelled {
    pub resources: Vec<Resource>,
    pub errors: Vec<FileError>,
    pub notices: Vec<Notice>,
}

/// What discovery classified a read file as (`files` is sorted by display path).
pub fn kind_of(files: &[SourceFile], src: &SourceText) -> Option<FileKind> {
    files
        .binary_search_by(|f| f.display_path.as_str().cmp(&src.display_path))
        .ok()
        .map(|i| files[i].kind)
}

/// Reads every file in parallel; ids follow the sorted file order, so they are stable.
pub fn read_all(files: &[SourceFile]) -> (Vec<Arc<SourceText>>, Vec<FileError>) {
    // The line index is built on the worker too; ids are given afterwards, in order.
    let results: Vec<_> = files
        .par_iter()
        .map(|f| {
            let read = read_text(&f.path).map(|text| {
                SourceText::new(FileId(0), f.display_path.clone(), f.path.clone(), text)
            });
            (f, read)
        })
        .collect();
    let mut sources = Vec::new();
    let mut errors = Vec::new();
    for (f, result) in results {
        match result {
            Ok(mut src) => {
                src.id = FileId(u32::try_from(sources.len()).unwrap_or(u32::MAX));
                sources.push(Arc::new(src));
            }
            // A binary or non-text file is only an error where configuration was expected.
            Err(ReadFailure::NotText(msg)) if f.kind == FileKind::Text => {
                let _ = msg;
            }
            Err(ReadFailure::NotText(msg)) => errors.push(FileError {
                file: f.display_path.clone(),
                span: None,
                kind: FileErrorKind::Encoding,
                message: msg,
            }),
            Err(ReadFailure::Error(kind, msg)) => errors.push(FileError {
                file: f.display_path.clone(),
                span: None,
                kind,
                message: msg,
            }),
        }
    }
    (sources, errors)
}

/// Runs one file's (or root's) work, turning a panic into an internal error naming
/// `file`, so the rest of the scan goes on.
pub fn guarded<T>(file: &str, what: &str, work: impl FnOnce() -> T) -> Result<T, FileError> {
    catch_unwind(AssertUnwindSafe(|| {
        inject_panic(file, what);
        work()
    }))
    .map_err(|panic| FileError {
        file: file.to_owned(),
        span: None,
        kind: FileErrorKind::Internal,
        message: format!(
            "internal error while {what} (please report it): {}",
            panic_text(&panic)
        ),
    })
}

/// Test hook: `ISOLINT_INJECT_PANIC=<step>:<file>` (step `reading` or `checking`) panics
/// in that step for that file, so the tests can show a panic stays contained. No real
/// input may panic, so there is no other way to exercise the guard end to end.
fn inject_panic(file: &str, what: &str) {
    static TARGET: std::sync::LazyLock<Option<(String, String)>> = std::sync::LazyLock::new(|| {
        let value = std::env::var("ISOLINT_INJECT_PANIC").ok()?;
        let (step, file) = value.split_once(':')?;
        Some((step.to_owned(), file.to_owned()))
    });
    if let Some((step, target)) = &*TARGET
        && what.starts_with(step.as_str())
        && file == target
    {
        panic!("panic injected by ISOLINT_INJECT_PANIC");
    }
}

fn panic_text(panic: &Box<dyn std::any::Any + Send>) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "panic".into())
}

/// Parses one non-Terraform file into resources (plus a text resource for secrets).
pub fn model_file(
    src: &SourceText,
    kind: Option<FileKind>,
    tf_files: &[Arc<SourceText>],
) -> Modelled {
    let mut resources = Vec::new();
    let mut errors = Vec::new();
    let mut notices = Vec::new();
    match kind {
        Some(FileKind::Yaml | FileKind::Json) => {
            if discover::classify::is_helm_template(&src.display_path, &src.text) {
                notices.push(Notice {
                    file: src.display_path.clone(),
                    span: None,
                    message:
                        "Helm template skipped (render it with `helm template` and scan the output)"
                            .into(),
                });
            } else {
                match yaml::parse_yaml(src) {
                    Ok(docs) => resources.extend(structured(src, docs, tf_files)),
                    Err(e) => errors.push(e),
                }
            }
        }
        Some(FileKind::Dockerfile) => match dockerfile::parse_dockerfile(src) {
            Ok(doc) => resources.extend(model::docker::dockerfile_resources(src, doc)),
            Err(e) => errors.push(e),
        },
        _ => {}
    }
    resources.push(model::text::text_resource(src));
    Modelled {
        resources,
        errors,
        notices,
    }
}

/// Decides what parsed YAML/JSON documents are: workflow, compose, manifests or plain.
fn structured(
    src: &SourceText,
    docs: Vec<crate::parse::node::Node>,
    tf_files: &[Arc<SourceText>],
) -> Vec<Resource> {
    // `terraform show -json` output: fully resolved resources, mapped back to the .tf
    // blocks they came from where the plan says which.
    if docs.len() == 1 && terraform::is_plan_json(&docs[0]) {
        return terraform::plan_resources(src, &docs[0], tf_files);
    }
    if model::workflow::is_workflow(&src.display_path) {
        return docs
            .into_iter()
            .flat_map(|d| model::workflow::workflow_resources(src, d))
            .collect();
    }
    if model::workflow::is_action_file(&src.display_path)
        && docs.len() == 1
        && docs[0].get("runs").is_some()
    {
        return docs
            .into_iter()
            .flat_map(|d| model::workflow::action_resources(src, d))
            .collect();
    }
    let name = src
        .path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    if docs.len() == 1 && model::compose::is_compose(&docs[0], name) {
        return docs
            .into_iter()
            .flat_map(|d| model::compose::compose_resources(src, d))
            .collect();
    }
    let k8s: Vec<_> = docs
        .into_iter()
        .filter(model::kubernetes::is_kubernetes)
        .collect();
    if k8s.is_empty() {
        Vec::new()
    } else {
        model::kubernetes::kubernetes_resources(src, k8s)
    }
}
