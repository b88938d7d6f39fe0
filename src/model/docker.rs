//! A parsed Dockerfile becomes one `dockerfile` resource: the parser's tree plus
//! `final_stage` and `from`, so rules can check the image that ships without native code.

use std::sync::Arc;

use crate::model::{Family, Resource};
use crate::parse::node::{Entry, Node, Value};
use crate::source::{SourceText, Span};

/// One `dockerfile` resource. Body: the parser's `instructions`, `stages` and
/// `directives`, plus `from` (List of the FROM instruction Maps) and `final_stage` (Map of
/// the last stage's `index`, `image`, `alias`, `platform`, `base_stage`, `user` and
/// `instructions` as instruction Maps; absent when there is no FROM).
pub fn dockerfile_resources(src: &SourceText, doc: Node) -> Vec<Resource> {
    let whole = Span::new(src.id, 0, src.text.len());
    let mut entries = match doc.value {
        Value::Map(entries) => entries,
        _ => Vec::new(),
    };
    let instructions: &[Node] = entries
        .iter()
        .find(|e| e.key == "instructions")
        .map_or(&[], |e| e.value.items());
    let from: Vec<Node> = instructions
        .iter()
        .filter(|i| i.get("instruction").and_then(Node::as_str) == Some("FROM"))
        .cloned()
        .collect();
    let header = from.first().map_or(Span::new(src.id, 0, 0), |f| f.span);
    let final_stage = entries
        .iter()
        .find(|e| e.key == "stages")
        .and_then(|e| e.value.items().last())
        .map(|stage| final_stage(stage, instructions));
    entries.extend(final_stage.map(|n| entry("final_stage", n)));
    let from_span = from.iter().fold(header, |s, f| s.join(f.span));
    entries.push(entry("from", Node::new(Value::List(from), from_span)));
    vec![Resource {
        kind: "dockerfile".to_string(),
        family: Family::Dockerfile,
        address: src.display_path.to_string(),
        span: whole,
        header,
        body: Node::new(Value::Map(entries), whole),
        group: Arc::from(format!("file:{}", src.display_path)),
    }]
}

/// The stage Map with its instruction indices replaced by clones of the instructions.
fn final_stage(stage: &Node, instructions: &[Node]) -> Node {
    let entries = stage
        .entries()
        .iter()
        .map(|e| {
            if e.key != "instructions" {
                return e.clone();
            }
            let list = e
                .value
                .items()
                .iter()
                .filter_map(|i| {
                    let i = i.as_f64()?;
                    (i >= 0.0).then(|| instructions.get(i as usize)).flatten()
                })
                .cloned()
                .collect();
            Entry {
                value: Node::new(Value::List(list), e.value.span),
                ..e.clone()
            }
        })
        .collect();
    Node::new(Value::Map(entries), stage.span)
}

fn entry(key: &str, value: Node) -> Entry {
    Entry {
        key: key.to_string(),
        key_span: value.span,
        value,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::dockerfile::parse_dockerfile;
    use crate::source::FileId;

    fn resource(text: &str) -> (SourceText, Resource) {
        let src = SourceText::new(FileId(3), "app/Dockerfile", "x".into(), Arc::from(text));
        let doc = parse_dockerfile(&src).unwrap();
        let mut rs = dockerfile_resources(&src, doc);
        assert_eq!(rs.len(), 1);
        (src, rs.remove(0))
    }

    #[test]
    fn final_stage_user_and_from() {
        let text = "# syntax=docker/dockerfile:1\nFROM golang:1.22 AS build\nUSER nobody\nRUN make\nFROM gcr.io/distroless/static\nCOPY --from=build /app /app\nUSER 65532:65532\nENTRYPOINT [\"/app\"]\n";
        let (src, r) = resource(text);
        assert_eq!(r.kind, "dockerfile");
        assert_eq!(r.family, Family::Dockerfile);
        assert_eq!(r.address, "app/Dockerfile");
        assert_eq!(&*r.group, "file:app/Dockerfile");
        assert_eq!(&src.text[r.header.range()], "FROM golang:1.22 AS build");
        assert_eq!(r.span.range(), 0..text.len());
        let fs = r.body.get("final_stage").unwrap();
        assert_eq!(
            fs.get("image").and_then(Node::as_str),
            Some("gcr.io/distroless/static")
        );
        let user = fs.get("user").unwrap();
        assert_eq!(user.as_str(), Some("65532:65532"));
        assert_eq!(&src.text[user.span.range()], "65532:65532");
        let kinds: Vec<_> = fs
            .get("instructions")
            .unwrap()
            .items()
            .iter()
            .filter_map(|i| i.get("instruction").and_then(Node::as_str))
            .collect();
        assert_eq!(kinds, ["FROM", "COPY", "USER", "ENTRYPOINT"]);
        assert_eq!(r.body.get("from").unwrap().items().len(), 2);
        assert!(r.body.get("instructions").is_some() && r.body.get("stages").is_some());
    }

    #[test]
    fn no_user_and_empty_file() {
        let (_, r) = resource("FROM alpine\nRUN id\n");
        assert!(r.body.get_path("final_stage.user").is_none());
        let (_, r) = resource("");
        assert!(r.body.get("final_stage").is_none());
        assert!(r.body.get("from").unwrap().items().is_empty());
        assert_eq!(r.header.range(), 0..0);
    }
}
