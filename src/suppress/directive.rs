//! Inline suppression comments, the same in every format that has `#` or `//` comments:
//! `# isolint:ignore AWS-S3-001[,AWS-S3-002] [until 2026-12-31] -- reason`.
//! A trailing comment covers its own line; a comment on a line of its own covers the next
//! line with content (and, when that line is a block or object header, the whole block).

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Directive {
    /// 1-based line the comment is written on.
    pub line: usize,
    /// 1-based line it applies to.
    pub target_line: usize,
    /// Rule ids (upper case); `*` or empty means every rule.
    pub rules: Vec<String>,
    pub until: Option<String>,
    pub reason: Option<String>,
}

const MARKER: &str = "isolint:ignore";

impl Directive {
    pub(crate) fn covers(&self, rule_id: &str) -> bool {
        self.rules.is_empty()
            || self
                .rules
                .iter()
                .any(|r| r == "*" || r.eq_ignore_ascii_case(rule_id))
    }

    /// Past its `until` date (compared as ISO dates against today, UTC).
    pub(crate) fn expired(&self) -> bool {
        self.until.as_deref().is_some_and(|d| d < today().as_str())
    }
}

/// Finds every directive in a text.
pub(crate) fn scan(text: &str) -> Vec<Directive> {
    if !text.contains(MARKER) {
        return Vec::new();
    }
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let Some(at) = line.find(MARKER) else {
            continue;
        };
        let before = &line[..at];
        let Some(comment_start) = before.rfind('#').or_else(|| before.rfind("//")) else {
            continue;
        };
        let own_line = line[..comment_start].trim().is_empty();
        let target_line = if own_line {
            next_content_line(&lines, i + 1).unwrap_or(i + 1) + 1
        } else {
            i + 1
        };
        let (rules, until, reason) = parse_body(&line[at + MARKER.len()..]);
        out.push(Directive {
            line: i + 1,
            target_line,
            rules,
            until,
            reason,
        });
    }
    out
}

fn next_content_line(lines: &[&str], from: usize) -> Option<usize> {
    (from..lines.len()).find(|&j| {
        let t = lines[j].trim();
        !t.is_empty() && !t.starts_with('#') && !t.starts_with("//")
    })
}

fn parse_body(body: &str) -> (Vec<String>, Option<String>, Option<String>) {
    let (head, reason) = match body.split_once("--") {
        Some((h, r)) => {
            let r = r.trim();
            (h, (!r.is_empty()).then(|| r.to_owned()))
        }
        None => (body, None),
    };
    let mut rules = Vec::new();
    let mut until = None;
    let mut words = head
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|w| !w.is_empty());
    while let Some(w) = words.next() {
        if w == "until" {
            until = words.next().map(str::to_owned);
        } else {
            rules.push(w.to_ascii_uppercase());
        }
    }
    (rules, until, reason)
}

/// Today's date as `YYYY-MM-DD` (UTC), from the system clock.
pub(crate) fn today() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let days = i64::try_from(secs / 86_400).unwrap_or(0);
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = u32::try_from(doy - (153 * mp + 2) / 5 + 1).unwrap_or(1);
    let m = u32::try_from(if mp < 10 { mp + 3 } else { mp - 9 }).unwrap_or(1);
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trailing_and_own_line_directives() {
        let text = "a = 1 # isolint:ignore AWS-S3-001 -- public site\n\n# isolint:ignore K8S-POD-001, K8S-POD-002 until 2000-01-01 -- legacy\n\nresource \"x\" \"y\" {\n";
        let d = scan(text);
        assert_eq!(d.len(), 2);
        assert_eq!(d[0].target_line, 1);
        assert_eq!(d[0].reason.as_deref(), Some("public site"));
        assert!(d[0].covers("aws-s3-001"));
        assert_eq!(d[1].target_line, 5);
        assert_eq!(d[1].rules, vec!["K8S-POD-001", "K8S-POD-002"]);
        assert!(d[1].expired());
    }

    #[test]
    fn reasonless_directive_has_no_reason() {
        let d = scan("x: 1 # isolint:ignore GHA-001\n");
        assert_eq!(d[0].reason, None);
    }

    #[test]
    fn civil_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(20_454), (2026, 1, 1));
    }
}
