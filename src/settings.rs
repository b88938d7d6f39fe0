//! Turns the command line and the configuration file into the settings one `check`
//! runs with: what to scan, which rules, how to report, and what fails the run.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::Arc;

use crate::cli::{CheckArgs, ColorChoice, FailOn, RulesArgs};
use crate::config::{Config, FailThreshold};
use crate::error::Fatal;
use crate::model::terraform::TerraformOptions;
use crate::report::{Format, RenderOptions, Report};
use crate::rules::load_rules_with;
use crate::rules::{RuleSet, Severity};
use crate::scan::ScanOptions;
use crate::source::{FileId, SourceText, read_text};

/// Everything `check` (and `baseline`) needs, resolved once.
pub(crate) struct CheckSettings {
    pub scan: ScanOptions,
    pub rules: RuleSet,
    pub fail: FailPolicy,
    /// The reports written to stdout, in order (see `stdout_reports`).
    pub stdout: Vec<Format>,
    /// The reports written to files.
    pub outputs: Vec<(Format, PathBuf)>,
    pub render: RenderOptions,
    /// Draw a progress line on stderr (a terminal, not CI, colour allowed).
    pub progress: bool,
    /// Print time and memory per stage on stderr.
    pub stats: bool,
}

/// Ten minutes: a 1 GB repository takes seconds, so a scan still running after this is
/// stalled by what it reads (or by a bug), and a stalled pull-request check must not end
/// green or hold the runner for hours.
const DEFAULT_TIME_BUDGET_SECS: u64 = 600;

/// What makes `check` exit 1.
pub(crate) struct FailPolicy {
    /// Findings at or above this severity (None: never).
    pub threshold: Option<Severity>,
    /// Any file that could not be read or parsed.
    pub on_error: bool,
}

impl FailPolicy {
    pub(crate) fn failed(&self, report: &Report) -> bool {
        self.threshold
            .is_some_and(|t| report.active_findings().any(|f| f.severity >= t))
            || (self.on_error && !report.errors.is_empty())
            // An unfinished scan proves nothing: it never passes.
            || report.summary.unchecked > 0
    }
}

impl CheckSettings {
    pub(crate) fn from_args(args: &CheckArgs) -> Result<Self, Fatal> {
        let config = config_for(args)?;
        let rules = rules_for(&args.rules, &config)?;
        let threshold = match args.fail_on {
            Some(FailOn::Never) => None,
            Some(FailOn::Critical) => Some(Severity::Critical),
            Some(FailOn::High) => Some(Severity::High),
            Some(FailOn::Medium) => Some(Severity::Medium),
            Some(FailOn::Low) => Some(Severity::Low),
            Some(FailOn::Info) => Some(Severity::Info),
            None => match config.fail_on {
                Some(FailThreshold::Never) => None,
                Some(FailThreshold::At(s)) => Some(s),
                None => Some(Severity::Low),
            },
        };
        let fail = FailPolicy {
            threshold,
            on_error: args.fail_on_error || config.fail_on_error,
        };
        let (stdout, outputs) = stdout_reports(args)?;
        let choice = if args.no_color {
            ColorChoice::Never
        } else {
            args.color
        };
        let color = match choice {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                std::io::stdout().is_terminal()
                    && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
            }
        };
        let render = RenderOptions {
            color,
            width: std::env::var("COLUMNS")
                .ok()
                .and_then(|c| c.parse().ok())
                .unwrap_or(100),
            verbose: args.verbose,
            quiet: args.quiet,
        };
        Ok(CheckSettings {
            scan: scan_options(args, config)?,
            rules,
            fail,
            stdout,
            outputs,
            render,
            progress: std::io::stderr().is_terminal()
                && std::env::var_os("CI").is_none()
                && choice != ColorChoice::Never
                && !args.quiet,
            stats: args.stats,
        })
    }
}

/// Reports written to files: (format, path).
type Outputs = Vec<(Format, PathBuf)>;

/// The reports on stdout and the files. Line-oriented streams (human, github, concise)
/// may share stdout (the Action prints the log and its annotations together); a document
/// (JSON, SARIF, XML, Markdown, HTML) must be alone there, so `-o json=-` without
/// `--format` replaces the human report and `--format json -o json=-` is an error rather
/// than two JSON documents glued together.
fn stdout_reports(args: &CheckArgs) -> Result<(Vec<Format>, Outputs), Fatal> {
    let (dashes, files): (Vec<_>, Vec<_>) = args
        .outputs
        .iter()
        .cloned()
        .partition(|(_, path)| path.as_os_str() == "-");
    let dashes: Vec<Format> = dashes.into_iter().map(|(f, _)| f).collect();
    let mut stdout: Vec<Format> = match args.format {
        Some(f) => vec![f],
        None if dashes.iter().all(|f| f.is_stream()) => vec![Format::Human],
        None => Vec::new(),
    };
    stdout.extend(dashes);
    if stdout.len() > 1 && stdout.iter().any(|f| !f.is_stream()) {
        return Err(Fatal::Usage(
            "stdout can carry one document: give either --format or one `-o FORMAT=-`, and write the other reports to files".into(),
        ));
    }
    Ok((stdout, files))
}

/// The configuration: `--config FILE`, none with `--no-config`, else the nearest
/// `.isolint.yaml` from the first scan path upwards.
pub(crate) fn config_for(args: &CheckArgs) -> Result<Config, Fatal> {
    if args.no_config {
        return Ok(Config::default());
    }
    if let Some(path) = &args.config {
        return Config::load(path);
    }
    // `check -` looks for the configuration from the working directory.
    let start = args
        .input
        .paths
        .iter()
        .find(|p| p.as_os_str() != "-")
        .map_or(std::path::Path::new("."), PathBuf::as_path);
    match Config::find(start) {
        Some(path) => Config::load(&path),
        None => Ok(Config::default()),
    }
}

/// The rule set: the embedded packs (unless `--no-builtin-rules`), `--rules` directories
/// and the configuration's, filtered by its `select`/`ignore`.
pub(crate) fn rules_for(args: &RulesArgs, config: &Config) -> Result<RuleSet, Fatal> {
    load_rules_with(!args.no_builtin_rules, &args.rule_dirs, config)
}

/// What to scan and how, for `check`, `baseline` and `resources`.
pub(crate) fn scan_options(args: &CheckArgs, config: Config) -> Result<ScanOptions, Fatal> {
    // A path that does not exist is a usage error, not a file error that ends green: a
    // typo in the Action's `paths:` must fail the job.
    let stdin = args.input.paths.iter().any(|p| p.as_os_str() == "-");
    let paths: Vec<PathBuf> = args
        .input
        .paths
        .iter()
        .filter(|p| p.as_os_str() != "-")
        .cloned()
        .collect();
    if let Some(missing) = paths.iter().find(|p| !p.exists()) {
        return Err(Fatal::Usage(format!(
            "{}: no such file or directory",
            missing.display()
        )));
    }
    let stdin = if stdin {
        Some(read_stdin(&args.stdin_filename)?)
    } else {
        None
    };
    Ok(ScanOptions {
        stdin,
        paths,
        strict: args.strict,
        threads: args.input.threads.unwrap_or(0),
        gitignore: !args.input.no_gitignore,
        terraform: terraform_options(args)?,
        baseline: match &args.baseline {
            Some(path) => Some(crate::suppress::baseline::Baseline::load(path)?),
            None => None,
        },
        inline_suppressions: !args.ignore_inline,
        time_budget: std::time::Duration::from_secs(
            args.input
                .time_budget
                .or(config.time_budget)
                .unwrap_or(DEFAULT_TIME_BUDGET_SECS),
        ),
        changed_since: args.changed_since.clone(),
        render: crate::render::RenderOptions {
            enabled: !args.no_render,
            strict: args.strict,
        },
        config,
    })
}

/// Standard input as one file named `name` (a relative name without `..`: it is shown in
/// reports and matched by suppressions like a scanned path).
fn read_stdin(name: &str) -> Result<crate::scan::StdinFile, Fatal> {
    use std::io::Read;
    let bad = name.is_empty()
        || name.starts_with('/')
        || name.split(['/', '\\']).any(|part| part == "..")
        || name.chars().any(char::is_control);
    if bad {
        return Err(Fatal::Usage(format!(
            "--stdin-filename must be a relative path without `..`, got `{}`",
            name.escape_debug()
        )));
    }
    let mut bytes = Vec::new();
    std::io::stdin()
        .lock()
        .take(crate::source::MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Fatal::Io {
            context: "cannot read standard input".into(),
            source: e,
        })?;
    if bytes.len() as u64 > crate::source::MAX_FILE_BYTES {
        return Err(Fatal::Usage(format!(
            "standard input is larger than {} bytes",
            crate::source::MAX_FILE_BYTES
        )));
    }
    let text = String::from_utf8(bytes)
        .map_err(|_| Fatal::Usage("standard input is not UTF-8 text".into()))?;
    Ok(crate::scan::StdinFile {
        name: name.replace('\\', "/"),
        text: Arc::from(text),
    })
}

/// `--var-file` texts (as sources, so errors point into them) and `--var` pairs.
fn terraform_options(args: &CheckArgs) -> Result<TerraformOptions, Fatal> {
    let mut opts = TerraformOptions::default();
    for (i, path) in args.input.var_files.iter().enumerate() {
        let text = read_text(path)
            .map_err(|_| Fatal::Usage(format!("cannot read --var-file {}", path.display())))?;
        // Var files get ids from the top of the range, clear of the scanned files'.
        let id = FileId(u32::MAX - u32::try_from(i).unwrap_or(0));
        opts.var_files.push(Arc::new(SourceText::new(
            id,
            path.display().to_string(),
            path.clone(),
            text,
        )));
    }
    for v in &args.input.vars {
        let Some((name, value)) = v.split_once('=') else {
            return Err(Fatal::Usage(format!("--var expects name=value, got `{v}`")));
        };
        opts.vars.push((name.trim().to_owned(), value.to_owned()));
    }
    Ok(opts)
}
