//! Dockerfile text → `parse_dockerfile` → the `dockerfile` resource.
#![no_main]

mod common;

use isolint::model::docker::dockerfile_resources;
use isolint::parse::dockerfile::parse_dockerfile;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some(src) = common::source("Dockerfile", data) else {
        return;
    };
    match parse_dockerfile(&src) {
        Ok(doc) => {
            common::check_spans(&doc, &src.text);
            let _ = dockerfile_resources(&src, doc);
        }
        Err(e) => {
            if let Some(span) = e.span {
                assert!(src.text.get(span.range()).is_some(), "{e:?}");
            }
        }
    }
});
