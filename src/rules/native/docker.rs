//! Native checks for Dockerfiles, and the secret heuristics they share with the workflow
//! checks (`gha.rs`) and the `text_file` secret scan (`text_secret_assignment`).
//!
//! Matches found in text the parser rebuilt (continued lines joined, heredoc bodies, YAML
//! block scalars) are mapped back to their source line through the file's `text_file`
//! resource, whose body is the whole source text.

use std::sync::LazyLock;

use regex::Regex;

use super::NativeFn;
use crate::parse::node::{Node, Value};
use crate::rules::context::EvalCx;
use crate::rules::truth::Outcome;
use crate::source::Span;

pub(super) const NATIVES: &[(&str, NativeFn)] = &[
    ("dockerfile_instruction_match", instruction_match),
    ("dockerfile_env_secret", env_secret),
    ("dockerfile_copied_credentials", copied_credentials),
    ("text_secret_assignment", text_secret_assignment),
    ("text_credential_url", text_credential_url),
];

// ---------------------------------------------------------------------------------------
// Source mapping
// ---------------------------------------------------------------------------------------

/// The whole source text of the file `cx.resource` is written in.
pub(super) fn file_text<'a>(cx: &EvalCx<'a>) -> Option<&'a str> {
    cx.index.file_text(cx.resource.span.file)
}

/// The source span of `text[a..b]`, where `text` is the string value of `node`: exact when
/// the value is the verbatim source under its span, else the same occurrence of the
/// matched text (or of its first word) inside the node's span, else the node's first line.
pub(super) fn place(
    src: Option<&str>,
    node: &Node,
    text: &str,
    a: usize,
    b: usize,
    cx: &EvalCx<'_>,
) -> Span {
    let span = node.span;
    let verbatim =
        span.len() == text.len() && src.is_none_or(|s| s.get(span.range()) == Some(text));
    if verbatim {
        let start = span.start as usize;
        return Span::new(span.file, start + a, start + b);
    }
    src.and_then(|s| locate(s, span, text, a, b))
        .unwrap_or_else(|| cx.index.first_line(span))
}

/// Finds `text[a..b]` in `src` under `region`, counting earlier occurrences so a repeated
/// needle maps to the right one; falls back to the match's first word.
fn locate(src: &str, region: Span, text: &str, a: usize, b: usize) -> Option<Span> {
    let hay = src.get(region.range())?;
    let find = |needle: &str, at: usize| -> Option<Span> {
        if needle.is_empty() {
            return None;
        }
        let k = text.get(..at)?.matches(needle).count();
        let (i, _) = hay.match_indices(needle).nth(k)?;
        let s = region.start as usize + i;
        Some(Span::new(region.file, s, s + needle.len()))
    };
    let m = text.get(a..b)?;
    find(m, a).or_else(|| {
        let w = m.split_whitespace().next()?;
        find(w, a + m.find(w)?)
    })
}

fn fail_or_pass(mut spans: Vec<Span>) -> Outcome {
    spans.sort();
    spans.dedup();
    if spans.is_empty() {
        Outcome::pass(Vec::new())
    } else {
        Outcome::fail(spans)
    }
}

fn instructions(body: &Node) -> impl Iterator<Item = (&str, &Node)> {
    body.get("instructions")
        .map_or(&[][..], Node::items)
        .iter()
        .filter_map(|i| Some((i.get("instruction")?.as_str()?, i)))
}

// ---------------------------------------------------------------------------------------
// Dockerfile checks
// ---------------------------------------------------------------------------------------

/// A rule's pattern, compiled once per process (natives get their args as data, and
/// compiling per Dockerfile dominated whole scans).
fn compiled(pattern: &str) -> Option<Regex> {
    static CACHE: LazyLock<std::sync::Mutex<std::collections::HashMap<String, Option<Regex>>>> =
        LazyLock::new(Default::default);
    let mut cache = CACHE
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    cache
        .entry(pattern.to_owned())
        .or_insert_with(|| Regex::new(pattern).ok())
        .clone()
}

/// `args: {instructions: [RUN, ...], pattern: <regex>}`: every match of `pattern` in the
/// arguments (continued lines joined) or heredoc bodies of those instructions is a finding
/// at the source line it comes from.
fn instruction_match(body: &Node, cx: &EvalCx<'_>, args: Option<&Node>) -> Outcome {
    let kinds: Vec<&str> = args
        .and_then(|a| a.get("instructions"))
        .map_or(&[][..], Node::items)
        .iter()
        .filter_map(Node::as_str)
        .collect();
    let re = args
        .and_then(|a| a.get("pattern"))
        .and_then(Node::as_str)
        .and_then(compiled);
    let Some(re) = re else {
        // A rule without a usable pattern cannot decide anything.
        return Outcome::unknown(vec![cx.resource.header]);
    };
    let src = file_text(cx);
    let mut spans = Vec::new();
    for (kw, ins) in instructions(body) {
        if !kinds.iter().any(|k| k.eq_ignore_ascii_case(kw)) {
            continue;
        }
        let heredocs = ins.get("heredocs").map_or(&[][..], Node::items);
        let texts = ins
            .get("args")
            .into_iter()
            .chain(heredocs.iter().filter_map(|h| h.get("content")));
        for node in texts {
            let Some(text) = node.as_str() else {
                continue;
            };
            for m in re.find_iter(text) {
                spans.push(place(src, node, text, m.start(), m.end(), cx));
            }
        }
    }
    fail_or_pass(spans)
}

/// ENV/ARG variables whose name says secret and whose value is a literal: a finding at
/// the variable name. `ARG NAME` without a default is fine (nothing is written down).
fn env_secret(body: &Node, cx: &EvalCx<'_>, _: Option<&Node>) -> Outcome {
    let src = file_text(cx);
    let mut spans = Vec::new();
    for (kw, ins) in instructions(body) {
        if kw != "ENV" && kw != "ARG" {
            continue;
        }
        let Some(node) = ins.get("args") else {
            continue;
        };
        let Some(text) = node.as_str() else {
            continue;
        };
        for (name, value, at) in env_pairs(kw, text) {
            let Some(value) = value else {
                continue;
            };
            if is_secret_name(name)
                && is_literal_secret(&value)
                && !covered_by_format_rules(name, &value)
            {
                spans.push(place(src, node, text, at, at + name.len(), cx));
            }
        }
    }
    fail_or_pass(spans)
}

/// COPY/ADD sources that are credential files (SSH keys, registry and package-manager
/// credentials, `.env` files, private keys, cloud CLI credential directories).
fn copied_credentials(body: &Node, cx: &EvalCx<'_>, _: Option<&Node>) -> Outcome {
    let src = file_text(cx);
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

/// Whitespace-separated words of `t` with quotes and backslash escapes kept inside words
/// (the Dockerfile parser's word rule).
fn words(t: &str) -> Vec<(usize, usize)> {
    let b = t.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let end = crate::parse::dockerfile::word_end(b, i);
        out.push((i, end));
        i = end;
    }
    out
}

/// Removes quotes and backslash escapes.
fn unquote(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut quote = None;
    let mut it = s.chars();
    while let Some(c) = it.next() {
        match (quote, c) {
            (None, '\'' | '"') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (Some('\''), c) => out.push(c),
            (_, '\\') => out.extend(it.next()),
            _ => out.push(c),
        }
    }
    out
}

/// The variables of an ENV or ARG instruction: (name, unquoted value if any, offset of
/// the name in `text`). ENV's legacy one-variable `ENV NAME value` form is understood.
fn env_pairs<'t>(kw: &str, text: &'t str) -> Vec<(&'t str, Option<String>, usize)> {
    let ws = words(text);
    if kw == "ENV"
        && let Some(&(a, b)) = ws.first()
        && !text[a..b].contains('=')
    {
        return vec![(&text[a..b], Some(unquote(text[b..].trim())), a)];
    }
    ws.into_iter()
        .map(|(a, b)| {
            let w = &text[a..b];
            match w.find('=') {
                Some(i) => (&w[..i], Some(unquote(&w[i + 1..])), a),
                None => (w, None, a),
            }
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// Secret heuristics (shared with gha.rs)
// ---------------------------------------------------------------------------------------

/// Upper-case words of a setting name: split on punctuation and camelCase
/// (`dbPassword` → DB PASSWORD, `APIKey` → API KEY), trailing digits dropped.
fn name_tokens(name: &str) -> Vec<String> {
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
pub(super) fn is_secret_name(name: &str) -> bool {
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
    let toks = name_tokens(name);
    let Some(last) = toks.last() else {
        return false;
    };
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
            )
        ),
        "PASS" | "PWD" => toks.len() > 1,
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
pub(super) fn is_literal_secret(value: &str) -> bool {
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
    ];
    if NOT_SECRETS.contains(&lower.as_str()) {
        return false;
    }
    let reference = v.starts_with('$')
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
    // The name of a secret object (`hfSecret: hf-secret`), not its value.
    let secret_object = v
        .bytes()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-')
        && v.split('-').any(|w| w == "secret" || w == "secrets");
    let placeholder = yours
        || shouting
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
    let pointer = POINTERS.iter().any(|p| lower.starts_with(p));
    !(reference || version || call || placeholder || pointer)
}

/// Values the format-specific secret rules (SECRET-001…006) already report, so the
/// name-based checks do not report the same line twice.
pub(super) fn covered_by_format_rules(name: &str, value: &str) -> bool {
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

// ---------------------------------------------------------------------------------------
// Secret assignments in any text file (SECRET-007)
// ---------------------------------------------------------------------------------------

/// Documentation (README.md, docs/*.rst): examples there are illustrations, not config.
fn is_documentation(base: &str) -> bool {
    const DOCS: &[&str] = &["md", "markdown", "rst", "adoc", "asciidoc", "html", "htm"];
    let ext = base.rsplit_once('.').map_or("", |(_, e)| e);
    DOCS.contains(&ext.to_ascii_lowercase().as_str())
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Style {
    /// Covered elsewhere (workflows, Dockerfiles) or documentation: not scanned.
    Skip,
    /// Source code and HCL: an unquoted right-hand side is an expression.
    Code,
    /// Configuration (.env, ini, properties, YAML, JSON, shell): unquoted is literal.
    Config,
}

fn style_of(path: &str) -> Style {
    let p = path.replace('\\', "/");
    let mut base = p.rsplit('/').next().unwrap_or(&p).to_ascii_lowercase();
    // A template is read as the file it renders: `cluster.tf.tmpl` is HCL.
    const TEMPLATES: &[&str] = &[
        "tmpl", "tpl", "template", "j2", "jinja", "jinja2", "erb", "gotmpl", "mustache", "hbs",
    ];
    if let Some((inner, ext)) = base.rsplit_once('.')
        && TEMPLATES.contains(&ext)
        && inner.contains('.')
    {
        base = inner.to_owned();
    }
    let dir = p.rsplit_once('/').map_or("", |(d, _)| d);
    let yaml = base.ends_with(".yml") || base.ends_with(".yaml");
    if yaml && (dir == ".github/workflows" || dir.ends_with("/.github/workflows")) {
        return Style::Skip;
    }
    let dockerfile = base == "dockerfile"
        || base == "containerfile"
        || base.starts_with("dockerfile.")
        || base.starts_with("containerfile.")
        || base.ends_with(".dockerfile")
        || base.ends_with(".containerfile");
    let ext = base.rsplit_once('.').map_or("", |(_, e)| e);
    const DOCS: &[&str] = &["md", "markdown", "rst", "adoc", "asciidoc", "html", "htm"];
    const LOCKFILES: &[&str] = &[
        "package-lock.json",
        "npm-shrinkwrap.json",
        "yarn.lock",
        "pnpm-lock.yaml",
        "composer.lock",
        "gemfile.lock",
        "poetry.lock",
        "pipfile.lock",
    ];
    if dockerfile || DOCS.contains(&ext) || LOCKFILES.contains(&base.as_str()) {
        return Style::Skip;
    }
    const CODE: &[&str] = &[
        "tf", "hcl", "py", "js", "mjs", "cjs", "ts", "tsx", "jsx", "go", "rb", "java", "kt", "kts",
        "scala", "groovy", "gradle", "cs", "php", "rs", "swift", "c", "h", "cc", "cpp", "hpp", "m",
        "dart", "lua", "pl", "ex", "exs", "clj", "r", "jl", "vue", "svelte",
    ];
    let ext = base.rsplit_once('.').map_or("", |(_, e)| e);
    if CODE.contains(&ext) || base.ends_with(".tf.json") {
        Style::Code
    } else {
        Style::Config
    }
}

/// SECRET-007: `name = "literal"` / `NAME=literal` / `name: literal` / `"name": "literal"`
/// lines whose name says secret; a finding at each such name.
fn text_secret_assignment(body: &Node, cx: &EvalCx<'_>, _: Option<&Node>) -> Outcome {
    let Value::String(text) = &body.value else {
        return Outcome::pass(Vec::new());
    };
    let style = style_of(&cx.resource.address);
    if style == Style::Skip || body.span.len() != text.len() {
        return Outcome::pass(Vec::new());
    }
    let base = body.span.start as usize;
    let mut spans = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        if let Some((a, b)) = secret_assignment(line, style) {
            spans.push(Span::new(
                body.span.file,
                base + offset + a,
                base + offset + b,
            ));
        }
        offset += line.len();
    }
    fail_or_pass(spans)
}

/// The range of the setting name when `line` assigns a literal secret to a secret-named
/// setting.
fn secret_assignment(line: &str, style: Style) -> Option<(usize, usize)> {
    let line = line.trim_end_matches(['\n', '\r']);
    let b = line.as_bytes();
    let skip_ws = |mut i: usize| {
        while i < b.len() && (b[i] == b' ' || b[i] == b'\t') {
            i += 1;
        }
        i
    };
    let mut i = skip_ws(0);
    for prefix in ["export ", "- ", "const ", "let ", "var ", "val "] {
        if line[i..].starts_with(prefix) {
            i = skip_ws(i + prefix.len());
            break;
        }
    }
    // The name, possibly quoted (JSON, Python/Ruby/PHP dicts).
    let (ka, kb, quoted_key, after) = match b.get(i) {
        Some(&q @ (b'"' | b'\'')) => {
            let end = line[i + 1..].find(q as char)? + i + 1;
            (i + 1, end, true, end + 1)
        }
        Some(c) if c.is_ascii_alphabetic() || *c == b'_' => {
            let mut j = i;
            while j < b.len()
                && (b[j].is_ascii_alphanumeric() || matches!(b[j], b'_' | b'.' | b'-'))
            {
                j += 1;
            }
            (i, j, false, j)
        }
        _ => return None,
    };
    let name = &line[ka..kb];
    if !is_secret_name(name) {
        return None;
    }
    let mut j = skip_ws(after);
    let rest = &line[j..];
    let op = if rest.starts_with("=>") || rest.starts_with(":=") {
        2
    } else if rest.starts_with("==") || rest.starts_with("::") {
        return None;
    } else if rest.starts_with('=') {
        1
    } else if rest.starts_with(':') {
        // YAML needs a space after the colon; JSON-style quoted keys do not.
        let next = b.get(j + 1);
        if !quoted_key && next.is_some_and(|c| *c != b' ' && *c != b'\t') {
            return None;
        }
        1
    } else {
        return None;
    };
    j = skip_ws(j + op);
    let value = value_at(&line[j..], style)?;
    (is_literal_secret(&value) && !covered_by_format_rules(name, &value)).then_some((ka, kb))
}

/// The literal value at the start of `v`: the content of a quoted string, or for
/// configuration files an unquoted scalar up to a comment. `None` for expressions.
fn value_at(v: &str, style: Style) -> Option<String> {
    let b = v.as_bytes();
    match b.first() {
        Some(&q @ (b'"' | b'\'' | b'`')) => {
            let mut out = String::new();
            let mut chars = v[1..].chars();
            while let Some(c) = chars.next() {
                match c {
                    '\\' if q != b'\'' => out.extend(chars.next()),
                    c if c == q as char => return Some(out),
                    c => out.push(c),
                }
            }
            None // not closed on this line
        }
        Some(_) if style == Style::Config => {
            if v.trim_end().ends_with('\\') {
                return None; // a continued line
            }
            let mut end = v.len();
            for marker in [" #", "\t#", " ;", " //"] {
                if let Some(i) = v.find(marker) {
                    end = end.min(i);
                }
            }
            let val = v[..end].trim().trim_end_matches([',', ';']).trim();
            let first = val.chars().next()?;
            if "!&*|>[{(@".contains(first) {
                return None; // YAML tags, anchors, block scalars, collections
            }
            static REFERENCE: LazyLock<Regex> = LazyLock::new(|| {
                Regex::new(r"^(?:var|local|module|data|each|self|secrets|vars|env|inputs|steps|needs|matrix|github|process\.env|os\.environ)[.\[]")
                    .expect("static regex")
            });
            (!REFERENCE.is_match(val)).then(|| val.to_owned())
        }
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------
// Credentials in URLs and connection strings (SECRET-006)
// ---------------------------------------------------------------------------------------

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
fn text_credential_url(body: &Node, cx: &EvalCx<'_>, _: Option<&Node>) -> Outcome {
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
            "_authToken",
        ] {
            assert!(is_secret_name(yes), "{yes}");
        }
        for no in [
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
        ] {
            assert!(!is_secret_name(no), "{no}");
        }
    }

    #[test]
    fn literal_values_exclude_references_and_placeholders() {
        for yes in [
            "hunter22", "changeme", "S3cr3t!", "123456", "p@ss(1)", "(secret)",
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
        ] {
            assert!(!is_literal_secret(no), "{no}");
        }
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

    #[test]
    fn env_and_arg_pairs() {
        let p = env_pairs("ENV", r#"A=1 DB_PASSWORD="s3 cr3t" B"#);
        assert_eq!(p[1], ("DB_PASSWORD", Some("s3 cr3t".to_string()), 4));
        assert_eq!(p[2], ("B", None, 26));
        let legacy = env_pairs("ENV", "API_TOKEN abc def");
        assert_eq!(legacy, vec![("API_TOKEN", Some("abc def".to_string()), 0)]);
        assert_eq!(env_pairs("ARG", "NPM_TOKEN"), vec![("NPM_TOKEN", None, 0)]);
    }

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

    #[test]
    fn located_in_joined_text() {
        let src = "RUN apt-get update \\\n    && curl -k https://x | sh\n";
        let region = Span::new(crate::source::FileId(0), 4, src.len() - 1);
        let joined = "apt-get update && curl -k https://x | sh";
        let a = joined.find("curl -k").unwrap();
        let s = locate(src, region, joined, a, a + 7).unwrap();
        assert_eq!(&src[s.range()], "curl -k");
        // A match spanning a line break falls back to its first word.
        let joined2 = "curl -fsSL https://x | sh";
        let src2 = "RUN curl -fsSL https://x \\\n  | sh\n";
        let r2 = Span::new(crate::source::FileId(0), 4, src2.len() - 1);
        let s2 = locate(src2, r2, joined2, 0, joined2.len()).unwrap();
        assert_eq!(&src2[s2.range()], "curl");
    }

    #[test]
    fn secret_assignment_lines() {
        let c = Style::Config;
        let code = Style::Code;
        assert_eq!(
            secret_assignment("DB_PASSWORD=hunter22\n", c),
            Some((0, 11))
        );
        assert_eq!(
            secret_assignment("export API_TOKEN=\"abcd1234\"", c),
            Some((7, 16))
        );
        assert!(secret_assignment("  password: hunter22 # prod", c).is_some());
        assert!(secret_assignment(r#"    "Password": "hunter22","#, c).is_some());
        assert!(secret_assignment(r#"db_password = "S3cret!""#, code).is_some());
        assert!(secret_assignment("password = var.db_password", code).is_none());
        assert!(secret_assignment("password = random_password.db.result", code).is_none());
        assert!(secret_assignment("password = \"${var.db_password}\"", code).is_none());
        assert!(secret_assignment("token: ${{ secrets.TOKEN }}", c).is_none());
        assert!(secret_assignment("password: !Ref DbPassword", c).is_none());
        assert!(secret_assignment("password:", c).is_none());
        assert!(secret_assignment("password_length = 16", c).is_none());
        assert!(secret_assignment("if password == \"x\":", code).is_none());
        assert!(secret_assignment("DB_PASSWORD=", c).is_none());
        assert!(secret_assignment("  - POSTGRES_PASSWORD=example", c).is_some());
    }

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

    #[test]
    fn file_styles() {
        assert_eq!(style_of(".github/workflows/ci.yml"), Style::Skip);
        assert_eq!(style_of("app/Dockerfile"), Style::Skip);
        assert_eq!(style_of("README.md"), Style::Skip);
        assert_eq!(style_of("infra/main.tf"), Style::Code);
        assert_eq!(style_of("infra/prod.tfvars"), Style::Config);
        assert_eq!(style_of(".env"), Style::Config);
        assert_eq!(style_of("deploy/values.yaml"), Style::Config);
    }
}
