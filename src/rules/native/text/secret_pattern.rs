//! `text_secret_pattern` (the provider catalogue of rules/secrets): a secret in a
//! provider's documented format, found in any text file.
//!
//! args:
//! - `keywords`: literals (case-insensitive) one of which every match contains - the
//!   provider prefix (`ghp_`, `xoxb-`, `AKIA`) or the setting name. They are the
//!   prefilter: every keyword of every rule is registered when the pack is loaded and
//!   found in ONE multi-pattern (Aho-Corasick) pass over each file, shared by the rules of
//!   that file; the engine does not even call a rule whose keywords the file lacks
//!   (`Native::keywords`), and a rule's regex only runs on files that contain one.
//! - `pattern`: the regex. The named group `secret` is the secret itself (what the
//!   finding points at, what reports mask, what the placeholder test reads); without it
//!   the whole match is.
//! - `min_entropy` (bits per character, Shannon) and `min_classes` (of lower case, upper
//!   case, digit, other): optional, for formats without a fixed prefix.
//! - `paths`: optional regex the file's path must match (`(^|/)\.npmrc$`).
//! - `file_contains`: optional regex the whole file must match (`(?m)^kind: Config$` for a
//!   kubeconfig).
//! - `decode_base64`: optional; the secret is base64 and the placeholder test reads its
//!   decoded text, which must match the regex `decoded` (Docker's `auth`: `user:password`).
//!
//! A secret that is a placeholder or an example (`is_placeholder_secret`) is not
//! reported. Word boundaries in these regexes are ASCII (`pattern::ascii_word_boundaries`:
//! they run over whole files, where a Unicode `\b` is slow).

use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, LazyLock, RwLock};

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use regex::Regex;

use crate::parse::node::{Node, Value};
use crate::rules::context::EvalCx;
use crate::rules::native::support::secrets::{
    decode_base64, is_high_entropy, is_placeholder_secret,
};
use crate::rules::native::support::spans::fail_or_pass;
use crate::rules::pattern::ascii_word_boundaries;
use crate::rules::truth::Outcome;
use crate::source::Span;

/// One rule's compiled arguments.
struct Compiled {
    /// The `pattern` argument, to recognise a stale cache entry.
    source: String,
    /// Where that argument's text is (with its length), the cheap first test.
    source_at: (usize, usize),
    regex: Regex,
    keyword_ids: Vec<usize>,
    min_entropy: Option<f64>,
    min_classes: usize,
    paths: Option<Regex>,
    file_contains: Option<Regex>,
    decoded: Option<Regex>,
    decode_base64: bool,
}

/// Every keyword registered by any rule, and the automaton that finds them all at once.
/// The generation changes whenever a keyword is added (rules are compiled on their first
/// use), so a per-file result computed before is recomputed.
struct Registry {
    words: Vec<String>,
    /// Built on first use after the words changed (packs register all their keywords
    /// when they are loaded, so a scan builds it once), with the generation it has.
    automaton: Option<(u64, Arc<AhoCorasick>)>,
    generation: u64,
}

static REGISTRY: LazyLock<RwLock<Registry>> = LazyLock::new(|| {
    RwLock::new(Registry {
        words: Vec::new(),
        automaton: None,
        generation: 0,
    })
});

/// Hashes an address (already unique) by itself.
#[derive(Default)]
struct AddressHasher(u64);

impl Hasher for AddressHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }
    fn write_usize(&mut self, n: usize) {
        self.0 = (n as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

/// The registry's generation, readable without its lock.
static GENERATION: AtomicU64 = AtomicU64::new(0);

thread_local! {
    /// Compiled arguments by the address of the rule's `args` node (this runs for every
    /// rule and every file: no lock, no hashing of the pattern), checked against the
    /// pattern text in case an address is reused by another rule set.
    static COMPILED: RefCell<HashMap<usize, Rc<Compiled>, BuildHasherDefault<AddressHasher>>> =
        RefCell::new(HashMap::default());
}

fn register(words: &[String]) -> Vec<usize> {
    {
        let reg = REGISTRY.read().expect("registry lock");
        let ids: Vec<Option<usize>> = words
            .iter()
            .map(|w| reg.words.iter().position(|x| x == w))
            .collect();
        if ids.iter().all(Option::is_some) {
            return ids.into_iter().flatten().collect();
        }
    }
    let mut reg = REGISTRY.write().expect("registry lock");
    let mut ids = Vec::new();
    for w in words {
        let id = match reg.words.iter().position(|x| x == w) {
            Some(i) => i,
            None => {
                reg.words.push(w.clone());
                reg.words.len() - 1
            }
        };
        ids.push(id);
    }
    reg.generation += 1;
    GENERATION.store(reg.generation, Ordering::Release);
    ids
}

fn compiled(args: &Node) -> Option<Rc<Compiled>> {
    let pattern = args.get("pattern")?.as_str()?;
    let key = std::ptr::from_ref(args) as usize;
    let at = (pattern.as_ptr() as usize, pattern.len());
    // The same node and the same pattern text at the same place: the same rule (the text
    // is compared too, for a rule set that reuses a dropped one's addresses).
    if let Some(c) = COMPILED.with(|m| m.borrow().get(&key).cloned())
        && c.source_at == at
        && c.source == pattern
    {
        return Some(c);
    }
    let c = compile(args, pattern)?;
    COMPILED.with(|m| m.borrow_mut().insert(key, c.clone()));
    Some(c)
}

fn compile(args: &Node, pattern: &str) -> Option<Rc<Compiled>> {
    let regex = Regex::new(&ascii_word_boundaries(pattern)).ok()?;
    let words: Vec<String> = args
        .get("keywords")
        .map(|k| {
            k.items()
                .iter()
                .filter_map(Node::as_str)
                .map(str::to_ascii_lowercase)
                .collect()
        })
        .unwrap_or_default();
    let number = |key: &str| {
        args.get(key)
            .and_then(|n| n.scalar_text())
            .and_then(|t| t.parse::<f64>().ok())
    };
    let c = Rc::new(Compiled {
        source: pattern.to_owned(),
        source_at: (pattern.as_ptr() as usize, pattern.len()),
        regex,
        keyword_ids: register(&words),
        min_entropy: number("min_entropy"),
        min_classes: number("min_classes").map_or(0, |n| n as usize),
        paths: regex_arg(args, "paths"),
        file_contains: regex_arg(args, "file_contains"),
        decoded: regex_arg(args, "decoded"),
        decode_base64: args
            .get("decode_base64")
            .and_then(Node::as_bool)
            .unwrap_or(false),
    });
    Some(c)
}

fn regex_arg(args: &Node, key: &str) -> Option<Regex> {
    args.get(key)
        .and_then(Node::as_str)
        .and_then(|p| Regex::new(&ascii_word_boundaries(p)).ok())
}

/// The automaton over every registered keyword (built if the keywords changed), its
/// generation and the number of keywords.
fn automaton() -> (u64, Option<Arc<AhoCorasick>>, usize) {
    {
        let reg = REGISTRY.read().expect("registry lock");
        if let Some((g, ac)) = &reg.automaton
            && *g == reg.generation
        {
            return (*g, Some(ac.clone()), reg.words.len());
        }
    }
    let mut reg = REGISTRY.write().expect("registry lock");
    if reg
        .automaton
        .as_ref()
        .is_none_or(|(g, _)| *g != reg.generation)
    {
        let built = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .kind(Some(AhoCorasickKind::DFA))
            .build(&reg.words)
            .ok()
            .map(Arc::new);
        reg.automaton = built.map(|ac| (reg.generation, ac));
    }
    let ac = reg.automaton.as_ref().map(|(_, ac)| ac.clone());
    (reg.generation, ac, reg.words.len())
}

/// The registered ids of a rule's `keywords` (registering them), for the engine's
/// prefilter; `None` without keywords.
pub(crate) fn keyword_ids(args: &Node) -> Option<Vec<usize>> {
    let words: Vec<String> = args
        .get("keywords")?
        .items()
        .iter()
        .filter_map(Node::as_str)
        .map(str::to_ascii_lowercase)
        .collect();
    (!words.is_empty()).then(|| register(&words))
}

/// The stems every secret name contains (`support::secrets::is_secret_name`): registered
/// as keywords so that the one pass over a file also finds the lines
/// `text_secret_assignment` (SECRET-007, SECRET-062) parses.
const NAME_STEMS: [&str; 5] = ["pass", "pwd", "token", "secret", "key"];

static NAME_STEM_IDS: LazyLock<Vec<usize>> =
    LazyLock::new(|| register(&NAME_STEMS.map(String::from)));

/// Whether `text` contains one of `ids`, scanning it for every registered keyword once
/// per resource (the result is kept in the resource's memo).
pub(crate) fn has_keyword(text: &str, ids: &[usize], cx: &EvalCx<'_>) -> bool {
    if ids.is_empty() {
        return true;
    }
    scan_once(text, cx);
    let memo = cx.memo.secret_keywords.borrow();
    let found = &memo.as_ref().expect("just set").1;
    ids.iter().any(|&i| found.get(i).copied().unwrap_or(false))
}

/// Where the stems of secret names start in `text` (sorted), from the same one pass.
pub(crate) fn name_stems<'m>(text: &str, cx: &'m EvalCx<'_>) -> std::cell::Ref<'m, Vec<usize>> {
    scan_once(text, cx);
    cx.memo.secret_name_stems.borrow()
}

/// The one multi-pattern pass over a resource's text (unless its memo already holds it,
/// for the current set of keywords): which keywords occur, and where the name stems are.
fn scan_once(text: &str, cx: &EvalCx<'_>) {
    let stem_ids = &*NAME_STEM_IDS;
    let mut memo = cx.memo.secret_keywords.borrow_mut();
    let generation = GENERATION.load(Ordering::Acquire);
    if memo.as_ref().is_some_and(|(g, _)| *g == generation) {
        return;
    }
    let (generation, ac, n) = automaton();
    let mut found = vec![false; n];
    let mut stems = cx.memo.secret_name_stems.borrow_mut();
    stems.clear();
    if let Some(ac) = ac {
        for m in ac.find_overlapping_iter(text) {
            let id = m.pattern().as_usize();
            found[id] = true;
            if stem_ids.contains(&id) {
                stems.push(m.start());
            }
        }
    }
    stems.sort_unstable();
    stems.dedup();
    *memo = Some((generation, found));
}

/// A finding at every secret in the provider's format that is not a placeholder.
pub(crate) fn check(body: &Node, cx: &EvalCx<'_>, args: Option<&Node>) -> Outcome {
    let Value::String(text) = &body.value else {
        return Outcome::pass(Vec::new());
    };
    let Some(c) = args.and_then(compiled) else {
        return Outcome::pass(Vec::new());
    };
    if body.span.len() != text.len() {
        return Outcome::pass(Vec::new());
    }
    if let Some(paths) = &c.paths
        && !path_matches(paths, &cx.resource.address)
    {
        return Outcome::pass(Vec::new());
    }
    if !has_keyword(text, &c.keyword_ids, cx) {
        return Outcome::pass(Vec::new());
    }
    if let Some(re) = &c.file_contains
        && !re.is_match(text)
    {
        return Outcome::pass(Vec::new());
    }
    let start = body.span.start as usize;
    let spans = c
        .regex
        .captures_iter(text)
        .filter_map(|caps| caps.name("secret").or_else(|| caps.get(0)))
        .filter(|m| {
            if !c.decode_base64 {
                return !is_placeholder_secret(m.as_str());
            }
            decode_base64(m.as_str()).is_some_and(|d| {
                c.decoded.as_ref().is_none_or(|re| re.is_match(&d))
                    && !is_placeholder_secret(d.rsplit(':').next().unwrap_or(&d))
            })
        })
        .filter(|m| {
            c.min_entropy
                .is_none_or(|e| is_high_entropy(m.as_str(), e, c.min_classes))
        })
        .map(|m| Span::new(body.span.file, start + m.start(), start + m.end()))
        .collect();
    fail_or_pass(spans)
}

/// Whether a file's address matches a `paths` regex, with `/` separators on every OS
/// (copied only when it has a backslash: this runs for every file).
fn path_matches(paths: &Regex, address: &str) -> bool {
    if address.contains('\\') {
        paths.is_match(&address.replace('\\', "/"))
    } else {
        paths.is_match(address)
    }
}

/// The problems in a rule's args, for `isolint test-rules` and the pack tests.
pub(crate) fn validate(args: Option<&Node>) -> Vec<String> {
    let mut out = Vec::new();
    let Some(args) = args else {
        return vec!["text_secret_pattern needs args (keywords, pattern)".into()];
    };
    match args.get("pattern").and_then(Node::as_str) {
        None => out.push("`pattern` is required".into()),
        Some(p) => {
            if let Err(e) = crate::rules::pattern::check(p) {
                out.push(format!("`pattern` is not a valid regex: {e}"));
            }
        }
    }
    for key in ["paths", "file_contains", "decoded"] {
        if let Some(p) = args.get(key).and_then(Node::as_str)
            && let Err(e) = crate::rules::pattern::check(p)
        {
            out.push(format!("`{key}` is not a valid regex: {e}"));
        }
    }
    const KEYS: &[&str] = &[
        "keywords",
        "pattern",
        "min_entropy",
        "min_classes",
        "paths",
        "file_contains",
        "decode_base64",
        "decoded",
    ];
    for e in args.entries() {
        if !KEYS.contains(&e.key.as_str()) {
            out.push(format!(
                "unknown argument `{}` (known: {})",
                e.key,
                KEYS.join(", ")
            ));
        }
    }
    match args.get("keywords") {
        Some(k) if !k.items().is_empty() => {
            // Registered now, with every other rule's, so a scan builds the automaton once.
            let words: Vec<String> = k
                .items()
                .iter()
                .filter_map(Node::as_str)
                .map(str::to_ascii_lowercase)
                .collect();
            register(&words);
        }
        _ => out.push("`keywords` must list at least one literal".into()),
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_are_registered_once() {
        let a = register(&["zz_unit_kw1".into(), "zz_unit_kw2".into()]);
        let b = register(&["zz_unit_kw2".into()]);
        assert_eq!(a[1], b[0]);
        let (_, ac, _) = automaton();
        assert!(ac.unwrap().is_match("xx ZZ_UNIT_KW1 yy"));
    }
}
