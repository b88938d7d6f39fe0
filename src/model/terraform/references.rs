//! Which references a check can follow to a resource. Inside a module instance every
//! reference carries the instance's prefix (`module.log_bucket.aws_s3_bucket.this[0].id`),
//! so "starts with `module.`" does not tell a module output (which isolint does not
//! evaluate) from a resource of a module instance. A reference is traced when it names a
//! managed resource of the same root; only the others that start with `var.`, `local.`,
//! `module.` or `data.` are untraceable.

use std::collections::{HashMap, HashSet};

use crate::model::{Family, Resource};

/// The addresses of the managed Terraform resources of a batch, per root; a counted or
/// keyed resource also under its address without the key (`aws_s3_bucket.b.id` names every
/// instance of `aws_s3_bucket.b`). Data sources, module calls, providers and `terraform`
/// blocks are left out: a reference to them stays untraceable.
#[derive(Debug, Default)]
pub struct ManagedAddresses {
    by_root: HashMap<String, HashSet<String>>,
}

impl ManagedAddresses {
    pub fn new(resources: &[Resource]) -> Self {
        let mut by_root: HashMap<String, HashSet<String>> = HashMap::new();
        for r in resources.iter().filter(|r| is_managed(r)) {
            let set = by_root.entry(root_of(r).to_owned()).or_default();
            if r.address.ends_with(']')
                && let Some(i) = r.address.rfind('[')
            {
                set.insert(r.address[..i].to_owned());
            }
            set.insert(r.address.clone());
        }
        ManagedAddresses { by_root }
    }

    /// Whether `reference`, seen from `me`, can be followed to no resource: a variable,
    /// local, data source or module output (or nothing at all), rather than a resource of
    /// `me`'s root, in a module instance or not.
    pub fn untraceable(&self, me: &Resource, reference: &str) -> bool {
        let opaque = ["var.", "local.", "module.", "data."]
            .iter()
            .any(|p| reference.starts_with(p));
        opaque && !self.names_managed(me, reference)
    }

    /// Whether a prefix of `reference` ending at `.`, `[` or its end is the address of a
    /// managed resource of `me`'s root (one hash lookup per cut point).
    pub fn names_managed(&self, me: &Resource, reference: &str) -> bool {
        let Some(set) = self.by_root.get(root_of(me)) else {
            return false;
        };
        reference
            .char_indices()
            .filter(|&(_, c)| c == '.' || c == '[')
            .map(|(i, _)| i)
            .chain([reference.len()])
            .any(|i| set.contains(&reference[..i]))
    }
}

fn is_managed(r: &Resource) -> bool {
    r.family == Family::Terraform
        && !r.kind.starts_with("data.")
        && !matches!(r.kind.as_str(), "module" | "provider" | "terraform")
}

/// `tf:<root>` of a Terraform group `tf:<root>:<module prefix>` (the group otherwise).
fn root_of(r: &Resource) -> &str {
    let g: &str = &r.group;
    match g.strip_prefix("tf:").and_then(|rest| rest.find(':')) {
        Some(i) => &g[..3 + i],
        None => g,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::node::Node;
    use crate::source::Span;
    use std::sync::Arc;

    fn tf(kind: &str, address: &str, group: &str) -> Resource {
        Resource {
            kind: kind.into(),
            family: Family::Terraform,
            address: address.into(),
            span: Span::default(),
            header: Span::default(),
            body: Node::null(Span::default()),
            group: Arc::from(group),
        }
    }

    #[test]
    fn references_into_module_instances_are_traced_outputs_are_not() {
        let bucket = tf(
            "aws_s3_bucket",
            "module.logs.aws_s3_bucket.this[0]",
            "tf:prod:module.logs",
        );
        let call = tf("module", "module.logs", "tf:prod:");
        let lookup = tf(
            "data.aws_s3_bucket",
            "module.logs.data.aws_s3_bucket.old",
            "tf:prod:module.logs",
        );
        let all = [bucket, call, lookup];
        let index = ManagedAddresses::new(&all);
        let me = &all[0];
        assert!(!index.untraceable(me, "module.logs.aws_s3_bucket.this[0].id"));
        assert!(!index.untraceable(me, "module.logs.aws_s3_bucket.this.id"));
        assert!(!index.untraceable(me, "aws_s3_bucket.other.id"));
        assert!(index.untraceable(me, "module.logs.s3_bucket_id"));
        assert!(index.untraceable(me, "module.logs.data.aws_s3_bucket.old.id"));
        assert!(index.untraceable(me, "var.bucket"));
        // Another root's resources are not this root's.
        let elsewhere = tf("aws_s3_bucket", "x.y", "tf:staging:");
        assert!(index.untraceable(&elsewhere, "module.logs.aws_s3_bucket.this[0].id"));
    }
}
