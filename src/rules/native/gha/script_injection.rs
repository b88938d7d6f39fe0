//! `gha_script_injection`: untrusted `${{ }}` expressions interpolated into scripts.
//! Native because which contexts an outsider controls, and whether an expression only
//! yields a boolean, needs the expression's text, not a path; and `${{ env.NAME }}` is
//! injection too when NAME was set from untrusted input.

use super::{EXPRESSION, steps, tainted_env, untrusted_expressions};
use crate::parse::node::Node;
use crate::rules::context::EvalCx;
use crate::rules::native::support::spans::{fail_or_pass, file_text, place};
use crate::rules::truth::Outcome;

/// Untrusted expressions interpolated into a step's `run:` script, or into the
/// `script:` of actions/github-script: a finding at each `${{ … }}`, including
/// `${{ env.NAME }}` when the workflow, job or step env set NAME from untrusted input
/// (the env indirection only helps when the script reads "$NAME" from the shell).
pub(crate) fn check(job: &Node, cx: &EvalCx<'_>, _: Option<&Node>) -> Outcome {
    let text = file_text(cx);
    let src = text.as_deref();
    let mut spans = Vec::new();
    for step in steps(job) {
        let tainted = tainted_env(job, step);
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
            for m in untrusted_expressions(text)
                .into_iter()
                .chain(env_expressions(text, &tainted))
            {
                spans.push(place(src, node, text, m.0, m.1, cx));
            }
        }
    }
    fail_or_pass(spans)
}

/// `${{ env.NAME }}` expressions reading one of the `tainted` variables.
fn env_expressions(text: &str, tainted: &[String]) -> Vec<(usize, usize)> {
    if tainted.is_empty() {
        return Vec::new();
    }
    EXPRESSION
        .captures_iter(text)
        .filter(|c| {
            c.get(1).is_some_and(|inner| {
                let e = inner.as_str().trim();
                e.strip_prefix("env.")
                    .is_some_and(|name| tainted.iter().any(|t| t == name.trim()))
            })
        })
        .filter_map(|c| c.get(0).map(|m| (m.start(), m.end())))
        .collect()
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
