//! The command line (clap derive). Parsing only: `main` resolves it into options.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::report::Format;

#[derive(Debug, Parser)]
#[command(
    name = "isolint",
    version,
    about = "Policy-as-code linter for infrastructure repositories, with every finding mapped to ISO/IEC 27002:2022 controls",
    after_help = "Exit codes: 0 no finding at or above --fail-on; 1 findings (or, with --fail-on-error, a file that could not be read or parsed); 2 usage, configuration or rule-pack error."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scan files and directories (default: the current directory).
    Check(CheckArgs),
    /// List every rule: id, severity, controls, title.
    Rules(RulesListArgs),
    /// Explain one rule: what it checks, why (the control), how to fix it.
    Rule {
        /// Rule id or name, e.g. AWS-S3-001 or s3-bucket-versioning-disabled.
        id: String,
        #[command(flatten)]
        rules: RulesArgs,
    },
    /// List ISO/IEC 27002:2022 controls with how many rules evidence each.
    Controls(ControlsArgs),
    /// Print the resources isolint builds from the files, as JSON (for writing rules).
    Resources(ResourcesArgs),
    /// Write a baseline of today's findings; `check --baseline FILE` then reports only new ones.
    Baseline(BaselineArgs),
    /// Write a commented .isolint.yaml here and print the GitHub Action and pre-commit snippets.
    Init(InitArgs),
    /// Print a shell completion script (e.g. `isolint completions bash > /etc/bash_completion.d/isolint`).
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page in roff (e.g. `isolint man > isolint.1`).
    Man,
    /// Run each rule alone on its fixtures (`FIXTURES/<pack>/<ID>/fail*`, `pass*`, `unknown*`).
    TestRules(TestRulesArgs),
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Directory to write .isolint.yaml in.
    #[arg(value_name = "DIR", default_value = ".")]
    pub dir: PathBuf,
    /// Overwrite an existing .isolint.yaml.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct TestRulesArgs {
    /// Only rules whose id starts with this prefix.
    #[arg(value_name = "ID_PREFIX", default_value = "")]
    pub only: String,
    /// Test the packs in this directory instead of the embedded ones.
    #[arg(long = "rules", value_name = "DIR")]
    pub rules: Option<PathBuf>,
    /// Where the fixtures are.
    #[arg(long, value_name = "DIR", default_value = "fixtures")]
    pub fixtures: PathBuf,
    /// Only packs whose name (path under the rules directory) starts with this.
    #[arg(long, value_name = "PREFIX", default_value = "")]
    pub pack: String,
}

#[derive(Debug, Args)]
pub struct BaselineArgs {
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub rules: RulesArgs,
    /// Use this configuration file instead of looking for .isolint.yaml.
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    pub config: Option<PathBuf>,
    /// Ignore any .isolint.yaml.
    #[arg(long)]
    pub no_config: bool,
    /// Also record checks whose outcome depends on unknown values (as `check --strict`).
    #[arg(long)]
    pub strict: bool,
    /// Where to write the baseline.
    #[arg(long, value_name = "FILE", default_value = ".isolint-baseline.json")]
    pub file: PathBuf,
}

#[derive(Debug, Args)]
pub struct ResourcesArgs {
    #[command(flatten)]
    pub input: InputArgs,
}

/// What to read: `check`'s inputs, shared with its siblings that scan (`baseline`,
/// `resources`), which take none of its reporting flags.
#[derive(Clone, Debug, Args)]
pub struct InputArgs {
    /// Files or directories to scan; `-` reads one file from standard input.
    #[arg(value_name = "PATH", default_value = ".")]
    pub paths: Vec<PathBuf>,
    /// Worker threads (default: one per core).
    #[arg(long, short = 'j', value_name = "N")]
    pub threads: Option<usize>,
    /// Wall-clock budget for the whole scan in seconds (default 600, or `time_budget` in
    /// the config); files left when it runs out are not checked, and the run fails.
    #[arg(long, value_name = "SECONDS")]
    pub time_budget: Option<u64>,
    /// Terraform variable file, applied after terraform.tfvars and *.auto.tfvars (repeatable).
    #[arg(long = "var-file", value_name = "FILE")]
    pub var_files: Vec<PathBuf>,
    /// Terraform variable, as `name=value` (repeatable).
    #[arg(long = "var", value_name = "NAME=VALUE")]
    pub vars: Vec<String>,
    /// Scan files that .gitignore excludes too.
    #[arg(long)]
    pub no_gitignore: bool,
}

impl InputArgs {
    /// `check`'s arguments with these inputs and every other flag at its default.
    pub fn as_check(&self) -> CheckArgs {
        #[derive(Parser)]
        struct Defaults {
            #[command(flatten)]
            check: CheckArgs,
        }
        let mut check = Defaults::parse_from(["isolint"]).check;
        check.input = self.clone();
        check
    }
}

#[derive(Debug, Args)]
pub struct RulesArgs {
    /// Add the rule packs in this directory (repeatable).
    #[arg(long = "rules", value_name = "DIR")]
    pub rule_dirs: Vec<PathBuf>,
    /// Load only the packs given with --rules, not the embedded ones.
    #[arg(long)]
    pub no_builtin_rules: bool,
}

#[derive(Debug, Args)]
pub struct RulesListArgs {
    #[arg(long, short = 'f', value_enum, default_value_t = ListFormat::Text)]
    pub format: ListFormat,
    #[command(flatten)]
    pub rules: RulesArgs,
}

#[derive(Debug, Args)]
pub struct ControlsArgs {
    #[arg(long, short = 'f', value_enum, default_value_t = ListFormat::Text)]
    pub format: ListFormat,
    /// Include controls no rule can observe.
    #[arg(long)]
    pub all: bool,
    #[command(flatten)]
    pub rules: RulesArgs,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    Text,
    Json,
    Markdown,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Critical,
    High,
    Medium,
    Low,
    Info,
    /// Never fail because of findings.
    Never,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// The name a file read from stdin (`-`) is classified and reported by.
    #[arg(long, value_name = "NAME", default_value = "stdin.yaml")]
    pub stdin_filename: String,
    /// Output format on stdout [default: human].
    #[arg(long, short = 'f', value_enum)]
    pub format: Option<Format>,
    /// Also write the report in FORMAT to PATH (`-` for stdout); repeatable, one scan.
    #[arg(long = "output", short = 'o', value_name = "FORMAT=PATH", value_parser = parse_output)]
    pub outputs: Vec<(Format, PathBuf)>,
    /// Exit 1 when a finding has at least this severity (default: low, or `fail_on` in the config).
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,
    /// Exit 1 also when a file cannot be read or parsed (default: reported, exit unaffected).
    #[arg(long)]
    pub fail_on_error: bool,
    /// Use this configuration file instead of looking for .isolint.yaml.
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    pub config: Option<PathBuf>,
    /// Ignore any .isolint.yaml.
    #[arg(long)]
    pub no_config: bool,
    #[command(flatten)]
    pub rules: RulesArgs,
    /// Findings whose fingerprints are in this baseline file count as suppressed.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Ignore inline `isolint:ignore` comments (audit what they hide).
    #[arg(long)]
    pub ignore_inline: bool,
    /// Report only findings in files changed since this git ref (e.g. origin/main).
    #[arg(long, value_name = "REF")]
    pub changed_since: Option<String>,
    /// Also report checks whose outcome depends on unknown values, at low confidence;
    /// a Helm chart or Kustomize overlay left unrendered for want of the tool is an error.
    #[arg(long)]
    pub strict: bool,
    /// Do not render Helm charts or build Kustomize overlays (check the files as they are).
    #[arg(long)]
    pub no_render: bool,
    /// Print time per stage after the summary (human format).
    #[arg(long)]
    pub stats: bool,
    /// When to use colour (auto: on a terminal, unless NO_COLOR is set).
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// No colour (as `--color never`, or NO_COLOR=1).
    #[arg(long, conflicts_with = "color")]
    pub no_color: bool,
    /// Print findings and errors only: no summary line, no progress.
    #[arg(long, short, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Show suppressed findings and notes (skipped Helm templates, remote modules).
    #[arg(long, short)]
    pub verbose: bool,
}

fn parse_output(s: &str) -> Result<(Format, PathBuf), String> {
    let (format, path) = s
        .split_once('=')
        .ok_or_else(|| format!("expected FORMAT=PATH, got `{s}`"))?;
    let format = Format::from_str(format, true).map_err(|_| {
        let known: Vec<String> = Format::value_variants()
            .iter()
            .filter_map(|f| f.to_possible_value().map(|v| v.get_name().to_owned()))
            .collect();
        format!("unknown format `{format}` (known: {})", known.join(", "))
    })?;
    if path.is_empty() {
        return Err("the PATH after `=` is empty (use `-` for stdout)".into());
    }
    Ok((format, PathBuf::from(path)))
}
