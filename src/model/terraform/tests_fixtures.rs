//! Directory tests over `fixtures/terraform-eval/<case>/`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::tests::{addresses, refs, res, text};
use super::{TerraformOptions, TerraformOutput, build};
use crate::parse::node::Node;
use crate::source::{FileId, SourceText};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/terraform-eval")
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            walk(&p, out);
        } else {
            out.push(p);
        }
    }
}

/// The Terraform files of a case, display paths relative to `fixtures/terraform-eval`.
pub(super) fn load(case: &str) -> Vec<Arc<SourceText>> {
    let mut paths = Vec::new();
    walk(&root().join(case), &mut paths);
    paths
        .into_iter()
        .filter(|p| {
            let n = p.to_string_lossy();
            [".tf", ".tf.json", ".tfvars", ".tfvars.json"]
                .iter()
                .any(|e| n.ends_with(e))
        })
        .enumerate()
        .map(|(i, p)| {
            let display = p
                .strip_prefix(root())
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            let text = std::fs::read_to_string(&p).unwrap();
            Arc::new(SourceText::new(
                FileId(u32::try_from(i).unwrap()),
                display,
                p,
                Arc::from(text),
            ))
        })
        .collect()
}

fn scan(case: &str) -> TerraformOutput {
    build(&load(case), &TerraformOptions::default())
}

#[test]
fn modules_nested() {
    let out = scan("modules-nested");
    assert!(out.errors.is_empty(), "{:?}", out.errors);
    let a = addresses(&out);
    // The modules are evaluated through their caller only.
    assert!(!a.contains(&"aws_s3_bucket.this"), "{a:?}");
    let app = res(&out, "module.logs[\"app\"].aws_s3_bucket.this");
    assert_eq!(text(app, "bucket"), Some("prod-app"));
    assert!(app.span.file != FileId(0) || a.len() > 1);
    assert_eq!(
        &*app.group,
        "tf:modules-nested/envs/prod:module.logs[\"app\"]"
    );
    let v = res(&out, "module.logs[\"audit\"].aws_s3_bucket_versioning.this");
    assert_eq!(
        refs(v, "bucket"),
        ["module.logs[\"audit\"].aws_s3_bucket.this.id"]
    );
    assert_eq!(
        text(v, "versioning_configuration.status"),
        None,
        "blocks are lists"
    );
    let status = &v.body.get("versioning_configuration").unwrap().items()[0];
    assert_eq!(
        status.get("status").and_then(Node::as_str),
        Some("Suspended")
    );
    let alias = res(
        &out,
        "module.logs[\"app\"].module.key[0].aws_kms_alias.this",
    );
    assert_eq!(text(alias, "name"), Some("alias/prod-app"));
    assert_eq!(
        refs(alias, "target_key_id"),
        ["module.logs[\"app\"].module.key[0].aws_kms_key.this.key_id"]
    );
    res(&out, "module.logs[\"app\"].module.key");
    res(&out, "module.vpc");
    let notes: Vec<&str> = out.notices.iter().map(|n| n.message.as_str()).collect();
    assert!(notes.contains(&"remote module terraform-aws-modules/vpc/aws not followed"));
    assert!(notes.contains(&"module source ./not-here not found among scanned files"));
    // Resources of a module point into the module's own file.
    let files = load("modules-nested");
    let logs_file = files
        .iter()
        .find(|f| &*f.display_path == "modules-nested/modules/logs/main.tf")
        .unwrap();
    assert_eq!(app.span.file, logs_file.id);
    assert!(logs_file.text[app.header.range()].starts_with("resource \"aws_s3_bucket\""));
}

#[test]
fn tfvars_only() {
    let files = load("tfvars-only");
    let prod = files
        .iter()
        .find(|f| f.display_path.ends_with("prod.tfvars"))
        .unwrap()
        .clone();
    let out = build(&files, &TerraformOptions::default());
    assert!(out.errors.is_empty(), "{:?}", out.errors);
    let v = res(&out, "null_resource.v");
    assert_eq!(text(v, "a"), Some("tfvars"));
    assert_eq!(text(v, "b"), Some("tfvars-json"));
    assert_eq!(text(v, "c"), Some("a-auto"));
    assert_eq!(text(v, "d"), Some("b-auto-json"));
    assert_eq!(text(v, "e"), Some("b-auto-json"));
    assert_eq!(
        v.body.get("f").and_then(|n| match n.value {
            crate::parse::node::Value::Number(x) => Some(x),
            _ => None,
        }),
        Some(5.0)
    );
    assert_eq!(text(v, "g"), Some("from-default"));
    assert!(v.body.get("h").unwrap().is_unknown());

    let opts = TerraformOptions {
        var_files: vec![prod],
        vars: vec![("a".into(), "cli".into()), ("g".into(), "[1, 2]".into())],
        ..TerraformOptions::default()
    };
    let out = build(&files, &opts);
    let v = res(&out, "null_resource.v");
    assert_eq!(text(v, "a"), Some("cli"));
    assert_eq!(text(v, "e"), Some("prod-tfvars"));
    assert_eq!(text(v, "h"), Some("prod-tfvars"));
    assert_eq!(v.body.get("g").unwrap().items().len(), 2);
}

#[test]
fn count_disabled() {
    let out = scan("count-disabled");
    let a = addresses(&out);
    assert!(!a.iter().any(|x| x.contains("aws_cloudtrail")), "{a:?}");
    assert!(!a.iter().any(|x| x.contains("never")), "{a:?}");
    assert_eq!(
        text(res(&out, "aws_s3_bucket.two[1]"), "bucket"),
        Some("b-1")
    );
    assert_eq!(
        a.iter()
            .filter(|x| x.starts_with("aws_s3_bucket.two"))
            .count(),
        2
    );
    res(&out, "module.off");
}

#[test]
fn for_each_buckets() {
    let out = scan("for-each-buckets");
    assert!(out.errors.is_empty(), "{:?}", out.errors);
    let logs = res(&out, "aws_s3_bucket.this[\"logs\"]");
    assert_eq!(text(logs, "acl"), Some("log-delivery-write"));
    assert_eq!(
        text(res(&out, "aws_s3_bucket.this[\"data\"]"), "bucket"),
        Some("acme-data")
    );
    // for_each over another resource is unknown: one instance, unindexed refs.
    let pab = res(&out, "aws_s3_bucket_public_access_block.this");
    // The unknown key's own reference (the for_each collection) comes along.
    assert_eq!(
        refs(pab, "bucket"),
        ["aws_s3_bucket.this.id", "aws_s3_bucket.this"]
    );
    assert_eq!(
        pab.body.get("block_public_acls").and_then(Node::as_bool),
        Some(true)
    );
    let v = res(&out, "aws_s3_bucket_versioning.v[\"logs\"]");
    assert_eq!(refs(v, "bucket"), ["aws_s3_bucket.this[\"logs\"].id"]);
    assert!(
        !addresses(&out)
            .iter()
            .any(|a| a.starts_with("aws_s3_bucket.empty"))
    );
}

#[test]
fn locals_cycle() {
    let out = scan("locals-cycle");
    assert_eq!(out.errors.len(), 1, "{:?}", out.errors);
    let e = &out.errors[0];
    assert_eq!(e.kind, crate::error::FileErrorKind::Parse);
    assert_eq!(e.file, "locals-cycle/main.tf");
    assert_eq!(
        e.message,
        "locals cycle: local.first -> local.third -> local.second -> local.first"
    );
    let b = res(&out, "aws_s3_bucket.b");
    assert!(b.body.get("bucket").unwrap().is_unknown());
    assert_eq!(text(b, "acl"), Some("fine"));
}

#[test]
fn unknown_stays_unknown() {
    let out = scan("unknown-stays-unknown");
    assert!(out.errors.is_empty(), "{:?}", out.errors);
    let s = res(&out, "aws_subnet.s");
    assert!(s.body.get("availability_zone").unwrap().is_unknown());
    assert_eq!(
        s.body
            .get("map_public_ip_on_launch")
            .and_then(Node::as_bool),
        Some(true)
    );
    assert_eq!(refs(s, "count"), ["data.aws_availability_zones.az.names"]);
    let b = res(&out, "aws_s3_bucket.per_subnet");
    assert!(b.body.get("bucket").unwrap().is_unknown());
    let sg = res(&out, "aws_security_group.sg");
    let ingress = sg.body.get("ingress").unwrap().items();
    assert_eq!(ingress.len(), 1);
    assert_eq!(
        ingress[0].get("_dynamic_unknown").and_then(Node::as_bool),
        Some(true)
    );
    assert_eq!(
        ingress[0].get("cidr_blocks").unwrap().items()[0].as_str(),
        Some("0.0.0.0/0")
    );
    assert!(ingress[0].get("description").unwrap().is_unknown());
    let db = res(&out, "aws_db_instance.db");
    assert!(db.body.get("storage_encrypted").unwrap().is_unknown());
    assert_eq!(refs(db, "kms_key_id"), ["aws_kms_key.k.arn"]);
}

#[test]
fn module_cycle() {
    let out = scan("module-cycle");
    assert_eq!(out.errors.len(), 1, "{:?}", out.errors);
    assert!(
        out.errors[0]
            .message
            .starts_with("module cycle: module-cycle/a -> module-cycle/b -> module-cycle/a"),
        "{}",
        out.errors[0].message
    );
    let a = addresses(&out);
    assert!(a.contains(&"aws_s3_bucket.in_a"), "{a:?}");
    assert!(a.contains(&"module.b.aws_s3_bucket.in_b"), "{a:?}");
}

#[test]
fn dynamic_blocks() {
    let out = scan("dynamic-blocks");
    let sg = res(&out, "aws_security_group.web");
    let keys: Vec<&str> = sg.body.entries().iter().map(|e| e.key.as_str()).collect();
    assert_eq!(keys, ["name", "ingress", "egress"]);
    let ingress = sg.body.get("ingress").unwrap().items();
    assert_eq!(ingress.len(), 3);
    assert_eq!(
        ingress[1].get("from_port").and_then(Node::as_f64),
        Some(22.0)
    );
    assert_eq!(
        ingress[2].get("cidr_blocks").unwrap().items()[0].as_str(),
        Some("10.0.0.0/8")
    );
    let files = load("dynamic-blocks");
    let src = &files[0].text;
    assert!(src[ingress[1].span.range()].starts_with("dynamic \"ingress\""));
    let egress = &sg.body.get("egress").unwrap().items()[0];
    assert_eq!(
        egress.get("description").and_then(Node::as_str),
        Some("all")
    );
}

#[test]
fn json_config() {
    let out = scan("json-config");
    assert!(out.errors.is_empty(), "{:?}", out.errors);
    let b = res(&out, "aws_s3_bucket.logs");
    assert_eq!(text(b, "bucket"), Some("acme-dev-logs"));
    assert_eq!(text(b, "tags.Env"), Some("dev"));
    let v = res(&out, "aws_s3_bucket_versioning.logs");
    assert_eq!(refs(v, "bucket"), ["aws_s3_bucket.logs.id"]);
    res(&out, "provider.aws");
    res(&out, "provider.aws.us");
}

#[test]
fn plan_json() {
    let files = load("plan");
    let plan_text = std::fs::read_to_string(root().join("plan/plan.json")).unwrap();
    let plan = SourceText::new(
        FileId(99),
        "plan/plan.json",
        root().join("plan/plan.json"),
        Arc::from(plan_text.as_str()),
    );
    let doc = crate::parse::yaml::parse_yaml(&plan).unwrap().remove(0);
    assert!(crate::discover::sniff::is_plan_json(&doc));
    let out = super::plan_resources(&plan, &doc, &files);
    let addrs: Vec<&str> = out.iter().map(|r| r.address.as_str()).collect();
    assert_eq!(
        addrs,
        [
            "aws_s3_bucket.root",
            "aws_instance.only_in_plan",
            "module.logs.aws_s3_bucket.this",
            "module.logs.data.aws_caller_identity.me"
        ]
    );
    let root_file = files
        .iter()
        .find(|f| &*f.display_path == "plan/main.tf")
        .unwrap();
    let logs_file = files
        .iter()
        .find(|f| &*f.display_path == "plan/modules/logs/main.tf")
        .unwrap();
    let b = &out[0];
    assert_eq!(b.kind, "aws_s3_bucket");
    assert_eq!(b.span.file, root_file.id);
    assert_eq!(
        &root_file.text[b.header.range()],
        "resource \"aws_s3_bucket\" \"root\""
    );
    assert_eq!(text(b, "bucket"), Some("acme-root"));
    assert!(b.body.get("arn").unwrap().is_unknown());
    assert!(b.body.get("tags").unwrap().is_null());
    let versioning = &b.body.get("versioning").unwrap().items()[0];
    assert_eq!(
        versioning.get("enabled").and_then(Node::as_bool),
        Some(false)
    );
    // Only in the plan: points at the plan.
    assert_eq!(out[1].span.file, FileId(99));
    assert!(plan_text[out[1].header.range()].contains("aws_instance.only_in_plan"));
    let m = &out[2];
    assert_eq!(m.span.file, logs_file.id);
    assert_eq!(&*m.group, "tf:plan/plan.json:module.logs");
    assert_eq!(out[3].kind, "data.aws_caller_identity");
    // A plan is not configuration: no plan-looking document is mistaken for one.
    let not_plan = crate::parse::yaml::parse_yaml(&SourceText::new(
        FileId(1),
        "x.json",
        "x.json".into(),
        Arc::from("{\"format_version\": \"1.0\"}"),
    ))
    .unwrap()
    .remove(0);
    assert!(!crate::discover::sniff::is_plan_json(&not_plan));
}
