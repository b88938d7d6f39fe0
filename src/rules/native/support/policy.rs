//! IAM and resource-policy documents in every form Terraform writes them: JSON strings
//! (heredocs, `jsonencode(...)` once evaluated) and `aws_iam_policy_document` data sources.
//! The one policy analyser every rule that reads a policy uses.

use serde_json::Value as Json;

use super::gathered::Gathered;
use crate::parse::node::{Node, Value};
use crate::rules::context::EvalCx;
use crate::rules::index::ResourceIndex;
use crate::rules::links::{LinkCache, Links};
use crate::rules::truth::Truth;
use crate::source::Span;

/// A policy attribute as JSON: `Ok(Some)` when known and valid, `Ok(None)` when known but
/// not a JSON policy, `Err(())` when unknown.
pub(crate) fn policy_json(n: &Node) -> Result<Option<Json>, ()> {
    match &n.value {
        Value::String(s) => Ok(serde_json::from_str(s).ok()),
        // A policy written as an HCL object (rare, but valid through jsonencode-less
        // modules) is read as is.
        Value::Map(_) if !n.contains_unknown() => Ok(Some(n.to_json())),
        Value::Unknown(_) | Value::Map(_) => Err(()),
        _ => Ok(None),
    }
}

pub(crate) fn statements(doc: &Json) -> Vec<&Json> {
    match doc.get("Statement") {
        Some(Json::Array(items)) => items.iter().collect(),
        Some(s @ Json::Object(_)) => vec![s],
        _ => Vec::new(),
    }
}

pub(crate) fn json_strings(v: Option<&Json>) -> Vec<&str> {
    match v {
        Some(Json::String(s)) => vec![s.as_str()],
        Some(Json::Array(items)) => items.iter().filter_map(Json::as_str).collect(),
        _ => Vec::new(),
    }
}

pub(crate) fn is_allow(stmt: &Json) -> bool {
    stmt.get("Effect")
        .and_then(Json::as_str)
        .is_some_and(|e| e.eq_ignore_ascii_case("allow"))
}

pub(crate) fn is_all_actions(a: &str) -> bool {
    matches!(a.trim(), "*" | "*:*")
}

/// A JSON policy with a statement allowing every action on every resource.
pub(crate) fn json_grants_admin(doc: &Json) -> bool {
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
pub(crate) fn condition_key_restricts(key: &str) -> bool {
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

pub(crate) fn json_condition_restricts(stmt: &Json) -> bool {
    let Some(Json::Object(ops)) = stmt.get("Condition") else {
        return false;
    };
    ops.values().any(|keys| match keys {
        Json::Object(keys) => keys.keys().any(|k| condition_key_restricts(k)),
        _ => true,
    })
}

pub(crate) fn json_principal_is_anyone(p: Option<&Json>) -> bool {
    match p {
        Some(Json::String(s)) => s.trim() == "*",
        Some(Json::Object(m)) => json_strings(m.get("AWS")).into_iter().any(|s| s == "*"),
        _ => false,
    }
}

/// A JSON policy with a statement allowing anyone (`Principal: "*"` or `{"AWS": "*"}`)
/// without a condition that narrows the caller.
pub(crate) fn json_grants_public(doc: &Json) -> bool {
    statements(doc).into_iter().any(|s| {
        is_allow(s) && json_principal_is_anyone(s.get("Principal")) && !json_condition_restricts(s)
    })
}

/// Effect of a data-source statement (default `Allow`).
pub(crate) fn doc_allows(stmt: &Node) -> Truth {
    match stmt.get("effect").map(|e| &e.value) {
        None | Some(Value::Null) => Truth::True,
        Some(Value::String(e)) if e.eq_ignore_ascii_case("allow") => Truth::True,
        Some(Value::Unknown(_)) => Truth::Unknown,
        Some(_) => Truth::False,
    }
}

/// The first element of a list attribute equal to one of `wanted` (`Err` when some
/// element is unknown and none matched).
pub(crate) fn find_in_list<'a>(
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
pub(crate) fn doc_admin_statements(doc: &Node, cx: &EvalCx<'_>, acc: &mut Gathered) {
    for stmt in doc.get("statement").map(Node::items).unwrap_or_default() {
        if stmt.get("_dynamic_unknown").is_some() {
            acc.unknown(stmt.span);
            continue;
        }
        // A statement naming principals belongs to a resource policy (a bucket, key or
        // endpoint policy), where `*` on `*` covers only that resource.
        let allow = doc_allows(stmt);
        if allow == Truth::False
            || stmt.get("principals").is_some()
            || stmt.get("not_principals").is_some()
        {
            continue;
        }
        let action = find_in_list(stmt.get("actions"), &is_all_actions);
        let resource = find_in_list(stmt.get("resources"), &|r| r.trim() == "*");
        match (allow, action, resource) {
            (_, Ok(None), _) | (_, _, Ok(None)) => {}
            (Truth::True, Ok(Some(a)), Ok(Some(_))) => acc.fail(cx.index.first_line(a.span)),
            _ => acc.unknown(stmt.span),
        }
    }
}

/// Statements of an `aws_iam_policy_document` letting anyone in: the `"*"` identifier of
/// each.
pub(crate) fn doc_public_statements(doc: &Node, cx: &EvalCx<'_>, acc: &mut Gathered) {
    for stmt in doc.get("statement").map(Node::items).unwrap_or_default() {
        if stmt.get("_dynamic_unknown").is_some() {
            acc.unknown(stmt.span);
            continue;
        }
        let allow = doc_allows(stmt);
        if allow == Truth::False {
            continue;
        }
        let mut restricted = Truth::False;
        for c in stmt.get("condition").map(Node::items).unwrap_or_default() {
            match c.get("variable").map(|v| &v.value) {
                Some(Value::String(v)) if !condition_key_restricts(v) => {}
                Some(Value::Unknown(_)) => restricted = Truth::Unknown,
                _ => {
                    restricted = Truth::True;
                    break;
                }
            }
        }
        if restricted == Truth::True {
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
                Ok(Some(star)) if allow == Truth::True && restricted == Truth::False => {
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

/// Whether the data source at `address` or a policy built from it is only a guard rail
/// (a permissions boundary or an Organizations policy), not a grant.
pub(crate) fn is_guard_rail(cx: &EvalCx<'_>, address: &str) -> bool {
    let me = cx.resource;
    // Reverse lookups built once per root: scanning every role, user and policy for each
    // document (and every role again for each policy) was cubic.
    let links = |kind: &str, attr: &str| {
        cx.index
            .memo("policy_attribute_links", |_| LinkCache::default())
            .get(
                ResourceIndex::root_key(me),
                format!("{kind}.{attr}"),
                || Links::of_attribute(cx.index, cx.index.same_root_ids(me, kind), attr),
            )
    };
    let roles = links("aws_iam_role", "permissions_boundary");
    let users = links("aws_iam_user", "permissions_boundary");
    let boundary =
        |addr: &str| !roles.linked(addr, None).is_empty() || !users.linked(addr, None).is_empty();
    if boundary(address) {
        return true;
    }
    if me.kind == "data.aws_iam_policy_document" {
        if !links("aws_organizations_policy", "content")
            .linked(address, None)
            .is_empty()
        {
            return true;
        }
        return links("aws_iam_policy", "policy")
            .linked(address, None)
            .into_iter()
            .filter_map(|i| cx.index.resource(i))
            .any(|p| boundary(&p.address));
    }
    false
}

/// The policy attributes of an identity-policy resource: its `policy` and the `policy` of
/// each `inline_policy` block (roles).
pub(crate) fn identity_policies(node: &Node) -> Vec<&Node> {
    let mut policies: Vec<&Node> = node.get("policy").into_iter().collect();
    for block in node
        .get("inline_policy")
        .map(Node::items)
        .unwrap_or_default()
    {
        policies.extend(block.get("policy"));
    }
    policies
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
