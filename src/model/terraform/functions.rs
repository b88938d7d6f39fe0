//! Terraform's built-in functions: a dispatch table of small functions over known
//! values. Unknown arguments give unknown results (carrying their references) unless the
//! function's meaning is exact without them (`try`, `can`, `coalesce`, `length` of a list
//! whose elements are unknown...). Unsupported functions give an unknown naming them.

use hcl_edit::expr::FuncCall;

use super::eval::Ev;
use super::func_coll as coll;
use super::func_enc as enc;
use super::func_fmt as fmt;
use super::value::{
    EvalError, MAX_VALUE_NODES, R, arg, bounded, check_len, err, is_unknown, num, size_capped,
    str_arg, to_bool, to_index, to_number, to_text, unknown, unknown_from,
};
use crate::parse::node::{Node, Value};
use crate::source::Span;

pub(super) type Func = fn(&[Node], Span) -> R;

/// How a function treats unknown arguments.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Mode {
    /// Anything unknown anywhere in the arguments makes the result unknown.
    Strict,
    /// Only arguments that are themselves unknown do; the function copes with unknown
    /// elements inside collections.
    Shallow,
}

/// Functions that never read files or the clock here: their results are unknown.
const OPAQUE: &[&str] = &[
    "file",
    "filebase64",
    "fileexists",
    "fileset",
    "filemd5",
    "filesha1",
    "filesha256",
    "filesha512",
    "filebase64sha256",
    "filebase64sha512",
    "templatefile",
    "timestamp",
    "plantimestamp",
    "uuid",
    "uuidv5",
    "bcrypt",
    "abspath",
    "pathexpand",
    "md5",
    "sha1",
    "rsadecrypt",
    "yamlencode",
    "yamldecode",
    "csvdecode",
    "textdecodebase64",
    "textencodebase64",
    "ephemeralasnull",
];

fn table(name: &str) -> Option<(Mode, Func)> {
    use Mode::{Shallow, Strict};
    Some(match name {
        "length" => (Shallow, coll::length),
        "lookup" => (Shallow, coll::lookup),
        "merge" => (Shallow, coll::merge),
        "concat" => (Shallow, coll::concat),
        "coalescelist" => (Shallow, coll::coalescelist),
        "element" => (Shallow, coll::element),
        "contains" => (Strict, coll::contains),
        "index" => (Strict, coll::index_of),
        "keys" => (Shallow, coll::keys),
        "values" => (Shallow, coll::values),
        "tomap" => (Shallow, coll::tomap),
        "tolist" => (Shallow, coll::tolist),
        "toset" => (Strict, coll::toset),
        "flatten" => (Shallow, coll::flatten),
        "distinct" => (Strict, coll::distinct),
        "compact" => (Strict, coll::compact),
        "zipmap" => (Shallow, coll::zipmap),
        "one" => (Shallow, coll::one),
        "slice" => (Shallow, coll::slice),
        "reverse" => (Shallow, coll::reverse),
        "sort" => (Strict, coll::sort),
        "range" => (Strict, coll::range),
        "alltrue" => (Strict, coll::alltrue),
        "anytrue" => (Strict, coll::anytrue),
        "sum" => (Strict, coll::sum),
        "setunion" => (Strict, coll::setunion),
        "setintersection" => (Strict, coll::setintersection),
        "setsubtract" => (Strict, coll::setsubtract),
        "chunklist" => (Shallow, coll::chunklist),
        "formatlist" => (Strict, fmt::formatlist),
        "jsonencode" => (Strict, enc::jsonencode),
        "jsondecode" => (Strict, enc::jsondecode),
        "base64encode" => (Strict, enc::base64encode),
        "base64decode" => (Strict, enc::base64decode),
        "sha256" => (Strict, enc::sha256),
        "sha512" => (Strict, enc::sha512),
        "base64sha256" => (Strict, enc::base64sha256),
        "base64sha512" => (Strict, enc::base64sha512),
        "cidrsubnet" => (Strict, enc::cidrsubnet),
        "cidrhost" => (Strict, enc::cidrhost),
        "cidrnetmask" => (Strict, enc::cidrnetmask),
        "cidrsubnets" => (Strict, enc::cidrsubnets),
        "urlencode" => (Strict, enc::urlencode),
        "regex" => (Strict, enc::regex),
        "regexall" => (Strict, enc::regexall),
        "replace" => (Strict, enc::replace),
        "format" => (Strict, fmt::format),
        "min" => (Strict, min),
        "max" => (Strict, max),
        "abs" => (Strict, |a, s| num1(a, s, f64::abs)),
        "ceil" => (Strict, |a, s| num1(a, s, f64::ceil)),
        "floor" => (Strict, |a, s| num1(a, s, f64::floor)),
        "signum" => (Strict, |a, s| num1(a, s, f64::signum)),
        "pow" => (Strict, pow),
        "log" => (Strict, log),
        "parseint" => (Strict, parseint),
        "join" => (Strict, join),
        "split" => (Strict, split),
        "lower" => (Strict, |a, s| str1(a, s, |x| x.to_lowercase())),
        "upper" => (Strict, |a, s| str1(a, s, |x| x.to_uppercase())),
        "title" => (Strict, |a, s| str1(a, s, title)),
        "trimspace" => (Strict, |a, s| str1(a, s, |x| x.trim().to_owned())),
        "chomp" => (Strict, |a, s| {
            str1(a, s, |x| x.trim_end_matches(['\n', '\r']).to_owned())
        }),
        "strrev" => (Strict, |a, s| str1(a, s, |x| x.chars().rev().collect())),
        "basename" => (Strict, |a, s| {
            str1(a, s, |x| x.rsplit('/').next().unwrap_or("").to_owned())
        }),
        "dirname" => (Strict, |a, s| str1(a, s, dirname)),
        "trim" => (Strict, trim),
        "trimprefix" => (Strict, |a, s| {
            str2(a, s, |x, p| x.strip_prefix(p).unwrap_or(x).to_owned())
        }),
        "trimsuffix" => (Strict, |a, s| {
            str2(a, s, |x, p| x.strip_suffix(p).unwrap_or(x).to_owned())
        }),
        "startswith" => (Strict, |a, s| bool2(a, s, |x, p| x.starts_with(p))),
        "endswith" => (Strict, |a, s| bool2(a, s, |x, p| x.ends_with(p))),
        "strcontains" => (Strict, |a, s| bool2(a, s, |x, p| x.contains(p))),
        "substr" => (Strict, substr),
        "indent" => (Strict, indent),
        "tostring" => (Strict, tostring),
        "tonumber" => (Strict, tonumber),
        "tobool" => (Strict, tobool),
        "sensitive" | "nonsensitive" => (Shallow, identity),
        _ => return None,
    })
}

/// Evaluates a function call.
pub(super) fn call(ev: &mut Ev<'_, '_>, f: &FuncCall, span: Span) -> R {
    let name = f.name.name.as_str();
    if f.name.is_namespaced() {
        let ns: Vec<&str> = f.name.namespace.iter().map(|n| n.as_str()).collect();
        return Ok(unknown(
            format!(
                "provider function {}::{name} is not evaluated",
                ns.join("::")
            ),
            Vec::new(),
            span,
        ));
    }
    match name {
        "try" => return try_(ev, f, span),
        "can" => return can(ev, f, span),
        _ => {}
    }
    let mut args = Vec::with_capacity(f.args.len());
    for a in f.args.iter() {
        args.push(ev.hcl(a)?);
    }
    if f.args.expand_final() {
        match args.pop() {
            Some(Node {
                value: Value::List(items),
                ..
            }) => args.extend(items),
            Some(last) if is_unknown(&last) => {
                return Ok(unknown_from(
                    format!("{name}() over unknown arguments"),
                    [&last],
                    span,
                ));
            }
            _ => return err("the final argument to expand must be a list"),
        }
    }
    if name == "coalesce" {
        return coalesce(&args, span);
    }
    if OPAQUE.contains(&name) {
        return Ok(unknown_from(
            format!("{name}() is not evaluated"),
            &args,
            span,
        ));
    }
    let Some((mode, func)) = table(name) else {
        return Ok(unknown_from(
            format!("unsupported function {name}()"),
            &args,
            span,
        ));
    };
    let blocked = match mode {
        Mode::Strict => args.iter().any(Node::contains_unknown),
        Mode::Shallow => args.iter().any(is_unknown),
    };
    if blocked {
        return Ok(unknown_from(
            format!("{name}() of unknown values"),
            &args,
            span,
        ));
    }
    let mut out = func(&args, span)?;
    out.span = span;
    if ev.charge(size_capped(&out, MAX_VALUE_NODES + 1)) {
        return Ok(unknown("evaluation too large", Vec::new(), span));
    }
    Ok(bounded(out))
}

/// `try(a, b, ...)`: the first argument that evaluates without error; unknown as soon as
/// an argument before it is unknown (it might succeed or fail).
fn try_(ev: &mut Ev<'_, '_>, f: &FuncCall, span: Span) -> R {
    let mut last = None;
    for a in f.args.iter() {
        match ev.hcl(a) {
            Ok(v) if v.contains_unknown() => {
                return Ok(unknown_from("try() over unknown values", [&v], span));
            }
            Ok(mut v) => {
                v.span = span;
                return Ok(v);
            }
            Err(e) => last = Some(e),
        }
    }
    Err(last.unwrap_or_else(|| EvalError("try() needs at least one argument".into())))
}

fn can(ev: &mut Ev<'_, '_>, f: &FuncCall, span: Span) -> R {
    let Some(a) = f.args.iter().next() else {
        return err("can() needs one argument");
    };
    match ev.hcl(a) {
        Ok(v) if v.contains_unknown() => Ok(unknown_from("can() over unknown values", [&v], span)),
        Ok(_) => Ok(Node::new(Value::Bool(true), span)),
        Err(_) => Ok(Node::new(Value::Bool(false), span)),
    }
}

/// First argument that is neither null nor an empty string.
fn coalesce(args: &[Node], span: Span) -> R {
    for a in args {
        match &a.value {
            Value::Unknown(_) => {
                return Ok(unknown_from("coalesce() of unknown values", [a], span));
            }
            Value::Null => {}
            Value::String(s) if s.is_empty() => {}
            _ => return Ok(a.clone()),
        }
    }
    err("no non-null, non-empty argument to coalesce()")
}

fn identity(args: &[Node], _span: Span) -> R {
    match args.first() {
        Some(a) => Ok(a.clone()),
        None => err("missing argument"),
    }
}

fn str1(args: &[Node], span: Span, f: impl Fn(&str) -> String) -> R {
    Ok(Node::string(f(&str_arg(args, 0)?), span))
}

fn str2(args: &[Node], span: Span, f: impl Fn(&str, &str) -> String) -> R {
    Ok(Node::string(
        f(&str_arg(args, 0)?, &str_arg(args, 1)?),
        span,
    ))
}

fn bool2(args: &[Node], span: Span, f: impl Fn(&str, &str) -> bool) -> R {
    Ok(Node::new(
        Value::Bool(f(&str_arg(args, 0)?, &str_arg(args, 1)?)),
        span,
    ))
}

fn num1(args: &[Node], span: Span, f: impl Fn(f64) -> f64) -> R {
    Ok(num(f(to_number(arg(args, 0)?)?), span))
}

fn numbers(args: &[Node]) -> Result<Vec<f64>, EvalError> {
    args.iter().map(to_number).collect()
}

fn min(args: &[Node], span: Span) -> R {
    let n = numbers(args)?;
    n.into_iter()
        .reduce(f64::min)
        .map_or_else(|| err("min() needs an argument"), |m| Ok(num(m, span)))
}

fn max(args: &[Node], span: Span) -> R {
    let n = numbers(args)?;
    n.into_iter()
        .reduce(f64::max)
        .map_or_else(|| err("max() needs an argument"), |m| Ok(num(m, span)))
}

fn pow(args: &[Node], span: Span) -> R {
    let v = to_number(arg(args, 0)?)?.powf(to_number(arg(args, 1)?)?);
    if v.is_finite() {
        Ok(num(v, span))
    } else {
        err("pow() overflow")
    }
}

fn log(args: &[Node], span: Span) -> R {
    let v = to_number(arg(args, 0)?)?.log(to_number(arg(args, 1)?)?);
    if v.is_finite() {
        Ok(num(v, span))
    } else {
        err("log() of a non-positive number")
    }
}

fn parseint(args: &[Node], span: Span) -> R {
    let s = str_arg(args, 0)?;
    let base = to_index(arg(args, 1)?)?;
    let base = u32::try_from(base).ok().filter(|b| (2..=62).contains(b));
    let Some(base) = base.filter(|b| *b <= 36) else {
        return err("unsupported base for parseint()");
    };
    match i64::from_str_radix(&s, base) {
        #[allow(clippy::cast_precision_loss)]
        Ok(v) => Ok(num(v as f64, span)),
        Err(_) => err(format!("cannot parse {s:?} in base {base}")),
    }
}

fn join(args: &[Node], span: Span) -> R {
    let sep = str_arg(args, 0)?;
    let mut parts = Vec::new();
    for list in &args[1..] {
        for item in list.items() {
            parts.push(to_text(item)?);
        }
        if !matches!(list.value, Value::List(_)) {
            return err("join() takes lists");
        }
    }
    let total = parts.iter().map(String::len).sum::<usize>()
        + sep.len().saturating_mul(parts.len().saturating_sub(1));
    check_len(total)?;
    Ok(Node::string(parts.join(&sep), span))
}

fn split(args: &[Node], span: Span) -> R {
    let sep = str_arg(args, 0)?;
    let s = str_arg(args, 1)?;
    let parts: Vec<Node> = if s.is_empty() {
        Vec::new()
    } else if sep.is_empty() {
        s.chars()
            .map(|c| Node::string(c.to_string(), span))
            .collect()
    } else {
        s.split(sep.as_str())
            .map(|p| Node::string(p, span))
            .collect()
    };
    Ok(Node::new(Value::List(parts), span))
}

fn title(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut start = true;
    for c in s.chars() {
        if start && c.is_alphabetic() {
            out.extend(c.to_uppercase());
        } else {
            out.push(c);
        }
        start = c.is_whitespace();
    }
    out
}

fn dirname(s: &str) -> String {
    match s.rfind('/') {
        Some(0) => "/".into(),
        Some(i) => s[..i].to_owned(),
        None => ".".into(),
    }
}

fn trim(args: &[Node], span: Span) -> R {
    let s = str_arg(args, 0)?;
    let cut: Vec<char> = str_arg(args, 1)?.chars().collect();
    Ok(Node::string(s.trim_matches(|c| cut.contains(&c)), span))
}

fn substr(args: &[Node], span: Span) -> R {
    let chars: Vec<char> = str_arg(args, 0)?.chars().collect();
    let len = i64::try_from(chars.len()).unwrap_or(i64::MAX);
    let mut offset = to_index(arg(args, 1)?)?;
    let mut length = to_index(arg(args, 2)?)?;
    if offset < 0 {
        offset += len;
    }
    if offset < 0 || offset > len {
        return err("substr() offset out of range");
    }
    if length < 0 || offset + length > len {
        length = len - offset;
    }
    let (o, l) = (
        usize::try_from(offset).unwrap_or(0),
        usize::try_from(length).unwrap_or(0),
    );
    Ok(Node::string(
        chars[o..o + l].iter().collect::<String>(),
        span,
    ))
}

fn indent(args: &[Node], span: Span) -> R {
    let n = usize::try_from(to_index(arg(args, 0)?)?)
        .unwrap_or(0)
        .min(1024);
    let s = str_arg(args, 1)?;
    check_len(s.len() + s.matches('\n').count() * n)?;
    let pad = " ".repeat(n);
    Ok(Node::string(s.replace('\n', &format!("\n{pad}")), span))
}

fn tostring(args: &[Node], span: Span) -> R {
    let a = arg(args, 0)?;
    match &a.value {
        Value::Null => Ok(Node::null(span)),
        _ => Ok(Node::string(to_text(a)?, span)),
    }
}

fn tonumber(args: &[Node], span: Span) -> R {
    let a = arg(args, 0)?;
    match &a.value {
        Value::Null => Ok(Node::null(span)),
        _ => Ok(num(to_number(a)?, span)),
    }
}

fn tobool(args: &[Node], span: Span) -> R {
    let a = arg(args, 0)?;
    match &a.value {
        Value::Null => Ok(Node::null(span)),
        _ => Ok(Node::new(Value::Bool(to_bool(a)?), span)),
    }
}
