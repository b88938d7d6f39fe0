//! Native checks for AWS: IAM and S3 policy documents (JSON strings and
//! `aws_iam_policy_document` data sources), security-group port ranges, and credential
//! patterns in providers, user data and container environments (see `native/mod.rs`).

use std::sync::LazyLock;

use regex::Regex;
use serde_json::Value as Json;

use super::NativeFn;
use crate::model::Resource;
use crate::parse::node::{Node, Value};
use crate::rules::context::EvalCx;
use crate::rules::predicate::refers_to;
use crate::rules::truth::Outcome;
use crate::source::Span;

pub(super) const NATIVES: &[(&str, NativeFn)] = &[
    ("aws_sg_public_ingress", sg_public_ingress),
    ("aws_iam_admin_policy", iam_admin_policy),
    ("aws_s3_public_policy", s3_public_policy),
    ("aws_provider", aws_provider),
    ("aws_user_data_secrets", user_data_secrets),
    ("aws_lambda_env_secrets", lambda_env_secrets),
    ("aws_ecs_env_secrets", ecs_env_secrets),
];

/// Failures and unknowns gathered over several parts of a resource.
#[derive(Default)]
struct Acc {
    fails: Vec<Span>,
    unknown: Vec<Span>,
    any_unknown: bool,
}

impl Acc {
    fn fail(&mut self, span: Span) {
        if !self.fails.contains(&span) {
            self.fails.push(span);
        }
    }

    fn unknown(&mut self, span: Span) {
        self.any_unknown = true;
        self.unknown.push(span);
    }

    fn outcome(self) -> Outcome {
        if !self.fails.is_empty() {
            Outcome::fail(self.fails)
        } else if self.any_unknown {
            Outcome::unknown(self.unknown)
        } else {
            Outcome::pass(Vec::new())
        }
    }
}

/// Three-valued answer of a small question about a value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tri {
    Yes,
    No,
    Unknown,
}

fn text_of(n: &Node) -> Option<String> {
    match &n.value {
        Value::String(s) => Some(s.clone()),
        Value::Number(_) | Value::Bool(_) => n.scalar_text(),
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------
// Security groups
// ---------------------------------------------------------------------------------------

/// Remote administration: SSH and RDP.
const ADMIN_PORTS: &[u32] = &[22, 3389];
/// Databases, caches, search, dashboards, container and remote-management daemons.
const SERVICE_PORTS: &[u32] = &[
    23, 1433, 1434, 1521, 2375, 2376, 2379, 3306, 5432, 5601, 5984, 5985, 5986, 6379, 9042, 9200,
    9300, 11211, 27017,
];

/// What one ingress rule opens, most severe first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Exposure {
    /// Every protocol, or every TCP/UDP port.
    All,
    /// SSH or RDP.
    Admin,
    /// A database, cache or management port.
    Service,
    None,
}

/// Classifies a rule by protocol and port range; `None` when a needed value is unknown.
fn classify(protocol: &str, from: Option<f64>, to: Option<f64>) -> Option<Exposure> {
    let p = protocol.trim().to_ascii_lowercase();
    let tcp = p == "tcp" || p == "6";
    let udp = p == "udp" || p == "17";
    if p == "-1" || p == "all" {
        return Some(Exposure::All);
    }
    if !tcp && !udp {
        return Some(Exposure::None);
    }
    let (from, to) = (from?, to?);
    if from <= 1.0 && to >= 65535.0 {
        return Some(Exposure::All);
    }
    let covers = |ports: &[u32]| {
        ports
            .iter()
            .any(|&port| from <= f64::from(port) && f64::from(port) <= to)
    };
    // Over UDP only RDP (3389) is a remote-administration service.
    if (tcp && covers(ADMIN_PORTS)) || (udp && covers(&[3389])) {
        return Some(Exposure::Admin);
    }
    if tcp && covers(SERVICE_PORTS) {
        return Some(Exposure::Service);
    }
    Some(Exposure::None)
}

fn is_public_cidr(s: &str) -> bool {
    matches!(s.trim(), "0.0.0.0/0" | "::/0")
}

/// Public sources of one rule: spans of `0.0.0.0/0` / `::/0` values, and whether some
/// source is unknown.
fn public_sources(rule: &Node, attrs: &[&str]) -> (Vec<Span>, Option<Span>) {
    let mut spans = Vec::new();
    let mut unknown = None;
    for attr in attrs {
        let Some(v) = rule.get(attr) else { continue };
        let items: Vec<&Node> = match &v.value {
            Value::List(items) => items.iter().collect(),
            _ => vec![v],
        };
        for item in items {
            match &item.value {
                Value::String(s) if is_public_cidr(s) => spans.push(item.span),
                Value::Unknown(_) => unknown = unknown.or(Some(item.span)),
                _ => {}
            }
        }
    }
    (spans, unknown)
}

fn port(rule: &Node, key: &str) -> Option<f64> {
    rule.get(key).and_then(Node::as_f64)
}

fn check_sg_rule(rule: &Node, protocol_key: &str, cidrs: &[&str], want: Exposure, acc: &mut Acc) {
    if rule.is_unknown() || rule.get("_dynamic_unknown").is_some() {
        acc.unknown(rule.span);
        return;
    }
    let (public, unknown_source) = public_sources(rule, cidrs);
    if public.is_empty() && unknown_source.is_none() {
        return;
    }
    let protocol = rule.get(protocol_key);
    let exposure = match protocol.and_then(text_of) {
        Some(p) => classify(&p, port(rule, "from_port"), port(rule, "to_port")),
        None => None,
    };
    match exposure {
        Some(e) if e != want => {}
        Some(_) if !public.is_empty() => public.into_iter().for_each(|s| acc.fail(s)),
        _ => acc.unknown(
            unknown_source
                .or(public.first().copied())
                .unwrap_or(rule.span),
        ),
    }
}

/// Ingress from `0.0.0.0/0` or `::/0` that opens the exposure class named in
/// `args.class` (`all`, `admin` or `service`); each public CIDR is a failure.
fn sg_public_ingress(node: &Node, cx: &EvalCx<'_>, args: Option<&Node>) -> Outcome {
    let want = match args.and_then(|a| a.get("class")).and_then(Node::as_str) {
        Some("all") => Exposure::All,
        Some("admin") => Exposure::Admin,
        Some("service") => Exposure::Service,
        _ => return Outcome::unknown(Vec::new()),
    };
    let mut acc = Acc::default();
    match cx.resource.kind.as_str() {
        "aws_security_group" | "aws_default_security_group" => match node.get("ingress") {
            Some(v) if v.is_unknown() => acc.unknown(v.span),
            Some(v) => {
                for rule in v.items() {
                    check_sg_rule(
                        rule,
                        "protocol",
                        &["cidr_blocks", "ipv6_cidr_blocks"],
                        want,
                        &mut acc,
                    );
                }
            }
            None => {}
        },
        "aws_security_group_rule" => match node.get("type").map(|t| &t.value) {
            Some(Value::String(t)) if t == "ingress" => check_sg_rule(
                node,
                "protocol",
                &["cidr_blocks", "ipv6_cidr_blocks"],
                want,
                &mut acc,
            ),
            Some(Value::Unknown(_)) => acc.unknown(cx.resource.header),
            _ => {}
        },
        "aws_vpc_security_group_ingress_rule" => {
            check_sg_rule(
                node,
                "ip_protocol",
                &["cidr_ipv4", "cidr_ipv6"],
                want,
                &mut acc,
            );
        }
        _ => {}
    }
    acc.outcome()
}

// ---------------------------------------------------------------------------------------
// Policy documents
// ---------------------------------------------------------------------------------------

/// A policy attribute as JSON: `Ok(Some)` when known and valid, `Ok(None)` when known but
/// not a JSON policy, `Err(())` when unknown.
fn policy_json(n: &Node) -> Result<Option<Json>, ()> {
    match &n.value {
        Value::String(s) => Ok(serde_json::from_str(s).ok()),
        // A policy written as an HCL object (rare, but valid through jsonencode-less
        // modules) is read as is.
        Value::Map(_) if !n.contains_unknown() => Ok(Some(n.to_json())),
        Value::Unknown(_) | Value::Map(_) => Err(()),
        _ => Ok(None),
    }
}

fn statements(doc: &Json) -> Vec<&Json> {
    match doc.get("Statement") {
        Some(Json::Array(items)) => items.iter().collect(),
        Some(s @ Json::Object(_)) => vec![s],
        _ => Vec::new(),
    }
}

fn json_strings(v: Option<&Json>) -> Vec<&str> {
    match v {
        Some(Json::String(s)) => vec![s.as_str()],
        Some(Json::Array(items)) => items.iter().filter_map(Json::as_str).collect(),
        _ => Vec::new(),
    }
}

fn is_allow(stmt: &Json) -> bool {
    stmt.get("Effect")
        .and_then(Json::as_str)
        .is_some_and(|e| e.eq_ignore_ascii_case("allow"))
}

fn is_all_actions(a: &str) -> bool {
    matches!(a.trim(), "*" | "*:*")
}

/// A JSON policy with a statement allowing every action on every resource.
fn json_grants_admin(doc: &Json) -> bool {
    statements(doc).into_iter().any(|s| {
        is_allow(s)
            && s.get("Principal").is_none()
            && s.get("NotPrincipal").is_none()
            && json_strings(s.get("Action"))
                .into_iter()
                .any(is_all_actions)
            && json_strings(s.get("Resource"))
                .into_iter()
                .any(|r| r.trim() == "*")
    })
}

/// Condition keys that do not narrow who the caller is: a statement conditioned only on
/// these still lets anyone in.
fn condition_key_restricts(key: &str) -> bool {
    let k = key.trim().to_ascii_lowercase();
    const OPEN: &[&str] = &[
        "aws:securetransport",
        "aws:referer",
        "aws:useragent",
        "aws:currenttime",
        "aws:epochtime",
        "aws:requestedregion",
        "s3:x-amz-acl",
        "s3:x-amz-server-side-encryption",
        "s3:x-amz-server-side-encryption-aws-kms-key-id",
        "s3:x-amz-content-sha256",
        "s3:x-amz-storage-class",
        "s3:tlsversion",
        "s3:signatureversion",
        "s3:signatureage",
        "s3:authtype",
        "s3:prefix",
        "s3:delimiter",
        "s3:max-keys",
        "s3:versionid",
    ];
    const OPEN_PREFIXES: &[&str] = &["s3:existingobjecttag/", "s3:requestobjecttag/"];
    !(OPEN.contains(&k.as_str()) || OPEN_PREFIXES.iter().any(|p| k.starts_with(p)))
}

fn json_condition_restricts(stmt: &Json) -> bool {
    let Some(Json::Object(ops)) = stmt.get("Condition") else {
        return false;
    };
    ops.values().any(|keys| match keys {
        Json::Object(keys) => keys.keys().any(|k| condition_key_restricts(k)),
        _ => true,
    })
}

fn json_principal_is_anyone(p: Option<&Json>) -> bool {
    match p {
        Some(Json::String(s)) => s.trim() == "*",
        Some(Json::Object(m)) => json_strings(m.get("AWS")).into_iter().any(|s| s == "*"),
        _ => false,
    }
}

/// A JSON policy with a statement allowing anyone (`Principal: "*"` or `{"AWS": "*"}`)
/// without a condition that narrows the caller.
fn json_grants_public(doc: &Json) -> bool {
    statements(doc).into_iter().any(|s| {
        is_allow(s) && json_principal_is_anyone(s.get("Principal")) && !json_condition_restricts(s)
    })
}

/// Effect of a data-source statement (default `Allow`).
fn doc_allows(stmt: &Node) -> Tri {
    match stmt.get("effect").map(|e| &e.value) {
        None | Some(Value::Null) => Tri::Yes,
        Some(Value::String(e)) if e.eq_ignore_ascii_case("allow") => Tri::Yes,
        Some(Value::Unknown(_)) => Tri::Unknown,
        Some(_) => Tri::No,
    }
}

/// The first element of a list attribute equal to one of `wanted` (`Err` when some
/// element is unknown and none matched).
fn find_in_list<'a>(
    n: Option<&'a Node>,
    wanted: &dyn Fn(&str) -> bool,
) -> Result<Option<&'a Node>, Span> {
    let Some(n) = n else { return Ok(None) };
    let items: Vec<&Node> = match &n.value {
        Value::List(items) => items.iter().collect(),
        Value::Unknown(_) => return Err(n.span),
        _ => vec![n],
    };
    let mut unknown = None;
    for item in items {
        match &item.value {
            Value::String(s) if wanted(s) => return Ok(Some(item)),
            Value::Unknown(_) => unknown = unknown.or(Some(item.span)),
            _ => {}
        }
    }
    unknown.map_or(Ok(None), Err)
}

/// Statements of an `aws_iam_policy_document` allowing `*` actions on `*` resources:
/// the `"*"` action element of each.
fn doc_admin_statements(doc: &Node, cx: &EvalCx<'_>, acc: &mut Acc) {
    for stmt in doc.get("statement").map(Node::items).unwrap_or_default() {
        if stmt.get("_dynamic_unknown").is_some() {
            acc.unknown(stmt.span);
            continue;
        }
        // A statement naming principals belongs to a resource policy (a bucket, key or
        // endpoint policy), where `*` on `*` covers only that resource.
        let allow = doc_allows(stmt);
        if allow == Tri::No
            || stmt.get("principals").is_some()
            || stmt.get("not_principals").is_some()
        {
            continue;
        }
        let action = find_in_list(stmt.get("actions"), &is_all_actions);
        let resource = find_in_list(stmt.get("resources"), &|r| r.trim() == "*");
        match (allow, action, resource) {
            (_, Ok(None), _) | (_, _, Ok(None)) => {}
            (Tri::Yes, Ok(Some(a)), Ok(Some(_))) => acc.fail(cx.index.first_line(a.span)),
            _ => acc.unknown(stmt.span),
        }
    }
}

/// Whether the data source at `address` or a policy built from it is only a guard rail
/// (a permissions boundary or an Organizations policy), not a grant.
fn is_guard_rail(cx: &EvalCx<'_>, address: &str) -> bool {
    let me = cx.resource;
    let boundary = |addr: &str| {
        ["aws_iam_role", "aws_iam_user"].iter().any(|kind| {
            cx.index
                .same_root(me, kind)
                .any(|r| refers(r, "permissions_boundary", addr))
        })
    };
    if boundary(address) {
        return true;
    }
    if me.kind == "data.aws_iam_policy_document" {
        if cx
            .index
            .same_root(me, "aws_organizations_policy")
            .any(|r| refers(r, "content", address))
        {
            return true;
        }
        return cx
            .index
            .same_root(me, "aws_iam_policy")
            .any(|p| refers(p, "policy", address) && boundary(&p.address));
    }
    false
}

/// Whether `r`'s attribute `attr` refers to `address`.
fn refers(r: &Resource, attr: &str, address: &str) -> bool {
    r.body
        .get(attr)
        .is_some_and(|v| v.refs().iter().any(|x| refers_to(x, address)))
}

/// IAM identity policies (`policy` attribute, `inline_policy` blocks of roles) and
/// `aws_iam_policy_document` data sources granting `*` on `*`.
fn iam_admin_policy(node: &Node, cx: &EvalCx<'_>, _: Option<&Node>) -> Outcome {
    let me = cx.resource;
    if is_guard_rail(cx, &me.address) {
        return Outcome::pass(Vec::new());
    }
    let mut acc = Acc::default();
    if me.kind == "data.aws_iam_policy_document" {
        doc_admin_statements(node, cx, &mut acc);
        return acc.outcome();
    }
    let mut policies: Vec<&Node> = node.get("policy").into_iter().collect();
    for block in node
        .get("inline_policy")
        .map(Node::items)
        .unwrap_or_default()
    {
        policies.extend(block.get("policy"));
    }
    for p in policies {
        match policy_json(p) {
            Ok(Some(doc)) if json_grants_admin(&doc) => acc.fail(cx.index.first_line(p.span)),
            Ok(_) => {}
            Err(()) => acc.unknown(p.span),
        }
    }
    acc.outcome()
}

/// Statements of an `aws_iam_policy_document` letting anyone in: the `"*"` identifier of
/// each.
fn doc_public_statements(doc: &Node, cx: &EvalCx<'_>, acc: &mut Acc) {
    for stmt in doc.get("statement").map(Node::items).unwrap_or_default() {
        if stmt.get("_dynamic_unknown").is_some() {
            acc.unknown(stmt.span);
            continue;
        }
        let allow = doc_allows(stmt);
        if allow == Tri::No {
            continue;
        }
        let mut restricted = Tri::No;
        for c in stmt.get("condition").map(Node::items).unwrap_or_default() {
            match c.get("variable").map(|v| &v.value) {
                Some(Value::String(v)) if !condition_key_restricts(v) => {}
                Some(Value::Unknown(_)) => restricted = Tri::Unknown,
                _ => {
                    restricted = Tri::Yes;
                    break;
                }
            }
        }
        if restricted == Tri::Yes {
            continue;
        }
        for p in stmt.get("principals").map(Node::items).unwrap_or_default() {
            let kind = p.get("type").map(|t| &t.value);
            let open_kind = match kind {
                Some(Value::String(t)) => t == "*" || t == "AWS",
                Some(Value::Unknown(_)) => {
                    acc.unknown(p.span);
                    continue;
                }
                _ => false,
            };
            if !open_kind {
                continue;
            }
            match find_in_list(p.get("identifiers"), &|i| i.trim() == "*") {
                Ok(Some(star)) if allow == Tri::Yes && restricted == Tri::No => {
                    acc.fail(cx.index.first_line(star.span));
                }
                Ok(None) => {}
                Ok(Some(star)) => acc.unknown(star.span),
                Err(span) => acc.unknown(span),
            }
        }
    }
    for merged in [
        "source_policy_documents",
        "override_policy_documents",
        "source_json",
        "override_json",
    ] {
        if let Some(v) = doc.get(merged) {
            acc.unknown(v.span);
        }
    }
}

/// S3 bucket policies (`aws_s3_bucket_policy`, inline `policy` of `aws_s3_bucket`)
/// allowing anyone without a narrowing condition. A policy built by an
/// `aws_iam_policy_document` data source is read through the reference.
fn s3_public_policy(node: &Node, cx: &EvalCx<'_>, _: Option<&Node>) -> Outcome {
    let Some(p) = node.get("policy") else {
        return Outcome::pass(Vec::new());
    };
    let mut acc = Acc::default();
    match policy_json(p) {
        Ok(Some(doc)) if json_grants_public(&doc) => acc.fail(cx.index.first_line(p.span)),
        Ok(_) => {}
        Err(()) => {
            let docs: Vec<&Resource> = cx
                .index
                .same_root(cx.resource, "data.aws_iam_policy_document")
                .filter(|d| p.refs().iter().any(|r| refers_to(r, &d.address)))
                .collect();
            if docs.is_empty() {
                acc.unknown(p.span);
            }
            for d in docs {
                let dcx = EvalCx {
                    resource: d,
                    body: &d.body,
                    index: cx.index,
                    memo: &crate::rules::context::Memo::default(),
                };
                doc_public_statements(&d.body, &dcx, &mut acc);
            }
        }
    }
    acc.outcome()
}

// ---------------------------------------------------------------------------------------
// Credentials
// ---------------------------------------------------------------------------------------

/// `when:` helper: the resource is an `aws` provider configuration (`provider.aws`,
/// `provider.aws.<alias>`, also inside modules).
fn aws_provider(_: &Node, cx: &EvalCx<'_>, _: Option<&Node>) -> Outcome {
    let a = &cx.resource.address;
    let local = a.rfind("provider.").map_or(a.as_str(), |i| &a[i..]);
    let ok = cx.resource.kind == "provider"
        && (local == "provider.aws" || local.starts_with("provider.aws."));
    Outcome::from_bool(ok, cx.resource.header)
}

static AWS_KEY_ID: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b").expect("static regex"));

/// `NAME=value` / `name: value` assignments whose name says secret. The value is the
/// literal after the separator; shell expansions and templates do not match.
static SECRET_ASSIGNMENT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?im)(?:^|[^A-Za-z0-9_])([A-Za-z0-9_]*(?:password|passwd|secret|token|api_?key|private_?key|access_?key)[A-Za-z0-9_]*)["']?[ \t]*[=:][ \t]*["']?([^\s"'$`{}\[\]<>()|;&\\]+)(?:["'\s;&|]|$)"#,
    )
    .expect("static regex")
});

/// Credentials embedded in a URL: `scheme://user:password@host`.
static URL_CREDENTIALS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[A-Za-z][A-Za-z0-9+.-]*://[^\s:/@$]*:([^\s@/$]+)@[^\s/]").expect("static regex")
});

/// Names of environment variables or settings that hold a secret: ending in
/// `PASSWORD`, `SECRET`, `TOKEN`, `API_KEY`, `PRIVATE_KEY`, `SECRET_KEY`, `ACCESS_KEY`.
fn is_secret_name(name: &str) -> bool {
    static RE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"(?i)(?:^|[_.-])(?:password|passwd|pass|secret|token|api_?key|apikey|private_?key|secret_?key|access_?key|client_?secret|signing_?key|encryption_?key)[0-9]*$",
        )
        .expect("static regex")
    });
    let n = name.trim();
    RE.is_match(n) || n.eq_ignore_ascii_case("password") || n.eq_ignore_ascii_case("secret")
}

/// Whether a value assigned to a secret-named setting is a literal secret rather than
/// a flag, a number, a path or a pointer to a secret store.
fn is_literal_secret(value: &str) -> bool {
    let v = value.trim().trim_matches(|c| c == '"' || c == '\'');
    if v.chars().count() < 4 {
        return false;
    }
    let lower = v.to_ascii_lowercase();
    const NOT_SECRETS: &[&str] = &[
        "true", "false", "yes", "no", "none", "null", "nil", "enabled", "disabled", "required",
        "optional",
    ];
    if NOT_SECRETS.contains(&lower.as_str()) || v.parse::<f64>().is_ok() {
        return false;
    }
    const POINTERS: &[&str] = &["arn:", "{{resolve:", "ssm:", "secretsmanager:", "/", "${"];
    if POINTERS.iter().any(|p| lower.starts_with(p)) {
        return false;
    }
    // Placeholders: `<secret>`, `{{ token }}`, `xxxx`, `****`, `redacted`.
    const PLACEHOLDERS: &[&str] = &[
        "placeholder",
        "redacted",
        "dummy",
        "password",
        "passwd",
        "secret",
        "token",
        "changeit",
    ];
    let templated =
        (v.starts_with('<') && v.ends_with('>')) || v.contains("{{") || v.contains("%{");
    let one_char = v.chars().all(|c| v.starts_with(c));
    !(templated || one_char || PLACEHOLDERS.contains(&lower.as_str()))
}

/// Whether a free text (user data) holds a credential: an AWS access key id, a secret
/// assigned to a secret-named variable, or a URL with a password.
fn text_has_secret(text: &str) -> bool {
    if AWS_KEY_ID.is_match(text) {
        return true;
    }
    let assigned = SECRET_ASSIGNMENT.captures_iter(text).any(|c| {
        let name = c.get(1).map_or("", |m| m.as_str());
        let value = c.get(2).map_or("", |m| m.as_str());
        is_secret_name(name) && is_literal_secret(value)
    });
    assigned || url_has_password(text)
}

/// Whether a text holds a URL with a literal password (`scheme://user:password@host`).
fn url_has_password(text: &str) -> bool {
    URL_CREDENTIALS
        .captures_iter(text)
        .any(|c| c.get(1).is_some_and(|m| is_literal_secret(m.as_str())))
}

/// Whether an environment variable `name = value` carries a literal credential.
fn env_has_secret(name: &str, value: &str) -> bool {
    if value.trim().is_empty() {
        return false;
    }
    (is_secret_name(name) && is_literal_secret(value))
        || AWS_KEY_ID.is_match(value)
        || url_has_password(value)
}

/// Decodes standard base64 (padding optional); `None` when it is not base64 text.
fn base64_decode(s: &str) -> Option<String> {
    let s: String = s.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    if s.len() < 8 || s.len() % 4 == 1 {
        return None;
    }
    let mut bits: u32 = 0;
    let mut n = 0;
    let mut out = Vec::with_capacity(s.len() / 4 * 3);
    for c in s.trim_end_matches('=').bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        };
        bits = (bits << 6) | u32::from(v);
        n += 6;
        if n >= 8 {
            n -= 8;
            out.push((bits >> n) as u8);
            bits &= (1 << n) - 1;
        }
    }
    String::from_utf8(out).ok()
}

/// EC2 user data (`aws_instance`, `aws_launch_template`, `aws_launch_configuration`)
/// holding a literal credential; base64 user data is decoded first.
fn user_data_secrets(node: &Node, cx: &EvalCx<'_>, _: Option<&Node>) -> Outcome {
    let mut acc = Acc::default();
    for key in ["user_data", "user_data_base64"] {
        let Some(v) = node.get(key) else { continue };
        match &v.value {
            Value::String(s) => {
                let decoded = base64_decode(s);
                if text_has_secret(s) || decoded.is_some_and(|d| text_has_secret(&d)) {
                    acc.fail(cx.index.first_line(v.span));
                }
            }
            Value::Unknown(_) => acc.unknown(v.span),
            _ => {}
        }
    }
    acc.outcome()
}

/// Lambda `environment { variables = { ... } }` entries holding a literal credential:
/// each offending value.
fn lambda_env_secrets(node: &Node, cx: &EvalCx<'_>, _: Option<&Node>) -> Outcome {
    let mut acc = Acc::default();
    for env in node.get("environment").map(Node::items).unwrap_or_default() {
        let Some(vars) = env.get("variables") else {
            continue;
        };
        if vars.is_unknown() {
            acc.unknown(vars.span);
            continue;
        }
        for e in vars.entries() {
            match &e.value.value {
                Value::String(s) if env_has_secret(&e.key, s) => {
                    acc.fail(cx.index.first_line(e.value.span));
                }
                Value::Unknown(_) if is_secret_name(&e.key) => acc.unknown(e.value.span),
                _ => {}
            }
        }
    }
    acc.outcome()
}

/// Whether ECS container definitions (JSON) set a literal credential in `environment`.
fn containers_have_secret(defs: &Json) -> bool {
    let containers: Vec<&Json> = match defs {
        Json::Array(items) => items.iter().collect(),
        other => vec![other],
    };
    containers.into_iter().any(|c| {
        c.get("environment")
            .and_then(Json::as_array)
            .is_some_and(|env| {
                env.iter().any(|e| {
                    let name = e.get("name").and_then(Json::as_str).unwrap_or_default();
                    e.get("value")
                        .and_then(Json::as_str)
                        .is_some_and(|v| env_has_secret(name, v))
                })
            })
    })
}

/// ECS task definitions whose `container_definitions` put a literal credential in a
/// container's `environment` (instead of `secrets`).
fn ecs_env_secrets(node: &Node, cx: &EvalCx<'_>, _: Option<&Node>) -> Outcome {
    let mut acc = Acc::default();
    if let Some(v) = node.get("container_definitions") {
        match &v.value {
            Value::String(s)
                if serde_json::from_str::<Json>(s).is_ok_and(|d| containers_have_secret(&d)) =>
            {
                acc.fail(cx.index.first_line(v.span));
            }
            Value::Unknown(_) => acc.unknown(v.span),
            _ => {}
        }
    }
    acc.outcome()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn port_ranges_are_classified_by_most_severe_exposure() {
        let c = |p: &str, f: f64, t: f64| classify(p, Some(f), Some(t)).unwrap();
        assert_eq!(c("-1", 0.0, 0.0), Exposure::All);
        assert_eq!(c("tcp", 0.0, 65535.0), Exposure::All);
        assert_eq!(c("6", 22.0, 22.0), Exposure::Admin);
        assert_eq!(c("tcp", 20.0, 3400.0), Exposure::Admin);
        assert_eq!(c("TCP", 5432.0, 5432.0), Exposure::Service);
        assert_eq!(c("tcp", 1024.0, 65535.0), Exposure::Admin);
        assert_eq!(c("tcp", 5000.0, 65535.0), Exposure::Service);
        assert_eq!(c("tcp", 443.0, 443.0), Exposure::None);
        assert_eq!(c("udp", 3389.0, 3389.0), Exposure::Admin);
        assert_eq!(c("udp", 22.0, 22.0), Exposure::None);
        assert_eq!(c("icmp", -1.0, -1.0), Exposure::None);
        assert_eq!(classify("tcp", None, Some(22.0)), None);
        assert_eq!(classify("all", None, None), Some(Exposure::All));
    }

    #[test]
    fn admin_policies_need_star_action_and_star_resource() {
        let admin: Json = serde_json::from_str(
            r#"{"Statement":[{"Effect":"Allow","Action":["s3:GetObject","*"],"Resource":"*"}]}"#,
        )
        .unwrap();
        assert!(json_grants_admin(&admin));
        let single: Json = serde_json::from_str(
            r#"{"Statement":{"Effect":"Allow","Action":"*:*","Resource":["*"]}}"#,
        )
        .unwrap();
        assert!(json_grants_admin(&single));
        for ok in [
            r#"{"Statement":[{"Effect":"Allow","Action":"iam:*","Resource":"*"}]}"#,
            r#"{"Statement":[{"Effect":"Allow","Action":"*","Resource":"arn:aws:s3:::b/*"}]}"#,
            r#"{"Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}"#,
            r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}"#,
        ] {
            assert!(
                !json_grants_admin(&serde_json::from_str(ok).unwrap()),
                "{ok}"
            );
        }
    }

    #[test]
    fn public_policies_ignore_denies_and_narrowing_conditions() {
        let p = |s: &str| json_grants_public(&serde_json::from_str(s).unwrap());
        assert!(p(
            r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject"}]}"#
        ));
        assert!(p(
            r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":["*"]},"Action":"s3:*"}]}"#
        ));
        assert!(p(
            r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Condition":{"Bool":{"aws:SecureTransport":"true"}}}]}"#
        ));
        assert!(!p(
            r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Condition":{"StringEquals":{"aws:SourceVpce":"vpce-1a2b3c"}}}]}"#
        ));
        assert!(!p(
            r#"{"Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}"#
        ));
        assert!(!p(
            r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"s3:*"}]}"#
        ));
        assert!(!p(
            r#"{"Statement":[{"Effect":"Allow","Principal":{"Service":"logging.s3.amazonaws.com"},"Action":"s3:PutObject"}]}"#
        ));
    }

    #[test]
    fn secret_names_and_values() {
        for name in [
            "DB_PASSWORD",
            "STRIPE_SECRET_KEY",
            "GITHUB_TOKEN",
            "api_key",
            "JWT_SECRET",
            "Password",
            "db.pass",
        ] {
            assert!(is_secret_name(name), "{name}");
        }
        for name in [
            "DB_PASSWORD_ARN",
            "SECRET_NAME",
            "TOKEN_TTL",
            "BYPASS",
            "PWD",
            "AWS_ACCESS_KEY_ID",
        ] {
            assert!(!is_secret_name(name), "{name}");
        }
        assert!(is_literal_secret("s3cr3t-Value"));
        for v in [
            "true",
            "8080",
            "arn:aws:secretsmanager:eu-west-1:111122223333:secret:db",
            "/prod/db/password",
            "abc",
        ] {
            assert!(!is_literal_secret(v), "{v}");
        }
    }

    #[test]
    fn user_data_secrets_are_found_and_shell_expansions_are_not() {
        assert!(text_has_secret("export DB_PASSWORD='Tr0ub4dor&3'\n"));
        assert!(text_has_secret(
            "aws configure set aws_access_key_id AKIA2E0A8F3B244C9986"
        ));
        assert!(text_has_secret(
            "DATABASE_URL=postgres://app:hunter2hunter@db.internal:5432/app"
        ));
        assert!(text_has_secret(
            "users:\n  - name: ops\n    plain_text_passwd: 'Winter2024!'\n"
        ));
        for ok in [
            "export DB_PASSWORD=$(aws ssm get-parameter --name /app/db --with-decryption)",
            "TOKEN=`curl -X PUT http://169.254.169.254/latest/api/token`",
            "curl -H \"X-aws-ec2-metadata-token-ttl-seconds: 21600\"",
            "chpasswd:\n  expire: false\nlock_passwd: true\n",
            "sed -i 's/PasswordAuthentication yes/PasswordAuthentication no/' /etc/ssh/sshd_config",
            "echo \"PASSWORD_FILE=/run/secrets/db\"",
            "api_key = os.getenv(\"API_KEY\")",
            "DB_PASSWORD=<your-password-here>",
            "DATABASE_URL=postgres://app:${DB_PASSWORD}@db.internal/app",
        ] {
            assert!(!text_has_secret(ok), "{ok}");
        }
    }

    #[test]
    fn base64_round_trip() {
        assert_eq!(
            base64_decode("cGFzc3dvcmQ9aHVudGVyMg==").as_deref(),
            Some("password=hunter2")
        );
        assert_eq!(base64_decode("#!/bin/bash"), None);
    }

    #[test]
    fn ecs_environment_secrets() {
        let d: Json = serde_json::from_str(
            r#"[{"name":"api","environment":[{"name":"LOG_LEVEL","value":"info"},{"name":"DB_PASSWORD","value":"n0t-a-real-one"}]}]"#,
        )
        .unwrap();
        assert!(containers_have_secret(&d));
        let ok: Json = serde_json::from_str(
            r#"[{"name":"api","environment":[{"name":"LOG_LEVEL","value":"info"}],"secrets":[{"name":"DB_PASSWORD","valueFrom":"arn:aws:ssm:eu-west-1:111122223333:parameter/db"}]}]"#,
        )
        .unwrap();
        assert!(!containers_have_secret(&ok));
    }
}
