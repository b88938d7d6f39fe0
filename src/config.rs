//! `.isolint.yaml`: found upward from the scanned path (or given with `--config`).
//! Every key is checked; an unknown key or a wrong type is an error with file and line.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::error::{Fatal, Problem};
use crate::parse::node::{Node, Value};
use crate::parse::yaml::parse_yaml;
use crate::rules::Severity;
use crate::source::{FileId, SourceText};

pub const FILE_NAMES: &[&str] = &[".isolint.yaml", ".isolint.yml"];

/// A configured ignore: rules (ids, globs like `AWS-S3-*`, or control IDs) on paths
/// (globs), with the reason an auditor will read.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ConfigIgnore {
    pub rules: Vec<String>,
    pub paths: Vec<String>,
    pub reason: String,
    pub line: usize,
}

/// Where a `select`, `ignore` or `severity` entry was written, so that an entry matching
/// no rule is reported in place (a typo there silently turns checks off).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin {
    /// `select`, `ignore` or `severity`.
    pub key: &'static str,
    pub value: String,
    pub span: crate::source::Span,
}

/// `fail_on`: a severity, or `never` (findings never fail the run).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailThreshold {
    At(Severity),
    Never,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Config {
    /// Where it was read from (None: defaults).
    pub path: Option<PathBuf>,
    pub exclude: Vec<String>,
    /// Only these rules (ids, id globs, or control IDs); empty = all.
    pub select: Vec<String>,
    /// Never these rules (ids, id globs, or control IDs).
    pub ignore: Vec<String>,
    /// Findings to suppress with a reason (kept in reports as suppressed).
    pub suppress: Vec<ConfigIgnore>,
    pub severity: Vec<(String, Severity)>,
    pub fail_on: Option<FailThreshold>,
    /// Files that cannot be read or parsed fail the run too.
    pub fail_on_error: bool,
    /// `time_budget`: seconds the whole scan may take.
    pub time_budget: Option<u64>,
    /// Extra rule pack directories, relative to the config file.
    pub rules: Vec<PathBuf>,
    /// `helm:` — how charts are rendered.
    pub helm: crate::render::config::HelmConfig,
    /// `kustomize:` — how overlays are built.
    pub kustomize: crate::render::config::KustomizeConfig,
    /// The text it was read from, to show problems found after parsing in place.
    pub text: Option<Arc<str>>,
    /// Where each `select`, `ignore` and `severity` entry is.
    pub origins: Vec<Origin>,
}

const KEYS: &[&str] = &[
    "exclude",
    "select",
    "ignore",
    "suppress",
    "severity",
    "fail_on",
    "fail_on_error",
    "time_budget",
    "rules",
    "helm",
    "kustomize",
];

impl Config {
    /// A problem with this configuration (or with a value given for it), as a fatal
    /// configuration error naming its file.
    pub fn problem(&self, message: String) -> Fatal {
        Fatal::Config(vec![Problem::in_file(
            self.path.clone().unwrap_or_default(),
            1,
            1,
            message,
        )])
    }

    /// A problem with one entry, shown in place.
    pub fn problem_at(&self, origin: &Origin, message: String) -> Problem {
        let path = self.path.clone().unwrap_or_default();
        match &self.text {
            Some(text) => {
                let src =
                    SourceText::new(FileId(0), path.display().to_string(), path, text.clone());
                Problem::at(&src, origin.span, message)
            }
            None => Problem::in_file(path, 1, 1, message),
        }
    }

    /// The first config file in `start` or any parent directory.
    pub fn find(start: &Path) -> Option<PathBuf> {
        let start = std::fs::canonicalize(start).ok()?;
        let mut dir = if start.is_dir() {
            Some(start.as_path())
        } else {
            start.parent()
        };
        while let Some(d) = dir {
            for name in FILE_NAMES {
                let candidate = d.join(name);
                if candidate.is_file() {
                    return Some(candidate);
                }
            }
            dir = d.parent();
        }
        None
    }

    pub fn load(path: &Path) -> Result<Config, Fatal> {
        let text =
            crate::source::read_capped(path, crate::source::MAX_CONFIG_BYTES).map_err(|e| {
                Fatal::Io {
                    context: format!("cannot read config {}", path.display()),
                    source: e,
                }
            })?;
        Config::parse(path, &text)
    }

    pub fn parse(path: &Path, text: &str) -> Result<Config, Fatal> {
        let src = SourceText::new(
            FileId(0),
            path.display().to_string(),
            path.to_path_buf(),
            Arc::from(text),
        );
        let mut problems = Vec::new();
        let mut at = |node_span: crate::source::Span, message: String| {
            problems.push(Problem::at(&src, node_span, message));
        };
        let docs = match parse_yaml(&src) {
            Ok(d) => d,
            Err(e) => {
                at(
                    e.span.unwrap_or_default(),
                    format!("not valid YAML: {}", e.message),
                );
                return Err(Fatal::Config(problems));
            }
        };
        let mut config = Config {
            path: Some(path.to_path_buf()),
            text: Some(src.text.clone()),
            ..Config::default()
        };
        let Some(root) = docs.first() else {
            return Ok(config);
        };
        if !matches!(root.value, Value::Map(_)) {
            at(
                root.span,
                "the configuration must be a mapping of settings".into(),
            );
            return Err(Fatal::Config(problems));
        }
        for e in root.entries() {
            let v = &e.value;
            match e.key.as_str() {
                "exclude" => config.exclude = strings(v, "exclude", &mut at),
                "select" => {
                    config.select = strings(v, "select", &mut at);
                    config.origins.extend(origins("select", v));
                }
                "ignore" => {
                    config.ignore = strings(v, "ignore", &mut at);
                    config.origins.extend(origins("ignore", v));
                }
                "rules" => {
                    let base = path.parent().unwrap_or(Path::new("."));
                    config.rules = strings(v, "rules", &mut at)
                        .into_iter()
                        .map(|r| base.join(r))
                        .collect();
                }
                "fail_on" => match v.as_str() {
                    Some(s) if s.eq_ignore_ascii_case("never") => {
                        config.fail_on = Some(FailThreshold::Never);
                    }
                    Some(s) if Severity::parse(s).is_some() => {
                        config.fail_on = Severity::parse(s).map(FailThreshold::At);
                    }
                    _ => at(
                        v.span,
                        "`fail_on` must be one of critical, high, medium, low, info, never".into(),
                    ),
                },
                "fail_on_error" => match v.as_bool() {
                    Some(b) => config.fail_on_error = b,
                    None => at(v.span, "`fail_on_error` must be true or false".into()),
                },
                "time_budget" => match v.as_f64() {
                    Some(n) if n >= 1.0 && n.fract() == 0.0 && n <= 1e9 => {
                        config.time_budget = Some(n as u64);
                    }
                    _ => at(
                        v.span,
                        "`time_budget` must be a whole number of seconds, at least 1".into(),
                    ),
                },
                "severity" => {
                    if !matches!(v.value, Value::Map(_)) {
                        at(
                            v.span,
                            "`severity` maps rule ids to severities, e.g. `AWS-S3-005: low`".into(),
                        );
                    }
                    for s in v.entries() {
                        match s.value.as_str().and_then(Severity::parse) {
                            Some(sev) => {
                                config.severity.push((s.key.clone(), sev));
                                config.origins.push(Origin {
                                    key: "severity",
                                    value: s.key.clone(),
                                    span: s.key_span,
                                });
                            }
                            None => at(
                                s.value.span,
                                format!(
                                    "`{}`: severity must be one of critical, high, medium, low, info",
                                    s.key
                                ),
                            ),
                        }
                    }
                }
                "suppress" => config.suppress = suppressions(v, &src, &mut at),
                "helm" => config.helm = crate::render::config::helm(v, &mut at),
                "kustomize" => config.kustomize = crate::render::config::kustomize(v, &mut at),
                other => at(
                    e.key_span,
                    format!("unknown key `{other}` (known: {})", KEYS.join(", ")),
                ),
            }
        }
        if problems.is_empty() {
            Ok(config)
        } else {
            Err(Fatal::Config(problems))
        }
    }
}

fn origins<'a>(key: &'static str, v: &'a Node) -> impl Iterator<Item = Origin> + 'a {
    v.items().iter().filter_map(move |i| match &i.value {
        Value::String(s) => Some(Origin {
            key,
            value: s.clone(),
            span: i.span,
        }),
        _ => None,
    })
}

fn strings(v: &Node, key: &str, at: &mut impl FnMut(crate::source::Span, String)) -> Vec<String> {
    if !matches!(v.value, Value::List(_)) {
        at(v.span, format!("`{key}` must be a list of strings"));
        return Vec::new();
    }
    v.items()
        .iter()
        .filter_map(|i| match &i.value {
            Value::String(s) => Some(s.clone()),
            Value::Number(_) => {
                at(
                    i.span,
                    format!(
                        "`{key}`: quote control IDs (\"8.20\"), YAML reads 8.20 as the number 8.2"
                    ),
                );
                None
            }
            _ => {
                at(i.span, format!("`{key}` entries must be strings"));
                None
            }
        })
        .collect()
}

fn suppressions(
    v: &Node,
    src: &SourceText,
    at: &mut impl FnMut(crate::source::Span, String),
) -> Vec<ConfigIgnore> {
    if !matches!(v.value, Value::List(_)) {
        at(
            v.span,
            "`suppress` must be a list of {rules, paths, reason}".into(),
        );
        return Vec::new();
    }
    let mut out = Vec::new();
    for item in v.items() {
        let mut s = ConfigIgnore {
            line: src.position(item.span.start as usize).line,
            ..ConfigIgnore::default()
        };
        for e in item.entries() {
            match e.key.as_str() {
                "rules" => s.rules = strings(&e.value, "rules", at),
                "paths" => s.paths = strings(&e.value, "paths", at),
                "reason" => s.reason = e.value.as_str().unwrap_or_default().trim().to_owned(),
                other => at(
                    e.key_span,
                    format!("unknown key `{other}` in `suppress` (known: rules, paths, reason)"),
                ),
            }
        }
        if s.reason.is_empty() {
            at(
                item.span,
                "every `suppress` entry needs a `reason` (it is shown to auditors)".into(),
            );
        }
        if s.rules.is_empty() && s.paths.is_empty() {
            at(
                item.span,
                "a `suppress` entry needs `rules`, `paths` or both".into(),
            );
        }
        out.push(s);
    }
    out
}
