//! The fixture contract, as a library function so that both `cargo test` and
//! `isolint test-rules` (for authors of their own packs) run it: every rule has
//! `<fixtures>/<pack>/<ID>/` with `fail*` inputs whose flagged lines carry `expect: ID`
//! markers, and `pass*` / `unknown*` inputs that must stay clean. Each rule runs alone,
//! through the real pipeline, on a private copy of each input.

mod markers;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::config::Config;
use crate::controls::Catalogue;
use crate::error::Fatal;
use crate::model::terraform::TerraformOptions;
use crate::rules::RuleSet;
use crate::rules::load::{self, PackSource};
use crate::scan::{self, ScanOptions};

/// What one run of the contract found.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Rules whose fixtures were checked.
    pub checked: usize,
    /// Every mismatch, one line each, naming the rule and the fixture line.
    pub failures: Vec<String>,
}

/// Runs every rule of `packs` whose id starts with `only` against its fixtures under
/// `fixtures_root` (paths in messages are shown relative to `shown_from`).
pub fn run(
    packs: &[PackSource],
    fixtures_root: &Path,
    only: &str,
    shown_from: &Path,
) -> Result<Outcome, Fatal> {
    let catalogue = Catalogue::get_embedded();
    let all = load::load(packs, catalogue).map_err(Fatal::RulePack)?;
    let mut out = Outcome::default();
    for rule in all.into_iter().filter(|r| r.meta.id.starts_with(only)) {
        let (pack, id) = (rule.meta.pack.clone(), rule.meta.id.clone());
        let dir = fixtures_root.join(&pack).join(&id);
        let shown = |p: &Path| display(p, shown_from);
        let fails = inputs(&dir, "fail");
        let passes = inputs(&dir, "pass");
        if fails.is_empty() || passes.is_empty() {
            out.failures.push(format!(
                "{id} has no fixtures: create {}/fail.<ext> and pass.<ext>",
                shown(&dir)
            ));
            continue;
        }
        out.checked += 1;
        let one = RuleSet::new(vec![rule]);
        let want: BTreeSet<_> = fails
            .iter()
            .flat_map(|f| markers::expected(f, &id))
            .map(|(p, line)| (shown(&p), line))
            .collect();
        if want.is_empty() {
            out.failures
                .push(format!("{id}: fail inputs carry no `expect: {id}` marker"));
        }
        let (got, errors) = scan_each(&fails, &one, shown_from);
        out.failures.extend(
            errors
                .into_iter()
                .map(|e| format!("{id}: fixture does not parse: {e}")),
        );
        for miss in want.difference(&got) {
            out.failures.push(format!(
                "{id}: expected a finding at {}:{} but got none",
                miss.0, miss.1
            ));
        }
        for extra in got.difference(&want) {
            out.failures.push(format!(
                "{id}: unexpected finding at {}:{}",
                extra.0, extra.1
            ));
        }
        let mut clean = passes;
        clean.extend(inputs(&dir, "unknown"));
        let (got, errors) = scan_each(&clean, &one, shown_from);
        out.failures.extend(
            errors
                .into_iter()
                .map(|e| format!("{id}: fixture does not parse: {e}")),
        );
        for extra in got {
            out.failures.push(format!(
                "{id}: finding in a passing input at {}:{}",
                extra.0, extra.1
            ));
        }
    }
    Ok(out)
}

/// The packs a run tests: those under `dir` when given, else the embedded ones.
pub fn packs(dir: Option<&Path>) -> Result<Vec<PackSource>, Fatal> {
    match dir {
        Some(d) => load::from_dir(d).map_err(|p| Fatal::RulePack(vec![p])),
        None => Ok(load::embedded()),
    }
}

fn display(path: &Path, from: &Path) -> String {
    path.strip_prefix(from)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

type Found = BTreeSet<(String, usize)>;

/// Scans each input on its own (files in one directory would otherwise form one
/// Terraform module and see each other's resources).
fn scan_each(inputs: &[PathBuf], rules: &RuleSet, shown_from: &Path) -> (Found, Vec<String>) {
    let mut found = BTreeSet::new();
    let mut errors = Vec::new();
    for input in inputs {
        match scan_one(input, rules, shown_from) {
            Ok((f, e)) => {
                found.extend(f);
                errors.extend(e);
            }
            Err(e) => errors.push(format!("{}: {e}", display(input, shown_from))),
        }
    }
    (found, errors)
}

/// Copies the input into a directory of its own first: a Terraform file's siblings
/// (the other fixtures) must not become its module context.
fn scan_one(
    input: &Path,
    rules: &RuleSet,
    shown_from: &Path,
) -> Result<(Found, Vec<String>), String> {
    let tmp = tempfile::tempdir().map_err(|e| format!("temp dir: {e}"))?;
    let name = input.file_name().ok_or("unnamed input")?;
    let copy = tmp.path().join(name);
    copy_tree(input, &copy).map_err(|e| format!("copy: {e}"))?;
    let opts = ScanOptions {
        paths: vec![copy.clone()],
        config: Config::default(),
        strict: false,
        threads: 1,
        gitignore: false,
        terraform: TerraformOptions::default(),
        baseline: None,
        inline_suppressions: true,
        time_budget: std::time::Duration::MAX,
        changed_since: None,
        // Rule fixtures are checked as written, whatever tools are installed.
        render: crate::render::RenderOptions {
            enabled: false,
            strict: false,
        },
        stdin: None,
    };
    let report = scan::scan(&opts, rules).map_err(|e| e.to_string())?;
    let tmp_prefix = tmp.path().to_string_lossy().replace('\\', "/");
    let original_parent = display(input.parent().unwrap_or(Path::new(".")), shown_from);
    let back = |file: &str| file.replacen(&tmp_prefix, &original_parent, 1);
    let found = report
        .findings
        .iter()
        .filter_map(|f| Some((back(&f.file), report.positions(f.span)?.0.line)))
        .collect();
    let errors = report
        .errors
        .iter()
        .map(|e| format!("{}: {}", back(&e.file), e.message))
        .collect();
    Ok((found, errors))
}

fn copy_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    if !from.is_dir() {
        return std::fs::copy(from, to).map(|_| ());
    }
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry?;
        let rel = entry.path().strip_prefix(from).unwrap_or(entry.path());
        let target = to.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target)?;
        } else {
            std::fs::copy(entry.path(), &target)?;
        }
    }
    Ok(())
}

fn inputs(dir: &Path, prefix: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| rd.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    v.retain(|p| {
        p.file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with(prefix))
    });
    v.sort();
    v
}
