//! Module instances: a root directory with its variable files, and local module calls
//! followed recursively with their inputs bound, their own address prefix, cycles and
//! depth checked. Remote sources are noted and skipped.

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, LazyLock};

use super::blocks::{emit, instances};
use super::context::{FileNames, Scope, convert};
use super::eval::Ev;
use super::load::{Attr, Block, Dir, Expr, ExprKind, Item};
use crate::error::{FileError, FileErrorKind, Notice};
use crate::model::Resource;
use crate::parse::node::Node;

/// Deepest chain of module calls followed.
pub(super) const MAX_MODULE_DEPTH: usize = 16;

/// Most resources and module instances one root module may produce; beyond it the
/// evaluation of that root stops with a limit error.
pub(super) const MAX_INSTANCES: usize = 100_000;

/// Arguments of a module block that are not inputs.
const META: &[&str] = &[
    "source",
    "version",
    "count",
    "for_each",
    "providers",
    "depends_on",
];

#[derive(Default)]
pub(super) struct Out {
    pub resources: Vec<Resource>,
    pub errors: Vec<FileError>,
    pub notices: Vec<Notice>,
    /// Module instances evaluated so far.
    pub instances: usize,
    pub stopped: bool,
}

impl Out {
    /// Whether the root's budget is spent (recording the error once).
    fn over_budget(&mut self, file: String, span: Option<crate::source::Span>) -> bool {
        if self.stopped {
            return true;
        }
        if self.resources.len() + self.instances <= MAX_INSTANCES {
            return false;
        }
        self.stopped = true;
        self.errors.push(FileError {
            file,
            span,
            kind: FileErrorKind::Limit,
            message: format!(
                "more than {MAX_INSTANCES} resource and module instances; evaluation stopped"
            ),
        });
        true
    }
}

/// Everything an instance needs to find other directories.
pub(super) struct World<'a> {
    pub dirs: &'a [Dir],
    pub index: &'a HashMap<PathBuf, usize>,
    pub files: FileNames,
}

/// A literal local module source, in HCL (`source = "../m"`) or JSON (`"source": "./m"`).
/// Interpolated sources (`${…}`) are not literals and are left to the model's notice.
/// Matched on bytes (no UTF-8 pass over every file); the regex engine looks for the
/// literal `source` first, so files calling no module are rejected at memchr speed.
static LOCAL_SOURCE: LazyLock<regex::bytes::Regex> = LazyLock::new(|| {
    regex::bytes::Regex::new(
        r#"(?m)(?:^|[{,])[ \t]*(?:source[ \t]*=|"source"\s*:)\s*"(\.\.?(?:/[^"\\$\n]*)?)""#,
    )
    .expect("valid pattern")
});

/// The literal local module sources a Terraform file's text names: a prefilter (a match
/// outside a `module` block is possible); the full parse decides which calls are real.
pub(crate) fn local_source_literals(text: &[u8]) -> Vec<String> {
    LOCAL_SOURCE
        .captures_iter(text)
        .filter_map(|c| c.get(1))
        .filter_map(|m| std::str::from_utf8(m.as_bytes()).ok().map(str::to_owned))
        .collect()
}

/// Lexically normalised path: `a/./b/../c` is `a/c`.
pub(crate) fn normalize(path: &Path) -> PathBuf {
    let mut out: Vec<Component<'_>> = Vec::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => match out.last() {
                Some(Component::Normal(_)) => {
                    out.pop();
                }
                Some(Component::RootDir | Component::Prefix(_)) => {}
                _ => out.push(c),
            },
            other => out.push(other),
        }
    }
    let p: PathBuf = out.iter().collect();
    if p.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        p
    }
}

/// `path.module` of a child: the parent's joined with the source, as a `/` string.
fn join_display(parent: &str, source: &str) -> String {
    let joined = normalize(&Path::new(parent).join(source));
    joined.to_string_lossy().replace('\\', "/")
}

/// A module source written as a literal string.
pub(super) fn literal_source(b: &Block) -> Option<String> {
    let a = b.attr("source")?;
    match &a.expr.kind {
        ExprKind::Hcl(e) => e.as_str().map(str::to_owned).or_else(|| {
            // A template without interpolations is still a literal.
            let t = e.as_string_template()?;
            t.iter()
                .map(|el| el.as_literal().map(|l| l.value().clone()))
                .collect()
        }),
        ExprKind::Json { node, .. } => node.as_str().map(str::to_owned),
    }
}

pub(super) fn is_local(source: &str) -> bool {
    source.starts_with("./") || source.starts_with("../") || source == "." || source == ".."
}

/// Evaluates a variable file's attributes with no context.
pub(super) fn vars_from(attrs: &[Attr], into: &mut HashMap<String, Node>) {
    let mut ev = Ev::new(None);
    for a in attrs {
        into.insert(a.key.clone(), ev.eval(&a.expr));
    }
}

/// Declared defaults, then `given` values, with the defaults of `optional(type, default)`
/// attributes filled in and converted to declared primitive types.
pub(super) fn bind_vars(dir: &Dir, mut given: HashMap<String, Node>) -> HashMap<String, Node> {
    let mut ev = Ev::new(None);
    let mut vars = HashMap::new();
    for (name, var) in &dir.variables {
        let value = match given.remove(name) {
            Some(v) => Some(v),
            None => var.default.as_ref().map(|d| ev.eval(d)),
        };
        if let Some(v) = value {
            let v = match &var.type_expr {
                Some(ty) => super::optional::apply_defaults(v, ty, &mut ev),
                None => v,
            };
            vars.insert(name.clone(), convert(v, var.ty.as_deref()));
        }
    }
    vars
}

impl World<'_> {
    /// Evaluates one module instance and, recursively, the local modules it calls.
    pub(super) fn run(
        &self,
        dir: usize,
        prefix: String,
        vars: HashMap<String, Node>,
        path_module: String,
        chain: &mut Vec<usize>,
        out: &mut Out,
    ) {
        let d = &self.dirs[dir];
        let root = chain.first().map_or(dir, |r| *r);
        let group: Arc<str> = Arc::from(format!(
            "tf:{}:{}",
            self.dirs[root].display,
            prefix.trim_end_matches('.')
        ));
        let scope = Scope::new(d, prefix.clone(), vars, path_module, self.files.clone());
        let mut ev = Ev::new(Some(&scope));
        scope.evaluate_all_locals(&mut ev);
        out.instances += 1;
        chain.push(dir);
        for b in &d.blocks {
            if out.over_budget(
                self.files.get(&b.span.file).cloned().unwrap_or_default(),
                Some(b.header),
            ) {
                break;
            }
            emit(&mut ev, &prefix, b, &group, &mut out.resources);
            if b.ident == "module" {
                self.call(&scope, &mut ev, b, chain, out);
            }
        }
        chain.pop();
        out.errors.append(&mut scope.errors.borrow_mut());
    }

    fn notice(&self, expr: &Expr, message: String, out: &mut Out) {
        out.notices.push(Notice {
            file: self.files.get(&expr.file).cloned().unwrap_or_default(),
            span: Some(expr.span),
            message,
        });
    }

    fn call(
        &self,
        scope: &Scope<'_>,
        ev: &mut Ev<'_, '_>,
        b: &Block,
        chain: &mut Vec<usize>,
        out: &mut Out,
    ) {
        let name = b.label(0);
        let Some(src_attr) = b.attr("source") else {
            return;
        };
        let Some(source) = literal_source(b) else {
            self.notice(
                &src_attr.expr,
                format!("module {name}: source is not a literal string; not followed"),
                out,
            );
            return;
        };
        if !is_local(&source) {
            self.notice(
                &src_attr.expr,
                format!("remote module {source} not followed"),
                out,
            );
            return;
        }
        let target = normalize(&scope.dir.path.join(&source));
        let Some(&child) = self.index.get(&target) else {
            // Discovery adds every called module inside the repository; one that exists
            // but was not added lies outside it (or is excluded, or behind a skipped
            // directory such as `vendor`).
            let why = if target.is_dir() {
                "is outside the repository (or the scanned path), excluded or skipped; not followed"
            } else {
                "not found among scanned files"
            };
            self.notice(&src_attr.expr, format!("module source {source} {why}"), out);
            return;
        };
        let file = self
            .files
            .get(&src_attr.expr.file)
            .cloned()
            .unwrap_or_default();
        if let Some(pos) = chain.iter().position(|&c| c == child) {
            let mut names: Vec<&str> = chain[pos..]
                .iter()
                .map(|&c| self.dirs[c].display.as_str())
                .collect();
            names.push(&self.dirs[child].display);
            out.errors.push(FileError {
                file,
                span: Some(src_attr.expr.span),
                kind: FileErrorKind::Parse,
                message: format!("module cycle: {}", names.join(" -> ")),
            });
            return;
        }
        if chain.len() >= MAX_MODULE_DEPTH {
            out.errors.push(FileError {
                file,
                span: Some(src_attr.expr.span),
                kind: FileErrorKind::Limit,
                message: format!(
                    "module {name} nested deeper than {MAX_MODULE_DEPTH} levels; not followed"
                ),
            });
            return;
        }
        let path_module = join_display(&scope.path_module, &source);
        for inst in instances(ev, b) {
            let bound = inst.binding.is_some();
            if let Some((n, v)) = inst.binding {
                ev.bind(n, v);
            }
            let mut given = HashMap::new();
            for item in &b.items {
                if let Item::Attr(a) = item
                    && !META.contains(&a.key.as_str())
                {
                    given.insert(a.key.clone(), ev.eval(&a.expr));
                }
            }
            if bound {
                ev.unbind();
            }
            let vars = bind_vars(&self.dirs[child], given);
            let prefix = format!("{}module.{name}{}.", scope.prefix, inst.key);
            self.run(child, prefix, vars, path_module.clone(), chain, out);
        }
    }
}

/// The values of a root module's variables: defaults, auto-loaded files, `--var-file`s,
/// then `--var`s.
pub(super) fn root_vars(
    dir: &Dir,
    var_files: &[Vec<Attr>],
    cli: &[(String, Node)],
) -> HashMap<String, Node> {
    let mut given = HashMap::new();
    for attrs in dir.tfvars.iter().chain(var_files) {
        vars_from(attrs, &mut given);
    }
    for (k, v) in cli {
        given.insert(k.clone(), v.clone());
    }
    bind_vars(dir, given)
}

/// A `--var` value: an HCL expression when it parses to a known value, else the string.
pub(super) fn cli_value(raw: &str) -> Node {
    let span = crate::source::Span::default();
    if let Ok(expr) = hcl_edit::parser::parse_expr(raw) {
        let mut ev = Ev::new(None);
        if let Ok(v) = ev.hcl(&expr)
            && !v.contains_unknown()
        {
            return super::value::respanned(v, span);
        }
    }
    Node::string(raw, span)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::node::Value;

    #[test]
    fn paths_normalise_lexically() {
        assert_eq!(normalize(Path::new("a/./b/../c")), PathBuf::from("a/c"));
        assert_eq!(normalize(Path::new("./x/..")), PathBuf::from("."));
        assert_eq!(normalize(Path::new("../a")), PathBuf::from("../a"));
        assert_eq!(join_display(".", "./modules/x"), "modules/x");
        assert_eq!(join_display("modules/x", "../y"), "modules/y");
    }

    #[test]
    fn local_sources_are_relative_paths() {
        assert!(is_local("./m"));
        assert!(is_local("../m"));
        assert!(!is_local("hashicorp/consul/aws"));
        assert!(!is_local("git::https://example.com/m.git"));
        assert!(!is_local("/abs/path"));
    }

    #[test]
    fn cli_values_parse_as_hcl_when_known() {
        assert_eq!(cli_value("us-east-1").as_str(), Some("us-east-1"));
        assert_eq!(cli_value("foo").as_str(), Some("foo"));
        assert!(matches!(cli_value("5").value, Value::Number(n) if n == 5.0));
        assert_eq!(cli_value("[1, 2]").items().len(), 2);
        assert_eq!(
            cli_value("{ a = \"b\" }").get("a").and_then(Node::as_str),
            Some("b")
        );
        assert_eq!(cli_value("").as_str(), Some(""));
    }
}
