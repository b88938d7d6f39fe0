//! `check`, `baseline` and `resources`: the commands that scan.

use std::io::Write;

use super::{Exit, Stop};
use crate::cli::{BaselineArgs, CheckArgs, ResourcesArgs};
use crate::config::Config;
use crate::docs;
use crate::error::Fatal;
use crate::report::{self, RenderOptions, Report, progress};
use crate::scan;
use crate::settings::{CheckSettings, scan_options};
use crate::suppress::baseline::Baseline;

/// Resolves the settings, sizes the thread pool and scans (with a progress line when
/// asked for).
fn scan(args: &CheckArgs) -> Result<(Report, CheckSettings), Stop> {
    size_pool(args.input.threads);
    let settings = CheckSettings::from_args(args)?;
    let run = || scan::scan(&settings.scan, &settings.rules);
    let report = if settings.progress {
        progress::while_running(run)?
    } else {
        run()?
    };
    Ok((report, settings))
}

pub(super) fn check(args: &CheckArgs, out: &mut dyn Write) -> Result<Exit, Stop> {
    let (report, settings) = scan(args)?;
    let reporting = std::time::Instant::now();
    let plain = RenderOptions {
        color: false,
        ..settings.render
    };
    for (i, format) in settings.stdout.iter().enumerate() {
        // Colour for the first (the terminal's report); an added stream stays plain.
        let render = if i == 0 { &settings.render } else { &plain };
        report::emit(&report, *format, render, out)?;
    }
    // Files only: settings put an `-o FORMAT=-` on stdout in place of --format.
    for (format, path) in &settings.outputs {
        let mut buf = Vec::new();
        report::emit(&report, *format, &plain, &mut buf)?;
        std::fs::write(path, buf).map_err(|e| Fatal::Io {
            context: format!("cannot write {}", path.display()),
            source: e,
        })?;
    }
    out.flush()?;
    if settings.stats {
        let report_ms = u64::try_from(reporting.elapsed().as_millis()).unwrap_or(u64::MAX);
        report::stats::print(&report.times, report_ms);
    }
    Ok(if settings.fail.failed(&report) {
        Exit::Failed
    } else {
        Exit::Clean
    })
}

pub(super) fn baseline(args: &BaselineArgs, out: &mut dyn Write) -> Result<Exit, Stop> {
    let mut check = args.input.as_check();
    check.rules = crate::cli::RulesArgs {
        rule_dirs: args.rules.rule_dirs.clone(),
        no_builtin_rules: args.rules.no_builtin_rules,
    };
    check.config.clone_from(&args.config);
    check.no_config = args.no_config;
    check.strict = args.strict;
    let (report, _) = scan(&check)?;
    let baseline = Baseline::from_findings(&report.findings);
    std::fs::write(&args.file, baseline.to_json()).map_err(|e| Fatal::Io {
        context: format!("cannot write {}", args.file.display()),
        source: e,
    })?;
    let n = baseline.findings.len();
    writeln!(
        out,
        "isolint: wrote {n} finding{} to {}",
        if n == 1 { "" } else { "s" },
        args.file.display()
    )?;
    Ok(Exit::Clean)
}

/// `--threads`: called before anything parallel (loading the rule packs is), since the
/// global pool is sized once, by its first use.
fn size_pool(threads: Option<usize>) {
    if let Some(threads) = threads.filter(|&n| n > 0) {
        let _ = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build_global();
    }
}

pub(super) fn resources(args: &ResourcesArgs, out: &mut dyn Write) -> Result<Exit, Stop> {
    size_pool(args.input.threads);
    let collected = scan::collect(&scan_options(&args.input.as_check(), Config::default())?)?;
    out.write_all(docs::resources_json(&collected).as_bytes())?;
    Ok(Exit::Clean)
}
