//! HCL (Terraform) through hcl-edit, which keeps spans. A prescan turns the input shapes
//! on which the parser is exponential or quadratic into limit errors first.

mod oddities;
mod prescan;

use crate::error::{FileError, FileErrorKind};
use crate::source::{SourceText, Span};

/// Parses HCL text, turning a parse error into a `FileError` at the error position.
pub fn parse_hcl(src: &SourceText) -> Result<hcl_edit::structure::Body, FileError> {
    let text: &str = &src.text;
    // A byte-order mark becomes three spaces so byte offsets stay those of the file.
    let owned;
    let text = if let Some(rest) = text.strip_prefix('\u{feff}') {
        owned = format!("   {rest}");
        owned.as_str()
    } else {
        text
    };
    if let Some(p) = prescan::pathology(text) {
        return Err(FileError {
            file: src.display_path.to_string(),
            span: Some(Span::new(src.id, p.at, p.at + 1)),
            kind: FileErrorKind::Limit,
            message: p.message,
        });
    }
    let normalised = oddities::normalise(text);
    let text: &str = &normalised;
    let parsed = std::panic::catch_unwind(|| hcl_edit::parser::parse_body(text));
    match parsed {
        Ok(Ok(body)) => Ok(body),
        Ok(Err(e)) => {
            let mut start = e.location().offset().min(text.len());
            while !text.is_char_boundary(start) {
                start -= 1;
            }
            let mut end = (start + 1).min(text.len());
            while !text.is_char_boundary(end) {
                end += 1;
            }
            Err(FileError::parse(
                &src.display_path,
                Some(Span::new(src.id, start, end)),
                e.message().to_string(),
            ))
        }
        Err(_) => Err(FileError::parse(
            &src.display_path,
            None,
            "the HCL parser failed on this file",
        )),
    }
}
