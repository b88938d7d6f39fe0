//! `test-rules`: the fixture contract for the embedded packs or a pack author's own.

use std::io::Write;

use super::{Exit, Stop};
use crate::cli::TestRulesArgs;
use crate::ruletest;

pub(super) fn run(args: &TestRulesArgs, out: &mut dyn Write) -> Result<Exit, Stop> {
    let mut packs = ruletest::packs(args.rules.as_deref())?;
    packs.retain(|p| p.pack.starts_with(&args.pack));
    let here = std::env::current_dir().unwrap_or_default();
    let outcome = ruletest::run(&packs, &args.fixtures, &args.only, &here)?;
    for f in &outcome.failures {
        writeln!(out, "{f}")?;
    }
    writeln!(
        out,
        "{} rules checked, {} problems",
        outcome.checked,
        outcome.failures.len()
    )?;
    Ok(if outcome.failures.is_empty() {
        Exit::Clean
    } else {
        Exit::Failed
    })
}
