//! `gha_script_injection`: untrusted `${{ }}` expressions interpolated into scripts.
//! Native because which contexts an outsider controls, and whether an expression only
//! yields a boolean, needs the expression's text, not a path.

use std::sync::LazyLock;

use regex::Regex;

use crate::parse::node::Node;
use crate::rules::context::EvalCx;
use crate::rules::native::support::spans::{fail_or_pass, file_text, place};
use crate::rules::truth::Outcome;

/// A `${{ … }}` expression.
static EXPRESSION: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?s)\$\{\{(.*?)\}\}").expect("static regex"));

/// Contexts an outside contributor controls: issue, PR, comment, review and discussion
/// text, branch names, commit messages and author fields, wiki page names.
static UNTRUSTED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"\bgithub\s*\.\s*(?:head_ref|event\.(?:",
        r"issue\.(?:title|body)",
        r"|pull_request\.(?:title|body|head\.(?:ref|label|repo\.default_branch))",
        r"|(?:comment|review|review_comment)\.body",
        r"|discussion\.(?:title|body)",
        r"|pages(?:\[[^\]]*\]|\.\*)\.page_name",
        r"|commits(?:\[[^\]]*\]|\.\*)\.(?:message|author\.(?:email|name))",
        r"|(?:head_commit|merge_group\.head_commit)\.(?:message|(?:author|committer)\.(?:email|name))",
        r"|workflow_run\.(?:head_branch|display_title|head_commit\.(?:message|(?:author|committer)\.(?:email|name)))",
        r"))\b",
    ))
    .expect("static regex")
});

/// Untrusted expressions interpolated into a step's `run:` script, or into the
/// `script:` of actions/github-script: a finding at each `${{ … }}`.
pub(crate) fn check(job: &Node, cx: &EvalCx<'_>, _: Option<&Node>) -> Outcome {
    let src = file_text(cx);
    let mut spans = Vec::new();
    for step in job.get("steps").map_or(&[][..], Node::items) {
        let github_script = step
            .get("uses")
            .and_then(Node::as_str)
            .is_some_and(|u| u.starts_with("actions/github-script@"));
        let script = step
            .get("with")
            .and_then(|w| w.get("script"))
            .filter(|_| github_script);
        for node in step.get("run").into_iter().chain(script) {
            let Some(text) = node.as_str() else {
                continue;
            };
            for m in untrusted_expressions(text) {
                spans.push(place(src, node, text, m.0, m.1, cx));
            }
        }
    }
    fail_or_pass(spans)
}

/// Byte ranges of the `${{ … }}` expressions in `text` that read untrusted input.
fn untrusted_expressions(text: &str) -> Vec<(usize, usize)> {
    EXPRESSION
        .captures_iter(text)
        .filter(|c| {
            c.get(1).is_some_and(|inner| {
                let e = inner.as_str();
                UNTRUSTED.is_match(e) && !yields_boolean(e)
            })
        })
        .filter_map(|c| c.get(0).map(|m| (m.start(), m.end())))
        .collect()
}

/// Whether an expression evaluates to true/false rather than to the text it reads
/// (`github.event.issue.title == 'x'`, `contains(github.head_ref, 'release/')`), so no
/// attacker text reaches the script.
fn yields_boolean(expr: &str) -> bool {
    // Operators inside string literals ('<b>{0}</b>') do not count.
    let unquoted: String = expr.split('\'').step_by(2).collect::<Vec<_>>().join("''");
    let e = unquoted.trim();
    if e.contains("&&") || e.contains("||") {
        // `a == 'x' && github.event.issue.title` evaluates to the title.
        return false;
    }
    let comparison = ["==", "!=", "<", ">"].iter().any(|op| e.contains(op));
    let lower = e.trim_start_matches('!').to_ascii_lowercase();
    let predicate = ["contains(", "startswith(", "endswith("]
        .iter()
        .any(|f| lower.starts_with(f))
        && e.ends_with(')');
    comparison || predicate || e.starts_with('!')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn untrusted_contexts() {
        let hits = |t: &str| untrusted_expressions(t).len();
        assert_eq!(hits(r#"echo "${{ github.event.issue.title }}""#), 1);
        assert_eq!(hits("git checkout ${{ github.head_ref }}"), 1);
        assert_eq!(hits("${{ github.event.pull_request.head.ref }}"), 1);
        assert_eq!(hits("${{ github.event.commits[0].message }}"), 1);
        assert_eq!(hits("${{ github.event.pages.*.page_name }}"), 1);
        assert_eq!(hits("${{ github.event.workflow_run.head_branch }}"), 1);
        assert_eq!(hits("${{ github.event.head_commit.author.email }}"), 1);
        assert_eq!(
            hits("a ${{ github.event.comment.body }} b ${{ github.event.review.body }}"),
            2
        );
        assert_eq!(hits("${{ github.event.pull_request.head.sha }}"), 0);
        assert_eq!(
            hits("${{ github.event.pull_request.head.repo.full_name }}"),
            0
        );
        assert_eq!(hits("${{ github.event.issue.number }}"), 0);
        assert_eq!(hits("${{ secrets.TOKEN }} ${{ github.ref_name }}"), 0);
        assert_eq!(hits("echo $TITLE"), 0);
        assert_eq!(hits("${{ github.event.pull_request.title == 'foo' }}"), 0);
        assert_eq!(
            hits("${{ contains(github.event.pull_request.title, 'foo') }}"),
            0
        );
        assert_eq!(hits("${{ !startsWith(github.head_ref, 'release/') }}"), 0);
        assert_eq!(hits("${{ toJSON(github.event.pull_request.title) }}"), 1);
        assert_eq!(hits("${{ github.event.issue.title || 'untitled' }}"), 1);
        assert_eq!(hits("${{ x == 'y' && github.event.issue.title }}"), 1);
        assert_eq!(
            hits("${{ format('<b>{0}</b>', github.event.issue.title) }}"),
            1
        );
    }
}
