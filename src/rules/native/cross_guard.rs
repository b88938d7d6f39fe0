//! Keeps `CROSS_NATIVES` complete: a native check whose file (or a `support/` function
//! it calls) looks other resources up through the index must be listed, or its rules
//! would be evaluated without the other files' resources.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use super::{CROSS_NATIVES, NATIVES};

/// The index calls that reach resources other than the one checked.
const LOOKUPS: &[&str] = &[
    ".same_root(",
    ".same_root_ids(",
    ".of_kind(",
    ".memo(",
    ".image_tagged_at_deploy(",
];

fn native_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src/rules/native")
}

fn sources(dir: &Path, out: &mut Vec<(String, String)>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .expect("native sources")
        .map(|e| e.expect("entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let rel = path.strip_prefix(native_dir()).expect("under native/");
            let rel = rel.to_string_lossy().replace('\\', "/");
            out.push((rel, std::fs::read_to_string(&path).expect("readable")));
        }
    }
}

fn looks_up(text: &str) -> bool {
    LOOKUPS.iter().any(|l| text.contains(l))
}

/// `support/` functions that look up, directly or through another such function.
fn reaching_helpers(files: &[(String, String)]) -> BTreeSet<String> {
    let mut reaching = BTreeSet::new();
    loop {
        let before = reaching.len();
        for (_, text) in files.iter().filter(|(rel, _)| rel.starts_with("support/")) {
            let mut current: Option<String> = None;
            for line in text.lines() {
                if let Some(at) = line.find("fn ") {
                    let name: String = line[at + 3..]
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect();
                    if !name.is_empty() {
                        current = Some(name);
                    }
                }
                let calls_reaching = reaching
                    .iter()
                    .any(|f: &String| line.contains(&format!("{f}(")) && !line.contains("fn "));
                if let Some(name) = &current
                    && (looks_up(line) || calls_reaching)
                {
                    reaching.insert(name.clone());
                }
            }
        }
        if reaching.len() == before {
            return reaching;
        }
    }
}

/// `family/module.rs` → native name, read from the `NATIVES` table's source lines.
fn natives_by_file(mod_rs: &str) -> BTreeMap<String, String> {
    let mut map = BTreeMap::new();
    for line in mod_rs.lines() {
        let line = line.trim();
        let Some(rest) = line.strip_prefix("(\"") else {
            continue;
        };
        let Some((name, path)) = rest.split_once("\", ") else {
            continue;
        };
        let Some(path) = path.strip_suffix("::check),") else {
            continue;
        };
        map.insert(format!("{}.rs", path.replace("::", "/")), name.to_owned());
    }
    map
}

#[test]
fn cross_natives_are_exactly_the_checks_that_look_up_other_resources() {
    let mut files = Vec::new();
    sources(&native_dir(), &mut files);
    let mod_rs = &files
        .iter()
        .find(|(rel, _)| rel == "mod.rs")
        .expect("mod.rs")
        .1;
    let by_file = natives_by_file(mod_rs);
    assert_eq!(by_file.len(), NATIVES.len(), "every NATIVES line parsed");
    let helpers = reaching_helpers(&files);
    assert!(helpers.contains("is_guard_rail"), "found: {helpers:?}");
    let mut found = BTreeSet::new();
    for (rel, text) in &files {
        if rel.starts_with("support/") || rel == "mod.rs" || rel == "cross_guard.rs" {
            continue;
        }
        let calls_helper = helpers.iter().any(|f| text.contains(&format!("{f}(")));
        if !(looks_up(text) || calls_helper) {
            continue;
        }
        let native = by_file
            .get(rel)
            .unwrap_or_else(|| panic!("{rel} looks up other resources but is no native check"));
        found.insert(native.as_str());
    }
    let listed: BTreeSet<&str> = CROSS_NATIVES.iter().copied().collect();
    assert_eq!(found, listed, "CROSS_NATIVES must list exactly these");
}
