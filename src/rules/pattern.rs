//! A rule's regular expression, checked when its pack is loaded and compiled the first
//! time a resource reaches it: most of the 500 pack regexes never run in a given scan
//! (no Azure file in a Kubernetes repository), and compiling them all made up a tenth of
//! start-up.

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks_syntax_at_once_and_compiles_on_first_use() {
        assert!(Pattern::new("(unclosed").is_err());
        let p = Pattern::new(r"^ami-[0-9a-f]+$").expect("valid");
        assert!(p.compiled.get().is_none());
        assert!(p.regex().is_match("ami-0abc"));
        assert!(!p.regex().is_match("ami-xyz"));
    }
}
