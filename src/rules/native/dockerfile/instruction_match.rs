//! `dockerfile_instruction_match`: a regex over chosen instructions' arguments and
//! heredocs. Declarative in the pack (the pattern is an `args` value); native only because
//! matches in joined continuation lines must be mapped back to their source line.

use std::sync::LazyLock;

use regex::Regex;

use super::instructions;
use crate::parse::node::Node;
use crate::rules::context::EvalCx;
use crate::rules::native::support::spans::{fail_or_pass, file_text, place};
use crate::rules::truth::Outcome;

/// A rule's pattern, compiled once per process (natives get their args as data, and
/// compiling per Dockerfile dominated whole scans).
pub(crate) fn compiled(pattern: &str) -> Option<Regex> {
    static CACHE: LazyLock<std::sync::Mutex<std::collections::HashMap<String, Option<Regex>>>> =
        LazyLock::new(Default::default);
    let mut cache = CACHE
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    cache
        .entry(pattern.to_owned())
        .or_insert_with(|| Regex::new(pattern).ok())
        .clone()
}

/// `args: {instructions: [RUN, ...], pattern: <regex>}`: every match of `pattern` in the
/// arguments (continued lines joined) or heredoc bodies of those instructions is a finding
/// at the source line it comes from.
pub(crate) fn check(body: &Node, cx: &EvalCx<'_>, args: Option<&Node>) -> Outcome {
    let kinds: Vec<&str> = args
        .and_then(|a| a.get("instructions"))
        .map_or(&[][..], Node::items)
        .iter()
        .filter_map(Node::as_str)
        .collect();
    let re = args
        .and_then(|a| a.get("pattern"))
        .and_then(Node::as_str)
        .and_then(compiled);
    let Some(re) = re else {
        // A rule without a usable pattern cannot decide anything.
        return Outcome::unknown(vec![cx.resource.header]);
    };
    let text = file_text(cx);
    let src = text.as_deref();
    let mut spans = Vec::new();
    for (kw, ins) in instructions(body) {
        if !kinds.iter().any(|k| k.eq_ignore_ascii_case(kw)) {
            continue;
        }
        let heredocs = ins.get("heredocs").map_or(&[][..], Node::items);
        let texts = ins
            .get("args")
            .into_iter()
            .chain(heredocs.iter().filter_map(|h| h.get("content")));
        for node in texts {
            let Some(text) = node.as_str() else {
                continue;
            };
            for m in re.find_iter(text) {
                spans.push(place(src, node, text, m.start(), m.end(), cx));
            }
        }
    }
    fail_or_pass(spans)
}
