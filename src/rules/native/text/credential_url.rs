//! `text_credential_url` (SECRET-006): passwords in URLs and connection strings. Native
//! because loopback hosts (a local test database) are exempt, which a regex alone cannot
//! express.

use std::sync::LazyLock;

use regex::Regex;

use crate::parse::node::{Node, Value};
use crate::rules::context::EvalCx;
use crate::rules::native::support::secrets::{is_literal_secret, is_placeholder_secret};
use crate::rules::native::support::spans::fail_or_pass;
use crate::rules::truth::Outcome;
use crate::source::Span;

/// `scheme://user:password@host` in any scheme (postgres, mysql, mongodb+srv, redis,
/// amqp, jdbc:…, ftp, ldap, smtp, http, git credential stores…; the password not a
/// reference), anchored at the scheme: it runs only where `://` occurs.
static CREDENTIAL_URL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r#"^(?:[a-z][a-z0-9]*(?:[+.:-][a-z0-9]+)*)://"#,
        r#"[A-Za-z0-9._~%+-]*:(?P<pw>[^\s:@/'"$<{*%\\][^\s@/'"\\]*)@(?P<host>\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)"#,
    ))
    .expect("static regex")
});

/// `password=`/`pwd=` parameters of connection strings (ADO.NET, JDBC, ODBC).
static PASSWORD_PARAM: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"[?&;](?i:password|pwd)=(?P<param>[^&;\s"'$<{*%][^&;\s"']*)"#)
        .expect("static regex")
});

/// SECRET-006: credentials embedded in URLs and connection strings, except for loopback
/// hosts (a local test database) and placeholders (`is_placeholder_secret`); the finding
/// points at the password.
pub(crate) fn check(body: &Node, _: &EvalCx<'_>, _: Option<&Node>) -> Outcome {
    let Value::String(text) = &body.value else {
        return Outcome::pass(Vec::new());
    };
    if body.span.len() != text.len() {
        return Outcome::pass(Vec::new());
    }
    let start = body.span.start as usize;
    let spans = passwords(text)
        .into_iter()
        .map(|(a, b)| Span::new(body.span.file, start + a, start + b))
        .collect();
    fail_or_pass(spans)
}

/// Where the passwords of `text` are that are neither for a loopback host nor
/// placeholders. The URL regex runs from the scheme before each `://` (found with a
/// substring search), the parameter regex only in text that has `wd=` or `rd=` in some
/// case.
fn passwords(text: &str) -> Vec<(usize, usize)> {
    let keep = |pw: &str| is_literal_secret(pw) || (pw.len() < 4 && !is_placeholder_secret(pw));
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    // memmem: SIMD, where `str::match_indices` with a string needle is not.
    for i in memchr::memmem::find_iter(bytes, b"://") {
        let mut s = i;
        while s > 0
            && (bytes[s - 1].is_ascii_lowercase()
                || bytes[s - 1].is_ascii_digit()
                || matches!(bytes[s - 1], b'+' | b'.' | b':' | b'-'))
        {
            s -= 1;
        }
        // The scheme starts with a letter (`jdbc:sqlserver`, not `-x` or `.y`).
        while s < i && !bytes[s].is_ascii_lowercase() {
            s += 1;
        }
        if s == i || (s > 0 && (bytes[s - 1].is_ascii_alphanumeric() || bytes[s - 1] == b'_')) {
            continue;
        }
        let end = text[i..].find(['\n', '\r']).map_or(text.len(), |e| i + e);
        if let Some(c) = CREDENTIAL_URL.captures(&text[s..end])
            && !c.name("host").is_some_and(|h| is_loopback(h.as_str()))
            && let Some(pw) = c.name("pw")
            && keep(pw.as_str())
        {
            out.push((s + pw.start(), s + pw.end()));
        }
    }
    // From each `=` (a fast byte search), not a window at every byte.
    let has_param = text.match_indices('=').any(|(i, _)| {
        i >= 2 && {
            let w = &bytes[i - 2..i];
            w.eq_ignore_ascii_case(b"wd") || w.eq_ignore_ascii_case(b"rd")
        }
    });
    if has_param {
        for c in PASSWORD_PARAM.captures_iter(text) {
            if let Some(m) = c.name("param")
                && keep(m.as_str())
            {
                out.push((m.start(), m.end()));
            }
        }
    }
    out.sort_unstable();
    out
}

fn is_loopback(host: &str) -> bool {
    let h = host.to_ascii_lowercase();
    h == "localhost" || h.ends_with(".localhost") || h.starts_with("127.") || h == "[::1]"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credential_urls() {
        let found = |t: &str| passwords(t).len();
        assert_eq!(found("postgres://ledger:S3cret@db.internal:5432/ledger"), 1);
        assert_eq!(found("couchbase://app:Tamarind-51@cb.internal"), 1);
        assert_eq!(found("https://alice:Wq8nZ2pL7x@git.internal.net"), 1);
        assert_eq!(found("postgres://user:password@db.example.com/app"), 0);
        assert_eq!(found("mysql://app:changeme@db.internal/app"), 0);
        assert_eq!(found("redis://:Kestrel2291@cache:6379/0"), 1);
        assert_eq!(found("x;user=app;password=Harbor-77;encrypt=true"), 1);
        assert_eq!(found("postgres://rails:password@localhost:5432/test"), 0);
        assert_eq!(found("mysql://root:pass@127.0.0.1:3306/db"), 0);
        assert_eq!(found("postgres://ledger:${DB_PASSWORD}@db:5432/ledger"), 0);
        assert_eq!(found("mongodb+srv://u:<password>@cluster0.mongodb.net"), 0);
        assert_eq!(found("https://docs.example.com:443/x"), 0);
        assert_eq!(
            found("https://x-access-token:${{ secrets.T }}@github.com/o/r"),
            0
        );
    }
}
