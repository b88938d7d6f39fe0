//! Reading the discovered files, in parallel, with stable ids.

use std::sync::Arc;

use rayon::prelude::*;

use crate::discover::{FileKind, SourceFile};
use crate::error::{FileError, FileErrorKind};
use crate::source::{FileId, ReadFailure, SourceText, read_text};

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
            let read = read_text(&f.path).map(|text| {
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
            // A binary or non-text file is only an error where configuration was expected.
            Err(ReadFailure::NotText(msg)) if f.kind == FileKind::Text => {
                let _ = msg;
            }
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
