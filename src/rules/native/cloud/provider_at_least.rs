//! `terraform_provider_at_least`: whether the root pins a provider to a major version at
//! or above one whose defaults changed. Native because version constraints must be
//! interpreted (`~> 4.0`, `>= 3.0, < 5.0`).

use std::collections::HashMap;
use std::sync::Mutex;

use crate::parse::node::{Node, Value};
use crate::rules::context::EvalCx;
use crate::rules::index::ResourceIndex;
use crate::rules::truth::Outcome;

/// Whether the Terraform root pins `args.provider` (a local name or a `hashicorp/`
/// source) to versions at or above major `args.major`, for attributes whose default
/// changed in that release. True when every allowed version is at least that major,
/// false when every allowed version is below it (pointing at the resource header),
/// unknown when no `required_providers` constraint decides.
pub(crate) fn check(_: &Node, cx: &EvalCx<'_>, args: Option<&Node>) -> Outcome {
    let me = cx.resource;
    let provider = args.and_then(|a| a.get("provider")).and_then(Node::as_str);
    let major = args.and_then(|a| a.get("major")).and_then(Node::as_f64);
    let (Some(provider), Some(major)) = (provider, major) else {
        return Outcome::unknown(vec![me.header]);
    };
    // The answer depends on the root and the arguments only: found once per root, not
    // by reading every `terraform` block again for each resource.
    let answers = cx
        .index
        .memo("terraform_provider_at_least", |_| Answers::default());
    let key = (
        ResourceIndex::root_key(me).to_owned(),
        provider.to_owned(),
        major as u64,
    );
    let cached = answers.0.lock().ok().and_then(|a| a.get(&key).copied());
    let answer = cached.unwrap_or_else(|| {
        let found = decide(cx.index.same_root(me, "terraform"), provider, major as u64);
        if let Ok(mut a) = answers.0.lock() {
            a.insert(key, found);
        }
        found
    });
    match answer {
        Some(true) => Outcome::pass(vec![me.header]),
        Some(false) => Outcome::fail(vec![me.header]),
        None => Outcome::unknown(vec![me.header]),
    }
}

/// (root, provider, major) → whether the root pins it at or above that major.
#[derive(Default)]
struct Answers(Mutex<HashMap<(String, String, u64), Option<bool>>>);

/// The first `required_providers` constraint of `provider` in `blocks` that decides.
fn decide<'a>(
    blocks: impl Iterator<Item = &'a crate::model::Resource>,
    provider: &str,
    major: u64,
) -> Option<bool> {
    for block in blocks {
        for rp in block.body.get("required_providers").map_or(&[][..], |n| {
            if n.items().is_empty() {
                std::slice::from_ref(n)
            } else {
                n.items()
            }
        }) {
            for e in rp.entries() {
                if !names_provider(&e.key, &e.value, provider) {
                    continue;
                }
                let constraint = match &e.value.value {
                    Value::String(s) => Some(s.as_str()),
                    _ => e.value.get("version").and_then(Node::as_str),
                };
                if let Some(decided) = constraint.and_then(|c| at_least(c, major)) {
                    return Some(decided);
                }
            }
        }
    }
    None
}

/// Whether a `required_providers` entry is the HashiCorp provider `name`.
fn names_provider(key: &str, value: &Node, name: &str) -> bool {
    match value.get("source").and_then(Node::as_str) {
        Some(source) => {
            let s = source.trim().to_ascii_lowercase();
            let s = s.strip_prefix("registry.terraform.io/").unwrap_or(&s);
            s == format!("hashicorp/{name}")
        }
        None => key == name,
    }
}

/// Whether a version constraint (`~> 4.0`, `>= 3.0, < 5.0`, `= 5.1.0`) allows only
/// versions at or above `major` (`Some(true)`), only versions below it (`Some(false)`),
/// or both (`None`).
fn at_least(constraint: &str, major: u64) -> Option<bool> {
    let mut above = false;
    let mut below = false;
    for part in constraint.split(',') {
        let part = part.trim();
        let (op, rest) = ["~>", ">=", "<=", "!=", ">", "<", "="]
            .iter()
            .find_map(|op| part.strip_prefix(op).map(|r| (*op, r)))
            .unwrap_or(("=", part));
        let rest = rest.trim().trim_start_matches('v');
        let numbers: Vec<u64> = rest
            .split(['-', '+'])
            .next()
            .unwrap_or("")
            .split('.')
            .map_while(|n| n.parse().ok())
            .collect();
        let Some(&first) = numbers.first() else {
            continue;
        };
        let rest_zero = numbers[1..].iter().all(|n| *n == 0);
        match op {
            "=" => {
                if first >= major {
                    above = true;
                } else {
                    below = true;
                }
            }
            ">=" | ">" if first >= major => above = true,
            "<" if first < major || (first == major && rest_zero) => below = true,
            "<=" if first < major => below = true,
            "~>" if first >= major => above = true,
            "~>" if numbers.len() >= 2 => below = true,
            _ => {}
        }
    }
    match (above, below) {
        (true, false) => Some(true),
        (false, true) => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_constraints_decide_the_major() {
        assert_eq!(at_least("~> 4.0", 5), Some(false));
        assert_eq!(at_least("~> 3.116.0", 5), Some(false));
        assert_eq!(at_least("~> 5.1", 5), Some(true));
        assert_eq!(at_least("= 4.57.0", 5), Some(false));
        assert_eq!(at_least("4.57.0", 5), Some(false));
        assert_eq!(at_least(">= 5.0.0", 5), Some(true));
        assert_eq!(at_least(">= 3.0, < 5.0", 5), Some(false));
        assert_eq!(at_least(">= 3.0, <= 4.99", 5), Some(false));
        assert_eq!(at_least(">= 3.0", 5), None);
        assert_eq!(at_least("~> 4", 5), None);
        assert_eq!(at_least("< 6.0", 5), None);
        assert_eq!(at_least("!= 4.1.0", 5), None);
        assert_eq!(at_least("", 5), None);
    }
}
