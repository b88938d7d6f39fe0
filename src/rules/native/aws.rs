//! Native checks for AWS account-wide settings and S3 log buckets (see `native/mod.rs`).

use super::NativeFn;
use crate::parse::node::{Node, Value};
use crate::rules::predicate::{EvalCx, refers_to};
use crate::rules::truth::Outcome;

pub(super) const NATIVES: &[(&str, NativeFn)] = &[
    ("aws_account_setting", account_setting),
    ("aws_s3_log_target", s3_log_target),
];

/// Three-valued answer about one account-level resource.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tri {
    Yes,
    No,
    Unknown,
}

/// Whether every attribute in `flags` of `body` is true; a missing (or null) attribute
/// takes `missing`, the provider's default.
fn flags_all_true(body: &Node, flags: &[&str], missing: bool) -> Tri {
    let mut answer = Tri::Yes;
    for flag in flags {
        let value = match body.get(flag) {
            None => Some(missing),
            Some(n) => match &n.value {
                Value::Null => Some(missing),
                Value::Unknown(_) => None,
                _ => n.as_bool(),
            },
        };
        match value {
            Some(true) => {}
            Some(false) => return Tri::No,
            None => answer = Tri::Unknown,
        }
    }
    answer
}

/// An account-wide setting that makes a per-resource setting moot, declared anywhere in
/// the same Terraform root (account S3 Block Public Access, EBS encryption by default).
///
/// `args`: `kind` (the account-level resource type), `flags` (attributes that must all
/// be true) and `default` (the value of a flag left unset, false unless given).
/// True when a resource of `kind` in the root has every flag true; unknown when one
/// might (a flag that cannot be known); false otherwise, pointing at the resource
/// header so an `any` prefers a more specific failure.
fn account_setting(_: &Node, cx: &EvalCx<'_>, args: Option<&Node>) -> Outcome {
    let me = cx.resource;
    let Some(kind) = args.and_then(|a| a.get("kind")).and_then(Node::as_str) else {
        return Outcome::unknown(Vec::new());
    };
    let flags: Vec<&str> = args
        .and_then(|a| a.get("flags"))
        .map(|f| f.items().iter().filter_map(Node::as_str).collect())
        .unwrap_or_default();
    let missing = args
        .and_then(|a| a.get("default"))
        .and_then(Node::as_bool)
        .unwrap_or(false);
    let mut unknown = false;
    for other in cx.index.same_root(me, kind) {
        match flags_all_true(&other.body, &flags, missing) {
            Tri::Yes => return Outcome::pass(vec![other.header]),
            Tri::Unknown => unknown = true,
            Tri::No => {}
        }
    }
    if unknown {
        Outcome::unknown(vec![me.header])
    } else {
        Outcome::fail(vec![me.header])
    }
}

/// How another resource can name a bucket: its address, its literal name, or the
/// untraceable values (`var.`, `local.`) its name is built from.
struct BucketId<'a> {
    address: &'a str,
    name: Option<&'a str>,
    name_refs: &'a [String],
}

impl BucketId<'_> {
    /// Whether `n` (a `bucket` or `target_bucket` value) names this bucket. A value that
    /// cannot be traced counts only when it is built from the very same variable or
    /// local as the bucket's name.
    fn named_by(&self, n: &Node) -> bool {
        match &n.value {
            Value::Unknown(u) => u
                .refs
                .iter()
                .any(|r| refers_to(r, self.address) || self.name_refs.iter().any(|mine| mine == r)),
            Value::String(s) => self.name == Some(s.as_str()),
            _ => false,
        }
    }
}

fn acl_is_log_delivery(body: &Node) -> bool {
    body.get("acl").and_then(Node::as_str) == Some("log-delivery-write")
}

/// `when:` helper for S3 access-logging rules: the bucket receives server access logs
/// from the same Terraform root. True when an `aws_s3_bucket_logging` or another
/// bucket's inline `logging` block targets it, or when its ACL (inline or through
/// `aws_s3_bucket_acl`) is `log-delivery-write`. Unlike `related`, a target that cannot
/// be traced (a variable, a module output) is taken to be another bucket, so one
/// central log bucket passed in as a variable does not silence the rule for the root.
fn s3_log_target(_: &Node, cx: &EvalCx<'_>, _: Option<&Node>) -> Outcome {
    let me = cx.resource;
    let name = me.body.get("bucket");
    let id = BucketId {
        address: &me.address,
        name: name.and_then(Node::as_str),
        name_refs: name.map(Node::refs).unwrap_or_default(),
    };
    let targets = |n: &Node| n.get("target_bucket").is_some_and(|t| id.named_by(t));
    let is_target = acl_is_log_delivery(&me.body)
        || cx
            .index
            .same_root(me, "aws_s3_bucket_logging")
            .any(|l| targets(&l.body))
        || cx
            .index
            .same_root(me, "aws_s3_bucket")
            .filter(|b| b.address != me.address)
            .any(|b| {
                b.body
                    .get("logging")
                    .is_some_and(|l| l.items().iter().any(targets))
            })
        || cx.index.same_root(me, "aws_s3_bucket_acl").any(|a| {
            acl_is_log_delivery(&a.body) && a.body.get("bucket").is_some_and(|b| id.named_by(b))
        });
    Outcome::from_bool(is_target, me.header)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::node::Entry;
    use crate::source::{FileId, Span};

    fn sp() -> Span {
        Span {
            file: FileId(0),
            start: 0,
            end: 1,
        }
    }

    fn body(entries: &[(&str, Value)]) -> Node {
        Node::new(
            Value::Map(
                entries
                    .iter()
                    .map(|(k, v)| Entry {
                        key: (*k).to_owned(),
                        key_span: sp(),
                        value: Node::new(v.clone(), sp()),
                    })
                    .collect(),
            ),
            sp(),
        )
    }

    #[test]
    fn buckets_are_named_by_reference_literal_name_or_shared_variable() {
        let refs = vec!["var.log_bucket".to_owned()];
        let id = BucketId {
            address: "aws_s3_bucket.logs",
            name: Some("acme-logs"),
            name_refs: &[],
        };
        let unknown = |r: &[&str]| {
            Node::unknown(
                "reference",
                r.iter().map(|s| (*s).to_owned()).collect(),
                sp(),
            )
        };
        assert!(id.named_by(&unknown(&["aws_s3_bucket.logs.id"])));
        assert!(!id.named_by(&unknown(&["aws_s3_bucket.logs_archive.id"])));
        assert!(!id.named_by(&unknown(&["var.log_bucket"])));
        assert!(id.named_by(&Node::string("acme-logs", sp())));
        assert!(!id.named_by(&Node::string("acme-other", sp())));
        let from_var = BucketId {
            address: "aws_s3_bucket.logs",
            name: None,
            name_refs: &refs,
        };
        assert!(from_var.named_by(&unknown(&["var.log_bucket"])));
        assert!(!from_var.named_by(&unknown(&["var.other_bucket"])));
    }

    #[test]
    fn flags_take_the_default_when_unset_and_unknown_wins_over_true() {
        let flags = ["block_public_acls", "block_public_policy"];
        let all = body(&[
            ("block_public_acls", Value::Bool(true)),
            ("block_public_policy", Value::String("true".into())),
        ]);
        assert_eq!(flags_all_true(&all, &flags, false), Tri::Yes);
        let one_unset = body(&[("block_public_acls", Value::Bool(true))]);
        assert_eq!(flags_all_true(&one_unset, &flags, false), Tri::No);
        assert_eq!(flags_all_true(&one_unset, &flags, true), Tri::Yes);
        let null = body(&[
            ("block_public_acls", Value::Bool(true)),
            ("block_public_policy", Value::Null),
        ]);
        assert_eq!(flags_all_true(&null, &flags, true), Tri::Yes);
        let unknown = body(&[
            ("block_public_acls", Value::Unknown(Box::default())),
            ("block_public_policy", Value::Bool(true)),
        ]);
        assert_eq!(flags_all_true(&unknown, &flags, false), Tri::Unknown);
        let off = body(&[
            ("block_public_acls", Value::Unknown(Box::default())),
            ("block_public_policy", Value::Bool(false)),
        ]);
        assert_eq!(flags_all_true(&off, &flags, false), Tri::No);
        assert_eq!(flags_all_true(&body(&[]), &["enabled"], true), Tri::Yes);
    }
}
