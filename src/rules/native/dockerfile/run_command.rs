//! `dockerfile_run_command`: a regex over each simple command of the shell scripts that
//! RUN instructions execute, with the conditions that excuse it (a flag on the same
//! command, a cleanup in the same RUN, an earlier ENV or SHELL). Declarative in the pack
//! (every pattern is an `args` value); native because commands must be cut out of the
//! script with quotes, continuation lines, heredocs and `sudo`/`VAR=x` prefixes
//! understood, and the excuses live in other parts of the instruction or stage.

use regex::Regex;

use super::{instruction_match::compiled, instructions};
use crate::parse::node::Node;
use crate::rules::context::EvalCx;
use crate::rules::native::support::shell::simple_commands;
use crate::rules::native::support::spans::{fail_or_pass, file_text, place};
use crate::rules::truth::Outcome;

/// `args`:
/// - `command` (regex, required): a simple command of a RUN script this rule is about,
///   matched against the command's text (leading assignments, `sudo`, `env` removed);
///   the finding points at the match.
/// - `piped` (bool): only commands whose output is piped into another command.
/// - `lacks` (regex): a finding only when the command does not also match this.
/// - `run_lacks` (regex): ... and the whole RUN instruction as written (flags such as
///   `--mount=type=cache`, every command, heredoc bodies) does not match this.
/// - `stage_lacks` (`{instructions: [...], pattern}`): ... and no earlier instruction of
///   those kinds in the same stage matches `pattern` (ENV PIP_NO_CACHE_DIR=1,
///   SHELL ["/bin/bash", "-o", "pipefail", "-c"]).
/// - `shipped_only` (bool): only stages whose layers end up in the image that ships (the
///   last stage and the stages it is built FROM), for rules about what the image carries.
///
/// Exec-form RUN is not a shell script and is skipped, as are stages whose SHELL is not a
/// POSIX shell, and heredocs fed to an interpreter other than a shell.
pub(crate) fn check(body: &Node, cx: &EvalCx<'_>, args: Option<&Node>) -> Outcome {
    let re = |key: &str| {
        args.and_then(|a| a.get(key))
            .and_then(Node::as_str)
            .and_then(compiled)
    };
    let Some(command) = re("command") else {
        return Outcome::unknown(vec![cx.resource.header]);
    };
    let lacks = re("lacks");
    let run_lacks = re("run_lacks");
    let piped_only = args
        .and_then(|a| a.get("piped"))
        .and_then(Node::as_bool)
        .unwrap_or(false);
    let stage_lacks = args.and_then(|a| a.get("stage_lacks"));
    let stage_kinds: Vec<&str> = stage_lacks
        .and_then(|s| s.get("instructions"))
        .map_or(&[][..], Node::items)
        .iter()
        .filter_map(Node::as_str)
        .collect();
    let stage_re = stage_lacks
        .and_then(|s| s.get("pattern"))
        .and_then(Node::as_str)
        .and_then(compiled);
    let shipped_only = args
        .and_then(|a| a.get("shipped_only"))
        .and_then(Node::as_bool)
        .unwrap_or(false);
    let shipped = shipped_stages(body);
    let text = file_text(cx);
    let src = text.as_deref();
    let all: Vec<(&str, &Node)> = instructions(body).collect();
    let mut spans = Vec::new();
    for (n, &(kw, ins)) in all.iter().enumerate() {
        if kw != "RUN" || ins.get("exec").is_some() {
            continue;
        }
        let stage = ins.get("stage").and_then(Node::as_f64);
        if shipped_only && !stage.is_some_and(|s| shipped.contains(&s)) {
            continue;
        }
        let earlier = all[..n]
            .iter()
            .filter(|(_, i)| i.get("stage").and_then(Node::as_f64) == stage);
        if !posix_shell(earlier.clone()) {
            continue;
        }
        if let Some(sre) = &stage_re
            && earlier
                .filter(|(k, _)| stage_kinds.iter().any(|s| s.eq_ignore_ascii_case(k)))
                .any(|(_, i)| instruction_text(src, i).is_some_and(|t| sre.is_match(&t)))
        {
            continue;
        }
        if let Some(rl) = &run_lacks
            && instruction_text(src, ins).is_some_and(|t| rl.is_match(&t))
        {
            continue;
        }
        for node in scripts(ins) {
            let Some(text) = node.as_str() else {
                continue;
            };
            for c in simple_commands(text) {
                if piped_only && !c.piped {
                    continue;
                }
                let cmd = &text[c.start..c.end];
                let Some(m) = command.find(cmd) else {
                    continue;
                };
                if lacks.as_ref().is_some_and(|l: &Regex| l.is_match(cmd)) {
                    continue;
                }
                spans.push(place(
                    src,
                    node,
                    text,
                    c.start + m.start(),
                    c.start + m.end(),
                    cx,
                ));
            }
        }
    }
    fail_or_pass(spans)
}

/// Indices of the last stage and of the stages it is built on (FROM an earlier stage).
fn shipped_stages(body: &Node) -> Vec<f64> {
    let stages = body.get("stages").map_or(&[][..], Node::items);
    let mut out = Vec::new();
    let mut cur = stages.last();
    while let Some(stage) = cur {
        let Some(i) = stage.get("index").and_then(Node::as_f64) else {
            break;
        };
        if out.contains(&i) {
            break;
        }
        out.push(i);
        cur = stage
            .get("base_stage")
            .and_then(Node::as_f64)
            .and_then(|b| stages.get(b as usize));
    }
    out
}

/// The shell scripts a RUN executes: its arguments, unless they only feed heredocs to a
/// non-shell interpreter, and its heredoc bodies when the shell itself reads them.
fn scripts(ins: &Node) -> Vec<&Node> {
    let mut out = Vec::new();
    let heredocs = ins.get("heredocs").map_or(&[][..], Node::items);
    let args = ins.get("args");
    let Some(text) = args.and_then(Node::as_str) else {
        return out;
    };
    if heredocs.is_empty() {
        out.extend(args);
        return out;
    }
    // `RUN <<EOF`, `RUN bash <<EOF`, `RUN set -e; sh -e <<EOF`: the body is shell.
    let rest: Vec<&str> = text
        .split_whitespace()
        .filter(|w| !w.starts_with("<<"))
        .collect();
    let shell = rest.is_empty()
        || rest.first().is_some_and(|w| {
            let base = w.rsplit('/').next().unwrap_or(w);
            matches!(base, "sh" | "bash" | "ash" | "dash" | "zsh")
        });
    if shell {
        out.extend(heredocs.iter().filter_map(|h| h.get("content")));
    }
    out
}

/// Whether the stage's shell (the last SHELL before this point) is a POSIX shell.
fn posix_shell<'a>(mut earlier: impl DoubleEndedIterator<Item = &'a (&'a str, &'a Node)>) -> bool {
    let Some((_, shell)) = earlier.rfind(|(k, _)| *k == "SHELL") else {
        return true;
    };
    let first = shell
        .get("exec")
        .and_then(|e| e.items().first())
        .and_then(Node::as_str)
        .unwrap_or_default()
        .to_ascii_lowercase();
    let base = first.rsplit(['/', '\\']).next().unwrap_or(&first);
    matches!(base, "sh" | "bash" | "ash" | "dash" | "zsh" | "bash.exe")
}

/// An instruction as written (flags included) followed by its heredoc bodies.
fn instruction_text(src: Option<&str>, ins: &Node) -> Option<String> {
    let mut t = src
        .and_then(|s| s.get(ins.span.range()))
        .map(str::to_string)
        .or_else(|| ins.get("args").and_then(Node::as_str).map(str::to_string))?;
    for h in ins.get("heredocs").map_or(&[][..], Node::items) {
        if let Some(c) = h.get("content").and_then(Node::as_str) {
            t.push('\n');
            t.push_str(c);
        }
    }
    Some(t)
}
