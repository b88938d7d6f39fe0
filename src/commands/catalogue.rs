//! `rules`, `rule` and `controls`: the rule catalogue and the control catalogue.

use std::io::Write;

use super::{Exit, Stop};
use crate::cli::{ControlsArgs, ListFormat, RulesArgs, RulesListArgs};
use crate::config::Config;
use crate::docs;
use crate::error::Fatal;
use crate::settings::rules_for;

pub(super) fn rules(args: &RulesListArgs, out: &mut dyn Write) -> Result<Exit, Stop> {
    let rules = rules_for(&args.rules, &Config::default())?;
    out.write_all(docs::rules_list(&rules, args.format).as_bytes())?;
    Ok(Exit::Clean)
}

pub(super) fn rule(id: &str, args: &RulesArgs, out: &mut dyn Write) -> Result<Exit, Stop> {
    let set = rules_for(args, &Config::default())?;
    let Some(rule) = set.get(id) else {
        return Err(
            Fatal::Usage(format!("no rule `{id}` (see `isolint rules` for the list)")).into(),
        );
    };
    out.write_all(docs::rule_page(&rule.meta, ListFormat::Text).as_bytes())?;
    Ok(Exit::Clean)
}

pub(super) fn controls(args: &ControlsArgs, out: &mut dyn Write) -> Result<Exit, Stop> {
    let rules = rules_for(&args.rules, &Config::default())?;
    out.write_all(docs::controls_list(&rules, args.format, args.all).as_bytes())?;
    Ok(Exit::Clean)
}
