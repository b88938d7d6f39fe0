//! Terraform evaluation end to end: what a resolved value proves is reported at the
//! right instance and file; what cannot be known is not.

use crate::support::{finding_rows, json, run_in, temp_repo};

const ONLY_RDS: &str = "select: [AWS-RDS-001]\n";

fn findings(dir: &std::path::Path, args: &[&str]) -> Vec<(String, String, u64)> {
    let mut all = vec!["check", ".", "--format", "json"];
    all.extend_from_slice(args);
    finding_rows(&json(&run_in(dir, &all)))
        .into_iter()
        .map(|(resource, file, line, _)| (resource, file, line))
        .collect()
}

#[test]
fn for_each_reports_only_the_unencrypted_instance_by_key() {
    let tf = r#"locals {
  databases = {
    orders  = { encrypted = true }
    reports = { encrypted = false }
  }
}

resource "aws_db_instance" "db" {
  for_each          = local.databases
  identifier        = each.key
  engine            = "postgres"
  instance_class    = "db.t4g.small"
  storage_encrypted = each.value.encrypted
}
"#;
    let repo = temp_repo(&[("main.tf", tf), (".isolint.yaml", ONLY_RDS)]);
    assert_eq!(
        findings(repo.path(), &[]),
        vec![(
            r#"aws_db_instance.db["reports"]"#.to_owned(),
            "main.tf".to_owned(),
            13
        )]
    );
}

#[test]
fn count_guard_with_false_variable_means_no_instance() {
    let tf = r#"variable "enabled" {
  type    = bool
  default = true
}

resource "aws_db_instance" "legacy" {
  count          = var.enabled ? 1 : 0
  engine         = "mysql"
  instance_class = "db.t4g.small"
}
"#;
    let repo = temp_repo(&[
        ("main.tf", tf),
        ("terraform.tfvars", "enabled = false\n"),
        (".isolint.yaml", ONLY_RDS),
    ]);
    assert!(findings(repo.path(), &[]).is_empty());
    // Without the tfvars the default (true) creates one instance, which is reported.
    std::fs::remove_file(repo.path().join("terraform.tfvars")).unwrap();
    assert_eq!(findings(repo.path(), &[]).len(), 1);
}

#[test]
fn variable_set_only_in_tfvars_decides_and_unknown_stays_silent() {
    let tf = r#"variable "encrypted" {
  type = bool
}

resource "aws_db_instance" "main" {
  engine            = "postgres"
  instance_class    = "db.t4g.small"
  storage_encrypted = var.encrypted
}
"#;
    let repo = temp_repo(&[("main.tf", tf), (".isolint.yaml", ONLY_RDS)]);
    assert!(
        findings(repo.path(), &[]).is_empty(),
        "no value: unknown, no finding"
    );
    let strict = findings(repo.path(), &["--strict"]);
    assert_eq!(
        strict.len(),
        1,
        "--strict reports the unknown at low confidence"
    );

    std::fs::write(repo.path().join("prod.auto.tfvars"), "encrypted = false\n").unwrap();
    assert_eq!(
        findings(repo.path(), &[]),
        vec![("aws_db_instance.main".to_owned(), "main.tf".to_owned(), 8)]
    );
    // --var overrides the auto tfvars, as in Terraform.
    assert!(findings(repo.path(), &["--var", "encrypted=true"]).is_empty());
}

#[test]
fn nested_local_modules_point_into_the_module_file() {
    let root = "module \"platform\" {\n  source  = \"./modules/platform\"\n  encrypt = false\n}\n";
    let platform = "variable \"encrypt\" {}\n\nmodule \"db\" {\n  source    = \"../database\"\n  encrypted = var.encrypt\n}\n";
    let database = "variable \"encrypted\" {\n  default = true\n}\n\nresource \"aws_db_instance\" \"this\" {\n  engine            = \"postgres\"\n  instance_class    = \"db.t4g.small\"\n  storage_encrypted = var.encrypted\n}\n";
    let repo = temp_repo(&[
        ("main.tf", root),
        ("modules/platform/main.tf", platform),
        ("modules/database/main.tf", database),
        (".isolint.yaml", ONLY_RDS),
    ]);
    assert_eq!(
        findings(repo.path(), &[]),
        vec![(
            "module.platform.module.db.aws_db_instance.this".to_owned(),
            "modules/database/main.tf".to_owned(),
            8
        )],
        "only the instance called with encrypt = false, not the module standalone"
    );
}

#[test]
fn locals_cycle_is_an_error_and_the_scan_goes_on() {
    let tf = "locals {\n  a = local.b\n  b = local.a\n}\n\nresource \"aws_db_instance\" \"x\" {\n  engine = \"postgres\"\n  storage_encrypted = false\n}\n";
    let repo = temp_repo(&[("main.tf", tf), (".isolint.yaml", ONLY_RDS)]);
    let v = json(&run_in(repo.path(), &["check", ".", "--format", "json"]));
    let errors = v["errors"].as_array().unwrap();
    assert!(
        errors
            .iter()
            .any(|e| e["message"].as_str().unwrap().contains("locals cycle")),
        "{errors:?}"
    );
    assert_eq!(v["findings"].as_array().unwrap().len(), 1);
}

#[test]
fn plan_json_findings_map_back_to_the_configuration() {
    let tf = "resource \"aws_db_instance\" \"main\" {\n  engine         = \"postgres\"\n  instance_class = \"db.t4g.small\"\n  storage_encrypted = var.encrypted\n}\n\nvariable \"encrypted\" {}\n";
    let plan = r#"{
  "format_version": "1.2",
  "planned_values": {"root_module": {"resources": [
    {"address": "aws_db_instance.main", "mode": "managed", "type": "aws_db_instance", "name": "main",
     "values": {"engine": "postgres", "instance_class": "db.t4g.small", "storage_encrypted": false}}
  ]}},
  "configuration": {"root_module": {"resources": [
    {"address": "aws_db_instance.main", "mode": "managed", "type": "aws_db_instance", "name": "main"}
  ]}}
}
"#;
    let repo = temp_repo(&[
        ("main.tf", tf),
        ("plan.json", plan),
        (".isolint.yaml", ONLY_RDS),
    ]);
    // The configuration alone cannot know the variable; the plan does.
    let got = findings(repo.path(), &[]);
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].0, "aws_db_instance.main");
    assert_eq!(
        got[0].1, "main.tf",
        "the finding points at the .tf block, not the plan"
    );
}

/// Found by `cargo fuzz run fuzz_hcl`: four bytes that make the HCL parser panic inside
/// its error path. The scan must report a parse error and go on.
#[test]
fn fuzz_hcl_crash_input_is_a_parse_error() {
    let repo = temp_repo(&[
        (
            "other.tf",
            "resource \"aws_db_instance\" \"x\" {\n  storage_encrypted = false\n}\n",
        ),
        (".isolint.yaml", ONLY_RDS),
    ]);
    std::fs::create_dir(repo.path().join("crash")).unwrap();
    std::fs::write(repo.path().join("crash/main.tf"), "c \u{690}").unwrap();
    let out = run_in(repo.path(), &["check", ".", "--format", "json"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    let v = json(&out);
    assert_eq!(v["errors"][0]["file"], "crash/main.tf");
    assert_eq!(
        v["findings"].as_array().unwrap().len(),
        1,
        "the other file is still scanned"
    );
}

#[test]
fn optional_attribute_defaults_in_variable_types_are_applied() {
    // `versioning` is left out of the value given; its default (false) suspends
    // versioning, which AWS-S3-004 reports as surely as a literal "Suspended".
    let tf = r#"variable "cfg" {
  type = object({
    name       = string
    versioning = optional(bool, false)
    extra      = optional(object({ tier = optional(string, "gold") }), {})
  })
  default = { name = "logs" }
}

resource "aws_s3_bucket" "b" {
  bucket = var.cfg.name
  tags   = { tier = var.cfg.extra.tier }
}

resource "aws_s3_bucket_versioning" "b" {
  bucket = aws_s3_bucket.b.id
  versioning_configuration {
    status = var.cfg.versioning ? "Enabled" : "Suspended"
  }
}
"#;
    let repo = temp_repo(&[("main.tf", tf), (".isolint.yaml", "select: [AWS-S3-004]\n")]);
    let out = run_in(repo.path(), &["check", ".", "--format", "json"]);
    let v = json(&out);
    let found: Vec<&serde_json::Value> = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule_id"] == "AWS-S3-004")
        .collect();
    assert_eq!(found.len(), 1, "{}", crate::support::stdout(&out));
    assert_eq!(
        found[0]["confidence"],
        "high",
        "{}",
        crate::support::stdout(&out)
    );
    let resources = run_in(repo.path(), &["resources"]);
    assert!(
        crate::support::stdout(&resources).contains("\"gold\""),
        "{}",
        crate::support::stdout(&resources)
    );
}
