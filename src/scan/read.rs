//! Reading the discovered files, in parallel, with stable ids.

use std::sync::Arc;

use rayon::prelude::*;

use crate::discover::classify::credential_file;
use crate::discover::{FileKind, SourceFile};
use crate::error::{FileError, FileErrorKind};
use crate::source::{FileId, ReadFailure, SourceText, read_any_text, read_text};

/// What discovery classified a read file as (`files` is sorted by display path).
pub(super) fn kind_of(files: &[SourceFile], src: &SourceText) -> Option<FileKind> {
    files
        .binary_search_by(|f| f.display_path.as_str().cmp(&src.display_path))
        .ok()
        .map(|i| files[i].kind)
}

/// Reads every file in parallel; ids follow the sorted file order, so they are stable.
pub(super) fn read_all(files: &[SourceFile]) -> (Vec<Arc<SourceText>>, Vec<FileError>) {
    // The line index is built on the worker too; ids are given afterwards, in order.
    let results: Vec<_> = files
        .par_iter()
        .map(|f| {
            // Files only searched for secrets are decoded leniently (a stray NUL, a
            // Latin-1 byte); configuration must be valid text to parse.
            let read = if f.kind == FileKind::Text {
                read_any_text(&f.path)
            } else {
                read_text(&f.path)
            };
            let read = read.map(|text| {
                SourceText::new(FileId(0), f.display_path.clone(), f.path.clone(), text)
            });
            (f, read)
        })
        .collect();
    let mut sources = Vec::new();
    let mut errors = Vec::new();
    for (f, result) in results {
        match result {
            Ok(mut src) => {
                src.id = FileId(u32::try_from(sources.len()).unwrap_or(u32::MAX));
                sources.push(Arc::new(src));
            }
            // A key store is a finding by its name even though it is binary: kept,
            // without its bytes.
            Err(ReadFailure::NotText(_))
                if f.kind == FileKind::Text && credential_file(&f.display_path).is_some() =>
            {
                let id = FileId(u32::try_from(sources.len()).unwrap_or(u32::MAX));
                let src = SourceText::binary(id, f.display_path.clone(), f.path.clone());
                sources.push(Arc::new(src));
            }
            // A binary or non-text file is only an error where configuration was expected.
            Err(ReadFailure::NotText(_)) if f.kind == FileKind::Text => {}
            Err(ReadFailure::NotText(msg)) => errors.push(FileError {
                file: f.display_path.clone(),
                span: None,
                kind: FileErrorKind::Encoding,
                message: msg,
            }),
            Err(ReadFailure::Error(kind, msg)) => errors.push(FileError {
                file: f.display_path.clone(),
                span: None,
                kind,
                message: msg,
            }),
        }
    }
    (sources, errors)
}
