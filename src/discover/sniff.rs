//! What a YAML or JSON file is, from its path and content: a Helm template (not YAML
//! until rendered), a Terraform plan, a workflow, a compose file, Kubernetes manifests or
//! plain configuration. File names alone are decided in `classify`.

use crate::parse::node::{Node, Value};
use crate::source::SourceText;

/// What the documents of one YAML/JSON file hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Content {
    /// `terraform show -json` output.
    Plan,
    /// A GitHub Actions workflow.
    Workflow,
    /// A GitHub Action's metadata (`action.yml` with `runs`).
    Action,
    /// A docker-compose file.
    Compose,
    /// Kubernetes objects (documents that are not objects are skipped).
    Kubernetes,
    /// Configuration no rule family models (still scanned for secrets as text).
    Plain,
}

/// Decides what parsed documents are, in precedence order.
pub(crate) fn content(src: &SourceText, docs: &[Node]) -> Content {
    if docs.len() == 1 && is_plan_json(&docs[0]) {
        return Content::Plan;
    }
    if is_workflow(&src.display_path) {
        return Content::Workflow;
    }
    if is_action_file(&src.display_path) && docs.len() == 1 && docs[0].get("runs").is_some() {
        return Content::Action;
    }
    let name = src
        .path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    if docs.len() == 1 && is_compose(&docs[0], name) {
        return Content::Compose;
    }
    if docs.iter().any(is_kubernetes) {
        Content::Kubernetes
    } else {
        Content::Plain
    }
}

/// A YAML file that is a Helm chart template (Go templates, not YAML until rendered).
pub(crate) fn is_helm_template(display_path: &str, text: &str) -> bool {
    let in_templates = display_path.contains("templates/");
    in_templates && (text.contains("{{") || display_path.ends_with(".tpl"))
}

/// Whether a JSON document is a Terraform plan.
pub(crate) fn is_plan_json(doc: &Node) -> bool {
    doc.get("format_version").is_some()
        && (doc.get("planned_values").is_some() || doc.get("resource_changes").is_some())
}

/// A `.yml`/`.yaml` file directly inside a `.github/workflows/` directory.
pub(crate) fn is_workflow(display_path: &str) -> bool {
    let path = display_path.replace('\\', "/");
    let Some((dir, file)) = path.rsplit_once('/') else {
        return false;
    };
    let file = file.to_ascii_lowercase();
    (dir == ".github/workflows" || dir.ends_with("/.github/workflows"))
        && (file.ends_with(".yml") || file.ends_with(".yaml"))
}

/// Whether `doc` is a compose file: a `services` Map in a file named `compose.*`,
/// `compose-*` or `docker-compose*` (`.yml`/`.yaml`), or elsewhere a `services` Map whose values are all Maps with
/// at least one `image` or `build`; or a legacy (v1) `docker-compose*.y(a)ml` whose
/// top-level values are all Maps with `image` or `build`.
pub(crate) fn is_compose(doc: &Node, file_name: &str) -> bool {
    let base = file_name.rsplit(['/', '\\']).next().unwrap_or(file_name);
    let base = base.to_ascii_lowercase();
    let yaml = base.ends_with(".yml") || base.ends_with(".yaml");
    let legacy_name = yaml && base.starts_with("docker-compose");
    let named =
        legacy_name || (yaml && ["compose.", "compose-"].iter().any(|p| base.starts_with(p)));
    match doc.get("services").map(|s| &s.value) {
        Some(Value::Map(services)) => {
            named
                || (!services.is_empty()
                    && doc.get("kind").is_none()
                    && services
                        .iter()
                        .all(|e| matches!(e.value.value, Value::Map(_)))
                    && services.iter().any(|e| is_service(&e.value)))
        }
        Some(_) => false,
        None => legacy_name && is_legacy_compose(doc),
    }
}

/// A Map with a string `apiVersion` and a string `kind`.
pub(crate) fn is_kubernetes(doc: &Node) -> bool {
    doc.get("apiVersion").and_then(Node::as_str).is_some()
        && doc.get("kind").and_then(Node::as_str).is_some()
}

fn is_service(n: &Node) -> bool {
    n.get("image").is_some() || n.get("build").is_some()
}

/// A version-1 compose file: services at the top level, each with an image or a build.
pub(crate) fn is_legacy_compose(doc: &Node) -> bool {
    !doc.entries().is_empty() && doc.entries().iter().all(|e| is_service(&e.value))
}

/// An `action.yml` / `action.yaml` (a JavaScript, Docker or composite action's metadata).
pub(crate) fn is_action_file(display_path: &str) -> bool {
    let path = display_path.replace('\\', "/");
    let file = path
        .rsplit('/')
        .next()
        .unwrap_or(&path)
        .to_ascii_lowercase();
    file == "action.yml" || file == "action.yaml"
}
