//! Credential shapes in free text and environment entries (user data, Lambda and ECS
//! environments), judged by the shared secret heuristic.

use std::sync::LazyLock;

use regex::Regex;

use crate::rules::native::support::secrets::{is_literal_secret, is_secret_name};

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
pub(crate) fn text_has_secret(text: &str) -> bool {
    if AWS_KEY_ID.is_match(text) {
        return true;
    }
    let assigned = SECRET_ASSIGNMENT.captures_iter(text).any(|c| {
        let name = c.get(1).map_or("", |m| m.as_str());
        let value = c.get(2).map_or("", |m| m.as_str());
        is_secret_name(name) && is_literal_secret(value)
    });
    assigned || url_has_password(text)
}

/// Whether a text holds a URL with a literal password (`scheme://user:password@host`).
fn url_has_password(text: &str) -> bool {
    URL_CREDENTIALS
        .captures_iter(text)
        .any(|c| c.get(1).is_some_and(|m| is_literal_secret(m.as_str())))
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
