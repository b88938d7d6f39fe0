//! Decides what a file is from its name alone; content-based decisions (a manifest vs
//! a compose file vs plain YAML) are made after parsing, in `app`.

use std::path::Path;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FileKind {
    /// `.tf`, `.tf.json`, `.tfvars`, `.tfvars.json`: evaluated per module directory.
    Terraform,
    /// Any `.yaml`/`.yml`: Kubernetes, compose, workflow or plain configuration.
    Yaml,
    /// Any other `.json`: Kubernetes manifests, Terraform plans, configuration.
    Json,
    Dockerfile,
    /// Everything else that is text: scanned for secrets only.
    Text,
}

/// Extensions never worth reading: binaries, archives, media. Text formats that hide
/// secrets as well as any file (SVG, lock files such as `Cargo.lock`, `yarn.lock`,
/// `go.sum`) are not listed: they are read as text and searched for secrets.
const BINARY_EXTENSIONS: &[&str] = &[
    "png", "jpg", "jpeg", "gif", "bmp", "ico", "webp", "pdf", "zip", "gz", "tgz", "bz2", "xz",
    "zst", "7z", "tar", "jar", "war", "class", "so", "dylib", "dll", "exe", "bin", "o", "a",
    "woff", "woff2", "ttf", "otf", "eot", "mp3", "mp4", "mov", "avi", "wasm", "pyc",
];

/// A file whose name says it stores credentials, reported by name even when it is binary
/// (SECRET-064, SECRET-065): reading keeps such a file when it is not text, without its
/// content.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CredentialFile {
    /// PKCS#12 (`.p12`, `.pfx`), Java (`.jks`, `.keystore`) and Bouncy Castle (`.bks`)
    /// key stores: binary containers of private keys.
    KeyStore,
    /// `.pem` and `.key`: a private key, reported by name when binary (DER); a text one
    /// is PEM, which the private-key rule reads.
    PrivateKey,
}

pub(crate) fn credential_file(path: &str) -> Option<CredentialFile> {
    let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
    let ext = name.rsplit_once('.')?.1.to_ascii_lowercase();
    match ext.as_str() {
        "p12" | "pfx" | "jks" | "keystore" | "bks" => Some(CredentialFile::KeyStore),
        "pem" | "key" => Some(CredentialFile::PrivateKey),
        _ => None,
    }
}

pub(crate) fn classify(path: &Path) -> Option<FileKind> {
    // A name that is not UTF-8 is still classified (by its lossy form), not skipped.
    let name = path.file_name()?.to_string_lossy();
    let lower = name.to_ascii_lowercase();
    if lower.ends_with(".tf")
        || lower.ends_with(".tf.json")
        || lower.ends_with(".tfvars")
        || lower.ends_with(".tfvars.json")
    {
        return Some(FileKind::Terraform);
    }
    if is_dockerfile(&lower) {
        return Some(FileKind::Dockerfile);
    }
    let ext = lower.rsplit_once('.').map(|(_, e)| e);
    match ext {
        Some("yaml" | "yml") => Some(FileKind::Yaml),
        Some("json") => Some(FileKind::Json),
        Some(e) if BINARY_EXTENSIONS.contains(&e) => None,
        _ => Some(FileKind::Text),
    }
}

/// `Dockerfile`, `Containerfile`, `Dockerfile.prod`, `api.Dockerfile`.
fn is_dockerfile(lower: &str) -> bool {
    lower == "dockerfile"
        || lower == "containerfile"
        || lower.starts_with("dockerfile.")
        || lower.starts_with("containerfile.")
        || lower.ends_with(".dockerfile")
        || lower.ends_with(".containerfile")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_classify() {
        let c = |p: &str| classify(Path::new(p));
        assert_eq!(c("main.tf"), Some(FileKind::Terraform));
        assert_eq!(c("prod.tfvars.json"), Some(FileKind::Terraform));
        assert_eq!(c("x.tf.json"), Some(FileKind::Terraform));
        assert_eq!(c("Dockerfile"), Some(FileKind::Dockerfile));
        assert_eq!(c("api.Dockerfile"), Some(FileKind::Dockerfile));
        assert_eq!(c("Dockerfile.prod"), Some(FileKind::Dockerfile));
        assert_eq!(c("Containerfile"), Some(FileKind::Dockerfile));
        assert_eq!(c("deploy.yaml"), Some(FileKind::Yaml));
        assert_eq!(c(".env"), Some(FileKind::Text));
        assert_eq!(c("logo.png"), None);
        // Text that hides secrets as well as any other file is read.
        for text in [
            "logo.svg",
            "Cargo.lock",
            "yarn.lock",
            "go.sum",
            "release.keystore",
        ] {
            assert_eq!(c(text), Some(FileKind::Text), "{text}");
        }
    }

    #[test]
    fn credential_files_by_name() {
        use CredentialFile::*;
        for (name, want) in [
            ("certs/client.P12", Some(KeyStore)),
            ("a\\b\\site.pfx", Some(KeyStore)),
            ("android/release.keystore", Some(KeyStore)),
            ("app.jks", Some(KeyStore)),
            ("tls/server.key", Some(PrivateKey)),
            ("ca.pem", Some(PrivateKey)),
            ("keystore.md", None),
            ("jks", None),
            ("pem/README", None),
        ] {
            assert_eq!(credential_file(name), want, "{name}");
        }
    }
}
