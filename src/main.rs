//! The `isolint` binary: parse the command line, run the library, map the outcome to an
//! exit code (0 clean, 1 findings, 2 usage/config/rule-pack error).

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use clap::Parser;

use isolint::app::{self, ScanOptions};
use isolint::cli::{CheckArgs, Cli, ColorChoice, Command, FailOn};
use isolint::config::Config;
use isolint::error::Fatal;
use isolint::model::terraform::TerraformOptions;
use isolint::report::{self, RenderOptions};
use isolint::rules::Severity;
use isolint::source::{FileId, SourceText, read_text};

// glibc's malloc spends a fifth of a scan in its own locks and consolidation; mimalloc's
// per-thread heaps suit many small, short-lived parse trees built in parallel.
#[cfg(feature = "mimalloc")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(Failure::BrokenPipe) => ExitCode::SUCCESS,
        Err(Failure::Fatal(e)) => {
            #[expect(clippy::print_stderr, reason = "main owns stderr")]
            {
                eprintln!("error: {e}");
            }
            ExitCode::from(2)
        }
    }
}

enum Failure {
    Fatal(Fatal),
    BrokenPipe,
}

impl From<Fatal> for Failure {
    fn from(e: Fatal) -> Self {
        Failure::Fatal(e)
    }
}

impl From<std::io::Error> for Failure {
    fn from(e: std::io::Error) -> Self {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            Failure::BrokenPipe
        } else {
            Failure::Fatal(Fatal::Io {
                context: "cannot write output".into(),
                source: e,
            })
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode, Failure> {
    // Stdout is line-buffered; a report is hundreds of thousands of lines.
    let mut stdout = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    match cli.command {
        Command::Check(args) => return check(args, &mut stdout),
        Command::Rules(args) => {
            let rules = app::load_rules_with(
                !args.rules.no_builtin_rules,
                &args.rules.rule_dirs,
                &Config::default(),
            )?;
            stdout.write_all(isolint::docs::rules_list(&rules, args.format).as_bytes())?;
        }
        Command::Rule { id, rules } => {
            let set = app::load_rules_with(
                !rules.no_builtin_rules,
                &rules.rule_dirs,
                &Config::default(),
            )?;
            let Some(rule) = set.get(&id) else {
                return Err(Fatal::Usage(format!(
                    "no rule `{id}` (see `isolint rules` for the list)"
                ))
                .into());
            };
            let page = isolint::docs::rule_page(&rule.meta, isolint::cli::ListFormat::Text);
            stdout.write_all(page.as_bytes())?;
        }
        Command::Resources(args) => {
            let collected = app::collect(&scan_options(&args, Config::default())?)?;
            let text = isolint::docs::resources_json(&collected);
            stdout.write_all(text.as_bytes())?;
        }
        Command::Baseline(args) => {
            let (report, _) = scan(&args.check)?;
            let baseline = isolint::suppress::baseline::Baseline::from_findings(&report.findings);
            std::fs::write(&args.file, baseline.to_json()).map_err(|e| Fatal::Io {
                context: format!("cannot write {}", args.file.display()),
                source: e,
            })?;
            writeln!(
                stdout,
                "isolint: wrote {} finding{} to {}",
                baseline.findings.len(),
                if baseline.findings.len() == 1 {
                    ""
                } else {
                    "s"
                },
                args.file.display()
            )?;
        }
        Command::TestRules(args) => return test_rules(&args, &mut stdout),
        Command::Controls(args) => {
            let rules = app::load_rules_with(
                !args.rules.no_builtin_rules,
                &args.rules.rule_dirs,
                &Config::default(),
            )?;
            let text = isolint::docs::controls_list(&rules, args.format, args.all);
            stdout.write_all(text.as_bytes())?;
        }
    }
    stdout.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// `test-rules`: the fixture contract; exit 1 on any mismatch.
fn test_rules(
    args: &isolint::cli::TestRulesArgs,
    out: &mut impl Write,
) -> Result<ExitCode, Failure> {
    let mut packs = isolint::ruletest::packs(args.rules.as_deref())?;
    packs.retain(|p| p.pack.starts_with(&args.pack));
    let here = std::env::current_dir().unwrap_or_default();
    let outcome = isolint::ruletest::run(&packs, &args.fixtures, &args.only, &here)?;
    for f in &outcome.failures {
        writeln!(out, "{f}")?;
    }
    writeln!(
        out,
        "{} rules checked, {} problems",
        outcome.checked,
        outcome.failures.len()
    )?;
    out.flush()?;
    Ok(if outcome.failures.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// What makes `check` exit 1.
struct FailPolicy {
    /// Findings at or above this severity (None: never).
    threshold: Option<Severity>,
    /// Any file that could not be read or parsed.
    on_error: bool,
}

fn scan(args: &CheckArgs) -> Result<(isolint::report::Report, FailPolicy), Failure> {
    let config = if args.no_config {
        Config::default()
    } else if let Some(path) = &args.config {
        Config::load(path)?
    } else {
        match args.paths.first().and_then(|p| Config::find(p)) {
            Some(path) => Config::load(&path)?,
            None => Config::default(),
        }
    };
    let threads = args.threads.unwrap_or(0);
    if threads > 0 {
        // Only fails if a pool already exists, which cannot happen this early.
        let _ = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build_global();
    }
    let rules = app::load_rules_with(!args.rules.no_builtin_rules, &args.rules.rule_dirs, &config)?;
    let threshold = match args.fail_on {
        Some(FailOn::Never) => None,
        Some(FailOn::Critical) => Some(Severity::Critical),
        Some(FailOn::High) => Some(Severity::High),
        Some(FailOn::Medium) => Some(Severity::Medium),
        Some(FailOn::Low) => Some(Severity::Low),
        Some(FailOn::Info) => Some(Severity::Info),
        None => Some(config.fail_on.unwrap_or(Severity::Low)),
    };
    let policy = FailPolicy {
        threshold,
        on_error: args.fail_on_error || config.fail_on_error,
    };
    let opts = scan_options(args, config)?;
    Ok((app::scan(&opts, &rules)?, policy))
}

fn check(args: CheckArgs, out: &mut dyn Write) -> Result<ExitCode, Failure> {
    let show_progress = std::io::stderr().is_terminal()
        && std::env::var_os("CI").is_none()
        && args.color != ColorChoice::Never;
    let (report, policy) = if show_progress {
        with_progress(|| scan(&args))?
    } else {
        scan(&args)?
    };
    let color = match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    };
    let width = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(100);
    let render = RenderOptions {
        color,
        width,
        verbose: args.verbose,
    };
    let reporting = std::time::Instant::now();
    report::emit(&report, args.format, &render, out)?;
    let plain = RenderOptions {
        color: false,
        ..render
    };
    for (format, path) in &args.outputs {
        if path.as_os_str() == "-" {
            report::emit(&report, *format, &plain, out)?;
        } else {
            let mut buf = Vec::new();
            report::emit(&report, *format, &plain, &mut buf)?;
            std::fs::write(path, buf).map_err(|e| Fatal::Io {
                context: format!("cannot write {}", path.display()),
                source: e,
            })?;
        }
    }
    out.flush()?;
    if args.stats {
        let report_ms = u64::try_from(reporting.elapsed().as_millis()).unwrap_or(u64::MAX);
        #[expect(
            clippy::print_stderr,
            reason = "--stats goes to stderr, beside any format"
        )]
        {
            eprint!("{}", report::stats::render(&report.times, report_ms));
        }
    }
    let failed = policy
        .threshold
        .is_some_and(|t| report.active_findings().any(|f| f.severity >= t))
        || (policy.on_error && !report.errors.is_empty());
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Runs `work`, drawing a progress line on stderr if it takes more than a moment.
fn with_progress<T>(work: impl FnOnce() -> T) -> T {
    use std::sync::atomic::{AtomicBool, Ordering};
    let finished = AtomicBool::new(false);
    std::thread::scope(|scope| {
        scope.spawn(|| {
            let mut waited = 0;
            let mut drawn = false;
            while !finished.load(Ordering::Relaxed) {
                std::thread::sleep(std::time::Duration::from_millis(100));
                waited += 100;
                if waited < 800 {
                    continue;
                }
                let (done, total) = isolint::progress::get();
                #[expect(clippy::print_stderr, reason = "main owns stderr")]
                {
                    if done < total {
                        eprint!("\r\x1b[2Kisolint: parsing {done}/{total} files…");
                    } else {
                        eprint!("\r\x1b[2Kisolint: evaluating {total} files…");
                    }
                }
                drawn = true;
            }
            if drawn {
                #[expect(clippy::print_stderr, reason = "main owns stderr")]
                {
                    eprint!("\r\x1b[2K");
                }
            }
        });
        let out = work();
        finished.store(true, Ordering::Relaxed);
        out
    })
}

fn scan_options(args: &CheckArgs, config: Config) -> Result<ScanOptions, Fatal> {
    Ok(ScanOptions {
        paths: args.paths.clone(),
        strict: args.strict,
        threads: args.threads.unwrap_or(0),
        gitignore: !args.no_gitignore,
        terraform: terraform_options(args)?,
        baseline: match &args.baseline {
            Some(path) => Some(isolint::suppress::baseline::Baseline::load(path)?),
            None => None,
        },
        inline_suppressions: !args.ignore_inline,
        changed_since: args.changed_since.clone(),
        config,
    })
}

fn terraform_options(args: &CheckArgs) -> Result<TerraformOptions, Fatal> {
    let mut opts = TerraformOptions::default();
    for (i, path) in args.var_files.iter().enumerate() {
        let text = read_text(path)
            .map_err(|_| Fatal::Usage(format!("cannot read --var-file {}", path.display())))?;
        let id = FileId(u32::MAX - u32::try_from(i).unwrap_or(0));
        opts.var_files.push(std::sync::Arc::new(SourceText::new(
            id,
            path.display().to_string(),
            path.clone(),
            text,
        )));
    }
    for v in &args.vars {
        let Some((name, value)) = v.split_once('=') else {
            return Err(Fatal::Usage(format!("--var expects name=value, got `{v}`")));
        };
        opts.vars.push((name.trim().to_owned(), value.to_owned()));
    }
    Ok(opts)
}
