//! `dockerfile_copy_from_unknown_stage`: `COPY --from=NAME` where NAME is neither an
//! earlier stage nor an image reference. Native because it compares a flag with the
//! aliases of the stages defined before the instruction.

use super::instructions;
use crate::parse::node::Node;
use crate::rules::context::EvalCx;
use crate::rules::native::support::spans::fail_or_pass;
use crate::rules::truth::Outcome;

/// A finding at each `COPY --from` (or `RUN --mount=from=`) whose value is a plain word
/// that no earlier stage is called (BuildKit then pulls an image of that name from Docker
/// Hub), a stage index that is not an earlier stage, or the instruction's own stage.
/// Values with a registry, tag, digest or `$` are image references or unknown.
pub(crate) fn check(body: &Node, _: &EvalCx<'_>, _: Option<&Node>) -> Outcome {
    let mut aliases: Vec<String> = Vec::new();
    let mut stage_count = 0usize;
    let mut spans = Vec::new();
    for (kw, ins) in instructions(body) {
        if kw == "FROM" {
            aliases.push(
                ins.get("alias")
                    .and_then(Node::as_str)
                    .unwrap_or_default()
                    .to_ascii_lowercase(),
            );
            stage_count += 1;
            continue;
        }
        if kw != "COPY" || stage_count == 0 {
            continue;
        }
        let Some(from) = ins.get("flags").and_then(|f| f.get("from")) else {
            continue;
        };
        let Some(value) = from.as_str() else {
            continue;
        };
        let v = value.to_ascii_lowercase();
        let current = stage_count - 1;
        let bad = if let Ok(n) = v.parse::<usize>() {
            n >= current
        } else if v.contains(['/', ':', '@', '$', '.']) || v.is_empty() {
            false
        } else {
            match aliases.iter().position(|a| *a == v) {
                Some(p) => p == current,
                None => true,
            }
        };
        if bad {
            spans.push(from.span);
        }
    }
    fail_or_pass(spans)
}
