//! Reads rule packs (the embedded ones and `--rules DIR`), validates every field and
//! reports every problem with file, line and column before anything is scanned.

use std::collections::BTreeMap;
use std::path::{Path as FsPath, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;
use regex::Regex;

use super::compile::{Problems, compile};
use super::{Rule, RuleMeta, Severity};
use crate::controls::Catalogue;
use crate::error::Problem;
use crate::parse::node::{Node, Value};
use crate::parse::yaml::parse_yaml;
use crate::source::{FileId, SourceText};

/// One pack's text and where it came from.
pub struct PackSource {
    /// Shown in errors: `rules/terraform/aws/s3.yaml` or the user's path.
    pub path: PathBuf,
    /// `terraform/aws/s3`: the pack name, which fixtures mirror.
    pub pack: String,
    pub text: String,
}

include!(concat!(env!("OUT_DIR"), "/embedded_packs.rs"));

/// The packs compiled into the binary.
pub fn embedded() -> Vec<PackSource> {
    EMBEDDED_PACKS
        .iter()
        .map(|(rel, text)| PackSource {
            path: PathBuf::from("rules").join(rel),
            pack: rel.trim_end_matches(".yaml").to_owned(),
            text: (*text).to_owned(),
        })
        .collect()
}

/// The control catalogue's file name: data, not a pack.
const CATALOGUE_FILE: &str = "iso27002-2022.yaml";

/// Packs from a user's directory (every `.yaml`/`.yml` below it).
pub fn from_dir(dir: &FsPath) -> Result<Vec<PackSource>, Problem> {
    let problem = |message: String| Problem::in_file(dir, 1, 1, message);
    if !dir.is_dir() {
        return Err(problem("--rules expects a directory of rule packs".into()));
    }
    let mut packs = Vec::new();
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.map_err(|e| problem(e.to_string()))?;
        let path = entry.path();
        let is_yaml = path.extension().is_some_and(|e| e == "yaml" || e == "yml");
        // The control catalogue sits beside the packs in this repository's `rules/`.
        let is_catalogue = path.file_name().is_some_and(|n| n == CATALOGUE_FILE);
        if !entry.file_type().is_file() || !is_yaml || is_catalogue {
            continue;
        }
        let text = crate::source::read_capped(path, crate::source::MAX_RULE_PACK_BYTES)
            .map_err(|e| Problem::in_file(path, 1, 1, format!("cannot read rule pack: {e}")))?;
        let rel = path.strip_prefix(dir).unwrap_or(path);
        let pack = rel.with_extension("").to_string_lossy().replace('\\', "/");
        packs.push(PackSource {
            path: path.to_path_buf(),
            pack,
            text,
        });
    }
    Ok(packs)
}

const RULE_KEYS: &[&str] = &[
    "id",
    "name",
    "title",
    "severity",
    "controls",
    "resources",
    "when",
    "check",
    "message",
    "remediation",
    "description",
    "rationale",
    "references",
    "sensitive",
];
const REQUIRED: &[&str] = &[
    "id",
    "name",
    "title",
    "severity",
    "controls",
    "resources",
    "check",
    "message",
    "remediation",
];

/// Loads and compiles every pack; all problems are returned together.
pub fn load(packs: &[PackSource], catalogue: &Catalogue) -> Result<Vec<Rule>, Vec<Problem>> {
    let id_re = Regex::new(r"^[A-Z0-9]+(-[A-Z0-9]+)*-\d{3}$").expect("static regex");
    let name_re = Regex::new(r"^[a-z0-9]+(-[a-z0-9]+)*$").expect("static regex");
    let mut rules = Vec::new();
    let mut problems = Vec::new();
    let mut seen: BTreeMap<String, (PathBuf, usize)> = BTreeMap::new();
    // Parsing is most of start-up (900 rules in 1.2 MB of YAML): packs are parsed in
    // parallel, then read in order, so duplicate ids and problems come out the same.
    let parsed: Vec<_> = packs
        .par_iter()
        .map(|pack| {
            let src = SourceText::new(
                FileId(0),
                pack.path.display().to_string(),
                pack.path.clone(),
                Arc::from(pack.text.as_str()),
            );
            let docs = parse_yaml(&src);
            (src, docs)
        })
        .collect();
    for (pack, (src, docs)) in packs.iter().zip(parsed) {
        let mut p = Problems::new(&src);
        let docs = match docs {
            Ok(d) => d,
            Err(e) => {
                let span = e.span.unwrap_or(crate::span::Span::new(src.id, 0, 0));
                problems.push(Problem::at(
                    &src,
                    span,
                    format!("not valid YAML: {}", e.message),
                ));
                continue;
            }
        };
        let platform = platform_of(&pack.pack);
        for doc in &docs {
            let Some(list) = pack_rules(doc, &mut p) else {
                continue;
            };
            for node in list {
                // Duplicates are found even among rules with other problems.
                if let Some(id_node) = node.get("id")
                    && let Some(id) = id_node.as_str()
                {
                    let line = src.position(node.span.start as usize).line;
                    if let Some((file, first)) = seen.get(id) {
                        p.at(
                            id_node.span,
                            format!(
                                "duplicate rule id `{id}` (first defined at {}:{first})",
                                file.display()
                            ),
                        );
                        continue;
                    }
                    seen.insert(id.to_owned(), (pack.path.clone(), line));
                }
                if let Some(rule) =
                    rule_of(node, pack, &platform, catalogue, &id_re, &name_re, &mut p)
                {
                    rules.push(rule);
                }
            }
        }
        problems.extend(p.list);
    }
    if problems.is_empty() {
        Ok(rules)
    } else {
        Err(problems)
    }
}

/// A pack is a mapping with a `rules` list.
fn pack_rules<'n>(doc: &'n Node, p: &mut Problems<'_>) -> Option<&'n [Node]> {
    for e in doc.entries() {
        if e.key != "rules" {
            p.at(
                e.key_span,
                format!("unknown key `{}` in a rule pack (expected `rules`)", e.key),
            );
        }
    }
    match doc.get("rules") {
        Some(list) if matches!(list.value, Value::List(_)) => Some(list.items()),
        Some(other) => {
            p.at(other.span, "`rules` must be a list of rules");
            None
        }
        None => {
            p.at(doc.span, "a rule pack is a mapping with a `rules:` list");
            None
        }
    }
}

/// `terraform/aws/s3` → `terraform-aws`; `kubernetes/pod` → `kubernetes`.
fn platform_of(pack: &str) -> String {
    let parts: Vec<&str> = pack.split('/').collect();
    match parts.as_slice() {
        ["terraform", provider, _, ..] => format!("terraform-{provider}"),
        ["docker", "compose", ..] => "docker-compose".to_owned(),
        ["docker", "dockerfile", ..] => "dockerfile".to_owned(),
        [first, ..] => (*first).to_owned(),
        [] => String::new(),
    }
}

fn rule_of(
    node: &Node,
    pack: &PackSource,
    platform: &str,
    catalogue: &Catalogue,
    id_re: &Regex,
    name_re: &Regex,
    p: &mut Problems<'_>,
) -> Option<Rule> {
    if !matches!(node.value, Value::Map(_)) {
        p.at(node.span, "each rule must be a mapping");
        return None;
    }
    let before = p.list.len();
    for e in node.entries() {
        if !RULE_KEYS.contains(&e.key.as_str()) {
            p.at(
                e.key_span,
                format!(
                    "unknown key `{}` in rule (known: {})",
                    e.key,
                    RULE_KEYS.join(", ")
                ),
            );
        }
    }
    for key in REQUIRED {
        if node.get(key).is_none() {
            p.at(node.span, format!("rule is missing required key `{key}`"));
        }
    }
    let text = |key: &str, p: &mut Problems<'_>| -> String {
        match node.get(key) {
            Some(n) => match n.as_str() {
                Some(s) if !s.trim().is_empty() => s.trim().to_owned(),
                _ => {
                    p.at(n.span, format!("`{key}` must be a non-empty string"));
                    String::new()
                }
            },
            None => String::new(),
        }
    };
    let id = text("id", p);
    if !id.is_empty() && !id_re.is_match(&id) {
        p.at(
            node.get("id").map_or(node.span, |n| n.span),
            format!("rule id `{id}` must look like AWS-S3-001 (upper-case words, then 3 digits)"),
        );
    }
    let name = text("name", p);
    if !name.is_empty() && !name_re.is_match(&name) {
        p.at(
            node.get("name").map_or(node.span, |n| n.span),
            format!("rule name `{name}` must be kebab-case"),
        );
    }
    let severity_text = text("severity", p);
    let severity = Severity::parse(&severity_text);
    if severity.is_none() && !severity_text.is_empty() {
        p.at(
            node.get("severity").map_or(node.span, |n| n.span),
            format!("unknown severity `{severity_text}` (critical, high, medium, low, info)"),
        );
    }
    let controls = controls_of(node.get("controls"), catalogue, p);
    let resources = string_list(node.get("resources"), "resources", p);
    let references = string_list(node.get("references"), "references", p);
    let when = node.get("when").and_then(|n| compile(n, p));
    let check = node.get("check").and_then(|n| compile(n, p));
    let sensitive = match node.get("sensitive") {
        None => platform == "secrets",
        Some(n) => n.as_bool().unwrap_or_else(|| {
            p.at(n.span, "`sensitive` must be true or false");
            false
        }),
    };
    let meta = RuleMeta {
        id,
        name,
        title: text("title", p),
        severity: severity.unwrap_or(Severity::Info),
        controls,
        resources,
        message: text("message", p),
        remediation: text("remediation", p),
        description: text("description", p),
        rationale: text("rationale", p),
        references,
        sensitive,
        pack: pack.pack.clone(),
        platform: platform.to_owned(),
        source: pack.path.clone(),
        line: p.src.position(node.span.start as usize).line,
    };
    if p.list.len() > before {
        return None;
    }
    Some(Rule {
        meta: Arc::new(meta),
        when,
        check: check?,
    })
}

fn string_list(node: Option<&Node>, key: &str, p: &mut Problems<'_>) -> Vec<String> {
    let Some(node) = node else {
        return Vec::new();
    };
    if !matches!(node.value, Value::List(_)) {
        p.at(node.span, format!("`{key}` must be a list of strings"));
        return Vec::new();
    }
    node.items()
        .iter()
        .filter_map(|n| {
            let s = n.as_str();
            if s.is_none() {
                p.at(n.span, format!("`{key}` entries must be strings"));
            }
            s.map(str::to_owned)
        })
        .collect()
}

fn controls_of(node: Option<&Node>, catalogue: &Catalogue, p: &mut Problems<'_>) -> Vec<String> {
    let Some(node) = node else {
        return Vec::new();
    };
    if node.items().is_empty() {
        p.at(
            node.span,
            "`controls` must be a non-empty list of quoted control IDs like \"8.24\"",
        );
        return Vec::new();
    }
    let mut out = Vec::new();
    for item in node.items() {
        match &item.value {
            Value::String(id) => {
                if catalogue.get(id).is_none() {
                    p.at(
                        item.span,
                        format!("unknown ISO/IEC 27002:2022 control `{id}`"),
                    );
                }
                out.push(id.clone());
            }
            Value::Number(_) => {
                let written = &p.src.text[item.span.range()];
                p.at(
                    item.span,
                    format!(
                        "control {written} is a number in YAML (8.20 would read as 8.2): quote it as \"{written}\""
                    ),
                );
            }
            _ => p.at(
                item.span,
                "control IDs must be quoted strings like \"8.24\"",
            ),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::platform_of;

    #[test]
    fn platform_follows_pack_path() {
        assert_eq!(platform_of("terraform/aws/s3"), "terraform-aws");
        assert_eq!(platform_of("kubernetes/pod"), "kubernetes");
        assert_eq!(platform_of("github-actions/workflow"), "github-actions");
        assert_eq!(platform_of("docker/compose"), "docker-compose");
        assert_eq!(platform_of("docker/dockerfile"), "dockerfile");
    }
}
