//! How a run-stopping error reads on stderr: configuration and rule-pack problems as
//! diagnostics pointing into their file (each headed `file:line:col: message`, the shape
//! editors and `grep` understand), other errors as one `error:` line.

use miette::{GraphicalReportHandler, GraphicalTheme};

use crate::error::{Fatal, FatalDiagnostic};

/// The error as text for stderr (colour only when asked).
pub fn render(error: &Fatal, color: bool) -> String {
    // Configuration and rule packs may come from the scanned repository: their text and
    // names are shown without raw control characters.
    if !matches!(error, Fatal::Config(_) | Fatal::RulePack(_)) {
        return format!("error: {}\n", super::sanitize::lines(&error.to_string()));
    }
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let mut out = String::new();
    let handler = GraphicalReportHandler::new_themed(theme).with_links(false);
    match handler.render_report(&mut out, &FatalDiagnostic(error)) {
        Ok(()) => super::sanitize::lines_keeping_colour(&out),
        Err(_) => format!("error: {}\n", super::sanitize::lines(&error.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::error::Problem;
    use crate::source::{FileId, SourceText, Span};

    #[test]
    fn problems_are_shown_in_their_file_with_a_greppable_head() {
        let src = SourceText::new(
            FileId(0),
            "pack.yaml",
            "pack.yaml".into(),
            Arc::from("rules:\n  - id: bad\n    severity: urgent\n"),
        );
        let at = src.text.find("urgent").unwrap();
        let e = Fatal::RulePack(vec![
            Problem::at(
                &src,
                Span::new(FileId(0), at, at + 6),
                "unknown severity `urgent`",
            ),
            Problem::in_file("other.yaml", 1, 1, "cannot read rule pack".into()),
        ]);
        let text = render(&e, false);
        assert!(text.contains("invalid rule pack: 2 problems"), "{text}");
        assert!(
            text.contains("pack.yaml:3:15: unknown severity `urgent`"),
            "{text}"
        );
        assert!(
            text.contains("severity: urgent"),
            "the line is shown:\n{text}"
        );
        assert!(
            text.contains("other.yaml:1:1: cannot read rule pack"),
            "{text}"
        );
        assert_eq!(render(&Fatal::Usage("x".into()), false), "error: x\n");
    }
}
