//! Helm charts: every directory with a `Chart.yaml` (not a dependency inside another
//! chart's `charts/`) is rendered with `helm template`, offline, with the chart's
//! default values plus the values files and `--set` pairs configured for it. Each
//! rendered object remembers its `# Source:` template so findings point there.

use std::path::Path;
use std::sync::Arc;

use super::config::{ChartValues, HelmConfig};
use super::locate::Candidate;
use super::process::Ran;
use super::{Job, Outcome, RenderedDoc};
use crate::source::SourceText;

/// The charts among the scanned files: `(chart directory display path, Chart.yaml)`.
pub(super) fn charts(files: &[Arc<SourceText>]) -> Vec<(String, Arc<SourceText>)> {
    let all: Vec<(String, Arc<SourceText>)> = files
        .iter()
        .filter(|s| s.display_path.rsplit('/').next() == Some("Chart.yaml"))
        .map(|s| (super::dir_of(&s.display_path).to_owned(), s.clone()))
        .collect();
    all.iter()
        .filter(|(dir, _)| {
            // A dependency unpacked in `<chart>/charts/<dep>` renders with its parent.
            !all.iter()
                .any(|(other, _)| dir.starts_with(&format!("{}charts/", prefix(other))))
        })
        .cloned()
        .collect()
}

/// `dir/` (or nothing for the working directory).
fn prefix(dir: &str) -> String {
    if dir.is_empty() {
        String::new()
    } else {
        format!("{dir}/")
    }
}

/// The values configured for the chart at `dir` (keys are chart directories as scanned;
/// a key may also name the chart by its trailing path).
pub(super) fn values_for<'c>(config: &'c HelmConfig, dir: &str) -> Option<&'c ChartValues> {
    config.charts.iter().find_map(|(k, v)| {
        let k = k.trim_start_matches("./");
        (dir == k || dir.ends_with(&format!("/{k}")) || (k == "." && dir.is_empty())).then_some(v)
    })
}

/// The job that renders one chart.
pub(super) fn job(
    dir: &str,
    chart_yaml: &Arc<SourceText>,
    config: &HelmConfig,
    program: &Path,
) -> Job {
    let values = values_for(config, dir).cloned().unwrap_or_default();
    let mut args = vec![
        "template".to_owned(),
        "isolint".to_owned(),
        ".".to_owned(),
        format!(
            "--namespace={}",
            values.namespace.as_deref().unwrap_or("release-namespace")
        ),
    ];
    args.extend(values.values.iter().map(|v| format!("--values={v}")));
    args.extend(values.set.iter().map(|(k, v)| format!("--set={k}={v}")));
    let cwd = chart_yaml
        .path
        .parent()
        .unwrap_or(Path::new("."))
        .to_path_buf();
    let mut with = vec!["the chart's default values".to_owned()];
    with.extend(values.values.iter().cloned());
    with.extend(values.set.iter().map(|(k, v)| format!("--set {k}={v}")));
    Job {
        what: format!("chart `{}`", display_dir(dir)),
        anchor: chart_yaml.clone(),
        program: program.to_path_buf(),
        args,
        link_checked: vec![(cwd.clone(), 16)],
        cwd,
        note: format!(
            "rendered by `helm template` from chart `{}` with {}",
            display_dir(dir),
            with.join(", ")
        ),
        consumes: vec![
            format!("{}templates/", prefix(dir)),
            format!("{}charts/", prefix(dir)),
        ],
        kind: super::Tool::Helm,
    }
}

pub(super) fn display_dir(dir: &str) -> &str {
    if dir.is_empty() { "." } else { dir }
}

/// A failed `helm template`: missing dependencies are a note (isolint never fetches
/// them), anything else an error with helm's message.
pub(super) fn failure(message: &str) -> Outcome {
    if message.contains("missing in charts/ directory")
        || message.contains("dependencies are missing")
    {
        Outcome::Note(format!(
            "not rendered: its dependencies are missing from `charts/` (`helm dependency build` fetches them; isolint never does): {}",
            message
                .find("missing in charts/")
                .map_or(message, |at| &message[at..])
                .trim()
        ))
    } else {
        // helm's first line says what failed; the rest is advice about `--debug`.
        let first = message.lines().next().unwrap_or(message);
        let first = first.strip_prefix("Error: ").unwrap_or(first);
        Outcome::Error(format!("failed to render: {first}"))
    }
}

/// Splits helm's output into documents, each with the template its `# Source:` names.
pub(super) fn documents(
    rendered: &str,
    dir: &str,
    by_path: &super::ByPath<'_>,
) -> Vec<RenderedDoc> {
    super::locate::documents(rendered)
        .into_iter()
        .map(|range| {
            let source = rendered[range.clone()]
                .lines()
                .find_map(|l| l.strip_prefix("# Source: "))
                .map(str::trim);
            // `<chart name>/templates/x.yaml`: the chart's name need not be its directory's.
            let template = source
                .and_then(|s| s.split_once('/'))
                .map(|(_, rel)| format!("{}{rel}", prefix(dir)))
                .and_then(|p| by_path(p.as_str()));
            let candidates = template
                .iter()
                .map(|t| Candidate {
                    src: t.clone(),
                    range: 0..t.text.len(),
                    patch: false,
                })
                .collect();
            RenderedDoc {
                range,
                fallback: template.map(|t| {
                    let span = super::locate::object_start(&t, 0..t.text.len());
                    (t, span)
                }),
                candidates,
            }
        })
        .collect()
}

pub(super) fn ran(r: Ran) -> Result<String, Outcome> {
    match r {
        Ran::Ok(out) => Ok(out),
        Ran::Failed(msg) => Err(failure(&msg)),
        Ran::Missing(e) => Err(Outcome::Missing(e)),
        Ran::TimedOut => Err(Outcome::Error("`helm template` timed out".into())),
    }
}
