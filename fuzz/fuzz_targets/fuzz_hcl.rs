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
            assert!(src.text.get(span.range()).is_some(), "{e:?}");
        }
    }
});
