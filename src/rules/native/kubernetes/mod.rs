//! Native checks on Kubernetes objects, one per file.

pub(super) mod annotation_match;
pub(super) mod image_tagged_at_deploy;
mod label_selector;
pub(super) mod network_policy;

#[cfg(test)]
pub(super) mod test_support {
    use std::path::PathBuf;
    use std::sync::Arc;

    use crate::model::Resource;
    use crate::model::kubernetes::kubernetes_resources;
    use crate::parse::yaml::parse_yaml;
    use crate::source::{FileId, SourceMap, SourceText};

    pub(crate) fn scan(text: &str) -> (Vec<Resource>, SourceMap) {
        let src = SourceText::new(
            FileId(0),
            "k.yaml",
            PathBuf::from("k.yaml"),
            Arc::from(text),
        );
        let docs = parse_yaml(&src).expect("fixture parses");
        let resources = kubernetes_resources(&src, docs);
        (resources, SourceMap::new(vec![Arc::new(src)]))
    }
}
