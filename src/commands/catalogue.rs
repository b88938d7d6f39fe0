//! `rules`, `rule` and `controls`: the rule catalogue and the control catalogue.

use std::io::Write;

use super::{Exit, Stop};
use crate::cli::{ControlsArgs, ListFormat, RulesArgs, RulesListArgs};
use crate::config::Config;
use crate::docs;
use crate::error::Fatal;
use crate::rules::RuleMeta;
use crate::settings::rules_for;
use crate::suppress::meta_rules;

pub(super) fn rules(args: &RulesListArgs, out: &mut dyn Write) -> Result<Exit, Stop> {
    let rules = rules_for(&args.rules, &Config::default())?;
    out.write_all(docs::rules_list(&rules, !args.rules.no_builtin_rules, args.format).as_bytes())?;
    Ok(Exit::Clean)
}

pub(super) fn rule(id: &str, args: &RulesArgs, out: &mut dyn Write) -> Result<Exit, Stop> {
    let set = rules_for(args, &Config::default())?;
    // The meta rules about suppressions are rules too, though no pack declares them.
    let metas: Vec<&RuleMeta> = set
        .rules
        .iter()
        .map(|r| &*r.meta)
        .chain(meta_rules().iter().map(|m| &**m))
        .collect();
    let found = metas
        .iter()
        .find(|m| m.id.eq_ignore_ascii_case(id) || m.name.eq_ignore_ascii_case(id));
    let Some(meta) = found else {
        let mut near: Vec<(usize, &str)> = metas
            .iter()
            .flat_map(|m| {
                [
                    crate::suggest::near(id, &m.id),
                    crate::suggest::near(id, &m.name),
                ]
                .into_iter()
                .flatten()
                .map(|d| (d, m.id.as_str()))
            })
            .collect();
        near.sort_unstable();
        near.dedup_by_key(|(_, id)| *id);
        let hint = if near.is_empty() {
            String::new()
        } else {
            let ids: Vec<&str> = near.iter().take(3).map(|(_, id)| *id).collect();
            format!("; did you mean {}?", ids.join(", "))
        };
        return Err(Fatal::Usage(format!(
            "no rule `{id}`{hint} (see `isolint rules` for the list)"
        ))
        .into());
    };
    out.write_all(docs::rule_page(meta, ListFormat::Text).as_bytes())?;
    Ok(Exit::Clean)
}

pub(super) fn controls(args: &ControlsArgs, out: &mut dyn Write) -> Result<Exit, Stop> {
    let rules = rules_for(&args.rules, &Config::default())?;
    out.write_all(
        docs::controls_list(&rules, !args.rules.no_builtin_rules, args.format, args.all).as_bytes(),
    )?;
    Ok(Exit::Clean)
}
