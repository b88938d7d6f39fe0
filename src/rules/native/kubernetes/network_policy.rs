//! `k8s_workload_selected_by_network_policy`: whether a NetworkPolicy of the workload's
//! namespace selects its pods. Native because it joins objects by namespace and label
//! selectors (indexed, not pairwise).

use std::collections::HashMap;
use std::sync::Mutex;

use super::label_selector::{Mentioned, Projected, Req, Selector};
use crate::model::Resource;
use crate::parse::node::Node;
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

/// Work units (one per policy looked at plus one per requirement evaluated) one distinct
/// (namespace, label set) may always spend finding a policy that selects it.
const WORK_PER_LABEL_SET: usize = 1024;
/// More units for each workload sharing that label set, since the answer serves them
/// all.
const WORK_PER_WORKLOAD: usize = 64;
/// And an equal share of this many times the cost of looking at every policy once. The
/// whole join thus costs at most 1024 + 64 units per workload plus 4 looks at each
/// policy: linear, where selectors that only exclude labels (`NotIn`, `DoesNotExist`)
/// cannot be indexed and deciding them exactly for every pod is quadratic.
const LOOKS_PER_POLICY: usize = 4;

/// True when a `networking.k8s.io` NetworkPolicy in the same namespace selects the
/// workload's pods (an empty `podSelector` selects all). False only when the scan holds
/// at least one such policy and none can select the pods; unknown when no policy is in
/// the scan at all (it may be applied from elsewhere), when namespaces are left to the
/// deploy tool, when another plugin's policy kind is present, or when deciding would take
/// more than the work bound of [`WORK_PER_LABEL_SET`]. Host-network pods pass:
/// NetworkPolicies do not apply to them (K8S-POD-004 reports them).
pub(crate) fn check(_node: &Node, cx: &EvalCx<'_>, _args: Option<&Node>) -> Outcome {
    let me = cx.resource;
    if me.body.get_path("pod.hostNetwork").and_then(Node::as_bool) == Some(true) {
        return Outcome::pass(Vec::new());
    }
    let my_ns = namespace_of(me);
    let mut maybe = OTHER_POLICY_KINDS
        .iter()
        .any(|k| cx.index.same_root(me, k).next().is_some());
    let index = cx
        .index
        .memo("network_policy_selectors", PolicyIndex::build);
    let labels = index
        .mentioned
        .project(me.body.get_path("pod_metadata.labels"));
    let answer = index.answer(my_ns, labels);
    if let Some(policy) = answer.selecting.and_then(|i| cx.index.resource(i)) {
        return Outcome::pass(vec![policy.header]);
    }
    let (core, other) = index.counts(my_ns);
    maybe |= answer.maybe || other > 0;
    // Policies anywhere count for "does this repo manage policies at all"; only those
    // in the workload's namespace (or with none written) can select it.
    if maybe || (core == 0 && !index.any_core) {
        Outcome::unknown(vec![me.header])
    } else {
        Outcome::fail(vec![me.header])
    }
}

/// NetworkPolicies by namespace, their selectors read once, and the answer for each
/// distinct (namespace, projected labels) of a workload, so that a workload meets only
/// the policies that can select it and pods no selector tells apart share one answer
/// (30k pods × 30k policies did not finish in 200 s; 20k × 20k selectors that all
/// fail took 59 s).
#[derive(Default)]
struct PolicyIndex {
    /// Core policies: resource position and selector, in position order.
    policies: Vec<(usize, Selector)>,
    by_ns: HashMap<Option<String>, Bucket>,
    mentioned: Mentioned,
    /// Whether the scan holds any core policy at all.
    any_core: bool,
    /// Workloads per distinct (namespace, projected labels): what sets its work bound.
    workloads: HashMap<LabelSet, usize>,
    /// Each label set's share of [`LOOKS_PER_POLICY`] looks at every policy.
    share: usize,
    answers: Mutex<HashMap<LabelSet, Answer>>,
}

/// The policies of one namespace (None: not written), as positions in `policies`.
#[derive(Default)]
struct Bucket {
    /// The first policy without a selector (it selects every pod).
    everything: Option<usize>,
    /// Policies whose selector is not a map (unknown for every pod).
    odd: usize,
    /// Policies by a `key=value` their selector requires (`matchLabels`, `In`).
    by_pair: HashMap<(String, String), Vec<usize>>,
    /// Policies by a key their selector requires to exist (`Exists`).
    by_key: HashMap<String, Vec<usize>>,
    /// Policies with no positive requirement (`{}`, `NotIn`, `DoesNotExist`): any pod
    /// may match them, so each label set looks at them in order until one selects it.
    negative: Vec<usize>,
    core: usize,
    /// Calico's policies share the kind name: their presence makes a gap unknown.
    other: usize,
}

/// A workload's namespace and its labels as the selectors see them.
type LabelSet = (Option<String>, Projected);

#[derive(Clone, Copy, Default)]
struct Answer {
    /// The resource position of a policy that selects the pods.
    selecting: Option<usize>,
    /// Whether a policy might select them.
    maybe: bool,
}

/// What looking through one namespace's policies found.
enum Search {
    Selects(usize),
    Maybe,
    No,
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
            index.any_core = true;
            let at = index.policies.len();
            let selector = Selector::parse(r.body.get_path("spec.podSelector"));
            index.mentioned.add(&selector);
            match &selector {
                Selector::Everything => {
                    bucket.everything.get_or_insert(at);
                }
                Selector::Odd => bucket.odd += 1,
                Selector::Reqs(reqs) => match required_label(reqs) {
                    Some(Req::In(key, values)) => {
                        for v in values {
                            bucket
                                .by_pair
                                .entry((key.clone(), v.clone()))
                                .or_default()
                                .push(at);
                        }
                    }
                    Some(Req::Exists(key)) => {
                        bucket.by_key.entry(key.clone()).or_default().push(at)
                    }
                    _ => bucket.negative.push(at),
                },
            }
            index.policies.push((i, selector));
        }
        for r in resources {
            if r.family == crate::model::Family::Kubernetes && r.body.get("pod").is_some() {
                let labels = index
                    .mentioned
                    .project(r.body.get_path("pod_metadata.labels"));
                let ns = namespace_of(r).map(str::to_owned);
                *index.workloads.entry((ns, labels)).or_default() += 1;
            }
        }
        let all: usize = index.policies.iter().map(|(_, s)| 1 + s.size()).sum();
        index.share = LOOKS_PER_POLICY * all / index.workloads.len().max(1);
        index
    }

    /// Whether a policy selects pods in `ns` with `labels`, computed once per distinct
    /// pair.
    fn answer(&self, ns: Option<&str>, labels: Projected) -> Answer {
        let key = (ns.map(str::to_owned), labels);
        let lock = || {
            self.answers
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
        };
        if let Some(a) = lock().get(&key) {
            return *a;
        }
        let sharing = self.workloads.get(&key).copied().unwrap_or(1);
        let budget = WORK_PER_LABEL_SET + WORK_PER_WORKLOAD * sharing + self.share;
        let answer = self.compute(ns, &key.1, budget);
        lock().insert(key, answer);
        answer
    }

    fn compute(&self, ns: Option<&str>, labels: &Projected, mut budget: usize) -> Answer {
        // Policies of the workload's namespace can select it; those whose namespace
        // (or the workload's) is left to the deploy tool only might.
        let (own, elsewhere): (Option<&Bucket>, Vec<&Bucket>) = match ns {
            Some(ns) => (
                self.by_ns.get(&Some(ns.to_owned())),
                self.by_ns.get(&None).into_iter().collect(),
            ),
            None => (
                self.by_ns.get(&None),
                self.by_ns
                    .iter()
                    .filter(|(k, _)| k.is_some())
                    .map(|(_, b)| b)
                    .collect(),
            ),
        };
        let mut maybe = false;
        if let Some(b) = own {
            match self.search(b, labels, &mut budget) {
                Search::Selects(at) => {
                    return Answer {
                        selecting: Some(self.policies[at].0),
                        maybe: false,
                    };
                }
                Search::Maybe => maybe = true,
                Search::No => {}
            }
        }
        for b in elsewhere {
            if maybe {
                break;
            }
            maybe = !matches!(self.search(b, labels, &mut budget), Search::No);
        }
        Answer {
            selecting: None,
            maybe,
        }
    }

    /// The first policy of `b` found to select `labels`, looking only at those that
    /// can: the ones requiring one of its labels, then the ones requiring none. Running
    /// out of `budget` makes the answer a maybe.
    fn search(&self, b: &Bucket, labels: &Projected, budget: &mut usize) -> Search {
        if let Some(at) = b.everything {
            return Search::Selects(at);
        }
        let Some(pairs) = labels else {
            // Labels of a shape not understood: every selector is unknown.
            return if b.core > 0 {
                Search::Maybe
            } else {
                Search::No
            };
        };
        let mut maybe = b.odd > 0;
        let keyed = pairs.iter().flat_map(|(k, v)| {
            let by_pair = v
                .as_ref()
                .and_then(|v| b.by_pair.get(&(k.clone(), v.clone())));
            by_pair.into_iter().chain(b.by_key.get(k)).flatten()
        });
        for &at in keyed.chain(&b.negative) {
            let selector = &self.policies[at].1;
            let cost = 1 + selector.size();
            if *budget < cost {
                return Search::Maybe;
            }
            *budget -= cost;
            match selector.matches(labels) {
                Truth::True => return Search::Selects(at),
                Truth::Unknown => maybe = true,
                Truth::False => {}
            }
        }
        if maybe { Search::Maybe } else { Search::No }
    }

    /// (core policies, other plugins' policies) that can apply to a workload in `ns`:
    /// its own namespace and the unwritten one, or every one when its own is not written.
    fn counts(&self, ns: Option<&str>) -> (usize, usize) {
        let buckets: Vec<&Bucket> = match ns {
            None => self.by_ns.values().collect(),
            Some(ns) => self
                .by_ns
                .get(&Some(ns.to_owned()))
                .into_iter()
                .chain(self.by_ns.get(&None))
                .collect(),
        };
        buckets
            .iter()
            .fold((0, 0), |(c, o), b| (c + b.core, o + b.other))
    }
}

/// The first requirement without which a selector cannot select a pod (`In`, or
/// `Exists`), if any: the key under which the policy is indexed.
fn required_label(reqs: &[Req]) -> Option<&Req> {
    reqs.iter()
        .find(|r| matches!(r, Req::In(..)))
        .or_else(|| reqs.iter().find(|r| matches!(r, Req::Exists(_))))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::index::ResourceIndex;

    use crate::rules::native::kubernetes::test_support::scan;

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

    /// Policies that exclude the pod's labels, one per `z{i}` key so none repeats.
    fn excluding(n: usize, sel: impl Fn(usize) -> String) -> String {
        (0..n)
            .map(|i| policy("  namespace: shop\n", &sel(i)))
            .collect()
    }

    #[test]
    fn selectors_that_only_exclude_are_decided_exactly() {
        let fail = |i: usize| {
            format!(
                "{{matchExpressions: [{{key: app, operator: DoesNotExist}}, {{key: z{i}, operator: NotIn, values: [x]}}]}}"
            )
        };
        assert_eq!(
            covered(&format!("{POD}{}", excluding(3000, fail))),
            Truth::False
        );
        // One that lets the pod through, after thousands that do not.
        let last = policy(
            "  namespace: shop\n",
            "{matchExpressions: [{key: app, operator: NotIn, values: [api]}]}",
        );
        let text = format!("{POD}{}{last}", excluding(3000, fail));
        assert_eq!(covered(&text), Truth::True);
    }

    #[test]
    fn a_label_set_that_would_need_more_work_than_its_bound_is_unknown() {
        // Each policy names a value of `tier`, so no two pods with different tiers share
        // an answer; thousands of failing selectors exceed one label set's bound.
        let fail = |i: usize| {
            format!(
                "{{matchExpressions: [{{key: app, operator: DoesNotExist}}, {{key: tier, operator: NotIn, values: [t{i}]}}]}}"
            )
        };
        let n = WORK_PER_LABEL_SET;
        let pods: String = (0..LOOKS_PER_POLICY * 2)
            .map(|i| {
                POD.replace("tier: front", &format!("tier: t{i}"))
                    .replace("name: web", &format!("name: w{i}"))
                    + "---\n"
            })
            .collect();
        let text = format!("{POD}---\n{pods}{}", excluding(n, fail));
        assert_eq!(covered(&text), Truth::Unknown);
        assert_eq!(
            covered(&format!("{POD}{}", excluding(n, fail))),
            Truth::False
        );
    }
}
