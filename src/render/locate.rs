//! Maps a line of rendered output back to the file that produced it: the same line
//! (key and value) in a candidate file wins, else the same key (the n-th of n when the
//! counts agree), else nothing and the caller falls back to the object's first line.

use std::ops::Range;
use std::sync::Arc;

use crate::source::{SourceText, Span};

/// A file (or the part of it holding one object) that may have produced rendered text.
#[derive(Clone, Debug)]
pub(crate) struct Candidate {
    pub src: Arc<SourceText>,
    pub range: Range<usize>,
    /// A patch: its lines win an exact match, but a key alone is looked up in the
    /// objects first (a patch names only what it changes).
    pub patch: bool,
}

/// The key of a YAML line (`- name: x` → `name`), or the whole scalar of a list item.
fn key_of(line: &str) -> &str {
    let t = strip_item(line.trim());
    match t.split_once(':') {
        Some((k, _)) => k.trim().trim_matches(['"', '\'']),
        None => t,
    }
}

fn strip_item(mut t: &str) -> &str {
    while let Some(rest) = t.strip_prefix("- ") {
        t = rest.trim_start();
    }
    t
}

/// Normalised line for an exact comparison: no list dash, no quotes, single spaces.
fn norm(line: &str) -> String {
    strip_item(line.trim())
        .replace(['"', '\''], "")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// `(start offset, line text)` of each line of `text[range]`.
fn lines(text: &str, range: Range<usize>) -> impl Iterator<Item = (usize, &str)> {
    let body = text.get(range.clone()).unwrap_or_default();
    let mut at = range.start;
    body.split_inclusive('\n').map(move |l| {
        let start = at;
        at += l.len();
        (start, l.trim_end_matches(['\n', '\r']))
    })
}

fn line_span(src: &SourceText, start: usize, line: &str) -> Span {
    let indent = line.len() - line.trim_start().len();
    let end = start + line.trim_end().len();
    Span::new(src.id, start + indent, end.max(start + indent))
}

/// Where the rendered line at `offset` (inside `doc`) came from.
pub(crate) fn locate(
    rendered: &str,
    doc: Range<usize>,
    offset: usize,
    candidates: &[Candidate],
) -> Option<(Arc<SourceText>, Span)> {
    let (line_start, line) = lines(rendered, doc.clone())
        .take_while(|(s, _)| *s <= offset)
        .last()?;
    let key = key_of(line);
    if key.is_empty() || key.starts_with('#') {
        return None;
    }
    let want = norm(line);
    let same_key = |(_, l): &(usize, &str)| key_of(l) == key && !l.trim_start().starts_with('#');
    let nth = lines(rendered, doc.clone())
        .filter(|l| l.0 < line_start)
        .filter(same_key)
        .count();
    let total = lines(rendered, doc).filter(same_key).count();
    // The same line, patches first (the last word on a field).
    let ordered = candidates
        .iter()
        .filter(|c| c.patch)
        .chain(candidates.iter().filter(|c| !c.patch));
    for c in ordered {
        if let Some((s, l)) = lines(&c.src.text, c.range.clone()).find(|l| norm(l.1) == want) {
            return Some((c.src.clone(), line_span(&c.src, s, l)));
        }
    }
    // The same key, objects first.
    let ordered = candidates
        .iter()
        .filter(|c| !c.patch)
        .chain(candidates.iter().filter(|c| c.patch));
    for c in ordered {
        let found: Vec<_> = lines(&c.src.text, c.range.clone())
            .filter(same_key)
            .collect();
        let pick = if found.len() == total {
            found.get(nth)
        } else {
            found.first()
        };
        if let Some(&(s, l)) = pick {
            return Some((c.src.clone(), line_span(&c.src, s, l)));
        }
    }
    None
}

/// The first `kind:` line of `range` (an object's first line), else the range's start.
pub(crate) fn object_start(src: &Arc<SourceText>, range: Range<usize>) -> Span {
    let start = range.start;
    lines(&src.text, range)
        .find(|(_, l)| l.starts_with("kind:"))
        .map_or_else(
            || src.first_line(Span::new(src.id, start, start)),
            |(s, l)| line_span(src, s, l),
        )
}

/// Byte ranges of the YAML documents of `text` (split at `---` lines).
pub(crate) fn documents(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    for (at, line) in lines(text, 0..text.len()) {
        if line.trim_end() == "---" || line.starts_with("--- ") {
            if at > start {
                out.push(start..at);
            }
            start = text[at..].find('\n').map_or(text.len(), |n| at + n + 1);
        }
    }
    if start < text.len() {
        out.push(start..text.len());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileId;

    fn src(id: u32, text: &str) -> Arc<SourceText> {
        Arc::new(SourceText::new(
            FileId(id),
            format!("f{id}.yaml"),
            format!("f{id}.yaml").into(),
            Arc::from(text),
        ))
    }

    fn cand(s: &Arc<SourceText>, patch: bool) -> Candidate {
        Candidate {
            src: s.clone(),
            range: 0..s.text.len(),
            patch,
        }
    }

    #[test]
    fn exact_line_in_a_patch_wins_then_key_in_the_object() {
        let rendered = "kind: Deployment\nspec:\n  containers:\n  - name: web\n    privileged: true\n    image: web:2\n";
        let base = src(
            1,
            "kind: Deployment\nspec:\n  containers:\n    - name: web\n      privileged: false\n      image: \"web:1\"\n",
        );
        let patch = src(
            2,
            "kind: Deployment\nspec:\n  containers:\n    - name: web\n      privileged: true\n",
        );
        let cands = [cand(&base, false), cand(&patch, true)];
        let at = |needle: &str| rendered.find(needle).unwrap();
        let doc = 0..rendered.len();
        let (f, s) = locate(rendered, doc.clone(), at("privileged"), &cands).unwrap();
        assert_eq!((f.id, f.position(s.start as usize).line), (FileId(2), 5));
        let (f, s) = locate(rendered, doc.clone(), at("image"), &cands).unwrap();
        assert_eq!((f.id, f.position(s.start as usize).line), (FileId(1), 6));
        assert!(locate(rendered, doc, at("privileged"), &[]).is_none());
    }

    #[test]
    fn nth_key_when_counts_agree() {
        let rendered = "a:\n  name: x\nb:\n  name: y\n";
        let tpl = src(1, "a:\n  name: {{ .X }}\nb:\n  name: {{ .Y }}\n");
        let (_, s) = locate(
            rendered,
            0..rendered.len(),
            rendered.rfind("name").unwrap(),
            &[cand(&tpl, false)],
        )
        .unwrap();
        assert_eq!(tpl.position(s.start as usize).line, 4);
    }

    #[test]
    fn documents_split_at_separators() {
        let t = "---\n# Source: a\nkind: A\n---\nkind: B\n";
        let docs = documents(t);
        assert_eq!(docs.len(), 2);
        assert_eq!(&t[docs[1].clone()], "kind: B\n");
    }
}
