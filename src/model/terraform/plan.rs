//! Terraform plan JSON (`terraform show -json plan.out`): the planned resources as
//! `Resource`s with fully known bodies, except values the plan marks `after_unknown`.
//! Where the configuration's `resource` block is among the scanned `.tf` files, findings
//! point at that block; otherwise at the resource's object in the plan.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::load::{Block, Item, load_hcl};
use super::modules::{is_local, normalize};
use crate::model::{Family, Resource};
use crate::parse::node::{Entry, Node, Value};
use crate::source::{SourceText, Span};

/// Deepest module nesting read from a plan.
const MAX_PLAN_DEPTH: usize = 64;

/// The planned resources of a plan document.
pub fn plan_resources(
    plan_src: &SourceText,
    doc: &Node,
    config_files: &[Arc<SourceText>],
) -> Vec<Resource> {
    let mut changes: HashMap<&str, &Node> = HashMap::new();
    for rc in doc.get("resource_changes").map_or(&[][..], Node::items) {
        if let Some(addr) = rc.get("address").and_then(Node::as_str) {
            changes.insert(addr, rc);
        }
    }
    let mut found: Vec<(&Node, Node)> = Vec::new();
    if let Some(root) = doc.get_path("planned_values.root_module") {
        walk(root, 0, &mut |r| {
            let mut body = r
                .get("values")
                .cloned()
                .unwrap_or_else(|| Node::new(Value::Map(Vec::new()), r.span));
            let addr = r.get("address").and_then(Node::as_str).unwrap_or("");
            if let Some(u) = changes
                .get(addr)
                .and_then(|c| c.get_path("change.after_unknown"))
            {
                overlay(&mut body, u, 0);
            }
            found.push((r, body));
        });
    } else {
        for rc in doc.get("resource_changes").map_or(&[][..], Node::items) {
            let Some(change) = rc.get("change") else {
                continue;
            };
            let deleted = change
                .get("actions")
                .is_some_and(|a| a.items().iter().all(|x| x.as_str() == Some("delete")));
            if deleted {
                continue;
            }
            let mut body = change
                .get("after")
                .filter(|a| !a.is_null())
                .cloned()
                .unwrap_or_else(|| Node::new(Value::Map(Vec::new()), rc.span));
            if let Some(u) = change.get("after_unknown") {
                overlay(&mut body, u, 0);
            }
            found.push((rc, body));
        }
    }
    let config = Config::new(plan_src, doc, config_files);
    found
        .into_iter()
        .filter_map(|(r, body)| resource(plan_src, r, body, &config))
        .collect()
}

fn walk<'a>(module: &'a Node, depth: usize, f: &mut impl FnMut(&'a Node)) {
    if depth > MAX_PLAN_DEPTH {
        return;
    }
    for r in module.get("resources").map_or(&[][..], Node::items) {
        f(r);
    }
    for child in module.get("child_modules").map_or(&[][..], Node::items) {
        walk(child, depth + 1, f);
    }
}

/// Marks the values `after_unknown` says are known only after apply.
fn overlay(values: &mut Node, unknown: &Node, depth: usize) {
    if depth > MAX_PLAN_DEPTH {
        return;
    }
    if unknown.as_bool() == Some(true) && matches!(unknown.value, Value::Bool(_)) {
        *values = Node::unknown("known after apply", Vec::new(), values.span);
        return;
    }
    match (&mut values.value, &unknown.value) {
        (Value::Map(entries), Value::Map(u)) => {
            for ue in u {
                if let Some(e) = entries.iter_mut().find(|e| e.key == ue.key) {
                    overlay(&mut e.value, &ue.value, depth + 1);
                } else if matches!(ue.value.value, Value::Bool(true)) {
                    entries.push(Entry {
                        key: ue.key.clone(),
                        key_span: ue.key_span,
                        value: Node::unknown("known after apply", Vec::new(), ue.value.span),
                    });
                }
            }
        }
        (Value::List(items), Value::List(u)) => {
            for (item, ui) in items.iter_mut().zip(u) {
                overlay(item, ui, depth + 1);
            }
        }
        _ => {}
    }
}

/// `module.a["x"].module.b[0].aws_s3_bucket.this[1]` → (`["a", "b"]`, `aws_s3_bucket`,
/// `this`), for data sources with `data.` kept out of the type.
fn split_address(addr: &str) -> (Vec<String>, String, String) {
    let mut parts: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut in_brackets = false;
    let mut in_quotes = false;
    for c in addr.chars() {
        match c {
            '"' if in_brackets => in_quotes = !in_quotes,
            '[' if !in_quotes => in_brackets = true,
            ']' if !in_quotes => in_brackets = false,
            '.' if !in_brackets => parts.push(std::mem::take(&mut cur)),
            _ if in_brackets => {}
            _ => cur.push(c),
        }
    }
    parts.push(cur);
    let mut modules = Vec::new();
    let mut i = 0;
    while i + 1 < parts.len() && parts[i] == "module" {
        modules.push(parts[i + 1].clone());
        i += 2;
    }
    if parts.get(i).map(String::as_str) == Some("data") {
        i += 1;
    }
    let ty = parts.get(i).cloned().unwrap_or_default();
    let name = parts.get(i + 1).cloned().unwrap_or_default();
    (modules, ty, name)
}

/// The configuration side: which directory each module path lives in, and the
/// `resource` / `data` blocks of the scanned `.tf` files.
struct Config<'a> {
    plan_dir: PathBuf,
    doc: &'a Node,
    blocks: Vec<(PathBuf, Arc<SourceText>, Block)>,
}

impl<'a> Config<'a> {
    fn new(plan_src: &SourceText, doc: &'a Node, files: &[Arc<SourceText>]) -> Self {
        let mut blocks = Vec::new();
        for f in files {
            if !f.display_path.ends_with(".tf") {
                continue;
            }
            let Ok(items) = load_hcl(f) else { continue };
            let dir = normalize(f.path.parent().unwrap_or(Path::new(".")));
            for item in items {
                if let Item::Block(b) = item
                    && (b.ident == "resource" || b.ident == "data")
                {
                    blocks.push((dir.clone(), f.clone(), b));
                }
            }
        }
        Config {
            plan_dir: normalize(plan_src.path.parent().unwrap_or(Path::new("."))),
            doc,
            blocks,
        }
    }

    /// The directory of a module path, following local `source`s from the plan's
    /// directory through `configuration.root_module.module_calls`.
    fn module_dir(&self, modules: &[String]) -> Option<PathBuf> {
        let mut dir = self.plan_dir.clone();
        let mut module = self.doc.get_path("configuration.root_module")?;
        for m in modules {
            let call = module.get("module_calls")?.get(m)?;
            let source = call.get("source")?.as_str()?;
            if !is_local(source) {
                return None;
            }
            dir = normalize(&dir.join(source));
            module = call.get("module")?;
        }
        Some(dir)
    }

    fn find(
        &self,
        ident: &str,
        modules: &[String],
        ty: &str,
        name: &str,
    ) -> Option<&(PathBuf, Arc<SourceText>, Block)> {
        let matches = |b: &Block| b.ident == ident && b.label(0) == ty && b.label(1) == name;
        if let Some(dir) = self.module_dir(modules)
            && let Some(hit) = self.blocks.iter().find(|(d, _, b)| *d == dir && matches(b))
        {
            return Some(hit);
        }
        let mut all = self.blocks.iter().filter(|(_, _, b)| matches(b));
        match (all.next(), all.next()) {
            (Some(only), None) => Some(only),
            _ => None,
        }
    }
}

fn resource(plan_src: &SourceText, r: &Node, body: Node, config: &Config<'_>) -> Option<Resource> {
    let address = r.get("address")?.as_str()?.to_owned();
    let ty = r.get("type")?.as_str()?.to_owned();
    let data = r.get("mode").and_then(Node::as_str) == Some("data");
    let kind = if data { format!("data.{ty}") } else { ty };
    let (modules, rtype, name) = split_address(&address);
    let module_addr = address
        .rfind(&format!(
            ".{}{rtype}.{name}",
            if data { "data." } else { "" }
        ))
        .map_or("", |i| &address[..i]);
    let group: Arc<str> = Arc::from(format!("tf:{}:{module_addr}", plan_src.display_path));
    let header = r
        .entry("address")
        .map_or(r.span, |e| e.key_span.join(e.value.span));
    let ident = if data { "data" } else { "resource" };
    let (span, header, body) = match config.find(ident, &modules, &rtype, &name) {
        Some((_, _, b)) => (b.span, b.header, point_into(body, b)),
        None => (r.span, header, body),
    };
    Some(Resource {
        kind,
        family: Family::Terraform,
        address,
        span,
        header,
        body: respan_root(body, r.span),
        group,
    })
}

/// A planned value found in the configuration points at the attribute (or nested block)
/// that set it, anything else at the block header: findings then land in the `.tf` file
/// a developer edits, not in the generated plan.
fn point_into(body: Node, block: &Block) -> Node {
    let Value::Map(entries) = body.value else {
        return body;
    };
    let entries = entries
        .into_iter()
        .map(|e| {
            let (key_span, span) = match block.attr(&e.key) {
                Some(a) => (a.key_span, a.span),
                None => {
                    let nested = block.items.iter().find_map(|i| match i {
                        Item::Block(b) if b.ident == e.key => Some(b.header),
                        _ => None,
                    });
                    let span = nested.unwrap_or(block.header);
                    (span, span)
                }
            };
            Entry {
                key: e.key,
                key_span,
                value: super::value::respanned(e.value, span),
            }
        })
        .collect();
    Node::new(Value::Map(entries), block.span)
}

/// The body keeps its plan spans; only a synthesised empty body gets the object's span.
fn respan_root(mut body: Node, span: Span) -> Node {
    if !matches!(body.value, Value::Map(_)) {
        body = Node::new(Value::Map(Vec::new()), span);
    }
    body
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_split_into_module_path_type_and_name() {
        let (m, t, n) = split_address("module.a[\"x.y\"].module.b[0].aws_s3_bucket.this[1]");
        assert_eq!(m, ["a", "b"]);
        assert_eq!((t.as_str(), n.as_str()), ("aws_s3_bucket", "this"));
        let (m, t, n) = split_address("data.aws_iam_policy_document.p");
        assert!(m.is_empty());
        assert_eq!((t.as_str(), n.as_str()), ("aws_iam_policy_document", "p"));
    }
}
