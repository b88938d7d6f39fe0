//! GitHub Actions workflows become one `gha_workflow` resource plus one `gha_job` per job.
//! Jobs carry copies of the workflow's triggers, permissions and env so a job rule needs
//! no cross-resource lookup.

use std::sync::Arc;

use crate::model::{Family, Resource};
use crate::parse::node::{Entry, Node, Value};
use crate::source::SourceText;

/// An action metadata file becomes one `gha_action` resource when it has `runs` (body: the
/// document plus `steps`, the composite action's `runs.steps`, so step rules written for
/// jobs read it unchanged). None for other files named action.yml.
pub fn action_resources(src: &SourceText, doc: Node) -> Vec<Resource> {
    let Some(runs) = doc.get("runs").filter(|r| matches!(r.value, Value::Map(_))) else {
        return Vec::new();
    };
    let steps = runs.entry("steps").cloned();
    let header = doc.entry("runs").map_or(doc.span, |e| e.key_span);
    let span = doc.span;
    let mut entries = match doc.value {
        Value::Map(entries) => entries,
        _ => return Vec::new(),
    };
    entries.extend(steps);
    vec![Resource {
        kind: "gha_action".to_string(),
        family: Family::Workflow,
        address: src.display_path.to_string(),
        span,
        header,
        body: Node::new(Value::Map(entries), span),
        group: Arc::from(format!("file:{}", src.display_path)),
    }]
}

/// The workflow (body: the document plus `triggers`, a List of event names from `on`,
/// whether it is a string, a list or a map) and its jobs (body: the job Map plus
/// `triggers`, `workflow_permissions` and `workflow_env` when the workflow has them).
pub fn workflow_resources(src: &SourceText, doc: Node) -> Vec<Resource> {
    let group: Arc<str> = Arc::from(format!("file:{}", src.display_path));
    let header = src.first_line(doc.span);
    // `on` is a plain string key in YAML 1.2; a YAML 1.1 reader would have made it `true`.
    let on = doc.entry("on").or_else(|| doc.entry("true"));
    let triggers: Vec<Node> = match on.map(|e| &e.value) {
        Some(n) if n.as_str().is_some() => vec![n.clone()],
        Some(Node {
            value: Value::List(items),
            ..
        }) => items
            .iter()
            .filter_map(|i| Some(Node::string(i.as_str()?, i.span)))
            .collect(),
        Some(Node {
            value: Value::Map(entries),
            ..
        }) => entries
            .iter()
            .map(|e| Node::string(&e.key, e.key_span))
            .collect(),
        _ => Vec::new(),
    };
    let triggers_span = on.map_or(header, |e| e.key_span.join(e.value.span));
    let triggers = entry("triggers", Node::new(Value::List(triggers), triggers_span));
    let mut shared = vec![triggers.clone()];
    for (from, to) in [
        ("permissions", "workflow_permissions"),
        ("env", "workflow_env"),
    ] {
        if let Some(e) = doc.entry(from) {
            shared.push(Entry {
                key: to.to_string(),
                key_span: e.key_span,
                value: e.value.clone(),
            });
        }
    }
    let mut out = Vec::new();
    for job in doc.get("jobs").map_or(&[][..], Node::entries) {
        let Value::Map(entries) = &job.value.value else {
            continue;
        };
        let mut entries = entries.clone();
        entries.extend(shared.iter().cloned());
        out.push(Resource {
            kind: "gha_job".to_string(),
            family: Family::Workflow,
            address: format!("jobs.{}", job.key),
            span: job.value.span,
            header: job.key_span,
            body: Node::new(Value::Map(entries), job.value.span),
            group: group.clone(),
        });
    }
    let span = doc.span;
    let mut entries = match doc.value {
        Value::Map(entries) => entries,
        _ => Vec::new(),
    };
    entries.push(triggers);
    out.insert(
        0,
        Resource {
            kind: "gha_workflow".to_string(),
            family: Family::Workflow,
            address: src.display_path.to_string(),
            span,
            header,
            body: Node::new(Value::Map(entries), span),
            group,
        },
    );
    out
}

fn entry(key: &str, value: Node) -> Entry {
    Entry {
        key: key.to_string(),
        key_span: value.span,
        value,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::discover::sniff::{is_action_file, is_workflow};
    use crate::source::{FileId, Span};

    const TEXT: &str = "on:\n  push:\n  pull_request_target:\npermissions: write-all\nenv:\n  A: b\njobs:\n  build:\n    runs-on: ubuntu-latest\n  call:\n    uses: org/repo/.github/workflows/x.yml@main\n";

    fn src() -> SourceText {
        let p = ".github/workflows/ci.yml";
        SourceText::new(FileId(4), p, p.into(), Arc::from(TEXT))
    }

    fn at(needle: &str) -> Span {
        let i = TEXT.find(needle).unwrap();
        Span::new(FileId(4), i, i + needle.len())
    }

    fn map(entries: Vec<(&str, Node)>, span: Span) -> Node {
        let entries = entries
            .into_iter()
            .map(|(k, value)| Entry {
                key: k.into(),
                key_span: TEXT.find(k).map_or(value.span, |_| at(k)),
                value,
            })
            .collect();
        Node::new(Value::Map(entries), span)
    }

    fn s(v: &str) -> Node {
        Node::string(v, at(v))
    }

    fn doc(on: Node) -> Node {
        let null = |k: &str| Node::null(at(k));
        let jobs = map(
            vec![
                (
                    "build",
                    map(
                        vec![("runs-on", s("ubuntu-latest"))],
                        at("runs-on: ubuntu-latest"),
                    ),
                ),
                (
                    "call",
                    map(
                        vec![("uses", s("org/repo/.github/workflows/x.yml@main"))],
                        at("uses"),
                    ),
                ),
                ("broken", null("jobs")),
            ],
            at("build"),
        );
        map(
            vec![
                ("on", on),
                ("permissions", s("write-all")),
                ("env", map(vec![("A", s("b"))], at("A: b"))),
                ("jobs", jobs),
            ],
            Span::new(FileId(4), 0, TEXT.len()),
        )
    }

    #[test]
    fn composite_action() {
        let text =
            "name: x\nruns:\n  using: composite\n  steps:\n    - run: echo hi\n      shell: bash\n";
        let p = "tools/setup/action.yml";
        let src = SourceText::new(FileId(5), p, p.into(), Arc::from(text));
        let doc = crate::parse::yaml::parse_yaml(&src).unwrap().remove(0);
        assert!(is_action_file(p) && !is_action_file("tools/setup/actions.yml"));
        let rs = action_resources(&src, doc);
        assert_eq!(rs.len(), 1);
        assert_eq!(rs[0].kind, "gha_action");
        assert_eq!(&src.text[rs[0].header.range()], "runs");
        assert_eq!(rs[0].body.get("steps").unwrap().items().len(), 1);
        let empty = SourceText::new(FileId(6), p, p.into(), Arc::from("name: x\n"));
        let doc = crate::parse::yaml::parse_yaml(&empty).unwrap().remove(0);
        assert!(action_resources(&empty, doc).is_empty());
    }

    #[test]
    fn paths() {
        assert!(is_workflow(".github/workflows/ci.yml"));
        assert!(is_workflow("sub/.github/workflows/ci.YAML"));
        assert!(!is_workflow(".github/workflows/nested/ci.yml"));
        assert!(!is_workflow(".github/dependabot.yml"));
        assert!(!is_workflow("ci.yml"));
    }

    #[test]
    fn workflow_and_jobs() {
        let on = map(
            vec![
                ("push", Node::null(at("push"))),
                ("pull_request_target", Node::null(at("pull_request_target"))),
            ],
            at("push:\n  pull_request_target:"),
        );
        let src = src();
        let rs = workflow_resources(&src, doc(on));
        assert_eq!(rs.len(), 3);
        let wf = &rs[0];
        assert_eq!(
            (wf.kind.as_str(), wf.address.as_str()),
            ("gha_workflow", ".github/workflows/ci.yml")
        );
        let triggers: Vec<_> = wf
            .body
            .get("triggers")
            .unwrap()
            .items()
            .iter()
            .filter_map(Node::as_str)
            .collect();
        assert_eq!(triggers, ["push", "pull_request_target"]);
        assert_eq!(&src.text[wf.header.range()], "on:");
        let build = &rs[1];
        assert_eq!(
            (build.kind.as_str(), build.address.as_str()),
            ("gha_job", "jobs.build")
        );
        assert_eq!(&src.text[build.header.range()], "build");
        assert_eq!(
            build
                .body
                .get("workflow_permissions")
                .and_then(Node::as_str),
            Some("write-all")
        );
        assert!(build.body.get_path("workflow_env.A").is_some());
        assert_eq!(build.body.get("triggers").unwrap().items().len(), 2);
        assert!(rs[2].body.get("uses").is_some());
        assert_eq!(&*rs[2].group, "file:.github/workflows/ci.yml");
    }

    #[test]
    fn triggers_from_string_and_list() {
        let rs = workflow_resources(&src(), doc(s("push")));
        let t = rs[0].body.get("triggers").unwrap().items();
        assert_eq!(t[0].as_str(), Some("push"));
        let list = Node::new(
            Value::List(vec![s("push"), s("pull_request_target")]),
            at("push"),
        );
        let rs = workflow_resources(&src(), doc(list));
        assert_eq!(rs[0].body.get("triggers").unwrap().items().len(), 2);
        let rs = workflow_resources(&src(), Node::null(Span::new(FileId(4), 0, 0)));
        assert_eq!(rs.len(), 1);
        assert!(rs[0].body.get("triggers").unwrap().items().is_empty());
    }
}
