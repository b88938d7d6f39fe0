//! A rule's regular expression, checked when its pack is loaded and compiled the first
//! time a resource reaches it: most of the 500 pack regexes never run in a given scan
//! (no Azure file in a Kubernetes repository), and compiling them all made up a tenth of
//! start-up.

use std::borrow::Cow;
use std::sync::OnceLock;

use regex::Regex;

#[derive(Debug)]
pub struct Pattern {
    source: String,
    compiled: OnceLock<Regex>,
}

impl Pattern {
    /// Checks the syntax now (a bad pattern fails the pack load with its line).
    pub fn new(source: &str) -> Result<Pattern, String> {
        check(source)?;
        Ok(Pattern {
            source: source.to_owned(),
            compiled: OnceLock::new(),
        })
    }

    /// The compiled regex. A pattern whose syntax checked but that the regex engine
    /// still refuses (over its size limit) matches nothing.
    pub fn regex(&self) -> &Regex {
        self.compiled.get_or_init(|| {
            Regex::new(&self.source)
                .unwrap_or_else(|_| Regex::new(r"[^\s\S]").expect("a regex that matches nothing"))
        })
    }
}

/// Whether `source` is a valid regex, without compiling it.
pub fn check(source: &str) -> Result<(), String> {
    regex_syntax::ParserBuilder::new()
        .build()
        .parse(source)
        .map(drop)
        .map_err(|e| e.to_string())
}

/// `source` with its word boundaries (`\b`, `\B`) made ASCII. For a regex run over a
/// whole file, a Unicode word boundary sends the regex engine from its fast automaton to
/// its slowest matcher at the first non-ASCII byte (a tenth of a scan's time on real
/// repositories, where most files hold one). The formats matched this way (tokens, keys)
/// are ASCII; an ASCII boundary differs only beside a non-ASCII letter (`éAKIA…` has one).
/// `\b{start}` and its kin are left alone.
pub fn ascii_word_boundaries(source: &str) -> Cow<'_, str> {
    if !source.contains("\\b") && !source.contains("\\B") {
        return Cow::Borrowed(source);
    }
    let mut out = String::with_capacity(source.len() + 32);
    let mut chars = source.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some(b @ ('b' | 'B')) if chars.peek() != Some(&'{') => {
                out.push_str("(?-u:\\");
                out.push(b);
                out.push(')');
            }
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_boundaries_become_ascii_and_keep_their_meaning() {
        assert_eq!(
            ascii_word_boundaries(r"\bghp_\w+\b"),
            r"(?-u:\b)ghp_\w+(?-u:\b)"
        );
        assert_eq!(ascii_word_boundaries(r"a\Bb"), r"a(?-u:\B)b");
        // Escaped backslashes, other escapes and `\b{start}` stay as written.
        assert_eq!(
            ascii_word_boundaries(r"\\b\d\b{start}x"),
            r"\\b\d\b{start}x"
        );
        assert!(matches!(ascii_word_boundaries(r"ghp_\d"), Cow::Borrowed(_)));
        let before = Regex::new(r"\b(?P<secret>ghp_[A-Za-z0-9]{4})\b").expect("valid");
        let after = Regex::new(&ascii_word_boundaries(before.as_str())).expect("valid");
        for text in [
            "x ghp_abcd y",
            "xghp_abcd",
            "ghp_abcde",
            "«ghp_abcd»",
            "ghp_abcd\n",
        ] {
            assert_eq!(before.is_match(text), after.is_match(text), "{text}");
        }
        // Beside a non-ASCII letter the ASCII boundary is there, the Unicode one is not.
        assert!(!before.is_match("éghp_abcd") && after.is_match("éghp_abcd"));
    }

    #[test]
    fn checks_syntax_at_once_and_compiles_on_first_use() {
        assert!(Pattern::new("(unclosed").is_err());
        let p = Pattern::new(r"^ami-[0-9a-f]+$").expect("valid");
        assert!(p.compiled.get().is_none());
        assert!(p.regex().is_match("ami-0abc"));
        assert!(!p.regex().is_match("ami-xyz"));
    }
}
