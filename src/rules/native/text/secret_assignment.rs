//! `text_secret_assignment` (SECRET-007): `name = "literal"` lines in any text file whose
//! name says secret. Native because the assignment syntax depends on the file's language
//! (an unquoted right-hand side is an expression in code, a literal in configuration).

use std::sync::LazyLock;

use regex::Regex;

use crate::parse::node::{Node, Value};
use crate::rules::context::EvalCx;
use crate::rules::native::support::secrets::{
    covered_by_format_rules, is_encoded_placeholder, is_high_entropy, is_literal_secret,
    is_placeholder_secret, is_secret_name, name_tokens,
};
use crate::rules::native::support::spans::fail_or_pass;
use crate::rules::native::text::secret_pattern::name_stems;
use crate::rules::truth::Outcome;
use crate::source::Span;

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
/// lines whose name says secret; a finding at each such value.
///
/// args (SECRET-058): `min_entropy` and `min_classes` keep only random-looking values
/// (`is_high_entropy`); with them, documentation files are scanned too (a real key in a
/// README is a real leak; a random-looking value is no prose).
pub(crate) fn check(body: &Node, cx: &EvalCx<'_>, args: Option<&Node>) -> Outcome {
    let Value::String(text) = &body.value else {
        return Outcome::pass(Vec::new());
    };
    let number = |key: &str| {
        args.and_then(|a| a.get(key))
            .and_then(|n| n.scalar_text())
            .and_then(|t| t.parse::<f64>().ok())
    };
    let entropy =
        number("min_entropy").map(|e| (e, number("min_classes").map_or(0, |c| c as usize)));
    let mut style = style_of(&cx.resource.address);
    if style == Style::Skip && entropy.is_some() && is_documentation(&cx.resource.address) {
        style = Style::Config;
    }
    if style == Style::Skip || body.span.len() != text.len() {
        return Outcome::pass(Vec::new());
    }
    let base = body.span.start as usize;
    let stems = name_stems(text, cx);
    let spans = candidate_lines(text, &stems)
        .filter_map(|(at, line)| {
            let (a, b) = secret_assignment(line, style, entropy)?;
            Some(Span::new(body.span.file, base + at + a, base + at + b))
        })
        .collect();
    fail_or_pass(spans)
}

/// The lines of `text` (offset, line with its break) holding one of the name stems that
/// start at `stems` (sorted offsets, from the shared keyword pass): most lines of most
/// files have none, and parsing every line for an assignment was most of this check's
/// time. Linear: each line is returned once, whatever the number of stems on it.
fn candidate_lines<'t, 's>(
    text: &'t str,
    stems: &'s [usize],
) -> impl Iterator<Item = (usize, &'t str)> + use<'t, 's> {
    let mut line_end = 0;
    stems.iter().filter_map(move |&at| {
        if at < line_end || at >= text.len() || !text.is_char_boundary(at) {
            return None; // on the line just returned
        }
        let start = text[line_end..at]
            .rfind('\n')
            .map_or(line_end, |i| line_end + i + 1);
        line_end = text[at..].find('\n').map_or(text.len(), |i| at + i + 1);
        Some((start, &text[start..line_end]))
    })
}

fn is_documentation(path: &str) -> bool {
    const DOCS: &[&str] = &["md", "markdown", "rst", "adoc", "asciidoc", "txt"];
    let base = path
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or(path)
        .to_ascii_lowercase();
    let ext = base.rsplit_once('.').map_or("", |(_, e)| e);
    DOCS.contains(&ext)
}

/// The range of the value when `line` assigns a literal secret to a secret-named setting
/// (with `entropy`, only a random-looking one: bits per character, character classes).
fn secret_assignment(
    line: &str,
    style: Style,
    entropy: Option<(f64, usize)>,
) -> Option<(usize, usize)> {
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
    let (value, va, vb) = value_at(&line[j..], style)?;
    let literal = is_literal_secret(&value)
        && !is_placeholder_secret(&value)
        && !is_encoded_placeholder(&value)
        && !is_name_of_itself(name, &value)
        && !covered_by_format_rules(name, &value);
    (literal && entropy.is_none_or(|(e, c)| is_high_entropy(&value, e, c)))
        .then_some((j + va, j + vb))
}

/// A value that is the setting's own name or one of its words (`authKey: auth`,
/// `password: password`, `token = "TOKEN"`): a key name written where the value goes.
fn is_name_of_itself(name: &str, value: &str) -> bool {
    let v: String = value
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_ascii_uppercase();
    let toks = name_tokens(name);
    v == toks.concat()
        || toks.contains(&v)
        || matches!(v.as_str(), "PASS" | "PASSWORD" | "SECRET" | "PWD")
}

/// The literal value at the start of `v` and where it is written in `v`: the content of a
/// quoted string, or for configuration files an unquoted scalar up to a comment. `None`
/// for expressions.
fn value_at(v: &str, style: Style) -> Option<(String, usize, usize)> {
    let b = v.as_bytes();
    match b.first() {
        Some(&q @ (b'"' | b'\'' | b'`')) => {
            let mut out = String::new();
            let mut chars = v[1..].char_indices();
            while let Some((i, c)) = chars.next() {
                match c {
                    '\\' if q != b'\'' => out.extend(chars.next().map(|(_, c)| c)),
                    c if c == q as char => return Some((out, 1, 1 + i)),
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
            let at = v.find(val).unwrap_or(0);
            let first = val.chars().next()?;
            if "!&*|>[{(@".contains(first) {
                return None; // YAML tags, anchors, block scalars, collections
            }
            static REFERENCE: LazyLock<Regex> = LazyLock::new(|| {
                Regex::new(r"^(?:var|local|module|data|each|self|secrets|vars|env|inputs|steps|needs|matrix|github|process\.env|os\.environ)[.\[]")
                    .expect("static regex")
            });
            (!REFERENCE.is_match(val)).then(|| (val.to_owned(), at, at + val.len()))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn candidate_lines_are_the_lines_with_a_stem() {
        let text = "a: 1\nDB_PASSWORD=x PASS key\r\n\nno\nTOKEN: t\nlast secret";
        let want: Vec<(usize, &str)> = text
            .split_inclusive('\n')
            .scan(0, |at, line| {
                let here = *at;
                *at += line.len();
                Some((here, line))
            })
            .filter(|(_, l)| {
                let l = l.to_ascii_lowercase();
                ["pass", "pwd", "token", "secret", "key"]
                    .iter()
                    .any(|w| l.contains(w))
            })
            .collect();
        let lower = text.to_ascii_lowercase();
        let mut stems: Vec<usize> = ["pass", "pwd", "token", "secret", "key"]
            .iter()
            .flat_map(|w| lower.match_indices(w).map(|(i, _)| i))
            .collect();
        stems.sort_unstable();
        assert_eq!(candidate_lines(text, &stems).collect::<Vec<_>>(), want);
        assert_eq!(candidate_lines("", &[]).count(), 0);
    }

    fn secret_assignment_t(line: &str, style: Style) -> Option<(usize, usize)> {
        secret_assignment(line, style, None)
    }

    #[test]
    fn secret_assignment_lines() {
        let c = Style::Config;
        let code = Style::Code;
        assert_eq!(
            secret_assignment_t("DB_PASSWORD=hunter22\n", c),
            Some((12, 20))
        );
        assert_eq!(
            secret_assignment_t("export API_TOKEN=\"abcd1234\"", c),
            Some((18, 26))
        );
        assert!(secret_assignment_t("  password: hunter22 # prod", c).is_some());
        assert!(secret_assignment_t(r#"    "Password": "hunter22","#, c).is_some());
        assert!(secret_assignment_t(r#"db_password = "S3cret!""#, code).is_some());
        assert!(secret_assignment_t("password = var.db_password", code).is_none());
        assert!(secret_assignment_t("password = random_password.db.result", code).is_none());
        assert!(secret_assignment_t("password = \"${var.db_password}\"", code).is_none());
        assert!(secret_assignment_t("token: ${{ secrets.TOKEN }}", c).is_none());
        assert!(secret_assignment_t("password: !Ref DbPassword", c).is_none());
        assert!(secret_assignment_t("password:", c).is_none());
        assert!(secret_assignment_t("password_length = 16", c).is_none());
        assert!(secret_assignment_t("if password == \"x\":", code).is_none());
        assert!(secret_assignment_t("DB_PASSWORD=", c).is_none());
        assert!(secret_assignment_t("  - POSTGRES_PASSWORD=S3cr3tive", c).is_some());
        assert!(secret_assignment_t("  - POSTGRES_PASSWORD=example", c).is_none());
        assert!(secret_assignment_t("authKey: auth", c).is_none());
        assert!(secret_assignment_t("password: password", c).is_none());
        assert!(secret_assignment_t("password = \"changeme\"", code).is_none());
        let high = Some((3.5, 3));
        assert!(secret_assignment("api_key: Zq9xW2vB7nM4kL1pR8tY6uI3", c, high).is_some());
        assert!(secret_assignment("password: hunter22", c, high).is_none());
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
