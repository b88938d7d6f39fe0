//! Reading files into the scan's `SourceMap`, with the errors users see.

use std::sync::Arc;

use rayon::prelude::*;

use crate::discover::FileKind;
use crate::error::{FileError, FileErrorKind};
use crate::source::{FileId, ReadFailure, SourceMap, SourceText};

/// Reads one file. `Err(None)`: nothing to report (a binary file that was only going to
/// be scanned as text).
pub(super) fn read_file(
    sources: &SourceMap,
    id: FileId,
    kind: Option<FileKind>,
) -> Result<Arc<SourceText>, Option<FileError>> {
    let error = |kind, message| {
        Some(FileError {
            file: sources.display_path(id).unwrap_or_default().to_owned(),
            span: None,
            kind,
            message,
        })
    };
    match sources.load(id) {
        Ok(src) => Ok(src),
        // A binary or non-text file is only an error where configuration was expected.
        Err(ReadFailure::NotText(_)) if kind == Some(FileKind::Text) => Err(None),
        Err(ReadFailure::NotText(msg)) => Err(error(FileErrorKind::Encoding, msg)),
        Err(ReadFailure::Error(kind, msg)) => Err(error(kind, msg)),
    }
}

/// Reads the Terraform files in parallel (a root module is evaluated with all of its
/// files, and a plan is mapped back onto them).
pub(super) fn read_terraform(
    sources: &SourceMap,
    all: &[(FileId, Option<FileKind>)],
) -> (Vec<Arc<SourceText>>, Vec<FileError>) {
    let results: Vec<_> = all
        .par_iter()
        .filter(|(_, kind)| *kind == Some(FileKind::Terraform))
        .map(|&(id, kind)| read_file(sources, id, kind))
        .collect();
    let mut read = Vec::new();
    let mut errors = Vec::new();
    for r in results {
        match r {
            Ok(src) => read.push(src),
            Err(e) => errors.extend(e),
        }
    }
    (read, errors)
}
