//! Terraform local modules across the scanned path: a root scanned alone follows the
//! modules it calls inside its repository (never outside it, never through a link leaving
//! it), reports their findings in the module's files with the caller's address and root,
//! keeps one finding per root, and traces references into module instances.

use std::path::Path;

use serde_json::Value;

use crate::support::{finding_rows, json, run_in, stdout, temp_repo};

fn check(dir: &Path, path: &str) -> Value {
    json(&run_in(dir, &["check", path, "--format", "json"]))
}

fn git_init(dir: &Path) {
    let out = std::process::Command::new("git")
        .args(["init", "-q"])
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", dir)
        .output()
        .expect("git runs");
    assert!(out.status.success());
}

const CONFIG: &str = "select: [AWS-RDS-001, \"SECRET-*\"]\n";

const CALLER: &str =
    "module \"db\" {\n  source    = \"../../modules/db\"\n  encrypted = false\n}\n";

/// Unencrypted unless told otherwise; a token in a comment (text rules must not see it
/// when the module is only reached through a caller).
const DB_MODULE: &str = "# ghp_Q7m2Xk9Lp4Rt8Vw1Zb6Nc3Jd5Hf0Gs2Ya4E\nvariable \"encrypted\" {\n  default = true\n}\n\nresource \"aws_db_instance\" \"this\" {\n  engine            = \"postgres\"\n  instance_class    = \"db.t4g.small\"\n  storage_encrypted = var.encrypted\n}\n";

#[test]
fn a_root_scanned_alone_follows_its_module_outside_the_path() {
    // `modules/old` is named by a `source` line outside any module block: the prefilter
    // adds it, the full parse never calls it, so it is neither evaluated as a root (its
    // unencrypted database) nor reported (its syntax error).
    let prod = format!("{CALLER}\nlocals {{\n  source = \"../../modules/old\"\n}}\n");
    let old = "resource \"aws_db_instance\" \"old\" {\n  engine            = \"mysql\"\n  storage_encrypted = false\n}\nresource {\n";
    let repo = temp_repo(&[
        ("envs/prod/main.tf", &prod),
        ("modules/db/main.tf", DB_MODULE),
        ("modules/db/terraform.tfvars", "encrypted = true\n"),
        ("modules/old/main.tf", old),
        (".isolint.yaml", CONFIG),
    ]);
    git_init(repo.path());
    let v = check(repo.path(), "envs/prod");
    let found = finding_rows(&v);
    assert_eq!(found.len(), 1, "{found:?}");
    let (resource, file, line, message) = &found[0];
    assert_eq!(resource, "module.db.aws_db_instance.this");
    assert_eq!(file, "modules/db/main.tf");
    assert_eq!(*line, 9);
    assert!(message.ends_with("(called from envs/prod)"), "{message}");
    assert_eq!(v["errors"].as_array().unwrap().len(), 0, "{v}");

    // The same from inside the root, where the module is `../../modules/db`.
    let inside = finding_rows(&check(&repo.path().join("envs/prod"), "."));
    assert_eq!(inside.len(), 1, "{inside:?}");
    assert_eq!(inside[0].1, "../../modules/db/main.tf");

    // Scanning the parent finds the same finding, with the same message.
    let parent = finding_rows(&check(repo.path(), "."));
    let from_parent: Vec<_> = parent
        .iter()
        .filter(|f| f.1 == "modules/db/main.tf")
        .filter(|f| f.0 == "module.db.aws_db_instance.this")
        .collect();
    assert_eq!(from_parent, vec![&found[0]]);
}

#[test]
fn outside_git_a_module_must_lie_inside_the_scanned_path() {
    let repo = temp_repo(&[
        ("envs/prod/main.tf", CALLER),
        ("modules/db/main.tf", DB_MODULE),
        (".isolint.yaml", CONFIG),
    ]);
    // No repository: `envs/prod` is all the scan may read.
    let v = check(repo.path(), "envs/prod");
    assert!(finding_rows(&v).is_empty(), "{v}");
    let verbose = stdout(&run_in(repo.path(), &["check", "envs/prod", "--verbose"]));
    assert!(
        verbose.contains("module source ../../modules/db is outside the repository"),
        "{verbose}"
    );
    // With a repository around it, the module is inside and followed.
    std::fs::create_dir(repo.path().join(".git")).unwrap();
    assert_eq!(finding_rows(&check(repo.path(), "envs/prod")).len(), 1);
}

#[test]
fn modules_outside_the_repository_or_behind_leaving_links_are_not_read() {
    let escaping = "module \"a\" {\n  source    = \"../../../elsewhere/db\"\n  encrypted = false\n}\nmodule \"b\" {\n  source    = \"../../modules/linked\"\n  encrypted = false\n}\nmodule \"c\" {\n  source    = \"../../modules/file_link\"\n  encrypted = false\n}\n";
    let outer = temp_repo(&[
        ("elsewhere/db/main.tf", DB_MODULE),
        ("repo/envs/prod/main.tf", escaping),
        ("repo/.isolint.yaml", CONFIG),
    ]);
    let repo = outer.path().join("repo");
    let elsewhere = outer.path().join("elsewhere/db");
    git_init(&repo);
    std::fs::create_dir_all(repo.join("modules/file_link")).unwrap();
    std::os::unix::fs::symlink(&elsewhere, repo.join("modules/linked")).unwrap();
    std::os::unix::fs::symlink(
        elsewhere.join("main.tf"),
        repo.join("modules/file_link/main.tf"),
    )
    .unwrap();
    let v = check(&repo, "envs/prod");
    assert!(finding_rows(&v).is_empty(), "{v}");
    assert!(!v.to_string().contains("ghp_"), "{v}");
    let errors = v["errors"].to_string();
    assert!(
        errors.contains("modules/file_link/main.tf") && errors.contains("outside the repository"),
        "{errors}"
    );
}

#[test]
fn one_module_called_by_two_roots_is_reported_once_per_root() {
    let repo = temp_repo(&[
        ("envs/prod/main.tf", CALLER),
        ("envs/staging/main.tf", CALLER),
        ("modules/db/main.tf", DB_MODULE),
        (".isolint.yaml", "select: [AWS-RDS-001]\n"),
    ]);
    git_init(repo.path());
    let v = check(repo.path(), ".");
    let found = finding_rows(&v);
    let messages: Vec<&str> = found.iter().map(|f| f.3.as_str()).collect();
    assert_eq!(found.len(), 2, "{messages:?}");
    assert!(
        messages[0].ends_with("(called from envs/prod)"),
        "{messages:?}"
    );
    assert!(
        messages[1].ends_with("(called from envs/staging)"),
        "{messages:?}"
    );
    let prints: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["fingerprint"].as_str().unwrap())
        .collect();
    assert_ne!(prints[0], prints[1]);
    // SARIF carries both, with their roots.
    let sarif = stdout(&run_in(repo.path(), &["check", ".", "--format", "sarif"]));
    assert!(
        sarif.contains("(called from envs/prod)") && sarif.contains("(called from envs/staging)")
    );
}

#[test]
fn a_companion_in_one_module_instance_relates_to_its_own_bucket_only() {
    // The encryption configuration of `log_bucket` names `aws_s3_bucket.this[0]` of its
    // own instance; it says nothing about `data_bucket`, which has none.
    let root = "module \"log_bucket\" {\n  source  = \"./modules/bucket\"\n  name    = \"logs\"\n  encrypt = true\n}\n\nmodule \"data_bucket\" {\n  source  = \"./modules/bucket\"\n  name    = \"data\"\n  encrypt = false\n}\n";
    let bucket = "variable \"name\" {}\nvariable \"encrypt\" {}\n\nresource \"aws_s3_bucket\" \"this\" {\n  count  = 1\n  bucket = var.name\n}\n\nresource \"aws_s3_bucket_server_side_encryption_configuration\" \"this\" {\n  count  = var.encrypt ? 1 : 0\n  bucket = aws_s3_bucket.this[0].id\n  rule {\n    apply_server_side_encryption_by_default {\n      sse_algorithm = \"aws:kms\"\n    }\n  }\n}\n";
    let repo = temp_repo(&[
        ("main.tf", root),
        ("modules/bucket/main.tf", bucket),
        (".isolint.yaml", "select: [AWS-S3-003]\n"),
    ]);
    let found = finding_rows(&check(repo.path(), "."));
    let resources: Vec<&str> = found.iter().map(|f| f.0.as_str()).collect();
    assert_eq!(resources, ["module.data_bucket.aws_s3_bucket.this[0]"]);
    // A module output stays untraceable: the bucket it might be is unknown, not failing.
    let via_output = "module \"logs\" {\n  source = \"./modules/kms\"\n}\n\nresource \"aws_s3_bucket\" \"b\" {\n  bucket = \"b\"\n}\n\nresource \"aws_s3_bucket_server_side_encryption_configuration\" \"b\" {\n  bucket = module.logs.bucket_id\n  rule {\n    apply_server_side_encryption_by_default {\n      sse_algorithm = \"aws:kms\"\n    }\n  }\n}\n";
    let repo = temp_repo(&[
        ("main.tf", via_output),
        (
            "modules/kms/main.tf",
            "output \"bucket_id\" {\n  value = \"b\"\n}\n",
        ),
        (".isolint.yaml", "select: [AWS-S3-003]\n"),
    ]);
    assert!(finding_rows(&check(repo.path(), ".")).is_empty());
}

#[test]
fn a_log_target_inside_a_module_instance_is_traced() {
    // Bucket names are unknown (root variables without values). Instance `a` logs its
    // bucket into its `logs` bucket; that target is a resource of instance `a`, so it
    // says nothing about instance `b`'s buckets, which log nowhere and are reported.
    let root = "variable \"na\" {}\nvariable \"nb\" {}\n\nmodule \"a\" {\n  source  = \"./modules/bucket\"\n  name    = var.na\n  logging = true\n}\n\nmodule \"b\" {\n  source  = \"./modules/bucket\"\n  name    = var.nb\n  logging = false\n}\n";
    let bucket = "variable \"name\" {}\nvariable \"logging\" {}\n\nresource \"aws_s3_bucket\" \"this\" {\n  bucket = var.name\n}\n\nresource \"aws_s3_bucket\" \"logs\" {\n  bucket = \"${var.name}-logs\"\n}\n\nresource \"aws_s3_bucket_logging\" \"this\" {\n  count         = var.logging ? 1 : 0\n  bucket        = aws_s3_bucket.this.id\n  target_bucket = aws_s3_bucket.logs.id\n}\n";
    let repo = temp_repo(&[
        ("main.tf", root),
        ("modules/bucket/main.tf", bucket),
        (".isolint.yaml", "select: [AWS-S3-005]\n"),
    ]);
    let found = finding_rows(&check(repo.path(), "."));
    let resources: Vec<&str> = found.iter().map(|f| f.0.as_str()).collect();
    assert_eq!(
        resources,
        ["module.b.aws_s3_bucket.this", "module.b.aws_s3_bucket.logs"]
    );
}

#[test]
fn a_flow_logs_configuration_covers_the_network_of_its_own_module_instance_only() {
    let root = "module \"a\" {\n  source = \"./modules/net\"\n  logs   = true\n}\n\nmodule \"b\" {\n  source = \"./modules/net\"\n  logs   = false\n}\n";
    let net = "variable \"logs\" {}\n\nresource \"google_compute_network\" \"vpc\" {\n  name = \"vpc\"\n}\n\nresource \"google_compute_subnetwork\" \"s\" {\n  name          = \"s\"\n  ip_cidr_range = \"10.0.0.0/24\"\n  network       = google_compute_network.vpc.id\n}\n\nresource \"google_network_management_vpc_flow_logs_config\" \"c\" {\n  count   = var.logs ? 1 : 0\n  network = google_compute_network.vpc.id\n}\n";
    let repo = temp_repo(&[
        ("main.tf", root),
        ("modules/net/main.tf", net),
        (".isolint.yaml", "select: [GCP-NETWORK-002]\n"),
    ]);
    let found = finding_rows(&check(repo.path(), "."));
    let resources: Vec<&str> = found.iter().map(|f| f.0.as_str()).collect();
    assert_eq!(resources, ["module.b.google_compute_subnetwork.s"]);
}
