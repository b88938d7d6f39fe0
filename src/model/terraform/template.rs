//! Templates (quoted strings with interpolations and directives, heredocs) and values
//! written in JSON syntax (`.tf.json`, whose strings are templates).

use super::eval::{Ev, MAX_EVAL_DEPTH, pairs};
use super::value::{
    EvalError, MAX_STRING, R, err, respanned, to_bool, to_text, unknown, unknown_from,
};
use crate::parse::node::{Entry, Node, Value};
use crate::source::Span;

impl Ev<'_, '_> {
    pub(super) fn template(&mut self, t: &hcl_edit::template::Template, span: Span) -> R {
        use hcl_edit::template::Element;
        // A template that is one interpolation yields the value itself, not a string.
        if let Some(Element::Interpolation(i)) = t.as_single_element() {
            let mut v = self.hcl(&i.expr)?;
            v.span = span;
            return Ok(v);
        }
        let mut out = String::new();
        let mut unknowns = Vec::new();
        self.render(t, &mut out, &mut unknowns, false)?;
        if out.len() > MAX_STRING {
            return Ok(unknown("string too long to evaluate", Vec::new(), span));
        }
        if unknowns.is_empty() {
            Ok(Node::string(out, span))
        } else {
            Ok(unknown_from("template has unknown parts", &unknowns, span))
        }
    }

    /// Renders template elements into `out`; unknown parts are collected, not rendered.
    fn render(
        &mut self,
        t: &hcl_edit::template::Template,
        out: &mut String,
        unknowns: &mut Vec<Node>,
        mut strip_next: bool,
    ) -> Result<(), EvalError> {
        use hcl_edit::template::{Directive, Element};
        if self.depth >= MAX_EVAL_DEPTH {
            unknowns.push(unknown("template nested too deeply", Vec::new(), self.span));
            return Ok(());
        }
        self.depth += 1;
        let result = (|| {
            for el in t.iter() {
                match el {
                    Element::Literal(s) => {
                        let s: &str = s.value();
                        out.push_str(if strip_next { s.trim_start() } else { s });
                        strip_next = false;
                    }
                    Element::Interpolation(i) => {
                        if i.strip.strip_start() {
                            trim_end(out);
                        }
                        let v = self.hcl(&i.expr)?;
                        if v.contains_unknown() {
                            unknowns.push(v);
                        } else {
                            out.push_str(&to_text(&v)?);
                        }
                        strip_next = i.strip.strip_end();
                    }
                    Element::Directive(d) => match d.as_ref() {
                        Directive::If(d) => {
                            if d.if_expr.strip.strip_start() {
                                trim_end(out);
                            }
                            let c = self.hcl(&d.if_expr.cond_expr)?;
                            if c.contains_unknown() {
                                unknowns.push(c);
                            } else if to_bool(&c)? {
                                self.render(
                                    &d.if_expr.template,
                                    out,
                                    unknowns,
                                    d.if_expr.strip.strip_end(),
                                )?;
                            } else if let Some(e) = &d.else_expr {
                                self.render(&e.template, out, unknowns, e.strip.strip_end())?;
                            }
                            strip_next = d.endif_expr.strip.strip_end();
                        }
                        Directive::For(d) => {
                            let f = &d.for_expr;
                            if f.strip.strip_start() {
                                trim_end(out);
                            }
                            let coll = self.hcl(&f.collection_expr)?;
                            if coll.contains_unknown()
                                && !matches!(coll.value, Value::List(_) | Value::Map(_))
                            {
                                unknowns.push(coll);
                            } else {
                                let key_var = f.key_var.as_ref().map(|k| k.as_str().to_owned());
                                let value_var = f.value_var.as_str().to_owned();
                                let items = pairs(&coll)?;
                                if self.charge(items.len()) {
                                    unknowns.push(unknown(
                                        "evaluation too large",
                                        Vec::new(),
                                        self.span,
                                    ));
                                    return Ok(());
                                }
                                for (k, v) in items {
                                    if out.len() > MAX_STRING {
                                        break;
                                    }
                                    let mark = self.bindings.len();
                                    if let Some(kv) = &key_var {
                                        self.bind(kv.clone(), k);
                                    }
                                    self.bind(value_var.clone(), v);
                                    let r = self.render(
                                        &f.template,
                                        out,
                                        unknowns,
                                        f.strip.strip_end(),
                                    );
                                    self.bindings.truncate(mark);
                                    r?;
                                }
                            }
                            strip_next = d.endfor_expr.strip.strip_end();
                        }
                    },
                }
            }
            Ok(())
        })();
        self.depth -= 1;
        result
    }

    /// Evaluates a JSON-syntax value; strings are templates where the syntax says so.
    pub(super) fn json(&mut self, node: &Node, templates: bool) -> R {
        if self.depth >= MAX_EVAL_DEPTH {
            return Ok(unknown(
                "expression nested too deeply",
                Vec::new(),
                node.span,
            ));
        }
        self.depth += 1;
        let out = (|| {
            Ok(match &node.value {
                Value::String(s) if templates && (s.contains("${") || s.contains("%{")) => {
                    match hcl_edit::parser::parse_template(s) {
                        Ok(t) => {
                            let (file, sp) = (self.file, self.span);
                            self.span = node.span;
                            let v = self.template(&t, node.span);
                            self.file = file;
                            self.span = sp;
                            respanned(v?, node.span)
                        }
                        Err(e) => return err(format!("invalid template: {}", e.message())),
                    }
                }
                Value::List(items) => {
                    let mut out = Vec::with_capacity(items.len());
                    for i in items {
                        out.push(self.json(i, templates)?);
                    }
                    Node::new(Value::List(out), node.span)
                }
                Value::Map(entries) => {
                    let mut out = Vec::with_capacity(entries.len());
                    for e in entries {
                        out.push(Entry {
                            key: e.key.clone(),
                            key_span: e.key_span,
                            value: self.json(&e.value, templates)?,
                        });
                    }
                    Node::new(Value::Map(out), node.span)
                }
                _ => node.clone(),
            })
        })();
        self.depth -= 1;
        out
    }
}

fn trim_end(out: &mut String) {
    let len = out.trim_end().len();
    out.truncate(len);
}
