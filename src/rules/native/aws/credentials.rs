//! Credential shapes in free text and environment entries (user data, Lambda and ECS
//! environments), judged by the shared secret heuristic.

use std::sync::LazyLock;

use regex::Regex;

use crate::parse::node::Node;
use crate::rules::context::EvalCx;
use crate::rules::native::support::secrets::{is_literal_secret, is_secret_name};
use crate::rules::native::support::spans::{file_text, place};
use crate::source::Span;

static AWS_KEY_ID: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b").expect("static regex"));

/// `NAME=value` / `name: value` assignments whose name says secret. The value is the
/// literal after the separator; shell expansions and templates do not match.
static SECRET_ASSIGNMENT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?im)(?:^|[^A-Za-z0-9_])([A-Za-z0-9_]*(?:password|passwd|secret|token|api_?key|private_?key|access_?key)[A-Za-z0-9_]*)["']?[ \t]*[=:][ \t]*["']?([^\s"'$`{}\[\]<>()|;&\\]+)(?:["'\s;&|]|$)"#,
    )
    .expect("static regex")
});

/// Credentials embedded in a URL: `scheme://user:password@host`.
static URL_CREDENTIALS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[A-Za-z][A-Za-z0-9+.-]*://[^\s:/@$]*:([^\s@/$]+)@[^\s/]").expect("static regex")
});

/// Whether a free text (user data) holds a credential: an AWS access key id, a secret
/// assigned to a secret-named variable, or a URL with a password.
#[cfg(test)]
pub(crate) fn text_has_secret(text: &str) -> bool {
    !secret_ranges(text).is_empty()
}

/// Where in a free text its credentials are (byte ranges, sorted): each AWS access key
/// id, each literal value assigned to a secret-named variable, each URL password - what
/// a report must mask.
pub(crate) fn secret_ranges(text: &str) -> Vec<std::ops::Range<usize>> {
    let mut out: Vec<_> = AWS_KEY_ID.find_iter(text).map(|m| m.range()).collect();
    out.extend(SECRET_ASSIGNMENT.captures_iter(text).filter_map(|c| {
        let name = c.get(1).map_or("", |m| m.as_str());
        let value = c.get(2)?;
        (is_secret_name(name) && is_literal_secret(value.as_str())).then(|| value.range())
    }));
    out.extend(url_passwords(text));
    out.sort_by_key(|r| (r.start, r.end));
    out.dedup();
    out
}

/// The literal passwords of the URLs in a text (`scheme://user:password@host`).
fn url_passwords(text: &str) -> impl Iterator<Item = std::ops::Range<usize>> + '_ {
    URL_CREDENTIALS
        .captures_iter(text)
        .filter_map(|c| c.get(1))
        .filter(|m| is_literal_secret(m.as_str()))
        .map(|m| m.range())
}

/// Whether a text holds a URL with a literal password (`scheme://user:password@host`).
fn url_has_password(text: &str) -> bool {
    url_passwords(text).next().is_some()
}

/// Where in an environment value `name = value` its credential is: the URL passwords
/// when that is what makes it one, else the whole value; `None` when it holds none.
pub(crate) fn env_secret_ranges(name: &str, value: &str) -> Option<Vec<std::ops::Range<usize>>> {
    if !env_has_secret(name, value) {
        return None;
    }
    if is_secret_name(name) && is_literal_secret(value) {
        return Some(std::iter::once(0..value.len()).collect());
    }
    let mut out: Vec<_> = AWS_KEY_ID.find_iter(value).map(|m| m.range()).collect();
    out.extend(url_passwords(value));
    Some(out)
}

/// Whether an environment variable `name = value` carries a literal credential.
pub(crate) fn env_has_secret(name: &str, value: &str) -> bool {
    if value.trim().is_empty() {
        return false;
    }
    (is_secret_name(name) && is_literal_secret(value))
        || AWS_KEY_ID.is_match(value)
        || url_has_password(value)
}

/// The source spans of `ranges` of `text`, the string value of `node`: what a finding
/// points at and a report masks (the rules are `sensitive`). Each range the source shows
/// as it is maps to its own span; one it does not (base64 user data, an escaped string)
/// gives the whole value, so that no part of it is printed.
pub(crate) fn secret_spans(
    node: &Node,
    text: &str,
    ranges: &[std::ops::Range<usize>],
    cx: &EvalCx<'_>,
) -> Vec<Span> {
    let text_of_file = file_text(cx);
    let src = text_of_file.as_deref();
    let mut out: Vec<Span> = ranges
        .iter()
        .map(|r| {
            let span = place(src, node, text, r.start, r.end, cx);
            let shown = src.and_then(|s| s.get(span.range()));
            if shown.is_some() && shown == text.get(r.clone()) {
                span
            } else {
                node.span
            }
        })
        .collect();
    if out.is_empty() {
        out.push(node.span);
    }
    out.sort();
    out.dedup();
    out
}

/// Decodes standard base64 (padding optional); `None` when it is not base64 text.
pub(crate) fn base64_decode(s: &str) -> Option<String> {
    let s: String = s.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    if s.len() < 8 || s.len() % 4 == 1 {
        return None;
    }
    let mut bits: u32 = 0;
    let mut n = 0;
    let mut out = Vec::with_capacity(s.len() / 4 * 3);
    for c in s.trim_end_matches('=').bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        };
        bits = (bits << 6) | u32::from(v);
        n += 6;
        if n >= 8 {
            n -= 8;
            out.push((bits >> n) as u8);
            bits &= (1 << n) - 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_data_secrets_are_found_and_shell_expansions_are_not() {
        assert!(text_has_secret("export DB_PASSWORD='Tr0ub4dor&3'\n"));
        assert!(text_has_secret(
            "aws configure set aws_access_key_id AKIA2E0A8F3B244C9986"
        ));
        assert!(text_has_secret(
            "DATABASE_URL=postgres://app:hunter2hunter@db.internal:5432/app"
        ));
        assert!(text_has_secret(
            "users:\n  - name: ops\n    plain_text_passwd: 'Winter2024!'\n"
        ));
        for ok in [
            "export DB_PASSWORD=$(aws ssm get-parameter --name /app/db --with-decryption)",
            "TOKEN=`curl -X PUT http://169.254.169.254/latest/api/token`",
            "curl -H \"X-aws-ec2-metadata-token-ttl-seconds: 21600\"",
            "chpasswd:\n  expire: false\nlock_passwd: true\n",
            "sed -i 's/PasswordAuthentication yes/PasswordAuthentication no/' /etc/ssh/sshd_config",
            "echo \"PASSWORD_FILE=/run/secrets/db\"",
            "api_key = os.getenv(\"API_KEY\")",
            "DB_PASSWORD=<your-password-here>",
            "DATABASE_URL=postgres://app:${DB_PASSWORD}@db.internal/app",
        ] {
            assert!(!text_has_secret(ok), "{ok}");
        }
    }

    #[test]
    fn base64_round_trip() {
        assert_eq!(
            base64_decode("cGFzc3dvcmQ9aHVudGVyMg==").as_deref(),
            Some("password=hunter2")
        );
        assert_eq!(base64_decode("#!/bin/bash"), None);
    }
}

// The former AWS-only name/value heuristic was replaced by support::secrets.
