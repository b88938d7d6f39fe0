//! The one secret heuristic every family uses (Dockerfile ENV/ARG, workflow env, text
//! files, Lambda and ECS environments, user data): whether a setting's NAME says it holds
//! a secret, and whether its VALUE is a literal secret rather than a reference, a
//! placeholder or a pointer into a secret store.

use std::sync::LazyLock;

use regex::Regex;

/// Upper-case words of a setting name: split on punctuation and camelCase
/// (`dbPassword` → DB PASSWORD, `APIKey` → API KEY), trailing digits dropped.
pub(crate) fn name_tokens(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    for part in name.split(|c: char| !c.is_ascii_alphanumeric()) {
        let chars: Vec<char> = part.chars().collect();
        let mut cur = String::new();
        for (i, &c) in chars.iter().enumerate() {
            let prev = i.checked_sub(1).map(|j| chars[j]);
            let next = chars.get(i + 1).copied();
            let boundary = c.is_ascii_uppercase()
                && prev.is_some_and(|p| {
                    p.is_ascii_lowercase()
                        || p.is_ascii_digit()
                        || (p.is_ascii_uppercase() && next.is_some_and(|n| n.is_ascii_lowercase()))
                });
            if boundary && !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            cur.push(c.to_ascii_uppercase());
        }
        if !cur.is_empty() {
            out.push(cur);
        }
    }
    for t in &mut out {
        let trimmed = t.trim_end_matches(|c: char| c.is_ascii_digit()).len();
        t.truncate(trimmed);
    }
    out.retain(|t| !t.is_empty());
    out
}

/// Whether a setting name says it holds a secret: it ends in PASSWORD, PASSWD,
/// PASSPHRASE, SECRET, TOKEN, APIKEY, `<x>_PASS`/`<x>_PWD`, or an API/ACCESS/SECRET/
/// PRIVATE/AUTH/ENCRYPTION/SIGNING/MASTER/LICENSE/ACCOUNT `_KEY` (plus Rails'
/// SECRET_KEY_BASE). Names ending in anything else (`_FILE`, `_PATH`, `_ID`, `_LENGTH`,
/// `_NAME`, `_URL`, `_ENABLED`) are pointers or settings about a secret, not secrets.
pub(crate) fn is_secret_name(name: &str) -> bool {
    // Every secret name ends in a word containing one of these; most names do not, and
    // this runs for every setting of every file.
    const STEMS: [&[u8]; 5] = [b"pass", b"pwd", b"token", b"secret", b"key"];
    let bytes = name.as_bytes();
    let has_stem = STEMS.iter().any(|stem| {
        bytes
            .windows(stem.len())
            .any(|w| w.eq_ignore_ascii_case(stem))
    });
    if !has_stem {
        return false;
    }
    let mut toks = name_tokens(name);
    // Terraform 1.11 write-only arguments (`password_wo`, `secret_string_wo`) hold the same
    // secret as their classic counterparts.
    if toks.len() > 1 && toks.last().is_some_and(|t| t == "WO") {
        toks.pop();
    }
    let Some(last) = toks.last() else {
        return false;
    };
    // Helm's `existingSecret…` settings (`existingUserSecretKey`, `existingSecretPasswordKey`)
    // name a Secret the chart reads, or a key in it: never the secret itself.
    if toks.len() > 1 && toks[0] == "EXISTING" {
        return false;
    }
    // etcd's initial-cluster-token tells clusters apart at bootstrap; etcd documents it
    // as an identifier, not a credential.
    let n = toks.len();
    if n >= 3 && toks[n - 3] == "INITIAL" && toks[n - 2] == "CLUSTER" && toks[n - 1] == "TOKEN" {
        return false;
    }
    let prev = toks.len().checked_sub(2).map(|i| toks[i].as_str());
    match last.as_str() {
        "PASSWORD" | "PASSWD" | "PASSPHRASE" | "TOKEN" | "APIKEY" => true,
        // existingSecret, imagePullSecret, tlsSecret: the name of a Kubernetes or
        // vault secret, not its value.
        "SECRET" => !matches!(
            prev,
            Some(
                "EXISTING"
                    | "PULL"
                    | "TLS"
                    | "CERT"
                    | "CERTIFICATE"
                    | "K8S"
                    | "KUBE"
                    | "KUBERNETES"
                    | "SEALED"
                    | "EXTERNAL"
                    | "VAULT"
                    | "USE"
                    | "CREATE"
                    // configFromSecret, envFromSecret: where a value is read from.
                    | "FROM"
            )
        ),
        "PASS" | "PWD" => toks.len() > 1,
        // `passwordSecretKey`, `existingSecretKey`, `serviceAccountSecretKey`: which key of
        // a Kubernetes Secret holds the password, not the password.
        "KEY"
            if prev == Some("SECRET")
                && toks.len() > 2
                && matches!(
                    toks[toks.len() - 3].as_str(),
                    "PASSWORD"
                        | "TOKEN"
                        | "KEY"
                        | "SECRET"
                        | "ACCOUNT"
                        | "CREDENTIALS"
                        | "PASSPHRASE"
                        | "EXISTING"
                ) =>
        {
            false
        }
        "KEY" => matches!(
            prev,
            Some(
                "API"
                    | "ACCESS"
                    | "SECRET"
                    | "PRIVATE"
                    | "AUTH"
                    | "ENCRYPTION"
                    | "SIGNING"
                    | "MASTER"
                    | "LICENSE"
                    | "ACCOUNT"
            )
        ),
        "BASE" => prev == Some("KEY") && toks.iter().any(|t| t == "SECRET"),
        _ => false,
    }
}

/// Whether a value written for a secret-named setting is a literal secret, not a
/// reference (`$VAR`, `${{ secrets.X }}`, `{{ template }}`), a placeholder for nothing
/// (`<password>`, `***`), a flag, a path or a pointer into a secret store.
pub(crate) fn is_literal_secret(value: &str) -> bool {
    let v = value.trim();
    if v.chars().count() < 4 {
        return false;
    }
    let lower = v.to_ascii_lowercase();
    const NOT_SECRETS: &[&str] = &[
        "true",
        "false",
        "null",
        "none",
        "undefined",
        "enabled",
        "disabled",
        "required",
        "optional",
        // Access levels (GitHub permissions: id-token: write).
        "read",
        "write",
        // Values that say they are not real (LocalStack's test/test, mocks).
        "test",
        "dummy",
        "fake",
        // The word a schema or a chart's CI values write where a value goes
        // (`secret: "value"`).
        "value",
        "string",
    ];
    if NOT_SECRETS.contains(&lower.as_str()) {
        return false;
    }
    // A shell reference inside escaped quotes (`\"$MAIL_PASSWORD\"`).
    let unquoted = v.trim_start_matches(['\\', '"', '\'']);
    let reference = unquoted.starts_with('$')
        || v.contains("${")
        || v.contains("{{")
        || v.contains("$(")
        || v.starts_with('%')
        || v.contains("%(");
    // Dependency version ranges ("registry-auth-token": "^4.0.0").
    let version = v.starts_with(['^', '~', '>', '<', '='])
        || (v.contains('.')
            && v.trim_start_matches('v')
                .split(['.', '-', '+'])
                .next()
                .is_some_and(|major| {
                    !major.is_empty() && major.bytes().all(|c| c.is_ascii_digit())
                })
            && v.split('.')
                .nth(1)
                .is_some_and(|minor| minor.bytes().next().is_some_and(|c| c.is_ascii_digit())));
    // A call or type expression (`optional(string)`, `os.getenv("DB_PASSWORD")`).
    let call = v.ends_with(')')
        && v.split_once('(').is_some_and(|(callee, _)| {
            !callee.is_empty()
                && callee
                    .bytes()
                    .all(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'.')
                && !callee.as_bytes()[0].is_ascii_digit()
        });
    // Placeholders: `YOUR_WANDB_API_KEY`, `your-token-here`, an environment variable's name
    // (`HF_TOKEN='HF_TOKEN'`, `GITLAB_RUNNER_TOKEN`).
    let yours = ["your_", "your-", "your ", "<your"]
        .iter()
        .any(|p| lower.starts_with(p));
    let shouting = v.contains('_')
        && v.starts_with(|c: char| c.is_ascii_uppercase())
        && v.bytes()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == b'_');
    // An identifier that names a secret (`password: jiraToken`, `token: gitlab_token`,
    // `apiKey: openaiApiKey`): a variable or a key, written where its value goes. Letters
    // only, in camelCase or snake_case, ending in a secret word.
    let names_a_secret = v.bytes().all(|c| c.is_ascii_alphabetic() || c == b'_')
        && (v.contains('_') || v.bytes().skip(1).any(|c| c.is_ascii_uppercase()))
        && is_secret_name(v);
    // The name of a secret object (`hfSecret: hf-secret`), not its value.
    let secret_object = v
        .bytes()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-')
        && v.split('-').any(|w| w == "secret" || w == "secrets");
    let placeholder = yours
        || shouting
        || names_a_secret
        || secret_object
        || (v.starts_with('<') && v.ends_with('>'))
        || v.chars()
            .all(|c| matches!(c, '*' | 'x' | 'X' | '.' | '-' | '_' | '#'));
    const POINTERS: &[&str] = &[
        "/",
        "./",
        "~/",
        "arn:",
        "vault:",
        "ssm:",
        "secretsmanager:",
        "op://",
        "sm://",
        "@microsoft.keyvault(",
    ];
    // A file inside a secret or a mount (`secretKey: thanos.yaml`, `credentials.json`).
    const FILES: &[&str] = &[
        ".yaml",
        ".yml",
        ".json",
        ".txt",
        ".pem",
        ".key",
        ".crt",
        ".conf",
        ".cfg",
        ".ini",
        ".properties",
        ".env",
        ".p12",
        ".jks",
        ".pfx",
    ];
    let pointer = POINTERS.iter().any(|p| lower.starts_with(p))
        || (FILES.iter().any(|e| lower.ends_with(e)) && !v.contains(char::is_whitespace));
    // Prose: a sentence in a description or a comment-like value.
    let prose = v.split_whitespace().count() >= 4 && v.ends_with('.');
    let pointer = pointer || prose;
    !(reference || version || call || placeholder || pointer || is_placeholder_secret(v))
}

/// Values the format-specific secret rules (SECRET-001…006) already report, so the
/// name-based checks do not report the same line twice.
pub(crate) fn covered_by_format_rules(name: &str, value: &str) -> bool {
    static FORMATS: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"^(?:gh[pousr]_[A-Za-z0-9]{36}|github_pat_|glpat-|xox[baprs]-|[sr]k_live_|npm_[A-Za-z0-9]{36}|pypi-AgEIcHlwaS5vcmc|AIza[0-9A-Za-z_-]{35}|SG\.[0-9A-Za-z_-]{22}\.|sk-ant-|(?:AKIA|ASIA)[0-9A-Z]{16}|-----BEGIN |https://hooks\.slack\.com/services/)|T3BlbkFJ|AccountKey=|SharedAccessKey=|^[A-Za-z0-9+/]{86}==$",
        )
        .expect("static regex")
    });
    let v = value.trim();
    if FORMATS.is_match(v) || (v.contains("://") && v.contains('@')) {
        return true;
    }
    let toks = name_tokens(name);
    let aws_secret = ["SECRET", "ACCESS", "KEY"]
        .iter()
        .all(|w| toks.iter().any(|t| t == w));
    aws_secret
        && v.len() == 40
        && v.bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'/' || c == b'+')
}

/// Whether a value found where a secret could be is a placeholder or an example, not a
/// secret. Each allowance is documented in rules/secrets (SECRET-008's description lists
/// them) and tested below:
/// - a word that says so in the value itself: example, sample, dummy, fake, placeholder,
///   changeme / change_me, redacted, test, mock, notreal, your (`AKIAIOSFODNN7EXAMPLE`,
///   `sk_test_…`, `my-fake-token`);
/// - runs that stand for a hidden value: `xxxx`, `****`, `••`, `…`, `...` (a key shortened
///   in a README: `MIIEpAIBAAK...`);
/// - template syntax and references: `${…}`, `{{ … }}`, `<…>`, `%(…)s`, `$VAR`, `$(…)`;
/// - repeated or sequential characters: at most 3 distinct characters after a provider
///   prefix (`ghp_000000…`, `aaaa…`), or an ascending run of 8 (`12345678`, `abcdefgh`).
///
/// Only the first 80 characters are looked at for words and repeats (a private key's body
/// is long and random; a placeholder says so at once); `...`/`…` anywhere counts.
pub(crate) fn is_placeholder_secret(value: &str) -> bool {
    let v = value.trim();
    if v.is_empty() {
        return true;
    }
    if v.contains("...") || v.contains('…') || v.contains("••") || v.contains("****") {
        return true;
    }
    // Values vendors publish as examples and that carry no marker word: the JSON Web
    // Token of jwt.io's debugger (its signature).
    const DOCUMENTED: &[&str] = &["SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"];
    if DOCUMENTED.iter().any(|d| v.contains(d)) {
        return true;
    }
    let head: String = v.chars().take(80).collect();
    let lower = head.to_ascii_lowercase();
    // A key name written where the value goes (`user:password@`, `token: token`).
    const NAMES: &[&str] = &[
        "password",
        "passwd",
        "pass",
        "pwd",
        "secret",
        "token",
        "apikey",
        "api_key",
        "key",
        "pw",
        "passphrase",
    ];
    if NAMES.contains(&lower.as_str()) {
        return true;
    }
    const WORDS: &[&str] = &[
        "example",
        "sample",
        "dummy",
        "fake",
        "placeholder",
        "changeme",
        // `newRootPassword123`, `not-secure-database-password`: a value that calls itself
        // a password describes one.
        "password",
        "change_me",
        "change-me",
        "redacted",
        "test",
        "mock",
        "notreal",
        "not_real",
        "your",
        "xxxx",
    ];
    if WORDS.iter().any(|w| lower.contains(w)) {
        return true;
    }
    let template = head.contains("${")
        || head.contains("{{")
        || head.contains("$(")
        || head.contains("%(")
        || head.starts_with('$')
        || (head.starts_with('<') && head.contains('>'));
    if template {
        return true;
    }
    // The part after a provider prefix (`ghp_`, `xoxb-`, `sk_live_`).
    let tail = head
        .rsplit(['_', '-'])
        .next()
        .filter(|t| t.len() >= 8)
        .unwrap_or(&head);
    let mut distinct: Vec<char> = tail.chars().collect();
    distinct.sort_unstable();
    distinct.dedup();
    if distinct.len() <= 3 {
        return true;
    }
    let b = head.as_bytes();
    let mut run = 1;
    for w in b.windows(2) {
        if w[1] == w[0].wrapping_add(1) && w[0].is_ascii_alphanumeric() {
            run += 1;
            if run >= 8 {
                return true;
            }
        } else {
            run = 1;
        }
    }
    false
}

/// Shannon entropy of `s` in bits per character.
pub(crate) fn entropy(s: &str) -> f64 {
    let mut counts = [0usize; 256];
    for b in s.bytes() {
        counts[b as usize] += 1;
    }
    let n = s.len() as f64;
    if n == 0.0 {
        return 0.0;
    }
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = c as f64 / n;
            -p * p.log2()
        })
        .sum()
}

/// How many of the character classes lower case, upper case, digit, other a value uses.
pub(crate) fn char_classes(s: &str) -> usize {
    let has = |f: fn(&u8) -> bool| usize::from(s.bytes().any(|b| f(&b)));
    has(u8::is_ascii_lowercase)
        + has(u8::is_ascii_uppercase)
        + has(u8::is_ascii_digit)
        + has(|b| !b.is_ascii_alphanumeric())
}

/// Whether a literal secret is random-looking: at least `min_entropy` bits per character
/// and `min_classes` character classes (see `entropy`, `char_classes`).
pub(crate) fn is_high_entropy(s: &str, min_entropy: f64, min_classes: usize) -> bool {
    entropy(s) >= min_entropy && char_classes(s) >= min_classes
}

/// Standard or URL-safe base64 (padding optional); `None` when `s` is not base64 or does
/// not decode to UTF-8.
pub(crate) fn decode_base64(s: &str) -> Option<String> {
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for b in s.trim_end_matches('=').bytes() {
        let v = match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Whether a value is base64 (a Kubernetes Secret `data:` value, a `.dockercfg` auth) of a
/// placeholder: `cGFzc3dvcmQ=` is `password`.
pub(crate) fn is_encoded_placeholder(value: &str) -> bool {
    let v = value.trim();
    v.len() >= 8
        && v.len().is_multiple_of(4)
        && decode_base64(v).is_some_and(|d| {
            !d.is_empty()
                && d.bytes().all(|b| b.is_ascii_graphic() || b == b' ')
                && is_placeholder_secret(&d)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_names_end_in_a_secret_word() {
        for yes in [
            "DB_PASSWORD",
            "dbPassword",
            "NPM_TOKEN",
            "github-token",
            "API_KEY",
            "apiKey",
            "APIKey",
            "AWS_SECRET_ACCESS_KEY",
            "SECRET_KEY_BASE",
            "client_secret",
            "DB_PASS",
            "spring.datasource.password",
            "PASSWORD2",
            "password_wo",
            "master_password_wo",
            "_authToken",
        ] {
            assert!(is_secret_name(yes), "{yes}");
        }
        for no in [
            // Found on public Helm charts (prometheus-community/helm-charts).
            "existingUserSecretKey",
            "existingSecretPasswordKey",
            "configFromSecret",
            // bitnami/charts (etcd).
            "initialClusterToken",
            "ETCD_INITIAL_CLUSTER_TOKEN",
            "PASSWORD_FILE",
            "TOKEN_URL",
            "AWS_ACCESS_KEY_ID",
            "password_length",
            "SECRET_NAME",
            "max_tokens",
            "PWD",
            "GPG_KEY",
            "TOKENIZER",
            "persist-credentials",
            "existingSecret",
            "imagePullSecret",
            "BYPASS",
            "existingSecretKey",
            "keyPasswordSecretKey",
            "serviceAccountSecretKey",
        ] {
            assert!(!is_secret_name(no), "{no}");
        }
    }

    #[test]
    fn literal_values_exclude_references_and_placeholders() {
        for yes in [
            "hunter22",
            "S3cr3t!",
            "p@ss(1)",
            "(secret)",
            "Tokenized",
            "MonkeyKey9",
        ] {
            assert!(is_literal_secret(yes), "{yes}");
        }
        for no in [
            "",
            "$DB_PASSWORD",
            "${DB_PASSWORD}",
            "${{ secrets.TOKEN }}",
            "{{ vault_password }}",
            "<password>",
            "********",
            "xxxx",
            "true",
            "/run/secrets/db",
            "arn:aws:secretsmanager:eu-west-1:1:secret:x",
            "abc",
            "^4.0.0",
            "1.2.3",
            "v2.0.1-beta",
            "test",
            "optional(string)",
            "YOUR_WANDB_API_KEY",
            "your-token-here",
            "HF_TOKEN",
            "hf-secret",
            "os.getenv(\"DB_PASSWORD\")",
            "changeme",
            "123456789",
            "my-sample-token",
            "\\\"$MAIL_PASSWORD\\\"",
            "thanos.yaml",
            "allows the client to perform refresh grants.",
            "newRootPassword123",
            // Found on public Helm charts and schemas (prometheus-community/helm-charts).
            "value",
            "jiraToken",
            "gitlab_token",
            "openaiApiKey",
        ] {
            assert!(!is_literal_secret(no), "{no}");
        }
    }

    #[test]
    fn placeholders_are_not_secrets() {
        for yes in [
            "AKIAIOSFODNN7EXAMPLE",
            "sk_test_4eC39HqLyjWDarjtT1zdp7dc",
            "ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
            "ghp_000000000000000000000000000000000000",
            "${GITHUB_TOKEN}",
            "{{ .Values.token }}",
            "<your-token>",
            "%(password)s",
            "$NPM_TOKEN",
            "MIIEpAIBAAKCAQEA...",
            "••••••••",
            "my-dummy-key-1234",
            "changeme",
            "REDACTED",
            "xoxb-123456789012-abcdefghijkl",
        ] {
            assert!(is_placeholder_secret(yes), "{yes}");
        }
        for no in [
            "ghp_Q7m2Xk9Lp4Rt8Vw1Zb6Nc3Jd5Hf0Gs2Ya4E",
            "hunter22",
            "Zq9xW2vB7nM4kL1pR8tY6uI3oP0aS5dF2gH7jK9l",
        ] {
            assert!(!is_placeholder_secret(no), "{no}");
        }
    }

    #[test]
    fn base64() {
        assert_eq!(decode_base64("dXNlcjpwYXNz").as_deref(), Some("user:pass"));
        assert_eq!(
            decode_base64("dXNlcjpwYXNzMQ==").as_deref(),
            Some("user:pass1")
        );
        assert_eq!(decode_base64("not base64!"), None);
        assert!(is_encoded_placeholder("cGFzc3dvcmQ="));
        assert!(!is_encoded_placeholder("SGFyYm9yLUZpbmNoLTc3"));
    }

    #[test]
    fn entropy_and_classes() {
        assert!(entropy("aaaa") < 0.1);
        assert!(entropy("Zq9xW2vB7nM4kL1pR8tY6uI3oP0aS5dF") > 4.0);
        assert_eq!(char_classes("abc1"), 2);
        assert_eq!(char_classes("aB1/"), 4);
        assert!(is_high_entropy("Zq9xW2vB7nM4kL1pR8tY6uI3", 3.5, 3));
        assert!(!is_high_entropy("passwordpassword", 3.5, 3));
    }

    #[test]
    fn format_rules_take_precedence() {
        let gh = format!("ghp_{}", "a1B2c3D4e5".repeat(4).get(..36).unwrap());
        assert!(covered_by_format_rules("GITHUB_TOKEN", &gh));
        assert!(covered_by_format_rules(
            "DATABASE_PASSWORD",
            "postgres://u:p@h/db"
        ));
        let aws = "Zq9xW2vB7nM4kL1pR8tY6uI3oP0aS5dF2gH7jK9l";
        assert!(covered_by_format_rules("AWS_SECRET_ACCESS_KEY", aws));
        assert!(!covered_by_format_rules("DB_PASSWORD", "hunter22"));
    }
}
