//! One parser per format, each turning a `SourceText` into `Node` trees with byte spans,
//! or a `FileError` that says where the text stopped making sense.

pub mod dockerfile;
pub mod hcl;
mod json;
mod jsonc;
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

/// As [`parse`], for a scanned file: a duplicate key does not drop the file (the last
/// one wins and each is returned, to be reported), JSON may carry comments, and a JSON
/// file that does not parse and names nothing a rule family reads (no `apiVersion`,
/// `kind`, plan or compose keys) is scanned as text rather than reported as broken.
pub(crate) fn parse_scanned(
    src: &SourceText,
    kind: Option<FileKind>,
) -> (Result<Parsed, FileError>, Vec<yaml::DuplicateKey>) {
    match kind {
        Some(FileKind::Yaml) if !sniff::is_helm_template(&src.display_path, &src.text) => {
            match yaml::parse_yaml_lenient(src) {
                Ok((docs, dups)) => (Ok(Parsed::Documents(docs)), dups),
                Err(e) => (Err(e), Vec::new()),
            }
        }
        Some(FileKind::Json) => {
            let blanked = jsonc::blank_comments(&src.text).map(|text| {
                SourceText::new(
                    src.id,
                    src.display_path.clone(),
                    src.path.clone(),
                    text.into(),
                )
            });
            match yaml::parse_yaml_lenient(blanked.as_ref().unwrap_or(src)) {
                Ok((docs, dups)) => (Ok(Parsed::Documents(docs)), dups),
                // Limits (nesting, alias bombs) are still reported: they are about the
                // input's shape, not about what the file is for.
                Err(e)
                    if e.kind == crate::error::FileErrorKind::Parse
                        && !json_a_rule_reads(&src.text) =>
                {
                    (Ok(Parsed::Text), Vec::new())
                }
                Err(e) => (Err(e), Vec::new()),
            }
        }
        _ => (parse(src, kind), Vec::new()),
    }
}

/// Whether a JSON text could be something a rule family reads: a Kubernetes object, a
/// Terraform plan or a compose file.
fn json_a_rule_reads(text: &str) -> bool {
    [
        "\"apiVersion\"",
        "\"kind\"",
        "\"planned_values\"",
        "\"resource_changes\"",
        "\"format_version\"",
        "\"services\"",
    ]
    .iter()
    .any(|k| text.contains(k))
}

/// Deepest nesting any parser accepts before it reports a limit error instead of
/// recursing further (keeps a 10,000-deep file from overflowing the stack).
pub const MAX_DEPTH: usize = 256;
