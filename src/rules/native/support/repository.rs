//! Which GitHub repository a scanned file belongs to, read from the enclosing git
//! checkout's `origin` remote (`.git/config`, worktrees and submodules' `gitdir:` files
//! followed). Lets workflow rules tell the repository's own reusable workflows
//! (`owner/repo/.github/workflows/x.yml@ref`) from third-party ones, offline.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{LazyLock, Mutex};

/// `owner/repo` (lowercase) of the GitHub `origin` remote of the checkout containing
/// `file`, if there is one. Cached per directory.
pub(crate) fn github_repository(file: &Path) -> Option<String> {
    static CACHE: LazyLock<Mutex<HashMap<PathBuf, Option<String>>>> =
        LazyLock::new(Default::default);
    let dir = file.parent()?.to_path_buf();
    let mut cache = CACHE
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(hit) = cache.get(&dir) {
        return hit.clone();
    }
    let found = dir
        .ancestors()
        .find_map(|d| {
            let dot_git = d.join(".git");
            dot_git.exists().then_some(dot_git)
        })
        .and_then(|g| config_of(&g))
        .and_then(|cfg| std::fs::read_to_string(cfg).ok())
        .and_then(|text| origin_repository(&text));
    cache.insert(dir, found.clone());
    found
}

/// The config file of a `.git` directory, or of the repository a `.git` file
/// (`gitdir: ...`, worktrees and submodules) points to.
fn config_of(dot_git: &Path) -> Option<PathBuf> {
    if dot_git.is_dir() {
        return Some(dot_git.join("config"));
    }
    let text = std::fs::read_to_string(dot_git).ok()?;
    let gitdir = text.strip_prefix("gitdir:")?.trim();
    let gitdir = dot_git.parent()?.join(gitdir);
    // A worktree's own directory names the shared one in `commondir`.
    let common = std::fs::read_to_string(gitdir.join("commondir"))
        .ok()
        .map(|c| gitdir.join(c.trim()));
    Some(common.unwrap_or(gitdir).join("config"))
}

/// `owner/repo` of `[remote "origin"] url = ...github.com[:/]owner/repo(.git)`.
fn origin_repository(config: &str) -> Option<String> {
    let mut in_origin = false;
    for line in config.lines() {
        let l = line.trim();
        if l.starts_with('[') {
            in_origin = l.replace(' ', "") == "[remote\"origin\"]";
            continue;
        }
        let Some(url) = l
            .strip_prefix("url")
            .map(str::trim_start)
            .and_then(|r| r.strip_prefix('='))
        else {
            continue;
        };
        if !in_origin {
            continue;
        }
        let url = url.trim();
        let i = url.find("github.com")? + "github.com".len();
        let path = url[i..].trim_start_matches([':', '/']);
        let path = path.trim_end_matches('/').trim_end_matches(".git");
        let mut parts = path.split('/');
        let (owner, repo) = (parts.next()?, parts.next()?);
        if owner.is_empty() || repo.is_empty() {
            return None;
        }
        return Some(format!("{owner}/{repo}").to_ascii_lowercase());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origin_urls() {
        let cfg = "[core]\n\tbare = false\n[remote \"upstream\"]\n\turl = https://github.com/other/x.git\n[remote \"origin\"]\n\turl = git@github.com:Example-Org/Tools.git\n\tfetch = +refs/heads/*:refs/remotes/origin/*\n";
        assert_eq!(origin_repository(cfg).as_deref(), Some("example-org/tools"));
        let https = "[remote \"origin\"]\n  url = https://github.com/a/b\n";
        assert_eq!(origin_repository(https).as_deref(), Some("a/b"));
        assert_eq!(
            origin_repository("[remote \"origin\"]\n url = https://gitlab.com/a/b.git\n"),
            None
        );
    }

    #[test]
    fn finds_the_checkout() {
        let root = std::env::temp_dir().join(format!("isolint-repo-{}", std::process::id()));
        let wf = root.join(".github/workflows");
        std::fs::create_dir_all(&wf).unwrap();
        std::fs::create_dir_all(root.join(".git")).unwrap();
        std::fs::write(
            root.join(".git/config"),
            "[remote \"origin\"]\n\turl = https://github.com/acme/app.git\n",
        )
        .unwrap();
        let file = wf.join("ci.yml");
        assert_eq!(github_repository(&file).as_deref(), Some("acme/app"));
        std::fs::remove_dir_all(&root).unwrap();
    }
}
