//! Hostile inputs: everything ends quickly with unknowns or errors, never a crash.

use std::time::{Duration, Instant};

use super::tests::{res, run};
use crate::error::FileErrorKind;

fn quick<T>(f: impl FnOnce() -> T) -> T {
    let start = Instant::now();
    let out = f();
    assert!(
        start.elapsed() < Duration::from_secs(20),
        "took {:?}",
        start.elapsed()
    );
    out
}

#[test]
fn doubling_locals_are_cut_off() {
    let mut src = String::from("locals {\n  s0 = \"xxxxxxxx\"\n  l0 = [1, 2]\n");
    for i in 1..60 {
        let p = i - 1;
        src.push_str(&format!("  s{i} = \"${{local.s{p}}}${{local.s{p}}}\"\n"));
        src.push_str(&format!("  l{i} = [local.l{p}, local.l{p}]\n"));
    }
    src.push_str(
        "}\nresource \"t\" \"r\" {\n  s = local.s59\n  l = local.l59\n  ok = local.s2\n}\n",
    );
    let out = quick(|| run(&[("main.tf", &src)]));
    let r = res(&out, "t.r");
    assert!(r.body.get("s").unwrap().is_unknown());
    assert!(r.body.get("l").unwrap().contains_unknown());
    assert_eq!(
        r.body.get("ok").and_then(|n| n.as_str()).map(str::len),
        Some(32)
    );
}

#[test]
fn huge_counts_and_loops_stay_bounded() {
    let src = r#"
resource "t" "many" {
  count = 1000000000
  acl   = "public-read"
}
resource "t" "w" {
  w = length([for a in range(5000) : a])
}
resource "t" "fe" {
  for_each = { for i in range(20000) : tostring(i) => i }
}
"#;
    let loops = "resource \"t\" \"loops\" {\n  v = [for a in range(10000) : [for b in range(10000) : b]]\n}\n";
    let out = quick(|| run(&[("main.tf", src), ("other/main.tf", loops)]));
    let many = res(&out, "t.many");
    assert!(many.body.get("count").unwrap().as_f64().is_some());
    assert_eq!(
        many.body.get("acl").and_then(|n| n.as_str()),
        Some("public-read")
    );
    let loops = res(&out, "t.loops");
    assert!(loops.body.get("v").unwrap().contains_unknown());
    assert!(
        out.errors
            .iter()
            .any(|e| e.kind == FileErrorKind::Limit && e.file == "other/main.tf")
    );
    let w = res(&out, "t.w");
    assert_eq!(w.body.get("w").and_then(|n| n.as_f64()), Some(5000.0));
    res(&out, "t.fe");
    // The capped resource is named in a limit error.
    assert!(
        out.errors.iter().any(|e| e.kind == FileErrorKind::Limit
            && e.file == "main.tf"
            && e.message
                .starts_with("t.many: count = 1000000000 is more than 10000")),
        "{:?}",
        out.errors
    );
}

#[test]
fn one_expensive_local_leaves_the_rest_of_the_module_known() {
    let heavy = "locals {\n  big = [for a in range(10000) : [for b in range(10000) : a * b]]\n}\n";
    let main = "resource \"t\" \"r\" {\n  acl = \"public-read\"\n  n   = length(local.big)\n  m   = length([for x in range(100) : x])\n}\n";
    let out = quick(|| run(&[("heavy.tf", heavy), ("main.tf", main)]));
    let r = res(&out, "t.r");
    assert_eq!(
        r.body.get("acl").and_then(|n| n.as_str()),
        Some("public-read")
    );
    assert_eq!(r.body.get("m").and_then(|n| n.as_f64()), Some(100.0));
    assert!(r.body.get("n").unwrap().is_unknown());
    assert!(
        out.errors
            .iter()
            .any(|e| e.kind == FileErrorKind::Limit && e.file == "heavy.tf"),
        "{:?}",
        out.errors
    );
}

#[test]
fn many_expensive_expressions_still_end() {
    let mut src = String::from("locals {\n");
    for i in 0..12 {
        src.push_str(&format!(
            "  l{i} = [for a in range(3000) : [for b in range(3000) : b]]\n"
        ));
    }
    src.push_str("}\nresource \"t\" \"r\" {\n  v = local.l11\n}\n");
    let out = quick(|| run(&[("main.tf", &src)]));
    assert!(res(&out, "t.r").body.get("v").unwrap().contains_unknown());
}

#[test]
fn module_fan_out_hits_the_instance_limit() {
    let out = quick(|| {
        run(&[
            (
                "root/main.tf",
                "module \"a\" {\n  source = \"../a\"\n  count = 10000\n}\n",
            ),
            (
                "a/main.tf",
                "module \"b\" {\n  source = \"../b\"\n  count = 10000\n}\n",
            ),
            ("b/main.tf", "resource \"t\" \"r\" {}\n"),
        ])
    });
    assert!(
        out.errors.iter().any(|e| e.kind == FileErrorKind::Limit),
        "{:?}",
        out.errors
    );
    assert!(out.resources.len() <= 200_000);
}

#[test]
fn module_depth_is_capped() {
    let mut files = Vec::new();
    for i in 0..20 {
        files.push((
            format!("m{i}/main.tf"),
            format!(
                "module \"next\" {{\n  source = \"../m{}\"\n}}\nresource \"t\" \"r{i}\" {{}}\n",
                i + 1
            ),
        ));
    }
    let list: Vec<(&str, &str)> = files
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let out = quick(|| run(&list));
    assert!(
        out.errors
            .iter()
            .any(|e| e.kind == FileErrorKind::Limit && e.message.contains("deeper than 16"))
    );
    assert!(
        out.resources
            .iter()
            .any(|r| r.address.starts_with("module.next.module.next"))
    );
}

#[test]
fn malformed_and_deep_input_never_panics() {
    let deep = format!("x = {}1{}\n", "[".repeat(10_000), "]".repeat(10_000));
    let deep_fn = format!("x = {}1{}\n", "abs(".repeat(5_000), ")".repeat(5_000));
    let ops = format!("x = {}\n", vec!["1"; 5_000].join(" + "));
    let garbage: String = (0..4000u32)
        .map(|i| char::from_u32(33 + (i * 7919) % 90).unwrap())
        .collect();
    let out = quick(|| {
        run(&[
            ("a/deep.tf", &deep),
            ("b/fn.tf", &deep_fn),
            ("c/ops.tf", &ops),
            ("d/garbage.tf", &garbage),
            ("e/unclosed.tf", "resource \"a\" \"b\" {\n  x = \"${\n"),
            (
                "f/main.tf.json",
                "{\"resource\": [1, {\"x\": {}}], \"locals\": 5}",
            ),
            ("g/bad.tf.json", "{"),
            ("h/terraform.tfvars", "= ="),
            (
                "i/main.tf",
                "resource \"a\" \"b\" {\n  dynamic \"x\" {}\n  dynamic {}\n}\nresource {}\nmodule {}\nlocals { a = local.a }\n",
            ),
        ])
    });
    assert!(out.errors.len() >= 5, "{:?}", out.errors);
    for e in &out.errors {
        assert!(!e.file.is_empty());
    }
}
