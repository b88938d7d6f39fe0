//! SARIF 2.1.0 for GitHub code scanning and other SARIF viewers. Valid against the OASIS
//! schema; carries what GitHub reads (`rules[]` with descriptions, help, `helpUri`,
//! `properties.tags` and `security-severity`; results with precise regions and a
//! private `partialFingerprints` key) and the ISO/IEC 27002 controls as a taxonomy.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::{Report, Streamed, control_label};
use crate::controls::Catalogue;
use crate::finding::{Finding, SuppressionKind};
use crate::rules::{RuleMeta, Severity};

const SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";
const TAXONOMY: &str = "ISO/IEC 27002:2022";
const SRCROOT: &str = "%SRCROOT%";

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Log<'a, Results> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: Vec<Run<'a, Results>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a, Results> {
    tool: Tool<'a>,
    automation_details: AutomationDetails,
    #[serde(skip_serializing_if = "Option::is_none")]
    original_uri_base_ids: Option<serde_json::Value>,
    column_kind: &'static str,
    invocations: Vec<Invocation>,
    /// Written as they are produced (`Streamed`).
    results: Results,
    taxonomies: Vec<Taxonomy>,
}

#[derive(Serialize)]
struct Tool<'a> {
    driver: Driver<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver<'a> {
    name: &'static str,
    version: &'static str,
    semantic_version: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    information_uri: Option<&'static str>,
    rules: Vec<Rule<'a>>,
    supported_taxonomies: Vec<ComponentRef>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Rule<'a> {
    id: &'a str,
    name: &'a str,
    short_description: Text,
    full_description: Text,
    help: Help,
    #[serde(skip_serializing_if = "Option::is_none")]
    help_uri: Option<&'a str>,
    default_configuration: Configuration,
    relationships: Vec<Relationship>,
    properties: RuleProperties,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
struct Help {
    text: String,
    markdown: String,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct Relationship {
    target: TaxonRef,
    kinds: [&'static str; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TaxonRef {
    id: String,
    tool_component: ComponentRef,
}

#[derive(Serialize)]
struct ComponentRef {
    name: &'static str,
}

#[derive(Serialize)]
struct RuleProperties {
    tags: Vec<String>,
    precision: &'static str,
    #[serde(rename = "security-severity")]
    security_severity: &'static str,
}

#[derive(Serialize)]
struct AutomationDetails {
    id: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation {
    execution_successful: bool,
    tool_execution_notifications: Vec<Notification>,
}

#[derive(Serialize)]
struct Notification {
    level: &'static str,
    message: Text,
    descriptor: Descriptor,
    locations: Vec<Location>,
}

#[derive(Serialize)]
struct Descriptor {
    id: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'a str,
    rule_index: usize,
    level: &'static str,
    message: Text,
    locations: Vec<Location>,
    partial_fingerprints: Fingerprints,
    taxa: Vec<TaxonRef>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    suppressions: Vec<SarifSuppression<'a>>,
    properties: ResultProperties<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    physical_location: PhysicalLocation,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    logical_locations: Vec<LogicalLocation>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<Region>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    uri_base_id: Option<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: usize,
    start_column: usize,
    end_line: usize,
    end_column: usize,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LogicalLocation {
    fully_qualified_name: String,
    kind: &'static str,
}

#[derive(Serialize)]
struct Fingerprints {
    #[serde(rename = "isolint/v1")]
    isolint_v1: crate::finding::Fingerprint,
}

#[derive(Serialize)]
struct SarifSuppression<'a> {
    kind: &'static str,
    justification: &'a str,
}

#[derive(Serialize)]
struct ResultProperties<'a> {
    severity: &'static str,
    confidence: &'static str,
    controls: &'a [String],
    resource: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Taxonomy {
    name: &'static str,
    organization: &'static str,
    short_description: Text,
    taxa: Vec<Taxon>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Taxon {
    id: String,
    name: String,
    short_description: Text,
}

/// SARIF `level` for a severity (as the human output: error, warning, note).
pub fn level(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium | Severity::Low => "warning",
        Severity::Info => "note",
    }
}

/// GitHub's `security-severity` score: >9 critical, 7–8.9 high, 4–6.9 medium, <4 low.
pub fn security_severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info => "1.0",
    }
}

pub fn write(report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    let root = SrcRoot::of(report);
    // Rules that produced a result (suppressed ones included), in id order.
    let by_id: BTreeMap<&str, &RuleMeta> = report
        .findings
        .iter()
        .map(|f| (f.rule.id.as_str(), &*f.rule))
        .collect();
    let metas: Vec<&RuleMeta> = by_id.values().copied().collect();
    let index: BTreeMap<&str, usize> = by_id.keys().enumerate().map(|(i, id)| (*id, i)).collect();
    let rules = metas.iter().map(|m| rule(m)).collect();
    let results = Streamed(|| {
        report.findings.iter().map(|f| {
            let rule_index = index.get(f.rule.id.as_str()).copied().unwrap_or(0);
            result(report, f, rule_index, &root)
        })
    });
    let controls: BTreeSet<(u32, u32, &str)> = metas
        .iter()
        .flat_map(|m| &m.controls)
        .map(|c| {
            let (a, b) = crate::controls::sort_key(c);
            (a, b, c.as_str())
        })
        .collect();
    let catalogue = Catalogue::get_embedded();
    let taxa = controls
        .into_iter()
        .map(|(_, _, id)| {
            let title = catalogue.get(id).map_or("", |c| c.title.as_str());
            Taxon {
                id: id.to_owned(),
                name: title.to_owned(),
                short_description: Text {
                    text: format!("ISO/IEC 27002:2022 control {id}: {title}"),
                },
            }
        })
        .collect();
    let mut notifications: Vec<Notification> = report
        .errors
        .iter()
        .map(|e| {
            let pos = report.error_position(e);
            Notification {
                level: "error",
                message: Text {
                    text: format!("{}: {}", e.file, e.message),
                },
                descriptor: Descriptor {
                    id: format!("isolint/{}", e.kind.as_str()),
                },
                locations: vec![root.location(
                    &e.file,
                    Some(Region {
                        start_line: pos.line,
                        start_column: pos.column,
                        end_line: pos.line,
                        end_column: pos.column,
                    }),
                    None,
                )],
            }
        })
        .collect();
    notifications.extend(report.notices.iter().map(|n| {
        let region = n
            .span
            .and_then(|s| report.positions(s))
            .map(|(a, b)| Region {
                start_line: a.line,
                start_column: a.column,
                end_line: b.line,
                end_column: b.column,
            });
        Notification {
            level: "note",
            message: Text {
                text: format!("{}: {}", n.file, n.message),
            },
            descriptor: Descriptor {
                id: "isolint/notice".into(),
            },
            locations: vec![root.location(&n.file, region, None)],
        }
    }));
    let log = Log {
        schema: SCHEMA,
        version: "2.1.0",
        runs: vec![Run {
            tool: Tool {
                driver: Driver {
                    name: "isolint",
                    version: env!("CARGO_PKG_VERSION"),
                    semantic_version: env!("CARGO_PKG_VERSION"),
                    information_uri: information_uri(),
                    rules,
                    supported_taxonomies: vec![ComponentRef { name: TAXONOMY }],
                },
            },
            automation_details: AutomationDetails { id: "isolint/" },
            original_uri_base_ids: root.base_ids(),
            column_kind: "unicodeCodePoints",
            invocations: vec![Invocation {
                execution_successful: true,
                tool_execution_notifications: notifications,
            }],
            results,
            taxonomies: vec![Taxonomy {
                name: TAXONOMY,
                organization: "ISO/IEC",
                short_description: Text {
                    text: "Information security controls (control IDs and titles only)".into(),
                },
                taxa,
            }],
        }],
    };
    serde_json::to_writer_pretty(&mut *out, &log)?;
    writeln!(out)
}

fn information_uri() -> Option<&'static str> {
    [env!("CARGO_PKG_REPOSITORY"), env!("CARGO_PKG_HOMEPAGE")]
        .into_iter()
        .find(|u| !u.is_empty())
}

/// `%SRCROOT%`: the repository the scanned files belong to (the nearest directory with
/// `.git` above their common directory; that directory itself outside a repository).
/// Every file below it gets a URI relative to it, whatever the working directory and
/// however the paths were given, so code scanning maps results to the same files.
struct SrcRoot {
    root: Option<PathBuf>,
    cwd: PathBuf,
}

impl SrcRoot {
    fn of(report: &Report) -> SrcRoot {
        let cwd = std::env::current_dir().unwrap_or_default();
        let mut common: Option<PathBuf> = None;
        for (_, path) in report.sources.names() {
            let Ok(abs) = std::fs::canonicalize(cwd.join(path)) else {
                continue;
            };
            let dir = abs.parent().map(Path::to_path_buf).unwrap_or_default();
            common = Some(match common {
                None => dir,
                Some(c) => c
                    .components()
                    .zip(dir.components())
                    .take_while(|(a, b)| a == b)
                    .map(|(a, _)| a)
                    .collect(),
            });
        }
        let canon_cwd = std::fs::canonicalize(&cwd).unwrap_or_else(|_| cwd.clone());
        let root = common
            .map(|c| {
                c.ancestors()
                    .find(|d| d.join(".git").exists())
                    .map_or_else(|| c.clone(), Path::to_path_buf)
            })
            .or(Some(canon_cwd.clone()));
        SrcRoot {
            root,
            cwd: canon_cwd,
        }
    }

    fn base_ids(&self) -> Option<serde_json::Value> {
        let root = self.root.as_ref()?;
        let mut uri = file_uri(&root.to_string_lossy().replace('\\', "/"));
        if !uri.ends_with('/') {
            uri.push('/');
        }
        Some(serde_json::json!({ SRCROOT: { "uri": uri } }))
    }

    /// `file` (a display path: relative to the working directory, or absolute) relative
    /// to the root, or an absolute `file://` URI when it lies outside.
    fn location(&self, file: &str, region: Option<Region>, address: Option<&str>) -> Location {
        let abs = self.cwd.join(file);
        let abs = std::fs::canonicalize(&abs).unwrap_or(abs);
        let rel = self
            .root
            .as_ref()
            .and_then(|r| abs.strip_prefix(r).ok())
            .filter(|r| !r.as_os_str().is_empty())
            .map(|r| r.to_string_lossy().replace('\\', "/"));
        location(file, rel.as_deref(), region, address)
    }
}

fn rule(m: &RuleMeta) -> Rule<'_> {
    let catalogue = Catalogue::get_embedded();
    let mut tags = vec!["security".to_owned(), "iso27002".to_owned()];
    tags.extend(m.controls.iter().map(|c| format!("iso27002:{c}")));
    if !m.platform.is_empty() {
        tags.push(m.platform.clone());
    }
    // GitHub shows 10 tags and accepts 20.
    tags.truncate(10);
    let controls_text: Vec<String> = m.controls.iter().map(|c| control_label(c)).collect();
    let mut text = format!(
        "{}\n\nRemediation: {}\n\nISO/IEC 27002:2022: {}",
        m.description,
        m.remediation,
        controls_text.join("; ")
    );
    if !m.rationale.is_empty() {
        text.push_str(&format!("\n\nWhy it matters: {}", m.rationale));
    }
    let mut md = format!(
        "**{}** ({})\n\n{}\n\n**Remediation:** {}\n\n**ISO/IEC 27002:2022 controls**\n\n",
        md_escape(&m.title),
        m.severity.as_str(),
        md_escape(&m.description),
        md_escape(&m.remediation),
    );
    for c in &m.controls {
        let title = catalogue.get(c).map_or("", |c| c.title.as_str());
        md.push_str(&format!("- {c} {}\n", md_escape(title)));
    }
    if !m.rationale.is_empty() {
        md.push_str(&format!(
            "\n**Why it matters:** {}\n",
            md_escape(&m.rationale)
        ));
    }
    if !m.references.is_empty() {
        md.push_str("\n**References**\n\n");
        for r in &m.references {
            md.push_str(&format!("- <{r}>\n"));
        }
    }
    Rule {
        id: &m.id,
        name: &m.name,
        short_description: Text {
            text: m.title.clone(),
        },
        full_description: Text {
            text: if m.description.is_empty() {
                m.title.clone()
            } else {
                m.description.clone()
            },
        },
        help: Help { text, markdown: md },
        help_uri: m.references.first().map(String::as_str),
        default_configuration: Configuration {
            level: level(m.severity),
        },
        relationships: m
            .controls
            .iter()
            .map(|c| Relationship {
                target: taxon_ref(c),
                kinds: ["relevant"],
            })
            .collect(),
        properties: RuleProperties {
            tags,
            precision: "high",
            security_severity: security_severity(m.severity),
        },
    }
}

fn taxon_ref(id: &str) -> TaxonRef {
    TaxonRef {
        id: id.to_owned(),
        tool_component: ComponentRef { name: TAXONOMY },
    }
}

fn result<'a>(
    report: &Report,
    f: &'a Finding,
    rule_index: usize,
    root: &SrcRoot,
) -> SarifResult<'a> {
    let (start, end) = report.region(f.span);
    let primary = f.rule.controls.first().map(String::as_str).unwrap_or("");
    let text = if primary.is_empty() {
        f.message.clone()
    } else {
        format!("{} [ISO 27002 {}]", f.message, control_label(primary))
    };
    SarifResult {
        rule_id: &f.rule.id,
        rule_index,
        level: level(f.severity),
        message: Text { text },
        locations: vec![root.location(
            &f.file,
            Some(Region {
                start_line: start.line,
                start_column: start.column,
                end_line: end.line,
                end_column: end.column,
            }),
            Some(&f.address),
        )],
        partial_fingerprints: Fingerprints {
            isolint_v1: f.fingerprint,
        },
        taxa: f.rule.controls.iter().map(|c| taxon_ref(c)).collect(),
        suppressions: f
            .suppression
            .iter()
            .map(|s| SarifSuppression {
                kind: if s.kind == SuppressionKind::Inline {
                    "inSource"
                } else {
                    "external"
                },
                justification: &s.reason,
            })
            .collect(),
        properties: ResultProperties {
            severity: f.severity.as_str(),
            confidence: match f.confidence {
                crate::finding::Confidence::High => "high",
                crate::finding::Confidence::Low => "low",
            },
            controls: &f.rule.controls,
            resource: &f.address,
        },
    }
}

fn location(
    file: &str,
    below_root: Option<&str>,
    region: Option<Region>,
    address: Option<&str>,
) -> Location {
    Location {
        physical_location: PhysicalLocation {
            artifact_location: ArtifactLocation {
                uri: match below_root {
                    Some(rel) => percent_encode(rel),
                    None if file.starts_with('/') || file.as_bytes().get(1) == Some(&b':') => {
                        file_uri(file)
                    }
                    None => percent_encode(file),
                },
                uri_base_id: below_root.is_some().then_some(SRCROOT),
            },
            region,
        },
        logical_locations: address
            .filter(|a| !a.is_empty())
            .map(|a| LogicalLocation {
                fully_qualified_name: a.to_owned(),
                kind: "resource",
            })
            .into_iter()
            .collect(),
    }
}

fn file_uri(path: &str) -> String {
    let path = path.replace('\\', "/");
    if path.starts_with('/') {
        format!("file://{}", percent_encode(&path))
    } else {
        format!("file:///{}", percent_encode(&path))
    }
}

/// Percent-encodes everything but unreserved characters, `/` and `:` (RFC 3986).
fn percent_encode(path: &str) -> String {
    let mut s = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/:@!$&'()*+,;=".contains(&b) {
            s.push(b as char);
        } else {
            s.push_str(&format!("%{b:02X}"));
        }
    }
    s
}

fn md_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|' => {
                out.push('\\');
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_become_uris() {
        assert_eq!(percent_encode("infra/my file.tf"), "infra/my%20file.tf");
        assert_eq!(percent_encode("a/ç.tf"), "a/%C3%A7.tf");
        assert_eq!(file_uri("/tmp/x y"), "file:///tmp/x%20y");
        assert_eq!(file_uri("C:/x"), "file:///C:/x");
    }
}
