//! `aws_sg_public_ingress`: security-group ingress from the internet to ports a rule
//! names. Native because protocols, port ranges and CIDR lists across three resource
//! shapes (inline `ingress`, `aws_security_group_rule`, `aws_vpc_security_group_ingress_rule`)
//! must be combined.

use crate::parse::node::{Node, Value};
use crate::rules::context::EvalCx;
use crate::rules::native::support::gathered::Gathered;
use crate::rules::native::support::values::scalar_string;
use crate::rules::truth::Outcome;
use crate::source::Span;

/// Remote administration: SSH and RDP.
const ADMIN_PORTS: &[u32] = &[22, 3389];

/// Databases, caches, search, dashboards, container and remote-management daemons.
const SERVICE_PORTS: &[u32] = &[
    23, 1433, 1434, 1521, 2375, 2376, 2379, 3306, 5432, 5601, 5984, 5985, 5986, 6379, 9042, 9200,
    9300, 11211, 27017,
];

/// What one ingress rule opens, most severe first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Exposure {
    /// Every protocol, or every TCP/UDP port.
    All,
    /// SSH or RDP.
    Admin,
    /// A database, cache or management port.
    Service,
    None,
}

/// Classifies a rule by protocol and port range; `None` when a needed value is unknown.
fn classify(protocol: &str, from: Option<f64>, to: Option<f64>) -> Option<Exposure> {
    let p = protocol.trim().to_ascii_lowercase();
    let tcp = p == "tcp" || p == "6";
    let udp = p == "udp" || p == "17";
    if p == "-1" || p == "all" {
        return Some(Exposure::All);
    }
    if !tcp && !udp {
        return Some(Exposure::None);
    }
    let (from, to) = (from?, to?);
    if from <= 1.0 && to >= 65535.0 {
        return Some(Exposure::All);
    }
    let covers = |ports: &[u32]| {
        ports
            .iter()
            .any(|&port| from <= f64::from(port) && f64::from(port) <= to)
    };
    // Over UDP only RDP (3389) is a remote-administration service.
    if (tcp && covers(ADMIN_PORTS)) || (udp && covers(&[3389])) {
        return Some(Exposure::Admin);
    }
    if tcp && covers(SERVICE_PORTS) {
        return Some(Exposure::Service);
    }
    Some(Exposure::None)
}

fn is_public_cidr(s: &str) -> bool {
    matches!(s.trim(), "0.0.0.0/0" | "::/0")
}

/// Public sources of one rule: spans of `0.0.0.0/0` / `::/0` values, and whether some
/// source is unknown.
fn public_sources(rule: &Node, attrs: &[&str]) -> (Vec<Span>, Option<Span>) {
    let mut spans = Vec::new();
    let mut unknown = None;
    for attr in attrs {
        let Some(v) = rule.get(attr) else { continue };
        let items: Vec<&Node> = match &v.value {
            Value::List(items) => items.iter().collect(),
            _ => vec![v],
        };
        for item in items {
            match &item.value {
                Value::String(s) if is_public_cidr(s) => spans.push(item.span),
                Value::Unknown(_) => unknown = unknown.or(Some(item.span)),
                _ => {}
            }
        }
    }
    (spans, unknown)
}

fn port(rule: &Node, key: &str) -> Option<f64> {
    rule.get(key).and_then(Node::as_f64)
}

fn check_sg_rule(
    rule: &Node,
    protocol_key: &str,
    cidrs: &[&str],
    want: Exposure,
    acc: &mut Gathered,
) {
    if rule.is_unknown() || rule.get("_dynamic_unknown").is_some() {
        acc.unknown(rule.span);
        return;
    }
    let (public, unknown_source) = public_sources(rule, cidrs);
    if public.is_empty() && unknown_source.is_none() {
        return;
    }
    let protocol = rule.get(protocol_key);
    let exposure = match protocol.and_then(scalar_string) {
        Some(p) => classify(&p, port(rule, "from_port"), port(rule, "to_port")),
        None => None,
    };
    match exposure {
        Some(e) if e != want => {}
        Some(_) if !public.is_empty() => public.into_iter().for_each(|s| acc.fail(s)),
        _ => acc.unknown(
            unknown_source
                .or(public.first().copied())
                .unwrap_or(rule.span),
        ),
    }
}

/// Ingress from `0.0.0.0/0` or `::/0` that opens the exposure class named in
/// `args.class` (`all`, `admin` or `service`); each public CIDR is a failure.
pub(crate) fn check(node: &Node, cx: &EvalCx<'_>, args: Option<&Node>) -> Outcome {
    let want = match args.and_then(|a| a.get("class")).and_then(Node::as_str) {
        Some("all") => Exposure::All,
        Some("admin") => Exposure::Admin,
        Some("service") => Exposure::Service,
        _ => return Outcome::unknown(Vec::new()),
    };
    let mut acc = Gathered::default();
    match cx.resource.kind.as_str() {
        "aws_security_group" | "aws_default_security_group" => match node.get("ingress") {
            Some(v) if v.is_unknown() => acc.unknown(v.span),
            Some(v) => {
                for rule in v.items() {
                    check_sg_rule(
                        rule,
                        "protocol",
                        &["cidr_blocks", "ipv6_cidr_blocks"],
                        want,
                        &mut acc,
                    );
                }
            }
            None => {}
        },
        "aws_security_group_rule" => match node.get("type").map(|t| &t.value) {
            Some(Value::String(t)) if t == "ingress" => check_sg_rule(
                node,
                "protocol",
                &["cidr_blocks", "ipv6_cidr_blocks"],
                want,
                &mut acc,
            ),
            Some(Value::Unknown(_)) => acc.unknown(cx.resource.header),
            _ => {}
        },
        "aws_vpc_security_group_ingress_rule" => {
            check_sg_rule(
                node,
                "ip_protocol",
                &["cidr_ipv4", "cidr_ipv6"],
                want,
                &mut acc,
            );
        }
        _ => {}
    }
    acc.outcome()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn port_ranges_are_classified_by_most_severe_exposure() {
        let c = |p: &str, f: f64, t: f64| classify(p, Some(f), Some(t)).unwrap();
        assert_eq!(c("-1", 0.0, 0.0), Exposure::All);
        assert_eq!(c("tcp", 0.0, 65535.0), Exposure::All);
        assert_eq!(c("6", 22.0, 22.0), Exposure::Admin);
        assert_eq!(c("tcp", 20.0, 3400.0), Exposure::Admin);
        assert_eq!(c("TCP", 5432.0, 5432.0), Exposure::Service);
        assert_eq!(c("tcp", 1024.0, 65535.0), Exposure::Admin);
        assert_eq!(c("tcp", 5000.0, 65535.0), Exposure::Service);
        assert_eq!(c("tcp", 443.0, 443.0), Exposure::None);
        assert_eq!(c("udp", 3389.0, 3389.0), Exposure::Admin);
        assert_eq!(c("udp", 22.0, 22.0), Exposure::None);
        assert_eq!(c("icmp", -1.0, -1.0), Exposure::None);
        assert_eq!(classify("tcp", None, Some(22.0)), None);
        assert_eq!(classify("all", None, None), Some(Exposure::All));
    }
}
