//! `aws_s3_log_target`: whether a bucket receives server access logs from the same root.
//! Native because a log target that cannot be traced must make only the buckets whose
//! own name is unknown unknown, which `related` cannot express.

use crate::parse::node::{Node, Value};
use crate::rules::context::EvalCx;
use crate::rules::predicate::refers_to;
use crate::rules::truth::{Outcome, Truth};

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
    fn named_by(&self, n: &Node) -> Truth {
        match &n.value {
            Value::Unknown(u) => {
                if u.refs.iter().any(|r| refers_to(r, self.address)) {
                    Truth::True
                } else if self.name_unknown && u.refs.iter().all(|r| is_untraceable(r)) {
                    Truth::Unknown
                } else {
                    Truth::False
                }
            }
            Value::String(s) if self.name == Some(s.as_str()) => Truth::True,
            _ => Truth::False,
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
pub(crate) fn check(_: &Node, cx: &EvalCx<'_>, _: Option<&Node>) -> Outcome {
    let me = cx.resource;
    let name = me.body.get("bucket");
    let id = BucketId {
        address: &me.address,
        name: name.and_then(Node::as_str),
        name_unknown: name.is_some_and(Node::is_unknown),
    };
    let mut answer = if acl_is_log_delivery(&me.body) {
        Truth::True
    } else {
        Truth::False
    };
    let mut see = |t: Truth| {
        answer = match (answer, t) {
            (Truth::True, _) | (_, Truth::True) => Truth::True,
            (Truth::Unknown, _) | (_, Truth::Unknown) => Truth::Unknown,
            _ => Truth::False,
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
        Truth::True => Outcome::pass(vec![me.header]),
        Truth::Unknown => Outcome::unknown(vec![me.header]),
        Truth::False => Outcome::fail(vec![me.header]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{FileId, Span};

    fn sp() -> Span {
        Span {
            file: FileId(0),
            start: 0,
            end: 1,
        }
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
        assert_eq!(
            id.named_by(&unknown(&["aws_s3_bucket.logs.id"])),
            Truth::True
        );
        assert_eq!(
            id.named_by(&unknown(&["aws_s3_bucket.logs_archive.id"])),
            Truth::False
        );
        assert_eq!(id.named_by(&unknown(&["var.log_bucket"])), Truth::False);
        assert_eq!(id.named_by(&unknown(&[])), Truth::False);
        assert_eq!(id.named_by(&Node::string("acme-logs", sp())), Truth::True);
        assert_eq!(id.named_by(&Node::string("acme-other", sp())), Truth::False);
        let from_var = BucketId {
            address: "aws_s3_bucket.logs",
            name: None,
            name_unknown: true,
        };
        assert_eq!(from_var.named_by(&unknown(&[])), Truth::Unknown);
        assert_eq!(
            from_var.named_by(&unknown(&["module.logs.bucket_id"])),
            Truth::Unknown
        );
        assert_eq!(
            from_var.named_by(&unknown(&["aws_s3_bucket.other.id"])),
            Truth::False
        );
        assert_eq!(
            from_var.named_by(&Node::string("acme-logs", sp())),
            Truth::False
        );
    }
}
