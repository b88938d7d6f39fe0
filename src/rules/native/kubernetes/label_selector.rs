//! Kubernetes label selectors read once into requirements, and pod labels reduced to what
//! the selectors of a scan can tell apart, so pods that no selector distinguishes share
//! one answer.

use std::collections::{HashMap, HashSet};

use crate::parse::node::{Node, Value};
use crate::rules::truth::Truth;

/// One requirement of a selector (`matchLabels` entries are `In` with one value).
pub(super) enum Req {
    In(String, HashSet<String>),
    NotIn(String, HashSet<String>),
    Exists(String),
    DoesNotExist(String),
    /// An operator or shape this reading does not understand: unknown for every pod.
    Unknown,
}

pub(super) enum Selector {
    /// No selector, or `null`: selects every pod.
    Everything,
    /// Not a map: unknown for every pod.
    Odd,
    /// Every requirement must hold (`{}` has none and selects every pod with labels).
    Reqs(Vec<Req>),
}

/// A pod's labels as the scan's selectors see them, sorted by key: the value when some
/// selector names it for that key, `None` for any other value (which every requirement
/// treats alike). `None` as a whole: labels of a shape not understood.
pub(super) type Projected = Option<Vec<(String, Option<String>)>>;

impl Selector {
    pub(super) fn parse(selector: Option<&Node>) -> Selector {
        let Some(selector) = selector.filter(|s| !s.is_null()) else {
            return Selector::Everything;
        };
        if !matches!(selector.value, Value::Map(_)) {
            return Selector::Odd;
        }
        let mut reqs = Vec::new();
        for e in selector.get("matchLabels").map_or(&[][..], Node::entries) {
            reqs.push(match e.value.scalar_text() {
                Some(v) => Req::In(e.key.clone(), HashSet::from([v])),
                None => Req::Unknown,
            });
        }
        for expr in selector
            .get("matchExpressions")
            .map_or(&[][..], Node::items)
        {
            let key = expr.get("key").and_then(Node::as_str).map(str::to_owned);
            let op = expr.get("operator").and_then(Node::as_str);
            let values = || -> HashSet<String> {
                expr.get("values")
                    .map_or(&[][..], Node::items)
                    .iter()
                    .filter_map(Node::scalar_text)
                    .collect()
            };
            reqs.push(match (key, op) {
                (Some(k), Some("In")) => Req::In(k, values()),
                (Some(k), Some("NotIn")) => Req::NotIn(k, values()),
                (Some(k), Some("Exists")) => Req::Exists(k),
                (Some(k), Some("DoesNotExist")) => Req::DoesNotExist(k),
                _ => Req::Unknown,
            });
        }
        Selector::Reqs(reqs)
    }

    /// How many requirements an evaluation looks at (its cost in work units).
    pub(super) fn size(&self) -> usize {
        match self {
            Selector::Reqs(reqs) => reqs.len(),
            _ => 0,
        }
    }

    /// The requirements (none for `Everything` and `Odd`).
    pub(super) fn reqs(&self) -> &[Req] {
        match self {
            Selector::Reqs(reqs) => reqs,
            _ => &[],
        }
    }

    /// Whether the selector selects pods whose labels are `labels`: false when one
    /// requirement fails, else unknown when one is not understood.
    pub(super) fn matches(&self, labels: &Projected) -> Truth {
        let labels = match (self, labels) {
            (Selector::Everything, _) => return Truth::True,
            (Selector::Odd, _) | (_, None) => return Truth::Unknown,
            (Selector::Reqs(_), Some(labels)) => labels,
        };
        // Some(None): the key is there with a value no selector names.
        let get = |key: &str| {
            labels
                .binary_search_by(|(k, _)| k.as_str().cmp(key))
                .ok()
                .map(|i| labels[i].1.as_deref())
        };
        let mut result = Truth::True;
        for req in self.reqs() {
            let ok = match req {
                Req::In(k, values) => get(k).flatten().is_some_and(|v| values.contains(v)),
                Req::NotIn(k, values) => get(k).flatten().is_none_or(|v| !values.contains(v)),
                Req::Exists(k) => get(k).is_some(),
                Req::DoesNotExist(k) => get(k).is_none(),
                Req::Unknown => {
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
}

/// Keys the selectors name, each with the values they name for it.
#[derive(Default)]
pub(super) struct Mentioned(HashMap<String, HashSet<String>>);

impl Mentioned {
    pub(super) fn add(&mut self, selector: &Selector) {
        for req in selector.reqs() {
            match req {
                Req::In(k, values) | Req::NotIn(k, values) => self
                    .0
                    .entry(k.clone())
                    .or_default()
                    .extend(values.iter().cloned()),
                Req::Exists(k) | Req::DoesNotExist(k) => {
                    self.0.entry(k.clone()).or_default();
                }
                Req::Unknown => {}
            }
        }
    }

    /// `labels` (a pod's `labels` map) reduced to the keys and values selectors name. A
    /// label whose value is not a scalar counts as absent, and the first of a repeated
    /// key wins, as when a selector looks the key up.
    pub(super) fn project(&self, labels: Option<&Node>) -> Projected {
        let entries = match labels.map(|l| &l.value) {
            None | Some(Value::Null) => &[][..],
            Some(Value::Map(entries)) => entries.as_slice(),
            Some(_) => return None,
        };
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        for e in entries {
            if !seen.insert(e.key.as_str()) {
                continue;
            }
            let (Some(values), Some(v)) = (self.0.get(&e.key), e.value.scalar_text()) else {
                continue;
            };
            let named = values.contains(&v).then_some(v);
            out.push((e.key.clone(), named));
        }
        out.sort_unstable();
        Some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::native::kubernetes::test_support::scan;

    fn node(yaml: &str) -> Node {
        let (r, _) = scan(&format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: x}}\ndata:\n  s: {yaml}\n"
        ));
        r[0].body.get_path("data.s").cloned().expect("the value")
    }

    /// A selector against pod labels, each projected on what the selector names.
    fn sel(selector: &str, labels: &str) -> Truth {
        let s = Selector::parse(Some(&node(selector)));
        let mut m = Mentioned::default();
        m.add(&s);
        s.matches(&m.project(Some(&node(labels))))
    }

    #[test]
    fn operators() {
        let pod = "{app: web, tier: front}";
        assert_eq!(sel("{}", pod), Truth::True);
        assert_eq!(sel("null", "x"), Truth::True);
        assert_eq!(sel("{matchLabels: {app: web}}", pod), Truth::True);
        assert_eq!(
            sel("{matchLabels: {app: web, env: prod}}", pod),
            Truth::False
        );
        let expr = |op: &str, values: &str| {
            sel(
                &format!("{{matchExpressions: [{{key: tier, operator: {op}, values: {values}}}]}}"),
                pod,
            )
        };
        assert_eq!(expr("In", "[front, back]"), Truth::True);
        assert_eq!(expr("In", "[back]"), Truth::False);
        assert_eq!(expr("NotIn", "[back]"), Truth::True);
        assert_eq!(expr("NotIn", "[front]"), Truth::False);
        assert_eq!(expr("Exists", "[]"), Truth::True);
        assert_eq!(expr("DoesNotExist", "[]"), Truth::False);
        assert_eq!(expr("Gt", "['1']"), Truth::Unknown);
        assert_eq!(sel("{matchLabels: {app: web}}", "x"), Truth::Unknown);
        assert_eq!(sel("[a]", pod), Truth::Unknown);
    }

    #[test]
    fn pods_differing_only_in_values_no_selector_names_project_alike() {
        let s = Selector::parse(Some(&node(
            "{matchExpressions: [{key: app, operator: NotIn, values: [db]}, {key: id, operator: Exists}]}",
        )));
        let mut m = Mentioned::default();
        m.add(&s);
        let a = m.project(Some(&node("{app: web-1, id: '1', other: x}")));
        let b = m.project(Some(&node("{id: '2', app: web-2}")));
        assert_eq!(a, b);
        assert_ne!(a, m.project(Some(&node("{app: db, id: '1'}"))));
        assert_eq!(s.matches(&a), Truth::True);
    }
}
