//! What a check sees while it runs, and the signature of a native check. A leaf module:
//! the predicate engine and every native check depend on it, and it on neither.

use super::index::ResourceIndex;
use super::truth::Outcome;
use crate::model::Resource;
use crate::parse::node::Node;

/// What a check can see while it runs.
pub struct EvalCx<'a> {
    pub resource: &'a Resource,
    /// What `$` is: the resource's body (for a `text_file`, the file's text).
    pub body: &'a Node,
    pub index: &'a ResourceIndex<'a>,
}

/// A native check: the node under test (resource body or element), the context, and
/// the rule's optional `args`.
pub type NativeFn = fn(&Node, &EvalCx<'_>, Option<&Node>) -> Outcome;
