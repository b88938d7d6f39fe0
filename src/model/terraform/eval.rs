//! Three-valued evaluation of Terraform expressions into `Node`s: what can be known
//! statically is computed, everything else is `Unknown` with the references it depends on.

use hcl_edit::expr::{BinaryOperator, Expression, ForExpr, ObjectKey, UnaryOperator};

use super::context::Scope;
use super::load::{Expr, ExprKind};
use super::value::{
    EvalError, MAX_ELEMENTS, MAX_TOTAL_WORK, MAX_WORK, R, entry, err, respanned, sorted_entries,
    to_bool, to_number, to_text, unknown, unknown_from, value_eq,
};
use crate::parse::node::{Entry, Node, Value};
use crate::source::{FileId, Span};

/// Deepest expression nesting evaluated before giving up with an unknown.
pub(super) const MAX_EVAL_DEPTH: usize = 128;

/// An evaluator positioned in one module instance (or none, for variable files) with the
/// names bound by `count`, `for_each`, `for` expressions and `dynamic` iterators.
pub(super) struct Ev<'s, 'a> {
    pub scope: Option<&'s Scope<'a>>,
    pub file: FileId,
    /// Span used when the parser kept none for a sub-expression.
    pub span: Span,
    pub(super) bindings: Vec<(String, Node)>,
    pub(super) depth: usize,
    /// Work of the top-level expression being evaluated.
    work: usize,
    /// Work of the whole module instance.
    total: usize,
}

impl<'s, 'a> Ev<'s, 'a> {
    pub(super) fn new(scope: Option<&'s Scope<'a>>) -> Self {
        Ev {
            scope,
            file: FileId::default(),
            span: Span::default(),
            bindings: Vec::new(),
            depth: 0,
            work: 0,
            total: 0,
        }
    }

    /// Counts `n` units of work; true once the expression's (or the instance's) budget
    /// is spent.
    pub(super) fn charge(&mut self, n: usize) -> bool {
        let (work, total) = (self.work, self.total);
        self.work = self.work.saturating_add(n);
        self.total = self.total.saturating_add(n);
        if work <= MAX_WORK && self.work > MAX_WORK {
            self.limit("expression too large to evaluate; its value is unknown");
        }
        if total <= MAX_TOTAL_WORK && self.total > MAX_TOTAL_WORK {
            self.limit("expressions of this module too large to evaluate in total; the rest of this module is unknown");
        }
        self.exhausted()
    }

    /// Records a limit error at `span` (in the module instance's errors).
    pub(super) fn limit_at(&self, span: Span, message: String) {
        if let Some(scope) = self.scope {
            scope.errors.borrow_mut().push(crate::error::FileError {
                file: scope.file_name(span.file),
                span: Some(span),
                kind: crate::error::FileErrorKind::Limit,
                message,
            });
        }
    }

    fn limit(&self, message: &str) {
        if let Some(scope) = self.scope {
            scope.errors.borrow_mut().push(crate::error::FileError {
                file: scope.file_name(self.file),
                span: Some(self.span),
                kind: crate::error::FileErrorKind::Limit,
                message: message.into(),
            });
        }
    }

    pub(super) fn exhausted(&self) -> bool {
        self.work > MAX_WORK || self.total > MAX_TOTAL_WORK
    }

    pub(super) fn bind(&mut self, name: impl Into<String>, value: Node) {
        self.bindings.push((name.into(), value));
    }

    pub(super) fn unbind(&mut self) {
        self.bindings.pop();
    }

    pub(super) fn binding(&self, name: &str) -> Option<&Node> {
        self.bindings
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v)
    }

    /// Runs `f` with no bindings (a local is evaluated in the module's scope, whatever
    /// resource asked for it), restoring everything afterwards.
    pub(super) fn isolated<T>(&mut self, f: impl FnOnce(&mut Self) -> T) -> T {
        let bindings = std::mem::take(&mut self.bindings);
        let (file, span) = (self.file, self.span);
        let out = f(self);
        self.bindings = bindings;
        self.file = file;
        self.span = span;
        out
    }

    /// Evaluates an attribute's expression; an error becomes an unknown naming it.
    pub(super) fn eval(&mut self, expr: &Expr) -> Node {
        match self.eval_r(expr) {
            Ok(mut n) => {
                n.span = expr.span;
                n
            }
            Err(EvalError(msg)) => unknown(msg, Vec::new(), expr.span),
        }
    }

    pub(super) fn eval_r(&mut self, expr: &Expr) -> R {
        let (file, span) = (self.file, self.span);
        self.file = expr.file;
        self.span = expr.span;
        let out = match &expr.kind {
            ExprKind::Hcl(e) => self.hcl(e),
            ExprKind::Json { node, templates } => self.json(node, *templates),
        };
        self.file = file;
        self.span = span;
        out
    }

    pub(super) fn span_of(&self, e: &impl hcl_edit::Span) -> Span {
        e.span()
            .map_or(self.span, |r| Span::new(self.file, r.start, r.end))
    }

    /// Evaluates one HCL expression.
    pub(super) fn hcl(&mut self, e: &Expression) -> R {
        let span = self.span_of(e);
        if self.depth >= MAX_EVAL_DEPTH {
            return Ok(unknown("expression nested too deeply", Vec::new(), span));
        }
        if self.depth == 0 {
            // A top-level expression: a fresh budget of its own.
            self.work = 0;
        }
        if self.exhausted() {
            return Ok(unknown("evaluation too large", Vec::new(), span));
        }
        self.depth += 1;
        let out = self.hcl_inner(e, span);
        self.depth -= 1;
        out
    }

    fn hcl_inner(&mut self, e: &Expression, span: Span) -> R {
        Ok(match e {
            Expression::Null(_) => Node::null(span),
            Expression::Bool(b) => Node::new(Value::Bool(*b.value()), span),
            Expression::Number(n) => match n.value().as_f64() {
                Some(f) => Node::new(Value::Number(f), span),
                None => return err("number out of range"),
            },
            Expression::String(s) => Node::string(s.value().clone(), span),
            Expression::Array(a) => {
                let mut items = Vec::with_capacity(a.len());
                for item in a.iter() {
                    items.push(self.hcl(item)?);
                }
                Node::new(Value::List(items), span)
            }
            Expression::Object(o) => return self.object(o, span),
            Expression::StringTemplate(t) => return self.template(t, span),
            Expression::HeredocTemplate(h) => return self.template(&h.template, span),
            Expression::Parenthesis(p) => {
                let mut v = self.hcl(p.inner())?;
                v.span = span;
                v
            }
            Expression::Variable(v) => return self.variable(v.as_str(), &[], span),
            Expression::Conditional(c) => {
                let cond = self.hcl(&c.cond_expr)?;
                if cond.contains_unknown() {
                    let t = self.hcl(&c.true_expr)?;
                    let f = self.hcl(&c.false_expr)?;
                    if value_eq(&t, &f) == Some(true) {
                        return Ok(respanned(t, span));
                    }
                    return Ok(unknown_from("condition is unknown", [&cond, &t, &f], span));
                }
                if to_bool(&cond)? {
                    self.hcl(&c.true_expr)?
                } else {
                    self.hcl(&c.false_expr)?
                }
            }
            Expression::FuncCall(f) => return super::functions::call(self, f, span),
            Expression::Traversal(t) => return self.traversal(t, span),
            Expression::UnaryOp(u) => {
                let v = self.hcl(&u.expr)?;
                if v.contains_unknown() {
                    return Ok(unknown_from("operand is unknown", [&v], span));
                }
                match u.operator.value() {
                    UnaryOperator::Neg => Node::new(Value::Number(-to_number(&v)?), span),
                    UnaryOperator::Not => Node::new(Value::Bool(!to_bool(&v)?), span),
                }
            }
            Expression::BinaryOp(b) => {
                let l = self.hcl(&b.lhs_expr)?;
                let r = self.hcl(&b.rhs_expr)?;
                return binary(*b.operator.value(), &l, &r, span);
            }
            Expression::ForExpr(f) => return self.for_expr(f, span),
        })
    }

    fn object(&mut self, o: &hcl_edit::expr::Object, span: Span) -> R {
        let mut entries: Vec<Entry> = Vec::with_capacity(o.len());
        for (k, v) in o.iter() {
            let key_span = self.span_of(k);
            let key = match k {
                ObjectKey::Ident(i) => i.as_str().to_owned(),
                ObjectKey::Expression(e) => {
                    let kv = self.hcl(e)?;
                    if kv.contains_unknown() {
                        return Ok(unknown_from("object key is unknown", [&kv], span));
                    }
                    to_text(&kv)?
                }
            };
            let value = self.hcl(v.expr())?;
            super::value::set_entry(
                &mut entries,
                Entry {
                    key,
                    key_span,
                    value,
                },
            );
        }
        Ok(Node::new(Value::Map(entries), span))
    }

    fn for_expr(&mut self, f: &ForExpr, span: Span) -> R {
        let coll = self.hcl(&f.intro.collection_expr)?;
        if coll.is_unknown() {
            return Ok(unknown_from(
                "for expression over an unknown collection",
                [&coll],
                span,
            ));
        }
        let items = pairs(&coll)?;
        if items.len() > MAX_ELEMENTS || self.charge(items.len()) {
            return Ok(unknown(
                "for expression over too many elements",
                Vec::new(),
                span,
            ));
        }
        let key_var = f.intro.key_var.as_ref().map(|k| k.as_str().to_owned());
        let value_var = f.intro.value_var.as_str().to_owned();
        let mut list = Vec::new();
        let mut map: Vec<Entry> = Vec::new();
        let mut unknowns = Vec::new();
        for (k, v) in items {
            let mark = self.bindings.len();
            if let Some(kv) = &key_var {
                self.bind(kv.clone(), k);
            }
            self.bind(value_var.clone(), v);
            let r = self.for_element(f, span, &mut list, &mut map, &mut unknowns);
            self.bindings.truncate(mark);
            r?;
        }
        if !unknowns.is_empty() {
            return Ok(unknown_from(
                "for expression has unknown keys or conditions",
                &unknowns,
                span,
            ));
        }
        if f.key_expr.is_some() {
            Ok(Node::new(Value::Map(map), span))
        } else {
            Ok(Node::new(Value::List(list), span))
        }
    }

    fn for_element(
        &mut self,
        f: &ForExpr,
        span: Span,
        list: &mut Vec<Node>,
        map: &mut Vec<Entry>,
        unknowns: &mut Vec<Node>,
    ) -> Result<(), EvalError> {
        if let Some(cond) = &f.cond {
            let c = self.hcl(&cond.expr)?;
            if c.contains_unknown() {
                unknowns.push(c);
                return Ok(());
            }
            if !to_bool(&c)? {
                return Ok(());
            }
        }
        let value = self.hcl(&f.value_expr)?;
        let Some(key_expr) = &f.key_expr else {
            list.push(value);
            return Ok(());
        };
        let k = self.hcl(key_expr)?;
        if k.contains_unknown() {
            unknowns.push(k);
            return Ok(());
        }
        let key = to_text(&k)?;
        match map.iter_mut().find(|e| e.key == key) {
            Some(e) if f.grouping => {
                if let Value::List(items) = &mut e.value.value {
                    items.push(value);
                }
            }
            Some(_) => return err(format!("duplicate key {key:?} in for expression")),
            None if f.grouping => map.push(entry(
                key,
                Node::new(Value::List(vec![value]), span),
                k.span,
            )),
            None => map.push(entry(key, value, k.span)),
        }
        Ok(())
    }
}

/// The (key, value) pairs a `for` iterates: list index and element, or map key (sorted)
/// and value.
pub(super) fn pairs(coll: &Node) -> Result<Vec<(Node, Node)>, EvalError> {
    match &coll.value {
        Value::List(items) => Ok(items
            .iter()
            .enumerate()
            .map(|(i, v)| {
                #[allow(clippy::cast_precision_loss)]
                let k = Node::new(Value::Number(i as f64), v.span);
                (k, v.clone())
            })
            .collect()),
        Value::Map(entries) => Ok(sorted_entries(entries)
            .into_iter()
            .map(|e| (Node::string(e.key.clone(), e.key_span), e.value.clone()))
            .collect()),
        Value::Null => err("cannot iterate over a null value"),
        _ => err("cannot iterate over a primitive value"),
    }
}

/// Applies a binary operator, three-valued.
pub(super) fn binary(op: BinaryOperator, l: &Node, r: &Node, span: Span) -> R {
    use BinaryOperator as B;
    let lu = l.contains_unknown();
    let ru = r.contains_unknown();
    match op {
        B::And | B::Or => {
            let want = op == B::Or;
            // Kleene logic: `false && x` and `true || x` are known whatever x is.
            let lb = if lu { None } else { Some(to_bool(l)?) };
            let rb = if ru { None } else { Some(to_bool(r)?) };
            if lb == Some(want) || rb == Some(want) {
                return Ok(Node::new(Value::Bool(want), span));
            }
            if lb.is_none() || rb.is_none() {
                return Ok(unknown_from("operand is unknown", [l, r], span));
            }
            Ok(Node::new(Value::Bool(!want), span))
        }
        B::Eq | B::NotEq => match value_eq(l, r) {
            Some(eq) => Ok(Node::new(Value::Bool(eq == (op == B::Eq)), span)),
            None => Ok(unknown_from("operand is unknown", [l, r], span)),
        },
        _ => {
            if lu || ru {
                return Ok(unknown_from("operand is unknown", [l, r], span));
            }
            let (a, b) = (to_number(l)?, to_number(r)?);
            let v = match op {
                B::Plus => Value::Number(a + b),
                B::Minus => Value::Number(a - b),
                B::Mul => Value::Number(a * b),
                B::Div if b == 0.0 => return err("division by zero"),
                B::Div => Value::Number(a / b),
                B::Mod if b == 0.0 => return err("modulo by zero"),
                B::Mod => Value::Number(a % b),
                B::Less => Value::Bool(a < b),
                B::LessEq => Value::Bool(a <= b),
                B::Greater => Value::Bool(a > b),
                B::GreaterEq => Value::Bool(a >= b),
                _ => return err("unsupported operator"),
            };
            if let Value::Number(n) = v
                && !n.is_finite()
            {
                return err("arithmetic overflow");
            }
            Ok(Node::new(v, span))
        }
    }
}
