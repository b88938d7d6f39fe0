//! `k8s_secret_credential` (SECRET-063): a Kubernetes Secret manifest whose `data`
//! (base64) decodes to a credential, or whose `stringData` holds one, under a key that
//! says secret. Native because the value must be decoded before it can be judged.

use crate::parse::node::{Node, Value};
use crate::rules::context::EvalCx;
use crate::rules::native::support::secrets::{
    decode_base64, is_literal_secret, is_placeholder_secret, is_secret_name,
};
use crate::rules::native::support::spans::fail_or_pass;
use crate::rules::truth::Outcome;

/// Keys whose value is a credential whatever it is called: the well-known keys of the
/// typed Secrets (`kubernetes.io/tls`, `…/ssh-auth`, `…/dockerconfigjson`,
/// `…/service-account-token`) and credential files mounted from a Secret.
const CREDENTIAL_KEYS: &[&str] = &[
    "tls.key",
    "ssh-privatekey",
    ".dockerconfigjson",
    ".dockercfg",
    ".git-credentials",
    ".npmrc",
    ".pypirc",
    ".netrc",
    "credentials",
    "id_rsa",
    "id_ecdsa",
    "id_ed25519",
    "token",
    "password",
];

/// Whether `key: value` (value decoded) holds a literal credential.
fn is_credential(key: &str, value: &str) -> bool {
    let v = value.trim();
    let named = CREDENTIAL_KEYS.contains(&key.to_ascii_lowercase().as_str()) || is_secret_name(key);
    if !named || v.is_empty() {
        return false;
    }
    if v.contains("PRIVATE KEY-----") {
        // A key file: the material after the header must not be a placeholder.
        return !v.contains("...") && !v.contains('…');
    }
    if key.starts_with(".docker") {
        return v.contains("\"auth\"") || v.contains("\"password\"");
    }
    // A mounted file (.npmrc, credentials) is judged by its lines, a value by itself.
    if v.contains('\n') {
        return v.lines().any(|l| {
            l.split_once(['=', ':'])
                .is_some_and(|(k, val)| is_secret_name(k.trim()) && is_literal_secret(val.trim()))
        });
    }
    is_literal_secret(v) && !is_placeholder_secret(v)
}

/// A finding at every `data` / `stringData` value of a Secret that holds a credential.
pub(crate) fn check(body: &Node, _: &EvalCx<'_>, _: Option<&Node>) -> Outcome {
    if body.get("kind").and_then(Node::as_str) != Some("Secret") {
        return Outcome::pass(Vec::new());
    }
    let mut spans = Vec::new();
    for (section, encoded) in [("data", true), ("stringData", false)] {
        for e in body.get(section).map_or(&[][..], Node::entries) {
            let Value::String(raw) = &e.value.value else {
                continue;
            };
            let decoded = if encoded {
                match decode_base64(raw.trim()) {
                    Some(d) => d,
                    None => continue,
                }
            } else {
                raw.clone()
            };
            if is_credential(&e.key, &decoded) {
                spans.push(e.value.span);
            }
        }
    }
    fail_or_pass(spans)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_by_key_and_value() {
        assert!(is_credential("password", "Harbor-Finch-77"));
        assert!(is_credential("api-token", "Zq9xW2vB7nM4kL1pR8tY6uI3"));
        assert!(is_credential(
            ".dockerconfigjson",
            r#"{"auths":{"r.io":{"auth":"dTpw"}}}"#
        ));
        assert!(is_credential(
            "tls.key",
            "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIB\n-----END EC PRIVATE KEY-----"
        ));
        assert!(!is_credential("username", "ledger"));
        assert!(!is_credential("password", "changeme"));
        assert!(!is_credential("password", "${DB_PASSWORD}"));
        assert!(!is_credential("tls.crt", "-----BEGIN CERTIFICATE-----"));
        assert!(!is_credential(
            "tls.key",
            "-----BEGIN PRIVATE KEY-----\n...\n"
        ));
    }
}
