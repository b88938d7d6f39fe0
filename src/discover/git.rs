//! The file list of a git working tree: what git tracks plus the untracked files that
//! `.gitignore` does not exclude. A pull request cannot hide a tracked file from the scan
//! by adding an ignore file, because tracked files are listed whatever the ignore rules say.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::process::Command;

/// `git` with settings a scanned repository cannot turn into command execution or
/// quoted output: no fsmonitor hook, no pager, raw (unquoted) path names.
pub(crate) fn git(dir: &Path) -> Command {
    let mut cmd = Command::new("git");
    cmd.arg("-C")
        .arg(dir)
        .args(["-c", "core.fsmonitor=false", "-c", "core.quotePath=false"])
        .env("GIT_OPTIONAL_LOCKS", "0")
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .env_remove("GIT_INDEX_FILE");
    cmd
}

/// The top of the git working tree holding `dir`, or `None` outside git (or without git).
pub(crate) fn toplevel(dir: &Path) -> Option<PathBuf> {
    let out = git(dir)
        .args(["rev-parse", "--show-toplevel"])
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let text = out.stdout.strip_suffix(b"\n").unwrap_or(&out.stdout);
    (!text.is_empty()).then(|| PathBuf::from(OsStr::from_bytes(text)))
}

/// Splits `-z` output into paths.
pub(crate) fn nul_paths(bytes: &[u8]) -> impl Iterator<Item = &Path> {
    bytes
        .split(|&b| b == 0)
        .filter(|p| !p.is_empty())
        .map(|p| Path::new(OsStr::from_bytes(p)))
}

/// Files under `dir` (relative to it) that git tracks, plus untracked ones `.gitignore`
/// does not exclude (all untracked ones when `gitignore` is off). `None` when `dir` is
/// not in a git working tree or git fails: the caller walks the directory instead.
pub(crate) fn list(dir: &Path, gitignore: bool) -> Option<Vec<PathBuf>> {
    toplevel(dir)?;
    let mut cmd = git(dir);
    cmd.args(["ls-files", "-z", "--cached", "--others"]);
    if gitignore {
        cmd.arg("--exclude-standard");
    }
    let out = cmd.output().ok()?;
    if !out.status.success() {
        return None;
    }
    let mut files: Vec<PathBuf> = nul_paths(&out.stdout).map(Path::to_path_buf).collect();
    // A file deleted from the working tree but still in the index is listed twice at most.
    files.sort();
    files.dedup();
    Some(files)
}
