//! The GitHub Action and the pre-commit hooks: `action.yml` validates against the official
//! schema and keeps inputs out of `run:` scripts; the hook manifest has the keys
//! pre-commit needs. (Running them for real: `scripts/integration.sh`.)

use std::sync::Arc;

use isolint::parse::yaml::parse_yaml;
use isolint::source::{FileId, SourceText};

use crate::support::repo_root;

fn yaml_as_json(rel: &str) -> serde_json::Value {
    let path = repo_root().join(rel);
    let text = std::fs::read_to_string(&path).expect("file exists");
    let src = SourceText::new(FileId(0), rel, path, Arc::from(text));
    let docs = parse_yaml(&src).expect("valid YAML");
    docs[0].to_json()
}

#[test]
fn action_yml_validates_against_the_official_schema() {
    let schema_path = repo_root().join("tests/it/data/schemas/github-action.json");
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(&schema_path)
            .unwrap_or_else(|e| panic!("{} is needed for this test: {e}", schema_path.display())),
    )
    .expect("schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    let action = yaml_as_json("action.yml");
    let errors: Vec<String> = validator
        .iter_errors(&action)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "action.yml is invalid:\n{}",
        errors.join("\n")
    );
}

#[test]
fn action_never_interpolates_inputs_into_scripts() {
    let action = yaml_as_json("action.yml");
    let steps = action["runs"]["steps"].as_array().expect("composite steps");
    for step in steps {
        if let Some(run) = step["run"].as_str() {
            assert!(!run.contains("${{"), "expression inside run: {run}");
        }
    }
    for script in ["install.sh", "build.sh", "run.sh", "enforce.sh"] {
        let path = repo_root().join("action").join(script);
        let text = std::fs::read_to_string(&path).expect("script exists");
        assert!(text.starts_with("#!/usr/bin/env bash"), "{script}");
        assert!(!text.contains("${{"), "{script} must read inputs from env");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert!(mode & 0o111 != 0, "{script} must be executable");
        }
    }
}

#[test]
fn pre_commit_hooks_manifest_is_complete() {
    let hooks = yaml_as_json(".pre-commit-hooks.yaml");
    let hooks = hooks.as_array().expect("a list of hooks");
    let ids: Vec<&str> = hooks.iter().filter_map(|h| h["id"].as_str()).collect();
    assert_eq!(ids, vec!["isolint", "isolint-repo"]);
    for h in hooks {
        for key in ["id", "name", "entry", "language"] {
            assert!(h[key].is_string(), "hook {} lacks {key}", h["id"]);
        }
        assert_eq!(h["language"], "rust");
        assert!(h["entry"].as_str().unwrap().starts_with("isolint check"));
    }
    assert_eq!(hooks[1]["pass_filenames"], false);
    assert!(hooks[0]["entry"].as_str().unwrap().ends_with(" --"));
}

/// pre-commit runs `entry` followed by the staged file names: a file named like an
/// option must stay a file name and not switch the hook off.
#[test]
fn pre_commit_hook_takes_a_file_named_like_an_option_as_a_file() {
    let hooks = yaml_as_json(".pre-commit-hooks.yaml");
    let entry = hooks[0]["entry"].as_str().unwrap().to_owned();
    let bucket = "resource \"aws_s3_bucket\" \"b\" {\n  bucket = \"acme\"\n}\n";
    let repo = crate::support::temp_repo(&[("main.tf", bucket), ("--fail-on=never", "x\n")]);
    let mut words = entry.split_whitespace().skip(1).collect::<Vec<_>>();
    words.extend(["--fail-on=never", "main.tf"]);
    let out = crate::support::run_in(repo.path(), &words);
    assert_eq!(
        out.status.code(),
        Some(1),
        "the finding in main.tf still fails the hook: {}",
        crate::support::stderr(&out)
    );
}
