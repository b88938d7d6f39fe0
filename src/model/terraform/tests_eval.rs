//! Expression evaluation tests: each expression is evaluated as an attribute of a
//! resource in a module with a few variables and locals.

use super::tests::{res, run};
use crate::parse::node::{Node, Value};

const PRELUDE: &str = r#"
variable "env" { default = "prod" }
variable "unset" {}
variable "ports" { default = [22, 443] }
variable "m" {
  default = { a = 1, b = 2 }
}
locals {
  names = ["x", "y"]
  objs  = [{ id = 1, n = "a" }, { id = 2, n = "b" }]
}
"#;

fn eval(expr: &str) -> Node {
    let src = format!("{PRELUDE}\nresource \"t\" \"r\" {{\n  v = {expr}\n}}\n");
    let out = run(&[("main.tf", &src)]);
    assert!(out.errors.is_empty(), "{:?}", out.errors);
    res(&out, "t.r").body.get("v").cloned().expect("v")
}

fn s(expr: &str) -> String {
    let v = eval(expr);
    v.as_str()
        .map(str::to_owned)
        .unwrap_or_else(|| panic!("{expr} gave {v:?}"))
}

fn f(expr: &str) -> f64 {
    let v = eval(expr);
    v.as_f64().unwrap_or_else(|| panic!("{expr} gave {v:?}"))
}

fn b(expr: &str) -> bool {
    match eval(expr).value {
        Value::Bool(b) => b,
        other => panic!("{expr} gave {other:?}"),
    }
}

fn strings(expr: &str) -> Vec<String> {
    let v = eval(expr);
    assert!(matches!(v.value, Value::List(_)), "{expr} gave {v:?}");
    v.items().iter().map(|i| i.scalar_text().unwrap()).collect()
}

fn unknown(expr: &str) -> Vec<String> {
    let v = eval(expr);
    assert!(v.is_unknown(), "{expr} should be unknown, gave {v:?}");
    v.refs().to_vec()
}

#[test]
fn operators_and_conditionals() {
    assert_eq!(f("1 + 2 * 3"), 7.0);
    assert_eq!(f("-(4 % 3)"), -1.0);
    assert!(b("var.env == \"prod\" && !false"));
    assert!(b("1 < 2 || aws_x.y.z"));
    assert!(!b("false && aws_x.y.z"));
    assert_eq!(unknown("true && aws_x.y.z"), ["aws_x.y.z"]);
    assert_eq!(s("var.env == \"prod\" ? \"a\" : \"b\""), "a");
    assert_eq!(s("var.unset ? \"same\" : \"same\""), "same");
    assert_eq!(
        unknown("aws_a.b.c ? aws_d.e.f : \"x\""),
        ["aws_a.b.c", "aws_d.e.f"]
    );
    assert_eq!(unknown("1 / 0"), Vec::<String>::new());
}

#[test]
fn templates_and_heredocs() {
    assert_eq!(s("\"${var.env}-${length(local.names)}\""), "prod-2");
    assert_eq!(
        s("\"%{for n in local.names}${n},%{endfor}%{if var.env == \"prod\"}!%{else}?%{endif}\""),
        "x,y,!"
    );
    assert_eq!(s("<<-EOT\n    a ${var.env}\n    b\n  EOT"), "a prod\nb\n");
    assert_eq!(s("\"$${literal}\""), "${literal}");
    assert_eq!(eval("\"${var.ports}\"").items().len(), 2);
    assert_eq!(
        unknown("\"arn:${aws_s3_bucket.b.arn}/*\""),
        ["aws_s3_bucket.b.arn"]
    );
}

#[test]
fn for_expressions_and_splats() {
    assert_eq!(strings("[for n in local.names : upper(n)]"), ["X", "Y"]);
    assert_eq!(
        strings("[for i, n in local.names : \"${i}${n}\" if n != \"x\"]"),
        ["1y"]
    );
    let m = eval("{ for o in local.objs : o.n => o.id }");
    assert_eq!(m.get("b").and_then(Node::as_f64), Some(2.0));
    let g = eval("{ for o in local.objs : \"k\" => o.n... }");
    assert_eq!(g.get("k").unwrap().items().len(), 2);
    assert_eq!(strings("local.objs[*].n"), ["a", "b"]);
    assert_eq!(strings("local.objs.*.n"), ["a", "b"]);
    assert_eq!(strings("[for k, v in var.m : k]"), ["a", "b"]);
    assert_eq!(unknown("[for x in aws_x.y.list : x]"), ["aws_x.y.list"]);
    assert_eq!(unknown("aws_s3_bucket.b[*].id"), ["aws_s3_bucket.b[*].id"]);
}

#[test]
fn traversal_of_known_values() {
    assert_eq!(f("var.ports[1]"), 443.0);
    assert_eq!(f("var.m[\"b\"]"), 2.0);
    assert_eq!(f("var.m.a"), 1.0);
    assert_eq!(f("local.objs[0].id"), 1.0);
    assert_eq!(unknown("var.ports[5]"), Vec::<String>::new());
    assert_eq!(unknown("var.unset.x"), Vec::<String>::new());
    assert_eq!(s("path.module"), ".");
    assert_eq!(s("terraform.workspace"), "default");
}

#[test]
fn try_and_can() {
    assert_eq!(s("try(var.m.zzz, \"fallback\")"), "fallback");
    assert_eq!(f("try(var.m.a, 5)"), 1.0);
    assert_eq!(unknown("try(aws_x.y.z, \"f\")"), ["aws_x.y.z"]);
    assert!(!b("can(var.m.zzz)"));
    assert!(b("can(var.m.a)"));
    assert_eq!(unknown("can(aws_x.y.z)"), ["aws_x.y.z"]);
}

#[test]
fn string_functions() {
    assert_eq!(s("format(\"%s-%d\", var.env, 3)"), "prod-3");
    assert_eq!(s("join(\",\", local.names)"), "x,y");
    assert_eq!(strings("split(\",\", \"a,b,c\")"), ["a", "b", "c"]);
    assert_eq!(s("lower(\"AbC\")"), "abc");
    assert_eq!(s("upper(\"abc\")"), "ABC");
    assert_eq!(s("replace(\"a-b\", \"-\", \"_\")"), "a_b");
    assert_eq!(s("replace(\"a1b22\", \"/[0-9]+/\", \"#\")"), "a#b#");
    assert_eq!(s("trimspace(\"  x \")"), "x");
    assert_eq!(s("trim(\"--x--\", \"-\")"), "x");
    assert_eq!(s("trimprefix(\"abc\", \"a\")"), "bc");
    assert_eq!(s("trimsuffix(\"abc\", \"c\")"), "ab");
    assert!(b("startswith(\"abc\", \"ab\")"));
    assert!(b("endswith(\"abc\", \"bc\")"));
    assert_eq!(s("substr(\"hello\", 1, 3)"), "ell");
    assert_eq!(s("substr(\"hello\", -3, -1)"), "llo");
    assert_eq!(s("tostring(5)"), "5");
    assert_eq!(f("tonumber(\"5\")"), 5.0);
    assert!(b("tobool(\"true\")"));
    assert_eq!(
        strings("formatlist(\"%s=%s\", [\"a\", \"b\"], \"v\")"),
        ["a=v", "b=v"]
    );
    assert_eq!(s("regex(\"[a-z]+\", \"123abc\")"), "abc");
    assert_eq!(strings("regexall(\"[0-9]\", \"a1b2\")"), ["1", "2"]);
    assert_eq!(unknown("lower(aws_x.y.name)"), ["aws_x.y.name"]);
    assert_eq!(unknown("file(\"x.json\")"), Vec::<String>::new());
    let reason = match eval("nosuchfn(1)").value {
        Value::Unknown(u) => u.reason,
        _ => panic!(),
    };
    assert!(reason.contains("nosuchfn"));
}

#[test]
fn collection_functions() {
    assert_eq!(f("lookup(var.m, \"a\", 0)"), 1.0);
    assert_eq!(f("lookup(var.m, \"z\", 9)"), 9.0);
    assert_eq!(f("merge(var.m, { b = 5 }).b"), 5.0);
    assert_eq!(strings("concat(local.names, [\"z\"])"), ["x", "y", "z"]);
    assert_eq!(s("coalesce(\"\", null, \"c\")"), "c");
    assert_eq!(strings("coalescelist([], [\"a\"])"), ["a"]);
    assert_eq!(f("length(var.m)"), 2.0);
    assert_eq!(f("length([aws_x.y.id, 1])"), 2.0);
    assert_eq!(s("element(local.names, 3)"), "y");
    assert!(b("contains(local.names, \"y\")"));
    assert_eq!(strings("keys({ b = 1, a = 2 })"), ["a", "b"]);
    assert_eq!(strings("values({ b = 1, a = 2 })"), ["2", "1"]);
    assert_eq!(strings("toset([\"b\", \"a\", \"b\"])"), ["a", "b"]);
    assert_eq!(strings("flatten([[1], [2, [3]]])"), ["1", "2", "3"]);
    assert_eq!(strings("distinct([1, 1, 2])"), ["1", "2"]);
    assert_eq!(strings("compact([\"a\", \"\", null])"), ["a"]);
    assert_eq!(
        f("min(3, 1, 2) + max(1, 5) + abs(-1) + ceil(1.2) + floor(1.8)"),
        10.0
    );
    assert_eq!(f("sum([1, 2, 3])"), 6.0);
    assert_eq!(strings("range(3)"), ["0", "1", "2"]);
    assert_eq!(strings("range(1, 7, 2)"), ["1", "3", "5"]);
    assert_eq!(f("zipmap([\"a\"], [1]).a"), 1.0);
    assert_eq!(f("one([4])"), 4.0);
    assert!(eval("one([])").is_null());
    assert!(b("alltrue([true, true])"));
    assert!(b("anytrue([false, true])"));
    assert_eq!(strings("slice([1, 2, 3], 1, 3)"), ["2", "3"]);
    assert_eq!(strings("reverse([1, 2])"), ["2", "1"]);
    assert_eq!(strings("sort([\"b\", \"a\"])"), ["a", "b"]);
    assert_eq!(f("tomap({ a = 1 }).a"), 1.0);
    assert_eq!(strings("tolist([1])"), ["1"]);
    assert_eq!(unknown("range(100000)"), Vec::<String>::new());
    assert_eq!(unknown("concat(aws_x.y.list, [1])"), ["aws_x.y.list"]);
}

#[test]
fn encoding_functions() {
    assert_eq!(
        s("jsonencode({ b = [1, true], a = \"x\" })"),
        r#"{"a":"x","b":[1,true]}"#
    );
    assert_eq!(f("jsondecode(\"{\\\"a\\\": 2}\").a"), 2.0);
    assert_eq!(s("base64decode(base64encode(\"hi\"))"), "hi");
    assert_eq!(s("cidrsubnet(\"10.0.0.0/16\", 8, 1)"), "10.0.1.0/24");
    assert_eq!(s("sha256(\"abc\")").len(), 64);
    assert_eq!(
        unknown("jsonencode({ Resource = aws_s3_bucket.b.arn })"),
        ["aws_s3_bucket.b.arn"]
    );
}

#[test]
fn deep_nesting_gives_unknown_not_overflow() {
    // Nested function calls: the parser accepts 64 levels, each evaluated level counts.
    let mut e = String::from("1");
    for _ in 0..60 {
        e = format!("abs({e})");
    }
    assert_eq!(f(&e), 1.0);
    // A chain of locals defined so the first needs all the others: cut off, not crashed.
    let mut chain = String::from("locals {\n");
    for i in 0..400 {
        chain.push_str(&format!("  l{i} = local.l{} + 1\n", i + 1));
    }
    chain.push_str("  l400 = 0\n}\nresource \"t\" \"r\" {\n  v = local.l0\n  w = local.l390\n}\n");
    let out = run(&[("main.tf", &chain)]);
    let r = res(&out, "t.r");
    assert!(r.body.get("v").unwrap().is_unknown());
    assert_eq!(r.body.get("w").and_then(Node::as_f64), Some(10.0));
}
