//! Native checks for AWS account-wide settings and S3 log buckets (see `native/mod.rs`).

use super::NativeFn;
use crate::parse::node::{Node, Value};
use crate::rules::context::EvalCx;
use crate::rules::predicate::refers_to;
use crate::rules::truth::Outcome;

pub(super) const NATIVES: &[(&str, NativeFn)] = &[
    ("aws_account_setting", account_setting),
    ("aws_s3_log_target", s3_log_target),
];

/// Three-valued answer to a small question about the configuration.
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

/// How another resource can name a bucket: by its address or by its literal name.
struct BucketId<'a> {
    address: &'a str,
    name: Option<&'a str>,
    /// The bucket's own name cannot be known (a variable, a module output).
    name_unknown: bool,
}

impl BucketId<'_> {
    /// Whether `n` (a `bucket` or `target_bucket` value) names this bucket. A value that
    /// cannot be traced to a resource might, but only when this bucket's own name is
    /// unknown too; a bucket with a literal name is not some variable's value.
    fn named_by(&self, n: &Node) -> Tri {
        match &n.value {
            Value::Unknown(u) => {
                if u.refs.iter().any(|r| refers_to(r, self.address)) {
                    Tri::Yes
                } else if self.name_unknown && u.refs.iter().all(|r| is_untraceable(r)) {
                    Tri::Unknown
                } else {
                    Tri::No
                }
            }
            Value::String(s) if self.name == Some(s.as_str()) => Tri::Yes,
            _ => Tri::No,
        }
    }
}

/// References whose value the scan cannot follow to a resource.
fn is_untraceable(reference: &str) -> bool {
    ["var.", "local.", "module.", "data."]
        .iter()
        .any(|p| reference.starts_with(p))
}

fn acl_is_log_delivery(body: &Node) -> bool {
    body.get("acl").and_then(Node::as_str) == Some("log-delivery-write")
}

/// `when:` helper for S3 access-logging rules: the bucket receives server access logs
/// from the same Terraform root. True when an `aws_s3_bucket_logging` or another
/// bucket's inline `logging` block targets it, or when its ACL (inline or through
/// `aws_s3_bucket_acl`) is `log-delivery-write`. Unlike `related`, a target that cannot
/// be traced (a variable, a module output) makes the answer unknown only for buckets
/// whose own name is unknown, so one central log bucket passed in as a variable does
/// not silence the rule for every bucket of the root.
fn s3_log_target(_: &Node, cx: &EvalCx<'_>, _: Option<&Node>) -> Outcome {
    let me = cx.resource;
    let name = me.body.get("bucket");
    let id = BucketId {
        address: &me.address,
        name: name.and_then(Node::as_str),
        name_unknown: name.is_some_and(Node::is_unknown),
    };
    let mut answer = if acl_is_log_delivery(&me.body) {
        Tri::Yes
    } else {
        Tri::No
    };
    let mut see = |t: Tri| {
        answer = match (answer, t) {
            (Tri::Yes, _) | (_, Tri::Yes) => Tri::Yes,
            (Tri::Unknown, _) | (_, Tri::Unknown) => Tri::Unknown,
            _ => Tri::No,
        }
    };
    for l in cx.index.same_root(me, "aws_s3_bucket_logging") {
        if let Some(t) = l.body.get("target_bucket") {
            see(id.named_by(t));
        }
    }
    for b in cx.index.same_root(me, "aws_s3_bucket") {
        if b.address == me.address {
            continue;
        }
        for logging in b.body.get("logging").map(Node::items).unwrap_or_default() {
            if let Some(t) = logging.get("target_bucket") {
                see(id.named_by(t));
            }
        }
    }
    for a in cx.index.same_root(me, "aws_s3_bucket_acl") {
        if acl_is_log_delivery(&a.body)
            && let Some(b) = a.body.get("bucket")
        {
            see(id.named_by(b));
        }
    }
    match answer {
        Tri::Yes => Outcome::pass(vec![me.header]),
        Tri::Unknown => Outcome::unknown(vec![me.header]),
        Tri::No => Outcome::fail(vec![me.header]),
    }
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
    fn buckets_are_named_by_reference_or_literal_name() {
        let id = BucketId {
            address: "aws_s3_bucket.logs",
            name: Some("acme-logs"),
            name_unknown: false,
        };
        let unknown = |r: &[&str]| {
            Node::unknown(
                "reference",
                r.iter().map(|s| (*s).to_owned()).collect(),
                sp(),
            )
        };
        assert_eq!(id.named_by(&unknown(&["aws_s3_bucket.logs.id"])), Tri::Yes);
        assert_eq!(
            id.named_by(&unknown(&["aws_s3_bucket.logs_archive.id"])),
            Tri::No
        );
        assert_eq!(id.named_by(&unknown(&["var.log_bucket"])), Tri::No);
        assert_eq!(id.named_by(&unknown(&[])), Tri::No);
        assert_eq!(id.named_by(&Node::string("acme-logs", sp())), Tri::Yes);
        assert_eq!(id.named_by(&Node::string("acme-other", sp())), Tri::No);
        let from_var = BucketId {
            address: "aws_s3_bucket.logs",
            name: None,
            name_unknown: true,
        };
        assert_eq!(from_var.named_by(&unknown(&[])), Tri::Unknown);
        assert_eq!(
            from_var.named_by(&unknown(&["module.logs.bucket_id"])),
            Tri::Unknown
        );
        assert_eq!(
            from_var.named_by(&unknown(&["aws_s3_bucket.other.id"])),
            Tri::No
        );
        assert_eq!(from_var.named_by(&Node::string("acme-logs", sp())), Tri::No);
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
