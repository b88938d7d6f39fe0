//! Orchestration: discover → read → parse and model → evaluate in batches (each Terraform
//! root, each other file, then all Kubernetes objects) → suppress. Hands a `Report` to
//! the emitters.

mod clock;
mod guard;
mod read;
mod scope;

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use globset::{Glob, GlobSet, GlobSetBuilder};
use rayon::prelude::*;

use self::clock::{StageClock, elapsed_ms};
use self::guard::{first_file, guarded_batch, model_guarded, terraform_guarded};
use self::scope::{Focus, scope};
use crate::config::Config;
use crate::discover::{self, DiscoverOptions, FileKind};
use crate::error::{Fatal, FileError, Notice};
use crate::evaluate::{Batch, EvalOptions};
use crate::model::{Family, Modelled, Resource, terraform};
use crate::render::Rendered;
use crate::report::{Report, StageTimes, Summary};
use crate::rules::RuleSet;
use crate::source::{SourceMap, SourceText};
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
    /// Rendering Helm charts and Kustomize overlays.
    pub render: crate::render::RenderOptions,
    /// A file read from standard input (`check -`), scanned beside the paths.
    pub stdin: Option<StdinFile>,
}

/// `helm template . | isolint check -`: the text, and the name it is classified and
/// reported by (`--stdin-filename`, default `stdin.yaml`: manifests are the usual stream).
pub struct StdinFile {
    pub name: String,
    pub text: Arc<str>,
}

fn globset(patterns: &[String], config: &Config) -> Result<GlobSet, Fatal> {
    let mut b = GlobSetBuilder::new();
    for p in patterns {
        let g = Glob::new(p).map_err(|e| config.problem(format!("bad exclude glob `{p}`: {e}")))?;
        b.add(g);
        // `dir/` style excludes cover everything below.
        if let Ok(g) = Glob::new(&format!("{}/**", p.trim_end_matches('/'))) {
            b.add(g);
        }
    }
    b.build().map_err(|e| config.problem(e.to_string()))
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
    /// Charts and overlays rendered (their outputs are among `sources`, after the files).
    rendered: Rendered,
    /// Files named as patches by a kustomization (never complete objects).
    patches: BTreeSet<String>,
    /// Files the configuration excluded.
    excluded: usize,
    /// `opts.terraform` with the module-only files (local modules outside the scanned
    /// paths, kept out of `all`) marked.
    terraform_opts: terraform::TerraformOptions,
}

/// Discover and read.
fn inputs(opts: &ScanOptions, times: &mut StageTimes) -> Result<Inputs, Fatal> {
    let started = Instant::now();
    let excludes = globset(&opts.config.exclude, &opts.config)?;
    let (roots, focus) = scope(opts)?;
    let exclude_base = opts
        .config
        .path
        .as_ref()
        .and_then(|p| std::fs::canonicalize(p).ok())
        .and_then(|p| p.parent().map(std::path::Path::to_path_buf));
    let discover::Discovered {
        files,
        mut errors,
        excluded,
    } = discover::discover(
        &roots,
        &DiscoverOptions {
            excludes: &excludes,
            exclude_base: exclude_base.as_deref(),
            gitignore: opts.gitignore,
            threads: opts.threads,
        },
    );
    times.discover_ms = elapsed_ms(started);
    times.resident[0] = crate::memory::resident();

    let t = Instant::now();
    crate::report::progress::start(files.len());
    let (mut sources, read_errors) = read::read_all(&files);
    errors.extend(read_errors);
    let mut all: Vec<_> = sources
        .iter()
        .map(|s| (s.clone(), read::kind_of(&files, s)))
        .collect();
    if let Some(stdin) = &opts.stdin {
        let id = crate::source::FileId(u32::try_from(sources.len()).unwrap_or(u32::MAX));
        let src = Arc::new(SourceText::new(
            id,
            stdin.name.clone(),
            PathBuf::from(&stdin.name),
            stdin.text.clone(),
        ));
        sources.push(src.clone());
        all.push((src, discover::classify_name(&stdin.name)));
    }
    let terraform = all
        .iter()
        .filter(|(_, kind)| *kind == Some(FileKind::Terraform))
        .map(|(s, _)| s.clone())
        .collect();
    let module_only = discover::module_only_ids(&files, &sources);
    all.retain(|(s, _)| !module_only.contains(&s.id));
    times.read_ms = elapsed_ms(t);

    let t = Instant::now();
    let patches = crate::render::patches::patch_files(&all);
    let first_id = u32::try_from(sources.len()).unwrap_or(u32::MAX);
    let rendered = crate::render::render(&sources, &opts.config, &opts.render, first_id);
    sources.extend(rendered.sources.iter().cloned());
    times.render_ms = elapsed_ms(t);
    Ok(Inputs {
        sources: SourceMap::new(sources),
        terraform,
        all,
        errors,
        focus,
        rendered,
        patches,
        excluded,
        terraform_opts: terraform::TerraformOptions {
            module_only,
            ..opts.terraform.clone()
        },
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
        mut rendered,
        patches,
        terraform_opts,
        ..
    } = inputs(opts, &mut times)?;
    let mut notices = std::mem::take(&mut rendered.notices);
    errors.append(&mut rendered.errors);
    let mut resources = std::mem::take(&mut rendered.resources);
    let per_file: Vec<Modelled> = all
        .par_iter()
        .map(|(src, kind)| {
            let mut m = model_guarded(src, *kind, &tf_files);
            crate::render::drop_patch_objects(&src.display_path, &patches, &mut m);
            rendered.settle(&src.display_path, &mut m);
            m
        })
        .collect();
    for m in per_file {
        resources.extend(m.resources);
        errors.extend(m.errors);
        notices.extend(m.notices);
    }
    match terraform_guarded(&tf_files, || terraform::build(&tf_files, &terraform_opts)) {
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
        mut rendered,
        patches,
        excluded: excluded_files,
        terraform_opts,
    } = inputs(opts, &mut times)?;
    errors.append(&mut rendered.errors);
    let eval = EvalOptions {
        strict: opts.strict,
    };
    let clock = StageClock::default();
    let mut total = Batch::default();
    let mut notices = std::mem::take(&mut rendered.notices);

    let t = Instant::now();
    let tf = terraform_guarded(&tf_files, || {
        terraform::build_each(&tf_files, &terraform_opts, |resources| {
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
            crate::render::drop_patch_objects(&src.display_path, &patches, &mut m);
            rendered.settle(&src.display_path, &mut m);
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
    let mut kubernetes = std::mem::take(&mut rendered.resources);
    let mut duplicate_keys = Vec::new();
    for (batch, m) in per_file {
        total.absorb(batch);
        kubernetes.extend(m.resources);
        errors.extend(m.errors);
        notices.extend(m.notices);
        duplicate_keys.extend(m.duplicate_keys);
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
    let findings = rendered.remap(std::mem::take(&mut total.findings));
    let mut findings = crate::evaluate::finish(findings, &sources);
    findings.extend(
        duplicate_keys
            .iter()
            .filter_map(|d| Some(suppress::duplicate_key(sources.get(d.span.file)?, d))),
    );
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
        files_scanned: sources.len() - rendered.sources.len(),
        resources: total.resources,
        findings: findings.iter().filter(|f| f.suppression.is_none()).count(),
        suppressed: findings.iter().filter(|f| f.suppression.is_some()).count(),
        parse_errors: errors.len(),
        excluded: excluded_files,
        duration_ms: elapsed_ms(started),
    };
    // Reports show secrets masked; the scan's own copy of the text is not needed after.
    let sources = crate::finding::mask_sources(&findings, &sources);
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
