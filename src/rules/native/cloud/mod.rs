//! Native checks on Azure, Google Cloud and provider-version Terraform settings, one per
//! file, and the exposure helpers the firewall checks share.

pub(super) mod azure_nsg_public_ingress;
pub(super) mod gcp_firewall_public_ingress;
pub(super) mod gcp_subnet_network_flow_logs;
pub(super) mod provider_at_least;

use crate::parse::node::Node;
use crate::rules::native::support::values::{elements, text_is};
use crate::rules::truth::{Outcome, Truth};
use crate::source::Span;

/// The first element of the given attributes whose text is one of `public`: `Yes` with
/// its span, `Unknown` when an element (or a whole attribute) cannot be known.
pub(crate) fn public_source(node: &Node, keys: &[&str], public: &[&str]) -> (Truth, Option<Span>) {
    let mut answer = Truth::False;
    for key in keys {
        let items = match elements(node.get(key)) {
            Ok(items) => items,
            Err(_) => {
                answer = Truth::Unknown;
                continue;
            }
        };
        for item in items {
            match text_is(Some(item), public, Truth::False) {
                Truth::True => return (Truth::True, Some(item.span)),
                Truth::Unknown => answer = Truth::Unknown,
                Truth::False => {}
            }
        }
    }
    (answer, None)
}

/// Turns the answer to "is this rule an exposure?" into an outcome pointing at `span`.
pub(crate) fn exposure(t: Truth, span: Option<Span>, fallback: Span) -> Outcome {
    match t {
        Truth::True => Outcome::fail(vec![span.unwrap_or(fallback)]),
        Truth::False => Outcome::pass(Vec::new()),
        Truth::Unknown => Outcome::unknown(vec![span.unwrap_or(fallback)]),
    }
}

#[cfg(test)]
pub(super) mod test_support {
    use crate::parse::node::Node;
    use crate::rules::native::support::ports::Wanted;

    pub(crate) fn yaml(text: &str) -> Node {
        let src = crate::source::SourceText::new(
            crate::source::FileId(0),
            "t.yaml",
            "t.yaml".into(),
            std::sync::Arc::from(text),
        );
        crate::parse::yaml::parse_yaml(&src)
            .expect("test yaml")
            .remove(0)
    }

    pub(crate) fn ssh_rdp() -> Wanted {
        Wanted::from_args(None)
    }
}
