//! What a scan walks and which files it reports on: the paths given, the files changed
//! since a git ref, and the Terraform siblings a given file needs for context.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use super::ScanOptions;
use crate::discover::{self, FileKind, git};
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
            // Scan paths and changed files are compared as absolute paths, so the working
            // directory and the way paths were written do not matter.
            let within: Vec<PathBuf> = opts
                .paths
                .iter()
                .filter_map(|p| std::fs::canonicalize(p).ok())
                .collect();
            for changed in changed_files(rev, &opts.paths, &cwd)? {
                let inside = within.iter().any(|w| changed.starts_with(w));
                let is_file = std::fs::symlink_metadata(&changed)
                    .is_ok_and(|m| m.is_file() || m.file_type().is_symlink());
                if inside && is_file {
                    focus_files.push(relative(&changed, &cwd));
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

/// `path` as seen from `cwd` (both absolute): `a/b.tf`, or `../a/b.tf` above it.
fn relative(path: &Path, cwd: &Path) -> PathBuf {
    let common = path
        .components()
        .zip(cwd.components())
        .take_while(|(a, b)| a == b)
        .count();
    if common == 0 {
        return path.to_path_buf();
    }
    let mut rel = PathBuf::new();
    for _ in cwd.components().skip(common) {
        rel.push("..");
    }
    rel.extend(path.components().skip(common));
    rel
}

/// Files changed since the merge base of `rev` and `HEAD`, in the working tree
/// (committed, staged or not) plus untracked files `.gitignore` does not exclude, as
/// absolute paths. Merge-base semantics (`rev...HEAD`): a base branch that moved on does
/// not add its own changes.
fn changed_files(rev: &str, paths: &[PathBuf], cwd: &Path) -> Result<Vec<PathBuf>, Fatal> {
    if rev.is_empty() || rev.starts_with('-') {
        return Err(Fatal::Usage(format!(
            "--changed-since `{}`: not a git ref (refs never start with `-`)",
            crate::report::sanitize::line(rev)
        )));
    }
    let dir = paths
        .iter()
        .find_map(|p| {
            let p: PathBuf = cwd.join(p).components().collect();
            if p.is_dir() {
                Some(p)
            } else {
                p.parent().filter(|d| d.is_dir()).map(Path::to_path_buf)
            }
        })
        .unwrap_or_else(|| cwd.to_path_buf());
    let top = git::toplevel(&dir).ok_or_else(|| {
        Fatal::Usage(format!(
            "--changed-since needs a git repository, and {} is not inside one (or git is not installed)",
            dir.display()
        ))
    })?;
    let shown = crate::report::sanitize::line(rev);
    let history =
        "the checkout needs enough history to hold it (actions/checkout: `fetch-depth: 0`)";
    let base = git_out(
        &top,
        &[
            "rev-parse",
            "--verify",
            "--quiet",
            "--end-of-options",
            &format!("{rev}^{{commit}}"),
        ],
    )
    .ok_or_else(|| {
        Fatal::Usage(format!(
            "--changed-since {shown}: no such commit here; {history}"
        ))
    })?;
    let base = String::from_utf8_lossy(&base).trim().to_owned();
    let merge_base = git_out(&top, &["merge-base", &base, "HEAD"]).ok_or_else(|| {
        Fatal::Usage(format!(
            "--changed-since {shown}: no common ancestor with HEAD; {history}"
        ))
    })?;
    let merge_base = String::from_utf8_lossy(&merge_base).trim().to_owned();
    let diff = git_out(
        &top,
        &[
            "diff",
            "-z",
            "--name-only",
            "--no-renames",
            "--no-relative",
            "--no-ext-diff",
            "--diff-filter=d",
            &merge_base,
            "--",
        ],
    )
    .ok_or_else(|| Fatal::Usage(format!("--changed-since {shown}: git diff failed")))?;
    let untracked = git_out(&top, &["ls-files", "-z", "--others", "--exclude-standard"])
        .ok_or_else(|| Fatal::Usage(format!("--changed-since {shown}: git ls-files failed")))?;
    let mut files: Vec<PathBuf> = git::nul_paths(&diff)
        .chain(git::nul_paths(&untracked))
        .map(|p| top.join(p))
        .collect();
    files.sort();
    files.dedup();
    Ok(files)
}

/// Stdout of a git command run at `top`, or `None` when it fails.
fn git_out(top: &Path, args: &[&str]) -> Option<Vec<u8>> {
    let out = git::git(top).args(args).output().ok()?;
    out.status.success().then_some(out.stdout)
}
