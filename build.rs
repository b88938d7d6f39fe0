//! Embeds every rule pack under `rules/` (and the control catalogue) into the binary, so
//! the installed tool needs no files beside it.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    let rules = root.join("rules");
    println!("cargo:rerun-if-changed=rules");
    let mut files = Vec::new();
    collect(&rules, &mut files);
    files.sort();
    let mut out =
        String::from("/// Rule packs embedded at build time: (path under rules/, text).\n");
    out.push_str("pub static EMBEDDED_PACKS: &[(&str, &str)] = &[\n");
    for path in &files {
        let rel = path
            .strip_prefix(&rules)
            .expect("below rules/")
            .to_string_lossy()
            .replace('\\', "/");
        if rel == CATALOGUE {
            continue;
        }
        println!("cargo:rerun-if-changed={}", path.display());
        writeln!(
            out,
            "    ({rel:?}, include_str!({:?})),",
            path.display().to_string()
        )
        .expect("write to string");
    }
    out.push_str("];\n");
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets it"));
    std::fs::write(out_dir.join("embedded_packs.rs"), out).expect("write embedded packs");
}

const CATALOGUE: &str = "iso27002-2022.yaml";

fn collect(dir: &Path, files: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            println!("cargo:rerun-if-changed={}", path.display());
            collect(&path, files);
        } else if path.extension().is_some_and(|e| e == "yaml") {
            files.push(path);
        }
    }
}
