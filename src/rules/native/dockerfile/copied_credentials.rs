//! `dockerfile_copied_credentials`: COPY/ADD of credential files into the image. Native
//! because the sources are the words before the last (shell form with quotes, exec form,
//! heredocs) and a file name list decides.

use super::{instructions, unquote, words};
use crate::parse::node::Node;
use crate::rules::context::EvalCx;
use crate::rules::native::support::spans::{fail_or_pass, file_text, place};
use crate::rules::truth::Outcome;

/// COPY/ADD sources that are credential files (SSH keys, registry and package-manager
/// credentials, `.env` files, private keys, cloud CLI credential directories).
pub(crate) fn check(body: &Node, cx: &EvalCx<'_>, _: Option<&Node>) -> Outcome {
    let text = file_text(cx);
    let src = text.as_deref();
    let mut spans = Vec::new();
    for (kw, ins) in instructions(body) {
        if kw != "COPY" && kw != "ADD" {
            continue;
        }
        if let Some(exec) = ins.get("exec") {
            let items = exec.items();
            for item in items.iter().take(items.len().saturating_sub(1)) {
                if item.as_str().is_some_and(is_credential_path) {
                    spans.push(item.span);
                }
            }
            continue;
        }
        let Some(node) = ins.get("args") else {
            continue;
        };
        let Some(text) = node.as_str() else {
            continue;
        };
        let ws = words(text);
        for &(a, b) in ws.iter().take(ws.len().saturating_sub(1)) {
            let word = unquote(&text[a..b]);
            if !word.starts_with("<<") && is_credential_path(&word) {
                spans.push(place(src, node, text, a, b, cx));
            }
        }
    }
    fail_or_pass(spans)
}

/// Whether a COPY/ADD source names a file or directory that holds credentials.
fn is_credential_path(path: &str) -> bool {
    let lower = path.trim().trim_end_matches('/').to_ascii_lowercase();
    let base = lower.rsplit(['/', '\\']).next().unwrap_or(&lower);
    const FILES: &[&str] = &[
        "id_rsa",
        "id_dsa",
        "id_ecdsa",
        "id_ed25519",
        ".npmrc",
        ".pypirc",
        ".netrc",
        ".git-credentials",
        ".dockercfg",
        ".pgpass",
        ".s3cfg",
        "credentials",
        "credentials.json",
        "kubeconfig",
        ".env",
        ".aws",
        ".ssh",
        ".gnupg",
    ];
    if FILES.contains(&base) {
        return true;
    }
    if let Some(suffix) = base.strip_prefix(".env.") {
        const TEMPLATES: &[&str] = &["example", "sample", "template", "dist", "defaults", "tpl"];
        return !TEMPLATES.contains(&suffix);
    }
    // Public keys (repository signing keys such as nodesource-repo.gpg.key) are fine.
    let public = ["pub", "gpg", "pgp", "asc", "keyring"]
        .iter()
        .any(|w| base.contains(w));
    let key_pem = base.ends_with(".pem") && (base.contains("key") || base.contains("priv"));
    let keystore = [".key", ".p12", ".pfx", ".jks", ".keystore"]
        .iter()
        .any(|e| base.ends_with(e));
    (!public && (key_pem || keystore))
        || lower.ends_with(".docker/config.json")
        || lower.ends_with(".kube/config")
        || lower.contains(".aws/credentials")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credential_paths() {
        for yes in [
            "id_rsa",
            "./.ssh/id_ed25519",
            ".npmrc",
            ".env",
            ".env.production",
            "certs/server.key",
            "tls/privkey.pem",
            ".aws/",
            "/root/.aws/credentials",
            ".docker/config.json",
        ] {
            assert!(is_credential_path(yes), "{yes}");
        }
        for no in [
            ".env.example",
            "certs/ca.pem",
            "package.json",
            ".ssh/known_hosts",
            "app/",
        ] {
            assert!(!is_credential_path(no), "{no}");
        }
    }
}
