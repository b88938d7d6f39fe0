//! The source a terminal diagnostic shows: the label's lines and one on either side,
//! found through the file's line index (never a rescan of the file per diagnostic, which
//! made a 30,000-line manifest with many findings slow to draw). When a line around the
//! label is very long (minified JSON, a generated one-line file) printing it would flood
//! the terminal, so those lines are cut to a window around the label. Line numbers are
//! the file's.

use miette::{MietteError, MietteSpanContents, SourceCode, SourceSpan, SpanContents};

use crate::source::SourceText;

/// Lines longer than this (bytes) are cut.
const LONG_LINE: usize = 240;
/// How much of a cut line is shown before the label.
const BEFORE_LABEL: usize = 80;

/// Source for one diagnostic, with the label's span inside it.
pub(crate) struct Shown {
    pub source: Excerpt,
    pub label: (usize, usize),
}

/// What to show for a label on `start..start + len` of `src`: the file itself, or an
/// excerpt of the label's line and its neighbours when one of them is long.
pub(crate) fn around(src: &SourceText, start: usize, len: usize) -> Shown {
    let line = src.position(start).line;
    // As miette counts it: a span ending after a line break reaches the next line.
    let last = src.position(start + len).line.max(line);
    let lines = line.saturating_sub(1).max(1)..=(last + 1).min(src.line_count());
    if lines.clone().all(|l| src.line_text(l).len() <= LONG_LINE) {
        let from = src.line_start(*lines.start());
        let to = if *lines.end() < src.line_count() {
            src.line_start(lines.end() + 1)
        } else {
            src.text.len()
        };
        return Shown {
            source: Excerpt {
                name: super::sanitize::line(&src.display_path).into_owned(),
                text: super::sanitize::same_width(&src.text[from..to]).into_owned(),
                lines_before: lines.start() - 1,
            },
            label: (start - from, len),
        };
    }
    let mut text = String::new();
    let mut label = (0, 0);
    for l in lines.clone() {
        let line_start = src.line_start(l);
        let full = src.line_text(l);
        if l == line {
            let at = (start - line_start).min(full.len());
            let cut = window(full, at.saturating_sub(BEFORE_LABEL), LONG_LINE);
            label = (
                text.len() + cut.prefix + (at - cut.from),
                len.min(cut.to.saturating_sub(at)),
            );
            text.push_str(&cut.text);
        } else {
            text.push_str(&window(full, 0, LONG_LINE).text);
        }
        text.push('\n');
    }
    Shown {
        source: Excerpt {
            name: super::sanitize::line(&src.display_path).into_owned(),
            text: super::sanitize::same_width(&text).into_owned(),
            lines_before: lines.start() - 1,
        },
        label,
    }
}

/// A line as shown in a report: whole, or when long a window around byte `at`.
pub(crate) fn clip(line: &str, at: usize) -> String {
    if line.len() <= LONG_LINE {
        line.to_owned()
    } else {
        window(line, at.saturating_sub(BEFORE_LABEL), LONG_LINE).text
    }
}

/// A piece of a line: `line[from..to]`, with `…` where it was cut (`prefix` bytes of it
/// before the piece).
struct Cut {
    text: String,
    from: usize,
    to: usize,
    prefix: usize,
}

/// At most `max` bytes of `line` from `from`, rounded to character boundaries.
fn window(line: &str, from: usize, max: usize) -> Cut {
    let mut a = from.min(line.len());
    while !line.is_char_boundary(a) {
        a -= 1;
    }
    let mut b = (a + max).min(line.len());
    while !line.is_char_boundary(b) {
        b -= 1;
    }
    let mut text = String::new();
    if a > 0 {
        text.push('…');
    }
    let prefix = text.len();
    text.push_str(&line[a..b]);
    if b < line.len() {
        text.push('…');
    }
    Cut {
        text,
        from: a,
        to: b,
        prefix,
    }
}

pub(crate) struct Excerpt {
    name: String,
    text: String,
    /// Lines of the file above the excerpt's first line.
    lines_before: usize,
}

impl SourceCode for Excerpt {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let inner = self.text.as_str().read_span(span, before, after)?;
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            *inner.span(),
            inner.line() + self.lines_before,
            inner.column(),
            inner.line_count(),
        )))
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::source::FileId;

    fn source(text: &str) -> SourceText {
        SourceText::new(FileId(0), "f.json", "f.json".into(), Arc::from(text))
    }

    fn shown_text(shown: &Shown) -> String {
        let span = SourceSpan::from(shown.label);
        let contents = shown.source.read_span(&span, 1, 1).expect("span");
        String::from_utf8_lossy(contents.data()).into_owned()
    }

    #[test]
    fn clip_keeps_short_lines_and_windows_long_ones() {
        assert_eq!(clip("short", 2), "short");
        let long = format!("{}KEY{}", "a".repeat(1_000), "b".repeat(1_000));
        let clipped = clip(&long, 1_000);
        assert!(
            clipped.starts_with('…') && clipped.ends_with('…'),
            "{clipped}"
        );
        assert!(clipped.contains("KEY") && clipped.len() < 300, "{clipped}");
    }

    #[test]
    fn short_lines_show_the_file() {
        let src = source("a\nb = 1\nc\n");
        let shown = around(&src, 2, 1);
        assert_eq!(shown.label, (2, 1));
        assert_eq!(shown_text(&shown), "a\nb = 1\nc\n");
    }

    #[test]
    fn a_label_deep_in_a_file_shows_its_lines_and_their_neighbours_only() {
        let text: String = (1..=30_000).map(|i| format!("key{i}: v\n")).collect();
        let src = source(&text);
        let start = src.line_start(20_000);
        let shown = around(&src, start, "key20000".len());
        assert_eq!(shown.source.text, "key19999: v\nkey20000: v\nkey20001: v\n");
        assert_eq!(shown.source.lines_before, 19_998);
        let span = SourceSpan::from(shown.label);
        let contents = shown.source.read_span(&span, 1, 1).expect("span");
        // 0-based: the file's line 19,999.
        assert_eq!(contents.line(), 19_998);
        assert_eq!(
            shown_text(&shown),
            "key19999: v\nkey20000: v\nkey20001: v\n"
        );
    }

    #[test]
    fn a_long_line_is_cut_around_the_label_with_line_numbers_kept() {
        let long = format!(
            "{{\"pad\": \"{}\", \"password\": \"x\"}}",
            "é".repeat(5_000)
        );
        let text = format!("first\n{long}\nlast\n");
        let at = text.find("\"password\"").expect("key");
        let src = source(&text);
        let shown = around(&src, at, 10);
        let contents = shown
            .source
            .read_span(&SourceSpan::from(shown.label), 1, 1)
            .expect("span");
        assert_eq!(
            contents.line(),
            0,
            "the excerpt starts at the file's first line"
        );
        let data = String::from_utf8_lossy(contents.data()).into_owned();
        assert!(data.len() < 700, "{} bytes", data.len());
        assert!(data.starts_with("first\n…"), "{data}");
        let (from, len) = shown.label;
        assert_eq!(&data[from..from + len], "\"password\"");
    }

    #[test]
    fn the_excerpt_keeps_the_files_line_numbers() {
        let text = format!("1\n2\n3\n{}\n5\n", "x".repeat(1_000));
        let src = source(&text);
        let shown = around(&src, text.find("xxx").expect("x") + 500, 1);
        let contents = shown
            .source
            .read_span(&SourceSpan::from(shown.label), 1, 1)
            .expect("span");
        assert_eq!(contents.line(), 2, "0-based: the line before the label's");
        assert_eq!(contents.line_count(), 3);
        let _ = shown_text(&shown);
    }
}
