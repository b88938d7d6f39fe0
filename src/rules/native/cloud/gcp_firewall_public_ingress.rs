//! `gcp_firewall_public_ingress`: enabled ingress firewall rules from 0.0.0.0/0 or ::/0
//! whose `allow` blocks cover ports the rule names. Native because protocols, port lists
//! (none listed: every port) and source ranges must be combined three-valued.

use super::{exposure, public_source};
use crate::parse::node::{Node, Value};
use crate::rules::context::EvalCx;
use crate::rules::native::support::ports::{Wanted, spec_covers};
use crate::rules::native::support::values::{elements, text_is, text_of};
use crate::rules::truth::{Outcome, Truth};
use crate::source::Span;

const GCP_ANY_SOURCE: &[&str] = &["0.0.0.0/0", "::/0"];

/// A `google_compute_firewall` that is enabled, ingress (the default), has 0.0.0.0/0 or
/// ::/0 in `source_ranges`, and an `allow` block whose protocol (tcp/6, udp/17, all) and
/// ports (none listed: every port) cover a wanted port (`args.tcp`, `args.udp`; by
/// default TCP 22 and 3389, UDP 3389). Fails at the public source range.
pub(crate) fn check(node: &Node, cx: &EvalCx<'_>, args: Option<&Node>) -> Outcome {
    let (t, span) = firewall_exposure(node, &Wanted::from_args(args));
    exposure(t, span, cx.resource.header)
}

/// Whether a firewall body exposes a wanted port to the internet, with the range's span.
fn firewall_exposure(node: &Node, wanted: &Wanted) -> (Truth, Option<Span>) {
    let enabled = match node.get("disabled") {
        None => Truth::True,
        Some(n) => match &n.value {
            Value::Null => Truth::True,
            Value::Unknown(_) => Truth::Unknown,
            _ => match n.as_bool() {
                Some(true) => Truth::False,
                _ => Truth::True,
            },
        },
    };
    let ingress = text_is(node.get("direction"), &["ingress"], Truth::True);
    let (mut source, mut span) = public_source(node, &["source_ranges"], GCP_ANY_SOURCE);
    // An ingress rule that names no source applies to 0.0.0.0/0.
    if source == Truth::False {
        source = implicit_any_source(node);
    }
    if source == Truth::True && span.is_none() {
        span = node.get("allow").map(|a| a.span);
    }
    let allow = match node.get("allow").map(|a| &a.value) {
        None | Some(Value::Null) => Truth::False,
        Some(Value::Unknown(_)) => Truth::Unknown,
        Some(_) => elements(node.get("allow")).map_or(Truth::Unknown, |blocks| {
            blocks
                .into_iter()
                .fold(Truth::False, |acc, b| acc.or(gcp_allow_covers(b, wanted)))
        }),
    };
    (enabled.and(ingress).and(source).and(allow), span)
}

/// Whether the rule leaves its source out (no `source_ranges`, `source_tags` or
/// `source_service_accounts`, or empty lists), which Google Cloud reads as 0.0.0.0/0.
fn implicit_any_source(node: &Node) -> Truth {
    let mut answer = Truth::True;
    for key in ["source_ranges", "source_tags", "source_service_accounts"] {
        match elements(node.get(key)) {
            Ok(items) if items.is_empty() => {}
            Ok(_) => return Truth::False,
            Err(_) => answer = Truth::Unknown,
        }
    }
    answer
}

/// Whether one `allow` block of a firewall admits a wanted port.
fn gcp_allow_covers(block: &Node, wanted: &Wanted) -> Truth {
    if block.is_unknown() {
        return Truth::Unknown;
    }
    let (protocol, ports) = match text_of(block.get("protocol")) {
        Err(()) => (Truth::Unknown, wanted.both()),
        Ok(None) => (Truth::False, Vec::new()),
        Ok(Some(p)) => match p.as_str() {
            "tcp" | "6" => (Truth::True, wanted.tcp.clone()),
            "udp" | "17" => (Truth::True, wanted.udp.clone()),
            "all" => (Truth::True, wanted.both()),
            _ => (Truth::False, Vec::new()),
        },
    };
    let port = match elements(block.get("ports")) {
        Err(_) => Truth::Unknown,
        // No ports listed: the rule applies to every port of the protocol.
        Ok(items) if items.is_empty() => {
            if ports.is_empty() {
                Truth::False
            } else {
                Truth::True
            }
        }
        Ok(items) => items
            .into_iter()
            .fold(Truth::False, |acc, i| acc.or(spec_covers(i, &ports))),
    };
    protocol.and(port)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::native::cloud::test_support::{ssh_rdp, yaml};

    #[test]
    fn firewall_allow_blocks_cover_ports() {
        let open = yaml("{source_ranges: ['0.0.0.0/0'], allow: [{protocol: tcp, ports: ['22']}]}");
        assert_eq!(firewall_exposure(&open, &ssh_rdp()).0, Truth::True);
        let all_ports = yaml("{source_ranges: ['::/0'], allow: [{protocol: all}]}");
        assert_eq!(firewall_exposure(&all_ports, &ssh_rdp()).0, Truth::True);
        let icmp = yaml("{source_ranges: ['0.0.0.0/0'], allow: [{protocol: icmp}]}");
        assert_eq!(firewall_exposure(&icmp, &ssh_rdp()).0, Truth::False);
        let egress =
            yaml("{direction: EGRESS, source_ranges: ['0.0.0.0/0'], allow: [{protocol: tcp}]}");
        assert_eq!(firewall_exposure(&egress, &ssh_rdp()).0, Truth::False);
        let disabled = yaml(
            "{disabled: true, source_ranges: ['0.0.0.0/0'], allow: [{protocol: tcp, ports: ['22']}]}",
        );
        assert_eq!(firewall_exposure(&disabled, &ssh_rdp()).0, Truth::False);
        let tagged = yaml("{source_tags: [web], allow: [{protocol: tcp, ports: ['22']}]}");
        assert_eq!(firewall_exposure(&tagged, &ssh_rdp()).0, Truth::False);
        let no_source = yaml("{allow: [{protocol: tcp, ports: ['22']}]}");
        assert_eq!(firewall_exposure(&no_source, &ssh_rdp()).0, Truth::True);
        let no_source_egress = yaml("{direction: EGRESS, allow: [{protocol: tcp}]}");
        assert_eq!(
            firewall_exposure(&no_source_egress, &ssh_rdp()).0,
            Truth::False
        );
        let numbered =
            yaml("{source_ranges: ['0.0.0.0/0'], allow: [{protocol: '6', ports: ['3000-4000']}]}");
        assert_eq!(firewall_exposure(&numbered, &ssh_rdp()).0, Truth::True);
    }
}
