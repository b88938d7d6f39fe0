//! What a scan walks and which files it reports on: the paths given, the files changed
//! since a git ref, and the Terraform siblings a given file needs for context.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use super::ScanOptions;
use crate::discover::{self, FileKind};
use crate::error::Fatal;

/// The files a scan reports on when it was given files: those files, plus everything under
/// directories given beside them (`isolint check infra/ app/main.tf`).
#[derive(Debug, Default)]
pub(super) struct Focus {
    files: BTreeSet<String>,
    dirs: Vec<String>,
}

impl Focus {
    pub(super) fn covers(&self, file: &str) -> bool {
        self.files.contains(file)
            || self.dirs.iter().any(|d| {
                d == "."
                    || file
                        .strip_prefix(d.as_str())
                        .is_some_and(|rest| rest.starts_with('/'))
            })
    }
}

/// What to walk, and which files to report on. Given files (a pre-commit hook passes
/// the staged ones) or `--changed-since` narrow the report, while a Terraform file's whole
/// directory is still loaded so variables and companion resources are known.
pub(crate) fn scope(opts: &ScanOptions) -> Result<(Vec<PathBuf>, Option<Focus>), Fatal> {
    let cwd = std::env::current_dir().unwrap_or_default();
    let mut focus_files: Vec<PathBuf> = Vec::new();
    let mut roots = Vec::new();
    match &opts.changed_since {
        Some(rev) => {
            for changed in changed_files(rev)? {
                let inside = opts.paths.iter().any(|p| {
                    p == Path::new(".") || changed.starts_with(p.strip_prefix("./").unwrap_or(p))
                });
                if inside && changed.is_file() {
                    focus_files.push(changed);
                }
            }
        }
        None => {
            for p in &opts.paths {
                if p.is_file() {
                    focus_files.push(p.clone());
                } else {
                    roots.push(p.clone());
                }
            }
            if focus_files.is_empty() {
                return Ok((roots, None));
            }
        }
    }
    let mut focus = Focus {
        dirs: roots.iter().map(|d| discover::display(d, &cwd)).collect(),
        ..Focus::default()
    };
    for f in &focus_files {
        focus.files.insert(discover::display(f, &cwd));
        let is_tf = discover::classify::classify(f) == Some(FileKind::Terraform);
        match f.parent() {
            Some(dir) if is_tf => roots.extend(terraform_siblings(dir)),
            _ => roots.push(f.clone()),
        }
    }
    roots.extend(focus_files);
    roots.sort();
    roots.dedup();
    Ok((roots, Some(focus)))
}

/// The Terraform files of one directory (not below it): a module's context.
fn terraform_siblings(dir: &Path) -> Vec<PathBuf> {
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .map(|e| e.path())
                .filter(|p| {
                    p.is_file() && discover::classify::classify(p) == Some(FileKind::Terraform)
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Files changed between `rev` and the working tree (committed, staged or not).
fn changed_files(rev: &str) -> Result<Vec<PathBuf>, Fatal> {
    let out = std::process::Command::new("git")
        .args([
            "diff",
            "--name-only",
            "--no-renames",
            "--diff-filter=d",
            rev,
            "--",
        ])
        .output()
        .map_err(|e| Fatal::Usage(format!("--changed-since needs git: {e}")))?;
    if !out.status.success() {
        return Err(Fatal::Usage(format!(
            "--changed-since {rev}: git diff failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    let top = std::process::Command::new("git")
        .args(["rev-parse", "--show-toplevel"])
        .output()
        .ok()
        .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()))
        .unwrap_or_default();
    let cwd = std::env::current_dir().unwrap_or_default();
    Ok(String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| !l.is_empty())
        .map(|l| {
            let abs = top.join(l);
            abs.strip_prefix(&cwd).map(Path::to_path_buf).unwrap_or(abs)
        })
        .collect())
}
