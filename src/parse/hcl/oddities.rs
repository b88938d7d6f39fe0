//! Valid Terraform that hcl-edit rejects, rewritten before parsing into text it accepts.
//! Every rewrite keeps the byte length, so spans still point into the file.
//! - A lone CR inside a comment (Terraform ends a comment at LF only) becomes a space.
//! - A number literal beyond f64 (`1e400`; Terraform keeps arbitrary precision) becomes a
//!   reference to nothing (`_____`), which evaluates to an unknown value: isolint cannot
//!   represent it, and an unknown is what every check already knows how to treat.

use std::borrow::Cow;

use super::prescan::{find, skip_heredoc, skip_line};

/// `text`, or a same-length rewrite of it that hcl-edit parses.
pub(super) fn normalise(text: &str) -> Cow<'_, str> {
    let b = text.as_bytes();
    let mut edits: Vec<(usize, usize, u8)> = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'#' => i = comment(b, i, skip_line(b, i), &mut edits),
            b'/' if b.get(i + 1) == Some(&b'/') => i = comment(b, i, skip_line(b, i), &mut edits),
            b'/' if b.get(i + 1) == Some(&b'*') => {
                let end = find(b, i + 2, b"*/").map_or(b.len(), |e| e + 2);
                i = comment(b, i, end, &mut edits);
            }
            b'"' => i = skip_quoted(b, i + 1),
            b'<' if b.get(i + 1) == Some(&b'<') => i = skip_heredoc(b, i + 2),
            c if c.is_ascii_digit() && !continues_word(b, i) => {
                let end = number_end(b, i);
                let literal = &text[i..end];
                if literal.parse::<f64>().is_ok_and(f64::is_infinite) {
                    edits.push((i, end, b'_'));
                }
                i = end;
            }
            _ => i += 1,
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

/// From inside a quoted string to after its closing quote (or the end of the line).
fn skip_quoted(b: &[u8], mut i: usize) -> usize {
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            b'"' | b'\n' => return i + 1,
            _ => i += 1,
        }
    }
    b.len()
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
}
