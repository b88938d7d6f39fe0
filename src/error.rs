//! Errors: `Fatal` stops the run with exit 2 (usage, configuration, rule packs, output);
//! `FileError` belongs to one file, is reported, and never stops the scan.

use std::path::PathBuf;

use crate::span::Span;

/// What went wrong with one file. The scan goes on.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct FileError {
    /// Display path (relative, `/`-separated).
    pub file: String,
    /// Where in the file, when known (byte span).
    pub span: Option<Span>,
    pub kind: FileErrorKind,
    pub message: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum FileErrorKind {
    Read,
    Encoding,
    TooLarge,
    Parse,
    Limit,
    Internal,
}

impl FileErrorKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FileErrorKind::Read => "read",
            FileErrorKind::Encoding => "encoding",
            FileErrorKind::TooLarge => "too-large",
            FileErrorKind::Parse => "parse",
            FileErrorKind::Limit => "limit",
            FileErrorKind::Internal => "internal",
        }
    }
}

impl FileError {
    pub fn parse(file: &str, span: Option<Span>, message: impl Into<String>) -> Self {
        FileError {
            file: file.to_owned(),
            span,
            kind: FileErrorKind::Parse,
            message: message.into(),
        }
    }
}

/// One problem in a configuration file or rule pack, with where it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub file: PathBuf,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.file.display(),
            self.line,
            self.column,
            self.message
        )
    }
}

/// Errors that stop the run (exit 2).
#[derive(Debug, thiserror::Error)]
pub enum Fatal {
    #[error("{0}")]
    Usage(String),
    #[error("invalid configuration:\n{}", list(.0))]
    Config(Vec<Problem>),
    #[error("invalid rule pack:\n{}", list(.0))]
    RulePack(Vec<Problem>),
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
}

fn list(problems: &[Problem]) -> String {
    problems
        .iter()
        .map(|p| format!("  {p}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Something a user should know that is neither a finding nor an error: a Helm
/// template skipped, a remote module not followed.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Notice {
    pub file: String,
    pub span: Option<Span>,
    pub message: String,
}
