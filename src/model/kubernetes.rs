//! Kubernetes objects become one resource each (`List` kinds are expanded). Workloads get
//! a normalised `pod` entry (the pod spec plus `all_containers`) so one rule covers a Pod,
//! a Deployment and a CronJob alike.

use std::sync::Arc;

use crate::model::{Family, Resource};
use crate::parse::node::{Entry, Node, Value};
use crate::source::SourceText;

/// How deep `List` objects may nest inside each other before the rest is ignored.
const MAX_LIST_NESTING: usize = 8;

/// One resource per Kubernetes object in `docs` (documents that are not objects are
/// skipped). Body: the object as written, plus for workloads `workload: true`, `pod` (the
/// pod spec Map plus `all_containers`) and `pod_metadata` (the pod template's metadata).
pub fn kubernetes_resources(src: &SourceText, docs: Vec<Node>) -> Vec<Resource> {
    let mut out = Vec::new();
    for doc in docs {
        collect(src, doc, 0, &mut out);
    }
    out
}

fn collect(src: &SourceText, mut doc: Node, nesting: usize, out: &mut Vec<Resource>) {
    if !crate::discover::sniff::is_kubernetes(&doc) {
        return;
    }
    let is_list = doc
        .get("kind")
        .and_then(Node::as_str)
        .is_some_and(|k| k.ends_with("List"));
    if is_list
        && nesting < MAX_LIST_NESTING
        && let Value::Map(entries) = &mut doc.value
        && let Some(items) = entries.iter_mut().find(|e| e.key == "items")
        && let Value::List(items) = &mut items.value.value
    {
        for item in std::mem::take(items) {
            collect(src, item, nesting + 1, out);
        }
        return;
    }
    out.push(resource(src, doc));
}

/// Where the pod spec and the pod metadata live for a workload kind: the built-in ones,
/// and custom resources that embed a pod template (Argo Rollouts, Knative Serving, KEDA
/// ScaledJob), whose pods the cluster runs just the same.
fn pod_paths(api_version: &str, kind: &str) -> Option<(&'static str, &'static str)> {
    const TEMPLATE: (&str, &str) = ("spec.template.spec", "spec.template.metadata");
    let group = api_version.rsplit_once('/').map_or("", |(g, _)| g);
    match (group, kind) {
        ("", "Pod") => Some(("spec", "metadata")),
        ("", "PodTemplate") => Some(("template.spec", "template.metadata")),
        (
            "" | "apps" | "batch" | "extensions",
            "Deployment"
            | "StatefulSet"
            | "DaemonSet"
            | "ReplicaSet"
            | "Job"
            | "ReplicationController",
        ) => Some(TEMPLATE),
        ("batch", "CronJob") => Some((
            "spec.jobTemplate.spec.template.spec",
            "spec.jobTemplate.spec.template.metadata",
        )),
        ("argoproj.io", "Rollout") | ("serving.knative.dev", "Service" | "Configuration") => {
            Some(TEMPLATE)
        }
        ("keda.sh", "ScaledJob") => Some((
            "spec.jobTargetRef.template.spec",
            "spec.jobTargetRef.template.metadata",
        )),
        _ => None,
    }
}

fn resource(src: &SourceText, doc: Node) -> Resource {
    let text = |path: &str| {
        doc.get_path(path)
            .and_then(Node::as_str)
            .unwrap_or_default()
    };
    let (api_version, kind) = (text("apiVersion").to_string(), text("kind").to_string());
    let name = [text("metadata.name"), text("metadata.generateName")]
        .into_iter()
        .find(|n| !n.is_empty())
        .unwrap_or("<unnamed>");
    let namespace = Some(text("metadata.namespace"))
        .filter(|n| !n.is_empty())
        .unwrap_or("default");
    let address = format!("{api_version}/{kind}/{namespace}/{name}");
    let header = doc.entry("kind").map_or_else(
        || src.first_line(doc.span),
        |e| e.key_span.join(e.value.span),
    );
    let mut extra = Vec::new();
    if let Some((spec_path, meta_path)) = pod_paths(&api_version, &kind) {
        let spec = doc
            .get_path(spec_path)
            .filter(|s| matches!(s.value, Value::Map(_)));
        // A custom resource without an inline template (an Argo Rollout's `workloadRef`)
        // runs the pods of another object, which is checked on its own.
        let custom = api_version.contains('.');
        if spec.is_some() || !custom {
            if let Some(spec) = spec {
                extra.push(entry("pod", pod(spec)));
            }
            if let Some(meta) = doc.get_path(meta_path) {
                extra.push(entry("pod_metadata", meta.clone()));
            }
            extra.push(entry("workload", Node::new(Value::Bool(true), header)));
        }
    }
    let span = doc.span;
    let mut entries = match doc.value {
        Value::Map(entries) => entries,
        _ => Vec::new(),
    };
    entries.extend(extra);
    Resource {
        kind,
        family: Family::Kubernetes,
        address,
        span,
        header,
        body: Node::new(Value::Map(entries), span),
        group: Arc::from("k8s"),
    }
}

/// A clone of the pod spec with `all_containers`: containers, init containers and
/// ephemeral containers in that order.
fn pod(spec: &Node) -> Node {
    let all: Vec<Node> = ["containers", "initContainers", "ephemeralContainers"]
        .iter()
        .filter_map(|k| spec.get(k))
        .flat_map(|list| list.items().iter().cloned())
        .collect();
    let mut pod = spec.clone();
    if let Value::Map(entries) = &mut pod.value {
        entries.push(entry(
            "all_containers",
            Node::new(Value::List(all), spec.span),
        ));
    }
    pod
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
    use crate::discover::sniff::is_kubernetes;
    use crate::source::{FileId, Span};

    fn sp(a: usize, b: usize) -> Span {
        Span::new(FileId(1), a, b)
    }

    fn s(v: &str, a: usize) -> Node {
        Node::string(v, sp(a, a + v.len()))
    }

    fn map(entries: Vec<(&str, Node)>) -> Node {
        let start = entries.first().map_or(0, |e| e.1.span.start as usize);
        let end = entries.last().map_or(0, |e| e.1.span.end as usize);
        let entries = entries
            .into_iter()
            .map(|(k, v)| Entry {
                key: k.to_string(),
                key_span: sp(v.span.start as usize, v.span.start as usize + 1),
                value: v,
            })
            .collect();
        Node::new(Value::Map(entries), sp(start, end))
    }

    fn list(items: Vec<Node>) -> Node {
        let span = items.iter().fold(sp(0, 0), |a, i| a.join(i.span));
        Node::new(Value::List(items), span)
    }

    fn container(name: &str, at: usize) -> Node {
        map(vec![("name", s(name, at))])
    }

    fn src() -> SourceText {
        SourceText::new(
            FileId(1),
            "k.yaml",
            "k.yaml".into(),
            Arc::from("x".repeat(400)),
        )
    }

    fn cronjob() -> Node {
        let pod_spec = map(vec![
            ("containers", list(vec![container("app", 100)])),
            ("initContainers", list(vec![container("init", 120)])),
        ]);
        let template = map(vec![
            ("metadata", map(vec![("name", s("t", 90))])),
            ("spec", pod_spec),
        ]);
        let job_spec = map(vec![("template", template)]);
        map(vec![
            ("apiVersion", s("batch/v1", 10)),
            ("kind", s("CronJob", 30)),
            (
                "metadata",
                map(vec![
                    ("generateName", s("nightly-", 50)),
                    ("namespace", s("ops", 70)),
                ]),
            ),
            (
                "spec",
                map(vec![("jobTemplate", map(vec![("spec", job_spec)]))]),
            ),
        ])
    }

    #[test]
    fn detects_objects() {
        assert!(is_kubernetes(&cronjob()));
        assert!(!is_kubernetes(&map(vec![("kind", s("Pod", 0))])));
        assert!(!is_kubernetes(&s("x", 0)));
    }

    #[test]
    fn workload_gets_pod_and_all_containers() {
        let rs = kubernetes_resources(&src(), vec![cronjob(), s("junk", 0)]);
        assert_eq!(rs.len(), 1);
        let r = &rs[0];
        assert_eq!(r.kind, "CronJob");
        assert_eq!(r.address, "batch/v1/CronJob/ops/nightly-");
        assert_eq!(r.header, sp(30, 37));
        assert_eq!(&*r.group, "k8s");
        assert_eq!(r.body.get("workload").and_then(Node::as_bool), Some(true));
        let all = r.body.get_path("pod.all_containers").unwrap().items();
        let names: Vec<_> = all.iter().filter_map(|c| c.get("name")?.as_str()).collect();
        assert_eq!(names, ["app", "init"]);
        assert_eq!(all[1].span, sp(120, 124));
        assert!(r.body.get_path("pod_metadata.name").is_some());
        assert!(r.body.get_path("spec.jobTemplate").is_some());
    }

    #[test]
    fn lists_are_expanded_and_non_workloads_plain() {
        let svc = map(vec![
            ("apiVersion", s("v1", 200)),
            ("kind", s("Service", 210)),
        ]);
        let crd_job = map(vec![
            ("apiVersion", s("batch.volcano.sh/v1alpha1", 230)),
            ("kind", s("Job", 260)),
            ("metadata", map(vec![("name", s("vj", 270))])),
        ]);
        let l = map(vec![
            ("apiVersion", s("v1", 0)),
            ("kind", s("List", 5)),
            ("items", list(vec![svc, crd_job])),
        ]);
        let rs = kubernetes_resources(&src(), vec![l]);
        assert_eq!(rs.len(), 2);
        assert_eq!(rs[0].address, "v1/Service/default/<unnamed>");
        assert!(rs[0].body.get("workload").is_none());
        assert_eq!(rs[1].address, "batch.volcano.sh/v1alpha1/Job/default/vj");
        assert!(rs[1].body.get("workload").is_none());
    }
}
