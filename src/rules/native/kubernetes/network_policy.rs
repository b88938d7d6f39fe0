//! `k8s_workload_selected_by_network_policy`: whether a NetworkPolicy of the workload's
//! namespace selects its pods. Native because it joins objects by namespace and label
//! selectors (indexed, not pairwise).

use std::collections::HashMap;

use crate::model::Resource;
use crate::parse::node::{Node, Value};
use crate::rules::context::EvalCx;
use crate::rules::truth::{Outcome, Truth};

/// Kinds from other network plugins or newer APIs that may isolate a pod with selectors
/// this check does not evaluate: their presence makes an uncovered workload unknown.
pub(crate) const OTHER_POLICY_KINDS: &[&str] = &[
    "CiliumNetworkPolicy",
    "CiliumClusterwideNetworkPolicy",
    "GlobalNetworkPolicy",
    "AdminNetworkPolicy",
    "BaselineAdminNetworkPolicy",
    "ClusterNetworkPolicy",
];

/// True when a `networking.k8s.io` NetworkPolicy in the same namespace selects the
/// workload's pods (an empty `podSelector` selects all). False only when the scan holds
/// at least one such policy and none can select the pods; unknown when no policy is in
/// the scan at all (it may be applied from elsewhere), when namespaces are left to the
/// deploy tool, or when another plugin's policy kind is present. Host-network pods pass:
/// NetworkPolicies do not apply to them (K8S-POD-004 reports them).
pub(crate) fn check(_node: &Node, cx: &EvalCx<'_>, _args: Option<&Node>) -> Outcome {
    let me = cx.resource;
    if me.body.get_path("pod.hostNetwork").and_then(Node::as_bool) == Some(true) {
        return Outcome::pass(Vec::new());
    }
    let my_ns = namespace_of(me);
    let labels = me.body.get_path("pod_metadata.labels");
    let mut policies = 0;
    let mut maybe = OTHER_POLICY_KINDS
        .iter()
        .any(|k| cx.index.same_root(me, k).next().is_some());
    // Policies anywhere count for "does this repo manage policies at all"; only those
    // in the workload's namespace (or with none written) can select it.
    let any_core_policy = cx
        .index
        .same_root(me, "NetworkPolicy")
        .any(is_core_network_policy);
    let index = cx
        .index
        .memo("network_policy_selectors", PolicyIndex::build);
    for policy in index
        .candidates(my_ns, labels)
        .into_iter()
        .filter_map(|i| cx.index.resource(i))
    {
        let same_ns = match (my_ns, namespace_of(policy)) {
            (Some(a), Some(b)) if a == b => Truth::True,
            (Some(_), Some(_)) => Truth::False,
            (None, None) => Truth::True,
            _ => Truth::Unknown,
        };
        let selects = selector_matches(policy.body.get_path("spec.podSelector"), labels);
        match (same_ns, selects) {
            (Truth::True, Truth::True) => return Outcome::pass(vec![policy.header]),
            (Truth::False, _) | (_, Truth::False) => {}
            _ => maybe = true,
        }
    }
    let (core, other) = index.counts(my_ns);
    policies += core;
    maybe |= other > 0;
    if maybe || (policies == 0 && !any_core_policy) {
        Outcome::unknown(vec![me.header])
    } else {
        Outcome::fail(vec![me.header])
    }
}

/// NetworkPolicies by namespace and by a label their pod selector requires, so that a
/// workload meets only the policies that can select it instead of every policy of its
/// namespace (30k pods × 30k policies did not finish in 200 s).
#[derive(Default)]
struct PolicyIndex {
    by_ns: HashMap<Option<String>, Bucket>,
}

/// The policies of one namespace (None: not written).
#[derive(Default)]
struct Bucket {
    /// Core policies by a `key=value` their selector requires (`matchLabels`, `In`).
    by_pair: HashMap<(String, String), Vec<usize>>,
    /// Core policies by a key their selector requires to exist (`Exists`).
    by_key: HashMap<String, Vec<usize>>,
    /// Core policies that may select a pod whatever its labels (empty selector,
    /// `NotIn`, shapes the check does not understand): checked for every workload.
    rest: Vec<usize>,
    core: usize,
    /// Calico's policies share the kind name: their presence makes a gap unknown.
    other: usize,
}

impl PolicyIndex {
    fn build(resources: &[Resource]) -> Self {
        let mut index = PolicyIndex::default();
        for (i, r) in resources.iter().enumerate() {
            if r.family != crate::model::Family::Kubernetes || r.kind != "NetworkPolicy" {
                continue;
            }
            let bucket = index
                .by_ns
                .entry(namespace_of(r).map(str::to_owned))
                .or_default();
            if !is_core_network_policy(r) {
                bucket.other += 1;
                continue;
            }
            bucket.core += 1;
            match required_label(r.body.get_path("spec.podSelector")) {
                Some(Required::Pairs(key, values)) => {
                    for v in values {
                        bucket.by_pair.entry((key.clone(), v)).or_default().push(i);
                    }
                }
                Some(Required::Key(key)) => bucket.by_key.entry(key).or_default().push(i),
                None => bucket.rest.push(i),
            }
        }
        index
    }

    /// The namespaces whose policies can apply to a workload in `ns`: its own and the
    /// unwritten one, or every one when its own is not written.
    fn buckets<'s>(&'s self, ns: Option<&str>) -> Vec<&'s Bucket> {
        match ns {
            None => self.by_ns.values().collect(),
            Some(ns) => self
                .by_ns
                .get(&Some(ns.to_owned()))
                .into_iter()
                .chain(self.by_ns.get(&None))
                .collect(),
        }
    }

    /// Positions of the core policies that might select pods with `labels`, in order.
    fn candidates(&self, ns: Option<&str>, labels: Option<&Node>) -> Vec<usize> {
        let mut out = Vec::new();
        let entries = match labels.map(|l| &l.value) {
            None | Some(Value::Null) => Some(&[][..]),
            Some(Value::Map(entries)) => Some(entries.as_slice()),
            Some(_) => None, // labels of a shape not understood: every policy may apply
        };
        for b in self.buckets(ns) {
            out.extend(&b.rest);
            match entries {
                Some(entries) => {
                    for e in entries {
                        if let Some(v) = e.value.scalar_text() {
                            out.extend(b.by_pair.get(&(e.key.clone(), v)).into_iter().flatten());
                        }
                        out.extend(b.by_key.get(&e.key).into_iter().flatten());
                    }
                }
                None => {
                    out.extend(b.by_pair.values().flatten());
                    out.extend(b.by_key.values().flatten());
                }
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    /// (core policies, other plugins' policies) that can apply to a workload in `ns`.
    fn counts(&self, ns: Option<&str>) -> (usize, usize) {
        self.buckets(ns)
            .iter()
            .fold((0, 0), |(c, o), b| (c + b.core, o + b.other))
    }
}

/// A label requirement without which a selector cannot select a pod.
enum Required {
    /// The key must have one of these values.
    Pairs(String, Vec<String>),
    /// The key must exist.
    Key(String),
}

/// The first definite requirement of a pod selector (one whose absence makes
/// `selector_matches` false, not unknown), if any.
fn required_label(selector: Option<&Node>) -> Option<Required> {
    let selector = selector.filter(|s| matches!(s.value, Value::Map(_)))?;
    for e in selector.get("matchLabels").map_or(&[][..], Node::entries) {
        if let Some(v) = e.value.scalar_text() {
            return Some(Required::Pairs(e.key.clone(), vec![v]));
        }
    }
    for expr in selector
        .get("matchExpressions")
        .map_or(&[][..], Node::items)
    {
        let key = expr.get("key").and_then(Node::as_str);
        match (key, expr.get("operator").and_then(Node::as_str)) {
            (Some(k), Some("In")) => {
                let values = expr
                    .get("values")
                    .map_or(&[][..], Node::items)
                    .iter()
                    .filter_map(Node::scalar_text)
                    .collect();
                return Some(Required::Pairs(k.to_owned(), values));
            }
            (Some(k), Some("Exists")) => return Some(Required::Key(k.to_owned())),
            _ => {}
        }
    }
    None
}

fn is_core_network_policy(r: &Resource) -> bool {
    r.body
        .get("apiVersion")
        .and_then(Node::as_str)
        .is_some_and(|v| v.starts_with("networking.k8s.io/") || v.starts_with("extensions/"))
}

/// The namespace written in the manifest; `None` leaves it to `kubectl -n` or kustomize.
fn namespace_of(r: &Resource) -> Option<&str> {
    r.body
        .get_path("metadata.namespace")
        .and_then(Node::as_str)
        .filter(|n| !n.is_empty())
}

/// Whether a LabelSelector selects pods with `labels` (a missing or empty selector
/// selects everything). Unknown for operators or shapes it does not understand.
fn selector_matches(selector: Option<&Node>, labels: Option<&Node>) -> Truth {
    let Some(selector) = selector.filter(|s| !s.is_null()) else {
        return Truth::True;
    };
    if !matches!(selector.value, Value::Map(_)) {
        return Truth::Unknown;
    }
    let labels = match labels.map(|l| &l.value) {
        None | Some(Value::Null) => &[][..],
        Some(Value::Map(entries)) => entries.as_slice(),
        Some(_) => return Truth::Unknown,
    };
    let label = |key: &str| {
        labels
            .iter()
            .find(|e| e.key == key)
            .and_then(|e| e.value.scalar_text())
    };
    let mut result = Truth::True;
    for e in selector.get("matchLabels").map_or(&[][..], Node::entries) {
        match e.value.scalar_text() {
            Some(want) if label(&e.key).as_deref() == Some(want.as_str()) => {}
            Some(_) => return Truth::False,
            None => result = Truth::Unknown,
        }
    }
    for expr in selector
        .get("matchExpressions")
        .map_or(&[][..], Node::items)
    {
        let key = expr.get("key").and_then(Node::as_str);
        let op = expr.get("operator").and_then(Node::as_str);
        let values: Vec<String> = expr
            .get("values")
            .map_or(&[][..], Node::items)
            .iter()
            .filter_map(Node::scalar_text)
            .collect();
        let (Some(key), Some(op)) = (key, op) else {
            result = Truth::Unknown;
            continue;
        };
        let have = label(key);
        let ok = match op {
            "In" => have.is_some_and(|v| values.contains(&v)),
            "NotIn" => have.is_none_or(|v| !values.contains(&v)),
            "Exists" => have.is_some(),
            "DoesNotExist" => have.is_none(),
            _ => {
                result = Truth::Unknown;
                continue;
            }
        };
        if !ok {
            return Truth::False;
        }
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::index::ResourceIndex;
    use std::path::PathBuf;
    use std::sync::Arc;

    use crate::parse::yaml::parse_yaml;
    use crate::rules::native::kubernetes::test_support::scan;
    use crate::source::{FileId, SourceText};

    fn covered(text: &str) -> Truth {
        let (resources, sources) = scan(text);
        let index = ResourceIndex::new(&resources, &sources);
        let me = resources
            .iter()
            .find(|r| r.body.get("pod").is_some())
            .expect("a workload");
        let cx = EvalCx {
            resource: me,
            body: &me.body,
            index: &index,
            memo: &crate::rules::context::Memo::default(),
        };
        check(&me.body, &cx, None).truth
    }

    const POD: &str = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n  namespace: shop\n  labels: {app: web, tier: front}\nspec:\n  containers: [{name: web, image: 'nginx:1'}]\n";

    fn policy(ns: &str, selector: &str) -> String {
        format!(
            "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: p\n{ns}spec:\n  podSelector: {selector}\n"
        )
    }

    #[test]
    fn empty_selector_in_same_namespace_covers() {
        let text = format!("{POD}{}", policy("  namespace: shop\n", "{}"));
        assert_eq!(covered(&text), Truth::True);
    }

    #[test]
    fn policy_elsewhere_or_not_matching_is_a_gap() {
        let other_ns = format!("{POD}{}", policy("  namespace: billing\n", "{}"));
        assert_eq!(covered(&other_ns), Truth::False);
        let other_app = format!(
            "{POD}{}",
            policy("  namespace: shop\n", "{matchLabels: {app: api}}")
        );
        assert_eq!(covered(&other_app), Truth::False);
    }

    #[test]
    fn no_policy_or_unknown_namespace_is_unknown() {
        assert_eq!(covered(POD), Truth::Unknown);
        let no_ns = format!("{POD}{}", policy("", "{}"));
        assert_eq!(covered(&no_ns), Truth::Unknown);
        let cilium = format!(
            "{POD}{}---\napiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {{name: c}}\n",
            policy("  namespace: shop\n", "{matchLabels: {app: api}}")
        );
        assert_eq!(covered(&cilium), Truth::Unknown);
    }

    #[test]
    fn host_network_pods_are_out_of_scope() {
        let text = POD.replace("spec:\n", "spec:\n  hostNetwork: true\n");
        assert_eq!(covered(&text), Truth::True);
    }

    #[test]
    fn selector_operators() {
        let (r, _) = scan(
            "apiVersion: v1\nkind: Pod\nmetadata:\n  labels: {app: web, tier: front}\nspec: {containers: []}\n",
        );
        let labels = r[0].body.get_path("pod_metadata.labels");
        let sel = |yaml: &str| {
            let src = SourceText::new(FileId(1), "s".into(), PathBuf::from("s"), Arc::from(yaml));
            let docs = parse_yaml(&src).expect("selector parses");
            selector_matches(docs.first(), labels)
        };
        assert_eq!(sel("{}"), Truth::True);
        assert_eq!(sel("matchLabels: {app: web}"), Truth::True);
        assert_eq!(sel("matchLabels: {app: web, env: prod}"), Truth::False);
        let expr = |op: &str, values: &str| {
            sel(&format!(
                "matchExpressions: [{{key: tier, operator: {op}, values: {values}}}]"
            ))
        };
        assert_eq!(expr("In", "[front, back]"), Truth::True);
        assert_eq!(expr("In", "[back]"), Truth::False);
        assert_eq!(expr("NotIn", "[back]"), Truth::True);
        assert_eq!(expr("NotIn", "[front]"), Truth::False);
        assert_eq!(expr("Exists", "[]"), Truth::True);
        assert_eq!(expr("DoesNotExist", "[]"), Truth::False);
        assert_eq!(expr("Gt", "['1']"), Truth::Unknown);
        assert_eq!(
            sel("matchExpressions: [{key: team, operator: DoesNotExist}]"),
            Truth::True
        );
    }
}
