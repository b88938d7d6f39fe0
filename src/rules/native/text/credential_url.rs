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
/// reference) and `password=`/`pwd=` parameters of connection strings.
static CREDENTIAL_URL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r#"\b(?:[a-z][a-z0-9]*(?:[+.:-][a-z0-9]+)*)://"#,
        r#"[A-Za-z0-9._~%+-]*:(?P<pw>[^\s:@/'"$<{*%\\][^\s@/'"\\]*)@(?P<host>\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)"#,
        r#"|[?&;](?i:password|pwd)=(?P<param>[^&;\s"'$<{*%][^&;\s"']*)"#,
    ))
    .expect("static regex")
});

/// SECRET-006: credentials embedded in URLs and connection strings, except for loopback
/// hosts (a local test database) and placeholders (`is_placeholder_secret`); the finding
/// points at the password.
pub(crate) fn check(body: &Node, _: &EvalCx<'_>, _: Option<&Node>) -> Outcome {
    let Value::String(text) = &body.value else {
        return Outcome::pass(Vec::new());
    };
    // A literal prefilter: the full regex starts with a character class.
    static HINT: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"://|(?i:wd=)").expect("static regex"));
    if body.span.len() != text.len() || !HINT.is_match(text) {
        return Outcome::pass(Vec::new());
    }
    let start = body.span.start as usize;
    let spans = passwords(text)
        .map(|m| Span::new(body.span.file, start + m.start(), start + m.end()))
        .collect();
    fail_or_pass(spans)
}

/// The passwords of `text` that are neither for a loopback host nor placeholders.
fn passwords(text: &str) -> impl Iterator<Item = regex::Match<'_>> {
    CREDENTIAL_URL
        .captures_iter(text)
        .filter(|c| !c.name("host").is_some_and(|h| is_loopback(h.as_str())))
        .filter_map(|c| c.name("pw").or_else(|| c.name("param")))
        .filter(|m| {
            is_literal_secret(m.as_str())
                || m.as_str().len() < 4 && !is_placeholder_secret(m.as_str())
        })
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
        let found = |t: &str| passwords(t).count();
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
