//! The `helm:` and `kustomize:` sections of `.isolint.yaml`, validated like every other
//! key (an unknown key or a wrong type is an error at its line).

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::parse::node::{Node, Value};
use crate::source::Span;

/// How charts are rendered.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HelmConfig {
    /// The `helm` program (default: `helm` on PATH).
    pub binary: Option<PathBuf>,
    /// A chart left unrendered because `helm` is missing is an error, not a note.
    pub require: bool,
    /// Seconds one chart may take (default 60).
    pub timeout_secs: Option<u64>,
    /// Per chart directory (relative to the config file's directory, as scanned).
    pub charts: BTreeMap<String, ChartValues>,
}

/// Values for one chart, besides its own `values.yaml`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ChartValues {
    /// Values files, relative to the chart directory, in order.
    pub values: Vec<String>,
    /// `--set key=value` pairs, in order.
    pub set: Vec<(String, String)>,
    /// The release namespace (default `release-namespace`: not `default`, which the
    /// chart does not choose, `helm install -n` does).
    pub namespace: Option<String>,
}

/// How overlays are built.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KustomizeConfig {
    /// `kustomize` or `kubectl` (default: `kustomize` on PATH, else `kubectl kustomize`).
    pub binary: Option<PathBuf>,
    /// An overlay left unbuilt because no tool is installed is an error, not a note.
    pub require: bool,
    pub timeout_secs: Option<u64>,
}

type At<'a> = &'a mut dyn FnMut(Span, String);

pub(crate) fn helm(v: &Node, at: At<'_>) -> HelmConfig {
    let mut c = HelmConfig::default();
    if !is_map(v, "helm", at) {
        return c;
    }
    for e in v.entries() {
        let v = &e.value;
        match e.key.as_str() {
            "binary" => c.binary = string(v, "helm.binary", at).map(PathBuf::from),
            "require" => c.require = boolean(v, "helm.require", at),
            "timeout" => c.timeout_secs = seconds(v, "helm.timeout", at),
            "charts" => {
                if is_map(v, "helm.charts", at) {
                    for chart in v.entries() {
                        let values = chart_values(&chart.key, &chart.value, at);
                        let key = chart.key.trim_end_matches('/').to_owned();
                        c.charts.insert(key, values);
                    }
                }
            }
            other => at(
                e.key_span,
                format!(
                    "unknown key `{other}` in `helm` (known: binary, require, timeout, charts)"
                ),
            ),
        }
    }
    c
}

fn chart_values(chart: &str, v: &Node, at: At<'_>) -> ChartValues {
    let mut c = ChartValues::default();
    if !is_map(v, &format!("helm.charts.{chart}"), at) {
        return c;
    }
    for e in v.entries() {
        match e.key.as_str() {
            "values" => {
                if matches!(e.value.value, Value::List(_)) {
                    for item in e.value.items() {
                        c.values
                            .extend(string(item, "helm.charts.*.values entries", at));
                    }
                } else {
                    at(e.value.span, "`values` must be a list of file names".into());
                }
            }
            "set" => {
                if is_map(&e.value, "helm.charts.*.set", at) {
                    for s in e.value.entries() {
                        match scalar(&s.value) {
                            Some(text) => c.set.push((s.key.clone(), text)),
                            None => at(s.value.span, format!("`set.{}` must be a scalar", s.key)),
                        }
                    }
                }
            }
            "namespace" => c.namespace = string(&e.value, "helm.charts.*.namespace", at),
            other => at(
                e.key_span,
                format!("unknown key `{other}` in a chart (known: values, set, namespace)"),
            ),
        }
    }
    c
}

pub(crate) fn kustomize(v: &Node, at: At<'_>) -> KustomizeConfig {
    let mut c = KustomizeConfig::default();
    if !is_map(v, "kustomize", at) {
        return c;
    }
    for e in v.entries() {
        let v = &e.value;
        match e.key.as_str() {
            "binary" => c.binary = string(v, "kustomize.binary", at).map(PathBuf::from),
            "require" => c.require = boolean(v, "kustomize.require", at),
            "timeout" => c.timeout_secs = seconds(v, "kustomize.timeout", at),
            other => at(
                e.key_span,
                format!("unknown key `{other}` in `kustomize` (known: binary, require, timeout)"),
            ),
        }
    }
    c
}

fn is_map(v: &Node, what: &str, at: At<'_>) -> bool {
    let ok = matches!(v.value, Value::Map(_));
    if !ok {
        at(v.span, format!("`{what}` must be a mapping"));
    }
    ok
}

fn string(v: &Node, what: &str, at: At<'_>) -> Option<String> {
    let s = v.as_str().map(str::to_owned);
    if s.is_none() {
        at(v.span, format!("`{what}` must be a string"));
    }
    s
}

fn boolean(v: &Node, what: &str, at: At<'_>) -> bool {
    v.as_bool().unwrap_or_else(|| {
        at(v.span, format!("`{what}` must be true or false"));
        false
    })
}

/// `90`, `90s` or `2m`.
fn seconds(v: &Node, what: &str, at: At<'_>) -> Option<u64> {
    let text = scalar(v).unwrap_or_default();
    let (digits, unit) = match text.strip_suffix('m') {
        Some(d) => (d, 60),
        None => (text.strip_suffix('s').unwrap_or(&text), 1),
    };
    match digits.parse::<u64>() {
        Ok(n) if n > 0 => Some(n * unit),
        _ => {
            at(
                v.span,
                format!("`{what}` must be seconds (`90`, `90s`, `2m`)"),
            );
            None
        }
    }
}

fn scalar(v: &Node) -> Option<String> {
    match &v.value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}
