//! `gha_expression_match`: `${{ }}` expressions whose text matches a pattern, in chosen
//! places of a workflow (`run:` scripts, `with:` inputs, `env:` values, `if:` conditions).
//! Declarative in the pack (the pattern and places are `args`); native because
//! expressions must be cut out of the strings they are embedded in, and an `if:` is an
//! expression even without `${{ }}`.

use super::{EXPRESSION, steps};
use crate::parse::node::Node;
use crate::rules::context::EvalCx;
use crate::rules::native::dockerfile::instruction_match::compiled;
use crate::rules::native::support::spans::{fail_or_pass, file_text, place};
use crate::rules::truth::Outcome;

fn map_values<'a>(map: Option<&'a Node>, out: &mut Vec<(&'a Node, bool)>) {
    for e in map.map_or(&[][..], Node::entries) {
        out.push((&e.value, false));
    }
}

/// `args: {pattern: <regex over an expression's inner text>, in: [run, with, env, if]}`:
/// a finding at each matching expression found in those places of the workflow (`env`),
/// the job (`env`, `if`, `with` and `secrets` of a reusable-workflow call) and its steps
/// (`run`, `with` values, `env` values, `if`). `in` defaults to every place.
pub(crate) fn check(body: &Node, cx: &EvalCx<'_>, args: Option<&Node>) -> Outcome {
    let Some(re) = args
        .and_then(|a| a.get("pattern"))
        .and_then(Node::as_str)
        .and_then(compiled)
    else {
        return Outcome::unknown(vec![cx.resource.header]);
    };
    let places: Vec<&str> = args
        .and_then(|a| a.get("in"))
        .map_or(&[][..], Node::items)
        .iter()
        .filter_map(Node::as_str)
        .collect();
    let wants = |p: &str| places.is_empty() || places.contains(&p);
    let mut nodes: Vec<(&Node, bool)> = Vec::new();
    if wants("env") {
        map_values(body.get("env"), &mut nodes);
    }
    if cx.resource.kind == "gha_job" {
        if wants("if") {
            nodes.extend(body.get("if").map(|n| (n, true)));
        }
        if wants("with") {
            map_values(body.get("with"), &mut nodes);
            map_values(body.get("secrets"), &mut nodes);
        }
    }
    for step in steps(body) {
        if wants("run") {
            nodes.extend(step.get("run").map(|n| (n, false)));
        }
        if wants("with") {
            map_values(step.get("with"), &mut nodes);
        }
        if wants("env") {
            map_values(step.get("env"), &mut nodes);
        }
        if wants("if") {
            nodes.extend(step.get("if").map(|n| (n, true)));
        }
    }
    let src = file_text(cx);
    let mut spans = Vec::new();
    for (node, condition) in nodes {
        let Some(text) = node.as_str() else {
            continue;
        };
        let mut found = false;
        for c in EXPRESSION.captures_iter(text) {
            let (Some(all), Some(inner)) = (c.get(0), c.get(1)) else {
                continue;
            };
            found = true;
            if re.is_match(inner.as_str()) {
                spans.push(place(
                    src.as_deref(),
                    node,
                    text,
                    all.start(),
                    all.end(),
                    cx,
                ));
            }
        }
        // `if: secrets.X != ''` is an expression without the ${{ }} wrapper.
        if condition && !found && re.is_match(text) {
            spans.push(place(src.as_deref(), node, text, 0, text.len(), cx));
        }
    }
    fail_or_pass(spans)
}
