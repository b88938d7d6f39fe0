//! The evaluation context of one module instance: its directory, address prefix, input
//! variable values, and lazily evaluated, memoised locals with cycle detection.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;

use super::eval::Ev;
use super::load::{Attr, Dir};
use super::value::{respanned, unknown};
use crate::error::{FileError, FileErrorKind};
use crate::parse::node::{Node, Value};
use crate::source::{FileId, Span};

/// FileId → display path, for errors raised while evaluating.
pub(super) type FileNames = Arc<HashMap<FileId, String>>;

enum LocalState {
    InProgress,
    Done(Node),
}

/// One module instance being evaluated.
pub(super) struct Scope<'a> {
    pub dir: &'a Dir,
    /// Address prefix: `""` for a root module, `module.a.module.b["k"].` below it.
    pub prefix: String,
    pub vars: HashMap<String, Node>,
    pub path_module: String,
    pub files: FileNames,
    locals: RefCell<HashMap<usize, LocalState>>,
    local_stack: RefCell<Vec<usize>>,
    pub errors: RefCell<Vec<FileError>>,
}

impl<'a> Scope<'a> {
    pub(super) fn new(
        dir: &'a Dir,
        prefix: String,
        vars: HashMap<String, Node>,
        path_module: String,
        files: FileNames,
    ) -> Self {
        Scope {
            dir,
            prefix,
            vars,
            path_module,
            files,
            locals: RefCell::new(HashMap::new()),
            local_stack: RefCell::new(Vec::new()),
            errors: RefCell::new(Vec::new()),
        }
    }

    pub(super) fn file_name(&self, id: FileId) -> String {
        self.files.get(&id).cloned().unwrap_or_default()
    }

    /// The value of `local.<name>`, evaluated once per instance.
    pub(super) fn local(&self, ev: &mut Ev<'_, '_>, name: &str, span: Span) -> Node {
        let Some(&idx) = self.dir.local_index.get(name) else {
            return unknown(format!("local.{name} is not defined"), Vec::new(), span);
        };
        let state = match self.locals.borrow().get(&idx) {
            Some(LocalState::Done(n)) => Some(Ok(n.clone())),
            Some(LocalState::InProgress) => Some(Err(())),
            None => None,
        };
        match state {
            Some(Ok(n)) => return respanned(n, span),
            Some(Err(())) => return self.cycle(idx, span),
            None => {}
        }
        self.locals.borrow_mut().insert(idx, LocalState::InProgress);
        self.local_stack.borrow_mut().push(idx);
        let attr: &Attr = &self.dir.locals[idx];
        let value = super::value::bounded(ev.isolated(|ev| ev.eval(&attr.expr)));
        self.local_stack.borrow_mut().pop();
        let mut locals = self.locals.borrow_mut();
        let stored = match locals.get(&idx) {
            // A cycle through this local already fixed its value as unknown.
            Some(LocalState::Done(n)) => n.clone(),
            _ => {
                locals.insert(idx, LocalState::Done(value.clone()));
                value
            }
        };
        respanned(stored, span)
    }

    /// Records a locals cycle ending at `idx`; every local on it becomes unknown.
    fn cycle(&self, idx: usize, span: Span) -> Node {
        let stack = self.local_stack.borrow();
        let start = stack.iter().position(|&i| i == idx).unwrap_or(0);
        let mut members: Vec<usize> = stack[start..].to_vec();
        drop(stack);
        if members.is_empty() {
            members.push(idx);
        }
        // Start the message at the local defined first, whichever was evaluated first.
        let first = members
            .iter()
            .enumerate()
            .min_by_key(|(_, m)| **m)
            .map_or(0, |(i, _)| i);
        members.rotate_left(first);
        let names: Vec<String> = members
            .iter()
            .chain(members.first())
            .map(|&i| format!("local.{}", self.dir.locals[i].key))
            .collect();
        let message = format!("locals cycle: {}", names.join(" -> "));
        let first_attr = &self.dir.locals[members[0]];
        self.errors.borrow_mut().push(FileError {
            file: self.file_name(first_attr.span.file),
            span: Some(first_attr.key_span),
            kind: FileErrorKind::Parse,
            message: message.clone(),
        });
        let mut locals = self.locals.borrow_mut();
        for &m in &members {
            let at = self.dir.locals[m].expr.span;
            locals.insert(
                m,
                LocalState::Done(unknown(message.clone(), Vec::new(), at)),
            );
        }
        unknown(message, Vec::new(), span)
    }

    /// Evaluates every local once, so cycles are reported even when nothing uses them.
    pub(super) fn evaluate_all_locals(&self, ev: &mut Ev<'_, '_>) {
        for attr in &self.dir.locals {
            let _ = self.local(ev, &attr.key, attr.expr.span);
        }
    }

    pub(super) fn var(&self, name: &str, span: Span) -> Node {
        match self.vars.get(name) {
            Some(v) => respanned(v.clone(), span),
            None if self.dir.variables.contains_key(name) => {
                unknown(format!("var.{name} has no value"), Vec::new(), span)
            }
            None => unknown(format!("var.{name} is not declared"), Vec::new(), span),
        }
    }
}

/// Applies a declared primitive type to a value, lightly: only conversions that cannot
/// change meaning (`"5"` for a number, `true` for a string).
pub(super) fn convert(value: Node, ty: Option<&str>) -> Node {
    let span = value.span;
    match (ty, &value.value) {
        (Some("number"), Value::String(s)) => match s.trim().parse::<f64>() {
            Ok(n) if n.is_finite() => Node::new(Value::Number(n), span),
            _ => value,
        },
        (Some("bool"), Value::String(s)) if s == "true" || s == "false" => {
            Node::new(Value::Bool(s == "true"), span)
        }
        (Some("string"), Value::Number(_) | Value::Bool(_)) => match value.scalar_text() {
            Some(t) => Node::string(t, span),
            None => value,
        },
        _ => value,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversions_are_light() {
        let s = Span::default();
        let n = convert(Node::string("5", s), Some("number"));
        assert!(matches!(n.value, Value::Number(x) if x == 5.0));
        let kept = convert(Node::string("five", s), Some("number"));
        assert_eq!(kept.as_str(), Some("five"));
        let b = convert(Node::string("true", s), Some("bool"));
        assert!(matches!(b.value, Value::Bool(true)));
        let t = convert(Node::new(Value::Number(3.0), s), Some("string"));
        assert_eq!(t.as_str(), Some("3"));
        let untyped = convert(Node::new(Value::Number(3.0), s), None);
        assert!(matches!(untyped.value, Value::Number(_)));
    }
}
