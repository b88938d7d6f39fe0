//! Writes a deterministic synthetic platform monorepo for benchmarks:
//!
//! ```sh
//! cargo run --release --example gen_corpus -- --scale 10 /tmp/corpus-10
//! ```
//!
//! Scale 1 is about 1,000 files (about 4 MB); the file count grows linearly with the scale
//! (fractions such as 0.1 work). The same scale always gives the same bytes, and a larger
//! scale contains every domain of a smaller one.
//!
//! Layout, in the proportions of a real platform repository (per 1,000 files: ~330
//! Terraform, ~200 Kubernetes manifests, ~40 Dockerfiles, ~10 compose files, ~25
//! workflows, ~400 application sources, configuration, `.env` files and docs):
//!
//! ```text
//! .github/workflows/<domain>-<service>.yml      CI per service, some risky
//! domains/<domain>/infra/modules/<kind>/        local modules: s3-bucket, rds, security-group,
//!                                               iam-role, eks, vpc, kms (variables, outputs)
//! domains/<domain>/infra/live/<env>/<stack>/    root modules calling them: providers,
//!                                               locals, tfvars, inline resources
//! domains/<domain>/services/<service>/          Dockerfile, k8s/*.yaml (multi-document:
//!                                               Deployment or StatefulSet, Service, CronJob,
//!                                               RBAC, NetworkPolicy), compose, .env, sources
//! ```
//!
//! Some resources are compliant and some are not, chosen by a seeded PRNG, so rules fire
//! at a realistic rate. No dependencies beyond std.
//!
//! `--real-shaped` adds, per unit, the large files real repositories hold (an operator
//! bundle of CRDs, dashboards, a Helm chart, a generated `.tf.json`, many small text
//! files; see `heavy.rs`), so that memory and throughput behave like theirs.

#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

mod heavy;

/// SplitMix64: small, fast, and the same on every platform.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// 0..n
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    /// true with probability `p` (0..=1).
    fn chance(&mut self, p: f64) -> bool {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }
}

const DOMAINS: &[&str] = &[
    "commerce",
    "payments",
    "identity",
    "logistics",
    "analytics",
    "platform",
    "growth",
    "support",
    "catalog",
    "media",
    "risk",
    "partners",
];
const SERVICES: &[&str] = &[
    "orders",
    "checkout",
    "billing",
    "invoices",
    "catalog",
    "search",
    "auth",
    "sessions",
    "notifications",
    "inventory",
    "shipping",
    "returns",
    "reports",
    "gateway",
    "users",
    "profiles",
    "pricing",
    "promotions",
    "reviews",
    "recommendations",
    "ledger",
    "payouts",
    "fraud",
    "audit",
    "exports",
    "imports",
    "scheduler",
    "webhooks",
    "media",
    "thumbnails",
    "email",
    "sms",
    "ratings",
    "carts",
    "wishlists",
    "tax",
    "currency",
    "geo",
    "metrics",
    "feature-flags",
];
const ENVS: &[&str] = &["dev", "staging", "prod"];
const STACKS: &[&str] = &[
    "network",
    "data",
    "storage",
    "compute",
    "edge",
    "observability",
    "security",
    "queues",
    "cache",
    "search",
];
const MODULE_KINDS: &[&str] = &[
    "s3-bucket",
    "rds",
    "security-group",
    "iam-role",
    "eks",
    "vpc",
    "kms",
];

/// Per unit of scale.
const STACKS_PER_UNIT: usize = 60; // 3 envs × 20 stacks, 5 files each
const SERVICES_PER_UNIT: usize = 40; // ~15 files each
const DOCS_PER_UNIT: usize = 8;

struct Writer {
    root: PathBuf,
    files: usize,
    bytes: u64,
}

impl Writer {
    fn write(&mut self, rel: &str, text: &str) {
        let path = self.root.join(rel);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).unwrap_or_else(|e| panic!("mkdir {}: {e}", dir.display()));
        }
        let mut f = std::fs::File::create(&path)
            .unwrap_or_else(|e| panic!("create {}: {e}", path.display()));
        f.write_all(text.as_bytes())
            .unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
        self.files += 1;
        self.bytes += text.len() as u64;
    }
}

fn main() {
    let mut scale: f64 = 1.0;
    let mut real_shaped = false;
    let mut dir: Option<PathBuf> = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--scale" => {
                scale = args
                    .next()
                    .and_then(|s| s.parse().ok())
                    .filter(|s: &f64| *s > 0.0)
                    .unwrap_or_else(|| usage("--scale needs a positive number"));
            }
            "--real-shaped" => real_shaped = true,
            "-h" | "--help" => usage(""),
            _ if dir.is_none() => dir = Some(PathBuf::from(a)),
            _ => usage("one output directory only"),
        }
    }
    let dir = dir.unwrap_or_else(|| usage("missing output directory"));
    let started = std::time::Instant::now();
    let (files, bytes) = generate_with(&dir, scale, real_shaped);
    println!(
        "{files} files ({:.1} MB) written to {} in {:.1} s",
        bytes as f64 / 1e6,
        dir.display(),
        started.elapsed().as_secs_f64()
    );
}

fn usage(msg: &str) -> ! {
    if !msg.is_empty() {
        eprintln!("gen_corpus: {msg}");
    }
    eprintln!("usage: gen_corpus [--scale N] [--real-shaped] DIR   (N=1 ≈ 1,000 files; linear)");
    std::process::exit(2)
}

/// Writes the corpus; returns (files, bytes).
#[allow(dead_code, reason = "the benchmarks' entry point")]
pub(crate) fn generate(dir: &Path, scale: f64) -> (usize, u64) {
    generate_with(dir, scale, false)
}

/// `generate`, with the real-shaped large files when `real_shaped`.
pub(crate) fn generate_with(dir: &Path, scale: f64, real_shaped: bool) -> (usize, u64) {
    let mut w = Writer {
        root: dir.to_path_buf(),
        files: 0,
        bytes: 0,
    };
    let units = scale.ceil().max(1.0) as usize;
    let stacks = ((STACKS_PER_UNIT as f64 * scale).round() as usize).max(1);
    let services = ((SERVICES_PER_UNIT as f64 * scale).round() as usize).max(1);
    let docs = ((DOCS_PER_UNIT as f64 * scale).round() as usize).max(1);

    repo_files(&mut w);
    for u in 0..units {
        let domain = domain_name(u);
        for kind in MODULE_KINDS {
            module(&mut w, &domain, kind, u);
        }
    }
    for i in 0..stacks {
        let u = i / STACKS_PER_UNIT;
        stack(&mut w, &domain_name(u), i % STACKS_PER_UNIT, u);
    }
    for i in 0..services {
        let u = i / SERVICES_PER_UNIT;
        service(&mut w, &domain_name(u), i % SERVICES_PER_UNIT, u);
    }
    for i in 0..docs {
        doc(&mut w, &domain_name(i / DOCS_PER_UNIT), i);
    }
    if real_shaped {
        for u in 0..units {
            heavy::heavy(&mut w, &domain_name(u), u);
        }
    }
    (w.files, w.bytes)
}

fn domain_name(u: usize) -> String {
    format!("{}-{u:02}", DOMAINS[u % DOMAINS.len()])
}

fn seed(parts: &[&str], n: usize) -> Rng {
    // FNV-1a over the parts: a stable seed per generated thing.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in parts {
        for b in p.bytes().chain([0xff]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x100_0000_01b3);
        }
    }
    Rng::new(h ^ n as u64)
}

// ---------------------------------------------------------------------------------------
// Repository-level files.

fn repo_files(w: &mut Writer) {
    w.write(
        "README.md",
        "# Platform monorepo (synthetic)\n\nGenerated by `cargo run --example gen_corpus`.\n",
    );
    w.write(
        ".gitignore",
        "*.tfstate\n*.tfstate.backup\n.terraform/\nnode_modules/\ndist/\n",
    );
    w.write(
        ".editorconfig",
        "root = true\n\n[*]\nindent_style = space\nindent_size = 2\n",
    );
    w.write(
        "Makefile",
        "fmt:\n\tterraform fmt -recursive\n\nlint:\n\tisolint check .\n",
    );
}

// ---------------------------------------------------------------------------------------
// Terraform modules.

fn module(w: &mut Writer, domain: &str, kind: &str, u: usize) {
    let base = format!("domains/{domain}/infra/modules/{kind}");
    let mut r = seed(&[domain, kind], u);
    let (vars, main, outputs) = match kind {
        "s3-bucket" => s3_module(&mut r),
        "rds" => rds_module(&mut r),
        "security-group" => sg_module(&mut r),
        "iam-role" => iam_module(&mut r),
        "eks" => eks_module(&mut r),
        "vpc" => vpc_module(&mut r),
        _ => kms_module(&mut r),
    };
    w.write(&format!("{base}/variables.tf"), &vars);
    w.write(&format!("{base}/main.tf"), &main);
    w.write(&format!("{base}/outputs.tf"), &outputs);
    w.write(
        &format!("{base}/versions.tf"),
        "terraform {\n  required_version = \">= 1.5.0\"\n\n  required_providers {\n    aws = {\n      source  = \"hashicorp/aws\"\n      version = \">= 5.40\"\n    }\n  }\n}\n",
    );
}

fn variable(out: &mut String, name: &str, ty: &str, default: Option<&str>, desc: &str) {
    let _ = writeln!(out, "variable \"{name}\" {{");
    let _ = writeln!(out, "  description = \"{desc}\"");
    let _ = writeln!(out, "  type        = {ty}");
    if let Some(d) = default {
        let _ = writeln!(out, "  default     = {d}");
    }
    out.push_str("}\n\n");
}

fn tags_var(out: &mut String) {
    variable(
        out,
        "tags",
        "map(string)",
        Some("{}"),
        "Tags applied to every resource",
    );
}

fn s3_module(r: &mut Rng) -> (String, String, String) {
    let mut v = String::new();
    variable(&mut v, "name", "string", None, "Bucket name");
    variable(
        &mut v,
        "versioning",
        "bool",
        Some("true"),
        "Keep object versions",
    );
    variable(
        &mut v,
        "kms_key_arn",
        "string",
        Some("null"),
        "KMS key for SSE-KMS",
    );
    variable(
        &mut v,
        "log_bucket",
        "string",
        Some("null"),
        "Access log target bucket",
    );
    variable(
        &mut v,
        "force_destroy",
        "bool",
        Some("false"),
        "Allow deleting a non-empty bucket",
    );
    tags_var(&mut v);
    let mut m = String::from(
        "resource \"aws_s3_bucket\" \"this\" {\n  bucket        = var.name\n  force_destroy = var.force_destroy\n  tags          = var.tags\n}\n\n",
    );
    m.push_str("resource \"aws_s3_bucket_versioning\" \"this\" {\n  count  = var.versioning ? 1 : 0\n  bucket = aws_s3_bucket.this.id\n\n  versioning_configuration {\n    status = \"Enabled\"\n  }\n}\n\n");
    if r.chance(0.8) {
        m.push_str("resource \"aws_s3_bucket_public_access_block\" \"this\" {\n  bucket                  = aws_s3_bucket.this.id\n  block_public_acls       = true\n  block_public_policy     = true\n  ignore_public_acls      = true\n  restrict_public_buckets = true\n}\n\n");
    }
    m.push_str("resource \"aws_s3_bucket_server_side_encryption_configuration\" \"this\" {\n  bucket = aws_s3_bucket.this.id\n\n  rule {\n    apply_server_side_encryption_by_default {\n      sse_algorithm     = var.kms_key_arn == null ? \"AES256\" : \"aws:kms\"\n      kms_master_key_id = var.kms_key_arn\n    }\n    bucket_key_enabled = true\n  }\n}\n\n");
    m.push_str("resource \"aws_s3_bucket_logging\" \"this\" {\n  count         = var.log_bucket == null ? 0 : 1\n  bucket        = aws_s3_bucket.this.id\n  target_bucket = var.log_bucket\n  target_prefix = \"s3/${var.name}/\"\n}\n");
    let o = "output \"id\" {\n  value = aws_s3_bucket.this.id\n}\n\noutput \"arn\" {\n  value = aws_s3_bucket.this.arn\n}\n".to_owned();
    (v, m, o)
}

fn rds_module(r: &mut Rng) -> (String, String, String) {
    let mut v = String::new();
    variable(&mut v, "identifier", "string", None, "Instance identifier");
    variable(
        &mut v,
        "engine_version",
        "string",
        Some("\"15.5\""),
        "PostgreSQL version",
    );
    variable(
        &mut v,
        "instance_class",
        "string",
        Some("\"db.t4g.medium\""),
        "Instance class",
    );
    variable(&mut v, "encrypted", "bool", Some("true"), "Encrypt storage");
    variable(
        &mut v,
        "publicly_accessible",
        "bool",
        Some("false"),
        "Public endpoint",
    );
    variable(
        &mut v,
        "backup_retention",
        "number",
        Some("7"),
        "Days of backups",
    );
    variable(
        &mut v,
        "subnet_ids",
        "list(string)",
        None,
        "Private subnets",
    );
    variable(
        &mut v,
        "security_group_ids",
        "list(string)",
        Some("[]"),
        "Security groups",
    );
    tags_var(&mut v);
    let iam_auth = if r.chance(0.6) { "true" } else { "false" };
    let m = format!(
        "locals {{\n  port = 5432\n}}\n\nresource \"aws_db_subnet_group\" \"this\" {{\n  name       = var.identifier\n  subnet_ids = var.subnet_ids\n  tags       = var.tags\n}}\n\nresource \"aws_db_instance\" \"this\" {{\n  identifier                          = var.identifier\n  engine                              = \"postgres\"\n  engine_version                      = var.engine_version\n  instance_class                      = var.instance_class\n  allocated_storage                   = 50\n  max_allocated_storage               = 500\n  storage_encrypted                   = var.encrypted\n  publicly_accessible                 = var.publicly_accessible\n  backup_retention_period             = var.backup_retention\n  deletion_protection                 = true\n  iam_database_authentication_enabled = {iam_auth}\n  db_subnet_group_name                = aws_db_subnet_group.this.name\n  vpc_security_group_ids              = var.security_group_ids\n  port                                = local.port\n  username                            = \"app\"\n  manage_master_user_password         = true\n  performance_insights_enabled        = true\n  copy_tags_to_snapshot               = true\n  tags                                = var.tags\n}}\n"
    );
    let o = "output \"endpoint\" {\n  value = aws_db_instance.this.endpoint\n}\n".to_owned();
    (v, m, o)
}

fn sg_module(_: &mut Rng) -> (String, String, String) {
    let mut v = String::new();
    variable(&mut v, "name", "string", None, "Group name");
    variable(&mut v, "vpc_id", "string", None, "VPC");
    variable(
        &mut v,
        "ingress",
        "list(object({ port = number, cidrs = list(string), description = string }))",
        Some("[]"),
        "Ingress rules",
    );
    tags_var(&mut v);
    let m = "resource \"aws_security_group\" \"this\" {\n  name        = var.name\n  description = \"Managed by Terraform: ${var.name}\"\n  vpc_id      = var.vpc_id\n\n  dynamic \"ingress\" {\n    for_each = var.ingress\n    content {\n      description = ingress.value.description\n      from_port   = ingress.value.port\n      to_port     = ingress.value.port\n      protocol    = \"tcp\"\n      cidr_blocks = ingress.value.cidrs\n    }\n  }\n\n  egress {\n    description = \"All egress\"\n    from_port   = 0\n    to_port     = 0\n    protocol    = \"-1\"\n    cidr_blocks = [\"0.0.0.0/0\"]\n  }\n\n  tags = var.tags\n}\n".to_owned();
    let o = "output \"id\" {\n  value = aws_security_group.this.id\n}\n".to_owned();
    (v, m, o)
}

fn iam_module(_: &mut Rng) -> (String, String, String) {
    let mut v = String::new();
    variable(&mut v, "name", "string", None, "Role name");
    variable(
        &mut v,
        "service",
        "string",
        Some("\"ec2.amazonaws.com\""),
        "Trusted service",
    );
    variable(&mut v, "actions", "list(string)", None, "Allowed actions");
    variable(
        &mut v,
        "resources",
        "list(string)",
        Some("[\"*\"]"),
        "Allowed resources",
    );
    tags_var(&mut v);
    let m = "data \"aws_iam_policy_document\" \"assume\" {\n  statement {\n    actions = [\"sts:AssumeRole\"]\n    principals {\n      type        = \"Service\"\n      identifiers = [var.service]\n    }\n  }\n}\n\nresource \"aws_iam_role\" \"this\" {\n  name               = var.name\n  assume_role_policy = data.aws_iam_policy_document.assume.json\n  tags               = var.tags\n}\n\nresource \"aws_iam_role_policy\" \"this\" {\n  name = \"${var.name}-inline\"\n  role = aws_iam_role.this.id\n  policy = jsonencode({\n    Version = \"2012-10-17\"\n    Statement = [{\n      Effect   = \"Allow\"\n      Action   = var.actions\n      Resource = var.resources\n    }]\n  })\n}\n".to_owned();
    let o = "output \"arn\" {\n  value = aws_iam_role.this.arn\n}\n".to_owned();
    (v, m, o)
}

fn eks_module(r: &mut Rng) -> (String, String, String) {
    let mut v = String::new();
    variable(&mut v, "name", "string", None, "Cluster name");
    variable(
        &mut v,
        "kubernetes_version",
        "string",
        Some("\"1.30\""),
        "Kubernetes version",
    );
    variable(&mut v, "subnet_ids", "list(string)", None, "Subnets");
    variable(
        &mut v,
        "public_endpoint",
        "bool",
        Some("false"),
        "Public API endpoint",
    );
    variable(
        &mut v,
        "kms_key_arn",
        "string",
        None,
        "Secrets encryption key",
    );
    variable(
        &mut v,
        "node_groups",
        "map(object({ instance_types = list(string), min = number, max = number }))",
        Some("{}"),
        "Managed node groups",
    );
    tags_var(&mut v);
    let logs = if r.chance(0.7) {
        "[\"api\", \"audit\", \"authenticator\"]"
    } else {
        "[\"api\"]"
    };
    let m = format!(
        "resource \"aws_iam_role\" \"cluster\" {{\n  name = \"${{var.name}}-cluster\"\n  assume_role_policy = jsonencode({{\n    Version = \"2012-10-17\"\n    Statement = [{{ Effect = \"Allow\", Action = \"sts:AssumeRole\", Principal = {{ Service = \"eks.amazonaws.com\" }} }}]\n  }})\n}}\n\nresource \"aws_eks_cluster\" \"this\" {{\n  name     = var.name\n  version  = var.kubernetes_version\n  role_arn = aws_iam_role.cluster.arn\n\n  vpc_config {{\n    subnet_ids              = var.subnet_ids\n    endpoint_private_access = true\n    endpoint_public_access  = var.public_endpoint\n  }}\n\n  encryption_config {{\n    resources = [\"secrets\"]\n    provider {{\n      key_arn = var.kms_key_arn\n    }}\n  }}\n\n  enabled_cluster_log_types = {logs}\n  tags                      = var.tags\n}}\n\nresource \"aws_eks_node_group\" \"this\" {{\n  for_each        = var.node_groups\n  cluster_name    = aws_eks_cluster.this.name\n  node_group_name = each.key\n  node_role_arn   = aws_iam_role.cluster.arn\n  subnet_ids      = var.subnet_ids\n  instance_types  = each.value.instance_types\n\n  scaling_config {{\n    desired_size = each.value.min\n    min_size     = each.value.min\n    max_size     = each.value.max\n  }}\n}}\n"
    );
    let o = "output \"endpoint\" {\n  value = aws_eks_cluster.this.endpoint\n}\n".to_owned();
    (v, m, o)
}

fn vpc_module(r: &mut Rng) -> (String, String, String) {
    let mut v = String::new();
    variable(&mut v, "name", "string", None, "VPC name");
    variable(
        &mut v,
        "cidr",
        "string",
        Some("\"10.0.0.0/16\""),
        "VPC CIDR",
    );
    variable(
        &mut v,
        "azs",
        "list(string)",
        Some("[\"eu-west-1a\", \"eu-west-1b\", \"eu-west-1c\"]"),
        "Zones",
    );
    variable(&mut v, "flow_logs", "bool", Some("true"), "VPC flow logs");
    tags_var(&mut v);
    let mut m = String::from(
        "locals {\n  private = [for i, az in var.azs : cidrsubnet(var.cidr, 4, i)]\n  public  = [for i, az in var.azs : cidrsubnet(var.cidr, 4, i + 8)]\n}\n\nresource \"aws_vpc\" \"this\" {\n  cidr_block           = var.cidr\n  enable_dns_hostnames = true\n  tags                 = merge(var.tags, { Name = var.name })\n}\n\nresource \"aws_subnet\" \"private\" {\n  count             = length(var.azs)\n  vpc_id            = aws_vpc.this.id\n  cidr_block        = local.private[count.index]\n  availability_zone = var.azs[count.index]\n  tags              = merge(var.tags, { Name = \"${var.name}-private-${count.index}\" })\n}\n\nresource \"aws_subnet\" \"public\" {\n  count                   = length(var.azs)\n  vpc_id                  = aws_vpc.this.id\n  cidr_block              = local.public[count.index]\n  availability_zone       = var.azs[count.index]\n  map_public_ip_on_launch = true\n}\n\n",
    );
    m.push_str("resource \"aws_flow_log\" \"this\" {\n  count                = var.flow_logs ? 1 : 0\n  vpc_id               = aws_vpc.this.id\n  traffic_type         = \"ALL\"\n  log_destination_type = \"s3\"\n  log_destination      = \"arn:aws:s3:::central-flow-logs\"\n}\n");
    if r.chance(0.5) {
        m.push_str(
            "\nresource \"aws_default_security_group\" \"this\" {\n  vpc_id = aws_vpc.this.id\n}\n",
        );
    }
    let o = "output \"vpc_id\" {\n  value = aws_vpc.this.id\n}\n\noutput \"private_subnet_ids\" {\n  value = aws_subnet.private[*].id\n}\n".to_owned();
    (v, m, o)
}

fn kms_module(r: &mut Rng) -> (String, String, String) {
    let mut v = String::new();
    variable(&mut v, "alias", "string", None, "Key alias");
    variable(
        &mut v,
        "deletion_window",
        "number",
        Some("30"),
        "Days before deletion",
    );
    tags_var(&mut v);
    let rotation = if r.chance(0.8) { "true" } else { "false" };
    let m = format!(
        "resource \"aws_kms_key\" \"this\" {{\n  description             = \"Key ${{var.alias}}\"\n  deletion_window_in_days = var.deletion_window\n  enable_key_rotation     = {rotation}\n  tags                    = var.tags\n}}\n\nresource \"aws_kms_alias\" \"this\" {{\n  name          = \"alias/${{var.alias}}\"\n  target_key_id = aws_kms_key.this.key_id\n}}\n"
    );
    let o = "output \"arn\" {\n  value = aws_kms_key.this.arn\n}\n".to_owned();
    (v, m, o)
}

// ---------------------------------------------------------------------------------------
// Terraform root modules (stacks).

fn stack(w: &mut Writer, domain: &str, i: usize, u: usize) {
    let env = ENVS[i % ENVS.len()];
    let name = format!("{}-{}", STACKS[(i / ENVS.len()) % STACKS.len()], i / 30);
    let base = format!("domains/{domain}/infra/live/{env}/{name}");
    let mut r = seed(&[domain, env, &name], u);
    let prod = env == "prod";
    let region = *r.pick(&["eu-west-1", "eu-central-1", "us-east-1", "us-west-2"]);

    w.write(
        &format!("{base}/backend.tf"),
        &format!(
            "terraform {{\n  backend \"s3\" {{\n    bucket         = \"acme-terraform-state\"\n    key            = \"{domain}/{env}/{name}.tfstate\"\n    region         = \"{region}\"\n    dynamodb_table = \"terraform-locks\"\n    encrypt        = true\n  }}\n\n  required_providers {{\n    aws = {{\n      source  = \"hashicorp/aws\"\n      version = \"~> 5.40\"\n    }}\n  }}\n}}\n\nprovider \"aws\" {{\n  region = var.region\n\n  default_tags {{\n    tags = local.tags\n  }}\n}}\n"
        ),
    );

    let mut v = String::new();
    variable(
        &mut v,
        "region",
        "string",
        Some(&format!("\"{region}\"")),
        "AWS region",
    );
    variable(&mut v, "environment", "string", None, "Environment name");
    variable(
        &mut v,
        "owner",
        "string",
        Some("\"platform\""),
        "Owning team",
    );
    variable(
        &mut v,
        "db_password",
        "string",
        Some("null"),
        "Legacy database password",
    );
    w.write(&format!("{base}/variables.tf"), &v);
    w.write(
        &format!("{base}/terraform.tfvars"),
        &format!("environment = \"{env}\"\nowner       = \"{domain}\"\n"),
    );

    let mut m = format!(
        "locals {{\n  name = \"{domain}-{env}-{name}\"\n  tags = {{\n    Environment = var.environment\n    Owner       = var.owner\n    Stack       = \"{name}\"\n    CostCenter  = \"{}\"\n  }}\n}}\n\n",
        1000 + r.below(9000)
    );
    let modules = "../../../modules";
    m.push_str(&format!(
        "module \"vpc\" {{\n  source    = \"{modules}/vpc\"\n  name      = local.name\n  cidr      = \"10.{}.0.0/16\"\n  flow_logs = {}\n  tags      = local.tags\n}}\n\n",
        r.below(250),
        if prod || r.chance(0.5) { "true" } else { "false" }
    ));
    let calls = r.range(2, 4);
    for c in 0..calls {
        match r.below(6) {
            0 => m.push_str(&format!(
                "module \"bucket_{c}\" {{\n  source     = \"{modules}/s3-bucket\"\n  name       = \"${{local.name}}-{c}\"\n  versioning = {}\n  log_bucket = {}\n  tags       = local.tags\n}}\n\n",
                if r.chance(0.7) { "true" } else { "false" },
                if r.chance(0.5) { "\"acme-access-logs\"" } else { "null" },
            )),
            1 => m.push_str(&format!(
                "module \"db_{c}\" {{\n  source              = \"{modules}/rds\"\n  identifier          = \"${{local.name}}-db{c}\"\n  subnet_ids          = module.vpc.private_subnet_ids\n  encrypted           = {}\n  publicly_accessible = {}\n  backup_retention    = {}\n  tags                = local.tags\n}}\n\n",
                if r.chance(0.85) { "true" } else { "false" },
                if r.chance(0.1) { "true" } else { "false" },
                if prod { 14 } else { r.range(0, 7) },
            )),
            2 => {
                let open = r.chance(0.2);
                m.push_str(&format!(
                    "module \"sg_{c}\" {{\n  source = \"{modules}/security-group\"\n  name   = \"${{local.name}}-sg{c}\"\n  vpc_id = module.vpc.vpc_id\n  ingress = [\n    {{ port = 443, cidrs = [\"10.0.0.0/8\"], description = \"HTTPS from the VPC\" }},\n    {{ port = {}, cidrs = [\"{}\"], description = \"Admin\" }},\n  ]\n  tags = local.tags\n}}\n\n",
                    if open { 22 } else { 8443 },
                    if open { "0.0.0.0/0" } else { "10.20.0.0/16" },
                ));
            }
            3 => m.push_str(&format!(
                "module \"role_{c}\" {{\n  source  = \"{modules}/iam-role\"\n  name    = \"${{local.name}}-role{c}\"\n  actions = {}\n  tags    = local.tags\n}}\n\n",
                if r.chance(0.15) {
                    "[\"*\"]"
                } else {
                    "[\"s3:GetObject\", \"s3:PutObject\", \"sqs:SendMessage\"]"
                },
            )),
            4 => m.push_str(&format!(
                "module \"key_{c}\" {{\n  source = \"{modules}/kms\"\n  alias  = \"${{local.name}}-{c}\"\n  tags   = local.tags\n}}\n\nmodule \"eks_{c}\" {{\n  source          = \"{modules}/eks\"\n  name            = \"${{local.name}}-eks{c}\"\n  subnet_ids      = module.vpc.private_subnet_ids\n  public_endpoint = {}\n  kms_key_arn     = module.key_{c}.arn\n  node_groups = {{\n    general = {{ instance_types = [\"m6i.large\"], min = 2, max = 6 }}\n    spot    = {{ instance_types = [\"m6i.large\", \"m5.large\"], min = 0, max = 10 }}\n  }}\n  tags = local.tags\n}}\n\n",
                if r.chance(0.3) { "true" } else { "false" },
            )),
            _ => {
                // Inline resources, as stacks grow them.
                let bucket = format!("{name}-{c}");
                m.push_str(&format!(
                    "resource \"aws_s3_bucket\" \"inline_{c}\" {{\n  bucket = \"${{local.name}}-{bucket}\"\n}}\n\n"
                ));
                if r.chance(0.5) {
                    m.push_str(&format!("resource \"aws_s3_bucket_versioning\" \"inline_{c}\" {{\n  bucket = aws_s3_bucket.inline_{c}.id\n  versioning_configuration {{\n    status = \"Enabled\"\n  }}\n}}\n\n"));
                }
                m.push_str(&format!(
                    "resource \"aws_instance\" \"bastion_{c}\" {{\n  ami           = \"ami-0{:x}\"\n  instance_type = \"t3.micro\"\n  subnet_id     = module.vpc.private_subnet_ids[0]\n\n  metadata_options {{\n    http_tokens = \"{}\"\n  }}\n\n  root_block_device {{\n    encrypted = {}\n  }}\n\n  user_data = <<-EOT\n    #!/bin/bash\n    yum install -y amazon-ssm-agent\n    systemctl enable --now amazon-ssm-agent\n  EOT\n}}\n\n",
                    r.next() & 0xffff_ffff,
                    if r.chance(0.7) { "required" } else { "optional" },
                    if r.chance(0.8) { "true" } else { "false" },
                ));
                if r.chance(0.3) {
                    m.push_str(&format!("resource \"aws_db_instance\" \"legacy_{c}\" {{\n  identifier        = \"${{local.name}}-legacy{c}\"\n  engine            = \"mysql\"\n  instance_class    = \"db.t3.micro\"\n  allocated_storage = 20\n  username          = \"admin\"\n  password          = var.db_password\n  skip_final_snapshot = true\n}}\n\n"));
                }
            }
        }
    }
    w.write(&format!("{base}/main.tf"), &m);
    w.write(
        &format!("{base}/outputs.tf"),
        "output \"vpc_id\" {\n  description = \"The stack's VPC\"\n  value       = module.vpc.vpc_id\n}\n",
    );
}

// ---------------------------------------------------------------------------------------
// Services: Kubernetes, Dockerfile, compose, workflow, configuration, sources.

fn service(w: &mut Writer, domain: &str, i: usize, u: usize) {
    let name = SERVICES[i % SERVICES.len()];
    let base = format!("domains/{domain}/services/{name}");
    let mut r = seed(&[domain, name], u);
    let lang = *r.pick(&["go", "node", "python", "java"]);
    let stateful = r.chance(0.15);
    let ns = domain.to_owned();
    let image = format!("123456789012.dkr.ecr.eu-west-1.amazonaws.com/{domain}/{name}");

    // Kubernetes.
    w.write(
        &format!("{base}/k8s/workload.yaml"),
        &workload(&mut r, name, &ns, &image, stateful),
    );
    w.write(&format!("{base}/k8s/rbac.yaml"), &rbac(&mut r, name, &ns));
    w.write(
        &format!("{base}/k8s/networkpolicy.yaml"),
        &network_policy(name, &ns),
    );
    w.write(
        &format!("{base}/k8s/configmap.yaml"),
        &format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}-config\n  namespace: {ns}\ndata:\n  LOG_LEVEL: info\n  FEATURE_FLAGS: \"checkout-v2,fast-search\"\n  UPSTREAM_URL: http://gateway.{ns}.svc.cluster.local\n"
        ),
    );
    if r.chance(0.4) {
        w.write(
            &format!("{base}/k8s/cronjob.yaml"),
            &cronjob(&mut r, name, &ns, &image),
        );
    }
    w.write(
        &format!("{base}/k8s/kustomization.yaml"),
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - workload.yaml\n  - rbac.yaml\n  - networkpolicy.yaml\n  - configmap.yaml\n",
    );

    // Container build and local development.
    w.write(&format!("{base}/Dockerfile"), &dockerfile(&mut r, lang));
    w.write(
        &format!("{base}/.dockerignore"),
        ".git\nnode_modules\n*.md\n.env\n",
    );
    if r.chance(0.25) {
        w.write(
            &format!("{base}/docker-compose.yml"),
            &compose(&mut r, name),
        );
    }
    w.write(
        &format!("{base}/.env.example"),
        &env_file(&mut r, name, false),
    );
    if r.chance(0.1) {
        w.write(&format!("{base}/.env"), &env_file(&mut r, name, true));
    }
    w.write(
        &format!("{base}/config/app.json"),
        &format!(
            "{{\n  \"service\": \"{name}\",\n  \"port\": 8080,\n  \"timeouts\": {{ \"read_ms\": 2000, \"write_ms\": 5000 }},\n  \"retries\": {},\n  \"features\": [\"metrics\", \"tracing\"]\n}}\n",
            r.range(1, 5)
        ),
    );
    w.write(
        &format!("{base}/config/settings.yaml"),
        &format!(
            "server:\n  port: 8080\n  graceful_shutdown: 30s\ndatabase:\n  host: {name}-db.{ns}.svc\n  pool: {}\ncache:\n  ttl: 300\n",
            r.range(5, 50)
        ),
    );
    w.write(
        &format!(".github/workflows/{domain}-{name}.yml"),
        &workflow(&mut r, domain, name),
    );

    // Application sources and docs: most of a real repo's files.
    w.write(
        &format!("{base}/README.md"),
        &format!(
            "# {name}\n\nOwned by the {domain} team.\n\n## Running\n\n```sh\nmake run\n```\n\n{}\n",
            lorem(&mut r, 12)
        ),
    );
    let (ext, count) = match lang {
        "go" => ("go", 4),
        "node" => ("ts", 5),
        "python" => ("py", 4),
        _ => ("java", 4),
    };
    for f in 0..count {
        w.write(
            &format!("{base}/src/{}.{ext}", source_name(f)),
            &source_file(&mut r, lang, name, f),
        );
    }
    w.write(
        &format!("{base}/Makefile"),
        "build:\n\tdocker build -t $(IMAGE) .\n\nrun:\n\tdocker compose up\n",
    );
}

fn source_name(f: usize) -> &'static str {
    [
        "main", "handlers", "store", "client", "config", "metrics", "models", "routes",
    ][f % 8]
}

fn workload(r: &mut Rng, name: &str, ns: &str, image: &str, stateful: bool) -> String {
    let tag = if r.chance(0.1) {
        "latest".to_owned()
    } else {
        format!("1.{}.{}", r.below(40), r.below(20))
    };
    let replicas = r.range(2, 6);
    let secure = r.chance(0.75);
    let privileged = r.chance(0.05);
    let limits = r.chance(0.8);
    let kind = if stateful {
        "StatefulSet"
    } else {
        "Deployment"
    };
    let mut y = format!(
        "apiVersion: apps/v1\nkind: {kind}\nmetadata:\n  name: {name}\n  namespace: {ns}\n  labels:\n    app.kubernetes.io/name: {name}\n    app.kubernetes.io/part-of: {ns}\nspec:\n  replicas: {replicas}\n"
    );
    if stateful {
        let _ = writeln!(y, "  serviceName: {name}");
    }
    let _ = write!(
        y,
        "  selector:\n    matchLabels:\n      app.kubernetes.io/name: {name}\n  template:\n    metadata:\n      labels:\n        app.kubernetes.io/name: {name}\n      annotations:\n        prometheus.io/scrape: \"true\"\n    spec:\n      serviceAccountName: {name}\n"
    );
    if r.chance(0.7) {
        y.push_str("      automountServiceAccountToken: false\n");
    }
    if secure {
        y.push_str("      securityContext:\n        runAsNonRoot: true\n        runAsUser: 10001\n        fsGroup: 10001\n        seccompProfile:\n          type: RuntimeDefault\n");
    }
    if r.chance(0.03) {
        y.push_str("      hostNetwork: true\n");
    }
    let _ = write!(
        y,
        "      containers:\n        - name: {name}\n          image: {image}:{tag}\n          imagePullPolicy: IfNotPresent\n          ports:\n            - name: http\n              containerPort: 8080\n          envFrom:\n            - configMapRef:\n                name: {name}-config\n          env:\n            - name: DB_PASSWORD\n              valueFrom:\n                secretKeyRef:\n                  name: {name}-db\n                  key: password\n"
    );
    if secure || privileged {
        let _ = write!(
            y,
            "          securityContext:\n            allowPrivilegeEscalation: {}\n            readOnlyRootFilesystem: {}\n            privileged: {privileged}\n            capabilities:\n              drop: [\"ALL\"]\n",
            !secure, secure
        );
    }
    if limits {
        y.push_str("          resources:\n            requests:\n              cpu: 100m\n              memory: 128Mi\n            limits:\n              cpu: \"1\"\n              memory: 512Mi\n");
    }
    y.push_str("          readinessProbe:\n            httpGet:\n              path: /healthz\n              port: http\n          livenessProbe:\n            httpGet:\n              path: /livez\n              port: http\n            initialDelaySeconds: 10\n");
    if r.chance(0.3) {
        let _ = write!(
            y,
            "        - name: log-shipper\n          image: fluent/fluent-bit:3.0\n          resources:\n            limits:\n              cpu: 200m\n              memory: 128Mi\n"
        );
    }
    if stateful {
        y.push_str("  volumeClaimTemplates:\n    - metadata:\n        name: data\n      spec:\n        accessModes: [\"ReadWriteOnce\"]\n        resources:\n          requests:\n            storage: 20Gi\n");
    }
    let svc_type = if r.chance(0.1) {
        "LoadBalancer"
    } else {
        "ClusterIP"
    };
    let _ = write!(
        y,
        "---\napiVersion: v1\nkind: Service\nmetadata:\n  name: {name}\n  namespace: {ns}\nspec:\n  type: {svc_type}\n  selector:\n    app.kubernetes.io/name: {name}\n  ports:\n    - name: http\n      port: 80\n      targetPort: http\n---\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: {name}\n  namespace: {ns}\n"
    );
    if r.chance(0.5) {
        let _ = write!(
            y,
            "---\napiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: {name}\n  namespace: {ns}\nspec:\n  scaleTargetRef:\n    apiVersion: apps/v1\n    kind: {kind}\n    name: {name}\n  minReplicas: {replicas}\n  maxReplicas: {}\n  metrics:\n    - type: Resource\n      resource:\n        name: cpu\n        target:\n          type: Utilization\n          averageUtilization: 70\n",
            replicas * 3
        );
    }
    y
}

fn rbac(r: &mut Rng, name: &str, ns: &str) -> String {
    let (verbs, resources) = if r.chance(0.1) {
        ("[\"*\"]", "[\"*\"]")
    } else if r.chance(0.2) {
        ("[\"get\", \"list\", \"watch\"]", "[\"secrets\"]")
    } else {
        (
            "[\"get\", \"list\", \"watch\"]",
            "[\"configmaps\", \"endpoints\"]",
        )
    };
    let binding = if r.chance(0.05) {
        format!(
            "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n  name: {ns}-{name}-admin\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n  name: cluster-admin\nsubjects:\n  - kind: ServiceAccount\n    name: {name}\n    namespace: {ns}\n"
        )
    } else {
        String::new()
    };
    format!(
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: {name}\n  namespace: {ns}\nrules:\n  - apiGroups: [\"\"]\n    resources: {resources}\n    verbs: {verbs}\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: {name}\n  namespace: {ns}\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: Role\n  name: {name}\nsubjects:\n  - kind: ServiceAccount\n    name: {name}\n    namespace: {ns}\n{binding}"
    )
}

fn network_policy(name: &str, ns: &str) -> String {
    format!(
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: {name}\n  namespace: {ns}\nspec:\n  podSelector:\n    matchLabels:\n      app.kubernetes.io/name: {name}\n  policyTypes: [Ingress, Egress]\n  ingress:\n    - from:\n        - namespaceSelector:\n            matchLabels:\n              kubernetes.io/metadata.name: ingress-nginx\n      ports:\n        - port: 8080\n  egress:\n    - to:\n        - namespaceSelector: {{}}\n      ports:\n        - port: 53\n          protocol: UDP\n        - port: 5432\n"
    )
}

fn cronjob(r: &mut Rng, name: &str, ns: &str, image: &str) -> String {
    let schedule = format!("{} {} * * *", r.below(60), r.below(24));
    let root = r.chance(0.3);
    format!(
        "apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: {name}-nightly\n  namespace: {ns}\nspec:\n  schedule: \"{schedule}\"\n  concurrencyPolicy: Forbid\n  jobTemplate:\n    spec:\n      backoffLimit: 2\n      template:\n        spec:\n          restartPolicy: OnFailure\n          containers:\n            - name: job\n              image: {image}:1.0.{}\n              args: [\"--task\", \"nightly-{name}\"]\n              securityContext:\n                runAsUser: {}\n                allowPrivilegeEscalation: false\n              resources:\n                limits:\n                  cpu: 500m\n                  memory: 256Mi\n",
        r.below(30),
        if root { 0 } else { 10001 }
    )
}

fn dockerfile(r: &mut Rng, lang: &str) -> String {
    let (builder, build, runtime, copy) = match lang {
        "go" => (
            "golang:1.22-alpine",
            "RUN --mount=type=cache,target=/root/.cache/go-build \\\n    CGO_ENABLED=0 go build -trimpath -ldflags=\"-s -w\" -o /out/app ./cmd/app",
            "gcr.io/distroless/static-debian12:nonroot",
            "COPY --from=build /out/app /app",
        ),
        "node" => (
            "node:20-alpine",
            "RUN npm ci && npm run build && npm prune --omit=dev",
            "node:20-alpine",
            "COPY --from=build /src/dist /app\nCOPY --from=build /src/node_modules /app/node_modules",
        ),
        "python" => (
            "python:3.12-slim",
            "RUN pip install --no-cache-dir --prefix=/install -r requirements.txt",
            "python:3.12-slim",
            "COPY --from=build /install /usr/local\nCOPY . /app",
        ),
        _ => (
            "eclipse-temurin:21-jdk",
            "RUN ./gradlew --no-daemon bootJar",
            "eclipse-temurin:21-jre",
            "COPY --from=build /src/build/libs/app.jar /app/app.jar",
        ),
    };
    let latest = r.chance(0.08);
    let mut d = String::from("# syntax=docker/dockerfile:1\n");
    let _ = write!(
        d,
        "FROM {} AS build\nWORKDIR /src\nCOPY . .\n{build}\n\nFROM {}\nWORKDIR /app\n",
        builder,
        if latest { "ubuntu:latest" } else { runtime }
    );
    if r.chance(0.15) {
        d.push_str("RUN apt-get update && apt-get install -y curl \\\n    && curl -fsSL https://example.com/install.sh | sh\n");
    }
    if r.chance(0.05) {
        d.push_str("ADD https://example.com/agent.tar.gz /opt/agent/\n");
    }
    if r.chance(0.05) {
        d.push_str("ENV API_TOKEN=\"tok_live_6f1d2b3c4a5e6f708192a3b4c5d6e7f8\"\n");
    }
    let _ = writeln!(d, "{copy}");
    d.push_str("EXPOSE 8080\n");
    if r.chance(0.75) {
        d.push_str("USER 10001:10001\n");
    }
    if r.chance(0.5) {
        d.push_str("HEALTHCHECK --interval=30s --timeout=3s CMD [\"/app/healthcheck\"]\n");
    }
    d.push_str("ENTRYPOINT [\"/app/app\"]\n");
    d
}

fn compose(r: &mut Rng, name: &str) -> String {
    let mut c = format!(
        "services:\n  {name}:\n    build: .\n    ports:\n      - \"{}8080:8080\"\n    environment:\n      DATABASE_URL: postgres://app@db:5432/{name}\n      LOG_LEVEL: debug\n    depends_on: [db]\n",
        if r.chance(0.5) { "127.0.0.1:" } else { "" }
    );
    if r.chance(0.1) {
        c.push_str("    privileged: true\n");
    }
    if r.chance(0.1) {
        c.push_str("    volumes:\n      - /var/run/docker.sock:/var/run/docker.sock\n");
    }
    c.push_str("  db:\n    image: postgres:16\n    environment:\n      POSTGRES_PASSWORD: postgres\n      POSTGRES_DB: app\n    volumes:\n      - db-data:/var/lib/postgresql/data\nvolumes:\n  db-data: {}\n");
    c
}

fn env_file(r: &mut Rng, name: &str, real: bool) -> String {
    let mut e = format!(
        "# {name} local settings\nPORT=8080\nLOG_LEVEL=debug\nDATABASE_HOST=localhost\nDATABASE_NAME={name}\n"
    );
    if real && r.chance(0.5) {
        e.push_str("DATABASE_URL=postgres://app:Sup3rS3cretPassw0rd@db.internal:5432/app\n");
    } else {
        e.push_str("DATABASE_PASSWORD=\nAPI_KEY=changeme\n");
    }
    e
}

fn workflow(r: &mut Rng, domain: &str, name: &str) -> String {
    let trigger = if r.chance(0.08) {
        "pull_request_target"
    } else {
        "pull_request"
    };
    let checkout = if r.chance(0.5) {
        "actions/checkout@b4ffde65f46336ab88eb53be808477a3936bae11 # v4.1.1"
    } else {
        "actions/checkout@v4"
    };
    let perms = if r.chance(0.7) {
        "permissions:\n  contents: read\n\n"
    } else {
        ""
    };
    let inject = if r.chance(0.05) {
        "      - name: Greet\n        run: echo \"Building ${{ github.event.pull_request.title }}\"\n"
    } else {
        ""
    };
    format!(
        "name: {domain}/{name}\n\non:\n  push:\n    branches: [main]\n    paths: [\"domains/{domain}/services/{name}/**\"]\n  {trigger}:\n    paths: [\"domains/{domain}/services/{name}/**\"]\n\n{perms}concurrency:\n  group: {name}-${{{{ github.ref }}}}\n  cancel-in-progress: true\n\njobs:\n  test:\n    runs-on: ubuntu-latest\n    timeout-minutes: 20\n    steps:\n      - uses: {checkout}\n{inject}      - name: Test\n        working-directory: domains/{domain}/services/{name}\n        run: make test\n  image:\n    needs: test\n    if: github.ref == 'refs/heads/main'\n    runs-on: ubuntu-latest\n    permissions:\n      contents: read\n      id-token: write\n    steps:\n      - uses: {checkout}\n      - uses: aws-actions/configure-aws-credentials@v4\n        with:\n          role-to-assume: arn:aws:iam::123456789012:role/ci-{domain}\n          aws-region: eu-west-1\n      - name: Build and push\n        run: |\n          docker build -t $REGISTRY/{domain}/{name}:${{{{ github.sha }}}} domains/{domain}/services/{name}\n          docker push $REGISTRY/{domain}/{name}:${{{{ github.sha }}}}\n        env:\n          REGISTRY: 123456789012.dkr.ecr.eu-west-1.amazonaws.com\n"
    )
}

const WORDS: &[&str] = &[
    "request", "order", "customer", "payment", "retry", "timeout", "cache", "queue", "event",
    "handler", "store", "record", "batch", "window", "metric", "trace", "span", "token", "session",
    "limit", "backoff", "shard", "index", "result", "error", "context", "config",
];

fn lorem(r: &mut Rng, sentences: usize) -> String {
    let mut s = String::new();
    for _ in 0..sentences {
        let n = r.range(6, 14);
        for i in 0..n {
            let w = *r.pick(WORDS);
            if i == 0 {
                let mut c = w.chars();
                if let Some(f) = c.next() {
                    s.extend(f.to_uppercase());
                    s.push_str(c.as_str());
                }
            } else {
                s.push(' ');
                s.push_str(w);
            }
        }
        s.push_str(". ");
    }
    s
}

/// A plausible source file of 1-8 KB: functions with comments and string literals.
fn source_file(r: &mut Rng, lang: &str, service: &str, f: usize) -> String {
    let mut s = String::new();
    let funcs = r.range(8, 40);
    match lang {
        "go" => {
            let _ = write!(
                s,
                "// Package {0} implements the {service} service.\npackage {0}\n\nimport (\n\t\"context\"\n\t\"fmt\"\n\t\"net/http\"\n\t\"time\"\n)\n\n",
                source_name(f)
            );
        }
        "python" => s.push_str("import logging\nimport os\nfrom dataclasses import dataclass\n\nlog = logging.getLogger(__name__)\n\n"),
        "node" => s.push_str("import { Router } from \"express\";\nimport { z } from \"zod\";\n\nconst router = Router();\n\n"),
        _ => {
            let _ = write!(s, "package com.acme.{};\n\nimport java.time.Duration;\nimport java.util.List;\n\n", service.replace('-', "_"));
        }
    }
    for i in 0..funcs {
        let a = *r.pick(WORDS);
        let b = *r.pick(WORDS);
        let comment = lorem(r, 1);
        match lang {
            "go" => {
                let _ = write!(
                    s,
                    "// {comment}\nfunc handle{i}{a}(ctx context.Context, w http.ResponseWriter, req *http.Request) error {{\n\tctx, cancel := context.WithTimeout(ctx, {} * time.Millisecond)\n\tdefer cancel()\n\tif err := validate(ctx, req, \"{b}\"); err != nil {{\n\t\treturn fmt.Errorf(\"{a} {b}: %w\", err)\n\t}}\n\treturn nil\n}}\n\n",
                    r.range(100, 5000)
                );
            }
            "python" => {
                let _ = write!(
                    s,
                    "def handle_{i}_{a}(request, retries={}):\n    \"\"\"{comment}\"\"\"\n    value = request.get(\"{b}\")\n    if value is None:\n        log.warning(\"missing {b} in %s\", request)\n        return None\n    return value\n\n\n",
                    r.range(1, 5)
                );
            }
            "node" => {
                let _ = write!(
                    s,
                    "// {comment}\nrouter.get(\"/{a}/{i}\", async (req, res) => {{\n  const {b} = z.string().parse(req.query.{b});\n  res.json({{ ok: true, {b}, took: {} }});\n}});\n\n",
                    r.range(1, 999)
                );
            }
            _ => {
                let _ = write!(
                    s,
                    "/** {comment} */\nclass Handle{i}{a} {{\n    private static final Duration TIMEOUT = Duration.ofMillis({});\n    List<String> {b}() {{ return List.of(\"{a}\", \"{b}\"); }}\n}}\n\n",
                    r.range(100, 5000)
                );
            }
        }
    }
    s
}

fn doc(w: &mut Writer, domain: &str, i: usize) {
    let mut r = seed(&[domain, "doc"], i);
    let title = *r.pick(&[
        "runbook",
        "architecture",
        "oncall",
        "decisions",
        "onboarding",
    ]);
    let mut text = format!("# {domain} {title}\n\n");
    for s in 0..r.range(3, 8) {
        let _ = write!(text, "## Section {s}\n\n{}\n\n", lorem(&mut r, 8));
    }
    w.write(&format!("domains/{domain}/docs/{title}-{i}.md"), &text);
    w.write(
        &format!("domains/{domain}/scripts/task-{i}.sh"),
        &format!(
            "#!/usr/bin/env bash\nset -euo pipefail\n\n# {}\naws s3 sync ./out \"s3://acme-{domain}-artifacts/{i}/\"\n",
            lorem(&mut r, 1)
        ),
    );
}
