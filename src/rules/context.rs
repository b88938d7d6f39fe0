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
    /// What checks of the same resource share (one scan of a file's text for the
    /// literals of every secret pattern).
    pub memo: &'a Memo,
}

/// Per-resource results shared by the checks of one resource.
#[derive(Debug, Default)]
pub struct Memo {
    /// Which registered secret keywords the text contains, and the registry generation
    /// it was computed for (see `native::text::secret_pattern`).
    pub secret_keywords: std::cell::RefCell<Option<(u64, Vec<bool>)>>,
    /// Where the stems of secret names (`pass`, `token`, `key`...) start, found in that
    /// same pass (sorted): the lines `text_secret_assignment` parses.
    pub secret_name_stems: std::cell::RefCell<Vec<usize>>,
}

/// A native check: the node under test (resource body or element), the context, and
/// the rule's optional `args`.
pub type NativeFn = fn(&Node, &EvalCx<'_>, Option<&Node>) -> Outcome;
