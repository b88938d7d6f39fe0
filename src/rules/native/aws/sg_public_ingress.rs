//! `aws_sg_public_ingress`: security-group ingress from the internet to ports a rule
//! names. Native because protocols, port ranges and CIDR lists across three resource
//! shapes (inline `ingress`, `aws_security_group_rule`, `aws_vpc_security_group_ingress_rule`)
//! must be combined.

use crate::parse::node::{Node, Value};
use crate::rules::context::EvalCx;
use crate::rules::native::support::gathered::Gathered;
use crate::rules::native::support::ports::is_internet_cidr;
use crate::rules::native::support::values::scalar_string;
use crate::rules::truth::Outcome;
use crate::source::Span;

/// What a rule looks for, from its `args`: every port (`all_ports: true`), or the ports
/// in `tcp`/`udp`, skipping rules that also open a port in `except` (a more severe rule
/// reports those). The lists are in the YAML pack, where an auditor can read them.
#[derive(Debug)]
pub(crate) struct Wanted {
    all_ports: bool,
    ports: Ports,
    except: Ports,
}

#[derive(Debug, Default)]
struct Ports {
    tcp: Vec<f64>,
    udp: Vec<f64>,
}

impl Ports {
    fn from(node: Option<&Node>) -> Ports {
        let list = |key: &str| -> Vec<f64> {
            node.and_then(|a| a.get(key))
                .map(|n| n.items().iter().filter_map(Node::as_f64).collect())
                .unwrap_or_default()
        };
        Ports {
            tcp: list("tcp"),
            udp: list("udp"),
        }
    }

    /// Whether `from..=to` over the protocol covers one of these ports.
    fn covered(&self, tcp: bool, from: f64, to: f64) -> bool {
        let list = if tcp { &self.tcp } else { &self.udp };
        list.iter().any(|&p| from <= p && p <= to)
    }
}

impl Wanted {
    fn from_args(args: Option<&Node>) -> Option<Wanted> {
        let args = args?;
        let all_ports = args.get("all_ports").and_then(Node::as_bool) == Some(true);
        let ports = Ports::from(Some(args));
        if !all_ports && ports.tcp.is_empty() && ports.udp.is_empty() {
            return None;
        }
        Some(Wanted {
            all_ports,
            ports,
            except: Ports::from(args.get("except")),
        })
    }

    /// Whether a rule with this protocol and port range is one this check reports;
    /// `None` when a needed value is unknown.
    fn matches(&self, protocol: &str, from: Option<f64>, to: Option<f64>) -> Option<bool> {
        let p = protocol.trim().to_ascii_lowercase();
        if p == "-1" || p == "all" {
            return Some(self.all_ports);
        }
        let tcp = p == "tcp" || p == "6";
        let udp = p == "udp" || p == "17";
        if !tcp && !udp {
            return Some(false);
        }
        let (from, to) = (from?, to?);
        let every_port = from <= 1.0 && to >= 65535.0;
        if self.all_ports || every_port {
            return Some(self.all_ports && every_port);
        }
        Some(self.ports.covered(tcp, from, to) && !self.except.covered(tcp, from, to))
    }
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
                Value::String(s) if is_internet_cidr(s) => spans.push(item.span),
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
    want: &Wanted,
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
    let matched = match protocol.and_then(scalar_string) {
        Some(p) => want.matches(&p, port(rule, "from_port"), port(rule, "to_port")),
        None => None,
    };
    match matched {
        Some(false) => {}
        Some(true) if !public.is_empty() => public.into_iter().for_each(|s| acc.fail(s)),
        _ => acc.unknown(
            unknown_source
                .or(public.first().copied())
                .unwrap_or(rule.span),
        ),
    }
}

/// Ingress from the internet (see `is_internet_cidr`) that opens what `args` names
/// (`Wanted`); each internet CIDR is a failure.
pub(crate) fn check(node: &Node, cx: &EvalCx<'_>, args: Option<&Node>) -> Outcome {
    let Some(want) = Wanted::from_args(args) else {
        // A rule without ports cannot decide anything (the loader's args are data).
        return Outcome::unknown(Vec::new());
    };
    let want = &want;
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
    use crate::parse::yaml::parse_yaml;
    use crate::source::{FileId, SourceText};

    fn wanted(yaml: &str) -> Wanted {
        let src = SourceText::new(FileId(0), "a", "a".into(), std::sync::Arc::from(yaml));
        let doc = parse_yaml(&src).expect("args parse").remove(0);
        Wanted::from_args(Some(&doc)).expect("ports given")
    }

    #[test]
    fn port_ranges_match_the_ports_the_rule_names() {
        let admin = wanted("{tcp: [22, 3389], udp: [3389]}");
        let service = wanted("{tcp: [5432, 6379], except: {tcp: [22, 3389], udp: [3389]}}");
        let all = wanted("{all_ports: true}");
        let m = |w: &Wanted, p: &str, f: f64, t: f64| w.matches(p, Some(f), Some(t)).unwrap();
        assert!(m(&all, "-1", 0.0, 0.0));
        assert!(m(&all, "tcp", 0.0, 65535.0));
        assert!(
            !m(&admin, "tcp", 0.0, 65535.0),
            "every port is the all-ports rule's"
        );
        assert!(m(&admin, "6", 22.0, 22.0));
        assert!(m(&admin, "tcp", 20.0, 3400.0));
        assert!(m(&admin, "udp", 3389.0, 3389.0));
        assert!(!m(&admin, "udp", 22.0, 22.0));
        assert!(m(&service, "TCP", 5432.0, 5432.0));
        assert!(
            !m(&service, "tcp", 1024.0, 65535.0),
            "covers RDP: the admin rule's"
        );
        assert!(m(&service, "tcp", 5000.0, 65535.0));
        assert!(!m(&service, "tcp", 443.0, 443.0));
        assert!(!m(&admin, "icmp", -1.0, -1.0));
        assert_eq!(admin.matches("tcp", None, Some(22.0)), None);
        assert_eq!(all.matches("all", None, None), Some(true));
    }
}
