//! `text_credential_url` (SECRET-006): passwords in URLs and connection strings. Native
//! because loopback hosts (a local test database) are exempt, which a regex alone cannot
//! express.

use std::sync::LazyLock;

use regex::Regex;

use crate::parse::node::{Node, Value};
use crate::rules::context::EvalCx;
use crate::rules::native::support::spans::fail_or_pass;
use crate::rules::truth::Outcome;
use crate::source::Span;

/// Documentation (README.md, docs/*.rst): examples there are illustrations, not config.
fn is_documentation(base: &str) -> bool {
    const DOCS: &[&str] = &["md", "markdown", "rst", "adoc", "asciidoc", "html", "htm"];
    let ext = base.rsplit_once('.').map_or("", |(_, e)| e);
    DOCS.contains(&ext.to_ascii_lowercase().as_str())
}

/// `scheme://user:password@host` (the password not a reference or placeholder) and
/// `password=`/`pwd=` parameters of connection strings.
static CREDENTIAL_URL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r#"\b(?:postgres(?:ql)?|mysql|mariadb|mongodb(?:\+srv)?|rediss?|amqps?|mssql|sqlserver|oracle|jdbc:[a-z0-9]+|ftps?|sftp|ldaps?|smtps?|https?)://"#,
        r#"[A-Za-z0-9._~%+-]*:[^\s:@/'"$<{*%\\][^\s@/'"\\]*@(?P<host>\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)"#,
        r#"|[?&;](?i:password|pwd)=[^&;\s"'$<{*%][^&;\s"']*"#,
    ))
    .expect("static regex")
});

/// SECRET-006: credentials embedded in URLs and connection strings, except for loopback
/// hosts (a local test database) and in documentation.
pub(crate) fn check(body: &Node, cx: &EvalCx<'_>, _: Option<&Node>) -> Outcome {
    let Value::String(text) = &body.value else {
        return Outcome::pass(Vec::new());
    };
    let p = cx.resource.address.replace('\\', "/");
    let base = p.rsplit('/').next().unwrap_or(&p).to_ascii_lowercase();
    if is_documentation(&base) || body.span.len() != text.len() {
        return Outcome::pass(Vec::new());
    }
    let start = body.span.start as usize;
    let spans = CREDENTIAL_URL
        .captures_iter(text)
        .filter(|c| !c.name("host").is_some_and(|h| is_loopback(h.as_str())))
        .filter_map(|c| c.get(0))
        .map(|m| Span::new(body.span.file, start + m.start(), start + m.end()))
        .collect();
    fail_or_pass(spans)
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
        let found = |t: &str| {
            CREDENTIAL_URL
                .captures_iter(t)
                .filter(|c| !c.name("host").is_some_and(|h| is_loopback(h.as_str())))
                .count()
        };
        assert_eq!(found("postgres://ledger:S3cret@db.internal:5432/ledger"), 1);
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
