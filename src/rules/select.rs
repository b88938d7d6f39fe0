//! The rule set a run uses: the embedded packs and the user's, validated against the
//! control catalogue, narrowed by the configuration's `select` and `ignore`.

use std::path::PathBuf;

use globset::{Glob, GlobSetBuilder};

use super::load::{self, PackSource};
use super::{RuleMeta, RuleSet};
use crate::config::Config;
use crate::controls::Catalogue;
use crate::error::{Fatal, Problem};

/// Loads the embedded packs plus the user's, validated against the control catalogue,
/// then applies the config's `select`/`ignore`.
pub fn load_rules(extra_dirs: &[PathBuf], config: &Config) -> Result<RuleSet, Fatal> {
    load_rules_with(true, extra_dirs, config)
}

/// As `load_rules`, optionally without the embedded packs (a pack author's own set, or a
/// working copy of `rules/` that would otherwise clash with the embedded ids).
pub fn load_rules_with(
    builtin: bool,
    extra_dirs: &[PathBuf],
    config: &Config,
) -> Result<RuleSet, Fatal> {
    let mut packs: Vec<PackSource> = if builtin {
        load::embedded()
    } else {
        Vec::new()
    };
    let mut problems = Vec::new();
    for dir in &config.rules {
        if let Some(p) = outside_repository(dir, config) {
            problems.push(p);
        }
    }
    for dir in extra_dirs.iter().chain(&config.rules) {
        match load::from_dir(dir) {
            Ok(p) => packs.extend(p),
            Err(p) => problems.push(p),
        }
    }
    if !problems.is_empty() {
        return Err(Fatal::RulePack(problems));
    }
    let rules = load::load(&packs, Catalogue::get_embedded()).map_err(Fatal::RulePack)?;
    let select = selector(&config.select, config)?;
    let ignore = selector(&config.ignore, config)?;
    let set = RuleSet::new(rules).filtered(|meta| {
        (config.select.is_empty() || select(meta)) && (config.ignore.is_empty() || !ignore(meta))
    });
    Ok(set)
}

/// A configuration file may come from the pull request being scanned: the rule packs it
/// names must lie inside its repository (or, outside git, below its directory), so that
/// `rules: ["/root"]` cannot make the scan read elsewhere. `--rules` on the command line
/// is the user's own choice and is not limited.
fn outside_repository(dir: &std::path::Path, config: &Config) -> Option<Problem> {
    let config_dir = config.path.as_deref()?.parent()?;
    let config_dir = if config_dir.as_os_str().is_empty() {
        std::path::Path::new(".")
    } else {
        config_dir
    };
    let base = crate::discover::git::toplevel(config_dir)
        .or_else(|| std::fs::canonicalize(config_dir).ok())?;
    let base = std::fs::canonicalize(&base).unwrap_or(base);
    match std::fs::canonicalize(dir) {
        Ok(resolved) if resolved.starts_with(&base) => None,
        Ok(_) => Some(Problem::in_file(
            config.path.clone().unwrap_or_default(),
            1,
            1,
            format!(
                "`rules` entry {} leads outside the repository ({}); pass it with --rules instead",
                dir.display(),
                base.display()
            ),
        )),
        Err(_) => None, // from_dir names a missing directory
    }
}

/// A matcher for rule ids, id globs (`AWS-S3-*`) and control IDs (`8.24`).
pub fn selector(
    patterns: &[String],
    config: &Config,
) -> Result<impl Fn(&RuleMeta) -> bool + use<>, Fatal> {
    let mut globs = GlobSetBuilder::new();
    let mut controls = Vec::new();
    for p in patterns {
        if p.chars().next().is_some_and(|c| c.is_ascii_digit()) {
            controls.push(p.clone());
        } else {
            globs.add(
                Glob::new(&p.to_ascii_uppercase()).map_err(|e| config.problem(e.to_string()))?,
            );
        }
    }
    let globs = globs.build().map_err(|e| config.problem(e.to_string()))?;
    Ok(move |meta: &RuleMeta| {
        globs.is_match(&meta.id) || meta.controls.iter().any(|c| controls.contains(c))
    })
}
