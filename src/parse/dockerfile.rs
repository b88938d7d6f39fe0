//! A hand-written Dockerfile parser that follows BuildKit's rules: parser directives at the
//! top (`# syntax=`, `# escape=`), full-line comments (also inside continued instructions),
//! line continuations with the escape character, heredocs on RUN/COPY/ADD, exec (JSON) form
//! and `--flag=value` flags. Every node keeps the span of the text it came from.
//!
//! Output: `{ instructions: [...], stages: [...], directives: {...} }`; see
//! `parse_dockerfile`. Continued lines are joined with one space (comment and blank lines
//! dropped), which is what rules match against.

use crate::error::FileError;
use crate::parse::node::{Entry, Node, Value};
use crate::source::{SourceText, Span};

const KNOWN: &str = "ADD ARG CMD COPY ENTRYPOINT ENV EXPOSE FROM HEALTHCHECK LABEL MAINTAINER ONBUILD RUN SHELL STOPSIGNAL USER VOLUME WORKDIR";
/// Instructions whose arguments may be a JSON array.
const JSON_FORM: [&str; 7] = ["RUN", "CMD", "ENTRYPOINT", "SHELL", "ADD", "COPY", "VOLUME"];

/// Parses a Dockerfile into a Map with `instructions` (each a Map of `instruction`,
/// `flags`, `args`, optional `exec`, `heredocs`, `stage`, and for FROM `image`, `alias`,
/// `platform`), `stages` (each a Map of `index`, `image`, `alias`, `platform`,
/// `base_stage`, `user`, `instructions` = indices) and `directives`.
pub fn parse_dockerfile(src: &SourceText) -> Result<Node, FileError> {
    let pos = src.text.strip_prefix('\u{feff}').map_or(0, |_| 3);
    Parser {
        src,
        text: &src.text,
        pos,
        escape: '\\',
    }
    .run()
}

struct Parser<'a> {
    src: &'a SourceText,
    text: &'a str,
    /// Start of the next physical line.
    pos: usize,
    escape: char,
}

/// One run of source text inside a joined logical line.
struct Piece {
    joined: usize,
    src: usize,
    len: usize,
}

/// The physical lines of one instruction joined with single spaces, mapped back to source.
#[derive(Default)]
struct Logical {
    text: String,
    pieces: Vec<Piece>,
}

impl Logical {
    fn push(&mut self, src: usize, piece: &str) {
        if piece.is_empty() {
            return;
        }
        if !self.text.is_empty() {
            self.text.push(' ');
        }
        let joined = self.text.len();
        self.pieces.push(Piece {
            joined,
            src,
            len: piece.len(),
        });
        self.text.push_str(piece);
    }

    fn map(&self, p: usize) -> usize {
        let i = self
            .pieces
            .partition_point(|pc| pc.joined <= p)
            .saturating_sub(1);
        self.pieces
            .get(i)
            .map_or(0, |pc| pc.src + p.saturating_sub(pc.joined).min(pc.len))
    }
}

struct Stage {
    image: Node,
    alias: Option<Node>,
    platform: Option<Node>,
    base: Option<usize>,
    members: Vec<(usize, Span)>,
    user: Option<Node>,
}

impl Parser<'_> {
    fn span(&self, start: usize, end: usize) -> Span {
        Span::new(self.src.id, start, end)
    }

    fn err(&self, span: Span, msg: String) -> FileError {
        FileError::parse(&self.src.display_path, Some(span), msg)
    }

    /// The next physical line as (start, end) without its line break.
    fn next_line(&mut self) -> Option<(usize, usize)> {
        if self.pos >= self.text.len() {
            return None;
        }
        let start = self.pos;
        let nl = self.text[start..].find('\n').map(|i| start + i);
        self.pos = nl.map_or(self.text.len(), |i| i + 1);
        let mut end = nl.unwrap_or(self.text.len());
        if end > start && self.text.as_bytes()[end - 1] == b'\r' {
            end -= 1;
        }
        Some((start, end))
    }

    fn run(mut self) -> Result<Node, FileError> {
        let whole = self.span(0, self.text.len());
        let mut directives: Vec<Entry> = Vec::new();
        let mut in_directives = true;
        let mut instructions: Vec<Node> = Vec::new();
        let mut stages: Vec<Stage> = Vec::new();
        while let Some((ls, le)) = self.next_line() {
            let start = le.min(ls + leading_ws(&self.text[ls..le]));
            let content = &self.text[start..le];
            if in_directives {
                match directive(content) {
                    Some((name, n, a, b))
                        if ["syntax", "escape", "check"].contains(&name.as_str()) =>
                    {
                        let value = Node::string(&content[a..b], self.span(start + a, start + b));
                        if directives.iter().any(|e| e.key == name) {
                            let msg = format!("only one {name} parser directive can be used");
                            return Err(self.err(value.span, msg));
                        }
                        if name == "escape" {
                            self.escape = match &content[a..b] {
                                "\\" => '\\',
                                "`" => '`',
                                v => {
                                    let msg = format!(
                                        "invalid escape token '{v}' does not match ` or \\"
                                    );
                                    return Err(self.err(value.span, msg));
                                }
                            };
                        }
                        let key_span = self.span(start + n, start + n + name.len());
                        directives.push(Entry {
                            key: name,
                            key_span,
                            value,
                        });
                        continue;
                    }
                    _ => in_directives = false,
                }
            }
            if content.starts_with('#') || content.trim().is_empty() {
                continue;
            }
            let Some((mut node, keyword, from)) = self.instruction(start, le)? else {
                continue;
            };
            let kw_span = node.get("instruction").map_or(node.span, |n| n.span);
            let index = instructions.len();
            if let Some((image, alias)) = from {
                let base = stages.iter().position(|s| {
                    let (a, i) = (s.alias.as_ref().and_then(Node::as_str), image.as_str());
                    a.zip(i).is_some_and(|(a, i)| a.eq_ignore_ascii_case(i))
                });
                let platform = node.get("flags").and_then(|f| f.get("platform")).cloned();
                let mut extra = vec![entry("image", image.clone())];
                extra.extend(alias.clone().map(|a| entry("alias", a)));
                extra.extend(platform.clone().map(|p| entry("platform", p)));
                push_entries(&mut node, extra);
                stages.push(Stage {
                    image,
                    alias,
                    platform,
                    base,
                    members: vec![],
                    user: None,
                });
            } else if stages.is_empty() && keyword != "ARG" {
                let msg =
                    format!("{keyword} before the first FROM: no build stage in current context");
                return Err(self.err(kw_span, msg));
            }
            let count = stages.len();
            if let Some(stage) = stages.last_mut() {
                let number = Node::new(Value::Number((count - 1) as f64), kw_span);
                push_entries(&mut node, vec![entry("stage", number)]);
                stage.members.push((index, node.span));
                if keyword == "USER" {
                    stage.user = node.get("args").cloned();
                }
            }
            instructions.push(node);
        }
        let mut stage_nodes = Vec::with_capacity(stages.len());
        for i in 0..stages.len() {
            if stages[i].user.is_none() {
                stages[i].user = stages[i].base.and_then(|b| stages.get(b)?.user.clone());
            }
            stage_nodes.push(stage_node(i, &stages[i]));
        }
        let directives_span = directives
            .iter()
            .fold(self.span(0, 0), |s, e| s.join(e.value.span));
        Ok(Node::new(
            Value::Map(vec![
                entry("instructions", Node::new(Value::List(instructions), whole)),
                entry("stages", Node::new(Value::List(stage_nodes), whole)),
                entry(
                    "directives",
                    Node::new(Value::Map(directives), directives_span),
                ),
            ]),
            whole,
        ))
    }

    /// Reads one instruction starting at `start` (first non-blank character of its line).
    #[allow(clippy::type_complexity)]
    fn instruction(
        &mut self,
        start: usize,
        le: usize,
    ) -> Result<Option<(Node, String, Option<(Node, Option<Node>)>)>, FileError> {
        let mut logical = Logical::default();
        let (mut cont, mut end) = self.push_line(&mut logical, start, le);
        while cont {
            let Some((ls, le)) = self.next_line() else {
                break;
            };
            let s = le.min(ls + leading_ws(&self.text[ls..le]));
            let c = &self.text[s..le];
            if c.starts_with('#') || c.trim().is_empty() {
                continue;
            }
            (cont, end) = self.push_line(&mut logical, s, le);
        }
        let t = logical.text.as_str();
        if t.is_empty() {
            return Ok(None);
        }
        let id = self.src.id;
        let sp = |a: usize, b: usize| Span::new(id, logical.map(a), logical.map(b));
        let kw_end = t.find(|c: char| c.is_ascii_whitespace()).unwrap_or(t.len());
        let keyword = t[..kw_end].to_ascii_uppercase();
        let kw_span = sp(0, kw_end);
        if !KNOWN.split(' ').any(|k| k == keyword) {
            return Err(self.err(kw_span, format!("unknown instruction: {}", &t[..kw_end])));
        }
        let (flags, args_start) = parse_flags(t, kw_end);
        let flags_span = flags.iter().fold(
            self.span(kw_span.end as usize, kw_span.end as usize),
            |s, f| s.join(sp(f.0.0, f.2.1)),
        );
        let flag_entries = flags
            .into_iter()
            .map(|((a, b), value, (c, d))| Entry {
                key: t[a + 2..b].to_string(),
                key_span: sp(a, b),
                value: Node::string(value, sp(c, d)),
            })
            .collect();
        let args_text = &t[args_start..];
        let args_src = if args_text.is_empty() {
            end
        } else {
            logical.map(args_start)
        };
        let mut entries = vec![
            entry("instruction", Node::string(&keyword, kw_span)),
            entry("flags", Node::new(Value::Map(flag_entries), flags_span)),
        ];
        let exec = if JSON_FORM.contains(&keyword.as_str()) {
            json_array(args_text)
        } else {
            None
        };
        let mut heredocs = Vec::new();
        if exec.is_none()
            && ["RUN", "COPY", "ADD"].contains(&keyword.as_str())
            && args_text.contains("<<")
        {
            for (a, b) in words(args_text, 0) {
                let Some((name, chomp)) = heredoc_word(&args_text[a..b]) else {
                    continue;
                };
                let name_span = sp(args_start + a, args_start + b);
                let (content, content_span, term_end) =
                    self.heredoc_body(&name, chomp, name_span)?;
                end = term_end;
                heredocs.push(Node::new(
                    Value::Map(vec![
                        entry("name", Node::string(name, name_span)),
                        entry("content", Node::string(content, content_span)),
                    ]),
                    name_span.join(content_span),
                ));
            }
        }
        let args_span = self.span(args_src.min(end), end);
        entries.push(entry("args", Node::string(args_text, args_span)));
        if let Some(items) = exec {
            let list = items
                .into_iter()
                .map(|(s, a, b)| Node::string(s, sp(args_start + a, args_start + b)))
                .collect();
            entries.push(entry("exec", Node::new(Value::List(list), args_span)));
        }
        if !heredocs.is_empty() {
            entries.push(entry(
                "heredocs",
                Node::new(Value::List(heredocs), args_span),
            ));
        }
        let mut from = None;
        if keyword == "FROM" {
            let toks = words(args_text, 0);
            let node = |i: usize| {
                let (a, b): (usize, usize) = toks[i];
                Node::string(&args_text[a..b], sp(args_start + a, args_start + b))
            };
            match toks.len() {
                1 => from = Some((node(0), None)),
                3 if args_text[toks[1].0..toks[1].1].eq_ignore_ascii_case("as") => {
                    from = Some((node(0), Some(node(2))));
                }
                _ => {
                    let msg = "FROM requires either one or three arguments".to_string();
                    return Err(self.err(kw_span.join(args_span), msg));
                }
            }
        }
        let span = self.span(start, end.max(start));
        Ok(Some((Node::new(Value::Map(entries), span), keyword, from)))
    }

    /// Adds one physical line to `logical`; returns (continued, end of its content).
    fn push_line(&self, logical: &mut Logical, s: usize, e: usize) -> (bool, usize) {
        let t = self.text[s..e].trim_end_matches([' ', '\t']);
        let tend = s + t.len();
        let (body, cont) = match t.strip_suffix(self.escape) {
            Some(b) => (b, true),
            None => (t, false),
        };
        let trimmed = body.trim_start();
        logical.push(s + body.len() - trimmed.len(), trimmed.trim_end());
        (cont, tend)
    }

    /// Reads heredoc lines up to the terminator: (content, content span, terminator end).
    fn heredoc_body(
        &mut self,
        name: &str,
        chomp: bool,
        at: Span,
    ) -> Result<(String, Span, usize), FileError> {
        let mut content = String::new();
        let mut first: Option<usize> = None;
        let mut last = self.pos;
        while let Some((ls, le)) = self.next_line() {
            let line = &self.text[ls..le];
            let candidate = if chomp {
                line.trim_start_matches('\t')
            } else {
                line
            };
            if candidate == name {
                let cstart = first.unwrap_or(ls);
                return Ok((content, self.span(cstart, last.max(cstart)), le));
            }
            first.get_or_insert(ls);
            last = le;
            content.push_str(line);
            content.push('\n');
        }
        Err(self.err(at, format!("unterminated heredoc {name}")))
    }
}

fn entry(key: &str, value: Node) -> Entry {
    Entry {
        key: key.to_string(),
        key_span: value.span,
        value,
    }
}

fn push_entries(node: &mut Node, extra: Vec<Entry>) {
    if let Value::Map(entries) = &mut node.value {
        entries.extend(extra);
    }
}

fn stage_node(index: usize, s: &Stage) -> Node {
    let first = s.members.first().map_or(s.image.span, |m| m.1);
    let span = s.members.last().map_or(first, |m| first.join(m.1));
    let mut entries = vec![
        entry("index", Node::new(Value::Number(index as f64), first)),
        entry("image", s.image.clone()),
    ];
    entries.extend(s.alias.clone().map(|a| entry("alias", a)));
    entries.extend(s.platform.clone().map(|p| entry("platform", p)));
    entries.extend(s.base.map(|b| {
        entry(
            "base_stage",
            Node::new(Value::Number(b as f64), s.image.span),
        )
    }));
    entries.extend(s.user.clone().map(|u| entry("user", u)));
    let list = s
        .members
        .iter()
        .map(|&(i, sp)| Node::new(Value::Number(i as f64), sp))
        .collect();
    entries.push(entry("instructions", Node::new(Value::List(list), span)));
    Node::new(Value::Map(entries), span)
}

fn leading_ws(s: &str) -> usize {
    s.len() - s.trim_start_matches([' ', '\t']).len()
}

/// `#[ \t]*name[ \t]*=[ \t]*value[ \t]*` → (lower-case name, name start, value range).
fn directive(content: &str) -> Option<(String, usize, usize, usize)> {
    let b = content.as_bytes();
    if b.first() != Some(&b'#') {
        return None;
    }
    let ws = |mut i: usize| {
        while matches!(b.get(i), Some(b' ' | b'\t')) {
            i += 1;
        }
        i
    };
    let name_start = ws(1);
    if !b.get(name_start)?.is_ascii_alphabetic() {
        return None;
    }
    let mut i = name_start;
    while b.get(i).is_some_and(u8::is_ascii_alphanumeric) {
        i += 1;
    }
    let name = content[name_start..i].to_ascii_lowercase();
    i = ws(i);
    if b.get(i) != Some(&b'=') {
        return None;
    }
    let value_start = ws(i + 1);
    let value_end = content.trim_end_matches([' ', '\t']).len();
    (value_end > value_start).then_some((name, name_start, value_start, value_end))
}

/// Whitespace-separated words from `i` on, quotes and backslash escapes kept inside words.
fn words(t: &str, mut i: usize) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let b = t.as_bytes();
    loop {
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        if i >= b.len() {
            return out;
        }
        let end = word_end(b, i);
        out.push((i, end));
        i = end;
    }
}

/// End of the shell-like word starting at `j` (quotes and backslash escapes stay inside).
pub(crate) fn word_end(b: &[u8], mut j: usize) -> usize {
    let mut quote = None;
    while j < b.len() {
        let c = b[j];
        match quote {
            None if c.is_ascii_whitespace() => break,
            None if c == b'\'' || c == b'"' => quote = Some(c),
            Some(q) if c == q => quote = None,
            _ if c == b'\\' => j += 1,
            _ => {}
        }
        j += 1;
    }
    j.min(b.len())
}

/// Leading `--name[=value]` flags: ((name range), unquoted value, (value range)) and the
/// offset where the arguments start.
#[allow(clippy::type_complexity)]
fn parse_flags(t: &str, mut i: usize) -> (Vec<((usize, usize), String, (usize, usize))>, usize) {
    let b = t.as_bytes();
    let mut out = Vec::new();
    loop {
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        if !t[i..].starts_with("--") {
            return (out, i);
        }
        let end = word_end(b, i);
        if end == i + 2 {
            // A lone `--` ends the flags.
            i = end;
            while i < b.len() && b[i].is_ascii_whitespace() {
                i += 1;
            }
            return (out, i);
        }
        match t[i..end].find('=') {
            Some(eq) => out.push(((i, i + eq), unquote(&t[i + eq + 1..end]), (i + eq + 1, end))),
            None => out.push(((i, end), "true".to_string(), (i, end))),
        }
        i = end;
    }
}

/// Removes quotes and backslash escapes the way BuildKit reads words (flag values,
/// `ENV` and `ARG` values): inside single quotes a backslash is itself.
pub(crate) fn unquote(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut quote = None;
    let mut it = s.chars();
    while let Some(c) = it.next() {
        match (quote, c) {
            (None, '\'' | '"') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (Some('\''), c) => out.push(c),
            (_, '\\') => out.extend(it.next()),
            _ => out.push(c),
        }
    }
    out
}

/// `[digits]<<[-]NAME` (NAME possibly quoted) → (name, chomp leading tabs).
fn heredoc_word(w: &str) -> Option<(String, bool)> {
    let rest = w
        .trim_start_matches(|c: char| c.is_ascii_digit())
        .strip_prefix("<<")?;
    let (rest, chomp) = rest.strip_prefix('-').map_or((rest, false), |r| (r, true));
    if rest.is_empty() || rest.contains('<') {
        return None;
    }
    let name = unquote(rest);
    (!name.is_empty()).then_some((name, chomp))
}

/// A JSON array of strings: each decoded string with the range of its literal.
fn json_array(s: &str) -> Option<Vec<(String, usize, usize)>> {
    let b = s.as_bytes();
    let ws = |mut i: usize| {
        while b.get(i).is_some_and(u8::is_ascii_whitespace) {
            i += 1;
        }
        i
    };
    let mut i = ws(0);
    if b.get(i) != Some(&b'[') {
        return None;
    }
    i = ws(i + 1);
    let mut out = Vec::new();
    if b.get(i) == Some(&b']') {
        i += 1;
    } else {
        loop {
            if b.get(i) != Some(&b'"') {
                return None;
            }
            let start = i;
            i += 1;
            loop {
                match b.get(i)? {
                    b'\\' => i += 2,
                    b'"' => break,
                    _ => i += 1,
                }
            }
            i += 1;
            let value: String = serde_json::from_str(s.get(start..i)?).ok()?;
            out.push((value, start, i));
            i = ws(i);
            match b.get(i)? {
                b',' => i = ws(i + 1),
                b']' => {
                    i += 1;
                    break;
                }
                _ => return None,
            }
        }
    }
    (ws(i) == b.len()).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileId;
    use std::sync::Arc;

    #[test]
    fn unquote_keeps_backslashes_inside_single_quotes() {
        assert_eq!(unquote(r#""a\"b" c"#), r#"a"b c"#);
        assert_eq!(unquote(r"'C:\tmp\x'"), r"C:\tmp\x");
        assert_eq!(unquote(r"a\ b"), "a b");
    }

    fn src(text: &str) -> SourceText {
        SourceText::new(
            FileId(0),
            "Dockerfile",
            "Dockerfile".into(),
            Arc::from(text),
        )
    }

    fn parse(text: &str) -> (SourceText, Node) {
        let s = src(text);
        let n = parse_dockerfile(&s).unwrap();
        (s, n)
    }

    fn text<'a>(s: &'a SourceText, n: &Node) -> &'a str {
        &s.text[n.span.range()]
    }

    fn instr(doc: &Node, i: usize) -> &Node {
        &doc.get("instructions").unwrap().items()[i]
    }

    #[test]
    fn continuation_with_comments_inside() {
        let df = "FROM alpine\nRUN apt-get update \\  \n  # a comment\n\n    && apt-get install -y curl \\\n    && rm -rf /x\nUSER app\n";
        let (s, doc) = parse(df);
        let run = instr(&doc, 1);
        assert_eq!(run.get("instruction").unwrap().as_str(), Some("RUN"));
        let args = run.get("args").unwrap();
        assert_eq!(
            args.as_str(),
            Some("apt-get update && apt-get install -y curl && rm -rf /x")
        );
        assert!(text(&s, args).starts_with("apt-get update"));
        assert!(text(&s, args).ends_with("rm -rf /x"));
        assert!(text(&s, run).starts_with("RUN apt-get") && text(&s, run).ends_with("/x"));
        assert_eq!(text(&s, run.get("instruction").unwrap()), "RUN");
        assert_eq!(instr(&doc, 2).get("args").unwrap().as_str(), Some("app"));
    }

    #[test]
    fn exec_form_and_flags() {
        let df = "from --platform=linux/amd64 golang:1.22 AS build\ncopy --from=build --chown=\"app:app\" /a /b\nCMD [\"/bin/app\", \"--flag=\\\"x\\\"\"]\nENTRYPOINT [not json\nRUN --mount=type=cache,target=/c --mount=type=secret,id=s --network=none make\n";
        let (s, doc) = parse(df);
        let from = instr(&doc, 0);
        assert_eq!(from.get("instruction").unwrap().as_str(), Some("FROM"));
        assert_eq!(from.get("image").unwrap().as_str(), Some("golang:1.22"));
        assert_eq!(text(&s, from.get("image").unwrap()), "golang:1.22");
        assert_eq!(from.get("alias").unwrap().as_str(), Some("build"));
        assert_eq!(from.get("platform").unwrap().as_str(), Some("linux/amd64"));
        let copy = instr(&doc, 1);
        assert_eq!(copy.get_path("flags.from").unwrap().as_str(), Some("build"));
        assert_eq!(
            copy.get_path("flags.chown").unwrap().as_str(),
            Some("app:app")
        );
        assert_eq!(
            text(&s, copy.get_path("flags.chown").unwrap()),
            "\"app:app\""
        );
        assert_eq!(copy.get("args").unwrap().as_str(), Some("/a /b"));
        let cmd = instr(&doc, 2);
        let exec = cmd.get("exec").unwrap().items();
        assert_eq!(exec[1].as_str(), Some("--flag=\"x\""));
        assert_eq!(text(&s, &exec[0]), "\"/bin/app\"");
        assert!(instr(&doc, 3).get("exec").is_none());
        let run = instr(&doc, 4);
        let mounts: Vec<_> = run
            .get("flags")
            .unwrap()
            .entries()
            .iter()
            .filter(|e| e.key == "mount")
            .collect();
        assert_eq!(mounts.len(), 2);
        assert_eq!(mounts[1].value.as_str(), Some("type=secret,id=s"));
        assert_eq!(run.get("args").unwrap().as_str(), Some("make"));
    }

    #[test]
    fn escape_directive() {
        let df = "# escape=`\n# syntax=docker/dockerfile:1\nFROM mcr.microsoft.com/windows\nRUN dir c:\\ `\n    && echo done\nWORKDIR c:\\app\\\n";
        let (s, doc) = parse(df);
        assert_eq!(
            doc.get_path("directives.escape").unwrap().as_str(),
            Some("`")
        );
        assert_eq!(
            text(&s, doc.get_path("directives.syntax").unwrap()),
            "docker/dockerfile:1"
        );
        let key = doc.get("directives").unwrap().entries()[0].key_span;
        assert_eq!(&s.text[key.range()], "escape");
        assert_eq!(
            instr(&doc, 1).get("args").unwrap().as_str(),
            Some("dir c:\\ && echo done")
        );
        assert_eq!(
            instr(&doc, 2).get("args").unwrap().as_str(),
            Some("c:\\app\\")
        );
        // Not a directive once an instruction was seen; a bad escape is rejected.
        let (_, doc) = parse("FROM a\n# escape=`\nRUN x \\\n y\n");
        assert_eq!(instr(&doc, 1).get("args").unwrap().as_str(), Some("x y"));
        assert!(parse_dockerfile(&src("# escape=x\nFROM a\n")).is_err());
    }

    #[test]
    fn heredocs() {
        let df = "FROM alpine\nRUN <<EOF\n  set -e\n  curl x | sh\nEOF\nCOPY <<-A <<B /dest/\n\tone\n\tA\ntwo\nB\nUSER 1000\n";
        let (s, doc) = parse(df);
        let run = instr(&doc, 1);
        assert_eq!(run.get("args").unwrap().as_str(), Some("<<EOF"));
        let h = &run.get("heredocs").unwrap().items()[0];
        assert_eq!(h.get("name").unwrap().as_str(), Some("EOF"));
        assert_eq!(
            h.get("content").unwrap().as_str(),
            Some("  set -e\n  curl x | sh\n")
        );
        assert_eq!(
            text(&s, h.get("content").unwrap()),
            "  set -e\n  curl x | sh"
        );
        assert!(text(&s, run).ends_with("sh\nEOF"));
        let copy = instr(&doc, 2);
        let hs = copy.get("heredocs").unwrap().items();
        assert_eq!(hs.len(), 2);
        assert_eq!(hs[1].get("content").unwrap().as_str(), Some("two\n"));
        assert_eq!(instr(&doc, 3).get("args").unwrap().as_str(), Some("1000"));
        let bad = src("FROM a\nRUN <<EOF\necho\n");
        let e = parse_dockerfile(&bad).unwrap_err();
        assert_eq!(bad.position(e.span.unwrap().start as usize).line, 2);
    }

    #[test]
    fn multi_stage_final_user() {
        let df = "ARG V=1\nFROM golang AS Build\nUSER root\nRUN go build\nFROM build AS final\nRUN x\nFROM scratch\nCOPY --from=final /a /a\n";
        let (_, doc) = parse(df);
        assert!(instr(&doc, 0).get("stage").is_none());
        let stages = doc.get("stages").unwrap().items();
        assert_eq!(stages.len(), 3);
        assert_eq!(
            stages[1].get("base_stage").and_then(Node::as_f64),
            Some(0.0)
        );
        assert_eq!(stages[1].get("user").unwrap().as_str(), Some("root"));
        assert!(stages[2].get("user").is_none());
        let idx: Vec<_> = stages[2]
            .get("instructions")
            .unwrap()
            .items()
            .iter()
            .filter_map(Node::as_f64)
            .collect();
        assert_eq!(idx, vec![6.0, 7.0]);
        assert_eq!(
            instr(&doc, 7).get("stage").and_then(Node::as_f64),
            Some(2.0)
        );
    }

    #[test]
    fn errors_where_docker_rejects() {
        let s = src("FROM a\r\nRUN x\r\n\r\nFOO bar\r\n");
        let e = parse_dockerfile(&s).unwrap_err();
        assert_eq!(s.position(e.span.unwrap().start as usize).line, 4);
        assert!(e.message.contains("FOO"));
        assert!(parse_dockerfile(&src("RUN x\nFROM a\n")).is_err());
        assert!(parse_dockerfile(&src("FROM a b\n")).is_err());
        let (_, doc) = parse("");
        assert!(doc.get("instructions").unwrap().items().is_empty());
        let (_, doc) = parse("\u{feff}# only a comment\n\n");
        assert!(doc.get("stages").unwrap().items().is_empty());
    }

    fn check_spans(n: &Node, t: &str) {
        let ok = |s: Span| s.start <= s.end && t.get(s.range()).is_some();
        assert!(ok(n.span), "{n:?}");
        for e in n.entries() {
            assert!(ok(e.key_span));
            check_spans(&e.value, t);
        }
        n.items().iter().for_each(|i| check_spans(i, t));
    }

    #[test]
    fn never_panics() {
        let pieces: Vec<&str> = "FROM| |\\|`|\n|\r\n|#|<<|-|EOF|[|]|\"|'|--|=|é|RUN|# escape=`|\t|AS|,|\u{feff}|x|USER|:\nCOPY <<A"
            .split('|')
            .collect();
        let mut seed = 7u64;
        for _ in 0..3000 {
            let mut t = String::new();
            for _ in 0..(seed % 24) {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                t.push_str(pieces[(seed >> 33) as usize % pieces.len()]);
            }
            let s = src(&t);
            if let Ok(doc) = parse_dockerfile(&s) {
                check_spans(&doc, &t);
            }
        }
        let huge = format!(
            "FROM a\nRUN {}\\\n{}\n",
            "x ".repeat(200_000),
            "[".repeat(100_000)
        );
        assert!(parse_dockerfile(&src(&huge)).is_ok());
    }
}
