//! Port specifications and the ports a rule looks for. The lists themselves are `args`
//! in the YAML packs, where an auditor can read them.

use crate::parse::node::{Node, Value, format_number};
use crate::rules::truth::Truth;

use super::values::elements;

/// The ports a rule looks for, per protocol (`args.tcp`, `args.udp`; SSH and RDP unless
/// given).
pub(crate) struct Wanted {
    pub(crate) tcp: Vec<u32>,
    pub(crate) udp: Vec<u32>,
}

impl Wanted {
    pub(crate) fn from_args(args: Option<&Node>) -> Wanted {
        let list = |key: &str, default: &[u32]| -> Vec<u32> {
            match args.and_then(|a| a.get(key)) {
                Some(n) => n
                    .items()
                    .iter()
                    .filter_map(Node::as_f64)
                    .map(|f| f as u32)
                    .collect(),
                None => default.to_vec(),
            }
        };
        Wanted {
            tcp: list("tcp", &[22, 3389]),
            udp: list("udp", &[3389]),
        }
    }

    pub(crate) fn both(&self) -> Vec<u32> {
        let mut v = self.tcp.clone();
        v.extend(&self.udp);
        v
    }
}

/// `*`, `22`, `20-30` (also a bare number) as an inclusive range.
pub(crate) fn port_range(text: &str) -> Option<(u32, u32)> {
    let t = text.trim();
    if t == "*" {
        return Some((0, 65535));
    }
    match t.split_once('-') {
        Some((a, b)) => Some((a.trim().parse().ok()?, b.trim().parse().ok()?)),
        None => {
            let p = t.parse().ok()?;
            Some((p, p))
        }
    }
}

/// Whether one port specification covers any wanted port.
pub(crate) fn spec_covers(node: &Node, wanted: &[u32]) -> Truth {
    let text = match &node.value {
        Value::Unknown(_) => return Truth::Unknown,
        Value::Number(n) => format_number(*n),
        Value::String(s) => s.clone(),
        _ => return Truth::False,
    };
    match port_range(&text) {
        Some((lo, hi)) if wanted.iter().any(|p| (lo..=hi).contains(p)) => Truth::True,
        _ => Truth::False,
    }
}

/// Whether any element of the given attributes covers a wanted port.
pub(crate) fn ports_cover(node: &Node, keys: &[&str], wanted: &[u32]) -> Truth {
    let mut answer = Truth::False;
    for key in keys {
        match elements(node.get(key)) {
            Ok(items) => {
                for item in items {
                    answer = answer.or(spec_covers(item, wanted));
                }
            }
            Err(_) => answer = answer.or(Truth::Unknown),
        }
    }
    answer
}

/// Whether a CIDR stands for the internet: `0.0.0.0/0` and `::/0`, and any range wider
/// than the widest private network (an IPv4 prefix shorter than /8, an IPv6 prefix
/// shorter than /7), which necessarily includes public addresses. A single public host
/// or a provider's block is not "the internet".
pub(crate) fn is_internet_cidr(cidr: &str) -> bool {
    let Some((addr, len)) = cidr.trim().split_once('/') else {
        return false;
    };
    let Ok(len) = len.parse::<u8>() else {
        return false;
    };
    if addr.parse::<std::net::Ipv4Addr>().is_ok() {
        len < 8
    } else if addr.parse::<std::net::Ipv6Addr>().is_ok() {
        len < 7
    } else {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::node::Node;
    use crate::source::Span;

    #[test]
    fn internet_ranges() {
        for yes in [
            "0.0.0.0/0",
            "::/0",
            "0.0.0.0/1",
            "128.0.0.0/1",
            "2000::/3",
            " 0.0.0.0/0 ",
        ] {
            assert!(is_internet_cidr(yes), "{yes}");
        }
        for no in [
            "10.0.0.0/8",
            "203.0.113.7/32",
            "fc00::/7",
            "0.0.0.0",
            "x/0",
            "52.0.0.0/8",
        ] {
            assert!(!is_internet_cidr(no), "{no}");
        }
    }

    #[test]
    fn port_ranges_cover_wanted_ports() {
        assert_eq!(port_range("*"), Some((0, 65535)));
        assert_eq!(port_range("20-30"), Some((20, 30)));
        assert_eq!(port_range(" 22 "), Some((22, 22)));
        assert_eq!(port_range("ssh"), None);
        let n = |v: Value| Node::new(v, Span::new(crate::source::FileId(0), 0, 1));
        let w = [22, 3389];
        assert_eq!(
            spec_covers(&n(Value::String("20-30".into())), &w),
            Truth::True
        );
        assert_eq!(
            spec_covers(&n(Value::String("3000-3388".into())), &w),
            Truth::False
        );
        assert_eq!(spec_covers(&n(Value::Number(3389.0)), &w), Truth::True);
        assert_eq!(spec_covers(&n(Value::String("*".into())), &w), Truth::True);
        assert_eq!(
            spec_covers(&n(Value::String("443".into())), &w),
            Truth::False
        );
        assert_eq!(
            spec_covers(&n(Value::Unknown(Box::default())), &w),
            Truth::Unknown
        );
        assert_eq!(
            spec_covers(&n(Value::String("22".into())), &[]),
            Truth::False
        );
    }
}
