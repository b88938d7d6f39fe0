//! What the cluster will receive: Kustomize overlays and Helm charts are rendered by the
//! real tools where they are installed, and patch files (partial objects) are kept out
//! of the Kubernetes model so they are not checked as if they were complete.

pub(crate) mod patches;

use std::collections::BTreeSet;

use crate::model::{Family, Modelled};

/// Patch files keep their text resource (secrets) but lose their Kubernetes objects.
pub(crate) fn drop_patch_objects(display_path: &str, patches: &BTreeSet<String>, m: &mut Modelled) {
    if patches.contains(display_path) {
        m.resources.retain(|r| r.family != Family::Kubernetes);
    }
}
