//! One parser per format, each turning a `SourceText` into `Node` trees with byte spans,
//! or a `FileError` that says where the text stopped making sense.

pub mod dockerfile;
pub mod hcl;
pub mod node;
pub mod yaml;

use crate::discover::{FileKind, sniff};
use crate::error::FileError;
use crate::source::SourceText;

/// What parsing one file gave. Terraform is parsed per module directory by
/// `model::terraform` (its files only mean something together), so it is not here.
#[derive(Debug)]
pub enum Parsed {
    /// YAML or JSON documents.
    Documents(Vec<node::Node>),
    /// A Dockerfile's instructions.
    Dockerfile(node::Node),
    /// A Helm chart template: Go templates, not YAML until rendered.
    HelmTemplate,
    /// A file only scanned as text (secrets).
    Text,
}

/// The parser for `kind`.
pub fn parse(src: &SourceText, kind: Option<FileKind>) -> Result<Parsed, FileError> {
    match kind {
        Some(FileKind::Yaml | FileKind::Json) => {
            if sniff::is_helm_template(&src.display_path, &src.text) {
                Ok(Parsed::HelmTemplate)
            } else {
                yaml::parse_yaml(src).map(Parsed::Documents)
            }
        }
        Some(FileKind::Dockerfile) => dockerfile::parse_dockerfile(src).map(Parsed::Dockerfile),
        Some(FileKind::Terraform | FileKind::Text) | None => Ok(Parsed::Text),
    }
}

/// Deepest nesting any parser accepts before it reports a limit error instead of
/// recursing further (keeps a 10,000-deep file from overflowing the stack).
pub const MAX_DEPTH: usize = 256;
