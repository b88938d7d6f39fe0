//! `credential_file_name` (SECRET-064, SECRET-065): a file whose name says it stores
//! credentials - a key store, a private key - committed, even when it is binary. Native
//! because binary files have no text for a pattern to match: reading keeps them for
//! their name only (`discover::classify::credential_file`).
//!
//! args: `kind`: `key_store` (any non-empty `.p12`, `.pfx`, `.jks`, `.keystore`, `.bks`)
//! or `private_key` (a binary `.pem` or `.key`, a DER key; a text one is PEM, which the
//! private-key rule SECRET-004 reads for its key material).

use crate::discover::classify::{CredentialFile, credential_file};
use crate::parse::node::Node;
use crate::rules::context::EvalCx;
use crate::rules::truth::Outcome;

/// The key store every Android SDK generates for debug builds, with the documented
/// password `android`: committed on purpose by many projects, and no secret.
const ANDROID_DEBUG_KEY_STORE: &str = "debug.keystore";

/// The kinds `args.kind` may name.
const KINDS: &[(&str, CredentialFile)] = &[
    ("key_store", CredentialFile::KeyStore),
    ("private_key", CredentialFile::PrivateKey),
];

fn kind_arg(args: Option<&Node>) -> Option<CredentialFile> {
    let name = args?.get("kind")?.as_str()?;
    KINDS.iter().find(|(n, _)| *n == name).map(|(_, k)| *k)
}

/// A finding at the file's first line when its name is a credential file of `kind`.
pub(crate) fn check(body: &Node, cx: &EvalCx<'_>, args: Option<&Node>) -> Outcome {
    let pass = || Outcome::pass(Vec::new());
    let Some(kind) = kind_arg(args) else {
        return pass();
    };
    let address = cx.resource.address.as_str();
    if credential_file(address) != Some(kind) {
        return pass();
    }
    let binary = cx.index.file_is_binary(cx.resource.span.file);
    let reported = match kind {
        CredentialFile::KeyStore => {
            let name = address.rsplit(['/', '\\']).next().unwrap_or(address);
            !name.eq_ignore_ascii_case(ANDROID_DEBUG_KEY_STORE)
                && (binary || body.as_str().is_some_and(|t| !t.trim().is_empty()))
        }
        CredentialFile::PrivateKey => binary,
    };
    if reported {
        Outcome::fail(vec![cx.resource.header])
    } else {
        pass()
    }
}

/// The problems in a rule's args, for `isolint test-rules` and the pack tests.
pub(crate) fn validate(args: Option<&Node>) -> Vec<String> {
    if kind_arg(args).is_some() {
        return Vec::new();
    }
    let known: Vec<&str> = KINDS.iter().map(|(n, _)| *n).collect();
    vec![format!(
        "credential_file_name needs args.kind, one of: {}",
        known.join(", ")
    )]
}
