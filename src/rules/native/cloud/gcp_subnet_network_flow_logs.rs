//! `gcp_subnet_network_flow_logs`: a subnet covered by a network-wide VPC flow-logs
//! configuration. Native because the two refer to the same network by reference, name
//! or self link.

use crate::model::terraform::ManagedAddresses;
use crate::parse::node::{Node, Value};
use crate::rules::context::EvalCx;
use crate::rules::native::support::values::text_is;
use crate::rules::truth::{Outcome, Truth};

/// A `google_compute_subnetwork` whose network has a network-wide
/// `google_network_management_vpc_flow_logs_config` (not `state = "DISABLED"`). True
/// when one refers to the same network; unknown when one might (a reference that cannot
/// be traced, a name that cannot be compared); false otherwise, at the resource header.
pub(crate) fn check(node: &Node, cx: &EvalCx<'_>, _: Option<&Node>) -> Outcome {
    let me = cx.resource;
    let Some(mine) = node.get("network") else {
        return Outcome::fail(vec![me.header]);
    };
    let mut maybe = false;
    let managed = cx
        .index
        .memo("terraform_managed_addresses", ManagedAddresses::new);
    let untraceable =
        |refs: &[String]| refs.is_empty() || refs.iter().any(|r| managed.untraceable(me, r));
    for cfg in cx
        .index
        .same_root(me, "google_network_management_vpc_flow_logs_config")
    {
        let disabled = text_is(cfg.body.get("state"), &["disabled"], Truth::False);
        if disabled == Truth::True {
            continue;
        }
        let Some(theirs) = cfg.body.get("network") else {
            continue;
        };
        match same_network(mine, theirs, &untraceable) {
            Truth::True if disabled == Truth::False => return Outcome::pass(vec![cfg.header]),
            Truth::True | Truth::Unknown => maybe = true,
            Truth::False => {}
        }
    }
    if maybe {
        Outcome::unknown(vec![me.header])
    } else {
        Outcome::fail(vec![me.header])
    }
}

/// Whether two `network` values name the same VPC: equal names or self links, or
/// references to the same resource. `untraceable`: references that could be anything
/// (none at all, variables, locals, module outputs, data sources; not a resource of a
/// module instance, see `ManagedAddresses`).
fn same_network(a: &Node, b: &Node, untraceable: &dyn Fn(&[String]) -> bool) -> Truth {
    match (&a.value, &b.value) {
        (Value::Unknown(_), Value::Unknown(_)) => {
            let (ra, rb) = (a.refs(), b.refs());
            if ra
                .iter()
                .any(|x| rb.iter().any(|y| resource_of(x) == resource_of(y)))
            {
                Truth::True
            } else if untraceable(ra) || untraceable(rb) {
                Truth::Unknown
            } else {
                Truth::False
            }
        }
        (Value::Unknown(_), _) | (_, Value::Unknown(_)) => Truth::Unknown,
        _ => match (a.as_str(), b.as_str()) {
            (Some(x), Some(y)) => {
                let last = |s: &str| {
                    s.trim_end_matches('/')
                        .rsplit('/')
                        .next()
                        .map(str::to_owned)
                };
                if x == y || last(x) == last(y) {
                    Truth::True
                } else {
                    Truth::False
                }
            }
            _ => Truth::False,
        },
    }
}

/// `google_compute_network.vpc.id` → `google_compute_network.vpc`;
/// `google_compute_network.vpc["a"].id` → `google_compute_network.vpc["a"]`;
/// `module.a["k"].google_compute_network.vpc.id` → `module.a["k"].google_compute_network.vpc`
/// (the module instance's segments are part of the resource's address).
fn resource_of(reference: &str) -> &str {
    let mut dots = 0;
    let mut depth = 0;
    let mut quoted = false;
    let mut in_module = reference.starts_with("module.");
    for (i, c) in reference.char_indices() {
        match c {
            '"' => quoted = !quoted,
            '[' if !quoted => depth += 1,
            ']' if !quoted => depth -= 1,
            '.' if !quoted && depth == 0 => {
                dots += 1;
                if dots == 2 && in_module {
                    // `module.NAME[key].` ends here: count the rest afresh.
                    dots = 0;
                    in_module = reference[i + 1..].starts_with("module.");
                } else if dots == 2 {
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
        assert_eq!(
            resource_of(r#"module.a["k.x"].module.b.google_compute_network.vpc[0].id"#),
            r#"module.a["k.x"].module.b.google_compute_network.vpc[0]"#
        );
        assert_eq!(resource_of("module.a.out"), "module.a.out");
    }
}
