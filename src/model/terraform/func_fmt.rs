//! `format` and `formatlist`: Go-style verbs as Terraform implements them.

use super::func_enc::{json_string, json_text};
use super::value::{
    EvalError, R, check_len, err, str_arg, to_bool, to_index, to_number, to_text, unknown,
};
use crate::parse::node::{Node, Value, format_number};
use crate::source::Span;

/// Renders one value for `%v`.
fn plain(node: &Node) -> Result<String, EvalError> {
    match &node.value {
        Value::List(_) | Value::Map(_) => {
            let mut out = String::new();
            json_text(node, &mut out)?;
            Ok(out)
        }
        Value::Null => Ok("null".into()),
        _ => to_text(node),
    }
}

fn pad(s: String, width: usize, left: bool, zero: bool) -> String {
    let n = s.chars().count();
    if n >= width {
        return s;
    }
    let fill = width - n;
    if left {
        format!("{s}{}", " ".repeat(fill))
    } else if zero {
        let (sign, digits) = if s.starts_with(['-', '+']) {
            s.split_at(1)
        } else {
            ("", s.as_str())
        };
        format!("{sign}{}{digits}", "0".repeat(fill))
    } else {
        format!("{}{s}", " ".repeat(fill))
    }
}

/// Go-style `format`: `%s %d %f %v %#v %q %t %x %%`, flags `-+0`, width, precision, `%[n]`.
pub(super) fn format_text(spec: &str, args: &[Node]) -> Result<String, EvalError> {
    let mut out = String::new();
    let mut chars = spec.chars().peekable();
    let mut next_arg = 0usize;
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let (mut left, mut zero, mut plus, mut sharp) = (false, false, false, false);
        while let Some(&f) = chars.peek() {
            match f {
                '-' => left = true,
                '0' => zero = true,
                '+' => plus = true,
                '#' => sharp = true,
                ' ' => {}
                _ => break,
            }
            chars.next();
        }
        let digits = |chars: &mut std::iter::Peekable<std::str::Chars<'_>>| {
            let mut n: Option<usize> = None;
            while let Some(d) = chars.peek().and_then(|c| c.to_digit(10)) {
                n = Some(
                    n.unwrap_or(0)
                        .saturating_mul(10)
                        .saturating_add(d as usize)
                        .min(1000),
                );
                chars.next();
            }
            n
        };
        let width = digits(&mut chars).unwrap_or(0);
        let precision = if chars.peek() == Some(&'.') {
            chars.next();
            Some(digits(&mut chars).unwrap_or(0))
        } else {
            None
        };
        if chars.peek() == Some(&'[') {
            chars.next();
            let n = digits(&mut chars).unwrap_or(1);
            if chars.next() != Some(']') || n == 0 {
                return err("invalid argument index in format");
            }
            next_arg = n - 1;
        }
        let Some(verb) = chars.next() else {
            return err("format ends with %");
        };
        if verb == '%' {
            out.push('%');
            continue;
        }
        let Some(a) = args.get(next_arg) else {
            return err("not enough arguments for format");
        };
        next_arg += 1;
        let text = match verb {
            'v' if sharp => {
                let mut s = String::new();
                json_text(a, &mut s)?;
                s
            }
            'v' => plain(a)?,
            's' => {
                let s = to_text(a)?;
                match precision {
                    Some(p) => s.chars().take(p).collect(),
                    None => s,
                }
            }
            'q' => {
                let mut s = String::new();
                json_string(&to_text(a)?, &mut s);
                s
            }
            't' => to_bool(a)?.to_string(),
            'd' => {
                let n = to_number(a)?;
                if n.fract() != 0.0 {
                    return err("%d needs a whole number");
                }
                let s = format_number(n);
                if plus && n >= 0.0 { format!("+{s}") } else { s }
            }
            'f' | 'e' | 'g' => {
                let n = to_number(a)?;
                let s = match verb {
                    'e' => format!("{:.*e}", precision.unwrap_or(6), n),
                    'g' => format_number(n),
                    _ => format!("{:.*}", precision.unwrap_or(6), n),
                };
                if plus && n >= 0.0 { format!("+{s}") } else { s }
            }
            'x' | 'X' | 'o' | 'b' => {
                let n = to_index(a)?;
                match verb {
                    'x' => format!("{n:x}"),
                    'X' => format!("{n:X}"),
                    'o' => format!("{n:o}"),
                    _ => format!("{n:b}"),
                }
            }
            other => return err(format!("unsupported format verb %{other}")),
        };
        out.push_str(&pad(text, width, left, zero && !left));
        check_len(out.len())?;
    }
    Ok(out)
}

pub(super) fn format(args: &[Node], span: Span) -> R {
    let spec = str_arg(args, 0)?;
    Ok(Node::string(format_text(&spec, &args[1..])?, span))
}

pub(super) fn formatlist(args: &[Node], span: Span) -> R {
    let spec = str_arg(args, 0)?;
    let rest = &args[1..];
    let mut len: Option<usize> = None;
    for a in rest {
        if let Value::List(items) = &a.value {
            if len.is_some_and(|l| l != items.len()) {
                return err("formatlist() lists must have the same length");
            }
            len = Some(items.len());
        }
    }
    let Some(len) = len else {
        return Ok(Node::new(
            Value::List(vec![Node::string(format_text(&spec, rest)?, span)]),
            span,
        ));
    };
    if len > super::value::MAX_ELEMENTS {
        return Ok(unknown("formatlist() too large", Vec::new(), span));
    }
    let mut out = Vec::with_capacity(len);
    let mut total = 0usize;
    for i in 0..len {
        let row: Vec<Node> = rest
            .iter()
            .map(|a| match &a.value {
                Value::List(items) => items[i].clone(),
                _ => a.clone(),
            })
            .collect();
        let line = format_text(&spec, &row)?;
        total += line.len();
        check_len(total)?;
        out.push(Node::string(line, span));
    }
    Ok(Node::new(Value::List(out), span))
}

#[cfg(test)]
mod tests {
    use super::super::value::num;
    use super::*;

    fn s(t: &str) -> Node {
        Node::string(t, Span::default())
    }
    fn n(v: f64) -> Node {
        num(v, Span::default())
    }

    #[test]
    fn format_handles_common_verbs() {
        let out = format_text(
            "%s-%03d %q %v %.2f %%",
            &[s("a"), n(7.0), s("x"), n(1.5), n(2.0)],
        )
        .unwrap();
        assert_eq!(out, "a-007 \"x\" 1.5 2.00 %");
        assert!(format_text("%d", &[n(1.5)]).is_err());
    }
}
