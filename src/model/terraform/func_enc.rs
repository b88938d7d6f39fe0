//! Encoding, hashing, network, regular-expression and formatting functions.

use sha2::{Digest, Sha256, Sha512};

use super::value::{EvalError, R, arg, check_len, err, str_arg, to_index};
use crate::parse::node::{Entry, Node, Value, format_number};
use crate::source::Span;

/// JSON as Terraform's `jsonencode` writes it: compact, keys sorted, `<>&` escaped.
pub(super) fn json_text(node: &Node, out: &mut String) -> Result<(), EvalError> {
    match &node.value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&format_number(*n)),
        Value::String(s) => json_string(s, out),
        Value::List(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                json_text(item, out)?;
            }
            out.push(']');
        }
        Value::Map(entries) => {
            let mut sorted: Vec<&Entry> = entries.iter().collect();
            sorted.sort_by(|a, b| a.key.cmp(&b.key));
            out.push('{');
            for (i, e) in sorted.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                json_string(&e.key, out);
                out.push(':');
                json_text(&e.value, out)?;
            }
            out.push('}');
        }
        Value::Unknown(_) => return err("unknown value"),
    }
    Ok(())
}

pub(super) fn json_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => {
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

pub(super) fn jsonencode(args: &[Node], span: Span) -> R {
    let mut out = String::new();
    json_text(arg(args, 0)?, &mut out)?;
    Ok(Node::string(out, span))
}

/// Converts parsed JSON into a node with one span everywhere.
pub(super) fn from_json(v: &serde_json::Value, span: Span) -> Node {
    let value = match v {
        serde_json::Value::Null => Value::Null,
        serde_json::Value::Bool(b) => Value::Bool(*b),
        serde_json::Value::Number(n) => n.as_f64().map_or(Value::Null, Value::Number),
        serde_json::Value::String(s) => Value::String(s.clone()),
        serde_json::Value::Array(items) => {
            Value::List(items.iter().map(|i| from_json(i, span)).collect())
        }
        serde_json::Value::Object(m) => Value::Map(
            m.iter()
                .map(|(k, v)| Entry {
                    key: k.clone(),
                    key_span: span,
                    value: from_json(v, span),
                })
                .collect(),
        ),
    };
    Node::new(value, span)
}

pub(super) fn jsondecode(args: &[Node], span: Span) -> R {
    let s = str_arg(args, 0)?;
    match serde_json::from_str::<serde_json::Value>(&s) {
        Ok(v) => Ok(from_json(&v, span)),
        Err(e) => err(format!("invalid JSON: {e}")),
    }
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

pub(super) fn base64(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(B64[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn unbase64(s: &str) -> Option<Vec<u8>> {
    let s = s.trim_end_matches('=');
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let mut acc = 0u32;
    let mut bits = 0;
    for c in s.bytes() {
        let v = B64.iter().position(|&b| b == c)? as u32;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(((acc >> bits) & 0xff) as u8);
        }
    }
    Some(out)
}

pub(super) fn base64encode(args: &[Node], span: Span) -> R {
    Ok(Node::string(base64(str_arg(args, 0)?.as_bytes()), span))
}

pub(super) fn base64decode(args: &[Node], span: Span) -> R {
    let s = str_arg(args, 0)?;
    match unbase64(&s).and_then(|b| String::from_utf8(b).ok()) {
        Some(t) => Ok(Node::string(t, span)),
        None => err("invalid base64 or not UTF-8"),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub(super) fn sha256(args: &[Node], span: Span) -> R {
    Ok(Node::string(
        hex(&Sha256::digest(str_arg(args, 0)?.as_bytes())),
        span,
    ))
}

pub(super) fn sha512(args: &[Node], span: Span) -> R {
    Ok(Node::string(
        hex(&Sha512::digest(str_arg(args, 0)?.as_bytes())),
        span,
    ))
}

pub(super) fn base64sha256(args: &[Node], span: Span) -> R {
    Ok(Node::string(
        base64(&Sha256::digest(str_arg(args, 0)?.as_bytes())),
        span,
    ))
}

pub(super) fn base64sha512(args: &[Node], span: Span) -> R {
    Ok(Node::string(
        base64(&Sha512::digest(str_arg(args, 0)?.as_bytes())),
        span,
    ))
}

/// An address prefix: the address as a number, its bit width and the prefix length.
struct Cidr {
    addr: u128,
    width: u32,
    len: u32,
}

fn parse_cidr(s: &str) -> Result<Cidr, EvalError> {
    let Some((ip, len)) = s.split_once('/') else {
        return err(format!("invalid CIDR {s:?}"));
    };
    let ip: std::net::IpAddr = ip
        .parse()
        .map_or_else(|_| err(format!("invalid IP in {s:?}")), Ok)?;
    let len: u32 = len
        .parse()
        .map_or_else(|_| err(format!("invalid prefix in {s:?}")), Ok)?;
    let (addr, width) = match ip {
        std::net::IpAddr::V4(v4) => (u128::from(u32::from(v4)), 32),
        std::net::IpAddr::V6(v6) => (u128::from(v6), 128),
    };
    if len > width {
        return err(format!("prefix too long in {s:?}"));
    }
    Ok(Cidr {
        addr: addr & mask(width, len),
        width,
        len,
    })
}

fn mask(width: u32, len: u32) -> u128 {
    let all = if width == 128 {
        u128::MAX
    } else {
        (1u128 << width) - 1
    };
    if len == 0 {
        0
    } else {
        all & !((1u128 << (width - len)) - 1)
    }
}

fn ip_text(addr: u128, width: u32) -> String {
    if width == 32 {
        std::net::Ipv4Addr::from(u32::try_from(addr).unwrap_or(0)).to_string()
    } else {
        std::net::Ipv6Addr::from(addr).to_string()
    }
}

fn subnet(c: &Cidr, newbits: i64, netnum: i64) -> Result<Cidr, EvalError> {
    let newbits =
        u32::try_from(newbits).map_or_else(|_| err("newbits must not be negative"), Ok)?;
    let len = c.len + newbits;
    if len > c.width {
        return err("not enough address space for cidrsubnet()");
    }
    let netnum = u128::try_from(netnum).map_or_else(|_| err("netnum must not be negative"), Ok)?;
    if newbits < 128 && netnum >= (1u128 << newbits) {
        return err("netnum too large for newbits");
    }
    let shift = c.width - len;
    let add = if shift >= 128 { 0 } else { netnum << shift };
    Ok(Cidr {
        addr: c.addr | add,
        width: c.width,
        len,
    })
}

pub(super) fn cidrsubnet(args: &[Node], span: Span) -> R {
    let c = parse_cidr(&str_arg(args, 0)?)?;
    let s = subnet(&c, to_index(arg(args, 1)?)?, to_index(arg(args, 2)?)?)?;
    Ok(Node::string(
        format!("{}/{}", ip_text(s.addr, s.width), s.len),
        span,
    ))
}

pub(super) fn cidrhost(args: &[Node], span: Span) -> R {
    let c = parse_cidr(&str_arg(args, 0)?)?;
    let host = to_index(arg(args, 1)?)?;
    let size = 1u128.checked_shl(c.width - c.len).unwrap_or(u128::MAX);
    let offset = if host < 0 {
        size.checked_sub(host.unsigned_abs().into())
    } else {
        Some(u128::from(host.unsigned_abs())).filter(|h| *h < size)
    };
    let Some(offset) = offset else {
        return err("host number out of range");
    };
    Ok(Node::string(ip_text(c.addr + offset, c.width), span))
}

pub(super) fn cidrnetmask(args: &[Node], span: Span) -> R {
    let c = parse_cidr(&str_arg(args, 0)?)?;
    if c.width != 32 {
        return err("cidrnetmask() only supports IPv4");
    }
    Ok(Node::string(ip_text(mask(32, c.len), 32), span))
}

pub(super) fn cidrsubnets(args: &[Node], span: Span) -> R {
    let c = parse_cidr(&str_arg(args, 0)?)?;
    let mut next = c.addr;
    let end = c.addr + 1u128.checked_shl(c.width - c.len).unwrap_or(u128::MAX);
    let mut out = Vec::new();
    for a in &args[1..] {
        let nb =
            u32::try_from(to_index(a)?).map_or_else(|_| err("newbits must not be negative"), Ok)?;
        let len = c.len + nb;
        if len > c.width {
            return err("not enough address space for cidrsubnets()");
        }
        let size = 1u128.checked_shl(c.width - len).unwrap_or(u128::MAX);
        next = next.div_ceil(size).saturating_mul(size);
        if next.saturating_add(size) > end {
            return err("not enough address space for cidrsubnets()");
        }
        out.push(Node::string(
            format!("{}/{len}", ip_text(next, c.width)),
            span,
        ));
        next += size;
    }
    Ok(Node::new(Value::List(out), span))
}

pub(super) fn urlencode(args: &[Node], span: Span) -> R {
    let s = str_arg(args, 0)?;
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char);
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    Ok(Node::string(out, span))
}

fn compile(pattern: &str) -> Result<regex::Regex, EvalError> {
    regex::RegexBuilder::new(pattern)
        .size_limit(1 << 20)
        .build()
        .map_or_else(|e| err(format!("invalid regular expression: {e}")), Ok)
}

fn captures(re: &regex::Regex, c: &regex::Captures<'_>, span: Span) -> Node {
    let text = |m: Option<regex::Match<'_>>| {
        m.map_or(Node::null(span), |m| Node::string(m.as_str(), span))
    };
    if re.captures_len() == 1 {
        return text(c.get(0));
    }
    if re.capture_names().flatten().next().is_some() {
        let entries = re
            .capture_names()
            .enumerate()
            .filter_map(|(i, n)| n.map(|n| (i, n)))
            .map(|(i, n)| Entry {
                key: n.to_owned(),
                key_span: span,
                value: text(c.get(i)),
            })
            .collect();
        return Node::new(Value::Map(entries), span);
    }
    Node::new(
        Value::List((1..re.captures_len()).map(|i| text(c.get(i))).collect()),
        span,
    )
}

pub(super) fn regex(args: &[Node], span: Span) -> R {
    let re = compile(&str_arg(args, 0)?)?;
    let s = str_arg(args, 1)?;
    match re.captures(&s) {
        Some(c) => Ok(captures(&re, &c, span)),
        None => err("regex() found no match"),
    }
}

pub(super) fn regexall(args: &[Node], span: Span) -> R {
    let re = compile(&str_arg(args, 0)?)?;
    let s = str_arg(args, 1)?;
    let all = re
        .captures_iter(&s)
        .take(super::value::MAX_ELEMENTS)
        .map(|c| captures(&re, &c, span))
        .collect();
    Ok(Node::new(Value::List(all), span))
}

pub(super) fn replace(args: &[Node], span: Span) -> R {
    let s = str_arg(args, 0)?;
    let find = str_arg(args, 1)?;
    let with = str_arg(args, 2)?;
    if find.len() > 1 && find.starts_with('/') && find.ends_with('/') {
        let re = compile(&find[1..find.len() - 1])?;
        let mut out = String::new();
        let mut last = 0;
        for c in re.captures_iter(&s) {
            let Some(m) = c.get(0) else { continue };
            out.push_str(&s[last..m.start()]);
            c.expand(&with, &mut out);
            last = m.end();
            check_len(out.len())?;
        }
        out.push_str(&s[last..]);
        check_len(out.len())?;
        return Ok(Node::string(out, span));
    }
    if find.is_empty() {
        return Ok(Node::string(s, span));
    }
    let n = s.matches(find.as_str()).count();
    check_len((s.len() - n * find.len()).saturating_add(n.saturating_mul(with.len())))?;
    Ok(Node::string(s.replace(&find, &with), span))
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
    fn cidr_functions_compute() {
        let r = cidrsubnet(&[s("10.0.0.0/16"), n(8.0), n(2.0)], Span::default()).unwrap();
        assert_eq!(r.as_str(), Some("10.0.2.0/24"));
        let r = cidrhost(&[s("10.0.1.0/24"), n(5.0)], Span::default()).unwrap();
        assert_eq!(r.as_str(), Some("10.0.1.5"));
        let r = cidrnetmask(&[s("172.16.0.0/12")], Span::default()).unwrap();
        assert_eq!(r.as_str(), Some("255.240.0.0"));
        let r = cidrsubnets(&[s("10.1.0.0/16"), n(4.0), n(4.0), n(8.0)], Span::default()).unwrap();
        let got: Vec<_> = r.items().iter().filter_map(Node::as_str).collect();
        assert_eq!(got, ["10.1.0.0/20", "10.1.16.0/20", "10.1.32.0/24"]);
    }

    #[test]
    fn json_and_base64_roundtrip() {
        let m = Node::new(
            Value::Map(vec![
                Entry {
                    key: "b".into(),
                    key_span: Span::default(),
                    value: s("<x>"),
                },
                Entry {
                    key: "a".into(),
                    key_span: Span::default(),
                    value: n(1.0),
                },
            ]),
            Span::default(),
        );
        let j = jsonencode(&[m], Span::default()).unwrap();
        assert_eq!(j.as_str(), Some(r#"{"a":1,"b":"\u003cx\u003e"}"#));
        assert_eq!(base64("hello".as_bytes()), "aGVsbG8=");
        let d = base64decode(&[s("aGVsbG8=")], Span::default()).unwrap();
        assert_eq!(d.as_str(), Some("hello"));
        let h = sha256(&[s("")], Span::default()).unwrap();
        assert_eq!(
            h.as_str(),
            Some("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        );
    }

    #[test]
    fn regex_functions_follow_capture_shape() {
        let r = regex(&[s("(\\d+)-(\\d+)"), s("10-20")], Span::default()).unwrap();
        assert_eq!(r.items().len(), 2);
        let r = regex(&[s("(?P<a>\\w)"), s("z")], Span::default()).unwrap();
        assert_eq!(r.get("a").and_then(Node::as_str), Some("z"));
        let r = replace(&[s("a-b-c"), s("/-/"), s("+")], Span::default()).unwrap();
        assert_eq!(r.as_str(), Some("a+b+c"));
    }
}
