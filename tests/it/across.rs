//! Checks that look across Kubernetes files: the subject (a workload) is read and
//! checked in its own file, then read again and checked against the objects other files
//! hold (policies, service accounts), which are the only objects kept whole.

use serde_json::Value;

use crate::support::{json, run_in, temp_repo};

fn deployment(name: &str, ns: &str) -> String {
    format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\n  namespace: {ns}\nspec:\n  selector: {{matchLabels: {{app: {name}}}}}\n  template:\n    metadata: {{labels: {{app: {name}}}}}\n    spec:\n      containers: [{{name: c, image: 'nginx:1.0'}}]\n"
    )
}

/// (rule, file, confidence) of each finding of `rule`, sorted.
fn findings(repo: &std::path::Path, rule: &str, strict: bool) -> Vec<(String, String)> {
    let mut args = vec!["check", ".", "--no-config", "--format", "json"];
    if strict {
        args.push("--strict");
    }
    let v = json(&run_in(repo, &args));
    let mut out: Vec<(String, String)> = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule_id"] == rule)
        .map(|f| {
            let s = |v: &Value| v.as_str().unwrap_or_default().to_owned();
            (s(&f["file"]), s(&f["confidence"]))
        })
        .collect();
    out.sort();
    out
}

#[test]
fn a_network_policy_covers_a_workload_written_in_another_file() {
    let policy = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  podSelector: {matchLabels: {app: web}}\n";
    let repo = temp_repo(&[
        ("policies/web.yaml", policy),
        ("apps/web.yaml", &deployment("web", "shop")),
        ("apps/api.yaml", &deployment("api", "shop")),
    ]);
    assert_eq!(
        findings(repo.path(), "K8S-NET-001", false),
        [("apps/api.yaml".to_owned(), "high".to_owned())]
    );
}

#[test]
fn a_default_service_account_in_another_file_opts_its_namespace_out_of_the_token() {
    let account = "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: default\n  namespace: shop\nautomountServiceAccountToken: false\n";
    let repo = temp_repo(&[
        ("accounts.yaml", account),
        ("shop.yaml", &deployment("web", "shop")),
        ("billing.yaml", &deployment("web", "billing")),
    ]);
    assert_eq!(
        findings(repo.path(), "K8S-WL-004", false),
        [("billing.yaml".to_owned(), "high".to_owned())]
    );
}

/// Pods with label sets the selectors all tell apart, and more policies that only
/// exclude labels than one label set may look at: each pod's answer is unknown, the
/// same whether the pods share a file with the policies or not (the work bound counts
/// the workloads, also those left in their files for the cross-file batch).
#[test]
fn the_network_policy_work_bound_counts_workloads_of_other_files() {
    let pods: String = (0..9)
        .map(|i| {
            format!(
                "---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: p{i}\n  namespace: shop\n  labels: {{app: web, tier: t{i}}}\nspec:\n  containers: [{{name: c, image: 'nginx:1.0'}}]\n"
            )
        })
        .collect();
    let policies: String = (0..1024)
        .map(|i| {
            format!(
                "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: n{i}\n  namespace: shop\nspec:\n  podSelector:\n    matchExpressions:\n      - {{key: app, operator: DoesNotExist}}\n      - {{key: tier, operator: NotIn, values: [t{i}]}}\n"
            )
        })
        .collect();
    let apart = temp_repo(&[("pods.yaml", &pods), ("policies.yaml", &policies)]);
    let together = temp_repo(&[("all.yaml", &format!("{pods}{policies}"))]);
    let confidences = |repo: &std::path::Path| -> Vec<String> {
        findings(repo, "K8S-NET-001", true)
            .into_iter()
            .map(|(_, c)| c)
            .collect()
    };
    let expected = vec!["low".to_owned(); 9];
    assert_eq!(confidences(together.path()), expected);
    assert_eq!(confidences(apart.path()), expected);
}
