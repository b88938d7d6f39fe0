//! Native checks for GitHub Actions workflows: expressions inside scripts and literal
//! secrets in maps whose keys are free-form (`env`, `with`).

use std::sync::LazyLock;

use regex::Regex;

use super::NativeFn;
use super::docker::{covered_by_format_rules, file_text, is_literal_secret, is_secret_name, place};
use crate::parse::node::{Node, Value};
use crate::rules::context::EvalCx;
use crate::rules::truth::Outcome;
use crate::source::Span;

pub(super) const NATIVES: &[(&str, NativeFn)] = &[
    ("gha_script_injection", script_injection),
    ("gha_literal_secret", literal_secret),
    ("gha_workflow_level_writes", workflow_level_writes),
];

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
fn script_injection(job: &Node, cx: &EvalCx<'_>, _: Option<&Node>) -> Outcome {
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

/// Literal secrets written into a workflow: secret-named `env`, `with` and `secrets`
/// entries, and container or service registry passwords. Service containers' own `env`
/// (a throwaway database's password) is not checked.
fn literal_secret(body: &Node, cx: &EvalCx<'_>, _: Option<&Node>) -> Outcome {
    let mut spans = Vec::new();
    if cx.resource.kind == "gha_workflow" {
        named(body.get("env"), &mut spans);
        return fail_or_pass(spans);
    }
    for key in ["env", "with", "secrets"] {
        named(body.get(key), &mut spans);
    }
    for step in body.get("steps").map_or(&[][..], Node::items) {
        named(step.get("env"), &mut spans);
        named(step.get("with"), &mut spans);
    }
    if let Some(container) = body.get("container") {
        named(container.get("env"), &mut spans);
        password(container, &mut spans);
    }
    for service in body.get("services").map_or(&[][..], Node::entries) {
        password(&service.value, &mut spans);
    }
    fail_or_pass(spans)
}

/// Secret-named entries of a map with literal values.
fn named(map: Option<&Node>, spans: &mut Vec<Span>) {
    for e in map.map_or(&[][..], Node::entries) {
        if is_secret_name(&e.key)
            && let Some(v) = literal(&e.value)
            && !covered_by_format_rules(&e.key, &v)
        {
            spans.push(e.key_span);
        }
    }
}

/// `credentials.password` of a job container or service container.
fn password(container: &Node, spans: &mut Vec<Span>) {
    if let Some(e) = container
        .get("credentials")
        .and_then(|c| c.entry("password"))
        && literal(&e.value).is_some()
    {
        spans.push(e.key_span);
    }
}

/// The value as text when it is a literal secret (not an expression, flag or placeholder).
fn literal(v: &Node) -> Option<String> {
    let text = match &v.value {
        Value::String(s) => s.clone(),
        Value::Number(_) => v.scalar_text()?,
        _ => return None,
    };
    (!text.contains("${{") && is_literal_secret(&text)).then_some(text)
}

/// Write scopes granted at the top of a workflow that two or more jobs inherit (they
/// set no `permissions` of their own): a finding at each such scope.
fn workflow_level_writes(wf: &Node, _: &EvalCx<'_>, _: Option<&Node>) -> Outcome {
    let inheriting = wf
        .get("jobs")
        .map_or(&[][..], Node::entries)
        .iter()
        .filter(|j| j.value.get("permissions").is_none())
        .count();
    if inheriting < 2 {
        return Outcome::pass(Vec::new());
    }
    let spans = wf
        .get("permissions")
        .map_or(&[][..], Node::entries)
        .iter()
        .filter(|e| e.value.as_str() == Some("write"))
        .map(|e| e.key_span)
        .collect();
    fail_or_pass(spans)
}

fn fail_or_pass(mut spans: Vec<Span>) -> Outcome {
    spans.sort();
    spans.dedup();
    if spans.is_empty() {
        Outcome::pass(Vec::new())
    } else {
        Outcome::fail(spans)
    }
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

    #[test]
    fn literal_values() {
        let s = |v: &str| Node::string(v, Span::default());
        assert!(literal(&s("hunter22")).is_some());
        assert!(literal(&s("${{ secrets.DB_PASSWORD }}")).is_none());
        assert!(literal(&s("pre-${{ secrets.X }}")).is_none());
        assert!(literal(&Node::new(Value::Bool(false), Span::default())).is_none());
        assert!(literal(&Node::new(Value::Number(123456.0), Span::default())).is_some());
    }
}
