//! YAML (and JSON, which is YAML here) into `Node` trees with byte spans.
//!
//! Built from saphyr-parser's event stream with an explicit stack of open collections, so
//! nothing recurses on the Rust stack with the document's depth. Plain scalars are typed
//! with the YAML 1.2 core schema; quoted and block scalars are always strings. Aliases are
//! expanded by cloning the anchored node (its spans stay those of the anchor), `<<` merge
//! keys are applied, and duplicate keys are rejected as YAML requires. Limits: nesting
//! deeper than [`MAX_DEPTH`] and alias expansion beyond [`MAX_ALIAS_NODES`] are
//! `FileErrorKind::Limit` errors.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use saphyr_parser::{Event, Marker, Parser, ScalarStyle, ScanError, Tag};

use super::MAX_DEPTH;
use super::json::parse_json_document;
use super::node::{Entry, Node, Value, format_number};
use crate::error::{FileError, FileErrorKind};
use crate::source::{SourceText, Span};

/// Most nodes anchors and aliases may produce in one file (each anchored node and each
/// alias expansion counts its whole subtree).
pub const MAX_ALIAS_NODES: usize = 1_000_000;

/// Most nodes one document may hold. A 16 MiB file of `0,` is eight million nodes, and
/// every node costs far more than its two bytes of text: without this bound the file cap
/// would not bound memory.
pub const MAX_DOCUMENT_NODES: usize = 1_000_000;

/// Parses every document of a YAML (or JSON) text into a Node tree with byte spans.
///
/// Documents with no content (only comments, or an empty `---`) produce nothing, so an
/// empty file gives an empty `Vec`; an explicit `null` or `~` document gives a Null node.
/// Span notes: a node's span includes its anchor and tag (`&a !Ref x`); quoted scalars
/// include their quotes; block scalars (`|`, `>`) span their content without trailing
/// blank lines; an empty value (`key:`) has a zero-width span at the `:`; a block
/// collection ends where its last item ends, a flow collection at its `]` or `}`.
///
/// # Errors
/// `Parse` for invalid YAML, duplicate keys or unknown aliases; `Limit` for nesting or
/// alias expansion beyond the limits. Each error has the span where it happened.
pub fn parse_yaml(src: &SourceText) -> Result<Vec<Node>, FileError> {
    parse_documents(src, None)
}

/// A key written twice in one mapping of a scanned file: where the overridden one is,
/// and what to say about it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DuplicateKey {
    pub span: crate::source::Span,
    pub message: String,
}

/// As [`parse_yaml`], but a duplicate key does not drop the file: the last one wins, as
/// the Kubernetes tooling and PyYAML load it, and each overridden key is returned so the
/// scan can report it. (The configuration and rule packs keep the strict reading.)
///
/// # Errors
/// As [`parse_yaml`], except duplicate keys.
pub fn parse_yaml_lenient(src: &SourceText) -> Result<(Vec<Node>, Vec<DuplicateKey>), FileError> {
    let mut duplicates = Vec::new();
    let docs = parse_documents(src, Some(&mut duplicates))?;
    Ok((docs, duplicates))
}

fn parse_documents(
    src: &SourceText,
    duplicates: Option<&mut Vec<DuplicateKey>>,
) -> Result<Vec<Node>, FileError> {
    let mut found = Vec::new();
    match parse_events(src, duplicates.is_some().then_some(&mut found)) {
        Ok(docs) => {
            if let Some(out) = duplicates {
                *out = found;
            }
            Ok(docs)
        }
        Err(first) => {
            // A flow collection closed at its key's indentation (`args: [` … `]` on a
            // line of its own) is accepted by PyYAML, kubectl and Helm although the spec
            // wants it indented further: read it with the bracket joined to the line
            // before, which keeps every byte offset (and so every span) as it was.
            let Some(joined) = join_flow_closers(&src.text) else {
                return Err(first);
            };
            let retry = SourceText::new(
                src.id,
                src.display_path.clone(),
                src.path.clone(),
                joined.into(),
            );
            let mut found = Vec::new();
            match parse_events(&retry, duplicates.is_some().then_some(&mut found)) {
                Ok(docs) => {
                    if let Some(out) = duplicates {
                        *out = found;
                    }
                    Ok(docs)
                }
                Err(_) => Err(first),
            }
        }
    }
}

/// The text with the line breaks inside flow collections (`[`…`]`, `{`…`}`) replaced by
/// spaces, so a collection written over several lines is read as if on one, whatever
/// the indentation of its lines; offsets do not move. `None` when there is nothing to
/// join, or a comment inside a collection would swallow the rest of it. Only a retry
/// after a parse error uses it, so its token heuristics (a bracket or quote opens only
/// at the start of a token) never change how a valid file is read.
fn join_flow_closers(text: &str) -> Option<String> {
    let src = text.as_bytes();
    let mut bytes = src.to_vec();
    let mut depth = 0usize;
    let mut changed = false;
    let mut i = 0;
    // The previous byte that is not a space or tab (b'\n' at a line start).
    let mut prev = b'\n';
    while i < src.len() {
        let b = src[i];
        let token_start = matches!(prev, b'\n' | b'[' | b'{' | b',' | b':' | b'-' | b'?')
            || i > 0 && matches!(src[i - 1], b' ' | b'\t');
        match b {
            b'"' | b'\'' if token_start => {
                // A quoted scalar: skip to its end (escapes in "…", '' in '…').
                i += 1;
                while i < src.len() {
                    match (b, src[i]) {
                        (b'"', b'\\') => i += 1,
                        (b'"', b'"') => break,
                        (b'\'', b'\'') if src.get(i + 1) == Some(&b'\'') => i += 1,
                        (b'\'', b'\'') => break,
                        _ => {}
                    }
                    i += 1;
                }
                prev = b;
            }
            b'#' if token_start => {
                if depth > 0 {
                    return None;
                }
                while i < src.len() && src[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'[' | b'{' if token_start || depth > 0 => {
                depth += 1;
                prev = b;
            }
            b']' | b'}' if depth > 0 => {
                depth -= 1;
                prev = b;
            }
            b'\n' | b'\r' if depth > 0 => {
                bytes[i] = b' ';
                changed = true;
            }
            b'\n' => prev = b'\n',
            b' ' | b'\t' | b'\r' => {}
            _ => prev = b,
        }
        i += 1;
    }
    // Only ASCII line breaks were replaced by ASCII spaces: still UTF-8.
    if changed {
        String::from_utf8(bytes).ok()
    } else {
        None
    }
}

fn parse_events(
    src: &SourceText,
    duplicates: Option<&mut Vec<DuplicateKey>>,
) -> Result<Vec<Node>, FileError> {
    let b = Builder::new(src);
    if let Some(at) = too_many_flow_values(&src.text) {
        let msg = format!(
            "a document with more than {MAX_DOCUMENT_NODES} values; this file is not analysed"
        );
        return Err(b.error(FileErrorKind::Limit, b.span(at, at), msg));
    }
    if let Some(doc) = parse_json_document(&src.text, src.id, MAX_DOCUMENT_NODES) {
        return Ok(vec![doc]);
    }
    read_events(b, duplicates)
}

/// The documents from saphyr-parser's events (what [`parse_events`] does for any text
/// that is not plain JSON).
pub(super) fn read_events(
    mut b: Builder<'_>,
    duplicates: Option<&mut Vec<DuplicateKey>>,
) -> Result<Vec<Node>, FileError> {
    let src = b.src;
    b.duplicates = duplicates.as_ref().map(|_| Vec::new());
    let mut parser = Parser::new_from_str(&src.text);
    let mut nodes = 0usize;
    while let Some(next) = parser.next_event() {
        let (event, span) = next.map_err(|e| b.scan_error(&e))?;
        let start = b.offset(span.start);
        let end = b.offset(span.end).max(start);
        if matches!(event, Event::DocumentStart(_)) {
            nodes = 0;
        }
        if matches!(
            event,
            Event::Scalar(..)
                | Event::Alias(_)
                | Event::SequenceStart(..)
                | Event::MappingStart(..)
        ) {
            nodes += 1;
            if nodes > MAX_DOCUMENT_NODES {
                let msg = format!(
                    "a document with more than {MAX_DOCUMENT_NODES} values; this file is not analysed"
                );
                return Err(b.error(FileErrorKind::Limit, b.span(start, end), msg));
            }
        }
        match event {
            Event::StreamEnd => break,
            Event::Nothing | Event::StreamStart | Event::DocumentEnd => {}
            // Anchors belong to one document.
            Event::DocumentStart(_) => b.anchors.clear(),
            Event::Scalar(value, style, anchor, tag) => {
                b.scalar(value, style, anchor, tag.as_deref(), start, end)?;
            }
            Event::Alias(id) => b.alias(id, start, end)?,
            Event::SequenceStart(anchor, _) => b.open(false, anchor, start, end)?,
            Event::MappingStart(anchor, _) => b.open(true, anchor, start, end)?,
            Event::SequenceEnd | Event::MappingEnd => b.close(end)?,
        }
    }
    if let (Some(out), Some(found)) = (duplicates, b.duplicates.take()) {
        *out = found;
    }
    Ok(b.docs)
}

/// Where a flow document (JSON, or YAML starting with `[` or `{`) passes
/// [`MAX_DOCUMENT_NODES`] values, counted by their separators outside quotes. Checked
/// before parsing because the scanner queues the tokens of a flow collection before it
/// yields any event: a one-line 14 MB array of zeros took 2.5 GB before the first node.
fn too_many_flow_values(text: &str) -> Option<usize> {
    let b = text.as_bytes();
    let first = b
        .iter()
        .position(|c| !c.is_ascii_whitespace() && *c != 0xEF && *c != 0xBB && *c != 0xBF)?;
    if !matches!(b[first], b'[' | b'{') {
        return None;
    }
    let mut count = 1usize;
    let mut i = first;
    while i < b.len() {
        match b[i] {
            b'"' => {
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'\'' => {
                i += 1;
                while i < b.len() && b[i] != b'\'' {
                    i += 1;
                }
            }
            b',' | b':' | b'[' | b'{' => {
                count += 1;
                if count > MAX_DOCUMENT_NODES {
                    return Some(i);
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

pub(super) struct Builder<'s> {
    src: &'s SourceText,
    text: &'s str,
    /// All-ASCII text: character indices are byte offsets.
    ascii: bool,
    /// A known (character index, byte offset) pair; markers arrive nearly in order.
    cursor_char: usize,
    cursor_byte: usize,
    stack: Vec<Frame>,
    anchors: HashMap<usize, Anchored>,
    keep_anchors: bool,
    alias_nodes: usize,
    docs: Vec<Node>,
    /// Lenient about duplicate keys (last wins) when set, collecting them here.
    duplicates: Option<Vec<DuplicateKey>>,
}

struct Anchored {
    node: Node,
    size: usize,
    depth: usize,
}

/// An open collection.
struct Frame {
    kind: Kind,
    anchor: usize,
    start: usize,
    /// Opened by `[` or `{`: ends at its closing bracket rather than at its last item.
    flow: bool,
    /// Furthest end of anything read inside so far.
    end: usize,
    /// Nodes inside, itself included.
    size: usize,
    /// Deepest child nesting (0 when only scalars).
    depth: usize,
}

enum Kind {
    Seq(Vec<Node>),
    Map {
        entries: Vec<Entry>,
        /// A key read, waiting for its value: text, span, and whether it is a merge `<<`.
        key: Option<(String, Span, bool)>,
        /// Indices of entries written with a plain `<<` key.
        merges: Vec<usize>,
    },
}

impl<'s> Builder<'s> {
    pub(super) fn new(src: &'s SourceText) -> Self {
        let text: &str = &src.text;
        Builder {
            src,
            text,
            ascii: text.is_ascii(),
            cursor_char: 0,
            cursor_byte: 0,
            stack: Vec::new(),
            anchors: HashMap::new(),
            // Aliases are written `*name`: without a `*` there is nothing to resolve.
            keep_anchors: text.contains('*'),
            alias_nodes: 0,
            docs: Vec::new(),
            duplicates: None,
        }
    }

    /// Byte offset of a marker (its character index walked from the cursor).
    fn offset(&mut self, mark: Marker) -> usize {
        let target = mark.index();
        if self.ascii {
            return target.min(self.text.len());
        }
        while self.cursor_char < target {
            let Some(c) = self
                .text
                .get(self.cursor_byte..)
                .and_then(|s| s.chars().next())
            else {
                break;
            };
            self.cursor_byte += c.len_utf8();
            self.cursor_char += 1;
        }
        while self.cursor_char > target {
            let Some(c) = self
                .text
                .get(..self.cursor_byte)
                .and_then(|s| s.chars().next_back())
            else {
                break;
            };
            self.cursor_byte -= c.len_utf8();
            self.cursor_char -= 1;
        }
        self.cursor_byte
    }

    fn span(&self, start: usize, end: usize) -> Span {
        Span::new(self.src.id, start, end)
    }

    fn error(&self, kind: FileErrorKind, span: Span, message: String) -> FileError {
        let file = self.src.display_path.to_string();
        FileError {
            file,
            span: Some(span),
            kind,
            message,
        }
    }

    /// Counts nodes made by anchors and aliases against [`MAX_ALIAS_NODES`].
    fn charge(&mut self, size: usize, span: Span) -> Result<(), FileError> {
        self.alias_nodes = self.alias_nodes.saturating_add(size);
        if self.alias_nodes <= MAX_ALIAS_NODES {
            return Ok(());
        }
        let msg = format!("YAML aliases expand to more than {MAX_ALIAS_NODES} nodes (alias bomb?)");
        Err(self.error(FileErrorKind::Limit, span, msg))
    }

    fn scan_error(&mut self, e: &ScanError) -> FileError {
        let at = self.offset(*e.marker());
        let span = self.span(at, at);
        // saphyr counts flow levels in a byte and gives up past 255.
        if e.info() == "recursion limit exceeded" {
            let msg = "nesting deeper than 255 levels of flow collections".to_owned();
            return self.error(FileErrorKind::Limit, span, msg);
        }
        self.error(FileErrorKind::Parse, span, e.info().to_owned())
    }

    fn scalar(
        &mut self,
        value: Cow<'_, str>,
        style: ScalarStyle,
        anchor: usize,
        tag: Option<&Tag>,
        start: usize,
        mut end: usize,
    ) -> Result<(), FileError> {
        if matches!(style, ScalarStyle::Literal | ScalarStyle::Folded) {
            let body = self.text.get(start..end).unwrap_or_default();
            end = start + body.trim_end().len();
        }
        let plain = style == ScalarStyle::Plain;
        if self.stack.is_empty() && value.is_empty() && plain && tag.is_none() && anchor == 0 {
            return Ok(()); // an empty document
        }
        let span = self.span(start, end);
        let awaiting_key = matches!(
            self.stack.last(),
            Some(Frame {
                kind: Kind::Map { key: None, .. },
                ..
            })
        );
        if !awaiting_key {
            let node = Node::new(scalar_value(value, style, tag), span);
            return self.finish(node, 1, 0, anchor, end);
        }
        if anchor != 0 {
            let node = Node::new(scalar_value(value.clone(), style, tag), span);
            self.remember(anchor, &node, 1, 0)?;
        }
        if let Some(frame) = self.stack.last_mut() {
            frame.end = frame.end.max(end);
            if let Kind::Map { key, .. } = &mut frame.kind {
                let merge = plain && tag.is_none() && value == "<<";
                *key = Some((owned(value), span, merge));
            }
        }
        Ok(())
    }

    fn alias(&mut self, id: usize, start: usize, end: usize) -> Result<(), FileError> {
        let span = self.span(start, end);
        let Some(&Anchored { size, depth, .. }) = self.anchors.get(&id) else {
            let name = self.text.get(start..end).unwrap_or("*");
            let msg = format!(
                "alias `{name}` has no complete anchor before it in this document \
                 (aliases cannot refer to later anchors, other documents or themselves)"
            );
            return Err(self.error(FileErrorKind::Parse, span, msg));
        };
        if self.stack.len() + depth > MAX_DEPTH {
            let msg = format!("nesting deeper than {MAX_DEPTH} levels (through an alias)");
            return Err(self.error(FileErrorKind::Limit, span, msg));
        }
        self.charge(size, span)?;
        if let Some(anchored) = self.anchors.get(&id) {
            self.attach(anchored.node.clone(), size, depth, end);
        }
        Ok(())
    }

    fn open(
        &mut self,
        map: bool,
        anchor: usize,
        start: usize,
        end: usize,
    ) -> Result<(), FileError> {
        if self.stack.len() >= MAX_DEPTH {
            let msg = format!("nesting deeper than {MAX_DEPTH} levels");
            return Err(self.error(FileErrorKind::Limit, self.span(start, end), msg));
        }
        let flow = end > start && matches!(self.text.as_bytes().get(end - 1), Some(b'[' | b'{'));
        let kind = if map {
            Kind::Map {
                entries: Vec::new(),
                key: None,
                merges: Vec::new(),
            }
        } else {
            Kind::Seq(Vec::new())
        };
        self.stack.push(Frame {
            kind,
            anchor,
            start,
            flow,
            end,
            size: 1,
            depth: 0,
        });
        Ok(())
    }

    fn close(&mut self, event_end: usize) -> Result<(), FileError> {
        let Some(frame) = self.stack.pop() else {
            let msg = "unbalanced collection end".to_owned();
            let span = self.span(event_end, event_end);
            return Err(self.error(FileErrorKind::Parse, span, msg));
        };
        let end = if frame.flow {
            event_end.max(frame.end)
        } else {
            frame.end
        };
        let value = match frame.kind {
            Kind::Seq(mut items) => {
                // Trees live until the scan ends: give back the growth slack.
                items.shrink_to_fit();
                Value::List(items)
            }
            Kind::Map {
                mut entries,
                key,
                merges,
            } => {
                if let Some((key, key_span, _)) = key {
                    let value = Node::null(self.span(end, end));
                    entries.push(Entry {
                        key,
                        key_span,
                        value,
                    });
                }
                let (entries, merges) = self.drop_overridden(entries, merges);
                let mut entries = self.finish_map(entries, &merges)?;
                entries.shrink_to_fit();
                Value::Map(entries)
            }
        };
        let node = Node::new(value, self.span(frame.start, end));
        self.finish(node, frame.size, frame.depth + 1, frame.anchor, end)
    }

    /// Records an anchored node when the file has aliases, then attaches it.
    fn finish(
        &mut self,
        node: Node,
        size: usize,
        depth: usize,
        anchor: usize,
        end: usize,
    ) -> Result<(), FileError> {
        if anchor != 0 {
            self.remember(anchor, &node, size, depth)?;
        }
        self.attach(node, size, depth, end);
        Ok(())
    }

    fn remember(
        &mut self,
        anchor: usize,
        node: &Node,
        size: usize,
        depth: usize,
    ) -> Result<(), FileError> {
        if !self.keep_anchors {
            return Ok(());
        }
        self.charge(size, node.span)?;
        let node = node.clone();
        self.anchors.insert(anchor, Anchored { node, size, depth });
        Ok(())
    }

    /// Puts a finished node in its parent: an item, a key, or a key's value.
    fn attach(&mut self, node: Node, size: usize, depth: usize, end: usize) {
        let text = self.text;
        let Some(frame) = self.stack.last_mut() else {
            self.docs.push(node);
            return;
        };
        frame.size = frame.size.saturating_add(size);
        frame.depth = frame.depth.max(depth);
        frame.end = frame.end.max(end);
        match &mut frame.kind {
            Kind::Seq(items) => items.push(node),
            Kind::Map {
                entries,
                key,
                merges,
            } => match key.take() {
                None => {
                    let span = node.span;
                    *key = Some((key_text(node, text), span, false));
                }
                Some((key, key_span, merge)) => {
                    if merge {
                        merges.push(entries.len());
                    }
                    entries.push(Entry {
                        key,
                        key_span,
                        value: node,
                    });
                }
            },
        }
    }

    /// In lenient mode, removes every explicit key that a later one of the same name
    /// overrides (recording it), renumbering the merge positions.
    fn drop_overridden(
        &mut self,
        entries: Vec<Entry>,
        merges: Vec<usize>,
    ) -> (Vec<Entry>, Vec<usize>) {
        let Some(found) = self.duplicates.as_mut() else {
            return (entries, merges);
        };
        if find_duplicate(&entries, &merges).is_none() {
            return (entries, merges);
        }
        let mut last: HashMap<&str, usize> = HashMap::new();
        for (i, e) in entries.iter().enumerate() {
            if !merges.contains(&i) {
                last.insert(e.key.as_str(), i);
            }
        }
        let keep: Vec<bool> = entries
            .iter()
            .enumerate()
            .map(|(i, e)| merges.contains(&i) || last.get(e.key.as_str()) == Some(&i))
            .collect();
        for (i, e) in entries.iter().enumerate() {
            if !keep[i] {
                let winner = &entries[last[e.key.as_str()]];
                let line = self.src.position(winner.key_span.start as usize).line;
                found.push(DuplicateKey {
                    span: e.key_span,
                    message: format!(
                        "duplicate key `{}`: this value is overridden by the one on line {line} (the last one wins)",
                        e.key
                    ),
                });
            }
        }
        let mut new_merges = Vec::new();
        let mut out = Vec::with_capacity(entries.len());
        for (i, e) in entries.into_iter().enumerate() {
            if keep[i] {
                if merges.contains(&i) {
                    new_merges.push(out.len());
                }
                out.push(e);
            }
        }
        (out, new_merges)
    }

    /// Rejects duplicate keys, then applies `<<` merges (explicit keys win, then earlier
    /// merged maps). A `<<` whose value is not a map or a list of maps stays an entry.
    fn finish_map(&self, entries: Vec<Entry>, merges: &[usize]) -> Result<Vec<Entry>, FileError> {
        if let Some((first, again)) = find_duplicate(&entries, merges) {
            let line = self.src.position(first.key_span.start as usize).line;
            let msg = format!(
                "duplicate key `{}` (first defined on line {line})",
                again.key
            );
            return Err(self.error(FileErrorKind::Parse, again.key_span, msg));
        }
        if merges.is_empty() {
            return Ok(entries);
        }
        let mut seen: HashSet<String> = entries
            .iter()
            .enumerate()
            .filter(|(i, _)| !merges.contains(i))
            .map(|(_, e)| e.key.clone())
            .collect();
        let mut out = Vec::with_capacity(entries.len());
        let mut merge_from = |out: &mut Vec<Entry>, from: Vec<Entry>| {
            for e in from {
                if seen.insert(e.key.clone()) {
                    out.push(e);
                }
            }
        };
        for (i, entry) in entries.into_iter().enumerate() {
            if !merges.contains(&i) {
                out.push(entry);
                continue;
            }
            let Entry {
                key,
                key_span,
                value: Node { value, span },
            } = entry;
            match value {
                Value::Map(from) => merge_from(&mut out, from),
                Value::List(items) if items.iter().all(|n| matches!(n.value, Value::Map(_))) => {
                    for item in items {
                        if let Value::Map(from) = item.value {
                            merge_from(&mut out, from);
                        }
                    }
                }
                value => {
                    let value = Node::new(value, span);
                    out.push(Entry {
                        key,
                        key_span,
                        value,
                    });
                }
            }
        }
        Ok(out)
    }
}

/// The first explicit key written twice, as (first, repeated).
pub(super) fn find_duplicate<'e>(
    entries: &'e [Entry],
    merges: &[usize],
) -> Option<(&'e Entry, &'e Entry)> {
    let explicit = || {
        let indexed = entries.iter().enumerate();
        indexed.filter(|(i, _)| !merges.contains(i))
    };
    if entries.len() <= 24 {
        // Small maps (nearly all of them): compare pairs without allocating.
        return explicit().find_map(|(i, e)| {
            let first = explicit()
                .take_while(|(j, _)| *j < i)
                .find(|(_, f)| f.key == e.key);
            first.map(|(_, f)| (f, e))
        });
    }
    let mut seen: HashMap<&str, &Entry> = HashMap::with_capacity(entries.len());
    for (_, e) in explicit() {
        if let Some(first) = seen.insert(&e.key, e) {
            return Some((first, e));
        }
    }
    None
}

/// A key that is not a plain scalar (an alias or a collection) as text.
fn key_text(node: Node, text: &str) -> String {
    match node.value {
        Value::String(s) => s,
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => format_number(n),
        Value::Null => "null".to_owned(),
        Value::List(_) | Value::Map(_) | Value::Unknown(_) => {
            text.get(node.span.range()).unwrap_or_default().to_owned()
        }
    }
}

fn scalar_value(value: Cow<'_, str>, style: ScalarStyle, tag: Option<&Tag>) -> Value {
    // `!!str x` and the non-specific `! x` make a plain scalar a string.
    let forced = tag.is_some_and(|t| {
        (t.is_yaml_core_schema() && t.suffix == "str") || (t.handle.is_empty() && t.suffix == "!")
    });
    if style != ScalarStyle::Plain || forced {
        return Value::String(owned(value));
    }
    resolve_plain(&value).unwrap_or_else(|| Value::String(owned(value)))
}

/// The scalar as an exactly sized `String`: saphyr builds every plain scalar in a
/// 32-byte buffer, and trees live until the scan ends (most keys and values are short).
fn owned(value: Cow<'_, str>) -> String {
    let mut s = value.into_owned();
    if s.capacity() > s.len() {
        s.shrink_to_fit();
    }
    s
}

/// YAML 1.2 core schema resolution of a plain scalar; `None` means a string.
pub(super) fn resolve_plain(s: &str) -> Option<Value> {
    match s {
        "" | "~" | "null" | "Null" | "NULL" => return Some(Value::Null),
        "true" | "True" | "TRUE" => return Some(Value::Bool(true)),
        "false" | "False" | "FALSE" => return Some(Value::Bool(false)),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Some(Value::Number(f64::INFINITY));
        }
        "-.inf" | "-.Inf" | "-.INF" => return Some(Value::Number(f64::NEG_INFINITY)),
        ".nan" | ".NaN" | ".NAN" => return Some(Value::Number(f64::NAN)),
        _ => {}
    }
    let radix = |digits: &str, radix: u32| {
        let mut n = 0.0f64;
        for c in digits.chars() {
            n = n * f64::from(radix) + f64::from(c.to_digit(radix)?);
        }
        (!digits.is_empty()).then_some(Value::Number(n))
    };
    if let Some(hex) = s.strip_prefix("0x") {
        return radix(hex, 16);
    }
    if let Some(oct) = s.strip_prefix("0o") {
        return radix(oct, 8);
    }
    // [-+]? ( \.[0-9]+ | [0-9]+ ( \.[0-9]* )? ) ( [eE] [-+]? [0-9]+ )?
    let b = s.strip_prefix(['-', '+']).unwrap_or(s).as_bytes();
    let digits = |from: usize| {
        b.iter()
            .skip(from)
            .take_while(|c| c.is_ascii_digit())
            .count()
    };
    let int = digits(0);
    let mut i = int;
    if b.get(i) == Some(&b'.') {
        let frac = digits(i + 1);
        if int == 0 && frac == 0 {
            return None;
        }
        i += 1 + frac;
    } else if int == 0 {
        return None;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'-' | b'+')) {
            i += 1;
        }
        let exp = digits(i);
        if exp == 0 {
            return None;
        }
        i += exp;
    }
    if i != b.len() {
        return None;
    }
    s.parse::<f64>().ok().map(Value::Number)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::source::FileId;

    fn src(text: &str) -> SourceText {
        SourceText::new(FileId(0), "t.yaml", "t.yaml".into(), Arc::from(text))
    }

    fn parse(text: &str) -> Result<Vec<Node>, FileError> {
        parse_yaml(&src(text))
    }

    #[test]
    fn flow_closers_at_the_key_indentation_are_read_by_the_retry() {
        // Items and closer at the key's indentation: saphyr-parser alone rejects these
        // (PyYAML and kubectl accept them); the retry joins the collection's lines.
        for text in [
            "a:\n  b: [\n  1,\n  ]\n",
            "- b: [\n  1,\n  ]\n",
            "a:\n  - b: [\n    1\n    ]\n",
            "a:\n  b: [\n  ]\n",
            "a:\n  b: {\n  c: 'it''s',\n  d: \"x]\"\n  }\n  e: f[1]\n",
        ] {
            assert!(parse_events(&src(text), None).is_err(), "{text}");
            let joined = join_flow_closers(text).expect("lines joined");
            assert_eq!(joined.len(), text.len());
            assert!(parse(text).is_ok(), "{text}");
        }
        assert_eq!(
            join_flow_closers("a:\n  b: [\n  1,\n  ]\n").as_deref(),
            Some("a:\n  b: [   1,   ]\n")
        );
        let docs = parse("a:\n  b: {\n  c: 'it''s',\n  d: \"x]\"\n  }\n  e: f[1]\n").unwrap();
        assert_eq!(
            docs[0].to_json(),
            serde_json::json!({"a": {"b": {"c": "it's", "d": "x]"}, "e": "f[1]"}})
        );
        // A comment inside a collection would swallow the rest of it: left alone.
        assert_eq!(join_flow_closers("b: [ 1, # one\n]\n"), None);
    }

    #[test]
    fn lenient_parsing_keeps_the_last_duplicate() {
        let (docs, dups) = parse_yaml_lenient(&src("a: 1\nb: 2\na: 3\n")).expect("lenient");
        assert_eq!(docs[0].to_json(), serde_json::json!({"a": 3.0, "b": 2.0}));
        assert_eq!(dups.len(), 1);
        assert!(dups[0].message.contains("overridden by the one on line 3"));
        assert!(
            parse("a: 1\na: 3\n").is_err(),
            "the strict reading still rejects it"
        );
    }

    fn one(text: &str) -> Node {
        let mut docs = parse(text).unwrap();
        assert_eq!(docs.len(), 1, "{text}");
        docs.remove(0)
    }

    fn at(text: &str, span: Span) -> &str {
        &text[span.range()]
    }

    fn err(text: &str) -> (FileError, usize) {
        let e = parse(text).unwrap_err();
        let line = src(text).position(e.span.unwrap().start as usize).line;
        (e, line)
    }

    #[test]
    fn plain_scalars_follow_the_core_schema_and_quoted_ones_stay_strings() {
        let doc = one(concat!(
            "a: \nb: ~\nc: null\nd: True\ne: FALSE\nf: 12\ng: -3\nh: 0x1F\ni: 0o17\n",
            "j: 8.20\nk: 1e3\nl: -.Inf\nm: .5\nn: \"8.20\"\no: '12'\np: |\n  8.20\n",
            "q: on\nr: yes\ns: 1_000\nt: 1.2.3\nu: !!str 12\nv: !Ref x\nw: ! 5\nx: 0x\n",
        ));
        let v = |k: &str| doc.get(k).unwrap().value.clone();
        let s = |x: &str| Value::String(x.into());
        for k in ["a", "b", "c"] {
            assert_eq!(v(k), Value::Null);
        }
        assert_eq!((v("d"), v("e")), (Value::Bool(true), Value::Bool(false)));
        let numbers = [
            ("f", 12.0),
            ("g", -3.0),
            ("h", 31.0),
            ("i", 15.0),
            ("j", 8.2),
        ];
        for (k, n) in numbers.into_iter().chain([("k", 1000.0), ("m", 0.5)]) {
            assert_eq!(v(k), Value::Number(n), "{k}");
        }
        assert_eq!(v("l"), Value::Number(f64::NEG_INFINITY));
        assert!(matches!(one(".nan").value, Value::Number(n) if n.is_nan()));
        assert_eq!((v("n"), v("o"), v("p")), (s("8.20"), s("12"), s("8.20\n")));
        for (k, want) in [("q", "on"), ("r", "yes"), ("s", "1_000"), ("t", "1.2.3")] {
            assert_eq!(v(k), s(want));
        }
        assert_eq!(
            (v("u"), v("v"), v("w"), v("x")),
            (s("12"), s("x"), s("5"), s("0x"))
        );
    }

    #[test]
    fn spans_cover_keys_and_values_after_non_ascii_text() {
        let text = "# héllo wörld ✓\nmeta:\n  näme: \"ünï\"\n  labels: {app: wéb, n: [1, 2]}\n  run: |\n    écho\n\n# end\n";
        let doc = one(text);
        let meta = doc.entry("meta").unwrap();
        assert_eq!(at(text, meta.key_span), "meta");
        assert!(at(text, meta.value.span).starts_with("näme: \"ünï\""));
        assert!(at(text, meta.value.span).ends_with("écho"));
        let name = meta.value.entry("näme").unwrap();
        assert_eq!(
            (at(text, name.key_span), at(text, name.value.span)),
            ("näme", "\"ünï\"")
        );
        let labels = meta.value.get("labels").unwrap();
        assert_eq!(at(text, labels.span), "{app: wéb, n: [1, 2]}");
        assert_eq!(at(text, labels.get("app").unwrap().span), "wéb");
        assert_eq!(at(text, labels.get("n").unwrap().span), "[1, 2]");
        assert_eq!(at(text, labels.get("n").unwrap().items()[1].span), "2");
        assert_eq!(at(text, meta.value.get("run").unwrap().span), "écho");
        // A byte order mark and CRLF line ends shift nothing.
        let text = "\u{feff}é: 1\r\nb: [x]\r\n";
        let doc = one(text);
        assert_eq!(at(text, doc.entry("é").unwrap().key_span), "é");
        assert_eq!(at(text, doc.get("b").unwrap().span), "[x]");
    }

    #[test]
    fn marker_offsets_match_line_and_column() {
        let text = "ä: [ö, {ü: ß}]\n- x\n\"日本\": &a 語\nb: *a\n- 1\n";
        let (source, mut parser) = (src(text), Parser::new_from_str(text));
        let mut b = Builder::new(&source);
        let mut marks = Vec::new();
        while let Some(Ok((event, span))) = parser.next_event() {
            marks.extend([span.start, span.end]);
            if event == Event::StreamEnd {
                break;
            }
        }
        assert!(marks.len() > 10);
        // Forwards, then backwards: the cursor must agree both ways.
        for m in marks.iter().chain(marks.iter().rev()) {
            assert_eq!(
                b.offset(*m),
                source.offset_of_char_column(m.line(), m.col())
            );
        }
    }

    #[test]
    fn streams_yield_one_node_per_non_empty_document() {
        let docs = parse("a: 1\n---\n# only a comment\n---\n- x\n...\n---\nnull\n---\n").unwrap();
        assert_eq!(docs.len(), 3);
        assert_eq!(docs[0].get("a").unwrap().value, Value::Number(1.0));
        assert_eq!(docs[1].items().len(), 1);
        assert!(docs[2].is_null());
        assert!(parse("").unwrap().is_empty());
        assert!(parse("# nothing\n\n").unwrap().is_empty());
    }

    #[test]
    fn json_and_flow_style_parse_with_spans() {
        let text = "{\"a\": [1, 2.5], \"b\": {\"c\": null, \"d\": \"\\u00e9\"}, \"e\": true}";
        let doc = one(text);
        assert_eq!(at(text, doc.span), text);
        let a = doc.entry("a").unwrap();
        assert_eq!(
            (at(text, a.key_span), at(text, a.value.span)),
            ("\"a\"", "[1, 2.5]")
        );
        assert_eq!(a.value.items()[1].value, Value::Number(2.5));
        assert!(doc.get_path("b.c").unwrap().is_null());
        assert_eq!(doc.get_path("b.d").unwrap().as_str(), Some("é"));
        assert_eq!(doc.get("e").unwrap().value, Value::Bool(true));
        let flow = one("[a, {b: c}, [d: e], ]");
        assert_eq!(flow.items().len(), 3);
        assert_eq!(
            flow.items()[2].items()[0].get("d").unwrap().as_str(),
            Some("e")
        );
    }

    #[test]
    fn aliases_expand_and_merge_keys_apply() {
        let text = "base: &base {image: nginx, replicas: 1}\nextra: &extra\n  port: 80\n  replicas: 5\nsvc:\n  <<: [*base, *extra]\n  replicas: 3\ncopy: *base\none: {<<: *extra, port: 81}\nquoted: {\"<<\": 1}\n";
        let doc = one(text);
        let svc = doc.get("svc").unwrap();
        let keys: Vec<&str> = svc.entries().iter().map(|e| e.key.as_str()).collect();
        assert_eq!(keys, ["image", "port", "replicas"]);
        assert_eq!(svc.get("replicas").unwrap().value, Value::Number(3.0));
        assert_eq!(doc.get("copy"), doc.get("base"));
        assert_eq!(doc.get_path("one.port").unwrap().value, Value::Number(81.0));
        assert_eq!(
            doc.get_path("one.replicas").unwrap().value,
            Value::Number(5.0)
        );
        assert!(doc.get("quoted").unwrap().get("<<").is_some());
        // Anchors do not cross documents; aliases must follow their anchor.
        assert_eq!(
            parse("a: &x 1\n---\nb: *x\n").unwrap_err().kind,
            FileErrorKind::Parse
        );
        assert_eq!(
            parse("a: &x [*x]\n").unwrap_err().kind,
            FileErrorKind::Parse
        );
    }

    #[test]
    fn keys_are_stringified_and_duplicates_rejected() {
        let doc = one("1: a\ntrue: b\n~: c\n? [x, y]\n: d\n\"1.0\": e\n");
        let keys: Vec<&str> = doc.entries().iter().map(|e| e.key.as_str()).collect();
        assert_eq!(keys, ["1", "true", "~", "[x, y]", "1.0"]);
        let (e, line) = err("a: 1\nb: 2\na: 3\n");
        assert_eq!((e.kind, line), (FileErrorKind::Parse, 3));
        assert!(
            e.message
                .contains("duplicate key `a` (first defined on line 1)"),
            "{}",
            e.message
        );
        let many: String = (0..40).map(|i| format!("k{i}: 1\n")).collect();
        assert!(parse(&format!("{many}k7: 2\n")).is_err());
    }

    #[test]
    fn huge_documents_hit_the_node_budget() {
        let flow = format!("[{}0]", "0,".repeat(MAX_DOCUMENT_NODES));
        let e = parse(&flow).unwrap_err();
        assert_eq!(e.kind, FileErrorKind::Limit);
        assert!(e.message.contains("values"), "{}", e.message);
        let block = "- 0\n".repeat(MAX_DOCUMENT_NODES + 1);
        assert_eq!(parse(&block).unwrap_err().kind, FileErrorKind::Limit);
        // Quoted separators do not count, and each document has its own budget.
        let quoted = format!("[\"{}\"]", ",".repeat(MAX_DOCUMENT_NODES + 1));
        assert!(parse(&quoted).is_ok());
        let half = "- 0\n".repeat(MAX_DOCUMENT_NODES / 2 + 1);
        assert!(parse(&format!("{half}---\n{half}")).is_ok());
    }

    #[test]
    fn alias_bombs_hit_the_limit() {
        let mut text = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for (prev, name) in "abcdefgh".chars().zip("bcdefghi".chars()) {
            let refs = vec![format!("*{prev}"); 10].join(", ");
            text.push_str(&format!("{name}: &{name} [{refs}]\n"));
        }
        let e = parse(&text).unwrap_err();
        assert_eq!(e.kind, FileErrorKind::Limit);
        assert!(e.message.contains("alias bomb"), "{}", e.message);
        assert!(e.span.is_some());
    }

    #[test]
    fn deep_nesting_is_a_limit_error_not_a_stack_overflow() {
        let flow = "[".repeat(10_000);
        assert_eq!(parse(&flow).unwrap_err().kind, FileErrorKind::Limit);
        let block = format!("{}x\n", "- ".repeat(10_000));
        let e = parse(&block).unwrap_err();
        assert_eq!(e.kind, FileErrorKind::Limit);
        assert!(
            e.message.contains("nesting deeper than 256 levels"),
            "{}",
            e.message
        );
        let indented: String = (0..1000)
            .map(|i| format!("{}k:\n", " ".repeat(i)))
            .collect();
        assert_eq!(parse(&indented).unwrap_err().kind, FileErrorKind::Limit);
        assert_eq!(
            one(&format!("{}x\n", "- ".repeat(MAX_DEPTH))).depth(),
            MAX_DEPTH
        );
        let nested = format!("{}{}", "[".repeat(200), "]".repeat(200));
        let aliased = format!("a: &a {nested}\nb:\n  {}*a\n", "- ".repeat(100));
        assert_eq!(parse(&aliased).unwrap_err().kind, FileErrorKind::Limit);
    }

    #[test]
    fn malformed_yaml_is_an_error_with_a_line() {
        for (text, want) in [
            ("a: [1, 2\n", 2),
            ("a:\n\tb: 1\n", 2),
            ("key: value: x\n", 1),
        ] {
            let (e, line) = err(text);
            assert_eq!(
                (e.kind, line),
                (FileErrorKind::Parse, want),
                "{text}: {}",
                e.message
            );
            assert!(!e.message.contains("line"), "{}", e.message);
        }
    }

    #[test]
    fn truncated_and_mangled_input_never_panics() {
        let text = "a: &a {k: \"é\\u00e9\", l: [1, 'ü']}\nb:\n  <<: *a\n  c: |\n    x\n? [p]\n: !!str q\n--- !t\n- *a\n";
        for (i, _) in text.char_indices() {
            let _ = parse(&text[..i]);
            let _ = parse(&format!("{}\t]{}", &text[..i], &text[i..]));
        }
    }
}
