//! Reading files into the scan's `SourceMap`, with the errors users see.

use std::path::PathBuf;
use std::sync::Arc;

use rayon::prelude::*;

use crate::discover::FileKind;
use crate::discover::classify::credential_file;
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
        // A key store is a finding by its name even though it is binary: kept, without
        // its bytes.
        Err(ReadFailure::NotText(_))
            if kind == Some(FileKind::Text)
                && sources
                    .display_path(id)
                    .is_some_and(|name| credential_file(name).is_some()) =>
        {
            let name = sources.display_path(id).unwrap_or_default().to_owned();
            let path = sources.path(id).map(PathBuf::from).unwrap_or_default();
            Ok(sources.hold(Arc::new(SourceText::binary(id, name, path))))
        }
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
