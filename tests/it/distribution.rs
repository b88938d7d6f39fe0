//! How isolint is shipped: the release workflow validates against the workflow schema, pins
//! every third-party action by commit and grants each job only what it uses; the crate, the
//! wheel and the pre-commit mirror agree on names, versions and hooks. (Downloading,
//! verifying and installing the archives for real: `scripts/integration.sh`.)

use std::sync::Arc;

use isolint::parse::yaml::parse_yaml;
use isolint::source::{FileId, SourceText};

use crate::support::repo_root;

fn read(rel: &str) -> String {
    std::fs::read_to_string(repo_root().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn yaml_as_json(rel: &str) -> serde_json::Value {
    let path = repo_root().join(rel);
    let src = SourceText::new(FileId(0), rel, path, Arc::from(read(rel)));
    let docs = parse_yaml(&src).expect("valid YAML");
    docs[0].to_json()
}

/// The package version, the first `version = "…"` at the start of a line in Cargo.toml.
fn crate_version() -> String {
    read("Cargo.toml")
        .lines()
        .find_map(|l| l.strip_prefix("version = \""))
        .and_then(|v| v.strip_suffix('"'))
        .expect("Cargo.toml has a version")
        .to_owned()
}

#[test]
fn workflows_validate_against_the_workflow_schema() {
    let schema: serde_json::Value =
        serde_json::from_str(&read("tests/it/data/schemas/github-workflow.json"))
            .expect("schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    for rel in [
        ".github/workflows/release.yml",
        ".github/workflows/action-selftest.yml",
    ] {
        let workflow = yaml_as_json(rel);
        let errors: Vec<String> = validator
            .iter_errors(&workflow)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(
            errors.is_empty(),
            "{rel} is invalid:\n{}",
            errors.join("\n")
        );
    }
}

/// Every `uses:` of a remote action names a full commit SHA and says which tag it is.
#[test]
fn third_party_actions_are_pinned_by_commit() {
    for rel in [
        ".github/workflows/release.yml",
        ".github/workflows/action-selftest.yml",
        "action.yml",
    ] {
        for line in read(rel).lines() {
            let Some((_, rest)) = line.split_once("uses: ") else {
                continue;
            };
            if rest.starts_with("./") {
                continue;
            }
            let (reference, comment) = rest.split_once(" # ").unwrap_or((rest, ""));
            let sha = reference.rsplit_once('@').map_or("", |(_, r)| r);
            assert!(
                sha.len() == 40 && sha.bytes().all(|b| b.is_ascii_hexdigit()),
                "{rel}: `{line}` is not pinned by a full commit SHA"
            );
            assert!(
                comment.starts_with('v'),
                "{rel}: `{line}` should name the pinned tag in a comment"
            );
        }
    }
}

#[test]
fn release_jobs_get_only_the_permissions_they_use() {
    let wf = yaml_as_json(".github/workflows/release.yml");
    assert_eq!(
        wf["permissions"],
        serde_json::json!({}),
        "nothing by default"
    );
    let tags = wf["on"]["push"]["tags"].as_array().expect("runs on tags");
    assert!(!tags.is_empty());
    let jobs = wf["jobs"].as_object().expect("jobs");
    for (name, job) in jobs {
        let perms = job["permissions"]
            .as_object()
            .unwrap_or_else(|| panic!("job {name} must declare its permissions"));
        for (scope, level) in perms {
            let allowed = match name.as_str() {
                "release" => matches!(
                    (scope.as_str(), level.as_str()),
                    ("contents" | "attestations" | "id-token", Some("write"))
                ),
                "pypi" => matches!(
                    (scope.as_str(), level.as_str()),
                    ("attestations" | "id-token", Some("write"))
                ),
                _ => scope == "contents" && level == "read",
            };
            assert!(allowed, "job {name} has {scope}: {level}");
        }
    }
    // Five targets; Linux builds are static musl.
    let targets: Vec<&str> = jobs["binaries"]["strategy"]["matrix"]["include"]
        .as_array()
        .expect("a target matrix")
        .iter()
        .filter_map(|t| t["target"].as_str())
        .collect();
    assert_eq!(
        targets,
        [
            "x86_64-unknown-linux-musl",
            "aarch64-unknown-linux-musl",
            "x86_64-apple-darwin",
            "aarch64-apple-darwin",
            "x86_64-pc-windows-msvc"
        ]
    );
}

/// The archive names the release workflow writes (scripts/package-release.sh), the names
/// action/install.sh downloads and `cargo binstall`'s template must stay the same.
#[test]
fn archive_names_agree_between_packager_installer_and_binstall() {
    let packager = read("scripts/package-release.sh");
    assert!(packager.contains(r#"name="isolint-v$version-$target""#));
    let installer = read("action/install.sh");
    assert!(installer.contains(r#"name="isolint-v$version-$target""#));
    assert!(installer.contains(r#""$base/v$version/$1""#));
    let cargo = read("Cargo.toml");
    assert!(cargo.contains(
        r#"pkg-url = "{ repo }/releases/download/v{ version }/{ name }-v{ version }-{ target }{ archive-suffix }""#
    ));
    assert!(
        cargo.contains(r#"bin-dir = "{ name }-v{ version }-{ target }/{ bin }{ binary-ext }""#)
    );
}

#[test]
fn crate_metadata_is_complete_and_the_release_profile_keeps_unwinding() {
    let cargo = read("Cargo.toml");
    for key in [
        "description = ",
        "license = ",
        "repository = ",
        "readme = ",
        "keywords = ",
        "categories = ",
        "include = ",
    ] {
        assert!(
            cargo.lines().any(|l| l.starts_with(key)),
            "Cargo.toml lacks {key}"
        );
    }
    // scan/guard.rs catches a panic in one file's work: aborting would lose the whole scan.
    assert!(!cargo.contains("panic = \"abort\""));
    assert!(repo_root().join("LICENSE").is_file());
}

#[test]
fn wheel_and_pre_commit_mirror_match_the_crate() {
    let pyproject = read("pyproject.toml");
    assert!(pyproject.contains("bindings = \"bin\""));
    assert!(pyproject.contains("name = \"isolint\""));
    let mirror = read("packaging/isolint-pre-commit/pyproject.toml");
    let pin = format!("\"isolint=={}\"", crate_version());
    assert!(
        mirror.contains(&pin),
        "the mirror must depend on {pin}, the crate's version"
    );

    // The mirror's hooks are the main repository's hooks, installed from the wheel.
    let main = yaml_as_json(".pre-commit-hooks.yaml");
    let mirror = yaml_as_json("packaging/isolint-pre-commit/.pre-commit-hooks.yaml");
    let (main, mirror) = (main.as_array().unwrap(), mirror.as_array().unwrap());
    assert_eq!(main.len(), mirror.len(), "the same hooks");
    for (m, p) in main.iter().zip(mirror) {
        assert_eq!(p["language"], "python", "{}", p["id"]);
        let strip = |h: &serde_json::Value| {
            let mut h = h.as_object().unwrap().clone();
            h.remove("language");
            h
        };
        assert_eq!(
            strip(m),
            strip(p),
            "update packaging/isolint-pre-commit/.pre-commit-hooks.yaml to match .pre-commit-hooks.yaml"
        );
    }
}
