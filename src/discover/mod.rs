//! Finds the files to scan: walks the given paths in parallel (honouring `.gitignore`),
//! skips tool and vendor directories and configured excludes, and classifies each file.

pub(crate) mod classify;
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
}

pub(crate) struct DiscoverOptions<'a> {
    pub excludes: &'a GlobSet,
    /// The directory `excludes` are relative to: the configuration file's (canonical), so
    /// `cd /tmp && isolint check repo` and `cd repo && isolint check .` agree.
    pub exclude_base: Option<&'a Path>,
    /// Honour `.gitignore` and friends (on by default).
    pub gitignore: bool,
    pub threads: usize,
}

/// What a file of this name would be classified as (for `check -` and its
/// `--stdin-filename`, which exist on no disk).
pub(crate) fn classify_name(name: &str) -> Option<FileKind> {
    classify::classify(std::path::Path::new(name))
}

/// Walks every root; returns files sorted by display path plus problems met on the way
/// (unreadable directories, broken links, loops).
pub(crate) fn discover(
    roots: &[PathBuf],
    opts: &DiscoverOptions<'_>,
) -> (Vec<SourceFile>, Vec<FileError>) {
    let cwd = std::env::current_dir().unwrap_or_default();
    let files = Mutex::new(Vec::new());
    let errors = Mutex::new(Vec::new());
    for root in roots {
        let canon_root = std::fs::canonicalize(root).ok();
        let excluded = |path: &Path| {
            let rel = display(path, &cwd);
            if opts.excludes.is_match(&rel) || opts.excludes.is_match(path) {
                return true;
            }
            // Relative to the configuration file's directory.
            let (Some(base), Some(canon_root)) = (opts.exclude_base, &canon_root) else {
                return false;
            };
            let abs = match path.strip_prefix(root) {
                Ok(below) if !below.as_os_str().is_empty() => canon_root.join(below),
                _ => canon_root.clone(),
            };
            abs.strip_prefix(base).is_ok_and(|r| {
                !r.as_os_str().is_empty()
                    && opts
                        .excludes
                        .is_match(r.to_string_lossy().replace('\\', "/"))
            })
        };
        if root.is_file() {
            // Named files are excluded too (the pre-commit hook names staged files).
            if let Some(kind) = classify::classify(root)
                && !excluded(root)
            {
                push(&files, root, kind, &cwd);
            }
            continue;
        }
        if !root.exists() {
            lock(&errors).push(FileError {
                file: display(root, &cwd),
                span: None,
                kind: FileErrorKind::Read,
                message: "no such file or directory".into(),
            });
            continue;
        }
        let mut builder = WalkBuilder::new(root);
        builder
            .hidden(false)
            .git_ignore(opts.gitignore)
            .git_global(false)
            .git_exclude(opts.gitignore)
            .ignore(opts.gitignore)
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
                    Ok(entry) => {
                        let path = entry.path();
                        if excluded(path) {
                            return if entry.file_type().is_some_and(|t| t.is_dir()) {
                                WalkState::Skip
                            } else {
                                WalkState::Continue
                            };
                        }
                        // Symbolic links to directories are not followed (no loops, no
                        // file scanned twice); links to files are read through, and a
                        // broken or looping link becomes a read error for that file.
                        if let Some(ft) = entry.file_type()
                            && (ft.is_file() || (ft.is_symlink() && !points_to_dir(path)))
                            && let Some(kind) = classify::classify(path)
                        {
                            push(&files, path, kind, &cwd);
                        }
                    }
                    Err(err) => lock(&errors).push(walk_error(&err, &cwd)),
                }
                WalkState::Continue
            })
        });
    }
    let mut files = files
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    files.sort();
    files.dedup_by(|a, b| a.display_path == b.display_path);
    let mut errors = errors
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    errors.sort();
    (files, errors)
}

fn points_to_dir(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| m.is_dir())
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn push(files: &Mutex<Vec<SourceFile>>, path: &Path, kind: FileKind, cwd: &Path) {
    lock(files).push(SourceFile {
        display_path: display(path, cwd),
        path: path.to_path_buf(),
        kind,
    });
}

/// A path as users see it: relative to the working directory when below it.
pub(crate) fn display(path: &Path, cwd: &Path) -> String {
    let rel = path.strip_prefix(cwd).unwrap_or(path);
    let rel = rel.strip_prefix("./").unwrap_or(rel);
    let s = rel.to_string_lossy().replace('\\', "/");
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
