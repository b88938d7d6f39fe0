//! Native checks on Dockerfiles, one per file, and the instruction helpers they share.

pub(super) mod copied_credentials;
pub(super) mod copy_from_stage;
pub(super) mod duplicate_alias;
pub(super) mod env_secret;
pub(crate) mod instruction_match;
pub(super) mod repeated_instruction;
pub(super) mod run_command;
pub(super) mod secret_build_arg;

pub(crate) use crate::parse::dockerfile::unquote;
use crate::parse::node::Node;

/// (keyword, instruction) pairs of a Dockerfile resource, in order.
pub(crate) fn instructions(body: &Node) -> impl Iterator<Item = (&str, &Node)> {
    body.get("instructions")
        .map_or(&[][..], Node::items)
        .iter()
        .filter_map(|i| Some((i.get("instruction")?.as_str()?, i)))
}

/// Whitespace-separated words of `t` with quotes and backslash escapes kept inside words
/// (the Dockerfile parser's word rule).
pub(crate) fn words(t: &str) -> Vec<(usize, usize)> {
    let b = t.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let end = crate::parse::dockerfile::word_end(b, i);
        out.push((i, end));
        i = end;
    }
    out
}

/// The variables of an ENV or ARG instruction: (name, unquoted value if any, offset of
/// the name in `text`). ENV's legacy one-variable `ENV NAME value` form is understood.
pub(crate) fn env_pairs<'t>(kw: &str, text: &'t str) -> Vec<(&'t str, Option<String>, usize)> {
    let ws = words(text);
    if kw == "ENV"
        && let Some(&(a, b)) = ws.first()
        && !text[a..b].contains('=')
    {
        return vec![(&text[a..b], Some(unquote(text[b..].trim())), a)];
    }
    ws.into_iter()
        .map(|(a, b)| {
            let w = &text[a..b];
            match w.find('=') {
                Some(i) => (&w[..i], Some(unquote(&w[i + 1..])), a),
                None => (w, None, a),
            }
        })
        .collect()
}

/// One variable of an ENV or ARG instruction with where it is written.
pub(crate) struct Variable<'a> {
    /// The instruction's arguments as a node (for mapping offsets to the source).
    pub node: &'a Node,
    /// The arguments' text, continued lines joined.
    pub text: &'a str,
    pub name: &'a str,
    /// The unquoted value, when one is written.
    pub value: Option<String>,
    /// Offset of the name in `text`.
    pub at: usize,
}

/// The variables of the `kinds` instructions (`ENV`, `ARG`) of a Dockerfile resource.
pub(crate) fn variables<'a>(
    body: &'a Node,
    kinds: &'a [&'a str],
) -> impl Iterator<Item = Variable<'a>> + 'a {
    instructions(body)
        .filter(|(kw, _)| kinds.contains(kw))
        .filter_map(|(kw, ins)| {
            let node = ins.get("args")?;
            Some((kw, node, node.as_str()?))
        })
        .flat_map(|(kw, node, text)| {
            env_pairs(kw, text)
                .into_iter()
                .map(move |(name, value, at)| Variable {
                    node,
                    text,
                    name,
                    value,
                    at,
                })
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_and_arg_pairs() {
        let p = env_pairs("ENV", r#"A=1 DB_PASSWORD="s3 cr3t" B"#);
        assert_eq!(p[1], ("DB_PASSWORD", Some("s3 cr3t".to_string()), 4));
        assert_eq!(p[2], ("B", None, 26));
        let legacy = env_pairs("ENV", "API_TOKEN abc def");
        assert_eq!(legacy, vec![("API_TOKEN", Some("abc def".to_string()), 0)]);
        assert_eq!(env_pairs("ARG", "NPM_TOKEN"), vec![("NPM_TOKEN", None, 0)]);
    }
}
