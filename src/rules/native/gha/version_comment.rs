//! `gha_pinned_version_conflict`: actions pinned to a commit SHA whose trailing version
//! comment (`uses: owner/repo@<sha> # v4.1.1`) contradicts another pin of the same action
//! in the scanned files. Native because comments are not part of the YAML model (they are
//! read from the source line) and because the proof needs every workflow and composite
//! action of the scan. Nothing is looked up online: a claim is only reported when the
//! files themselves prove one of two claims wrong.

use std::collections::HashMap;
use std::sync::LazyLock;

use regex::Regex;

use super::steps;
use crate::model::Resource;
use crate::parse::node::{Entry, Node, Value};
use crate::rules::context::EvalCx;
use crate::rules::native::support::spans::fail_or_pass;
use crate::rules::truth::Outcome;
use crate::source::Span;

/// `owner/repo[/path]@<40 hex>`.
static PINNED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^([A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+)(?:/[^@\s]*)?@([0-9a-fA-F]{40})$")
        .expect("static regex")
});

/// A full release version in a trailing comment: `# v4.1.1`, `# tag=v1.2.3`, `#v2.0.0`.
static CLAIM: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*#\s*(?:(?:tag|version|ratchet:[^\s]*)\s*[=:@]?\s*)?v?([0-9]+\.[0-9]+\.[0-9]+(?:-[0-9A-Za-z.-]+)?)\b")
        .expect("static regex")
});

/// The kinds whose pins are tallied across files.
pub(crate) const PIN_KINDS: [&str; 2] = ["gha_job", "gha_action"];

/// One pin: (owner/repo, lowercase SHA, claimed version, span of the `uses` value).
type Pin = (String, String, String, Span);

/// A finding at each pinned `uses` whose comment claims a version that another pin
/// proves wrong: the same SHA of the same repository commented with a different full
/// version, or the same full version commented on a different SHA. When one claim is
/// shared by more pins than this one's, only the minority is reported. Floating majors
/// (`# v4`) prove nothing and are ignored.
pub(crate) fn check(body: &Node, cx: &EvalCx<'_>, _: Option<&Node>) -> Outcome {
    let Some(src) = cx.index.file_text(cx.resource.span.file) else {
        return Outcome::pass(Vec::new());
    };
    let mine = pins(body, &src);
    if mine.is_empty() {
        return Outcome::pass(Vec::new());
    }
    // Every pin of the scan, tallied once (each job re-reading every other job's pins
    // was quadratic in the number of jobs).
    let tally = cx.index.memo("gha_pin_tally", |_| {
        let mut tally = Tally::default();
        for kind in PIN_KINDS {
            for r in cx.index.of_kind(kind) {
                if let Some(text) = cx.index.file_text(r.span.file) {
                    for (repo, sha, ver, _) in pins(&r.body, &text) {
                        tally.add(repo.to_ascii_lowercase(), sha, ver);
                    }
                }
            }
        }
        tally.finish();
        tally
    });
    // Where one claim has more pins than the others, the others are the odd ones out
    // (a stale comment copied around); on a tie every contradicting pin is reported.
    let spans = mine
        .iter()
        .filter(|(repo, sha, ver, _)| {
            let repo = repo.to_ascii_lowercase();
            // Same SHA, other versions; same version, other SHAs.
            odd(&tally.by_sha, &(repo.clone(), sha.clone()), ver)
                || odd(&tally.by_ver, &(repo, ver.clone()), sha)
        })
        .map(|p| p.3)
        .collect();
    fail_or_pass(spans)
}

/// The scan's pins counted by claim: per (repository, SHA) how many pins claim each
/// version, and per (repository, version) how many pins carry each SHA. Repositories
/// lowercase, SHAs lowercase.
#[derive(Default)]
struct Tally {
    by_sha: HashMap<(String, String), Counts>,
    by_ver: HashMap<(String, String), Counts>,
}

#[derive(Default)]
struct Counts {
    per_value: HashMap<String, usize>,
    /// The two smallest (count, value): the fewest pins of any value but one's own.
    least: Vec<(usize, String)>,
}

impl Tally {
    fn add(&mut self, repo: String, sha: String, ver: String) {
        let by_sha = self.by_sha.entry((repo.clone(), sha.clone())).or_default();
        *by_sha.per_value.entry(ver.clone()).or_default() += 1;
        let by_ver = self.by_ver.entry((repo, ver)).or_default();
        *by_ver.per_value.entry(sha).or_default() += 1;
    }

    fn finish(&mut self) {
        for c in self.by_sha.values_mut().chain(self.by_ver.values_mut()) {
            let mut all: Vec<(usize, String)> =
                c.per_value.iter().map(|(v, n)| (*n, v.clone())).collect();
            all.sort_unstable();
            all.truncate(2);
            c.least = all;
        }
    }
}

/// Whether `mine` is an odd one out among the pins sharing `key`: they carry more than
/// one value, and every other value has at least as many pins as `mine`.
fn odd(map: &HashMap<(String, String), Counts>, key: &(String, String), mine: &str) -> bool {
    let Some(c) = map.get(key) else {
        return false;
    };
    let own = c.per_value.get(mine).copied().unwrap_or(0);
    c.per_value.len() > 1
        && c.least
            .iter()
            .find(|(_, v)| v != mine)
            .is_none_or(|(n, _)| *n >= own)
}

/// What the pin tally reads of a job or composite action kept for the cross-file batch:
/// its `uses` and its steps' `uses` that are pinned to a SHA, at their own spans (the
/// comments are read from the file); None when it has no such pin. A workflow corpus
/// kept whole for this cost two copies of every job's tree.
pub(crate) fn pin_stand_in(r: &Resource) -> Option<Resource> {
    if !PIN_KINDS.contains(&r.kind.as_str()) {
        return None;
    }
    let pinned = |node: &Node| {
        node.entry("uses")
            .filter(|e| e.value.as_str().is_some_and(|v| PINNED.is_match(v.trim())))
            .map(|e| Entry {
                key: e.key.clone(),
                key_span: e.key_span,
                value: e.value.clone(),
            })
    };
    let mut entries: Vec<Entry> = pinned(&r.body).into_iter().collect();
    let step_pins: Vec<Node> = steps(&r.body)
        .iter()
        .filter_map(|step| Some(Node::new(Value::Map(vec![pinned(step)?]), step.span)))
        .collect();
    if let Some(e) = r.body.entry("steps").filter(|_| !step_pins.is_empty()) {
        entries.push(Entry {
            key: e.key.clone(),
            key_span: e.key_span,
            value: Node::new(Value::List(step_pins), e.value.span),
        });
    }
    (!entries.is_empty()).then(|| Resource {
        body: Node::new(Value::Map(entries), r.body.span),
        kind: r.kind.clone(),
        family: r.family,
        address: r.address.clone(),
        span: r.span,
        header: r.header,
        group: r.group.clone(),
    })
}

/// The pins with a version comment among a job's or action's `uses` values.
fn pins(body: &Node, src: &str) -> Vec<Pin> {
    let uses = body
        .get("uses")
        .into_iter()
        .chain(steps(body).iter().filter_map(|s| s.get("uses")));
    let mut out = Vec::new();
    for node in uses {
        let Some(value) = node.as_str() else {
            continue;
        };
        let Some(c) = PINNED.captures(value.trim()) else {
            continue;
        };
        // The comment follows the value; a quoted value ends at its closing quote.
        let start = node.span.start as usize;
        let raw = src.get(start..).unwrap_or_default();
        let end = match raw.chars().next() {
            Some(q @ ('"' | '\'')) => raw[1..].find(q).map_or(raw.len(), |i| i + 2),
            _ => (node.span.end as usize).saturating_sub(start),
        };
        let line = raw[end.min(raw.len())..]
            .split('\n')
            .next()
            .unwrap_or_default();
        let Some(v) = CLAIM.captures(line).and_then(|m| m.get(1)) else {
            continue;
        };
        out.push((
            c[1].to_string(),
            c[2].to_ascii_lowercase(),
            v.as_str().to_string(),
            node.span,
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn claims() {
        let v = |l: &str| CLAIM.captures(l).map(|c| c[1].to_string());
        assert_eq!(v(" # v4.1.1").as_deref(), Some("4.1.1"));
        assert_eq!(v(" #tag=v1.2.3").as_deref(), Some("1.2.3"));
        assert_eq!(v(" # v4"), None);
        assert_eq!(v(" # pinned for safety"), None);
        assert!(PINNED.is_match("actions/checkout@8e5e7e5ab8b370d6c329ec480221332ada57f0ab"));
        assert!(
            PINNED.is_match("github/codeql-action/init@8e5e7e5ab8b370d6c329ec480221332ada57f0ab")
        );
        assert!(!PINNED.is_match("actions/checkout@v4"));
    }

    #[test]
    fn a_stand_in_keeps_only_the_pinned_uses() {
        use crate::source::{FileId, SourceText};
        let text = "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    env: {A: b}\n    steps:\n      - run: make\n      - uses: o/a@89abcdef0123456789abcdef0123456789abcdef # v2.3.0\n      - uses: o/b@v1\n  b:\n    steps:\n      - uses: o/c@v2\n";
        let src = SourceText::new(
            FileId(1),
            ".github/workflows/x.yml",
            ".github/workflows/x.yml".into(),
            std::sync::Arc::from(text),
        );
        let doc = crate::parse::yaml::parse_yaml(&src).unwrap().remove(0);
        let jobs = crate::model::workflow::workflow_resources(&src, doc);
        let a = pin_stand_in(&jobs[1]).expect("job a has a pin");
        assert_eq!(a.address, "jobs.a");
        let keys: Vec<&str> = a.body.entries().iter().map(|e| e.key.as_str()).collect();
        assert_eq!(keys, ["steps"]);
        assert_eq!(steps(&a.body).len(), 1);
        // The tally reads the same pins from the stand-in as from the job.
        assert_eq!(pins(&a.body, text), pins(&jobs[1].body, text));
        assert!(pin_stand_in(&jobs[2]).is_none(), "job b pins nothing");
        assert!(pin_stand_in(&jobs[0]).is_none(), "a workflow is not a job");
    }

    #[test]
    fn quoted_values() {
        use crate::source::{FileId, SourceText};
        let text = "jobs:\n  a:\n    steps:\n      - uses: \"o/a@89abcdef0123456789abcdef0123456789abcdef\" # v2.3.0\n      - uses: o/b@0123456789abcdef0123456789abcdef01234567 #v1.0.0\n";
        let src = SourceText::new(
            FileId(1),
            "x.yml",
            "x.yml".into(),
            std::sync::Arc::from(text),
        );
        let doc = crate::parse::yaml::parse_yaml(&src).unwrap().remove(0);
        let found: Vec<_> = pins(doc.get_path("jobs.a").unwrap(), text)
            .into_iter()
            .map(|p| (p.0, p.2))
            .collect();
        assert_eq!(
            found,
            [
                ("o/a".to_string(), "2.3.0".to_string()),
                ("o/b".to_string(), "1.0.0".to_string())
            ]
        );
    }
}
