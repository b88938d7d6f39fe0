//! Text for `isolint rules`, `isolint rule ID` and `isolint controls`: rule metadata and
//! the control catalogue rendered as text, Markdown or JSON.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::json;

use crate::cli::ListFormat;
use crate::controls::Catalogue;
use crate::rules::{RuleMeta, RuleSet};

/// The pack rules and the built-in rules about suppressions (ISOLINT-SUPPRESS-*), which
/// no pack declares but which report findings like any other.
/// They are built in, so `--no-builtin-rules` leaves them out.
fn all_metas(rules: &RuleSet, builtin: bool) -> Vec<&RuleMeta> {
    let mut metas: Vec<&RuleMeta> = rules.rules.iter().map(|r| r.meta.as_ref()).collect();
    if builtin {
        metas.extend(crate::suppress::meta_rules().iter().map(|m| m.as_ref()));
    }
    metas.sort_by(|a, b| a.id.cmp(&b.id));
    metas.dedup_by(|a, b| a.id == b.id);
    metas
}

pub(crate) fn rules_list(rules: &RuleSet, builtin: bool, format: ListFormat) -> String {
    let metas = all_metas(rules, builtin);
    match format {
        ListFormat::Json => {
            let v: Vec<_> = metas.iter().map(|m| rule_json(m)).collect();
            format!("{}\n", serde_json::to_string_pretty(&v).unwrap_or_default())
        }
        ListFormat::Markdown => {
            let mut s = String::from("| id | severity | controls | title |\n|---|---|---|---|\n");
            for m in metas {
                let _ = writeln!(
                    s,
                    "| {} | {} | {} | {} |",
                    m.id,
                    m.severity.as_str(),
                    m.controls.join(", "),
                    m.title
                );
            }
            s
        }
        ListFormat::Text => {
            // Columns as wide as their longest cell, so long ids do not push titles out.
            let id_w = metas.iter().map(|m| m.id.len()).max().unwrap_or(0).max(2);
            let ctl_w = metas
                .iter()
                .map(|m| m.controls.join(",").len())
                .max()
                .unwrap_or(0)
                .max(8);
            let mut s = format!(
                "{:<id_w$} {:<8} {:<ctl_w$} TITLE\n",
                "ID", "SEVERITY", "CONTROLS"
            );
            for m in &metas {
                let _ = writeln!(
                    s,
                    "{:<id_w$} {:<8} {:<ctl_w$} {}",
                    m.id,
                    m.severity.as_str(),
                    m.controls.join(","),
                    m.title
                );
            }
            let n = metas.len();
            let _ = writeln!(s, "{n} rule{}", if n == 1 { "" } else { "s" });
            s
        }
    }
}

fn rule_json(m: &RuleMeta) -> serde_json::Value {
    json!({
        "id": m.id, "name": m.name, "title": m.title, "severity": m.severity.as_str(),
        "controls": m.controls, "resources": m.resources, "platform": m.platform,
        "pack": m.pack, "description": m.description, "rationale": m.rationale,
        "remediation": m.remediation, "references": m.references,
    })
}

/// One rule explained, as Markdown (readable in a terminal too).
pub(crate) fn rule_page(m: &RuleMeta, format: ListFormat) -> String {
    if format == ListFormat::Json {
        return format!(
            "{}\n",
            serde_json::to_string_pretty(&rule_json(m)).unwrap_or_default()
        );
    }
    let catalogue = Catalogue::get_embedded();
    let mut s = String::new();
    let _ = writeln!(s, "# {} ({})\n\n{}\n", m.id, m.name, m.title);
    let _ = writeln!(
        s,
        "Severity: {}   Platform: {}   Applies to: {}\n",
        m.severity.as_str(),
        m.platform,
        m.resources.join(", ")
    );
    let _ = writeln!(s, "## ISO/IEC 27002:2022 controls\n");
    for id in &m.controls {
        let title = catalogue.get(id).map_or("", |c| c.title.as_str());
        let _ = writeln!(s, "- {id} {title}");
    }
    if !m.description.is_empty() {
        let _ = writeln!(s, "\n## What it checks\n\n{}", m.description);
    }
    if !m.rationale.is_empty() {
        let _ = writeln!(s, "\n## Why it matters\n\n{}", m.rationale);
    }
    let _ = writeln!(s, "\n## How to fix\n\n{}", m.remediation);
    if !m.references.is_empty() {
        let _ = writeln!(s, "\n## References\n");
        for r in &m.references {
            let _ = writeln!(s, "- {r}");
        }
    }
    s
}

pub(crate) fn controls_list(
    rules: &RuleSet,
    builtin: bool,
    format: ListFormat,
    all: bool,
) -> String {
    let catalogue = Catalogue::get_embedded();
    let mut per: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for m in all_metas(rules, builtin) {
        for c in &m.controls {
            per.entry(c.as_str()).or_default().push(&m.id);
        }
    }
    let shown: Vec<_> = catalogue
        .all()
        .iter()
        .filter(|c| all || c.observable != "none" || per.contains_key(c.id.as_str()))
        .collect();
    match format {
        ListFormat::Json => {
            let v: Vec<_> = shown
                .iter()
                .map(|c| json!({"id": c.id, "title": c.title, "theme": c.theme, "observable": c.observable,
                    "rules": per.get(c.id.as_str()).cloned().unwrap_or_default()}))
                .collect();
            format!("{}\n", serde_json::to_string_pretty(&v).unwrap_or_default())
        }
        ListFormat::Markdown => {
            let mut s =
                String::from("| control | title | observable | rules |\n|---|---|---|---|\n");
            for c in shown {
                let n = per.get(c.id.as_str()).map_or(0, Vec::len);
                let _ = writeln!(s, "| {} | {} | {} | {n} |", c.id, c.title, c.observable);
            }
            s
        }
        ListFormat::Text => {
            let mut s = format!(
                "{:<7} {:>5}  {:<10} TITLE\n",
                "CONTROL", "RULES", "OBSERVABLE"
            );
            for c in &shown {
                let n = per.get(c.id.as_str()).map_or(0, Vec::len);
                let _ = writeln!(s, "{:<7} {n:>5}  {:<10} {}", c.id, c.observable, c.title);
            }
            let covered = shown
                .iter()
                .filter(|c| per.contains_key(c.id.as_str()))
                .count();
            let _ = writeln!(
                s,
                "{covered} of {} controls shown are evidenced by at least one rule",
                shown.len()
            );
            s
        }
    }
}

/// `isolint resources`: every resource with its kind, address, location and body, as
/// JSON (unknown values print as `{"unknown": reason, "refs": [...]}`), sorted.
pub(crate) fn resources_json(collected: &crate::scan::Collected) -> String {
    let mut rows: Vec<serde_json::Value> = collected
        .resources
        .iter()
        .filter(|r| r.kind != "text_file")
        .map(|r| {
            let (file, line) = collected.sources.get(r.header.file).map_or_else(
                || (String::new(), 0),
                |s| {
                    (
                        s.display_path.to_string(),
                        s.position(r.header.start as usize).line,
                    )
                },
            );
            json!({"kind": r.kind, "address": r.address, "file": file, "line": line,
                   "group": &*r.group, "body": debug_value(&r.body)})
        })
        .collect();
    rows.sort_by(|a, b| {
        (
            a["file"].as_str(),
            a["line"].as_u64(),
            a["address"].as_str(),
        )
            .cmp(&(
                b["file"].as_str(),
                b["line"].as_u64(),
                b["address"].as_str(),
            ))
    });
    format!(
        "{}\n",
        serde_json::to_string_pretty(&rows).unwrap_or_default()
    )
}

fn debug_value(node: &crate::parse::node::Node) -> serde_json::Value {
    use crate::parse::node::Value;
    match &node.value {
        Value::Unknown(u) => json!({"unknown": u.reason, "refs": u.refs}),
        Value::List(items) => serde_json::Value::Array(items.iter().map(debug_value).collect()),
        Value::Map(entries) => serde_json::Value::Object(
            entries
                .iter()
                .map(|e| (e.key.clone(), debug_value(&e.value)))
                .collect(),
        ),
        _ => node.to_json(),
    }
}
