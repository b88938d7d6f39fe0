//! The hash join behind `related`: for one relation (kind and `via` attribute) in one
//! root, the resources of that kind by the addresses their `via` refers to and by its
//! known value, built once, so each resource finds its related ones by lookup instead of
//! resolving `via` on every resource of the kind (10,000 buckets × 10,000 versioning
//! blocks was 10⁸ path resolutions per rule).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use super::index::ResourceIndex;
use super::path::{Hit, Path};
use crate::parse::node::Value;

/// One relation's index. Positions are the batch's (as [`ResourceIndex::resource`]),
/// each list ascending.
#[derive(Default)]
pub(crate) struct Links {
    /// Every boundary prefix of each reference (`aws_s3_bucket.b`, `aws_s3_bucket.b.id`
    /// for `aws_s3_bucket.b.id`): a resource's address finds the references to it.
    by_ref: HashMap<String, Vec<usize>>,
    /// The prefixes not followed by an index (`aws_s3_bucket.b` for
    /// `aws_s3_bucket.b.id`, not for `aws_s3_bucket.b[1].id`): what an unindexed
    /// reference to a counted resource names.
    by_unindexed: HashMap<String, Vec<usize>>,
    /// Known values of `via`, for relations compared `by` value.
    by_value: HashMap<String, Vec<usize>>,
    /// Resources whose `via` holds a value that cannot be traced (a variable, module
    /// output, data source or local) and so might be any resource.
    maybe: Vec<usize>,
}

/// Built relations by (root, relation name).
#[derive(Default)]
pub(crate) struct LinkCache(Mutex<HashMap<(String, String), Arc<Links>>>);

impl LinkCache {
    /// The index of the relation named `relation` in `root`, built by `build` once.
    pub(crate) fn get(
        &self,
        root: &str,
        relation: String,
        build: impl FnOnce() -> Links,
    ) -> Arc<Links> {
        let key = (root.to_owned(), relation);
        let lock = || {
            self.0
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
        };
        if let Some(l) = lock().get(&key) {
            return Arc::clone(l);
        }
        let built = Arc::new(build());
        lock().insert(key, Arc::clone(&built));
        built
    }
}

impl Links {
    pub(crate) fn build(
        index: &ResourceIndex<'_>,
        ids: &[usize],
        via: &Path,
        managed: &crate::model::terraform::ManagedAddresses,
    ) -> Links {
        let mut links = Links::default();
        for &id in ids {
            let Some(other) = index.resource(id) else {
                continue;
            };
            let mut untraceable = false;
            for hit in via.resolve(&other.body, &other.body) {
                let n = match hit {
                    Hit::Found(n) | Hit::Unknown(n) => n,
                    Hit::Missing(_) => continue,
                };
                if let Value::Unknown(u) = &n.value {
                    for r in &u.refs {
                        links.add_reference(r, id);
                    }
                    // A value we cannot trace (a variable, a module output, a data
                    // source) might be this resource: the answer is unknown, not "no".
                    untraceable |=
                        u.refs.is_empty() || u.refs.iter().any(|r| managed.untraceable(other, r));
                } else if let Some(v) = n.scalar_text() {
                    push(links.by_value.entry(v).or_default(), id);
                }
            }
            if untraceable {
                links.maybe.push(id);
            }
        }
        links
    }

    /// The resources `ids` by the references of their attribute `attr` (no values).
    pub(crate) fn of_attribute(index: &ResourceIndex<'_>, ids: &[usize], attr: &str) -> Links {
        let mut links = Links::default();
        for &id in ids {
            let refs = index
                .resource(id)
                .and_then(|r| r.body.get(attr))
                .map_or(&[][..], crate::parse::node::Node::refs);
            for r in refs {
                links.add_reference(r, id);
            }
        }
        links
    }

    fn add_reference(&mut self, r: &str, id: usize) {
        for (prefix, unindexed) in prefixes(r) {
            push(self.by_ref.entry(prefix.to_owned()).or_default(), id);
            if unindexed {
                push(self.by_unindexed.entry(prefix.to_owned()).or_default(), id);
            }
        }
    }

    /// The resources linked to the one at `address` (whose `by` value is `my_value`),
    /// ascending: those with a reference that `predicate::refers_to` the address, or
    /// with the same known value.
    pub(crate) fn linked(&self, address: &str, my_value: Option<&str>) -> Vec<usize> {
        let mut out: Vec<usize> = Vec::new();
        out.extend(self.by_ref.get(address).into_iter().flatten());
        if let Some(i) = address.find('[') {
            out.extend(self.by_unindexed.get(&address[..i]).into_iter().flatten());
        }
        if let Some(v) = my_value {
            out.extend(self.by_value.get(v).into_iter().flatten());
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Whether a resource not in `linked` (ascending) might still be linked.
    pub(crate) fn maybe_beyond(&self, linked: &[usize]) -> bool {
        // At most `linked.len() + 1` steps: each skipped one is in `linked`.
        self.maybe.iter().any(|i| linked.binary_search(i).is_err())
    }
}

/// Resources by address, to find the ones a list of references names (the reverse
/// lookup of [`Links`]): by whole address, and by the address without its index for an
/// unindexed reference to a counted resource.
#[derive(Default)]
pub(crate) struct Addresses {
    by_address: HashMap<String, Vec<usize>>,
    by_base: HashMap<String, Vec<usize>>,
}

/// Built address indexes by root.
#[derive(Default)]
pub(crate) struct AddressCache(Mutex<HashMap<String, Arc<Addresses>>>);

impl AddressCache {
    pub(crate) fn get(&self, root: &str, build: impl FnOnce() -> Addresses) -> Arc<Addresses> {
        let lock = || {
            self.0
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
        };
        if let Some(a) = lock().get(root) {
            return Arc::clone(a);
        }
        let built = Arc::new(build());
        lock().insert(root.to_owned(), Arc::clone(&built));
        built
    }
}

impl Addresses {
    pub(crate) fn build(index: &ResourceIndex<'_>, ids: &[usize]) -> Addresses {
        let mut out = Addresses::default();
        for &id in ids {
            let Some(r) = index.resource(id) else {
                continue;
            };
            out.by_address
                .entry(r.address.clone())
                .or_default()
                .push(id);
            if let Some(i) = r.address.find('[') {
                out.by_base
                    .entry(r.address[..i].to_owned())
                    .or_default()
                    .push(id);
            }
        }
        out
    }

    /// The resources (ascending) some reference in `refs` `predicate::refers_to`.
    pub(crate) fn referred(&self, refs: &[String]) -> Vec<usize> {
        let mut out = Vec::new();
        for r in refs {
            for (prefix, unindexed) in prefixes(r) {
                out.extend(self.by_address.get(prefix).into_iter().flatten());
                if unindexed {
                    out.extend(self.by_base.get(prefix).into_iter().flatten());
                }
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }
}

/// Each prefix of a reference that ends at a `.`, a `[` or its end, with whether it is
/// unindexed and followed by no index (`aws_s3_bucket.b` in `aws_s3_bucket.b.id`, which
/// names every instance of a counted bucket): the cut points `predicate::refers_to`
/// compares addresses at.
fn prefixes(r: &str) -> impl Iterator<Item = (&str, bool)> {
    r.char_indices()
        .filter(|(_, c)| matches!(c, '.' | '['))
        .map(|(i, _)| i)
        .chain([r.len()])
        .filter(|&end| end > 0)
        .map(move |end| {
            let prefix = &r[..end];
            (prefix, !prefix.contains('[') && !r[end..].starts_with('['))
        })
}

/// Appends `id` unless it is already the last (a resource's hits arrive together).
fn push(list: &mut Vec<usize>, id: usize) {
    if list.last() != Some(&id) {
        list.push(id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::predicate::refers_to;

    #[test]
    fn lookups_agree_with_refers_to() {
        let refs = [
            "aws_s3_bucket.b.id",
            "aws_s3_bucket.bb.id",
            "aws_s3_bucket.b[0].arn",
            r#"aws_s3_bucket.b["x"].id"#,
            "aws_s3_bucket.b",
        ];
        let mut links = Links::default();
        for (i, r) in refs.iter().enumerate() {
            links.add_reference(r, i);
        }
        for address in [
            "aws_s3_bucket.b",
            "aws_s3_bucket.bb",
            "aws_s3_bucket.b[0]",
            "aws_s3_bucket.b[1]",
            r#"aws_s3_bucket.b["x"]"#,
            r#"aws_s3_bucket.b["y"]"#,
        ] {
            let want: Vec<usize> = (0..refs.len())
                .filter(|&i| refers_to(refs[i], address))
                .collect();
            assert_eq!(links.linked(address, None), want, "{address}");
        }
        let addresses = [
            "aws_s3_bucket.b",
            "aws_s3_bucket.b[0]",
            "aws_s3_bucket.b[1]",
            r#"aws_s3_bucket.b["x"]"#,
            "aws_s3_bucket.bb",
        ];
        let mut by = Addresses::default();
        for (i, a) in addresses.iter().enumerate() {
            by.by_address.entry((*a).to_owned()).or_default().push(i);
            if let Some(j) = a.find('[') {
                by.by_base.entry(a[..j].to_owned()).or_default().push(i);
            }
        }
        for r in refs {
            let want: Vec<usize> = (0..addresses.len())
                .filter(|&i| refers_to(r, addresses[i]))
                .collect();
            assert_eq!(by.referred(&[r.to_owned()]), want, "{r}");
        }
    }
}
