//! Just enough POSIX shell reading for rules about scripts (Dockerfile RUN, workflow
//! `run:`): where each simple command starts and ends, and where variables are expanded
//! outside double quotes. Not a parser: it tracks quotes, escapes, comments and the
//! operators that separate commands, which is what the rules need to judge one command's
//! words instead of a whole line's.

/// One simple command of a script: `text[start..end]` (leading assignments, `sudo`,
/// `env`, `exec` and shell keywords skipped), and whether its output goes into a pipe.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Command {
    pub start: usize,
    pub end: usize,
    pub piped: bool,
}

/// The simple commands of `text`, split at `&&`, `||`, `|`, `;`, `&`, newlines,
/// parentheses, braces and `$(`/backticks outside quotes. Comments are skipped.
pub(crate) fn simple_commands(text: &str) -> Vec<Command> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    let mut quote: Option<u8> = None;
    // Inside `case WORD in`, words up to `)` are patterns (`amd64 | arm64)`), not
    // commands; `;;` starts the next pattern list and `esac` ends it.
    let mut case_pattern = false;
    let push = |out: &mut Vec<Command>,
                case_pattern: &mut bool,
                s: usize,
                e: usize,
                piped: bool,
                sep: u8| {
        let seg = text[s..e].trim();
        if *case_pattern {
            if sep == b')' || seg == "esac" || seg.starts_with("esac ") {
                *case_pattern = false;
            }
            return;
        }
        if let Some((s, e)) = trim_command(text, s, e) {
            out.push(Command {
                start: s,
                end: e,
                piped,
            });
        }
        let words: Vec<&str> = seg.split_whitespace().collect();
        if words.first() == Some(&"case") && words.last() == Some(&"in") {
            *case_pattern = true;
        }
    };
    while i < b.len() {
        let c = b[i];
        match quote {
            Some(b'\'') => {
                if c == b'\'' {
                    quote = None;
                }
                i += 1;
                continue;
            }
            Some(q) => {
                if c == b'\\' {
                    i += 2;
                    continue;
                }
                if c == q {
                    quote = None;
                }
                i += 1;
                continue;
            }
            None => {}
        }
        match c {
            b'\\' => i += 2,
            b'\'' | b'"' => {
                quote = Some(c);
                i += 1;
            }
            b'#' if i == 0 || b[i - 1].is_ascii_whitespace() || b[i - 1] == b';' => {
                push(&mut out, &mut case_pattern, start, i, false, b'#');
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
                start = i;
            }
            b'|' | b'&' | b';' | b'\n' | b'(' | b')' | b'`' | b'{' | b'}' => {
                // Braces only as group words, not in ${VAR} or {a,b}.
                let word_boundary = |k: usize| k >= b.len() || b[k].is_ascii_whitespace();
                if (c == b'{' || c == b'}')
                    && !(word_boundary(i + 1) && (i == 0 || b[i - 1].is_ascii_whitespace()))
                    && !(c == b'}' && i > 0 && b[i - 1] == b';')
                {
                    i += 1;
                    continue;
                }
                // `2>&1`, `&>`, `>&2` are redirections, not separators.
                if c == b'&' && (i > 0 && b[i - 1] == b'>' || b.get(i + 1) == Some(&b'>')) {
                    i += 1;
                    continue;
                }
                let double = b.get(i + 1) == Some(&c) && (c == b'|' || c == b'&' || c == b';');
                let piped = c == b'|' && !double;
                push(&mut out, &mut case_pattern, start, i, piped, c);
                if double && c == b';' {
                    case_pattern = true;
                }
                i += if double { 2 } else { 1 };
                start = i;
            }
            b'$' if b.get(i + 1) == Some(&b'(') => {
                push(&mut out, &mut case_pattern, start, i, false, b'$');
                i += 2;
                start = i;
            }
            _ => i += 1,
        }
    }
    push(&mut out, &mut case_pattern, start, b.len(), false, b'\n');
    out
}

/// `text[s..e]` without surrounding blanks and leading prefixes that are not the command
/// (assignments, `sudo` and its options, `env`, `exec`, `time`, `!`, `then`/`do`/...).
fn trim_command(text: &str, mut s: usize, e: usize) -> Option<(usize, usize)> {
    let b = text.as_bytes();
    let mut sudo = false;
    loop {
        while s < e && b[s].is_ascii_whitespace() {
            s += 1;
        }
        if s >= e {
            return None;
        }
        let w_end = crate::parse::dockerfile::word_end(b, s).min(e);
        let word = &text[s..w_end];
        let assignment = word.split_once('=').is_some_and(|(n, _)| {
            !n.is_empty() && n.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_')
        }) && !word.starts_with('-');
        let keyword = matches!(
            word,
            "then"
                | "do"
                | "else"
                | "elif"
                | "if"
                | "while"
                | "until"
                | "!"
                | "time"
                | "exec"
                | "env"
                | "sudo"
                | "nohup"
        );
        let sudo_option = sudo && word.starts_with('-');
        if !(assignment || keyword || sudo_option) {
            break;
        }
        // `sudo -u user cmd`: the option's value is not the command either.
        if sudo_option && matches!(word, "-u" | "-g" | "-C" | "-h" | "-p" | "-U") {
            s = w_end;
            while s < e && b[s].is_ascii_whitespace() {
                s += 1;
            }
            s = crate::parse::dockerfile::word_end(b, s).min(e);
            continue;
        }
        sudo |= word == "sudo";
        s = w_end;
    }
    let trimmed = text[s..e].trim_end();
    Some((s, s + trimmed.len()))
}

/// Every `$NAME` / `${NAME...}` expansion that the shell performs (not inside single
/// quotes): (start, end, name, inside double quotes).
pub(crate) fn expansions(text: &str) -> Vec<(usize, usize, &str, bool)> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let mut dq = false;
    // `"$(cmd "$x")"`: a command substitution starts a new quoting context.
    let mut outer: Vec<bool> = Vec::new();
    // Heredocs opened on the current line: (delimiter, delimiter quoted, `<<-`).
    let mut pending: Vec<(String, bool, bool)> = Vec::new();
    while i < b.len() {
        let c = b[i];
        match c {
            b'\\' => {
                i += 2;
                continue;
            }
            // `<<<word` is a here-string: its word is read like any other.
            b'<' if !dq && text[i..].starts_with("<<<") => {
                i += 3;
                continue;
            }
            b'<' if !dq && b.get(i + 1) == Some(&b'<') => {
                let (heredoc, next) = heredoc_word(text, i + 2);
                pending.extend(heredoc);
                i = next;
                continue;
            }
            b'\n' if !dq && !pending.is_empty() => {
                // Heredoc bodies: expanded without word splitting (like double quotes),
                // or not at all when the delimiter is quoted.
                i += 1;
                for (delim, quoted, strip) in std::mem::take(&mut pending) {
                    while i < b.len() {
                        let end = text[i..].find('\n').map_or(b.len(), |k| i + k);
                        let line = &text[i..end];
                        let done = if strip { line.trim() } else { line.trim_end() } == delim;
                        if !done && !quoted {
                            out.extend(
                                body_expansions(text, i, end)
                                    .into_iter()
                                    .map(|(a, z, n)| (a, z, n, true)),
                            );
                        }
                        i = (end + 1).min(b.len());
                        if done {
                            break;
                        }
                    }
                }
                continue;
            }
            b'$' if b.get(i + 1) == Some(&b'(') && b.get(i + 2) != Some(&b'(') => {
                outer.push(dq);
                dq = false;
                i += 2;
                continue;
            }
            b')' if !dq && !outer.is_empty() => {
                dq = outer.pop().unwrap_or(false);
            }
            b'\'' if !dq => {
                i += 1;
                while i < b.len() && b[i] != b'\'' {
                    i += 1;
                }
            }
            b'"' => dq = !dq,
            b'#' if !dq && (i == 0 || b[i - 1].is_ascii_whitespace()) => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'$' => {
                let braced = b.get(i + 1) == Some(&b'{');
                let n0 = i + 1 + usize::from(braced);
                let mut n1 = n0;
                while n1 < b.len() && (b[n1].is_ascii_alphanumeric() || b[n1] == b'_') {
                    n1 += 1;
                }
                if n1 > n0 && !b[n0].is_ascii_digit() {
                    let mut end = n1;
                    if braced {
                        while end < b.len() && b[end] != b'}' {
                            end += 1;
                        }
                        end = (end + 1).min(b.len());
                    }
                    out.push((i, end, &text[n0..n1], dq));
                    i = end;
                    continue;
                }
            }
            _ => {}
        }
        i += 1;
    }
    out
}

/// The heredoc operator's word after `<<` at `i`: (delimiter, quoted, `<<-`) and where
/// scanning continues.
fn heredoc_word(text: &str, mut i: usize) -> (Option<(String, bool, bool)>, usize) {
    let b = text.as_bytes();
    let strip = b.get(i) == Some(&b'-');
    if strip {
        i += 1;
    }
    while i < b.len() && (b[i] == b' ' || b[i] == b'\t') {
        i += 1;
    }
    let quote = match b.get(i) {
        Some(&q @ (b'\'' | b'"')) => {
            i += 1;
            Some(q)
        }
        _ => None,
    };
    let start = i;
    while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] == b'-') {
        i += 1;
    }
    let word = text[start..i].to_string();
    if word.is_empty() {
        // Not a delimiter (`<< $VAR`, arithmetic): scan on from the operator.
        return (None, start - usize::from(quote.is_some()));
    }
    if quote.is_some() && b.get(i) == quote.as_ref() {
        i += 1;
    }
    (Some((word, quote.is_some(), strip)), i)
}

/// `$NAME` / `${NAME...}` in `text[start..end]`, a heredoc body where quotes are plain
/// characters.
fn body_expansions(text: &str, start: usize, end: usize) -> Vec<(usize, usize, &str)> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = start;
    while i < end {
        if b[i] == b'\\' {
            i += 2;
            continue;
        }
        if b[i] == b'$' {
            let braced = b.get(i + 1) == Some(&b'{');
            let n0 = i + 1 + usize::from(braced);
            let mut n1 = n0;
            while n1 < end && (b[n1].is_ascii_alphanumeric() || b[n1] == b'_') {
                n1 += 1;
            }
            if n1 > n0 && !b[n0].is_ascii_digit() {
                out.push((i, n1, &text[n0..n1]));
                i = n1;
                continue;
            }
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmds(t: &str) -> Vec<(&str, bool)> {
        simple_commands(t)
            .into_iter()
            .map(|c| (&t[c.start..c.end], c.piped))
            .collect()
    }

    #[test]
    fn splits_commands() {
        assert_eq!(
            cmds(
                "apt-get update && DEBIAN_FRONTEND=noninteractive sudo -E apt-get install -y x; rm -rf /var/lib/apt/lists/*"
            ),
            vec![
                ("apt-get update", false),
                ("apt-get install -y x", false),
                ("rm -rf /var/lib/apt/lists/*", false)
            ]
        );
        assert_eq!(
            cmds("curl -s 'a|b' | tar -xz 2>&1 || echo \"x && y\""),
            vec![
                ("curl -s 'a|b'", true),
                ("tar -xz 2>&1", false),
                ("echo \"x && y\"", false)
            ]
        );
        assert_eq!(
            cmds("if [ -f x ]; then\n  cd /tmp # go there\nfi && echo ${A} $(id -u)"),
            vec![
                ("[ -f x ]", false),
                ("cd /tmp", false),
                ("fi", false),
                ("echo ${A}", false),
                ("id -u", false)
            ]
        );
        assert_eq!(cmds("sudo -u app cmd"), vec![("cmd", false)]);
        // `x=1` alone runs no command.
        assert_eq!(
            cmds(
                "case \"$a\" in \n amd64 | arm64) x=1 ;; \n *) curl -s u | tar -x ;; \nesac; make"
            ),
            vec![
                ("case \"$a\" in", false),
                ("curl -s u", true),
                ("tar -x", false),
                ("make", false)
            ]
        );
    }

    #[test]
    fn heredoc_bodies_are_not_split() {
        let t = "cat << EOF | gh issue create --body-file -\n**Title:** $TITLE\n> $BODY\nEOF\necho $AFTER\ncat <<'X'\n$NOT_EXPANDED\nX\n";
        let all: Vec<_> = expansions(t).into_iter().map(|x| (x.2, x.3)).collect();
        assert_eq!(all, [("TITLE", true), ("BODY", true), ("AFTER", false)]);
        let here: Vec<_> = expansions(r#"wc -c <<<"$A" && grep x <<< $B"#)
            .into_iter()
            .map(|x| (x.2, x.3))
            .collect();
        assert_eq!(here, [("A", true), ("B", false)]);
    }

    #[test]
    fn finds_unquoted_expansions() {
        let t = r#"echo $A "$B" '${C}' ${D:-x} "pre ${E}" \$F "$(jq --arg t "$G" $H)""#;
        let names: Vec<_> = expansions(t)
            .into_iter()
            .filter(|x| !x.3)
            .map(|x| x.2)
            .collect();
        assert_eq!(names, ["A", "D", "H"]);
        let all: Vec<_> = expansions(t).into_iter().map(|x| x.2).collect();
        assert_eq!(all, ["A", "B", "D", "E", "G", "H"]);
    }
}
