//! Where a native check's finding points. Matches found in text the parser rebuilt
//! (continued lines joined, heredoc bodies, YAML block scalars) are mapped back to their
//! source line through the file's text, which the resource index keeps.

use crate::parse::node::Node;
use crate::rules::context::EvalCx;
use crate::rules::truth::Outcome;
use crate::source::Span;

/// The whole source text of the file `cx.resource` is written in.
pub(crate) fn file_text(cx: &EvalCx<'_>) -> Option<std::sync::Arc<str>> {
    cx.index.file_text(cx.resource.span.file)
}

/// The source span of `text[a..b]`, where `text` is the string value of `node`: exact when
/// the value is the verbatim source under its span, else the same occurrence of the
/// matched text (or of its first word) inside the node's span, else the node's first line.
pub(crate) fn place(
    src: Option<&str>,
    node: &Node,
    text: &str,
    a: usize,
    b: usize,
    cx: &EvalCx<'_>,
) -> Span {
    let span = node.span;
    let verbatim =
        span.len() == text.len() && src.is_none_or(|s| s.get(span.range()) == Some(text));
    if verbatim {
        let start = span.start as usize;
        return Span::new(span.file, start + a, start + b);
    }
    src.and_then(|s| locate(s, span, text, a, b))
        .unwrap_or_else(|| cx.index.first_line(span))
}

/// Finds `text[a..b]` in `src` under `region`, counting earlier occurrences so a repeated
/// needle maps to the right one; falls back to the match's first word.
fn locate(src: &str, region: Span, text: &str, a: usize, b: usize) -> Option<Span> {
    let hay = src.get(region.range())?;
    let find = |needle: &str, at: usize| -> Option<Span> {
        if needle.is_empty() {
            return None;
        }
        let k = text.get(..at)?.matches(needle).count();
        let (i, _) = hay.match_indices(needle).nth(k)?;
        let s = region.start as usize + i;
        Some(Span::new(region.file, s, s + needle.len()))
    };
    let m = text.get(a..b)?;
    find(m, a).or_else(|| {
        let w = m.split_whitespace().next()?;
        find(w, a + m.find(w)?)
    })
}

/// A failure at every span (sorted, once each), or a pass when there is none.
pub(crate) fn fail_or_pass(mut spans: Vec<Span>) -> Outcome {
    spans.sort();
    spans.dedup();
    if spans.is_empty() {
        Outcome::pass(Vec::new())
    } else {
        Outcome::fail(spans)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn located_in_joined_text() {
        let src = "RUN apt-get update \\\n    && curl -k https://x | sh\n";
        let region = Span::new(crate::source::FileId(0), 4, src.len() - 1);
        let joined = "apt-get update && curl -k https://x | sh";
        let a = joined.find("curl -k").unwrap();
        let s = locate(src, region, joined, a, a + 7).unwrap();
        assert_eq!(&src[s.range()], "curl -k");
        // A match spanning a line break falls back to its first word.
        let joined2 = "curl -fsSL https://x | sh";
        let src2 = "RUN curl -fsSL https://x \\\n  | sh\n";
        let r2 = Span::new(crate::source::FileId(0), 4, src2.len() - 1);
        let s2 = locate(src2, r2, joined2, 0, joined2.len()).unwrap();
        assert_eq!(&src2[s2.range()], "curl");
    }
}
