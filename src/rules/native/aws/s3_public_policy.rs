//! `aws_s3_public_policy`: bucket policies letting anyone in without a narrowing
//! condition. Native because the policy may be JSON or a referenced
//! `aws_iam_policy_document`, read by the shared policy analyser.

use crate::model::Resource;
use crate::parse::node::Node;
use crate::rules::context::EvalCx;
use crate::rules::index::ResourceIndex;
use crate::rules::links::{AddressCache, Addresses};
use crate::rules::native::support::gathered::Gathered;
use crate::rules::native::support::policy::{
    doc_public_statements, json_grants_public, policy_json,
};
use crate::rules::truth::Outcome;

/// S3 bucket policies (`aws_s3_bucket_policy`, inline `policy` of `aws_s3_bucket`)
/// allowing anyone without a narrowing condition. A policy built by an
/// `aws_iam_policy_document` data source is read through the reference.
pub(crate) fn check(node: &Node, cx: &EvalCx<'_>, _: Option<&Node>) -> Outcome {
    let Some(p) = node.get("policy") else {
        return Outcome::pass(Vec::new());
    };
    let mut acc = Gathered::default();
    match policy_json(p) {
        Ok(Some(doc)) if json_grants_public(&doc) => acc.fail(cx.index.first_line(p.span)),
        Ok(_) => {}
        Err(()) => {
            // The documents by address, built once per root: scanning every document
            // for each policy was quadratic.
            let kind = "data.aws_iam_policy_document";
            let by_address = cx
                .index
                .memo("policy_documents_by_address", |_| AddressCache::default())
                .get(ResourceIndex::root_key(cx.resource), || {
                    Addresses::build(cx.index, cx.index.same_root_ids(cx.resource, kind))
                });
            let docs: Vec<&Resource> = by_address
                .referred(p.refs())
                .into_iter()
                .filter_map(|i| cx.index.resource(i))
                .collect();
            if docs.is_empty() {
                acc.unknown(p.span);
            }
            for d in docs {
                let dcx = EvalCx {
                    resource: d,
                    body: &d.body,
                    index: cx.index,
                    memo: cx.memo,
                };
                doc_public_statements(&d.body, &dcx, &mut acc);
            }
        }
    }
    acc.outcome()
}
