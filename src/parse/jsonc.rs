//! JSON with comments (`tsconfig.json`, `.vscode/*.json`, devcontainer files): `//` and
//! `/* */` comments are blanked out before the JSON is read, byte for byte (newlines
//! kept), so every span still points into the original text.

/// The text with comments outside strings replaced by spaces; `None` when it has none.
pub(crate) fn blank_comments(text: &str) -> Option<String> {
    if !text.contains("//") && !text.contains("/*") {
        return None;
    }
    let bytes = text.as_bytes();
    // Copied at the first comment only: `"http://…"` alone is no reason to copy a big file.
    let mut out: Option<Vec<u8>> = None;
    let mut i = 0;
    let mut in_string = false;
    while i < bytes.len() {
        let b = bytes[i];
        if in_string {
            match b {
                b'\\' => i += 1,
                b'"' => in_string = false,
                _ => {}
            }
            i += 1;
            continue;
        }
        match (b, bytes.get(i + 1)) {
            (b'"', _) => in_string = true,
            (b'/', Some(b'/')) => {
                let out = out.get_or_insert_with(|| bytes.to_vec());
                while i < bytes.len() && bytes[i] != b'\n' {
                    out[i] = b' ';
                    i += 1;
                }
                continue;
            }
            (b'/', Some(b'*')) => {
                let end = text[i + 2..]
                    .find("*/")
                    .map_or(bytes.len(), |e| i + 2 + e + 2);
                let out = out.get_or_insert_with(|| bytes.to_vec());
                for o in &mut out[i..end] {
                    if *o != b'\n' {
                        *o = b' ';
                    }
                }
                i = end;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    // Only ASCII bytes outside strings were replaced by ASCII spaces: still UTF-8.
    out.and_then(|out| String::from_utf8(out).ok())
}

#[cfg(test)]
mod tests {
    use super::blank_comments;

    #[test]
    fn comments_become_spaces_and_strings_stay() {
        let text = "{\n  \"url\": \"http://x\", // note\n  /* a\n b */ \"k\": 1\n}\n";
        let out = blank_comments(text).expect("has comments");
        assert_eq!(out.len(), text.len());
        assert!(out.contains("\"http://x\""));
        assert!(!out.contains("note"));
        assert_eq!(out.lines().count(), text.lines().count());
        assert_eq!(blank_comments("{\"a\": \"//\"}"), None);
    }
}
