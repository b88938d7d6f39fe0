//! `k8s_image_tagged_at_deploy`: an image whose tag a deploy tool in the scan sets (a
//! Kustomization's `images`, a Skaffold artifact). Native because it looks the image up
//! in an index of those tools' overrides.

use crate::parse::node::Node;
use crate::rules::context::EvalCx;
use crate::rules::truth::Outcome;

/// Unknown when a deploy tool in the scan sets the tag of this container's image (a
/// Kustomization's `images[*]` with `newTag` or `digest`, a Skaffold artifact): the
/// deployed tag is then decided there, not by this manifest. False otherwise, pointing at
/// the image.
pub(crate) fn check(node: &Node, cx: &EvalCx<'_>, _args: Option<&Node>) -> Outcome {
    let Some(image) = node.get("image") else {
        return Outcome::fail(Vec::new());
    };
    let Some(name) = image.as_str().map(image_name) else {
        return Outcome::fail(vec![image.span]);
    };
    if cx.index.image_tagged_at_deploy(cx.resource, name) {
        Outcome::unknown(vec![image.span])
    } else {
        Outcome::fail(vec![image.span])
    }
}

/// The image reference without its digest and tag: `registry:5000/app:1.2@sha256:..`
/// becomes `registry:5000/app`.
fn image_name(image: &str) -> &str {
    let image = image.split_once('@').map_or(image, |(n, _)| n);
    let last = image.rfind('/').map_or(0, |i| i + 1);
    match image[last..].find(':') {
        Some(i) => &image[..last + i],
        None => image,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::index::ResourceIndex;
    use crate::rules::native::kubernetes::test_support::scan;
    use crate::rules::truth::Truth;

    #[test]
    fn image_names_drop_tag_and_digest() {
        assert_eq!(image_name("nginx"), "nginx");
        assert_eq!(image_name("nginx:1.25"), "nginx");
        assert_eq!(image_name("registry:5000/app"), "registry:5000/app");
        assert_eq!(
            image_name("registry:5000/app:2@sha256:ab"),
            "registry:5000/app"
        );
    }

    #[test]
    fn kustomization_tag_override_makes_the_image_unknown() {
        let text = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    spec:\n      containers: [{name: web, image: 'acme/web:latest'}, {name: db, image: postgres}]\n---\napiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nimages:\n  - name: acme/web\n    newTag: 1.4.2\n  - name: postgres\n    newName: mirror.acme.io/postgres\n";
        assert_eq!(image_outcomes(text), [Truth::Unknown, Truth::False]);
    }

    fn image_outcomes(text: &str) -> Vec<Truth> {
        let (resources, sources) = scan(text);
        let index = ResourceIndex::new(&resources, &sources);
        let cx = EvalCx {
            resource: &resources[0],
            body: &resources[0].body,
            index: &index,
            memo: &crate::rules::context::Memo::default(),
        };
        let containers = resources[0].body.get_path("pod.all_containers").unwrap();
        containers
            .items()
            .iter()
            .map(|c| check(c, &cx, None).truth)
            .collect()
    }

    #[test]
    fn skaffold_artifacts_make_their_images_unknown_and_only_theirs() {
        let text = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\nspec:\n  template:\n    spec:\n      containers: [{name: a, image: ledger-api}, {name: b, image: ledger-worker}, {name: c, image: redis}]\n---\napiVersion: skaffold/v4beta6\nkind: Config\nbuild:\n  artifacts: [{image: ledger-api}]\nprofiles:\n  - name: jobs\n    build:\n      artifacts: [{image: ledger-worker}]\n";
        // ledger-worker is an artifact of a profile; redis is not built by skaffold.
        assert_eq!(
            image_outcomes(text),
            [Truth::Unknown, Truth::Unknown, Truth::False]
        );
    }
}
