//! Orchestration: discover → read → parse/model (per file in parallel, Terraform per
//! module directory) → evaluate → suppress. Hands a `Report` to the emitters.

use std::collections::BTreeSet;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use globset::{Glob, GlobSet, GlobSetBuilder};
use rayon::prelude::*;

use crate::config::Config;
use crate::controls::Catalogue;
use crate::discover::{self, DiscoverOptions, FileKind, SourceFile};
use crate::error::{Fatal, FileError, FileErrorKind, Notice, Problem};
use crate::evaluate::{EvalOptions, evaluate};
use crate::model::{self, Resource, terraform};
use crate::parse::{dockerfile, yaml};
use crate::report::{Report, StageTimes, Summary};
use crate::rules::load::{self, PackSource};
use crate::rules::{RuleMeta, RuleSet};
use crate::source::{FileId, ReadFailure, SourceMap, SourceText, read_text};
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
    let mut packs: Vec<PackSource> = load::embedded();
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

/// Everything the model stage produced: resources, sources, per-file problems.
pub struct Collected {
    pub resources: Vec<Resource>,
    pub sources: SourceMap,
    pub errors: Vec<FileError>,
    pub notices: Vec<Notice>,
    pub focus: Option<Focus>,
    pub times: StageTimes,
}

/// Discovers, reads, parses and models every file (no rules yet).
pub fn collect(opts: &ScanOptions) -> Result<Collected, Fatal> {
    let started = Instant::now();
    let mut times = StageTimes::default();
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

    let t = Instant::now();
    crate::progress::start(files.len());
    let (sources, read_errors) = read_all(&files);
    errors.extend(read_errors);
    let sources = SourceMap::new(sources);
    let kinds: Vec<FileKind> = files.iter().map(|f| f.kind).collect();

    let mut notices = Vec::new();
    let mut resources = Vec::new();
    let tf_files: Vec<Arc<SourceText>> = sources
        .iter()
        .filter(|s| kind_of(&files, &kinds, s) == Some(FileKind::Terraform))
        .cloned()
        .collect();
    let per_file: Vec<(Vec<Resource>, Vec<FileError>, Vec<Notice>)> = sources
        .iter()
        .collect::<Vec<_>>()
        .par_iter()
        .map(|src| {
            let out = guarded(src, || {
                model_file(src, kind_of(&files, &kinds, src), &tf_files)
            });
            crate::progress::tick();
            out
        })
        .collect();
    for (r, e, n) in per_file {
        resources.extend(r);
        errors.extend(e);
        notices.extend(n);
    }
    let tf = catch_unwind(AssertUnwindSafe(|| {
        terraform::build(&tf_files, &opts.terraform)
    }));
    match tf {
        Ok(out) => {
            resources.extend(out.resources);
            errors.extend(out.errors);
            notices.extend(out.notices);
        }
        Err(panic) => errors.push(FileError {
            file: tf_files
                .first()
                .map(|s| s.display_path.clone())
                .unwrap_or_default(),
            span: None,
            kind: FileErrorKind::Internal,
            message: format!(
                "internal error while evaluating Terraform: {}",
                panic_text(&panic)
            ),
        }),
    }
    times.parse_ms = elapsed_ms(t);
    Ok(Collected {
        resources,
        sources,
        errors,
        notices,
        focus,
        times,
    })
}

/// Runs one scan. Never fails because of a file: file problems become `errors`.
pub fn scan(opts: &ScanOptions, rules: &RuleSet) -> Result<Report, Fatal> {
    let started = Instant::now();
    let Collected {
        resources,
        sources,
        mut errors,
        mut notices,
        focus,
        mut times,
    } = collect(opts)?;

    let t = Instant::now();
    let findings = evaluate(
        rules,
        &resources,
        &sources,
        &EvalOptions {
            strict: opts.strict,
        },
    );
    times.evaluate_ms = elapsed_ms(t);

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
    let summary = Summary {
        files_scanned: sources.len(),
        resources: resources.iter().filter(|r| r.kind != "text_file").count(),
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
        checked: crate::report::checked_counts(rules, &resources),
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

fn kind_of(files: &[SourceFile], kinds: &[FileKind], src: &SourceText) -> Option<FileKind> {
    files
        .binary_search_by(|f| f.display_path.as_str().cmp(&src.display_path))
        .ok()
        .map(|i| kinds[i])
}

/// Reads every file in parallel; ids follow the sorted file order, so they are stable.
fn read_all(files: &[SourceFile]) -> (Vec<Arc<SourceText>>, Vec<FileError>) {
    let results: Vec<_> = files.par_iter().map(|f| (f, read_text(&f.path))).collect();
    let mut sources = Vec::new();
    let mut errors = Vec::new();
    for (f, result) in results {
        match result {
            Ok(text) => {
                let id = FileId(u32::try_from(sources.len()).unwrap_or(u32::MAX));
                sources.push(Arc::new(SourceText::new(
                    id,
                    f.display_path.clone(),
                    f.path.clone(),
                    text,
                )));
            }
            // A binary or non-text file is only an error where configuration was expected.
            Err(ReadFailure::NotText(msg)) if f.kind == FileKind::Text => {
                let _ = msg;
            }
            Err(ReadFailure::NotText(msg)) => errors.push(FileError {
                file: f.display_path.clone(),
                span: None,
                kind: FileErrorKind::Encoding,
                message: msg,
            }),
            Err(ReadFailure::Error(kind, msg)) => errors.push(FileError {
                file: f.display_path.clone(),
                span: None,
                kind,
                message: msg,
            }),
        }
    }
    (sources, errors)
}

/// Runs one file's work, turning a panic into an internal error for that file.
fn guarded(
    src: &SourceText,
    work: impl FnOnce() -> (Vec<Resource>, Vec<FileError>, Vec<Notice>),
) -> (Vec<Resource>, Vec<FileError>, Vec<Notice>) {
    match catch_unwind(AssertUnwindSafe(work)) {
        Ok(out) => out,
        Err(panic) => (
            Vec::new(),
            vec![FileError {
                file: src.display_path.clone(),
                span: None,
                kind: FileErrorKind::Internal,
                message: format!("internal error (please report it): {}", panic_text(&panic)),
            }],
            Vec::new(),
        ),
    }
}

fn panic_text(panic: &Box<dyn std::any::Any + Send>) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "panic".into())
}

/// Parses one non-Terraform file into resources (plus a text resource for secrets).
fn model_file(
    src: &SourceText,
    kind: Option<FileKind>,
    tf_files: &[Arc<SourceText>],
) -> (Vec<Resource>, Vec<FileError>, Vec<Notice>) {
    let mut resources = Vec::new();
    let mut errors = Vec::new();
    let mut notices = Vec::new();
    match kind {
        Some(FileKind::Yaml | FileKind::Json) => {
            if discover::classify::is_helm_template(&src.display_path, &src.text) {
                notices.push(Notice {
                    file: src.display_path.clone(),
                    span: None,
                    message:
                        "Helm template skipped (render it with `helm template` and scan the output)"
                            .into(),
                });
            } else {
                match yaml::parse_yaml(src) {
                    Ok(docs) => resources.extend(structured(src, docs, tf_files)),
                    Err(e) => errors.push(e),
                }
            }
        }
        Some(FileKind::Dockerfile) => match dockerfile::parse_dockerfile(src) {
            Ok(doc) => resources.extend(model::docker::dockerfile_resources(src, doc)),
            Err(e) => errors.push(e),
        },
        _ => {}
    }
    resources.push(model::text::text_resource(src));
    (resources, errors, notices)
}

/// Decides what parsed YAML/JSON documents are: workflow, compose, manifests or plain.
fn structured(
    src: &SourceText,
    docs: Vec<crate::parse::node::Node>,
    tf_files: &[Arc<SourceText>],
) -> Vec<Resource> {
    // `terraform show -json` output: fully resolved resources, mapped back to the .tf
    // blocks they came from where the plan says which.
    if docs.len() == 1 && terraform::is_plan_json(&docs[0]) {
        return terraform::plan_resources(src, &docs[0], tf_files);
    }
    if model::workflow::is_workflow(&src.display_path) {
        return docs
            .into_iter()
            .flat_map(|d| model::workflow::workflow_resources(src, d))
            .collect();
    }
    let name = src
        .path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    if docs.len() == 1 && model::compose::is_compose(&docs[0], name) {
        return docs
            .into_iter()
            .flat_map(|d| model::compose::compose_resources(src, d))
            .collect();
    }
    let k8s: Vec<_> = docs
        .into_iter()
        .filter(model::kubernetes::is_kubernetes)
        .collect();
    if k8s.is_empty() {
        Vec::new()
    } else {
        model::kubernetes::kubernetes_resources(src, k8s)
    }
}
