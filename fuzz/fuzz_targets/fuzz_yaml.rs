//! YAML/JSON text → `parse_yaml` → Kubernetes, compose and workflow resources.
#![no_main]

mod common;

use isolint::model::{compose, kubernetes, workflow};
use isolint::parse::yaml::parse_yaml;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some(src) = common::source("k8s/input.yaml", data) else {
        return;
    };
    let docs = match parse_yaml(&src) {
        Ok(docs) => docs,
        Err(e) => {
            let span = e.span.expect("YAML errors carry a position");
            assert!(src.text.get(span.range()).is_some(), "{e:?}");
            let _ = src.position(span.start as usize);
            return;
        }
    };
    for d in &docs {
        common::check_spans(d, &src.text);
    }
    if let Some(first) = docs.first()
        && compose::is_compose(first, "compose.yaml")
    {
        let _ = compose::compose_resources(&src, first.clone());
    }
    for d in docs.iter().cloned() {
        let _ = workflow::workflow_resources(&src, d);
    }
    let k8s: Vec<_> = docs.into_iter().filter(kubernetes::is_kubernetes).collect();
    let _ = kubernetes::kubernetes_resources(&src, k8s);
});
