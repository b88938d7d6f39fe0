//! Finds the files to scan: in a git working tree the tracked files plus untracked ones
//! `.gitignore` does not exclude; elsewhere a parallel walk honouring `.gitignore`. Skips
//! tool and vendor directories and configured excludes (counted), refuses symbolic links
//! that leave the scanned tree, and classifies each file.

pub(crate) mod classify;
pub(crate) mod git;
mod links;
mod modules;
pub(crate) mod sniff;

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use globset::GlobSet;
use ignore::{WalkBuilder, WalkState};

pub(crate) use classify::FileKind;

use crate::error::{FileError, FileErrorKind};

/// Directories never scanned: VCS data, tool caches, dependencies.
const SKIP_DIRS: &[&str] = &[
    ".git",
    ".hg",
    ".svn",
    ".terraform",
    ".terragrunt-cache",
    "node_modules",
    "vendor",
    "third_party",
    ".venv",
    "venv",
    "__pycache__",
    "target",
];

/// One file to scan.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct SourceFile {
    /// Relative to the working directory, `/`-separated.
    pub display_path: String,
    pub path: PathBuf,
    pub kind: FileKind,
    /// A Terraform file of a local module called from the scanned paths but lying outside
    /// them: evaluated only through its callers, never as a root, never scanned as text.
    pub module_only: bool,
}

pub(crate) struct DiscoverOptions<'a> {
    pub excludes: &'a GlobSet,
    /// The directory `excludes` are relative to: the configuration file's (canonical), so
    /// `cd /tmp && isolint check repo` and `cd repo && isolint check .` agree.
    pub exclude_base: Option<&'a Path>,
    /// Honour `.gitignore` for untracked files (on by default). Tracked files are always
    /// scanned, and `.ignore` files are never honoured: a pull request must not be able
    /// to hide its own files.
    pub gitignore: bool,
    pub threads: usize,
}

/// What discovery found.
#[derive(Debug, Default)]
pub(crate) struct Discovered {
    /// Sorted by display path.
    pub files: Vec<SourceFile>,
    /// Unreadable directories, broken or escaping links, loops.
    pub errors: Vec<FileError>,
    /// Files that would have been scanned but configuration excludes.
    pub excluded: usize,
}

/// What a file of this name would be classified as (for `check -` and its
/// `--stdin-filename`, which exist on no disk).
pub(crate) fn classify_name(name: &str) -> Option<FileKind> {
    classify::classify(std::path::Path::new(name))
}

/// Lists every root (through git in a git working tree, by walking otherwise) and
/// classifies what it finds.
pub(crate) fn discover(roots: &[PathBuf], opts: &DiscoverOptions<'_>) -> Discovered {
    let cwd = std::env::current_dir().unwrap_or_default();
    let found = Found::default();
    for root in roots {
        let is_link = std::fs::symlink_metadata(root).is_ok_and(|m| m.file_type().is_symlink());
        if root.is_file() || (is_link && !points_to_dir(root)) {
            // A file given by name (a pre-commit hook passes staged files): still never
            // read through a link leaving the repository (or the working directory).
            let base = root
                .parent()
                .map(|p| {
                    if p.as_os_str().is_empty() {
                        Path::new(".")
                    } else {
                        p
                    }
                })
                .and_then(git::toplevel)
                .unwrap_or_else(|| cwd.clone());
            found.consider(root, &links::Bounds::new(&base), opts, &cwd);
            continue;
        }
        if !root.exists() {
            lock(&found.errors).push(FileError {
                file: display(root, &cwd),
                span: None,
                kind: FileErrorKind::Read,
                message: "no such file or directory".into(),
            });
            continue;
        }
        let bounds = links::Bounds::new(root);
        match git::list(root, opts.gitignore) {
            Some(listed) => {
                for rel in listed {
                    if rel
                        .components()
                        .any(|c| SKIP_DIRS.iter().any(|d| c.as_os_str() == *d))
                    {
                        continue;
                    }
                    found.consider(&join(root, &rel), &bounds, opts, &cwd);
                }
            }
            None => walk(root, &bounds, opts, &found, &cwd),
        }
    }
    let mut out = found.finish();
    modules::follow_local_modules(&mut out.files, &mut out.errors, roots, opts, &cwd);
    out
}

/// `root/rel`, without a leading `./` when the root is the working directory.
fn join(root: &Path, rel: &Path) -> PathBuf {
    if root == Path::new(".") {
        rel.to_path_buf()
    } else {
        root.join(rel)
    }
}

/// Outside git: a walk honouring `.gitignore` (when asked), never `.ignore`.
fn walk(
    root: &Path,
    bounds: &links::Bounds,
    opts: &DiscoverOptions<'_>,
    found: &Found,
    cwd: &Path,
) {
    let mut builder = WalkBuilder::new(root);
    builder
        .hidden(false)
        .git_ignore(opts.gitignore)
        .git_global(false)
        .git_exclude(opts.gitignore)
        .ignore(false)
        .parents(opts.gitignore)
        .require_git(false)
        .follow_links(false)
        .threads(opts.threads)
        .filter_entry(|e| {
            let is_dir = e.file_type().is_some_and(|t| t.is_dir());
            !(is_dir && e.depth() > 0 && SKIP_DIRS.iter().any(|d| e.file_name() == *d))
        });
    builder.build_parallel().run(|| {
        Box::new(|entry| {
            match entry {
                Ok(entry) if entry.file_type().is_some_and(|t| !t.is_dir()) => {
                    found.consider(entry.path(), bounds, opts, cwd);
                }
                Ok(_) => {}
                Err(err) => lock(&found.errors).push(walk_error(&err, cwd)),
            }
            WalkState::Continue
        })
    });
}

/// Accumulates discovery results from parallel walkers.
#[derive(Default)]
struct Found {
    files: Mutex<Vec<SourceFile>>,
    errors: Mutex<Vec<FileError>>,
    excluded: std::sync::atomic::AtomicUsize,
}

impl Found {
    /// One candidate path: skipped when excluded or not something isolint reads, an
    /// error when it is a link leaving the scanned tree or to a special file.
    fn consider(
        &self,
        path: &Path,
        bounds: &links::Bounds,
        opts: &DiscoverOptions<'_>,
        cwd: &Path,
    ) {
        let Ok(meta) = std::fs::symlink_metadata(path) else {
            return; // deleted from the working tree, still in the index
        };
        let ft = meta.file_type();
        // Symbolic links to directories are not followed (no loops, no file scanned
        // twice); links to files are read through when they stay inside the tree.
        if !(ft.is_file() || (ft.is_symlink() && !points_to_dir(path))) {
            return;
        }
        let Some(kind) = classify::classify(path) else {
            return;
        };
        let rel = display(path, cwd);
        if excluded_by_config(path, &rel, bounds, opts) {
            self.excluded
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            return;
        }
        if ft.is_symlink()
            && let Some(message) = bounds.refuse(path)
        {
            lock(&self.errors).push(FileError {
                file: rel,
                span: None,
                kind: FileErrorKind::Read,
                message,
            });
            return;
        }
        lock(&self.files).push(SourceFile {
            display_path: rel,
            path: path.to_path_buf(),
            kind,
            module_only: false,
        });
    }

    fn finish(self) -> Discovered {
        let mut files = self
            .files
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        files.sort();
        files.dedup_by(|a, b| a.display_path == b.display_path);
        let mut errors = self
            .errors
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        errors.sort();
        errors.dedup();
        Discovered {
            files,
            errors,
            excluded: self.excluded.into_inner(),
        }
    }
}

/// Whether the configuration's `exclude` globs cover `path`: as shown, as given, or
/// relative to the configuration file's directory.
fn excluded_by_config(
    path: &Path,
    rel: &str,
    bounds: &links::Bounds,
    opts: &DiscoverOptions<'_>,
) -> bool {
    if opts.excludes.is_match(rel) || opts.excludes.is_match(path) {
        return true;
    }
    let Some(base) = opts.exclude_base else {
        return false;
    };
    let Some(abs) = bounds.resolved(path) else {
        return false;
    };
    abs.strip_prefix(base).is_ok_and(|r| {
        !r.as_os_str().is_empty()
            && opts
                .excludes
                .is_match(r.to_string_lossy().replace('\\', "/"))
    })
}

fn points_to_dir(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| m.is_dir())
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// A path as users see it: relative to the working directory when below it.
pub(crate) fn display(path: &Path, cwd: &Path) -> String {
    let rel = path.strip_prefix(cwd).unwrap_or(path);
    let rel = rel.strip_prefix("./").unwrap_or(rel);
    let s = rel.to_string_lossy();
    // On Unix a backslash is part of a name, not a separator.
    let s = if cfg!(windows) {
        s.replace('\\', "/")
    } else {
        s.into_owned()
    };
    if s.is_empty() { ".".into() } else { s }
}

fn walk_error(err: &ignore::Error, cwd: &Path) -> FileError {
    let path = walk_error_path(err)
        .map(|p| display(p, cwd))
        .unwrap_or_default();
    let message = match err {
        e if e.is_io() => format!(
            "cannot read: {}",
            e.io_error()
                .map_or_else(|| e.to_string(), ToString::to_string)
        ),
        e => e.to_string(),
    };
    FileError {
        file: path,
        span: None,
        kind: FileErrorKind::Read,
        message,
    }
}

fn walk_error_path(err: &ignore::Error) -> Option<&Path> {
    match err {
        ignore::Error::WithPath { path, .. } => Some(path),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            walk_error_path(err)
        }
        ignore::Error::Loop { child, .. } => Some(child),
        _ => None,
    }
}
