//! Tests of the whole Terraform stage over in-memory files.

use std::sync::Arc;

use super::{TerraformOptions, TerraformOutput, build};
use crate::model::Resource;
use crate::parse::node::{Node, Value};
use crate::source::{FileId, SourceText};

pub(super) fn sources(list: &[(&str, &str)]) -> Vec<Arc<SourceText>> {
    list.iter()
        .enumerate()
        .map(|(i, (path, text))| {
            Arc::new(SourceText::new(
                FileId(u32::try_from(i).unwrap()),
                (*path).to_owned(),
                (*path).into(),
                Arc::from(*text),
            ))
        })
        .collect()
}

pub(super) fn run(list: &[(&str, &str)]) -> TerraformOutput {
    build(&sources(list), &TerraformOptions::default())
}

pub(super) fn res<'a>(out: &'a TerraformOutput, address: &str) -> &'a Resource {
    out.resources
        .iter()
        .find(|r| r.address == address)
        .unwrap_or_else(|| panic!("no {address} in {:?}", addresses(out)))
}

pub(super) fn addresses(out: &TerraformOutput) -> Vec<&str> {
    out.resources.iter().map(|r| r.address.as_str()).collect()
}

pub(super) fn text<'a>(r: &'a Resource, path: &str) -> Option<&'a str> {
    r.body.get_path(path).and_then(Node::as_str)
}

pub(super) fn refs(r: &Resource, path: &str) -> Vec<String> {
    r.body
        .get_path(path)
        .map(|n| n.refs().to_vec())
        .unwrap_or_default()
}

#[test]
fn literals_variables_and_locals_resolve() {
    let out = run(&[
        (
            "m/main.tf",
            r#"
variable "env" { default = "dev" }
variable "size" {
  type    = number
  default = "5"
}
locals {
  name = "${var.env}-logs"
  tags = { Env = var.env, Team = "sec" }
}
resource "aws_s3_bucket" "b" {
  bucket = local.name
  tags   = local.tags
  size   = var.size + 1
  acl    = "private"
}
"#,
        ),
        ("m/terraform.tfvars", "env = \"prod\"\n"),
    ]);
    assert!(out.errors.is_empty(), "{:?}", out.errors);
    let b = res(&out, "aws_s3_bucket.b");
    assert_eq!(b.kind, "aws_s3_bucket");
    assert_eq!(text(b, "bucket"), Some("prod-logs"));
    assert_eq!(text(b, "tags.Env"), Some("prod"));
    assert_eq!(b.body.get("size").and_then(Node::as_f64), Some(6.0));
    assert_eq!(&*b.group, "tf:m:");
}

#[test]
fn spans_point_into_the_resource_file() {
    let src =
        "locals {\n  n = \"x\"\n}\nresource \"aws_s3_bucket\" \"b\" {\n  bucket = local.n\n}\n";
    let out = run(&[("main.tf", src)]);
    let b = res(&out, "aws_s3_bucket.b");
    assert_eq!(&src[b.header.range()], "resource \"aws_s3_bucket\" \"b\"");
    let e = b.body.entry("bucket").unwrap();
    assert_eq!(&src[e.key_span.range()], "bucket");
    assert_eq!(&src[e.value.span.range()], "local.n");
}

#[test]
fn references_are_unknown_with_qualified_refs() {
    let out = run(&[(
        "main.tf",
        r#"
resource "aws_kms_key" "k" {}
resource "aws_s3_bucket" "b" {}
resource "aws_s3_bucket_versioning" "v" {
  bucket = aws_s3_bucket.b.id
  kms    = "${aws_kms_key.k.arn}/${data.aws_caller_identity.c.account_id}"
  vpc    = module.vpc.vpc_id
}
"#,
    )]);
    let v = res(&out, "aws_s3_bucket_versioning.v");
    assert!(v.body.get("bucket").unwrap().is_unknown());
    assert_eq!(refs(v, "bucket"), ["aws_s3_bucket.b.id"]);
    assert_eq!(
        refs(v, "kms"),
        ["aws_kms_key.k.arn", "data.aws_caller_identity.c.account_id"]
    );
    assert_eq!(refs(v, "vpc"), ["module.vpc.vpc_id"]);
}

#[test]
fn nested_blocks_are_gathered_into_lists() {
    let out = run(&[(
        "main.tf",
        r#"
resource "aws_security_group" "sg" {
  name = "x"
  ingress {
    from_port = 22
  }
  description = "d"
  ingress {
    from_port = 443
  }
  provisioner "local-exec" {
    command = "echo"
  }
}
"#,
    )]);
    let sg = res(&out, "aws_security_group.sg");
    let keys: Vec<&str> = sg.body.entries().iter().map(|e| e.key.as_str()).collect();
    assert_eq!(keys, ["name", "ingress", "description", "provisioner"]);
    let ingress = sg.body.get("ingress").unwrap().items();
    assert_eq!(ingress.len(), 2);
    assert_eq!(
        ingress[1].get("from_port").and_then(Node::as_f64),
        Some(443.0)
    );
    let p = &sg.body.get("provisioner").unwrap().items()[0];
    assert_eq!(
        p.get("_labels").unwrap().items()[0].as_str(),
        Some("local-exec")
    );
}

#[test]
fn count_and_for_each_expand_instances() {
    let out = run(&[(
        "main.tf",
        r#"
variable "names" { default = ["b", "a"] }
resource "aws_s3_bucket" "c" {
  count  = 2
  bucket = "c-${count.index}"
}
resource "aws_s3_bucket" "none" {
  count = 0
}
resource "aws_s3_bucket" "f" {
  for_each = toset(var.names)
  bucket   = each.value
}
resource "aws_s3_bucket" "m" {
  for_each = { x = "1" }
  bucket   = "${each.key}${each.value}"
}
resource "aws_s3_bucket" "u" {
  count  = var.missing
  bucket = "u-${count.index}"
  acl    = "public-read"
}
"#,
    )]);
    let addrs = addresses(&out);
    assert!(!addrs.iter().any(|a| a.starts_with("aws_s3_bucket.none")));
    assert_eq!(text(res(&out, "aws_s3_bucket.c[1]"), "bucket"), Some("c-1"));
    assert_eq!(
        text(res(&out, "aws_s3_bucket.f[\"a\"]"), "bucket"),
        Some("a")
    );
    assert_eq!(
        text(res(&out, "aws_s3_bucket.m[\"x\"]"), "bucket"),
        Some("x1")
    );
    let u = res(&out, "aws_s3_bucket.u");
    assert!(u.body.get("bucket").unwrap().is_unknown());
    assert_eq!(text(u, "acl"), Some("public-read"));
}

#[test]
fn kinds_of_other_blocks() {
    let out = run(&[(
        "main.tf",
        r#"
terraform { required_version = ">= 1.5" }
provider "aws" { region = "eu-west-1" }
provider "aws" {
  alias  = "us"
  region = "us-east-1"
}
data "aws_iam_policy_document" "p" {}
module "remote" {
  source  = "terraform-aws-modules/vpc/aws"
  version = "5.0.0"
}
"#,
    )]);
    assert_eq!(res(&out, "terraform").kind, "terraform");
    assert_eq!(res(&out, "provider.aws").kind, "provider");
    assert_eq!(res(&out, "provider.aws.us").kind, "provider");
    assert_eq!(
        res(&out, "data.aws_iam_policy_document.p").kind,
        "data.aws_iam_policy_document"
    );
    let m = res(&out, "module.remote");
    assert_eq!(m.kind, "module");
    assert_eq!(text(m, "version"), Some("5.0.0"));
    assert_eq!(out.notices.len(), 1);
    assert!(
        out.notices[0]
            .message
            .contains("remote module terraform-aws-modules/vpc/aws")
    );
}

#[test]
fn parse_errors_do_not_stop_the_directory() {
    let out = run(&[
        ("d/bad.tf", "resource \"a\" {\n  x = \n"),
        ("d/good.tf", "resource \"aws_s3_bucket\" \"b\" {}\n"),
    ]);
    assert_eq!(out.errors.len(), 1);
    assert_eq!(out.errors[0].file, "d/bad.tf");
    assert!(out.errors[0].span.is_some());
    res(&out, "aws_s3_bucket.b");
}

#[test]
fn locals_cycles_are_errors_and_unknown() {
    let out = run(&[(
        "main.tf",
        r#"
locals {
  a = local.b
  b = local.a
  c = "${local.a}-x"
}
resource "aws_s3_bucket" "b" { bucket = local.c }
"#,
    )]);
    assert_eq!(out.errors.len(), 1, "{:?}", out.errors);
    assert_eq!(
        out.errors[0].message,
        "locals cycle: local.a -> local.b -> local.a"
    );
    assert!(
        res(&out, "aws_s3_bucket.b")
            .body
            .get("bucket")
            .unwrap()
            .is_unknown()
    );
}

#[test]
fn value_shapes_are_kept() {
    let out = run(&[(
        "main.tf",
        r#"
resource "x" "y" {
  list = [1, "a", true, null]
  obj  = { "k" = [1] }
}
"#,
    )]);
    let y = res(&out, "x.y");
    let list = y.body.get("list").unwrap().items();
    assert!(matches!(list[3].value, Value::Null));
    assert_eq!(y.body.get_path("obj.k").unwrap().items().len(), 1);
}

#[test]
fn odd_but_valid_files() {
    let out = run(&[
        ("a/empty.tf", ""),
        (
            "a/comments.tf",
            "# only a comment\n// another\n/* block */\n",
        ),
        (
            "a/crlf.tf",
            "resource \"aws_s3_bucket\" \"b\" {\r\n  bucket = \"x\"\r\n}\r\n",
        ),
        (
            "a/unicode.tf",
            "resource \"t\" \"ü\" {\n  name = \"größe-${\"ß\"}\"\n}\n",
        ),
    ]);
    assert!(out.errors.is_empty(), "{:?}", out.errors);
    assert_eq!(text(res(&out, "aws_s3_bucket.b"), "bucket"), Some("x"));
    assert_eq!(text(res(&out, "t.ü"), "name"), Some("größe-ß"));
}

#[test]
fn output_is_sorted_by_file_and_position() {
    let out = run(&[
        (
            "b/main.tf",
            "resource \"t\" \"b2\" {}\nresource \"t\" \"b1\" {}\n",
        ),
        ("a/main.tf", "resource \"t\" \"a\" {\n  count = 3\n}\n"),
    ]);
    assert_eq!(
        addresses(&out),
        ["t.a[0]", "t.a[1]", "t.a[2]", "t.b2", "t.b1"]
    );
}

#[test]
fn module_inputs_and_multiplicity() {
    let out = run(&[
        (
            "root/main.tf",
            r#"
locals { envs = ["dev", "prod"] }
module "b" {
  source   = "./mod"
  count    = length(local.envs)
  env      = local.envs[count.index]
  from_res = aws_kms_key.k.arn
}
module "u" {
  source   = "./mod"
  for_each = data.x.y.names
  env      = each.key
}
"#,
        ),
        (
            "root/mod/main.tf",
            r#"
variable "env" {}
variable "from_res" { default = null }
variable "public" {
  type    = bool
  default = "false"
}
resource "aws_s3_bucket" "this" {
  bucket = "acme-${var.env}"
  kms    = var.from_res
  public = var.public
  where  = path.module
}
"#,
        ),
    ]);
    assert!(out.errors.is_empty(), "{:?}", out.errors);
    let dev = res(&out, "module.b[0].aws_s3_bucket.this");
    assert_eq!(text(dev, "bucket"), Some("acme-dev"));
    assert_eq!(text(dev, "where"), Some("mod"));
    assert_eq!(refs(dev, "kms"), ["aws_kms_key.k.arn"]);
    assert_eq!(dev.body.get("public").and_then(Node::as_bool), Some(false));
    assert!(matches!(
        dev.body.get("public").unwrap().value,
        Value::Bool(false)
    ));
    assert_eq!(
        text(res(&out, "module.b[1].aws_s3_bucket.this"), "bucket"),
        Some("acme-prod")
    );
    let u = res(&out, "module.u.aws_s3_bucket.this");
    assert!(u.body.get("bucket").unwrap().is_unknown());
    assert_eq!(&*u.group, "tf:root:module.u");
    assert!(!addresses(&out).contains(&"aws_s3_bucket.this"));
}
