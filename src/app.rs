//! Orchestration: discover → read → model and evaluate in batches (each Terraform root,
//! each other file, then all Kubernetes objects) → suppress. Hands a `Report` to the
//! emitters.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use globset::{Glob, GlobSet, GlobSetBuilder};
use rayon::prelude::*;

use crate::config::Config;
use crate::controls::Catalogue;
use crate::discover::{self, DiscoverOptions, FileKind};
use crate::error::{Fatal, FileError, Notice, Problem};
use crate::evaluate::{Batch, EvalOptions};
use crate::model::{Family, Resource, terraform};
use crate::report::{Report, StageTimes, Summary};
use crate::rules::load::{self, PackSource};
use crate::rules::{RuleMeta, RuleSet};
use crate::source::{SourceMap, SourceText};
use crate::stages::{self, Modelled, StageClock};
use crate::suppress;

/// Everything a scan needs, resolved from the command line and the config file.
pub struct ScanOptions {
    pub paths: Vec<PathBuf>,
    pub config: Config,
    pub strict: bool,
    pub threads: usize,
    pub gitignore: bool,
    pub terraform: terraform::TerraformOptions,
    /// Fingerprints from `--baseline`.
    pub baseline: Option<BTreeSet<String>>,
    /// Honour inline `isolint:ignore` comments (`--ignore-inline` turns them off).
    pub inline_suppressions: bool,
    /// Report only findings in files changed since this git ref (`--changed-since`).
    pub changed_since: Option<String>,
}

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
                Glob::new(&p.to_ascii_uppercase())
                    .map_err(|e| config_problem(config, e.to_string()))?,
            );
        }
    }
    let globs = globs
        .build()
        .map_err(|e| config_problem(config, e.to_string()))?;
    Ok(move |meta: &RuleMeta| {
        globs.is_match(&meta.id) || meta.controls.iter().any(|c| controls.contains(c))
    })
}

fn config_problem(config: &Config, message: String) -> Fatal {
    Fatal::Config(vec![Problem {
        file: config.path.clone().unwrap_or_default(),
        line: 1,
        column: 1,
        message,
    }])
}

fn globset(patterns: &[String], config: &Config) -> Result<GlobSet, Fatal> {
    let mut b = GlobSetBuilder::new();
    for p in patterns {
        let g = Glob::new(p)
            .map_err(|e| config_problem(config, format!("bad exclude glob `{p}`: {e}")))?;
        b.add(g);
        // `dir/` style excludes cover everything below.
        if let Ok(g) = Glob::new(&format!("{}/**", p.trim_end_matches('/'))) {
            b.add(g);
        }
    }
    b.build().map_err(|e| config_problem(config, e.to_string()))
}

/// The scan's files, read: what every later stage works from.
struct Inputs {
    sources: SourceMap,
    /// The Terraform files among `sources` (evaluated per module directory).
    terraform: Vec<Arc<SourceText>>,
    /// Every file, with what discovery classified it as (each is also scanned as text).
    all: Vec<(Arc<SourceText>, Option<FileKind>)>,
    errors: Vec<FileError>,
    focus: Option<Focus>,
}

/// Discover and read.
fn inputs(opts: &ScanOptions, times: &mut StageTimes) -> Result<Inputs, Fatal> {
    let started = Instant::now();
    let excludes = globset(&opts.config.exclude, &opts.config)?;
    let (roots, focus) = scope(opts)?;
    let (files, mut errors) = discover::discover(
        &roots,
        &DiscoverOptions {
            excludes: &excludes,
            gitignore: opts.gitignore,
            threads: opts.threads,
        },
    );
    times.discover_ms = elapsed_ms(started);
    times.resident[0] = crate::memory::resident();

    let t = Instant::now();
    crate::progress::start(files.len());
    let (sources, read_errors) = stages::read_all(&files);
    errors.extend(read_errors);
    let all: Vec<_> = sources
        .iter()
        .map(|s| (s.clone(), stages::kind_of(&files, s)))
        .collect();
    let terraform = all
        .iter()
        .filter(|(_, kind)| *kind == Some(FileKind::Terraform))
        .map(|(s, _)| s.clone())
        .collect();
    times.read_ms = elapsed_ms(t);
    Ok(Inputs {
        sources: SourceMap::new(sources),
        terraform,
        all,
        errors,
        focus,
    })
}

/// Everything the model stage produced: resources, sources, per-file problems.
pub struct Collected {
    pub resources: Vec<Resource>,
    pub sources: SourceMap,
    pub errors: Vec<FileError>,
    pub notices: Vec<Notice>,
}

/// Discovers, reads, parses and models every file and keeps it all (no rules): the
/// model `isolint resources` prints.
pub fn collect(opts: &ScanOptions) -> Result<Collected, Fatal> {
    let mut times = StageTimes::default();
    let Inputs {
        sources,
        terraform: tf_files,
        all,
        mut errors,
        ..
    } = inputs(opts, &mut times)?;
    let mut notices = Vec::new();
    let mut resources = Vec::new();
    let per_file: Vec<Modelled> = all
        .par_iter()
        .map(|(src, kind)| model_guarded(src, *kind, &tf_files))
        .collect();
    for m in per_file {
        resources.extend(m.resources);
        errors.extend(m.errors);
        notices.extend(m.notices);
    }
    match terraform_guarded(&tf_files, || terraform::build(&tf_files, &opts.terraform)) {
        Ok(out) => {
            resources.extend(out.resources);
            errors.extend(out.errors);
            notices.extend(out.notices);
        }
        Err(e) => errors.push(e),
    }
    Ok(Collected {
        resources,
        sources,
        errors,
        notices,
    })
}

/// Runs one scan. Never fails because of a file: file problems become `errors`.
///
/// Resources are evaluated in batches of what can relate to each other and dropped right
/// after, keeping only findings: each Terraform root as soon as it is built (its syntax
/// trees are freed before the other files are modelled), each other file on its own,
/// and all Kubernetes objects together at the end (checks look across manifests).
pub fn scan(opts: &ScanOptions, rules: &RuleSet) -> Result<Report, Fatal> {
    let started = Instant::now();
    let mut times = StageTimes::default();
    let Inputs {
        sources,
        terraform: tf_files,
        all,
        mut errors,
        focus,
    } = inputs(opts, &mut times)?;
    let eval = EvalOptions {
        strict: opts.strict,
    };
    let clock = StageClock::default();
    let mut total = Batch::default();
    let mut notices = Vec::new();

    let t = Instant::now();
    let tf = terraform_guarded(&tf_files, || {
        terraform::build_each(&tf_files, &opts.terraform, |resources| {
            clock.time_evaluate(|| {
                guarded_batch(&first_file(&resources, &sources), || {
                    Batch::evaluate(rules, &resources, &sources, &eval)
                })
            })
        })
    });
    match tf {
        Ok(built) => {
            built.per_root.into_iter().for_each(|b| total.absorb(b));
            errors.extend(built.errors);
            notices.extend(built.notices);
        }
        Err(e) => errors.push(e),
    }
    times.terraform_ms = elapsed_ms(t);

    let t = Instant::now();
    let per_file: Vec<(Batch, Modelled)> = all
        .par_iter()
        .map(|(src, kind)| {
            let mut m = clock.time_model(|| model_guarded(src, *kind, &tf_files));
            // Kubernetes objects and workflows wait for the others (they relate across
            // files: selectors, and pins of the same action); everything else only
            // relates within its own file.
            let (k8s, own): (Vec<_>, Vec<_>) = std::mem::take(&mut m.resources)
                .into_iter()
                .partition(|r| matches!(r.family, Family::Kubernetes | Family::Workflow));
            let batch = clock.time_evaluate(|| {
                guarded_batch(&src.display_path, || {
                    Batch::evaluate(rules, &own, &sources, &eval)
                })
            });
            m.resources = k8s;
            (batch, m)
        })
        .collect();
    let mut kubernetes = Vec::new();
    for (batch, m) in per_file {
        total.absorb(batch);
        kubernetes.extend(m.resources);
        errors.extend(m.errors);
        notices.extend(m.notices);
    }
    times.files_ms = elapsed_ms(t);
    times.resident[1] = crate::memory::resident();

    let t = Instant::now();
    total.absorb(clock.time_evaluate(|| {
        guarded_batch(&first_file(&kubernetes, &sources), || {
            Batch::evaluate_parallel(rules, &kubernetes, &sources, &eval)
        })
    }));
    kubernetes.into_par_iter().for_each(drop);
    times.kubernetes_ms = elapsed_ms(t);
    times.model_cpu_ms = clock.model_ms();
    times.evaluate_cpu_ms = clock.evaluate_ms();

    let t = Instant::now();
    errors.append(&mut total.errors);
    let findings = crate::evaluate::finish(std::mem::take(&mut total.findings), &sources);
    let active: BTreeSet<String> = rules.rules.iter().map(|r| r.meta.id.clone()).collect();
    let mut findings = suppress::apply(
        findings,
        &sources,
        &suppress::SuppressOptions {
            config: &opts.config,
            baseline: opts.baseline.as_ref(),
            inline: opts.inline_suppressions,
            active_rules: &active,
        },
    );
    if let Some(focus) = &focus {
        findings.retain(|f| focus.covers(&f.file));
        errors.retain(|e| focus.covers(&e.file));
    }
    for f in &mut findings {
        if let Some((_, sev)) = opts
            .config
            .severity
            .iter()
            .find(|(id, _)| id.eq_ignore_ascii_case(&f.rule.id))
        {
            f.severity = *sev;
        }
    }
    errors.sort();
    errors.dedup();
    notices.sort();
    notices.dedup();
    times.finish_ms = elapsed_ms(t);
    times.resident[2] = crate::memory::resident();
    let summary = Summary {
        files_scanned: sources.len(),
        resources: total.resources,
        findings: findings.iter().filter(|f| f.suppression.is_none()).count(),
        suppressed: findings.iter().filter(|f| f.suppression.is_some()).count(),
        parse_errors: errors.len(),
        duration_ms: elapsed_ms(started),
    };
    Ok(Report {
        findings,
        errors,
        notices,
        summary,
        times,
        sources,
        checked: crate::report::Checked {
            counts: total.checked_by_id(rules),
            rules: rules.rules.iter().map(|r| r.meta.clone()).collect(),
        },
    })
}

/// One file into resources (a Terraform file only as text); a panic becomes an error for that file.
fn model_guarded(src: &SourceText, kind: Option<FileKind>, tf: &[Arc<SourceText>]) -> Modelled {
    stages::guarded(&src.display_path, "reading it", || {
        stages::model_file(src, kind, tf)
    })
    .unwrap_or_else(|e| Modelled {
        errors: vec![e],
        ..Modelled::default()
    })
}

/// Terraform evaluation; a panic becomes an error on the first Terraform file.
fn terraform_guarded<T>(tf: &[Arc<SourceText>], work: impl FnOnce() -> T) -> Result<T, FileError> {
    let first = tf
        .first()
        .map(|s| s.display_path.as_str())
        .unwrap_or_default();
    stages::guarded(first, "evaluating Terraform", work)
}

/// Where a batch's problems are reported: the file of its first resource.
fn first_file(resources: &[Resource], sources: &SourceMap) -> String {
    resources
        .first()
        .and_then(|r| sources.get(r.span.file))
        .map(|s| s.display_path.clone())
        .unwrap_or_default()
}

/// A batch's evaluation; a panic loses that batch's findings and says so.
fn guarded_batch(file: &str, work: impl FnOnce() -> Batch) -> Batch {
    stages::guarded(file, "checking it", work).unwrap_or_else(|e| Batch {
        errors: vec![e],
        ..Batch::default()
    })
}

/// The files a scan reports on when it was given files: those files, plus everything under
/// directories given beside them (`isolint check infra/ app/main.tf`).
#[derive(Debug, Default)]
pub struct Focus {
    files: BTreeSet<String>,
    dirs: Vec<String>,
}

impl Focus {
    pub fn covers(&self, file: &str) -> bool {
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
fn scope(opts: &ScanOptions) -> Result<(Vec<PathBuf>, Option<Focus>), Fatal> {
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

fn elapsed_ms(since: Instant) -> u64 {
    u64::try_from(since.elapsed().as_millis()).unwrap_or(u64::MAX)
}
