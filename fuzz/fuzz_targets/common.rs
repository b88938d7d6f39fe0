// Shared by the fuzz targets (included with `mod common;`).

use std::sync::Arc;

use isolint::source::{FileId, SourceText, decode};

/// The input as isolint would read it from disk (UTF-8 or UTF-16 with a BOM), or `None`
/// for input isolint rejects before parsing (binary, invalid UTF-8).
pub fn source(name: &str, data: &[u8]) -> Option<Arc<SourceText>> {
    let text = decode(data.to_vec()).ok()?;
    let src = SourceText::new(FileId(0), name.into(), name.into(), text);
    // Positions are computed for every reported span: they must never panic.
    let _ = src.position(src.text.len());
    let _ = src.line_text(src.line_count());
    Some(Arc::new(src))
}

/// Every span of a tree lies inside the text on character boundaries.
pub fn check_spans(node: &isolint::parse::node::Node, text: &str) {
    let mut stack = vec![node];
    while let Some(n) = stack.pop() {
        assert!(
            text.get(n.span.range()).is_some(),
            "span outside text: {n:?}"
        );
        stack.extend(n.items());
        for e in n.entries() {
            assert!(
                text.get(e.key_span.range()).is_some(),
                "key span outside text"
            );
            stack.push(&e.value);
        }
    }
}
