//! Valid Terraform that hcl-edit rejects, rewritten before parsing into text it accepts.
//! Every rewrite keeps the byte length, so spans still point into the file.
//! - A lone CR inside a comment (Terraform ends a comment at LF only) becomes a space
//!   (hcl-edit already takes one inside a heredoc).
//! - A number literal beyond f64 (`1e400`; Terraform keeps arbitrary precision) becomes a
//!   reference to nothing (`_____`), in code or inside a template's `${…}` / `%{…}`,
//!   which evaluates to an unknown value: isolint cannot represent it, and an unknown is
//!   what every check already knows how to treat.

use std::borrow::Cow;

use super::prescan::{find, skip_line};

/// Where the scanner is: code (the file, or an interpolation `${…}` / `%{…}` counting its
/// own braces), a quoted string, or a heredoc's lines.
enum Mode {
    Code {
        braces: usize,
        interpolation: bool,
    },
    Quoted,
    Heredoc {
        marker: std::ops::Range<usize>,
        line_start: bool,
    },
}

/// `text`, or a same-length rewrite of it that hcl-edit parses. Numbers are found in code
/// and inside the interpolations of strings and heredocs (`"${1e400}"`), at any nesting;
/// the modes live on an explicit stack so nesting cannot overflow the Rust stack.
pub(super) fn normalise(text: &str) -> Cow<'_, str> {
    let b = text.as_bytes();
    let mut edits: Vec<(usize, usize, u8)> = Vec::new();
    let mut stack = vec![Mode::Code {
        braces: 0,
        interpolation: false,
    }];
    let mut i = 0;
    while i < b.len() {
        let Some(mode) = stack.last_mut() else {
            break;
        };
        match mode {
            Mode::Code {
                braces,
                interpolation,
            } => match b[i] {
                b'#' => i = comment(b, i, skip_line(b, i), &mut edits),
                b'/' if b.get(i + 1) == Some(&b'/') => {
                    i = comment(b, i, skip_line(b, i), &mut edits);
                }
                b'/' if b.get(i + 1) == Some(&b'*') => {
                    let end = find(b, i + 2, b"*/").map_or(b.len(), |e| e + 2);
                    i = comment(b, i, end, &mut edits);
                }
                b'{' => {
                    *braces += 1;
                    i += 1;
                }
                b'}' => {
                    if *braces == 0 && *interpolation {
                        stack.pop();
                    } else {
                        *braces = braces.saturating_sub(1);
                    }
                    i += 1;
                }
                b'"' => {
                    stack.push(Mode::Quoted);
                    i += 1;
                }
                b'<' if b.get(i + 1) == Some(&b'<') => {
                    let (marker, next) = heredoc_marker(b, i + 2);
                    if !marker.is_empty() {
                        stack.push(Mode::Heredoc {
                            marker,
                            line_start: true,
                        });
                    }
                    i = next;
                }
                c if c.is_ascii_digit() && !continues_word(b, i) => {
                    let end = number_end(b, i);
                    if text[i..end].parse::<f64>().is_ok_and(f64::is_infinite) {
                        edits.push((i, end, b'_'));
                    }
                    i = end;
                }
                _ => i += 1,
            },
            Mode::Quoted => match b[i] {
                b'\\' => i += 2,
                b'"' | b'\n' => {
                    stack.pop();
                    i += 1;
                }
                _ => i = template_char(b, i, &mut stack),
            },
            Mode::Heredoc { marker, line_start } => {
                if std::mem::replace(line_start, false) {
                    let end = find(b, i, b"\n").unwrap_or(b.len());
                    if b[i..end].trim_ascii() == &b[marker.clone()] {
                        stack.pop();
                        i = end;
                        continue;
                    }
                }
                match b[i] {
                    b'\n' => {
                        *line_start = true;
                        i += 1;
                    }
                    _ => i = template_char(b, i, &mut stack),
                }
            }
        }
    }
    if edits.is_empty() {
        return Cow::Borrowed(text);
    }
    let mut bytes = b.to_vec();
    for (from, to, with) in edits {
        bytes[from..to].fill(with);
    }
    // Only ASCII bytes were replaced by ASCII bytes.
    Cow::Owned(String::from_utf8(bytes).unwrap_or_else(|_| text.to_owned()))
}

/// One step through template text (a string or a heredoc) at `i`: an escaped `$${` or
/// `%%{` is skipped whole, a `${` or `%{` opens an interpolation. Returns the next index.
fn template_char(b: &[u8], i: usize, stack: &mut Vec<Mode>) -> usize {
    match (b[i], b.get(i + 1)) {
        (c @ (b'$' | b'%'), Some(&n)) if n == c => i + 2,
        (b'$' | b'%', Some(b'{')) => {
            stack.push(Mode::Code {
                braces: 0,
                interpolation: true,
            });
            i + 2
        }
        _ => i + 1,
    }
}

/// After `<<`: the heredoc's marker (`<<EOT`, `<<-EOT`) and the start of its first line.
/// An empty marker is not a heredoc; scanning goes on right after `<<`.
fn heredoc_marker(b: &[u8], mut i: usize) -> (std::ops::Range<usize>, usize) {
    if b.get(i) == Some(&b'-') {
        i += 1;
    }
    let start = i;
    while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
        i += 1;
    }
    if i == start {
        return (start..start, start);
    }
    (start..i, skip_line(b, i))
}

/// Records lone CRs in the comment `b[from..to]`; returns `to`.
fn comment(b: &[u8], from: usize, to: usize, edits: &mut Vec<(usize, usize, u8)>) -> usize {
    let to = to.min(b.len());
    for i in from..to {
        if b[i] == b'\r' && b.get(i + 1) != Some(&b'\n') {
            edits.push((i, i + 1, b' '));
        }
    }
    to
}

/// Whether the digit at `i` is part of an identifier or a traversal (`a1`, `x.0`).
fn continues_word(b: &[u8], i: usize) -> bool {
    i > 0
        && (b[i - 1].is_ascii_alphanumeric() || matches!(b[i - 1], b'_' | b'.' | b'-'))
        && !(b[i - 1] == b'-' && (i < 2 || !b[i - 2].is_ascii_alphanumeric()))
}

/// The end of the number literal starting at `i`: digits, a fraction, an exponent.
fn number_end(b: &[u8], mut i: usize) -> usize {
    let digits = |b: &[u8], mut i: usize| {
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        i
    };
    i = digits(b, i);
    if b.get(i) == Some(&b'.') && b.get(i + 1).is_some_and(u8::is_ascii_digit) {
        i = digits(b, i + 1);
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        let mut j = i + 1;
        if matches!(b.get(j), Some(b'+' | b'-')) {
            j += 1;
        }
        if b.get(j).is_some_and(u8::is_ascii_digit) {
            i = digits(b, j);
        }
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oddities_are_rewritten_at_the_same_length_and_the_rest_is_untouched() {
        let text = "# a\rb\r\nx = 1e400 # c\rd\ny = \"1e400\"\nz = a1e400\nw = 1.5e3\n";
        let out = normalise(text);
        assert_eq!(out.len(), text.len());
        assert_eq!(
            out,
            "# a b\r\nx = _____ # c d\ny = \"1e400\"\nz = a1e400\nw = 1.5e3\n"
        );
        assert!(matches!(normalise("a = 1\n# ok\r\n"), Cow::Borrowed(_)));
        let long = format!("n = {}\n", "9".repeat(400));
        assert!(normalise(&long).contains(&"_".repeat(400)));
    }

    #[test]
    fn numbers_inside_interpolations_are_rewritten_and_text_is_not() {
        let cases = [
            ("a = \"${1e400}\"\n", "a = \"${_____}\"\n"),
            ("a = \"${var.a * 1e400}\"\n", "a = \"${var.a * _____}\"\n"),
            (
                "a = \"x1e400 ${ {k = 1e400}.k }\"\n",
                "a = \"x1e400 ${ {k = _____}.k }\"\n",
            ),
            (
                "a = \"$${1e400} %%{1e400}\"\n",
                "a = \"$${1e400} %%{1e400}\"\n",
            ),
            ("a = \"${\"${1e400}\"}\"\n", "a = \"${\"${_____}\"}\"\n"),
            (
                "a = \"%{ if 1e400 > 0 }y%{ endif }\"\n",
                "a = \"%{ if _____ > 0 }y%{ endif }\"\n",
            ),
            (
                "a = <<EOT\n1e400 ${1e400}\nEOT\nb = 1e400\n",
                "a = <<EOT\n1e400 ${_____}\nEOT\nb = _____\n",
            ),
            ("a = -1e400\nb = 1e-400\n", "a = -_____\nb = 1e-400\n"),
        ];
        for (text, want) in cases {
            assert_eq!(normalise(text), want, "{text:?}");
        }
    }

    #[test]
    fn deep_interpolations_do_not_recurse() {
        let text = format!(
            "a = {}1e400{}\n",
            "\"${".repeat(100_000),
            "}\"".repeat(100_000)
        );
        assert!(normalise(&text).contains("_____"));
    }
}
