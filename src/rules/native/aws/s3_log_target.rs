//! `aws_s3_log_target`: whether a bucket receives server access logs from the same root.
//! Native because a log target that cannot be traced must make only the buckets whose
//! own name is unknown unknown, which `related` cannot express.

use std::collections::HashMap;

use crate::model::Resource;
use crate::model::terraform::ManagedAddresses;
use crate::parse::node::{Node, Value};
use crate::rules::context::EvalCx;
use crate::rules::index::ResourceIndex;
use crate::rules::truth::{Outcome, Truth};

/// How another resource can name a bucket: by its address or by its literal name.
struct BucketId<'a> {
    address: &'a str,
    name: Option<&'a str>,
    /// The bucket's own name cannot be known (a variable, a module output).
    name_unknown: bool,
}

impl BucketId<'_> {
    /// Whether a target of the root names this bucket. A target that cannot be traced
    /// to a resource might, but only when this bucket's own name is unknown too; a
    /// bucket with a literal name is not some variable's value.
    fn named_in(&self, t: &Targets) -> Truth {
        let me = self.address;
        let named = self.name.is_some_and(|n| other_than(t.names.get(n), me))
            || other_than(t.prefixes.get(me), me)
            || me
                .find('[')
                .is_some_and(|i| other_than(t.unindexed.get(&me[..i]), me));
        if named {
            Truth::True
        } else if self.name_unknown && t.untraceable.iter().any(|s| s.as_deref() != Some(me)) {
            Truth::Unknown
        } else {
            Truth::False
        }
    }
}

/// References whose value the scan cannot follow to a resource, unless they name a
/// resource of the root (inside a module instance every reference starts `module.`).
fn is_untraceable(reference: &str) -> bool {
    ["var.", "local.", "module.", "data."]
        .iter()
        .any(|p| reference.starts_with(p))
}

fn acl_is_log_delivery(body: &Node) -> bool {
    body.get("acl").and_then(Node::as_str) == Some("log-delivery-write")
}

/// Where a log target was written: an `aws_s3_bucket_logging` or `aws_s3_bucket_acl`
/// (None), or the inline `logging` block of a bucket (its address), which does not count
/// for that bucket itself.
type Source = Option<String>;

/// Every log target of one root, indexed so that each bucket looks itself up instead of
/// scanning every other bucket (quadratic in a root of `count = 10000` buckets).
#[derive(Default)]
struct Targets {
    /// Literal bucket names targeted.
    names: HashMap<String, Vec<Source>>,
    /// Every prefix of a target reference that ends at `.`, `[` or the end
    /// (`aws_s3_bucket.logs` for `aws_s3_bucket.logs[0].id`): `refers_to` as a lookup.
    prefixes: HashMap<String, Vec<Source>>,
    /// The same without the prefixes followed by `[` (an unindexed reference to a
    /// counted bucket names every instance, an indexed one only its own).
    unindexed: HashMap<String, Vec<Source>>,
    /// Targets that cannot be traced (only `var.`/`local.`/`module.`/`data.` references).
    untraceable: Vec<Source>,
}

impl Targets {
    /// `traced`: whether a reference names a resource of the root (see
    /// `ManagedAddresses`), which makes it traceable whatever it starts with.
    fn add(&mut self, target: &Node, source: &Source, traced: &dyn Fn(&str) -> bool) {
        match &target.value {
            Value::String(s) => self
                .names
                .entry(s.clone())
                .or_default()
                .push(source.clone()),
            Value::Unknown(u) => {
                if u.refs.iter().all(|r| is_untraceable(r) && !traced(r)) {
                    self.untraceable.push(source.clone());
                }
                for r in &u.refs {
                    for (i, c) in r.char_indices().chain(std::iter::once((r.len(), '.'))) {
                        if c != '.' && c != '[' {
                            continue;
                        }
                        let prefix = &r[..i];
                        self.prefixes
                            .entry(prefix.to_owned())
                            .or_default()
                            .push(source.clone());
                        if c != '[' {
                            self.unindexed
                                .entry(prefix.to_owned())
                                .or_default()
                                .push(source.clone());
                        }
                    }
                }
            }
            _ => {}
        }
    }
}

/// Whether one of `sources` is not the bucket `me` itself.
fn other_than(sources: Option<&Vec<Source>>, me: &str) -> bool {
    sources.is_some_and(|s| s.iter().any(|src| src.as_deref() != Some(me)))
}

/// Log targets by root, for every root of the batch.
fn targets(resources: &[Resource]) -> HashMap<String, Targets> {
    let mut by_root: HashMap<String, Targets> = HashMap::new();
    let managed = ManagedAddresses::new(resources);
    for r in resources {
        let root = || ResourceIndex::root_key(r).to_owned();
        let traced = |reference: &str| managed.names_managed(r, reference);
        match r.kind.as_str() {
            "aws_s3_bucket_logging" => {
                if let Some(t) = r.body.get("target_bucket") {
                    by_root.entry(root()).or_default().add(t, &None, &traced);
                }
            }
            "aws_s3_bucket" => {
                for logging in r.body.get("logging").map(Node::items).unwrap_or_default() {
                    if let Some(t) = logging.get("target_bucket") {
                        by_root.entry(root()).or_default().add(
                            t,
                            &Some(r.address.clone()),
                            &traced,
                        );
                    }
                }
            }
            "aws_s3_bucket_acl" if acl_is_log_delivery(&r.body) => {
                if let Some(b) = r.body.get("bucket") {
                    by_root.entry(root()).or_default().add(b, &None, &traced);
                }
            }
            _ => {}
        }
    }
    by_root
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
    let all = cx.index.memo("aws_s3_log_target", targets);
    let targets = all.get(ResourceIndex::root_key(me));
    let answer = if acl_is_log_delivery(&me.body) {
        Truth::True
    } else {
        targets.map_or(Truth::False, |t| id.named_in(t))
    };
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

    /// Whether `id` is named by the one target `n` (written outside any bucket).
    fn named_by(id: &BucketId<'_>, n: &Node) -> Truth {
        let mut t = Targets::default();
        t.add(n, &None, &|_| false);
        id.named_in(&t)
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
            named_by(&id, &unknown(&["aws_s3_bucket.logs.id"])),
            Truth::True
        );
        assert_eq!(
            named_by(&id, &unknown(&["aws_s3_bucket.logs_archive.id"])),
            Truth::False
        );
        assert_eq!(named_by(&id, &unknown(&["var.log_bucket"])), Truth::False);
        assert_eq!(named_by(&id, &unknown(&[])), Truth::False);
        assert_eq!(named_by(&id, &Node::string("acme-logs", sp())), Truth::True);
        assert_eq!(
            named_by(&id, &Node::string("acme-other", sp())),
            Truth::False
        );
        let from_var = BucketId {
            address: "aws_s3_bucket.logs",
            name: None,
            name_unknown: true,
        };
        assert_eq!(named_by(&from_var, &unknown(&[])), Truth::Unknown);
        assert_eq!(
            named_by(&from_var, &unknown(&["module.logs.bucket_id"])),
            Truth::Unknown
        );
        assert_eq!(
            named_by(&from_var, &unknown(&["aws_s3_bucket.other.id"])),
            Truth::False
        );
        assert_eq!(
            named_by(&from_var, &Node::string("acme-logs", sp())),
            Truth::False
        );
        // Counted buckets: an unindexed reference names every instance, an indexed one
        // only its own; a bucket's own inline logging does not count for itself.
        let counted = BucketId {
            address: "aws_s3_bucket.b[3]",
            name: None,
            name_unknown: false,
        };
        assert_eq!(
            named_by(&counted, &unknown(&["aws_s3_bucket.b.id"])),
            Truth::True
        );
        assert_eq!(
            named_by(&counted, &unknown(&["aws_s3_bucket.b[3].id"])),
            Truth::True
        );
        assert_eq!(
            named_by(&counted, &unknown(&["aws_s3_bucket.b[1].id"])),
            Truth::False
        );
        let mut own = Targets::default();
        own.add(
            &unknown(&["aws_s3_bucket.b[3].id"]),
            &Some("aws_s3_bucket.b[3]".into()),
            &|_| false,
        );
        assert_eq!(counted.named_in(&own), Truth::False);
    }
}
