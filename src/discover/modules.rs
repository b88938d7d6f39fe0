//! Local Terraform modules called from outside the scanned paths: `isolint check envs/prod`
//! where `envs/prod/main.tf` calls `source = "../../modules/net"`. The module's `.tf` and
//! `.tf.json` files are added to the file list as *module-only*: evaluated through their
//! callers, never as a root of their own and never scanned as text.
//!
//! Where a module may lie: inside the repository of a scanned path (its git toplevel, or
//! the nearest ancestor holding `.git` when git is not available), or inside the scanned
//! path itself outside any repository. Containment is judged on canonical paths, so a
//! module directory or file reached through a symbolic link leaving that place is not
//! read. Directories the walk always skips (`.git`, `vendor`, ...) are skipped here too,
//! so a root gives the same findings whether its parent or itself is scanned.
//!
//! Finding the calls is a prefilter: a pattern over `source = "./…"` / `"source": "../…"`
//! lines. A match outside a `module` block only adds files the Terraform model then never
//! reaches (it follows the calls of the full parse, and module-only directories are never
//! roots), so nothing is reported for them.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::{DiscoverOptions, FileKind, SKIP_DIRS, SourceFile, display, excluded_by_config};
use super::{git, links};
use crate::error::{FileError, FileErrorKind};
use crate::model::terraform::{local_source_literals, normalize};
use crate::source::MAX_FILE_BYTES;

/// Adds the module-only files of every local module the Terraform files of `files` call,
/// transitively, that lies where `roots` allow. `files` stays sorted by display path.
pub(super) fn follow_local_modules(
    files: &mut Vec<SourceFile>,
    errors: &mut Vec<FileError>,
    roots: &[PathBuf],
    opts: &DiscoverOptions<'_>,
    cwd: &Path,
) {
    if !roots.iter().any(|r| repository_above(r)) {
        return;
    }
    let mut known: HashSet<PathBuf> = files
        .iter()
        .filter(|f| f.kind == FileKind::Terraform)
        .map(|f| dir_of(&f.path))
        .collect();
    let mut pending: Vec<PathBuf> = files
        .iter()
        .filter(|f| is_module_file(&f.path))
        .map(|f| f.path.clone())
        .collect();
    let mut bases: Option<Vec<PathBuf>> = None;
    let mut added = Vec::new();
    while !pending.is_empty() {
        let mut targets: Vec<PathBuf> = pending
            .par_iter()
            .flat_map_iter(|path| {
                let dir = dir_of(path);
                local_sources(path)
                    .into_iter()
                    .map(move |s| normalize(&dir.join(s)))
            })
            .collect();
        targets.sort();
        targets.dedup();
        pending.clear();
        for target in targets {
            if !known.insert(target.clone()) {
                continue;
            }
            let bases = bases.get_or_insert_with(|| allowed_bases(roots));
            let Some(base) = containing_base(&target, bases) else {
                continue;
            };
            let bounds = links::Bounds::new(base);
            for path in module_files(&target) {
                let rel = display(&path, cwd);
                if excluded_by_config(&path, &rel, &bounds, opts) {
                    continue;
                }
                if let Some(message) = refuse_link(&path, bases) {
                    errors.push(FileError {
                        file: rel,
                        span: None,
                        kind: FileErrorKind::Read,
                        message,
                    });
                    continue;
                }
                pending.push(path.clone());
                added.push(SourceFile {
                    display_path: rel,
                    path,
                    kind: FileKind::Terraform,
                    module_only: true,
                });
            }
        }
    }
    if !added.is_empty() {
        files.extend(added);
        files.sort();
        files.dedup_by(|a, b| a.display_path == b.display_path);
    }
}

/// The directory a file's module is: its parent, lexically normalised (as the Terraform
/// model groups files and resolves sources).
fn dir_of(path: &Path) -> PathBuf {
    normalize(path.parent().unwrap_or(Path::new(".")))
}

/// Files Terraform loads as a module's configuration (variable files are a root's only).
fn is_module_file(path: &Path) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    name.ends_with(".tf") || name.ends_with(".tf.json")
}

/// The literal local sources a Terraform file's text names (prefilter; see the module
/// comment). Unreadable or oversized files name none: the real read reports them.
fn local_sources(path: &Path) -> Vec<String> {
    use std::io::Read;
    // Discovery passes regular files only; checked again so that no open ever waits on
    // a pipe swapped in meanwhile.
    if !std::fs::metadata(path).is_ok_and(|m| m.is_file()) {
        return Vec::new();
    }
    let mut bytes = Vec::new();
    let read =
        std::fs::File::open(path).and_then(|f| f.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes));
    if read.is_err() || bytes.len() as u64 > MAX_FILE_BYTES {
        return Vec::new();
    }
    local_source_literals(&bytes)
}

/// Whether a repository holds `root` (a file's directory for a file) without starting at
/// it: only then can a module lie outside the scanned path and still be followed. Scanning
/// a repository's top, or a path outside any repository, needs no prefilter at all (its
/// modules were all discovered), which keeps the common `isolint check .` as fast as before.
/// Stat calls only, no git process: the first ancestor holding `.git` is the repository.
fn repository_above(root: &Path) -> bool {
    let dir = if root.is_dir() {
        root
    } else {
        root.parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
    };
    let Ok(canonical) = std::fs::canonicalize(dir) else {
        return false;
    };
    canonical
        .ancestors()
        .find(|a| a.join(".git").exists())
        .is_some_and(|top| top != canonical)
}

/// Where modules may lie, canonical: for each scanned path, its repository (git
/// toplevel, else the nearest ancestor holding `.git`), else the path itself (a file's
/// directory for a file).
fn allowed_bases(roots: &[PathBuf]) -> Vec<PathBuf> {
    let mut bases: Vec<PathBuf> = roots
        .iter()
        .filter_map(|root| {
            let dir = if root.is_dir() {
                root.as_path()
            } else {
                root.parent()
                    .filter(|p| !p.as_os_str().is_empty())
                    .unwrap_or(Path::new("."))
            };
            let canonical = std::fs::canonicalize(dir).ok()?;
            let base = git::toplevel(dir)
                .and_then(|t| std::fs::canonicalize(t).ok())
                .or_else(|| {
                    canonical
                        .ancestors()
                        .find(|a| a.join(".git").exists())
                        .map(Path::to_path_buf)
                })
                .unwrap_or(canonical);
            Some(base)
        })
        .collect();
    bases.sort();
    bases.dedup();
    bases
}

/// The allowed base holding the module directory `target` (canonicalised, so a
/// symbolic link out of the repository is outside), if the directory exists there and
/// no skipped directory lies on the way to it.
fn containing_base<'b>(target: &Path, bases: &'b [PathBuf]) -> Option<&'b Path> {
    let canonical = std::fs::canonicalize(target).ok()?;
    if !canonical.is_dir() {
        return None;
    }
    let base = bases.iter().find(|b| canonical.starts_with(b))?;
    let below = canonical.strip_prefix(base).ok()?;
    let skipped = below
        .components()
        .any(|c| SKIP_DIRS.iter().any(|d| c.as_os_str() == *d));
    (!skipped).then_some(base.as_path())
}

/// The module's configuration files, in name order: regular files and links to files
/// (links are judged by `refuse_link`); subdirectories are other modules.
fn module_files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut paths: Vec<PathBuf> = entries
        .flatten()
        .filter(|e| {
            e.file_type()
                .is_ok_and(|t| t.is_file() || (t.is_symlink() && !e.path().is_dir()))
        })
        .map(|e| dir.join(e.file_name()))
        .filter(|p| is_module_file(p))
        .collect();
    paths.sort();
    paths
}

/// Why the module file at `path` must not be read, if it is a link leaving every allowed
/// base or pointing at something other than a regular file.
fn refuse_link(path: &Path, bases: &[PathBuf]) -> Option<String> {
    let is_link = std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
    if !is_link {
        return None;
    }
    let Ok(target) = std::fs::canonicalize(path) else {
        return None; // broken: the read names it
    };
    if !bases.iter().any(|b| target.starts_with(b)) {
        return Some(
            "symbolic link to a file outside the repository, in a called module; not read".into(),
        );
    }
    match std::fs::metadata(&target) {
        Ok(m) if !m.is_file() => Some(
            "symbolic link to a special file, not a regular file (a pipe, socket or device); not read".into(),
        ),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sources(text: &str) -> Vec<String> {
        local_source_literals(text.as_bytes())
    }

    #[test]
    fn prefilter_finds_literal_local_sources_only() {
        let hcl = "module \"net\" {\n  source = \"../../modules/net\"\n}\nmodule \"x\" {\n  source  = \"./x\"\n}\nmodule \"r\" {\n  source = \"terraform-aws-modules/vpc/aws\"\n}\nmodule \"i\" {\n  source = \"./${var.m}\"\n}\nmodule \"here\" {\n  source = \".\"\n}\n";
        assert_eq!(sources(hcl), ["../../modules/net", "./x", "."]);
        let json = r#"{"module": {"net": {
  "source": "../net"
}}}"#;
        assert_eq!(sources(json), ["../net"]);
        assert_eq!(
            sources(
                "module \"one\" { source = \"../one\" }\n{\"module\":{\"m\":{\"source\":\"./m\"}}}"
            ),
            ["../one", "./m"]
        );
        assert!(sources("  source = \"/etc\"\n").is_empty());
        assert!(sources("  description = \"the source = \\\"./x\\\" line\"\n").is_empty());
        assert!(sources("  source = \"git::https://x/y.git\"\n").is_empty());
    }

    #[test]
    fn module_files_exclude_variable_files() {
        assert!(is_module_file(Path::new("m/main.tf")));
        assert!(is_module_file(Path::new("m/x.TF.json")));
        assert!(!is_module_file(Path::new("m/terraform.tfvars")));
    }
}
