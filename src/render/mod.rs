//! What the cluster will receive: Helm charts and Kustomize overlays are rendered by the
//! real tools where installed (offline, in parallel, each with a time limit), their
//! objects join the Kubernetes model, and findings on them are mapped back to the
//! template, base or patch line that produced them. Patch files (partial objects) are
//! never checked as if they were complete.

pub mod config;
mod helm;
mod kustomize;
mod locate;
pub(crate) mod patches;
pub(crate) mod process;

use std::collections::{BTreeSet, HashMap};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use rayon::prelude::*;

use self::locate::Candidate;
use crate::config::Config;
use crate::error::{FileError, FileErrorKind, Notice};
use crate::finding::Finding;
use crate::model::{Family, Modelled, Resource};
use crate::source::{FileId, SourceMap, SourceText, Span};

const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// Patch files keep their text resource (secrets) but lose their Kubernetes objects.
pub(crate) fn drop_patch_objects(display_path: &str, patches: &BTreeSet<String>, m: &mut Modelled) {
    if patches.contains(display_path) {
        m.resources.retain(|r| r.family != Family::Kubernetes);
    }
}

/// What to render and how.
pub struct RenderOptions {
    /// `--no-render` turns rendering off (patch files are still left out).
    pub enabled: bool,
    /// A chart or overlay left unrendered for want of a tool is an error (`--strict`).
    pub strict: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tool {
    Helm,
    Kustomize,
}

impl Tool {
    fn enable_hint(self) -> &'static str {
        match self {
            Tool::Helm => {
                "install `helm` (or set `helm.binary` in .isolint.yaml) to check what it renders"
            }
            Tool::Kustomize => {
                "install `kustomize` or `kubectl` (or set `kustomize.binary` in .isolint.yaml) to check what it builds"
            }
        }
    }
}

/// One rendering to run.
struct Job {
    /// `chart `x`` / `overlay `y``.
    what: String,
    /// The Chart.yaml or kustomization findings fall back to.
    anchor: Arc<SourceText>,
    program: PathBuf,
    args: Vec<String>,
    cwd: PathBuf,
    /// How the finding says it was rendered.
    note: String,
    /// Display-path prefixes (ending in `/`) or exact paths whose objects this rendering
    /// checks instead.
    consumes: Vec<String>,
    kind: Tool,
    /// Directories (and how deep) that must hold no symbolic link.
    link_checked: Vec<(PathBuf, usize)>,
}

/// Why a job gave no output.
#[derive(Debug)]
enum Outcome {
    Note(String),
    Error(String),
    Missing(String),
}

/// One rendered document and where its text may have come from.
#[derive(Debug)]
struct RenderedDoc {
    range: Range<usize>,
    candidates: Vec<Candidate>,
    fallback: Option<(Arc<SourceText>, Span)>,
}

/// One successful rendering.
struct Origin {
    anchor: Arc<SourceText>,
    note: String,
    docs: Vec<RenderedDoc>,
}

/// Everything rendering produced.
#[derive(Default)]
pub(crate) struct Rendered {
    /// The rendered outputs, with ids following the scanned files'.
    pub sources: Vec<Arc<SourceText>>,
    /// Their Kubernetes objects.
    pub resources: Vec<Resource>,
    pub errors: Vec<FileError>,
    pub notices: Vec<Notice>,
    /// Files whose objects are checked through a rendering (not again on their own).
    consumed: Vec<String>,
    /// Chart template directories (their per-file "skipped" notes are replaced by the
    /// chart's own).
    chart_templates: Vec<String>,
    origins: HashMap<FileId, Origin>,
}

impl Rendered {
    /// Whether `path`'s objects are checked through a rendering.
    pub(crate) fn consumes(&self, path: &str) -> bool {
        covers(&self.consumed, path)
    }

    /// Drops the notes and objects a rendering replaces.
    pub(crate) fn settle(&self, path: &str, m: &mut Modelled) {
        if self.consumes(path) {
            m.resources.retain(|r| r.family != Family::Kubernetes);
        }
        if covers(&self.chart_templates, path) {
            m.notices.clear();
        }
    }

    /// Findings on rendered text, pointed at the file and line that produced them.
    pub(crate) fn remap(&self, findings: Vec<Finding>) -> Vec<Finding> {
        findings.into_iter().map(|f| self.remap_one(f)).collect()
    }

    fn remap_one(&self, mut f: Finding) -> Finding {
        let Some(origin) = self.origins.get(&f.span.file) else {
            return f;
        };
        let Some(rendered) = self.sources.iter().find(|s| s.id == f.span.file) else {
            return f;
        };
        let at = f.span.start as usize;
        let doc = origin.docs.iter().find(|d| d.range.contains(&at));
        let header = f.span == f.header;
        let located = doc.and_then(|d| {
            let exact = (!header)
                .then(|| locate::locate(&rendered.text, d.range.clone(), at, &d.candidates))
                .flatten();
            exact.or_else(|| d.fallback.clone())
        });
        let (src, span) = located.unwrap_or_else(|| {
            let a = &origin.anchor;
            (a.clone(), a.first_line(Span::new(a.id, 0, 0)))
        });
        let object = doc
            .and_then(|d| d.fallback.as_ref())
            .map_or(span, |(_, s)| *s);
        f.file = src.display_path.clone();
        f.span = span;
        f.header = if object.file == span.file {
            object
        } else {
            span
        };
        f.message = format!("{} ({})", f.message, origin.note);
        f.fingerprint =
            crate::finding::fingerprint(&f.rule.id, &src, &f.address, span, f.rule.sensitive);
        f
    }
}

fn covers(list: &[String], path: &str) -> bool {
    list.iter()
        .any(|c| path == c || (c.ends_with('/') && path.starts_with(c.as_str())) || c.is_empty())
}

/// The directory part of a display path (`""` for the working directory).
fn dir_of(display_path: &str) -> &str {
    display_path.rsplit_once('/').map_or("", |(d, _)| d)
}

/// `name` on PATH, as a path.
fn on_path(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join(name))
            .find(|p| p.is_file())
    })
}

/// The first symbolic link in `dir` (to `depth` levels below it): a renderer follows
/// links, so a chart or overlay from the scanned repository could read files outside it
/// into its output. Such a chart or overlay is not rendered.
fn symlink_in(dir: &Path, depth: usize) -> Option<PathBuf> {
    let mut stack = vec![(dir.to_path_buf(), 0)];
    let mut seen = 0;
    while let Some((d, level)) = stack.pop() {
        for entry in std::fs::read_dir(&d).ok()?.flatten() {
            seen += 1;
            if seen > 20_000 {
                return None;
            }
            let Ok(ft) = entry.file_type() else { continue };
            if ft.is_symlink() {
                return Some(entry.path());
            }
            if ft.is_dir() && level < depth && entry.file_name() != ".git" {
                stack.push((entry.path(), level + 1));
            }
        }
    }
    None
}

/// The program to run: the configured one, else `default` on PATH.
fn program(configured: Option<&PathBuf>, default: &str) -> Option<PathBuf> {
    match configured {
        Some(p) if p.components().count() > 1 => p.is_file().then(|| p.clone()),
        Some(p) => on_path(&p.to_string_lossy()),
        None => on_path(default),
    }
}

/// Renders every chart and top-level overlay among `files`.
pub(crate) fn render(
    sources: &SourceMap,
    config: &Config,
    opts: &RenderOptions,
    first_id: FileId,
) -> Rendered {
    let mut out = Rendered::default();
    if !opts.enabled {
        return out;
    }
    // The charts' and overlays' own files are read now, the files they name on demand.
    let files: Vec<Arc<SourceText>> = sources
        .names()
        .filter(|(name, _)| {
            name.rsplit('/').next() == Some("Chart.yaml") || patches::is_kustomization(name)
        })
        .filter_map(|(name, _)| sources.get(sources.find(name)?))
        .collect();
    let files = &files[..];
    let by_path = |p: &str| sources.get(sources.find(p)?);
    let charts = helm::charts(files);
    out.chart_templates = charts
        .iter()
        .flat_map(|(dir, _)| ["templates/", "charts/"].map(|sub| format!("{}{sub}", prefix(dir))))
        .collect();
    let helm_program = program(config.helm.binary.as_ref(), "helm");
    let mut jobs: Vec<(Job, Mapper<'_>)> = Vec::new();
    for (dir, chart) in &charts {
        let p = helm_program.clone().unwrap_or_else(|| "helm".into());
        let dir2 = dir.clone();
        let by = &by_path;
        jobs.push((
            helm::job(dir, chart, &config.helm, &p),
            Box::new(move |text| helm::documents(text, &dir2, by)),
        ));
    }
    let known: BTreeSet<&str> = if files.is_empty() {
        BTreeSet::new()
    } else {
        sources.names().map(|(name, _)| name).collect()
    };
    let kusts = kustomize::kustomizations(files, &known);
    let (kprogram, ksub) = kustomize_program(config);
    let mut remote = Vec::new();
    for top in kustomize::top_level(&kusts) {
        let chain = kustomize::chain(top, &kusts);
        if let Some(r) = chain.iter().find_map(|k| k.remote.as_ref()) {
            remote.push((top.src.clone(), r.clone()));
            continue;
        }
        let objects = kustomize::objects(&chain, &by_path);
        let consumes = chain
            .iter()
            .flat_map(|k| k.files.iter().chain(&k.patches).cloned())
            .collect();
        let program = kprogram.clone().unwrap_or_else(|| "kustomize".into());
        let mut args: Vec<String> = ksub.iter().map(|s| (*s).to_owned()).collect();
        args.push(".".into());
        jobs.push((
            Job {
                what: format!("overlay `{}`", helm::display_dir(&top.dir)),
                anchor: top.src.clone(),
                program,
                args,
                cwd: top
                    .src
                    .path
                    .parent()
                    .unwrap_or(Path::new("."))
                    .to_path_buf(),
                note: format!("in the build of `{}`", helm::display_dir(&top.dir)),
                consumes,
                kind: Tool::Kustomize,
                link_checked: chain
                    .iter()
                    .filter_map(|k| k.src.path.parent().map(|p| (p.to_path_buf(), 0)))
                    .collect(),
            },
            Box::new(move |text| kustomize::documents(text, &objects)),
        ));
    }
    for (src, r) in remote {
        out.notices.push(Notice {
            file: src.display_path.to_string(),
            span: None,
            message: format!(
                "overlay not built: it names `{r}`, which kustomize would fetch, and isolint never fetches"
            ),
        });
    }
    let available = |t: Tool| match t {
        Tool::Helm => helm_program.is_some(),
        Tool::Kustomize => kprogram.is_some(),
    };
    let require = |t: Tool| {
        opts.strict
            || match t {
                Tool::Helm => config.helm.require,
                Tool::Kustomize => config.kustomize.require,
            }
    };
    let timeout = |t: Tool| {
        let secs = match t {
            Tool::Helm => config.helm.timeout_secs,
            Tool::Kustomize => config.kustomize.timeout_secs,
        };
        secs.map_or(DEFAULT_TIMEOUT, Duration::from_secs)
    };
    let results: Vec<_> = jobs
        .par_iter()
        .map(|(job, _)| {
            let linked = job.link_checked.iter().find_map(|(d, depth)| symlink_in(d, *depth));
            if let Some(link) = linked {
                let shown = link.strip_prefix(&job.cwd).unwrap_or(&link).display().to_string();
                return Err(Outcome::Note(format!(
                    "not rendered: it holds the symbolic link `{}`, which the renderer would follow",
                    shown
                        .chars()
                        .map(|c| if c.is_control() { '?' } else { c })
                        .collect::<String>()
                )));
            }
            if !available(job.kind) {
                return Err(Outcome::Missing("not installed".into()));
            }
            let ran = process::run(&job.program, &job.args, &job.cwd, timeout(job.kind));
            match job.kind {
                Tool::Helm => helm::ran(ran),
                Tool::Kustomize => kustomize_ran(ran),
            }
        })
        .collect();
    let mut next = first_id.0;
    for ((job, mapper), result) in jobs.into_iter().zip(results) {
        let anchor = job.anchor.display_path.to_string();
        let problem = |msg: String, error: bool| -> (Option<FileError>, Option<Notice>) {
            let message = format!("{} {msg}", job.what);
            if error {
                let e = FileError {
                    file: anchor.clone(),
                    span: None,
                    kind: FileErrorKind::Render,
                    message,
                };
                (Some(e), None)
            } else {
                let n = Notice {
                    file: anchor.clone(),
                    span: None,
                    message,
                };
                (None, Some(n))
            }
        };
        let (e, n) = match result {
            Ok(text) => {
                let id = FileId(next);
                next += 1;
                let src = Arc::new(SourceText::new(
                    id,
                    format!("{anchor} (rendered)"),
                    job.anchor.path.clone(),
                    Arc::from(text),
                ));
                match crate::parse::yaml::parse_yaml(&src) {
                    Ok(docs) => {
                        out.resources
                            .extend(crate::model::kubernetes::kubernetes_resources(&src, docs));
                        out.consumed.extend(job.consumes.iter().cloned());
                        out.origins.insert(
                            id,
                            Origin {
                                anchor: job.anchor.clone(),
                                note: job.note.clone(),
                                docs: mapper(&src.text),
                            },
                        );
                        out.sources.push(src);
                        (None, None)
                    }
                    Err(e) => {
                        out.sources.push(src);
                        problem(format!("rendered to invalid YAML: {}", e.message), true)
                    }
                }
            }
            Err(Outcome::Note(m)) => problem(m, false),
            Err(Outcome::Error(m)) => problem(m, true),
            Err(Outcome::Missing(m)) => problem(
                format!(
                    "was not rendered (`{}`: {m}): {}",
                    job.program.display(),
                    job.kind.enable_hint()
                ),
                require(job.kind),
            ),
        };
        out.errors.extend(e);
        out.notices.extend(n);
    }
    out
}

/// A scanned file's text by display path, read when first asked for.
pub(super) type ByPath<'a> = dyn Fn(&str) -> Option<Arc<SourceText>> + Send + Sync + 'a;

type Mapper<'a> = Box<dyn Fn(&str) -> Vec<RenderedDoc> + Send + Sync + 'a>;

fn prefix(dir: &str) -> String {
    if dir.is_empty() {
        String::new()
    } else {
        format!("{dir}/")
    }
}

/// `kustomize build .` or `kubectl kustomize .`, whichever is configured or installed.
fn kustomize_program(config: &Config) -> (Option<PathBuf>, &'static [&'static str]) {
    let sub = |p: &Path| -> &'static [&'static str] {
        let name = p
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if name.starts_with("kubectl") {
            &["kustomize"]
        } else {
            &["build"]
        }
    };
    if let Some(p) = program(config.kustomize.binary.as_ref(), "kustomize") {
        let s = sub(&p);
        return (Some(p), s);
    }
    if config.kustomize.binary.is_none()
        && let Some(p) = on_path("kubectl")
    {
        return (Some(p), &["kustomize"]);
    }
    (None, &["build"])
}

fn kustomize_ran(r: process::Ran) -> Result<String, Outcome> {
    match r {
        process::Ran::Ok(out) => Ok(out),
        process::Ran::Failed(msg) => Err(Outcome::Error(format!("failed to build: {msg}"))),
        process::Ran::Missing(e) => Err(Outcome::Missing(e)),
        process::Ran::TimedOut => Err(Outcome::Error("timed out while building".into())),
    }
}
