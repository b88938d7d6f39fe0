//! One `.tf` file → `terraform::build` (hcl-edit parsing, evaluation with unknowns,
//! count/for_each, dynamic blocks, functions).
#![no_main]

mod common;

use isolint::model::terraform::{TerraformOptions, build};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some(src) = common::source("m/main.tf", data) else {
        return;
    };
    let out = build(&[src.clone()], &TerraformOptions::default());
    for r in &out.resources {
        common::check_spans(&r.body, &src.text);
    }
    for e in &out.errors {
        if let Some(span) = e.span {
            // Error spans may start inside a multi-byte character (hcl-edit reports such
            // offsets, e.g. for `c \u{690}`); positions round them down. They must stay
            // inside the text.
            assert!(
                span.start <= span.end && span.end as usize <= src.text.len(),
                "{e:?}"
            );
            let _ = src.position(span.start as usize);
        }
    }
});
