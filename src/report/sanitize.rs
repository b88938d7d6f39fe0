//! Scanned files, their names and everything derived from them may be written by an
//! attacker. A raw CR, LF, ESC or other control character in a report could start a line
//! that a CI runner obeys (`::stop-commands::`, `::error`), rewrite the terminal or hide a
//! finding. Every text output passes such text through here.

use std::borrow::Cow;

/// Whether `c` must not reach a terminal or a CI log raw: C0 controls other than tab,
/// DEL, C1 controls, and the Unicode line and paragraph separators and bidi overrides.
fn is_unsafe(c: char) -> bool {
    (c.is_control() && c != '\t')
        || matches!(c, '\u{2028}' | '\u{2029}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `text` on one line, with every unsafe character shown as a visible escape (`\r`,
/// `\n`, `\u{1b}`).
pub fn line(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c if is_unsafe(c) => out.push_str(&format!("\\u{{{:x}}}", u32::from(c))),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Like [`line`] but keeps line feeds (multi-line messages and documents); a CR before a
/// line feed is dropped, any other CR escaped.
pub fn lines(text: &str) -> Cow<'_, str> {
    if !text.chars().any(|c| c != '\n' && is_unsafe(c)) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.split('\n')
            .map(|l| line(l.strip_suffix('\r').unwrap_or(l)))
            .collect::<Vec<_>>()
            .join("\n"),
    )
}

/// `text` with every unsafe character replaced by as many `?` as it has bytes, so that
/// byte offsets into it (label spans) stay valid. Line feeds, tabs and the CR of a CRLF
/// are kept.
pub fn same_width(text: &str) -> Cow<'_, str> {
    let bad = |(i, c): (usize, char)| {
        c != '\n' && is_unsafe(c) && !(c == '\r' && text.as_bytes().get(i + 1) == Some(&b'\n'))
    };
    if !text.char_indices().any(bad) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    for (i, c) in text.char_indices() {
        if bad((i, c)) {
            out.extend(std::iter::repeat_n('?', c.len_utf8()));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Like [`lines`] for text that carries its own colour: SGR sequences (`ESC [ 1;31 m`)
/// stay, every other control character is escaped. A colour code from a scanned file
/// can only recolour text; it cannot move the cursor, set a title or start a line.
pub fn lines_keeping_colour(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('\u{1b}') {
        out.push_str(&lines(&rest[..at]));
        let tail = &rest[at + 1..];
        let body = tail.strip_prefix('[').map(|t| {
            t.find(|c: char| !(c.is_ascii_digit() || c == ';'))
                .map(|n| (t, n))
        });
        match body.flatten() {
            Some((t, n)) if t[n..].starts_with('m') => {
                out.push('\u{1b}');
                out.push('[');
                out.push_str(&t[..=n]);
                rest = &t[n + 1..];
            }
            _ => {
                out.push_str("\\u{1b}");
                rest = tail;
            }
        }
    }
    out.push_str(&lines(rest));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_are_escaped_and_plain_text_is_borrowed() {
        assert!(matches!(line("main.tf"), Cow::Borrowed(_)));
        assert_eq!(line("a\r::stop-commands::x"), "a\\r::stop-commands::x");
        assert_eq!(line("x\n::error ::y"), "x\\n::error ::y");
        assert_eq!(line("\u{1b}]8;;http://e\u{7}"), "\\u{1b}]8;;http://e\\u{7}");
        assert_eq!(line("c1\u{9b}31m"), "c1\\u{9b}31m");
        assert_eq!(line("tab\tkept"), "tab\tkept");
        assert_eq!(lines("a\nb\rc"), "a\nb\\rc");
        assert_eq!(lines("crlf\r\nkept"), "crlf\nkept");
        assert_eq!(same_width("a\rb\r\nc\u{9b}d\u{202e}"), "a?b\r\nc??d???");
        assert!(matches!(same_width("a\r\nb\tc"), Cow::Borrowed(_)));
        assert_eq!(
            lines_keeping_colour("\u{1b}[1;31mred\u{1b}[0m\n\u{1b}]0;t\u{7}\rx"),
            "\u{1b}[1;31mred\u{1b}[0m\n\\u{1b}]0;t\\u{7}\\rx"
        );
    }
}
