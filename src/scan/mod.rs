//! Orchestration: discover → read → parse and model → evaluate in batches (each Terraform
//! root, each other file, then the cross-file rules of Kubernetes objects and workflows)
//! → suppress. Hands a `Report` to
//! the emitters.

mod across;
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

use self::clock::{Budget, StageClock, elapsed_ms};
use self::guard::{first_file, guarded_batch, terraform_guarded};
use self::scope::{Focus, scope};
use crate::config::Config;
use crate::discover::{self, DiscoverOptions, FileKind};
use crate::error::{Fatal, FileError, Notice};
use crate::evaluate::{Batch, EvalOptions, Scope};
use crate::model::{Family, Modelled, Resource, terraform};
use crate::render::Rendered;
use crate::report::{Report, StageTimes, Summary};
use crate::rules::RuleSet;
use crate::source::{FileId, SourceMap, SourceText};
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
    pub baseline: Option<BTreeSet<crate::finding::Fingerprint>>,
    /// Honour inline `isolint:ignore` comments (`--ignore-inline` turns them off).
    pub inline_suppressions: bool,
    /// Report only findings in files changed since this git ref (`--changed-since`).
    pub changed_since: Option<String>,
    /// Rendering Helm charts and Kustomize overlays.
    pub render: crate::render::RenderOptions,
    /// A file read from standard input (`check -`), scanned beside the paths.
    pub stdin: Option<StdinFile>,
    /// Wall-clock budget of the whole scan (`--time-budget`).
    pub time_budget: std::time::Duration,
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

/// The scan's files: every later stage works from them. Only the Terraform files (a
/// root is evaluated with all its files), the files rendering needs and standard input
/// are read here; the others are read one at a time by the stage that models them.
struct Inputs {
    sources: SourceMap,
    /// The Terraform files among `sources` (evaluated per module directory).
    terraform: Vec<Arc<SourceText>>,
    /// Every file, in id order, with what discovery classified it as (each is also
    /// scanned as text).
    all: Vec<(FileId, Option<FileKind>)>,
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

/// Discover, and read what must be read before the per-file stage.
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
    times.mark("discover");

    let t = Instant::now();
    crate::report::progress::start(files.len());
    let module_only: std::collections::HashSet<FileId> = (0..files.len())
        .filter(|&i| files[i].module_only)
        .map(|i| FileId(u32::try_from(i).unwrap_or(u32::MAX)))
        .collect();
    let mut all: Vec<(FileId, Option<FileKind>)> = (0..files.len())
        .map(|i| FileId(u32::try_from(i).unwrap_or(u32::MAX)))
        .zip(files.iter().map(|f| Some(f.kind)))
        .collect();
    // Files only searched for secrets are decoded leniently (a stray NUL, a Latin-1
    // byte); configuration must be valid text to parse.
    let mut sources = SourceMap::unread(
        files
            .into_iter()
            .map(|f| (f.display_path, f.path, f.kind == FileKind::Text)),
    );
    if let Some(stdin) = &opts.stdin {
        let id = sources.next_id();
        sources.insert(Arc::new(SourceText::new(
            id,
            stdin.name.clone(),
            PathBuf::from(&stdin.name),
            stdin.text.clone(),
        )));
        all.push((id, discover::classify_name(&stdin.name)));
    }
    let (terraform, read_errors) = read::read_terraform(&sources, &all);
    errors.extend(read_errors);
    // Local modules outside the scanned paths: read for their callers, never scanned
    // on their own.
    all.retain(|(id, _)| !module_only.contains(id));
    times.read_ms = elapsed_ms(t);

    let t = Instant::now();
    let patches = crate::render::patches::patch_files(&sources, &all);
    let rendered = crate::render::render(&sources, &opts.config, &opts.render, sources.next_id());
    for src in &rendered.sources {
        sources.insert(src.clone());
    }
    times.render_ms = elapsed_ms(t);
    times.mark("read and render");
    Ok(Inputs {
        sources,
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
        .map(|&(id, kind)| {
            let src = match read::read_file(&sources, id, kind) {
                Ok(src) => src,
                Err(e) => {
                    return Modelled {
                        errors: e.into_iter().collect(),
                        ..Modelled::default()
                    };
                }
            };
            across::model_file(&src, kind, &tf_files, &patches, &rendered, false)
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
/// trees are freed before the other files are modelled), each other file on its own
/// (its Kubernetes objects and workflows with the rules that read only them), and at the
/// end the rules that look across manifests and workflows (`across`).
pub fn scan(opts: &ScanOptions, rules: &RuleSet) -> Result<Report, Fatal> {
    let started = Instant::now();
    let mut times = StageTimes {
        threads: rayon::current_num_threads(),
        ..StageTimes::default()
    };
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
    let budget = Budget::new(started, opts.time_budget);
    let largest_root = std::sync::Mutex::new(None);
    let largest_file = std::sync::Mutex::new(None);
    let mut total = Batch::default();
    let mut notices = std::mem::take(&mut rendered.notices);

    let t = Instant::now();
    let tf = terraform_guarded(&tf_files, || {
        terraform::build_each(&tf_files, &terraform_opts, |resources| {
            let first = first_file(&resources, &sources);
            let dir = first.rsplit_once('/').map_or(".", |(dir, _)| dir);
            keep_largest(&largest_root, resources.len(), dir);
            if !budget.allows(&first) {
                return Batch::default();
            }
            clock.time_evaluate(|| {
                guarded_batch(&first, || {
                    Batch::evaluate(rules, &resources, &sources, &eval, Scope::All)
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
    times.mark("terraform");
    times.largest_root = largest_root
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);

    let t = Instant::now();
    // Batches are summed as they finish (a batch's per-rule counts are as long as the
    // rule set: kept per file, they cost more than the files' texts); what else a file
    // left (objects for the cross-file batch, errors, directives) is kept, most files
    // leave nothing, and it is put back in file order.
    let (files_batch, files_scanned, mut per_file): (Batch, usize, Vec<(usize, PerFile)>) = all
        .par_iter()
        .enumerate()
        .map(|(i, &(id, kind))| {
            let done = per_file(
                &sources,
                id,
                kind,
                &tf_files,
                &patches,
                &rendered,
                rules,
                &eval,
                &clock,
                &budget,
                opts.inline_suppressions,
            );
            if let (Some(name), Some(bytes)) = (sources.display_path(id), done.bytes) {
                keep_largest(&largest_file, bytes, name);
            }
            (i, done)
        })
        .fold(
            || (Batch::default(), 0, Vec::new()),
            |(mut batch, mut scanned, mut outcomes), (i, mut done)| {
                batch.absorb(std::mem::take(&mut done.batch));
                scanned += usize::from(done.modelled.is_some());
                if !done.is_empty() {
                    outcomes.push((i, done));
                }
                (batch, scanned, outcomes)
            },
        )
        .reduce(
            || (Batch::default(), 0, Vec::new()),
            |(mut batch, scanned, mut outcomes), (other, more_scanned, more)| {
                batch.absorb(other);
                outcomes.extend(more);
                (batch, scanned + more_scanned, outcomes)
            },
        );
    per_file.sort_unstable_by_key(|(i, _)| *i);
    total.absorb(files_batch);
    // Rendered objects cannot be read again: evaluated with the local rules now, kept
    // whole if a rule that looks across applies to them or a check looks them up.
    let mut kubernetes = std::mem::take(&mut rendered.resources);
    total.absorb(clock.time_evaluate(|| {
        guarded_batch(&first_file(&kubernetes, &sources), || {
            Batch::evaluate_parallel(rules, &kubernetes, &sources, &eval, Scope::Local)
        })
    }));
    kubernetes.retain(|r| rules.is_looked_up(r) || rules.has_across(r));
    let mut census = Vec::new();
    let mut remembered = Vec::new();
    let mut duplicate_keys = Vec::new();
    let mut directives = vec![Vec::new(); sources.len()];
    for (i, done) in per_file {
        let Some(m) = done.modelled else {
            errors.extend(done.error);
            continue;
        };
        let (file, kind) = all[i];
        kubernetes.extend(m.resources);
        census.extend(done.census);
        if done.across_subjects {
            remembered.push((file, kind, done.text_held));
        }
        errors.extend(m.errors);
        notices.extend(m.notices);
        duplicate_keys.extend(m.duplicate_keys);
        directives[file.0 as usize] = done.directives;
    }
    if opts.inline_suppressions {
        for src in &rendered.sources {
            directives[src.id.0 as usize] = suppress::directives(&src.text);
        }
    }
    // Terraform texts were kept for plans; now only those with findings stay.
    let with_findings: BTreeSet<FileId> = total.findings.iter().map(|f| f.span.file).collect();
    for src in &tf_files {
        if !with_findings.contains(&src.id) {
            sources.release(src.id);
        }
    }
    times.files_ms = elapsed_ms(t);
    times.mark("other files");
    times.largest_file = largest_file
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    times.kubernetes_objects = kubernetes.len();
    times.across_files = remembered.len();

    let t = Instant::now();
    total.absorb(across::evaluate(
        &across::PhaseB {
            sources: &sources,
            rules,
            eval: &eval,
            clock: &clock,
            budget: &budget,
            tf_files: &tf_files,
            patches: &patches,
            rendered: &rendered,
        },
        kubernetes,
        census,
        &remembered,
    ));
    drop(tf_files);
    times.kubernetes_ms = elapsed_ms(t);
    times.mark("kubernetes");
    times.model_cpu_ms = clock.model_ms();
    times.evaluate_cpu_ms = clock.evaluate_ms();

    let t = Instant::now();
    let (unchecked, first_unchecked) = budget.skipped();
    if unchecked > 0 {
        errors.push(FileError {
            file: first_unchecked.unwrap_or_default(),
            span: None,
            kind: crate::error::FileErrorKind::Limit,
            message: format!(
                "the scan's time budget of {} s ran out: {unchecked} files, Terraform roots or \
                 batches were not checked (this is the first by name), so the run fails; \
                 raise it with --time-budget or `time_budget:` in .isolint.yaml",
                opts.time_budget.as_secs()
            ),
        });
    }
    errors.append(&mut total.errors);
    let findings = rendered.remap(std::mem::take(&mut total.findings).into_vec());
    let mut findings = crate::evaluate::finish(findings, &sources);
    findings.extend(
        duplicate_keys
            .iter()
            .filter_map(|d| Some(suppress::duplicate_key(&*sources.get(d.span.file)?, d))),
    );
    let active: BTreeSet<String> = rules.rules.iter().map(|r| r.meta.id.clone()).collect();
    let mut findings = suppress::apply(
        findings,
        &sources,
        &suppress::SuppressOptions {
            config: &opts.config,
            baseline: opts.baseline.as_ref(),
            active_rules: &active,
        },
        &directives,
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
    times.mark("suppress+sort");
    let summary = Summary {
        files_scanned,
        resources: total.resources,
        findings: findings.iter().filter(|f| f.suppression.is_none()).count(),
        suppressed: findings.iter().filter(|f| f.suppression.is_some()).count(),
        parse_errors: errors.len(),
        excluded: excluded_files,
        unchecked,
        duration_ms: elapsed_ms(started),
    };
    // Reports show the files with findings or located errors, secrets masked.
    let sources = crate::finding::report_sources(&findings, &errors, &sources);
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

/// Keeps the largest `(size, name)` seen (ties: the first name in order).
fn keep_largest<N: Ord + Copy>(slot: &std::sync::Mutex<Option<(N, String)>>, size: N, name: &str) {
    let mut slot = slot
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let bigger = slot
        .as_ref()
        .is_none_or(|(n, s)| size > *n || (size == *n && name < s.as_str()));
    if bigger {
        *slot = Some((size, name.to_owned()));
    }
}

impl PerFile {
    /// Whether the file left nothing beside its batch.
    fn is_empty(&self) -> bool {
        self.error.is_none()
            && self.directives.is_empty()
            && self.census.is_empty()
            && !self.across_subjects
            // Destructured: a field added to `Modelled` must be considered here.
            && self.modelled.as_ref().is_none_or(|m| {
                let Modelled {
                    resources,
                    errors,
                    notices,
                    duplicate_keys,
                } = m;
                resources.is_empty()
                    && errors.is_empty()
                    && notices.is_empty()
                    && duplicate_keys.is_empty()
            })
    }
}

/// One file's work in the per-file stage.
struct PerFile {
    /// The file's size, when it was read.
    bytes: Option<u64>,
    /// `None` when the file could not be read.
    modelled: Option<Modelled>,
    error: Option<FileError>,
    batch: Batch,
    directives: Vec<suppress::Directive>,
    /// Stand-ins for the file's workloads in the cross-file index.
    census: Vec<Resource>,
    /// Whether the cross-file batch reads the file again for its subjects.
    across_subjects: bool,
    /// Whether its text stays held after this stage.
    text_held: bool,
}

/// Reads, models and checks one file: its own resources now, its Kubernetes objects and
/// workflows now with the local rules and later with the cross-file ones (looked-up
/// objects kept whole in `modelled.resources`, the file remembered for its other
/// subjects, see `across`). Its text is released unless
/// a later stage needs it (a finding or an error to show, or a Terraform file that a plan
/// maps onto); it is read again if a Kubernetes finding lands in it.
#[allow(clippy::too_many_arguments)]
fn per_file(
    sources: &SourceMap,
    id: FileId,
    kind: Option<FileKind>,
    tf_files: &[Arc<SourceText>],
    patches: &BTreeSet<String>,
    rendered: &Rendered,
    rules: &RuleSet,
    eval: &EvalOptions,
    clock: &StageClock,
    budget: &Budget,
    inline: bool,
) -> PerFile {
    let skipped = PerFile {
        bytes: None,
        modelled: None,
        error: None,
        batch: Batch::default(),
        directives: Vec::new(),
        census: Vec::new(),
        across_subjects: false,
        text_held: false,
    };
    if !budget.allows(sources.display_path(id).unwrap_or_default()) {
        return skipped;
    }
    let src = match read::read_file(sources, id, kind) {
        Ok(src) => src,
        // A Terraform file's read error was reported when the Terraform files were read.
        Err(error) => {
            return PerFile {
                error: error.filter(|_| kind != Some(FileKind::Terraform)),
                ..skipped
            };
        }
    };
    let bytes = src.text.len() as u64;
    let mut m =
        clock.time_model(|| across::model_file(&src, kind, tf_files, patches, rendered, false));
    // Kubernetes objects and workflows are checked here with the rules that read only
    // them; the rules that look across files (selectors, pins of the same action) see
    // them in the cross-file batch. Everything else only relates within its own file.
    let (later, own): (Vec<_>, Vec<_>) = std::mem::take(&mut m.resources)
        .into_iter()
        .partition(across::waits);
    let batch = clock.time_evaluate(|| {
        guarded_batch(&src.display_path, || {
            let mut batch = Batch::evaluate(rules, &own, sources, eval, Scope::All);
            batch.absorb(Batch::evaluate(rules, &later, sources, eval, Scope::Local));
            batch
        })
    });
    let workflows = later
        .iter()
        .any(|r| r.family == Family::Workflow && rules.reads(r));
    let kept = across::keep(rules, later);
    m.resources = kept.whole;
    let directives = if inline {
        suppress::directives(&src.text)
    } else {
        Vec::new()
    };
    // Workflows stay: the pin checks read every workflow's text.
    let keep = kind == Some(FileKind::Terraform)
        || workflows
        || !batch.findings.is_empty()
        || !m.duplicate_keys.is_empty()
        || m.errors.iter().any(|e| e.span.is_some());
    drop(src);
    if !keep {
        sources.release(id);
    }
    PerFile {
        bytes: Some(bytes),
        modelled: Some(m),
        error: None,
        batch,
        directives,
        census: kept.census,
        across_subjects: kept.subjects,
        text_held: keep,
    }
}
