//! Native checks for Azure and Google Cloud Terraform rules (see `native/mod.rs`): port
//! coverage of NSG and firewall rules, provider-version-dependent defaults, and flow-log
//! configurations that cover a subnet through its network.

use super::NativeFn;
use crate::parse::node::{Node, Value, format_number};
use crate::rules::context::EvalCx;
use crate::rules::truth::Outcome;
use crate::source::Span;

pub(super) const NATIVES: &[(&str, NativeFn)] = &[
    ("azure_nsg_public_ingress", azure_nsg_public_ingress),
    ("gcp_firewall_public_ingress", gcp_firewall_public_ingress),
    ("terraform_provider_at_least", terraform_provider_at_least),
    ("gcp_subnet_network_flow_logs", gcp_subnet_network_flow_logs),
];

/// Three-valued answer about one part of a check.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tri {
    Yes,
    No,
    Unknown,
}

impl Tri {
    fn and(self, other: Tri) -> Tri {
        match (self, other) {
            (Tri::No, _) | (_, Tri::No) => Tri::No,
            (Tri::Yes, Tri::Yes) => Tri::Yes,
            _ => Tri::Unknown,
        }
    }

    fn or(self, other: Tri) -> Tri {
        match (self, other) {
            (Tri::Yes, _) | (_, Tri::Yes) => Tri::Yes,
            (Tri::No, Tri::No) => Tri::No,
            _ => Tri::Unknown,
        }
    }
}

/// A value's text, lower-cased and trimmed: `Err(())` when it cannot be known, `Ok(None)`
/// when it is missing or null.
fn text_of(node: Option<&Node>) -> Result<Option<String>, ()> {
    match node {
        None => Ok(None),
        Some(n) => match &n.value {
            Value::Null => Ok(None),
            Value::Unknown(_) => Err(()),
            _ => Ok(n.scalar_text().map(|t| t.trim().to_ascii_lowercase())),
        },
    }
}

/// Whether the value is one of `options` (lower-case); `missing` when it is not set.
fn text_is(node: Option<&Node>, options: &[&str], missing: Tri) -> Tri {
    match text_of(node) {
        Err(()) => Tri::Unknown,
        Ok(None) => missing,
        Ok(Some(t)) => {
            if options.contains(&t.as_str()) {
                Tri::Yes
            } else {
                Tri::No
            }
        }
    }
}

/// The ports a rule looks for, per protocol (`args.tcp`, `args.udp`; SSH and RDP unless
/// given).
struct Wanted {
    tcp: Vec<u32>,
    udp: Vec<u32>,
}

impl Wanted {
    fn from_args(args: Option<&Node>) -> Wanted {
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

    fn both(&self) -> Vec<u32> {
        let mut v = self.tcp.clone();
        v.extend(&self.udp);
        v
    }
}

/// `*`, `22`, `20-30` (also a bare number) as an inclusive range.
fn port_range(text: &str) -> Option<(u32, u32)> {
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
fn spec_covers(node: &Node, wanted: &[u32]) -> Tri {
    let text = match &node.value {
        Value::Unknown(_) => return Tri::Unknown,
        Value::Number(n) => format_number(*n),
        Value::String(s) => s.clone(),
        _ => return Tri::No,
    };
    match port_range(&text) {
        Some((lo, hi)) if wanted.iter().any(|p| (lo..=hi).contains(p)) => Tri::Yes,
        _ => Tri::No,
    }
}

/// The elements of an attribute that holds one value or a list: `Err(span)` when the
/// whole attribute cannot be known.
fn elements(node: Option<&Node>) -> Result<Vec<&Node>, Span> {
    match node {
        None => Ok(Vec::new()),
        Some(n) => match &n.value {
            Value::Null => Ok(Vec::new()),
            Value::Unknown(_) => Err(n.span),
            Value::List(items) => Ok(items.iter().collect()),
            _ => Ok(vec![n]),
        },
    }
}

/// The first element of the given attributes whose text is one of `public`: `Yes` with
/// its span, `Unknown` when an element (or a whole attribute) cannot be known.
fn public_source(node: &Node, keys: &[&str], public: &[&str]) -> (Tri, Option<Span>) {
    let mut answer = Tri::No;
    for key in keys {
        let items = match elements(node.get(key)) {
            Ok(items) => items,
            Err(_) => {
                answer = Tri::Unknown;
                continue;
            }
        };
        for item in items {
            match text_is(Some(item), public, Tri::No) {
                Tri::Yes => return (Tri::Yes, Some(item.span)),
                Tri::Unknown => answer = Tri::Unknown,
                Tri::No => {}
            }
        }
    }
    (answer, None)
}

/// Whether any element of the given attributes covers a wanted port.
fn ports_cover(node: &Node, keys: &[&str], wanted: &[u32]) -> Tri {
    let mut answer = Tri::No;
    for key in keys {
        match elements(node.get(key)) {
            Ok(items) => {
                for item in items {
                    answer = answer.or(spec_covers(item, wanted));
                }
            }
            Err(_) => answer = answer.or(Tri::Unknown),
        }
    }
    answer
}

/// Turns the answer to "is this rule an exposure?" into an outcome pointing at `span`.
fn exposure(t: Tri, span: Option<Span>, fallback: Span) -> Outcome {
    match t {
        Tri::Yes => Outcome::fail(vec![span.unwrap_or(fallback)]),
        Tri::No => Outcome::pass(Vec::new()),
        Tri::Unknown => Outcome::unknown(vec![span.unwrap_or(fallback)]),
    }
}

const AZURE_ANY_SOURCE: &[&str] = &["*", "0.0.0.0", "0.0.0.0/0", "::/0", "internet", "any"];

/// An Azure NSG rule (an `azurerm_network_security_rule` body or one inline
/// `security_rule` of an `azurerm_network_security_group`) that allows inbound traffic
/// from any source (`*`, `0.0.0.0/0`, `Internet`, `Any`) to a wanted port (`args.tcp`,
/// `args.udp`; by default TCP 22 and 3389, UDP 3389). Fails at the offending source
/// prefix. A map without `access` and `direction` is not a rule and passes.
fn azure_nsg_public_ingress(node: &Node, cx: &EvalCx<'_>, args: Option<&Node>) -> Outcome {
    let (t, span) = nsg_exposure(node, &Wanted::from_args(args));
    exposure(t, span, cx.index.first_line(node.span))
}

/// Whether one NSG rule map exposes a wanted port to any source, with the source's span.
fn nsg_exposure(node: &Node, wanted: &Wanted) -> (Tri, Option<Span>) {
    if node.get("access").is_none() && node.get("direction").is_none() {
        return (Tri::No, None);
    }
    let access = text_is(node.get("access"), &["allow"], Tri::No);
    let direction = text_is(node.get("direction"), &["inbound"], Tri::No);
    let (protocol, ports) = match text_of(node.get("protocol")) {
        Err(()) => (Tri::Unknown, wanted.both()),
        Ok(None) => (Tri::No, Vec::new()),
        Ok(Some(p)) => match p.as_str() {
            "tcp" => (Tri::Yes, wanted.tcp.clone()),
            "udp" => (Tri::Yes, wanted.udp.clone()),
            "*" => (Tri::Yes, wanted.both()),
            _ => (Tri::No, Vec::new()),
        },
    };
    let port = ports_cover(
        node,
        &["destination_port_range", "destination_port_ranges"],
        &ports,
    );
    let (source, span) = public_source(
        node,
        &["source_address_prefix", "source_address_prefixes"],
        AZURE_ANY_SOURCE,
    );
    (
        access.and(direction).and(protocol).and(port).and(source),
        span,
    )
}

const GCP_ANY_SOURCE: &[&str] = &["0.0.0.0/0", "::/0"];

/// A `google_compute_firewall` that is enabled, ingress (the default), has 0.0.0.0/0 or
/// ::/0 in `source_ranges`, and an `allow` block whose protocol (tcp/6, udp/17, all) and
/// ports (none listed: every port) cover a wanted port (`args.tcp`, `args.udp`; by
/// default TCP 22 and 3389, UDP 3389). Fails at the public source range.
fn gcp_firewall_public_ingress(node: &Node, cx: &EvalCx<'_>, args: Option<&Node>) -> Outcome {
    let (t, span) = firewall_exposure(node, &Wanted::from_args(args));
    exposure(t, span, cx.resource.header)
}

/// Whether a firewall body exposes a wanted port to the internet, with the range's span.
fn firewall_exposure(node: &Node, wanted: &Wanted) -> (Tri, Option<Span>) {
    let enabled = match node.get("disabled") {
        None => Tri::Yes,
        Some(n) => match &n.value {
            Value::Null => Tri::Yes,
            Value::Unknown(_) => Tri::Unknown,
            _ => match n.as_bool() {
                Some(true) => Tri::No,
                _ => Tri::Yes,
            },
        },
    };
    let ingress = text_is(node.get("direction"), &["ingress"], Tri::Yes);
    let (source, span) = public_source(node, &["source_ranges"], GCP_ANY_SOURCE);
    let allow = match node.get("allow").map(|a| &a.value) {
        None | Some(Value::Null) => Tri::No,
        Some(Value::Unknown(_)) => Tri::Unknown,
        Some(_) => elements(node.get("allow")).map_or(Tri::Unknown, |blocks| {
            blocks
                .into_iter()
                .fold(Tri::No, |acc, b| acc.or(gcp_allow_covers(b, wanted)))
        }),
    };
    (enabled.and(ingress).and(source).and(allow), span)
}

/// Whether one `allow` block of a firewall admits a wanted port.
fn gcp_allow_covers(block: &Node, wanted: &Wanted) -> Tri {
    if block.is_unknown() {
        return Tri::Unknown;
    }
    let (protocol, ports) = match text_of(block.get("protocol")) {
        Err(()) => (Tri::Unknown, wanted.both()),
        Ok(None) => (Tri::No, Vec::new()),
        Ok(Some(p)) => match p.as_str() {
            "tcp" | "6" => (Tri::Yes, wanted.tcp.clone()),
            "udp" | "17" => (Tri::Yes, wanted.udp.clone()),
            "all" => (Tri::Yes, wanted.both()),
            _ => (Tri::No, Vec::new()),
        },
    };
    let port = match elements(block.get("ports")) {
        Err(_) => Tri::Unknown,
        // No ports listed: the rule applies to every port of the protocol.
        Ok(items) if items.is_empty() => {
            if ports.is_empty() {
                Tri::No
            } else {
                Tri::Yes
            }
        }
        Ok(items) => items
            .into_iter()
            .fold(Tri::No, |acc, i| acc.or(spec_covers(i, &ports))),
    };
    protocol.and(port)
}

/// Whether the Terraform root pins `args.provider` (a local name or a `hashicorp/`
/// source) to versions at or above major `args.major`, for attributes whose default
/// changed in that release. True when every allowed version is at least that major,
/// false when every allowed version is below it (pointing at the resource header),
/// unknown when no `required_providers` constraint decides.
fn terraform_provider_at_least(_: &Node, cx: &EvalCx<'_>, args: Option<&Node>) -> Outcome {
    let me = cx.resource;
    let provider = args.and_then(|a| a.get("provider")).and_then(Node::as_str);
    let major = args.and_then(|a| a.get("major")).and_then(Node::as_f64);
    let (Some(provider), Some(major)) = (provider, major) else {
        return Outcome::unknown(vec![me.header]);
    };
    for block in cx.index.same_root(me, "terraform") {
        for rp in block.body.get("required_providers").map_or(&[][..], |n| {
            if n.items().is_empty() {
                std::slice::from_ref(n)
            } else {
                n.items()
            }
        }) {
            for e in rp.entries() {
                if !names_provider(&e.key, &e.value, provider) {
                    continue;
                }
                let constraint = match &e.value.value {
                    Value::String(s) => Some(s.as_str()),
                    _ => e.value.get("version").and_then(Node::as_str),
                };
                match constraint.and_then(|c| at_least(c, major as u64)) {
                    Some(true) => return Outcome::pass(vec![me.header]),
                    Some(false) => return Outcome::fail(vec![me.header]),
                    None => {}
                }
            }
        }
    }
    Outcome::unknown(vec![me.header])
}

/// Whether a `required_providers` entry is the HashiCorp provider `name`.
fn names_provider(key: &str, value: &Node, name: &str) -> bool {
    match value.get("source").and_then(Node::as_str) {
        Some(source) => {
            let s = source.trim().to_ascii_lowercase();
            let s = s.strip_prefix("registry.terraform.io/").unwrap_or(&s);
            s == format!("hashicorp/{name}")
        }
        None => key == name,
    }
}

/// Whether a version constraint (`~> 4.0`, `>= 3.0, < 5.0`, `= 5.1.0`) allows only
/// versions at or above `major` (`Some(true)`), only versions below it (`Some(false)`),
/// or both (`None`).
fn at_least(constraint: &str, major: u64) -> Option<bool> {
    let mut above = false;
    let mut below = false;
    for part in constraint.split(',') {
        let part = part.trim();
        let (op, rest) = ["~>", ">=", "<=", "!=", ">", "<", "="]
            .iter()
            .find_map(|op| part.strip_prefix(op).map(|r| (*op, r)))
            .unwrap_or(("=", part));
        let rest = rest.trim().trim_start_matches('v');
        let numbers: Vec<u64> = rest
            .split(['-', '+'])
            .next()
            .unwrap_or("")
            .split('.')
            .map_while(|n| n.parse().ok())
            .collect();
        let Some(&first) = numbers.first() else {
            continue;
        };
        let rest_zero = numbers[1..].iter().all(|n| *n == 0);
        match op {
            "=" => {
                if first >= major {
                    above = true;
                } else {
                    below = true;
                }
            }
            ">=" | ">" if first >= major => above = true,
            "<" if first < major || (first == major && rest_zero) => below = true,
            "<=" if first < major => below = true,
            "~>" if first >= major => above = true,
            "~>" if numbers.len() >= 2 => below = true,
            _ => {}
        }
    }
    match (above, below) {
        (true, false) => Some(true),
        (false, true) => Some(false),
        _ => None,
    }
}

/// A `google_compute_subnetwork` whose network has a network-wide
/// `google_network_management_vpc_flow_logs_config` (not `state = "DISABLED"`). True
/// when one refers to the same network; unknown when one might (a reference that cannot
/// be traced, a name that cannot be compared); false otherwise, at the resource header.
fn gcp_subnet_network_flow_logs(node: &Node, cx: &EvalCx<'_>, _: Option<&Node>) -> Outcome {
    let me = cx.resource;
    let Some(mine) = node.get("network") else {
        return Outcome::fail(vec![me.header]);
    };
    let mut maybe = false;
    for cfg in cx
        .index
        .same_root(me, "google_network_management_vpc_flow_logs_config")
    {
        let disabled = text_is(cfg.body.get("state"), &["disabled"], Tri::No);
        if disabled == Tri::Yes {
            continue;
        }
        let Some(theirs) = cfg.body.get("network") else {
            continue;
        };
        match same_network(mine, theirs) {
            Tri::Yes if disabled == Tri::No => return Outcome::pass(vec![cfg.header]),
            Tri::Yes | Tri::Unknown => maybe = true,
            Tri::No => {}
        }
    }
    if maybe {
        Outcome::unknown(vec![me.header])
    } else {
        Outcome::fail(vec![me.header])
    }
}

/// Whether two `network` values name the same VPC: equal names or self links, or
/// references to the same resource.
fn same_network(a: &Node, b: &Node) -> Tri {
    match (&a.value, &b.value) {
        (Value::Unknown(_), Value::Unknown(_)) => {
            let (ra, rb) = (a.refs(), b.refs());
            if ra
                .iter()
                .any(|x| rb.iter().any(|y| resource_of(x) == resource_of(y)))
            {
                Tri::Yes
            } else if untraceable(ra) || untraceable(rb) {
                Tri::Unknown
            } else {
                Tri::No
            }
        }
        (Value::Unknown(_), _) | (_, Value::Unknown(_)) => Tri::Unknown,
        _ => match (a.as_str(), b.as_str()) {
            (Some(x), Some(y)) => {
                let last = |s: &str| {
                    s.trim_end_matches('/')
                        .rsplit('/')
                        .next()
                        .map(str::to_owned)
                };
                if x == y || last(x) == last(y) {
                    Tri::Yes
                } else {
                    Tri::No
                }
            }
            _ => Tri::No,
        },
    }
}

/// References that could be anything: none at all, variables, locals, module outputs,
/// data sources.
fn untraceable(refs: &[String]) -> bool {
    refs.is_empty()
        || refs.iter().any(|r| {
            r.starts_with("var.")
                || r.starts_with("local.")
                || r.starts_with("module.")
                || r.starts_with("data.")
        })
}

/// `google_compute_network.vpc.id` → `google_compute_network.vpc`;
/// `google_compute_network.vpc["a"].id` → `google_compute_network.vpc["a"]`.
fn resource_of(reference: &str) -> &str {
    let mut dots = 0;
    let mut depth = 0;
    let mut quoted = false;
    for (i, c) in reference.char_indices() {
        match c {
            '"' => quoted = !quoted,
            '[' if !quoted => depth += 1,
            ']' if !quoted => depth -= 1,
            '.' if !quoted && depth == 0 => {
                dots += 1;
                if dots == 2 {
                    return &reference[..i];
                }
            }
            _ => {}
        }
    }
    reference
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn port_ranges_cover_wanted_ports() {
        assert_eq!(port_range("*"), Some((0, 65535)));
        assert_eq!(port_range("20-30"), Some((20, 30)));
        assert_eq!(port_range(" 22 "), Some((22, 22)));
        assert_eq!(port_range("ssh"), None);
        let n = |v: Value| Node::new(v, Span::new(crate::source::FileId(0), 0, 1));
        let w = [22, 3389];
        assert_eq!(spec_covers(&n(Value::String("20-30".into())), &w), Tri::Yes);
        assert_eq!(
            spec_covers(&n(Value::String("3000-3388".into())), &w),
            Tri::No
        );
        assert_eq!(spec_covers(&n(Value::Number(3389.0)), &w), Tri::Yes);
        assert_eq!(spec_covers(&n(Value::String("*".into())), &w), Tri::Yes);
        assert_eq!(spec_covers(&n(Value::String("443".into())), &w), Tri::No);
        assert_eq!(
            spec_covers(&n(Value::Unknown(Box::default())), &w),
            Tri::Unknown
        );
        assert_eq!(spec_covers(&n(Value::String("22".into())), &[]), Tri::No);
    }

    #[test]
    fn version_constraints_decide_the_major() {
        assert_eq!(at_least("~> 4.0", 5), Some(false));
        assert_eq!(at_least("~> 3.116.0", 5), Some(false));
        assert_eq!(at_least("~> 5.1", 5), Some(true));
        assert_eq!(at_least("= 4.57.0", 5), Some(false));
        assert_eq!(at_least("4.57.0", 5), Some(false));
        assert_eq!(at_least(">= 5.0.0", 5), Some(true));
        assert_eq!(at_least(">= 3.0, < 5.0", 5), Some(false));
        assert_eq!(at_least(">= 3.0, <= 4.99", 5), Some(false));
        assert_eq!(at_least(">= 3.0", 5), None);
        assert_eq!(at_least("~> 4", 5), None);
        assert_eq!(at_least("< 6.0", 5), None);
        assert_eq!(at_least("!= 4.1.0", 5), None);
        assert_eq!(at_least("", 5), None);
    }

    #[test]
    fn references_name_their_resource() {
        assert_eq!(
            resource_of("google_compute_network.vpc.id"),
            "google_compute_network.vpc"
        );
        assert_eq!(
            resource_of(r#"google_compute_network.vpc["a.b"].self_link"#),
            r#"google_compute_network.vpc["a.b"]"#
        );
        assert_eq!(
            resource_of("google_compute_network.vpc"),
            "google_compute_network.vpc"
        );
        assert!(untraceable(&["var.network".to_owned()]));
        assert!(!untraceable(&["google_compute_network.vpc.id".to_owned()]));
    }

    fn yaml(text: &str) -> Node {
        let src = crate::source::SourceText::new(
            crate::source::FileId(0),
            "t.yaml".into(),
            "t.yaml".into(),
            std::sync::Arc::from(text),
        );
        crate::parse::yaml::parse_yaml(&src)
            .expect("test yaml")
            .remove(0)
    }

    fn ssh_rdp() -> Wanted {
        Wanted::from_args(None)
    }

    #[test]
    fn nsg_rules_open_to_any_source() {
        let open = yaml(
            "{access: Allow, direction: Inbound, protocol: Tcp, destination_port_range: '20-30', source_address_prefixes: ['10.0.0.0/8', Internet]}",
        );
        let (t, span) = nsg_exposure(&open, &ssh_rdp());
        assert_eq!(t, Tri::Yes);
        assert!(span.is_some());
        let udp_rdp = yaml(
            "{access: Allow, direction: Inbound, protocol: Udp, destination_port_ranges: ['3389'], source_address_prefix: '*'}",
        );
        assert_eq!(nsg_exposure(&udp_rdp, &ssh_rdp()).0, Tri::Yes);
        let udp_ssh = yaml(
            "{access: Allow, direction: Inbound, protocol: Udp, destination_port_range: '22', source_address_prefix: '*'}",
        );
        assert_eq!(nsg_exposure(&udp_ssh, &ssh_rdp()).0, Tri::No);
        let deny = yaml(
            "{access: Deny, direction: Inbound, protocol: '*', destination_port_range: '*', source_address_prefix: '*'}",
        );
        assert_eq!(nsg_exposure(&deny, &ssh_rdp()).0, Tri::No);
        let vnet = yaml(
            "{access: Allow, direction: Inbound, protocol: Tcp, destination_port_range: '22', source_address_prefix: VirtualNetwork}",
        );
        assert_eq!(nsg_exposure(&vnet, &ssh_rdp()).0, Tri::No);
        assert_eq!(nsg_exposure(&yaml("{name: x}"), &ssh_rdp()).0, Tri::No);
    }

    #[test]
    fn firewall_allow_blocks_cover_ports() {
        let open = yaml("{source_ranges: ['0.0.0.0/0'], allow: [{protocol: tcp, ports: ['22']}]}");
        assert_eq!(firewall_exposure(&open, &ssh_rdp()).0, Tri::Yes);
        let all_ports = yaml("{source_ranges: ['::/0'], allow: [{protocol: all}]}");
        assert_eq!(firewall_exposure(&all_ports, &ssh_rdp()).0, Tri::Yes);
        let icmp = yaml("{source_ranges: ['0.0.0.0/0'], allow: [{protocol: icmp}]}");
        assert_eq!(firewall_exposure(&icmp, &ssh_rdp()).0, Tri::No);
        let egress =
            yaml("{direction: EGRESS, source_ranges: ['0.0.0.0/0'], allow: [{protocol: tcp}]}");
        assert_eq!(firewall_exposure(&egress, &ssh_rdp()).0, Tri::No);
        let disabled = yaml(
            "{disabled: true, source_ranges: ['0.0.0.0/0'], allow: [{protocol: tcp, ports: ['22']}]}",
        );
        assert_eq!(firewall_exposure(&disabled, &ssh_rdp()).0, Tri::No);
        let tagged = yaml("{source_tags: [web], allow: [{protocol: tcp, ports: ['22']}]}");
        assert_eq!(firewall_exposure(&tagged, &ssh_rdp()).0, Tri::No);
        let numbered =
            yaml("{source_ranges: ['0.0.0.0/0'], allow: [{protocol: '6', ports: ['3000-4000']}]}");
        assert_eq!(firewall_exposure(&numbered, &ssh_rdp()).0, Tri::Yes);
    }

    #[test]
    fn tri_logic() {
        assert_eq!(Tri::Yes.and(Tri::Unknown), Tri::Unknown);
        assert_eq!(Tri::No.and(Tri::Unknown), Tri::No);
        assert_eq!(Tri::Yes.or(Tri::Unknown), Tri::Yes);
        assert_eq!(Tri::No.or(Tri::Unknown), Tri::Unknown);
    }
}
