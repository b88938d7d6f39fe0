//! Any scanned file as one `text_file` resource whose body is its whole text, for rules
//! that match regular expressions (secrets, private keys). The stored resource does not
//! copy the text (that would hold every file twice); `text_body` gives it for the
//! moment the rules look at it.

use std::sync::Arc;

use crate::model::{Family, Resource};
use crate::parse::node::Node;
use crate::source::{SourceText, Span};

/// One `text_file` resource: the body's span is the whole file, its value null (see
/// `text_body`); the header is the first line.
pub fn text_resource(src: &SourceText) -> Resource {
    let whole = Span::new(src.id, 0, src.text.len());
    Resource {
        kind: "text_file".to_string(),
        family: Family::Text,
        address: src.display_path.to_string(),
        span: whole,
        header: src.first_line(whole),
        body: Node::null(whole),
        group: Arc::from(format!("file:{}", src.display_path)),
    }
}

/// The body the rules see: the file's text.
pub fn text_body(resource: &Resource, src: &SourceText) -> Node {
    Node::string(&*src.text, resource.body.span)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileId;

    #[test]
    fn whole_file() {
        let src = SourceText::new(FileId(5), ".env", ".env".into(), Arc::from("A=1\nB=2\n"));
        let r = text_resource(&src);
        assert_eq!((r.kind.as_str(), r.address.as_str()), ("text_file", ".env"));
        assert_eq!(r.family, Family::Text);
        assert_eq!(r.body.value, crate::parse::node::Value::Null);
        assert_eq!(text_body(&r, &src).as_str(), Some("A=1\nB=2\n"));
        assert_eq!(r.span.range(), 0..8);
        assert_eq!(r.header.range(), 0..3);
        let empty = SourceText::new(FileId(5), "e", "e".into(), Arc::from(""));
        assert_eq!(text_resource(&empty).header.range(), 0..0);
    }
}
