//! `aws_provider`: a `when:` helper that selects `provider "aws"` blocks (with aliases,
//! also inside modules). Native because the provider's name is in the address, not the body.

use crate::parse::node::Node;
use crate::rules::context::EvalCx;
use crate::rules::truth::Outcome;

/// `when:` helper: the resource is an `aws` provider configuration (`provider.aws`,
/// `provider.aws.<alias>`, also inside modules).
pub(crate) fn check(_: &Node, cx: &EvalCx<'_>, _: Option<&Node>) -> Outcome {
    let a = &cx.resource.address;
    let local = a.rfind("provider.").map_or(a.as_str(), |i| &a[i..]);
    let ok = cx.resource.kind == "provider"
        && (local == "provider.aws" || local.starts_with("provider.aws."));
    Outcome::from_bool(ok, cx.resource.header)
}
