//! `dockerfile_secret_build_arg`: ARG declarations named like secrets, which receive the
//! secret at build time (`--build-arg`). Native because the name is judged by the shared
//! secret-name heuristic.

use super::variables;
use crate::parse::node::Node;
use crate::rules::context::EvalCx;
use crate::rules::native::support::secrets::{is_literal_secret, is_secret_name};
use crate::rules::native::support::spans::{fail_or_pass, file_text, place};
use crate::rules::truth::Outcome;

/// A finding at each ARG whose name says secret and that has no literal secret default
/// (a literal default is the DOCKER-003 finding already): the value comes from
/// `--build-arg` and is recorded in the image history of every RUN that sees it.
pub(crate) fn check(body: &Node, cx: &EvalCx<'_>, _: Option<&Node>) -> Outcome {
    let text = file_text(cx);
    let src = text.as_deref();
    let mut spans = Vec::new();
    for v in variables(body, &["ARG"]) {
        if is_secret_name(v.name) && !v.value.as_deref().is_some_and(is_literal_secret) {
            spans.push(place(src, v.node, v.text, v.at, v.at + v.name.len(), cx));
        }
    }
    fail_or_pass(spans)
}
