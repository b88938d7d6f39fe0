//! Symbolic links in a scanned tree are written by whoever wrote the tree: a link named
//! `Dockerfile` pointing at `/etc/passwd` or `~/.aws/credentials` would put the runner's
//! files into findings and annotations. Links are read through only when they resolve to a
//! regular file inside the scanned root.

use std::path::{Path, PathBuf};

/// Where links may lead: the scanned root, resolved.
pub(super) struct Bounds {
    root: PathBuf,
    base: Option<PathBuf>,
}

impl Bounds {
    pub(super) fn new(root: &Path) -> Self {
        Self {
            root: root.to_path_buf(),
            base: std::fs::canonicalize(root).ok(),
        }
    }

    /// Where `path` (a link judged where it stands, not where it leads) is on disk, from
    /// the root resolved once: no system call per file below the root.
    pub(super) fn resolved(&self, path: &Path) -> Option<PathBuf> {
        if let (Ok(below), Some(base)) = (path.strip_prefix(&self.root), &self.base) {
            return Some(base.join(below));
        }
        let dir = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        Some(std::fs::canonicalize(dir).ok()?.join(path.file_name()?))
    }

    /// Why the link at `path` must not be read, if it must not. Broken links and loops
    /// are left to the read, which names them.
    pub(super) fn refuse(&self, path: &Path) -> Option<String> {
        let target = std::fs::canonicalize(path).ok()?;
        let inside = self.base.as_ref().is_some_and(|b| target.starts_with(b));
        if !inside {
            return Some("symbolic link to a file outside the scanned tree; not read".into());
        }
        match std::fs::metadata(&target) {
            Ok(m) if m.is_file() => None,
            Ok(_) => Some(
                "symbolic link to a special file, not a regular file (a pipe, socket or device); not read".into(),
            ),
            Err(_) => None,
        }
    }
}
