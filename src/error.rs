//! Errors: `Fatal` stops the run with exit 2 (usage, configuration, rule packs, output);
//! `FileError` belongs to one file, is reported, and never stops the scan.

use std::path::PathBuf;
use std::sync::Arc;

use miette::{Diagnostic, LabeledSpan, MietteSpanContents, SourceCode, SourceSpan, SpanContents};

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
    /// A Helm chart or Kustomize overlay the renderer refused (its message).
    Render,
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
            FileErrorKind::Render => "render",
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

/// One problem in a configuration file or rule pack, with where it is (and the file's
/// text, when known, so the problem is shown in place).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub file: PathBuf,
    pub line: usize,
    pub column: usize,
    pub message: String,
    pub snippet: Option<Snippet>,
}

/// The text a problem points into and the byte range it points at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Snippet {
    pub name: String,
    pub text: Arc<str>,
    pub start: usize,
    pub len: usize,
}

impl Problem {
    /// A problem at `span` of `src` (line and column from its index).
    pub fn at(src: &crate::source::SourceText, span: Span, message: impl Into<String>) -> Self {
        let pos = src.position(span.start as usize);
        // A problem with a whole mapping is shown on its first line, not as a long bracket.
        let start = span.start as usize;
        let line_end = src
            .text
            .get(start..)
            .and_then(|t| t.find('\n'))
            .unwrap_or(0);
        let len = if line_end > 0 {
            span.len().min(line_end)
        } else {
            span.len()
        };
        Problem {
            file: src.path.clone(),
            line: pos.line,
            column: pos.column,
            message: message.into(),
            snippet: Some(Snippet {
                name: src.display_path.to_string(),
                text: src.text.clone(),
                start,
                len: len.max(1),
            }),
        }
    }

    /// A problem with a file as a whole (or at a position without its text).
    pub fn in_file(file: impl Into<PathBuf>, line: usize, column: usize, message: String) -> Self {
        Problem {
            file: file.into(),
            line,
            column,
            message,
            snippet: None,
        }
    }
}

impl std::error::Error for Problem {}

impl Diagnostic for Problem {
    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.snippet.as_ref().map(|s| s as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let s = self.snippet.as_ref()?;
        let at = s.start.min(s.text.len());
        let len = s.len.min(s.text.len() - at);
        Some(Box::new(std::iter::once(LabeledSpan::new_with_span(
            Some("here".into()),
            SourceSpan::new(at.into(), len),
        ))))
    }
}

impl SourceCode for Snippet {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, miette::MietteError> {
        let inner = self
            .text
            .read_span(span, context_lines_before, context_lines_after)?;
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            *inner.span(),
            inner.line(),
            inner.column(),
            inner.line_count(),
        )))
    }
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

/// A fatal error as a diagnostic: a short headline, then each problem of a configuration
/// or rule pack shown in its file.
pub struct FatalDiagnostic<'a>(pub &'a Fatal);

impl std::fmt::Debug for FatalDiagnostic<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::fmt::Display for FatalDiagnostic<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let count = |n: usize| {
            if n == 1 {
                "1 problem".to_owned()
            } else {
                format!("{n} problems")
            }
        };
        match self.0 {
            Fatal::Config(p) => write!(f, "invalid configuration: {}", count(p.len())),
            Fatal::RulePack(p) => write!(f, "invalid rule pack: {}", count(p.len())),
            other => write!(f, "{other}"),
        }
    }
}

impl std::error::Error for FatalDiagnostic<'_> {}

impl Diagnostic for FatalDiagnostic<'_> {
    fn code<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        let code = match self.0 {
            Fatal::Usage(_) => "isolint::usage",
            Fatal::Config(_) => "isolint::config",
            Fatal::RulePack(_) => "isolint::rule-pack",
            Fatal::Io { .. } => "isolint::io",
        };
        Some(Box::new(code))
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        match self.0 {
            Fatal::Config(p) | Fatal::RulePack(p) => {
                Some(Box::new(p.iter().map(|p| p as &dyn Diagnostic)))
            }
            _ => None,
        }
    }
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
