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
            // hcl-edit may report an offset inside a multi-byte character (`c \u{690}`,
            // this target's first crash); the loader rounds it down to a boundary.
            assert!(
                span.start <= span.end
                    && src.text.is_char_boundary(span.start as usize)
                    && src.text.is_char_boundary(span.end as usize),
                "{e:?}"
            );
            let _ = src.position(span.start as usize);
        }
    }
});
