//! `expect: ID` markers in fail fixtures: at the end of the flagged line, or alone on
//! the line above it (formats without trailing comments).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// (file, 1-based line) pairs that the fixture under `dir` expects `id` to flag.
pub(super) fn expected(dir: &Path, id: &str) -> BTreeSet<(PathBuf, usize)> {
    let mut out = BTreeSet::new();
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let Ok(entry) = entry else { continue };
        if !entry.file_type().is_file() {
            continue;
        }
        let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
        for line in lines_for(&text, id) {
            out.insert((entry.path().to_path_buf(), line));
        }
    }
    out
}

fn lines_for(text: &str, id: &str) -> Vec<usize> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let Some(at) = line.find("expect:") else {
            continue;
        };
        let names_id = line[at + 7..]
            .split(|c: char| c == ',' || c.is_whitespace())
            .any(|w| w == id);
        if !names_id {
            continue;
        }
        let own_line = line[..at]
            .trim()
            .trim_start_matches(['#', '/'])
            .trim()
            .is_empty();
        let target = if own_line {
            (i + 1..lines.len())
                .find(|&j| {
                    let t = lines[j].trim();
                    !t.is_empty() && !t.starts_with('#') && !t.starts_with("//")
                })
                .unwrap_or(i)
        } else {
            i
        };
        out.push(target + 1);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::lines_for;

    #[test]
    fn trailing_and_own_line_markers() {
        let text =
            "a = 1 # expect: X-001\n# expect: X-001, Y-002\n\nb = 2\nc = 3 # expect: Y-002\n";
        assert_eq!(lines_for(text, "X-001"), vec![1, 4]);
        assert_eq!(lines_for(text, "Y-002"), vec![4, 5]);
        assert!(lines_for(text, "X-00").is_empty());
    }
}
