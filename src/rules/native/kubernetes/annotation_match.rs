//! `k8s_annotation_match`: pod-template annotations whose key and value both match the
//! rule's regexes (`args.key`, `args.value`), such as the per-container AppArmor and seccomp
//! annotations (`container.apparmor.security.beta.kubernetes.io/<container>: unconfined`).
//! Native because the container's name is part of the key, and paths cannot iterate over
//! map keys.

use crate::parse::node::{Node, Value};
use crate::rules::context::EvalCx;
use crate::rules::native::dockerfile::instruction_match::compiled;
use crate::rules::native::support::spans::fail_or_pass;
use crate::rules::truth::Outcome;

pub(crate) fn check(body: &Node, cx: &EvalCx<'_>, args: Option<&Node>) -> Outcome {
    let pattern = |k: &str| {
        args.and_then(|a| a.get(k))
            .and_then(Node::as_str)
            .and_then(compiled)
    };
    let (Some(key), Some(value)) = (pattern("key"), pattern("value")) else {
        return Outcome::unknown(vec![cx.resource.header]);
    };
    let Some(annotations) = body.get_path("pod_metadata.annotations") else {
        return Outcome::pass(Vec::new());
    };
    if annotations.is_unknown() {
        return Outcome::unknown(vec![annotations.span]);
    }
    let spans = annotations
        .entries()
        .iter()
        .filter(|e| key.is_match(&e.key))
        .filter(|e| match &e.value.value {
            Value::String(v) => value.is_match(v),
            _ => false,
        })
        .map(|e| e.value.span)
        .collect();
    fail_or_pass(spans)
}
