//! `gha_tainted_env`: environment variables set from untrusted input (`env: TITLE: ${{
//! github.event.issue.title }}`) and then used unsafely by a step's shell script. Native
//! because it follows the value from the env maps into the script and needs the shell's
//! quoting rules to tell `"$TITLE"` from `$TITLE`.

use super::{multiline_untrusted_expressions, posix_run, steps, tainted_env, tainted_env_by};
use crate::parse::node::Node;
use crate::rules::context::EvalCx;
use crate::rules::native::support::shell::expansions;
use crate::rules::native::support::spans::{fail_or_pass, file_text, place};
use crate::rules::truth::Outcome;

/// `args: {sink: unquoted | env_file}`:
/// - `unquoted`: a finding at each `$NAME` / `${NAME}` outside double quotes in a POSIX
///   shell `run:` script, where NAME carries untrusted input (word splitting and globbing
///   turn the text into extra arguments and options for the command).
/// - `env_file`: a finding at each tainted `$NAME` (quoted or not) and each untrusted
///   `${{ }}` on a line of `run:` that writes to `$GITHUB_ENV`, `$GITHUB_PATH` or
///   `$GITHUB_OUTPUT` (or in a heredoc fed to one), since a newline in the text defines
///   further variables (`NODE_OPTIONS`, `LD_PRELOAD`) or outputs for later steps. Only
///   text that can hold a newline counts (titles, bodies, commit messages), not branch
///   names.
pub(crate) fn check(job: &Node, cx: &EvalCx<'_>, args: Option<&Node>) -> Outcome {
    let sink = args
        .and_then(|a| a.get("sink"))
        .and_then(Node::as_str)
        .unwrap_or("unquoted");
    let text = file_text(cx);
    let src = text.as_deref();
    let mut spans = Vec::new();
    for step in steps(job) {
        let Some(node) = step.get("run") else {
            continue;
        };
        let Some(text) = node.as_str() else {
            continue;
        };
        if !posix_run(job, step) {
            continue;
        }
        let tainted = if sink == "env_file" {
            tainted_env_by(job, step, multiline_untrusted_expressions)
        } else {
            tainted_env(job, step)
        };
        let hits: Vec<(usize, usize)> = if sink == "env_file" {
            env_file_writes(text)
                .into_iter()
                .flat_map(|(a, b)| {
                    let line = &text[a..b];
                    let vars = expansions(line)
                        .into_iter()
                        .filter(|x| tainted.iter().any(|t| t == x.2))
                        .map(|x| (x.0, x.1));
                    let exprs = multiline_untrusted_expressions(line);
                    vars.chain(exprs)
                        .map(|(s, e)| (a + s, a + e))
                        .collect::<Vec<_>>()
                })
                .collect()
        } else {
            expansions(text)
                .into_iter()
                .filter(|x| !x.3 && tainted.iter().any(|t| t == x.2))
                .map(|x| (x.0, x.1))
                .collect()
        };
        for (a, b) in hits {
            spans.push(place(src, node, text, a, b, cx));
        }
    }
    fail_or_pass(spans)
}

/// Byte ranges of the script's lines that write to GITHUB_ENV, GITHUB_PATH or
/// GITHUB_OUTPUT, with the bodies of heredocs redirected there.
fn env_file_writes(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut heredoc_end: Option<String> = None;
    let mut pos = 0;
    for line in text.split_inclusive('\n') {
        let (a, b) = (pos, pos + line.trim_end_matches('\n').len());
        pos += line.len();
        let l = &text[a..b];
        if let Some(end) = &heredoc_end {
            if l.trim() == end {
                heredoc_end = None;
            } else {
                out.push((a, b));
            }
            continue;
        }
        let writes = ["GITHUB_ENV", "GITHUB_PATH", "GITHUB_OUTPUT"]
            .iter()
            .any(|f| l.contains(f))
            && l.contains('>');
        if !writes {
            continue;
        }
        out.push((a, b));
        if let Some(i) = l.find("<<") {
            let word: String = l[i + 2..]
                .trim_start_matches(['-', '~'])
                .trim_start()
                .trim_matches(|c| c == '\'' || c == '"')
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !word.is_empty() {
                heredoc_end = Some(word);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_file_lines() {
        let t = "echo a\necho \"T=$T\" >> \"$GITHUB_ENV\"\ncat <<EOF >> $GITHUB_OUTPUT\nbody=$B\nEOF\necho done\n";
        let lines: Vec<_> = env_file_writes(t)
            .into_iter()
            .map(|(a, b)| &t[a..b])
            .collect();
        assert_eq!(
            lines,
            [
                "echo \"T=$T\" >> \"$GITHUB_ENV\"",
                "cat <<EOF >> $GITHUB_OUTPUT",
                "body=$B"
            ]
        );
    }
}
