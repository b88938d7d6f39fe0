//! Native checks on GitHub Actions workflows, one per file, and what they share: which
//! `${{ }}` expressions read text an outsider controls, and which environment variables
//! carry such text into a step.

pub(super) mod expression_match;
pub(super) mod literal_secret;
pub(super) mod own_workflow;
pub(super) mod script_injection;
pub(super) mod tainted_env;
pub(super) mod version_comment;
pub(super) mod workflow_level_writes;

use std::sync::LazyLock;

use regex::Regex;

use crate::parse::node::Node;

/// A `${{ … }}` expression.
pub(crate) static EXPRESSION: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?s)\$\{\{(.*?)\}\}").expect("static regex"));

/// Contexts an outside contributor controls: issue, PR, comment, review and discussion
/// text, branch names, commit messages and author fields, wiki page names. Numbers, SHAs,
/// logins and repository names (restricted character sets) are not in the list.
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
        r"|workflow_run\.(?:head_branch|display_title|head_commit\.(?:message|(?:author|committer)\.(?:email|name))",
        r"|pull_requests(?:\[[^\]]*\]|\.\*)\.head\.ref)",
        r"|(?:check_suite|check_run\.check_suite)\.head_branch",
        r"))\b",
    ))
    .expect("static regex")
});

/// Byte ranges of the `${{ … }}` expressions in `text` that read untrusted input.
pub(crate) fn untrusted_expressions(text: &str) -> Vec<(usize, usize)> {
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
pub(crate) fn yields_boolean(expr: &str) -> bool {
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

/// Untrusted expressions whose text can contain a newline (titles, bodies, commit
/// messages): branch names, labels and author fields cannot, since git and GitHub reject
/// control characters in them.
pub(crate) fn multiline_untrusted_expressions(text: &str) -> Vec<(usize, usize)> {
    untrusted_expressions(text)
        .into_iter()
        .filter(|&(a, b)| MULTILINE.is_match(&text[a..b]))
        .collect()
}

static MULTILINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\.(?:title|body|message|display_title|page_name)\b").expect("static regex")
});

/// The steps of a job or of a composite action (`gha_action` lifts `runs.steps`).
pub(crate) fn steps(body: &Node) -> &[Node] {
    body.get("steps").map_or(&[][..], Node::items)
}

/// Names of the environment variables a step sees whose value holds untrusted input:
/// from the workflow's, the job's and the step's own `env` (a later level overrides an
/// earlier one, so a safe step value hides a tainted job value).
pub(crate) fn tainted_env(job: &Node, step: &Node) -> Vec<String> {
    tainted_env_by(job, step, untrusted_expressions)
}

/// [`tainted_env`] with the untrusted-expression finder chosen by the caller.
pub(crate) fn tainted_env_by(
    job: &Node,
    step: &Node,
    finder: fn(&str) -> Vec<(usize, usize)>,
) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for env in [job.get("workflow_env"), job.get("env"), step.get("env")]
        .into_iter()
        .flatten()
    {
        for e in env.entries() {
            let tainted = e.value.as_str().is_some_and(|v| !finder(v).is_empty());
            out.retain(|n| n != &e.key);
            if tainted {
                out.push(e.key.clone());
            }
        }
    }
    out
}

/// Whether a step's `run:` is read by a POSIX shell (the default on Linux and macOS
/// runners, or shell: bash/sh).
pub(crate) fn posix_run(job: &Node, step: &Node) -> bool {
    let shell = step
        .get("shell")
        .or_else(|| job.get_path("defaults.run.shell"))
        .and_then(Node::as_str);
    match shell {
        Some(s) => {
            let first = s.split_whitespace().next().unwrap_or_default();
            matches!(first.rsplit('/').next(), Some("bash" | "sh"))
        }
        None => !job
            .get("runs-on")
            .and_then(Node::as_str)
            .is_some_and(|r| r.to_ascii_lowercase().contains("windows")),
    }
}
