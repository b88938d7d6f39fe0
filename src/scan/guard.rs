//! The panic guard: each file's (or root's, or batch's) work runs under it, so a bug
//! hit by one input becomes an internal error naming that file and the scan goes on.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

use crate::discover::FileKind;
use crate::error::{FileError, FileErrorKind};
use crate::evaluate::Batch;
use crate::model::{self, Modelled, Resource};
use crate::parse;
use crate::source::{SourceMap, SourceText};

/// Runs one file's (or root's) work, turning a panic into an internal error naming
/// `file`, so the rest of the scan goes on.
pub(super) fn guarded<T>(file: &str, what: &str, work: impl FnOnce() -> T) -> Result<T, FileError> {
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

/// One file parsed and modelled (a Terraform file only as text); a panic becomes an
/// error for that file.
pub(crate) fn model_guarded(
    src: &SourceText,
    kind: Option<FileKind>,
    tf: &[Arc<SourceText>],
) -> Modelled {
    let modelled = model_again(src, kind, tf);
    crate::report::progress::tick();
    modelled
}

/// `model_guarded` without counting the file as done: a file modelled a second time.
pub(crate) fn model_again(
    src: &SourceText,
    kind: Option<FileKind>,
    tf: &[Arc<SourceText>],
) -> Modelled {
    guarded(&src.display_path, "reading it", || {
        let (parsed, duplicate_keys) = parse::parse_scanned(src, kind);
        let mut built = model::build(src, parsed, tf);
        built.duplicate_keys = duplicate_keys;
        built
    })
    .unwrap_or_else(|e| Modelled {
        errors: vec![e],
        ..Modelled::default()
    })
}

/// Terraform evaluation; a panic becomes an error on the first Terraform file.
pub(crate) fn terraform_guarded<T>(
    tf: &[Arc<SourceText>],
    work: impl FnOnce() -> T,
) -> Result<T, FileError> {
    let first = tf.first().map(|s| &*s.display_path).unwrap_or_default();
    guarded(first, "evaluating Terraform", work)
}

/// Where a batch's problems are reported: the file of its first resource.
pub(crate) fn first_file(resources: &[Resource], sources: &SourceMap) -> String {
    // By name only: the file's text may have been released.
    resources
        .first()
        .and_then(|r| sources.display_path(r.span.file))
        .unwrap_or_default()
        .to_owned()
}

/// A batch's evaluation; a panic loses that batch's findings and says so.
pub(crate) fn guarded_batch(file: &str, work: impl FnOnce() -> Batch) -> Batch {
    guarded(file, "checking it", work).unwrap_or_else(|e| Batch::failed(vec![e]))
}
