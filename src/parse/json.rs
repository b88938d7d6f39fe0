//! Strict JSON read straight into `Node` trees, giving exactly the tree (values and
//! spans) the YAML reader gives for the same text.
//!
//! Why: saphyr-parser cannot tell whether a top-level `{` or `[` is a mapping key until
//! its collection closes, so it queues every token of a JSON document before it yields
//! the first event: a 14 MB dashboard held 218 MB of tokens. Anything that is not plain
//! JSON, or that the YAML reader would treat specially (a duplicate key, a tab, deep
//! nesting, a long key, an escape YAML reads differently), returns `None` and the file
//! is read by the YAML reader as before, with its errors and leniencies.

use super::node::{Entry, Node, Value};
use super::yaml::{find_duplicate, resolve_plain};
use crate::source::{FileId, Span};

/// Deeper than this, the YAML reader decides (its limits and messages apply).
const MAX_NESTING: usize = 200;

/// YAML limits an implicit key to 1024 characters; longer keys go to the YAML reader.
const MAX_KEY_BYTES: usize = 1024;

/// The one document of a strict JSON text starting with `{` or `[`, or `None` when the
/// YAML reader should read the text (see the module comment). `max_nodes` bounds the
/// values and keys counted as the YAML reader counts them.
pub(super) fn parse_json_document(text: &str, file: FileId, max_nodes: usize) -> Option<Node> {
    let mut reader = Reader {
        text,
        bytes: text.as_bytes(),
        at: 0,
        file,
        nodes: 0,
        max_nodes,
    };
    reader.skip_blank();
    if !matches!(reader.peek(), Some(b'{' | b'[')) {
        return None;
    }
    let doc = reader.value(0)?;
    reader.skip_blank();
    (reader.at == reader.bytes.len()).then_some(doc)
}

struct Reader<'t> {
    text: &'t str,
    bytes: &'t [u8],
    at: usize,
    file: FileId,
    nodes: usize,
    max_nodes: usize,
}

impl Reader<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn eat(&mut self, b: u8) -> bool {
        let found = self.peek() == Some(b);
        if found {
            self.at += 1;
        }
        found
    }

    /// Spaces and line breaks (`\r` only before `\n`); a tab stops here, so the text
    /// goes to the YAML reader, which has its own rules about tabs.
    fn skip_blank(&mut self) {
        loop {
            match self.peek() {
                Some(b' ' | b'\n') => self.at += 1,
                Some(b'\r') if self.bytes.get(self.at + 1) == Some(&b'\n') => self.at += 2,
                _ => return,
            }
        }
    }

    fn span_from(&self, start: usize) -> Span {
        Span::new(self.file, start, self.at)
    }

    /// Spaces after a quoted scalar or a bracket up to the line's end: saphyr-parser's
    /// token for either ends after them, and so does the span the YAML reader gives.
    fn trailing_spaces(&mut self) {
        while self.peek() == Some(b' ') {
            self.at += 1;
        }
    }

    /// Reads an opening bracket: (its token's end, whether the YAML reader treats the
    /// collection as ending at its closing bracket, which it does only when no space
    /// follows the opening one).
    fn open(&mut self) -> (usize, bool) {
        let start = self.at;
        self.at += 1;
        self.trailing_spaces();
        (self.at, self.at == start + 1)
    }

    /// The span of a collection whose closing bracket is at `self.at`, as the YAML
    /// reader computes it: to the closing token's end, or else to the furthest end of
    /// the opening token and of what is inside.
    fn close(&mut self, start: usize, (open_end, flow): (usize, bool), inside: usize) -> Span {
        self.at += 1;
        self.trailing_spaces();
        let end = if flow { self.at } else { open_end.max(inside) };
        Span::new(self.file, start, end)
    }

    fn count(&mut self) -> Option<()> {
        self.nodes += 1;
        (self.nodes <= self.max_nodes).then_some(())
    }

    fn value(&mut self, depth: usize) -> Option<Node> {
        self.count()?;
        let start = self.at;
        let value = match self.peek()? {
            b'{' => return self.map(depth + 1),
            b'[' => return self.list(depth + 1),
            b'"' => {
                let s = self.string()?;
                self.trailing_spaces();
                Value::String(s)
            }
            _ => self.word()?,
        };
        Some(Node::new(value, self.span_from(start)))
    }

    /// `true`, `false`, `null` or a number, typed as the YAML reader types plain scalars.
    fn word(&mut self) -> Option<Value> {
        let start = self.at;
        while matches!(
            self.peek(),
            Some(b'0'..=b'9' | b'a'..=b'z' | b'E' | b'+' | b'-' | b'.')
        ) {
            self.at += 1;
        }
        let word = &self.text[start..self.at];
        match word {
            "true" | "false" | "null" => resolve_plain(word),
            _ if is_json_number(word) => resolve_plain(word),
            _ => None,
        }
    }

    fn list(&mut self, depth: usize) -> Option<Node> {
        if depth > MAX_NESTING {
            return None;
        }
        let start = self.at;
        let opened = self.open();
        self.skip_blank();
        let mut items: Vec<Node> = Vec::new();
        if self.peek() != Some(b']') {
            loop {
                items.push(self.value(depth)?);
                self.skip_blank();
                if self.peek() == Some(b']') {
                    break;
                }
                if !self.eat(b',') {
                    return None;
                }
                self.skip_blank();
            }
        }
        let inside = items.last().map_or(0, |n| n.span.end as usize);
        let span = self.close(start, opened, inside);
        items.shrink_to_fit();
        Some(Node::new(Value::List(items), span))
    }

    fn map(&mut self, depth: usize) -> Option<Node> {
        if depth > MAX_NESTING {
            return None;
        }
        let start = self.at;
        let opened = self.open();
        self.skip_blank();
        let mut entries: Vec<Entry> = Vec::new();
        if self.peek() != Some(b'}') {
            loop {
                if self.peek() != Some(b'"') {
                    return None;
                }
                self.count()?;
                let key_start = self.at;
                let key = self.string()?;
                if self.at - key_start > MAX_KEY_BYTES {
                    return None;
                }
                // The `:` on the key's line: YAML keys do not span lines.
                self.trailing_spaces();
                let key_span = self.span_from(key_start);
                if !self.eat(b':') {
                    return None;
                }
                self.skip_blank();
                let value = self.value(depth)?;
                entries.push(Entry {
                    key,
                    key_span,
                    value,
                });
                self.skip_blank();
                if self.peek() == Some(b'}') {
                    break;
                }
                if !self.eat(b',') {
                    return None;
                }
                self.skip_blank();
            }
        }
        // Duplicates are the YAML reader's to reject or record.
        if find_duplicate(&entries, &[]).is_some() {
            return None;
        }
        let inside = entries.last().map_or(0, |e| e.value.span.end as usize);
        let span = self.close(start, opened, inside);
        entries.shrink_to_fit();
        Some(Node::new(Value::Map(entries), span))
    }

    /// A double-quoted string with JSON escapes, as an exactly sized `String`.
    fn string(&mut self) -> Option<String> {
        self.at += 1;
        let mut out = String::new();
        let mut run = self.at;
        loop {
            match *self.bytes.get(self.at)? {
                b'"' => break,
                b'\\' => {
                    out.push_str(&self.text[run..self.at]);
                    out.push(self.escape()?);
                    run = self.at;
                }
                // Control characters are not JSON; DEL and C1 controls are not YAML.
                0..0x20 | 0x7f => return None,
                0x80.. => {
                    let c = self.text[self.at..].chars().next()?;
                    if matches!(
                        c,
                        '\u{80}'..='\u{9f}' | '\u{feff}' | '\u{fffe}' | '\u{ffff}'
                    ) {
                        return None;
                    }
                    self.at += c.len_utf8();
                }
                _ => self.at += 1,
            }
        }
        out.push_str(&self.text[run..self.at]);
        self.at += 1;
        out.shrink_to_fit();
        Some(out)
    }

    /// One escape after `\`; `\u` escapes outside the control and surrogate ranges only.
    fn escape(&mut self) -> Option<char> {
        let c = match *self.bytes.get(self.at + 1)? {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let hex = self.text.get(self.at + 2..self.at + 6)?;
                if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                    return None;
                }
                let code = u32::from_str_radix(hex, 16).ok()?;
                let c = char::from_u32(code)?;
                if c < ' ' || matches!(c, '\u{7f}'..='\u{9f}') {
                    return None;
                }
                self.at += 6;
                return Some(c);
            }
            _ => return None,
        };
        self.at += 2;
        Some(c)
    }
}

/// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?`
fn is_json_number(word: &str) -> bool {
    let b = word.strip_prefix('-').unwrap_or(word).as_bytes();
    let digits = |from: usize| {
        b.iter()
            .skip(from)
            .take_while(|c| c.is_ascii_digit())
            .count()
    };
    let int = digits(0);
    if int == 0 || (int > 1 && b[0] == b'0') {
        return false;
    }
    let mut i = int;
    if b.get(i) == Some(&b'.') {
        let frac = digits(i + 1);
        if frac == 0 {
            return false;
        }
        i += 1 + frac;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'-' | b'+')) {
            i += 1;
        }
        let exp = digits(i);
        if exp == 0 {
            return false;
        }
        i += exp;
    }
    i == b.len()
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::parse::MAX_DEPTH;
    use crate::parse::yaml::{Builder, read_events};
    use crate::source::SourceText;

    fn src(text: &str) -> SourceText {
        SourceText::new(FileId(3), "t.json", "t.json".into(), Arc::from(text))
    }

    /// What the YAML reader alone makes of `text`.
    fn by_yaml(text: &str) -> Vec<Node> {
        let src = src(text);
        read_events(Builder::new(&src), None).expect("the YAML reader accepts it")
    }

    fn fast(text: &str) -> Option<Node> {
        parse_json_document(text, FileId(3), 1_000_000)
    }

    #[test]
    fn plain_json_gives_the_yaml_readers_tree_and_spans() {
        for text in [
            "{}",
            "[]",
            " \n{ } \n",
            "{\"a\":1}",
            "{\"a\": 1, \"b\": [true, false, null, -0.5e3, 12345678901234567890, 0]}\n",
            "{\r\n  \"k\" : \"v\",\r\n  \"n\": {\"x\": []}\r\n}\r\n",
            "[\n  {\n    \"id\": 1,\n    \"title\": \"Panel \\\"1\\\" \\\\ \\/ \\n\\t \\u00e9 \\u20ac\"\n  }\n]",
            "{\"é\": \"naïve ✓\", \"\": \"\", \"url\": \"http://x/y\"}",
            "{\"expr\": \"rate(x{job=\\\"api\\\"}[5m])\", \"legend\": \"{{instance}}\"}",
            "[[1, [2, [3]]], {\"a\": {\"b\": {\"c\": 1E2}}}]",
            "{\"tricky\": \"- a: b # c & *d !e |f >g\"}",
            "{ }",
            "[ ]",
            "{\"a\": {} , \"b\": [ ] }",
            "[ 1 , [ ], { }, \"x\" ]",
            "{ \"a\" : { \"b\" : [ 1 , 2 ] } }  \n",
            "{\"a\": \"b\" }",
            "{\"ls\": \"a\u{2028}b\u{2029}c\u{a0}d 😀\", \"e\": \"\\u2028 \\u00a0 \\ud7ff\"}",
            "[\"😀\", {\"é😀\": [1, \"ü\"]}, \"x\" ]",
            "[\n  \"x\" ,\n  {\"k\": [\n  ]  }\n]\n",
        ] {
            let got = fast(text).unwrap_or_else(|| panic!("read as JSON: {text:?}"));
            assert_eq!(vec![got], by_yaml(text), "{text:?}");
        }
    }

    #[test]
    fn a_generated_dashboard_and_terraform_json_read_the_same_both_ways() {
        let panels: Vec<_> = (0..40)
            .map(|i| {
                serde_json::json!({
                    "id": i, "type": "graph", "title": format!("Panel {i}"),
                    "gridPos": {"h": 8, "w": 12, "x": 0, "y": i},
                    "targets": [{"expr": format!("rate(x{{job=\"api\"}}[5m]) * {i}"), "refId": "A"}],
                    "options": {"legend": {"show": true, "values": false}},
                    "thresholds": {"steps": [{"color": "green", "value": null}, {"value": 80.5}], "none": []},
                    "resource": {"aws_s3_bucket": {format!("b{i}"): {"acl": "private", "tags": {}}}},
                })
            })
            .collect();
        let doc = serde_json::json!({"dashboard": {"panels": panels}});
        for text in [
            serde_json::to_string_pretty(&doc).expect("json"),
            serde_json::to_string(&doc).expect("json"),
        ] {
            let got = fast(&text).expect("read as JSON");
            assert_eq!(vec![got], by_yaml(&text));
        }
    }

    #[test]
    fn anything_else_is_left_to_the_yaml_reader() {
        let deep = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        let long_key = format!("{{\"{}\": 1}}", "k".repeat(1100));
        for text in [
            "a: 1",
            "",
            "\u{feff}{}",
            "{\"a\": 1, \"a\": 2}",
            "{\"a\": 1,}",
            "[1, 2,]",
            "{a: 1}",
            "{\"a\"\n: 1}",
            "{\t\"a\": 1}",
            "{\"a\": \"tab\there\"}",
            "{\"a\": \"\\x41\"}",
            "{\"a\": \"\\ud83d\\ude00\"}",
            "{\"a\": \"\\u0001\"}",
            "{\"a\": 01}",
            "{\"a\": .5}",
            "{\"a\": 'x'}",
            "{\"a\": 1} # note",
            "{} {}",
            "{\"a\": 1}\n---\n{}",
            "[1] [2]",
            "{\"a\": \"\u{85}\"}",
            &deep,
            &long_key,
        ] {
            assert_eq!(fast(text), None, "{text:?}");
        }
        assert_eq!(parse_json_document("[1, 2, 3]", FileId(0), 3), None);
        assert!(parse_json_document("[1, 2, 3]", FileId(0), 4).is_some());
        assert!(parse_json_document("{\"a\": 1}", FileId(0), 3).is_some());
        assert_eq!(parse_json_document("{\"a\": 1}", FileId(0), 2), None);
    }

    fn json_values() -> impl proptest::strategy::Strategy<Value = serde_json::Value> {
        use proptest::prelude::*;
        let leaf = prop_oneof![
            Just(serde_json::Value::Null),
            any::<bool>().prop_map(serde_json::Value::from),
            any::<i64>().prop_map(serde_json::Value::from),
            (-1e6f64..1e6).prop_map(serde_json::Value::from),
            "[ -~\u{e9}\u{2028}\u{1f600}\n\t\"\\\\]{0,12}".prop_map(serde_json::Value::from),
        ];
        leaf.prop_recursive(4, 48, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(serde_json::Value::from),
                prop::collection::btree_map("[ -~\u{e9}]{0,6}", inner, 0..6)
                    .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest::proptest! {
        /// Whenever the JSON reader takes a document, the YAML reader gives the same tree.
        #[test]
        fn any_json_reads_the_same_both_ways(doc in json_values(), pretty in proptest::bool::ANY) {
            let text = if pretty {
                serde_json::to_string_pretty(&doc)
            } else {
                serde_json::to_string(&doc)
            }
            .expect("json");
            if let Some(got) = fast(&text) {
                let src = src(&text);
                let yaml = read_events(Builder::new(&src), None);
                proptest::prop_assert_eq!(Ok(vec![got]), yaml, "{}", text);
            }
        }
    }

    #[test]
    fn numbers_follow_the_json_grammar() {
        for ok in ["0", "-0", "1", "-12", "1.5", "1e5", "1E-5", "2.5e+10"] {
            assert!(is_json_number(ok), "{ok}");
        }
        for bad in [
            "", "-", "01", "1.", ".5", "+1", "1e", "1e+", "0x10", "1.2.3", "--1",
        ] {
            assert!(!is_json_number(bad), "{bad}");
        }
    }
}
