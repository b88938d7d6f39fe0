//! One function per subcommand. Each writes its output to `out` and says whether the run
//! failed; `main` only maps that to an exit code.

mod catalogue;
mod check;
mod init;
mod test_rules;

use std::io::Write;

use crate::cli::{Cli, Command};
use crate::error::Fatal;

/// How a command that ran to the end came out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// Nothing at or above the fail threshold (exit 0).
    Clean,
    /// Findings or errors the policy fails on (exit 1).
    Failed,
}

/// Why a command stopped early.
#[derive(Debug)]
pub enum Stop {
    /// Usage, configuration, rule-pack or I/O error (exit 2).
    Fatal(Fatal),
    /// The reader went away (`isolint ... | head`): not an error.
    BrokenPipe,
}

impl From<Fatal> for Stop {
    fn from(e: Fatal) -> Self {
        Stop::Fatal(e)
    }
}

impl From<std::io::Error> for Stop {
    fn from(e: std::io::Error) -> Self {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            Stop::BrokenPipe
        } else {
            Stop::Fatal(Fatal::Io {
                context: "cannot write output".into(),
                source: e,
            })
        }
    }
}

/// Runs the parsed command line.
pub fn run(cli: Cli, out: &mut dyn Write) -> Result<Exit, Stop> {
    let exit = match cli.command {
        Command::Check(args) => check::check(&args, out)?,
        Command::Baseline(args) => check::baseline(&args, out)?,
        Command::Resources(args) => check::resources(&args, out)?,
        Command::Rules(args) => catalogue::rules(&args, out)?,
        Command::Rule { id, rules } => catalogue::rule(&id, &rules, out)?,
        Command::Controls(args) => catalogue::controls(&args, out)?,
        Command::TestRules(args) => test_rules::run(&args, out)?,
        Command::Init(args) => init::run(&args, out)?,
        Command::Completions { shell } => {
            let mut cmd = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(shell, &mut cmd, "isolint", out);
            Exit::Clean
        }
        Command::Man => {
            clap_mangen::Man::new(<Cli as clap::CommandFactory>::command()).render(out)?;
            Exit::Clean
        }
    };
    out.flush()?;
    Ok(exit)
}
