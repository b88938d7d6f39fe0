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
    check_entries(&rules, config)?;
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

/// Every `select`, `ignore` and `severity` entry must name at least one rule (loaded or
/// built in): a typo such as `AWZ-*`, `8.99` or `AWS-S3-099` would otherwise turn checks
/// off without a word.
fn check_entries(rules: &[super::Rule], config: &Config) -> Result<(), Fatal> {
    let metas: Vec<&RuleMeta> = rules
        .iter()
        .map(|r| &*r.meta)
        .chain(crate::suppress::meta_rules().iter().map(|m| &**m))
        .collect();
    let mut problems = Vec::new();
    for origin in &config.origins {
        let pattern = origin.value.as_str();
        let matched = if origin.key == "severity" {
            metas.iter().any(|m| m.id.eq_ignore_ascii_case(pattern))
        } else {
            let one = selector(std::slice::from_ref(&origin.value), config)?;
            metas.iter().any(|m| one(m))
        };
        if matched {
            continue;
        }
        let is_control = pattern.starts_with(|c: char| c.is_ascii_digit());
        let message = if is_control && Catalogue::get_embedded().get(pattern).is_none() {
            format!(
                "`{}`: `{pattern}` is not an ISO/IEC 27002:2022 control (see `isolint controls --all`)",
                origin.key
            )
        } else if is_control {
            format!(
                "`{}`: no rule evidences control {pattern} (see `isolint controls`)",
                origin.key
            )
        } else {
            let hint = closest(pattern, &metas)
                .map(|id| format!("; did you mean `{id}`?"))
                .unwrap_or_default();
            format!(
                "`{}`: `{pattern}` matches no rule{hint} (see `isolint rules`)",
                origin.key
            )
        };
        problems.push(config.problem_at(origin, message));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Fatal::Config(problems))
    }
}

/// The rule id nearest to `pattern` (ignoring any `*`), if it is near enough to be a typo.
fn closest(pattern: &str, metas: &[&RuleMeta]) -> Option<String> {
    let want = pattern.trim_end_matches('*').to_ascii_uppercase();
    metas
        .iter()
        .map(|m| {
            let id = if pattern.ends_with('*') {
                m.id.get(..want.len()).unwrap_or(&m.id)
            } else {
                &m.id
            };
            (crate::suggest::near(&want, id), &m.id)
        })
        .filter_map(|(d, id)| d.map(|d| (d, id)))
        .min()
        .map(|(_, id)| {
            if pattern.ends_with('*') {
                let stem = id.get(..want.len()).unwrap_or(id);
                format!("{stem}*")
            } else {
                id.clone()
            }
        })
}
