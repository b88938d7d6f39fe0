//! A quick pass over HCL text before the real parser sees it, for shapes no real
//! configuration has but on which the parser takes hours or gigabytes:
//! - an object literal with hundreds of thousands of keys (it searches a vector of keys on
//!   every insert), bounded by `MAX_OBJECT_KEYS`;
//! - a long run of prefix operators (`- - - -x`, `!!!!x`: it backtracks exponentially
//!   on them, 23 s for 748 bytes found by fuzz_hcl), bounded by `MAX_OPERATOR_RUN`;
//! - more values than `MAX_NODES` in one file (a 14 MB list of zeros took 1.4 GB of
//!   syntax tree), the same node budget as a YAML or JSON document.
//!
//! Such a file is reported as a limit instead of being parsed.

/// The most entries one `{ ... }` may hold (the same bound as evaluated collections).
pub(super) const MAX_OBJECT_KEYS: usize = 10_000;
/// The most `-`/`!` operators in a row (whitespace between them allowed).
pub(super) const MAX_OPERATOR_RUN: usize = 8;
/// The most values one file may hold, counted by what starts or separates them.
pub(super) const MAX_NODES: usize = crate::parse::yaml::MAX_DOCUMENT_NODES;

/// Where the parser would choke, and why.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Pathology {
    pub at: usize,
    pub message: String,
}

/// The first shape the parser cannot handle in time. Strings, comments and heredocs are
/// skipped; a conditional's `:` may count as an object entry, which only makes the bound
/// stricter for an object that is already enormous.
pub(super) fn pathology(text: &str) -> Option<Pathology> {
    let b = text.as_bytes();
    let mut run = 0;
    let mut run_at = 0;
    // Open braces: (offset, entries so far). `Interp` marks a `${` inside a string.
    let mut stack: Vec<Frame> = Vec::new();
    let mut nodes = 0usize;
    let mut i = 0;
    while i < b.len() {
        // Every value is opened or separated by one of these (a heredoc or a string
        // counts once; `==` twice, which only makes the bound stricter).
        if matches!(b[i], b',' | b'=' | b':' | b'[' | b'{' | b'(' | b'"' | b'<') {
            nodes += 1;
            if nodes > MAX_NODES {
                return Some(Pathology {
                    at: i,
                    message: format!(
                        "a file with more than {MAX_NODES} values; this file is not analysed"
                    ),
                });
            }
        }
        match b[i] {
            b'-' | b'!' => {
                if run == 0 {
                    run_at = i;
                }
                run += 1;
                if run > MAX_OPERATOR_RUN {
                    return Some(Pathology {
                        at: run_at,
                        message: format!(
                            "more than {MAX_OPERATOR_RUN} operators nested in a row; this file is not evaluated"
                        ),
                    });
                }
                i += 1;
                continue;
            }
            c if c.is_ascii_whitespace() => {
                i += 1;
                continue;
            }
            _ => run = 0,
        }
        match b[i] {
            b'#' => i = skip_line(b, i),
            b'/' if b.get(i + 1) == Some(&b'/') => i = skip_line(b, i),
            b'/' if b.get(i + 1) == Some(&b'*') => {
                i = find(b, i + 2, b"*/").map_or(b.len(), |e| e + 2);
            }
            b'"' => i = skip_string(b, i + 1, &mut stack),
            b'<' if b.get(i + 1) == Some(&b'<') => i = skip_heredoc(b, i + 2),
            b'{' => {
                // After an identifier or a label it opens a block body, which the parser
                // keeps in a plain list; only object literals are indexed.
                let after = b[..i].trim_ascii_end().last().copied();
                let literal = matches!(
                    after,
                    Some(b'=' | b':' | b'(' | b',' | b'[' | b'?' | b'>' | b'{')
                );
                stack.push(if literal {
                    Frame::Object { at: i, entries: 0 }
                } else {
                    Frame::Other
                });
                i += 1;
            }
            b'[' | b'(' => {
                stack.push(Frame::Other);
                i += 1;
            }
            b']' | b')' => {
                if matches!(stack.last(), Some(Frame::Other)) {
                    stack.pop();
                }
                i += 1;
            }
            b'}' => {
                match stack.pop() {
                    // The end of an interpolation: back inside its string.
                    Some(Frame::Interp) => i = skip_string(b, i + 1, &mut stack),
                    _ => i += 1,
                }
            }
            b'=' | b':' => {
                let next = b.get(i + 1).copied();
                let prev = i.checked_sub(1).map(|p| b[p]);
                let operator = matches!(next, Some(b'=' | b'>'))
                    || matches!(prev, Some(b'=' | b'!' | b'<' | b'>'));
                if !operator && let Some(Frame::Object { at, entries }) = stack.last_mut() {
                    *entries += 1;
                    if *entries > MAX_OBJECT_KEYS {
                        return Some(Pathology {
                            at: *at,
                            message: format!(
                                "an object with more than {MAX_OBJECT_KEYS} entries; this file is not evaluated"
                            ),
                        });
                    }
                }
                i += 1;
            }
            _ => i += 1,
        }
    }
    None
}

enum Frame {
    Object {
        at: usize,
        entries: usize,
    },
    /// A block body, list or parenthesis: its `:` and `=` are not object entries.
    Other,
    Interp,
}

pub(super) fn skip_line(b: &[u8], i: usize) -> usize {
    find(b, i, b"\n").map_or(b.len(), |e| e + 1)
}

pub(super) fn find(b: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    b.get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| from + p)
}

/// From just inside a quoted string to just after its closing quote, or to the start of
/// an interpolation (`${` / `%{`, pushed on `stack`) whose `}` resumes the string.
fn skip_string(b: &[u8], mut i: usize, stack: &mut Vec<Frame>) -> usize {
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            // `$${` and `%%{` are escapes, not interpolations.
            b'$' | b'%' if b.get(i + 1) == Some(&b[i]) => i += 2,
            b'$' | b'%' if b.get(i + 1) == Some(&b'{') => {
                stack.push(Frame::Interp);
                return i + 2;
            }
            b'\n' => return i + 1,
            _ => i += 1,
        }
    }
    b.len()
}

/// From after `<<` to after the heredoc's closing marker line.
fn skip_heredoc(b: &[u8], mut i: usize) -> usize {
    if b.get(i) == Some(&b'-') {
        i += 1;
    }
    let start = i;
    while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
        i += 1;
    }
    let marker = &b[start..i];
    if marker.is_empty() {
        return i;
    }
    let mut line = skip_line(b, i);
    while line < b.len() {
        let end = find(b, line, b"\n").unwrap_or(b.len());
        if b[line..end].trim_ascii() == marker {
            return end;
        }
        line = end + 1;
    }
    b.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn object(keys: usize) -> String {
        let body: Vec<String> = (0..keys).map(|i| format!("k{i} = \"v{i}\"")).collect();
        format!("locals {{\n  m = {{ {} }}\n}}\n", body.join(", "))
    }

    #[test]
    fn an_object_at_the_bound_passes_and_one_past_it_is_found() {
        assert_eq!(pathology(&object(MAX_OBJECT_KEYS - 1)), None);
        assert_eq!(
            pathology(&object(MAX_OBJECT_KEYS + 1)).map(|p| p.at),
            Some(15)
        );
    }

    #[test]
    fn strings_comments_heredocs_and_operators_do_not_count() {
        let many = "=".repeat(MAX_OBJECT_KEYS * 2);
        let text = format!(
            "a = {{\n  s = \"{many} ${{x == 1 ? \"{many}\" : 2}}\"\n  # {many}\n  /* {many} */\n  h = <<-EOT\n    {many}\n  EOT\n  c = a == b && c != d && e <= f && g >= h\n}}\n"
        );
        assert_eq!(pathology(&text), None);
    }

    #[test]
    fn block_bodies_and_for_expressions_do_not_count() {
        let attrs: String = (0..MAX_OBJECT_KEYS * 2)
            .map(|i| format!("  l{i} = [for x in [1] : x]\n"))
            .collect();
        assert_eq!(pathology(&format!("locals {{\n{attrs}}}\n")), None);
    }

    #[test]
    fn a_long_run_of_prefix_operators_is_found() {
        let text = "locals {\n  a = - - - -  - -\n   - - - 1\n}\n";
        let p = pathology(text).expect("nine in a row");
        assert_eq!(p.at, text.find('-').expect("dash"));
        assert!(p.message.contains("nested"), "{}", p.message);
        for fine in [
            "a = !!b && c - -d\n",
            "a = 1 - -1 - -1 - -1 - -1\n",
            "# ------------------------------------------\n",
            "a = \"-----BEGIN CERTIFICATE-----\"\n",
            "a = <<-EOT\n----------------\nEOT\n",
            "/* ---------------- */\n",
        ] {
            assert_eq!(pathology(fine), None, "{fine}");
        }
    }

    #[test]
    fn a_file_past_the_node_budget_is_found_where_it_passes_it() {
        let under = format!("x = [{}0]\n", "0,".repeat(MAX_NODES - 3));
        assert_eq!(pathology(&under), None);
        let over = format!("a = 1\nx = [{}0]\n", "0,".repeat(MAX_NODES));
        let p = pathology(&over).expect("past the budget");
        assert!(p.message.contains("values"), "{}", p.message);
        assert_eq!(p.at, 10 + 2 * (MAX_NODES - 2));
        // Separators inside strings, comments and heredocs are not values.
        let quoted = format!(
            "x = \"{}\"\n# {}\n",
            ",".repeat(MAX_NODES),
            ",".repeat(MAX_NODES)
        );
        assert_eq!(pathology(&quoted), None);
    }

    #[test]
    fn many_small_objects_are_fine() {
        let text = (0..MAX_OBJECT_KEYS * 2)
            .map(|i| format!("resource \"a\" \"r{i}\" {{\n  k = {i}\n}}\n"))
            .collect::<String>();
        assert_eq!(pathology(&text), None);
    }
}
