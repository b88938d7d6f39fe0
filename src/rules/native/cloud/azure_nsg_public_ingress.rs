//! `azure_nsg_public_ingress`: NSG rules (separate or inline) allowing inbound traffic
//! from any source to ports the rule names. Native because protocol, port ranges and
//! source prefixes (`*`, `Internet`, `Any`, CIDRs) must be combined three-valued.

use super::{exposure, public_source};
use crate::parse::node::Node;
use crate::rules::context::EvalCx;
use crate::rules::native::support::ports::{Wanted, ports_cover};
use crate::rules::native::support::values::{text_is, text_of};
use crate::rules::truth::{Outcome, Truth};
use crate::source::Span;

const AZURE_ANY_SOURCE: &[&str] = &["*", "0.0.0.0", "0.0.0.0/0", "::/0", "internet", "any"];

/// An Azure NSG rule (an `azurerm_network_security_rule` body or one inline
/// `security_rule` of an `azurerm_network_security_group`) that allows inbound traffic
/// from any source (`*`, `0.0.0.0/0`, `Internet`, `Any`) to a wanted port (`args.tcp`,
/// `args.udp`; by default TCP 22 and 3389, UDP 3389). Fails at the offending source
/// prefix. A map without `access` and `direction` is not a rule and passes.
pub(crate) fn check(node: &Node, cx: &EvalCx<'_>, args: Option<&Node>) -> Outcome {
    let (t, span) = nsg_exposure(node, &Wanted::from_args(args));
    exposure(t, span, cx.index.first_line(node.span))
}

/// Whether one NSG rule map exposes a wanted port to any source, with the source's span.
fn nsg_exposure(node: &Node, wanted: &Wanted) -> (Truth, Option<Span>) {
    if node.get("access").is_none() && node.get("direction").is_none() {
        return (Truth::False, None);
    }
    let access = text_is(node.get("access"), &["allow"], Truth::False);
    let direction = text_is(node.get("direction"), &["inbound"], Truth::False);
    let (protocol, ports) = match text_of(node.get("protocol")) {
        Err(()) => (Truth::Unknown, wanted.both()),
        Ok(None) => (Truth::False, Vec::new()),
        Ok(Some(p)) => match p.as_str() {
            "tcp" => (Truth::True, wanted.tcp.clone()),
            "udp" => (Truth::True, wanted.udp.clone()),
            "*" => (Truth::True, wanted.both()),
            _ => (Truth::False, Vec::new()),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::native::cloud::test_support::{ssh_rdp, yaml};

    #[test]
    fn nsg_rules_open_to_any_source() {
        let open = yaml(
            "{access: Allow, direction: Inbound, protocol: Tcp, destination_port_range: '20-30', source_address_prefixes: ['10.0.0.0/8', Internet]}",
        );
        let (t, span) = nsg_exposure(&open, &ssh_rdp());
        assert_eq!(t, Truth::True);
        assert!(span.is_some());
        let udp_rdp = yaml(
            "{access: Allow, direction: Inbound, protocol: Udp, destination_port_ranges: ['3389'], source_address_prefix: '*'}",
        );
        assert_eq!(nsg_exposure(&udp_rdp, &ssh_rdp()).0, Truth::True);
        let udp_ssh = yaml(
            "{access: Allow, direction: Inbound, protocol: Udp, destination_port_range: '22', source_address_prefix: '*'}",
        );
        assert_eq!(nsg_exposure(&udp_ssh, &ssh_rdp()).0, Truth::False);
        let deny = yaml(
            "{access: Deny, direction: Inbound, protocol: '*', destination_port_range: '*', source_address_prefix: '*'}",
        );
        assert_eq!(nsg_exposure(&deny, &ssh_rdp()).0, Truth::False);
        let vnet = yaml(
            "{access: Allow, direction: Inbound, protocol: Tcp, destination_port_range: '22', source_address_prefix: VirtualNetwork}",
        );
        assert_eq!(nsg_exposure(&vnet, &ssh_rdp()).0, Truth::False);
        assert_eq!(nsg_exposure(&yaml("{name: x}"), &ssh_rdp()).0, Truth::False);
    }
}
