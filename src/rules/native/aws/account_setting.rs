//! `aws_account_setting`: an account-wide setting declared in the same root (S3 Block
//! Public Access, EBS encryption by default) that makes a per-resource setting moot.
//! Native because it looks across the root for another resource kind with every flag set.

use std::collections::HashMap;
use std::sync::Mutex;

use crate::model::Resource;
use crate::parse::node::{Node, Value};
use crate::rules::context::EvalCx;
use crate::rules::index::ResourceIndex;
use crate::rules::truth::{Outcome, Truth};
use crate::source::Span;

/// Whether every attribute in `flags` of `body` is true; a missing (or null) attribute
/// takes `missing`, the provider's default.
fn flags_all_true(body: &Node, flags: &[&str], missing: bool) -> Truth {
    let mut answer = Truth::True;
    for flag in flags {
        let value = match body.get(flag) {
            None => Some(missing),
            Some(n) => match &n.value {
                Value::Null => Some(missing),
                Value::Unknown(_) => None,
                _ => n.as_bool(),
            },
        };
        match value {
            Some(true) => {}
            Some(false) => return Truth::False,
            None => answer = Truth::Unknown,
        }
    }
    answer
}

/// An account-wide setting that makes a per-resource setting moot, declared anywhere in
/// the same Terraform root (account S3 Block Public Access, EBS encryption by default).
///
/// `args`: `kind` (the account-level resource type), `flags` (attributes that must all
/// be true) and `default` (the value of a flag left unset, false unless given).
/// True when a resource of `kind` in the root has every flag true; unknown when one
/// might (a flag that cannot be known); false otherwise, pointing at the resource
/// header so an `any` prefers a more specific failure.
pub(crate) fn check(_: &Node, cx: &EvalCx<'_>, args: Option<&Node>) -> Outcome {
    let me = cx.resource;
    let Some(kind) = args.and_then(|a| a.get("kind")).and_then(Node::as_str) else {
        return Outcome::unknown(Vec::new());
    };
    let flags: Vec<&str> = args
        .and_then(|a| a.get("flags"))
        .map(|f| f.items().iter().filter_map(Node::as_str).collect())
        .unwrap_or_default();
    let missing = args
        .and_then(|a| a.get("default"))
        .and_then(Node::as_bool)
        .unwrap_or(false);
    // The answer depends on the root and the arguments only: found once per root and
    // rule, not once per resource (10,000 settings × 10,000 buckets was 10⁸ looks).
    let answers = cx.index.memo("aws_account_setting", |_| Answers::default());
    let key = (
        ResourceIndex::root_key(me).to_owned(),
        kind.to_owned(),
        flags.join(","),
        missing,
    );
    let cached = answers.0.lock().ok().and_then(|a| a.get(&key).copied());
    let answer = cached.unwrap_or_else(|| {
        let found = decide(cx.index.same_root(me, kind), &flags, missing);
        if let Ok(mut a) = answers.0.lock() {
            a.insert(key, found);
        }
        found
    });
    match answer {
        (Truth::True, Some(span)) => Outcome::pass(vec![span]),
        (Truth::Unknown, _) => Outcome::unknown(vec![me.header]),
        _ => Outcome::fail(vec![me.header]),
    }
}

/// (root, kind, flags, default) → the setting found for them.
type AnswerKey = (String, String, String, bool);

#[derive(Default)]
struct Answers(Mutex<HashMap<AnswerKey, (Truth, Option<Span>)>>);

/// True (with the header of the first resource with every flag set), else unknown when
/// one might have them all, else false.
fn decide<'a>(
    others: impl Iterator<Item = &'a Resource>,
    flags: &[&str],
    missing: bool,
) -> (Truth, Option<Span>) {
    let mut unknown = false;
    for other in others {
        match flags_all_true(&other.body, flags, missing) {
            Truth::True => return (Truth::True, Some(other.header)),
            Truth::Unknown => unknown = true,
            Truth::False => {}
        }
    }
    if unknown {
        (Truth::Unknown, None)
    } else {
        (Truth::False, None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::node::Entry;
    use crate::source::{FileId, Span};

    fn sp() -> Span {
        Span {
            file: FileId(0),
            start: 0,
            end: 1,
        }
    }

    fn body(entries: &[(&str, Value)]) -> Node {
        Node::new(
            Value::Map(
                entries
                    .iter()
                    .map(|(k, v)| Entry {
                        key: (*k).to_owned(),
                        key_span: sp(),
                        value: Node::new(v.clone(), sp()),
                    })
                    .collect(),
            ),
            sp(),
        )
    }

    #[test]
    fn flags_take_the_default_when_unset_and_unknown_wins_over_true() {
        let flags = ["block_public_acls", "block_public_policy"];
        let all = body(&[
            ("block_public_acls", Value::Bool(true)),
            ("block_public_policy", Value::String("true".into())),
        ]);
        assert_eq!(flags_all_true(&all, &flags, false), Truth::True);
        let one_unset = body(&[("block_public_acls", Value::Bool(true))]);
        assert_eq!(flags_all_true(&one_unset, &flags, false), Truth::False);
        assert_eq!(flags_all_true(&one_unset, &flags, true), Truth::True);
        let null = body(&[
            ("block_public_acls", Value::Bool(true)),
            ("block_public_policy", Value::Null),
        ]);
        assert_eq!(flags_all_true(&null, &flags, true), Truth::True);
        let unknown = body(&[
            ("block_public_acls", Value::Unknown(Box::default())),
            ("block_public_policy", Value::Bool(true)),
        ]);
        assert_eq!(flags_all_true(&unknown, &flags, false), Truth::Unknown);
        let off = body(&[
            ("block_public_acls", Value::Unknown(Box::default())),
            ("block_public_policy", Value::Bool(false)),
        ]);
        assert_eq!(flags_all_true(&off, &flags, false), Truth::False);
        assert_eq!(flags_all_true(&body(&[]), &["enabled"], true), Truth::True);
    }
}
