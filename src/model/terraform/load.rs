//! Reading one directory of Terraform files into an owned, format-neutral structure:
//! attributes holding unevaluated expressions (HCL or JSON syntax) and blocks with their
//! spans, sorted into variables, locals and the blocks that become resources.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use hcl_edit::Span as _;
use hcl_edit::expr::Expression;
use hcl_edit::structure::{BlockLabel, Structure};
use rayon::prelude::*;

use crate::error::FileError;
use crate::parse::node::{Node, Value};
use crate::source::{FileId, SourceText, Span};

/// An unevaluated expression and where it is written.
#[derive(Clone, Debug)]
pub(super) struct Expr {
    pub file: FileId,
    pub span: Span,
    pub kind: ExprKind,
}

#[derive(Clone, Debug)]
pub(super) enum ExprKind {
    Hcl(Box<Expression>),
    /// A JSON value; with `templates`, strings are HCL templates (`.tf.json` syntax).
    Json {
        node: Node,
        templates: bool,
    },
}

#[derive(Clone, Debug)]
pub(super) struct Attr {
    pub key: String,
    pub key_span: Span,
    pub span: Span,
    pub expr: Expr,
}

#[derive(Clone, Debug)]
pub(super) struct Block {
    pub ident: String,
    pub ident_span: Span,
    pub labels: Vec<(String, Span)>,
    pub span: Span,
    pub header: Span,
    pub items: Vec<Item>,
}

#[derive(Clone, Debug)]
pub(super) enum Item {
    Attr(Attr),
    Block(Block),
}

impl Block {
    pub(super) fn attr(&self, key: &str) -> Option<&Attr> {
        self.items.iter().find_map(|i| match i {
            Item::Attr(a) if a.key == key => Some(a),
            _ => None,
        })
    }

    pub(super) fn label(&self, i: usize) -> &str {
        self.labels.get(i).map_or("", |(l, _)| l.as_str())
    }
}

/// A declared input variable.
#[derive(Clone, Debug)]
pub(super) struct Variable {
    pub default: Option<Expr>,
    /// A primitive type constraint (`string`, `number`, `bool`), when declared.
    pub ty: Option<String>,
    /// The declared type, for the defaults of its `optional(type, default)` attributes.
    pub type_expr: Option<Expr>,
}

/// One directory: the unit Terraform calls a module.
#[derive(Debug, Default)]
pub(super) struct Dir {
    pub path: PathBuf,
    pub display: String,
    pub variables: HashMap<String, Variable>,
    /// Locals in definition order.
    pub locals: Vec<Attr>,
    pub local_index: HashMap<String, usize>,
    /// `resource`, `data`, `provider`, `terraform` and `module` blocks in file order.
    pub blocks: Vec<Block>,
    /// Auto-loaded variable files in increasing precedence.
    pub tfvars: Vec<Vec<Attr>>,
    pub errors: Vec<FileError>,
}

pub(super) fn span_of(file: FileId, range: Option<std::ops::Range<usize>>, fallback: Span) -> Span {
    range.map_or(fallback, |r| Span::new(file, r.start, r.end))
}

fn hcl_items(body: hcl_edit::structure::Body, file: FileId, outer: Span) -> Vec<Item> {
    body.into_iter()
        .map(|s| match s {
            Structure::Attribute(a) => {
                let span = span_of(file, a.span(), outer);
                let key_span = span_of(file, a.key.span(), span);
                let expr_span = span_of(file, a.value.span(), span);
                Item::Attr(Attr {
                    key: a.key.as_str().to_owned(),
                    key_span,
                    span,
                    expr: Expr {
                        file,
                        span: expr_span,
                        kind: ExprKind::Hcl(Box::new(a.value)),
                    },
                })
            }
            Structure::Block(b) => {
                let span = span_of(file, b.span(), outer);
                let ident_span = span_of(file, b.ident.span(), span);
                let labels: Vec<(String, Span)> = b
                    .labels
                    .iter()
                    .map(|l| {
                        let s = match l {
                            BlockLabel::Ident(i) => i.span(),
                            BlockLabel::String(s) => s.span(),
                        };
                        (l.as_str().to_owned(), span_of(file, s, span))
                    })
                    .collect();
                let header_end = labels.last().map_or(ident_span.end, |(_, s)| s.end);
                let header = Span {
                    file,
                    start: ident_span.start,
                    end: header_end.max(ident_span.start),
                };
                Item::Block(Block {
                    ident: b.ident.as_str().to_owned(),
                    ident_span,
                    labels,
                    span,
                    header,
                    items: hcl_items(b.body, file, span),
                })
            }
        })
        .collect()
}

/// Reads a `.tf` file into items, or the parse error.
pub(super) fn load_hcl(src: &SourceText) -> Result<Vec<Item>, FileError> {
    let body = crate::parse::hcl::parse_hcl(src)?;
    let whole = Span::new(src.id, 0, src.text.len());
    Ok(hcl_items(body, src.id, whole))
}

fn json_attrs(node: &Node, file: FileId, templates: bool) -> Vec<Item> {
    node.entries()
        .iter()
        .filter(|e| e.key != "//")
        .map(|e| {
            Item::Attr(Attr {
                key: e.key.clone(),
                key_span: e.key_span,
                span: e.key_span.join(e.value.span),
                expr: Expr {
                    file,
                    span: e.value.span,
                    kind: ExprKind::Json {
                        node: e.value.clone(),
                        templates,
                    },
                },
            })
        })
        .collect()
}

/// The bodies of a JSON block value: one object, or a list of them.
fn json_bodies(node: &Node) -> Vec<&Node> {
    match &node.value {
        Value::List(items) => items.iter().collect(),
        Value::Map(_) => vec![node],
        _ => Vec::new(),
    }
}

fn json_block(ident: &str, ident_span: Span, labels: Vec<(String, Span)>, body: &Node) -> Block {
    let file = body.span.file;
    let header = labels.last().map_or(ident_span, |(_, s)| *s);
    let templates = ident != "variable";
    Block {
        ident: ident.to_owned(),
        ident_span,
        labels,
        span: body.span,
        header,
        items: json_attrs(body, file, templates),
    }
}

/// Turns a `.tf.json` document into the same items an HCL file gives.
pub(super) fn json_items(doc: &Node) -> Vec<Item> {
    let mut out = Vec::new();
    for top in doc.entries() {
        let kspan = top.key_span;
        match top.key.as_str() {
            "resource" | "data" => {
                for by_type in json_bodies(&top.value) {
                    for t in by_type.entries() {
                        for n in json_bodies(&t.value).iter().flat_map(|v| v.entries()) {
                            for body in json_bodies(&n.value) {
                                let labels =
                                    vec![(t.key.clone(), t.key_span), (n.key.clone(), n.key_span)];
                                out.push(Item::Block(json_block(&top.key, kspan, labels, body)));
                            }
                        }
                    }
                }
            }
            "module" | "provider" | "variable" | "output" => {
                for by_name in json_bodies(&top.value) {
                    for n in by_name.entries() {
                        for body in json_bodies(&n.value) {
                            let labels = vec![(n.key.clone(), n.key_span)];
                            out.push(Item::Block(json_block(&top.key, kspan, labels, body)));
                        }
                    }
                }
            }
            "locals" | "terraform" => {
                for body in json_bodies(&top.value) {
                    out.push(Item::Block(json_block(&top.key, kspan, Vec::new(), body)));
                }
            }
            _ => {}
        }
    }
    out
}

pub(super) fn load_json(src: &SourceText) -> Result<Node, FileError> {
    let docs = crate::parse::yaml::parse_yaml(src)?;
    Ok(docs
        .into_iter()
        .next()
        .unwrap_or_else(|| Node::new(Value::Map(Vec::new()), Span::new(src.id, 0, 0))))
}

/// Attributes of a variables file (`.tfvars` or `.tfvars.json`).
pub(super) fn load_vars(src: &SourceText) -> Result<Vec<Attr>, FileError> {
    if is_json(&src.display_path) {
        let doc = load_json(src)?;
        Ok(json_attrs(&doc, src.id, false)
            .into_iter()
            .filter_map(|i| match i {
                Item::Attr(a) => Some(a),
                Item::Block(_) => None,
            })
            .collect())
    } else {
        Ok(load_hcl(src)?
            .into_iter()
            .filter_map(|i| match i {
                Item::Attr(a) => Some(a),
                Item::Block(_) => None,
            })
            .collect())
    }
}

pub(super) fn is_json(name: &str) -> bool {
    name.ends_with(".json")
}

pub(super) fn file_name(src: &SourceText) -> String {
    src.path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| src.display_path.rsplit('/').next().unwrap_or("").to_owned())
}

/// Precedence of an auto-loaded variables file, or `None` when Terraform does not load it.
fn tfvars_rank(name: &str) -> Option<u8> {
    match name {
        "terraform.tfvars" => Some(0),
        "terraform.tfvars.json" => Some(1),
        _ if name.ends_with(".auto.tfvars") || name.ends_with(".auto.tfvars.json") => Some(2),
        _ => None,
    }
}

fn primitive_type(expr: &Expr) -> Option<String> {
    match &expr.kind {
        ExprKind::Hcl(e) => e.as_variable().map(|i| i.as_str().to_owned()),
        ExprKind::Json { node, .. } => node.as_str().map(str::to_owned),
    }
    .filter(|t| matches!(t.as_str(), "string" | "number" | "bool"))
}

/// One file of a directory after parsing.
enum Loaded {
    Items(Vec<Item>),
    Vars(Option<u8>, String, Vec<Attr>),
    Error(FileError),
}

impl Dir {
    /// Loads the files of one directory (any order; sorted here by display path).
    pub(super) fn load(path: PathBuf, display: String, files: &[Arc<SourceText>]) -> Dir {
        let mut dir = Dir {
            path,
            display,
            ..Dir::default()
        };
        let mut files: Vec<&Arc<SourceText>> = files.iter().collect();
        files.sort_by(|a, b| a.display_path.cmp(&b.display_path));
        let parsed: Vec<Loaded> = files
            .par_iter()
            .map(|src| {
                let name = file_name(src);
                if name.ends_with(".tfvars") || name.ends_with(".tfvars.json") {
                    // Files Terraform does not load itself are parsed for their errors only.
                    return match load_vars(src) {
                        Ok(attrs) => Loaded::Vars(tfvars_rank(&name), name, attrs),
                        Err(e) => Loaded::Error(e),
                    };
                }
                let items = if is_json(&name) {
                    load_json(src).map(|doc| json_items(&doc))
                } else {
                    load_hcl(src)
                };
                items.map_or_else(Loaded::Error, Loaded::Items)
            })
            .collect();
        let mut vars: Vec<(u8, String, Vec<Attr>)> = Vec::new();
        for p in parsed {
            match p {
                Loaded::Items(items) => dir.add_items(items),
                Loaded::Vars(Some(rank), name, attrs) => vars.push((rank, name, attrs)),
                Loaded::Vars(None, _, _) => {}
                Loaded::Error(e) => dir.errors.push(e),
            }
        }
        vars.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
        dir.tfvars = vars.into_iter().map(|(_, _, a)| a).collect();
        dir
    }

    fn add_items(&mut self, items: Vec<Item>) {
        for item in items {
            let Item::Block(block) = item else { continue };
            match block.ident.as_str() {
                "variable" => {
                    let name = block.label(0).to_owned();
                    let default = block.attr("default").map(|a| a.expr.clone());
                    let ty = block.attr("type").and_then(|a| primitive_type(&a.expr));
                    let type_expr = block.attr("type").map(|a| a.expr.clone());
                    self.variables.entry(name).or_insert(Variable {
                        default,
                        ty,
                        type_expr,
                    });
                }
                "locals" => {
                    for it in block.items {
                        if let Item::Attr(a) = it
                            && !self.local_index.contains_key(&a.key)
                        {
                            self.local_index.insert(a.key.clone(), self.locals.len());
                            self.locals.push(a);
                        }
                    }
                }
                "resource" | "data" | "provider" | "terraform" | "module" => {
                    self.blocks.push(block);
                }
                _ => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn src(name: &str, text: &str) -> SourceText {
        SourceText::new(FileId(3), name, name.into(), Arc::from(text))
    }

    #[test]
    fn parse_error_spans_start_on_a_character_boundary() {
        // hcl-edit reports this error inside the two-byte character (found by fuzz_hcl).
        let s = src("main.tf", "c \u{690}");
        let e = load_hcl(&s).expect_err("not HCL");
        let span = e.span.expect("located");
        assert!(s.text.is_char_boundary(span.start as usize), "{span:?}");
        assert!(s.text.is_char_boundary(span.end as usize), "{span:?}");
        assert!(!s.text[span.range()].is_empty());
    }

    #[test]
    fn spans_and_headers_come_from_the_text() {
        let s = src(
            "main.tf",
            "# c\nresource \"aws_s3_bucket\" \"b\" {\n  bucket = \"x\"\n}\n",
        );
        let items = load_hcl(&s).unwrap();
        let Item::Block(b) = &items[0] else { panic!() };
        assert_eq!(
            &s.text[b.header.range()],
            "resource \"aws_s3_bucket\" \"b\""
        );
        assert!(s.text[b.span.range()].starts_with("resource"));
        assert!(s.text[b.span.range()].ends_with('}'));
        let a = b.attr("bucket").unwrap();
        assert_eq!(&s.text[a.key_span.range()], "bucket");
        assert_eq!(&s.text[a.expr.span.range()], "\"x\"");
        assert_eq!(a.expr.file, FileId(3));
    }

    #[test]
    fn parse_errors_point_at_the_error() {
        let s = src("bad.tf", "resource \"a\" \"b\" {\n  x = = 1\n}\n");
        let e = load_hcl(&s).unwrap_err();
        assert_eq!(e.file, "bad.tf");
        let span = e.span.unwrap();
        assert_eq!(s.position(span.start as usize).line, 2);
    }

    #[test]
    fn byte_order_marks_keep_offsets() {
        let s = src("bom.tf", "\u{feff}locals {\n  a = 1\n}\n");
        let items = load_hcl(&s).unwrap();
        let Item::Block(b) = &items[0] else { panic!() };
        assert_eq!(&s.text[b.header.range()], "locals");
    }

    #[test]
    fn tfvars_order_follows_terraform() {
        let mut ranks: Vec<_> = [
            "b.auto.tfvars",
            "terraform.tfvars.json",
            "a.auto.tfvars.json",
            "terraform.tfvars",
        ]
        .into_iter()
        .map(|n| (tfvars_rank(n).unwrap(), n))
        .collect();
        ranks.sort();
        let names: Vec<_> = ranks.into_iter().map(|(_, n)| n).collect();
        assert_eq!(
            names,
            [
                "terraform.tfvars",
                "terraform.tfvars.json",
                "a.auto.tfvars.json",
                "b.auto.tfvars"
            ]
        );
        assert_eq!(tfvars_rank("prod.tfvars"), None);
    }
}
