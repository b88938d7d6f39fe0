//! One parser per format, each turning a `SourceText` into `Node` trees with byte spans,
//! or a `FileError` that says where the text stopped making sense.

pub mod dockerfile;
pub mod node;
pub mod yaml;

/// Deepest nesting any parser accepts before it reports a limit error instead of
/// recursing further (keeps a 10,000-deep file from overflowing the stack).
pub const MAX_DEPTH: usize = 256;
