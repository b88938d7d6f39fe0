//! `init`: a commented `.isolint.yaml` to start from, and the CI snippets to paste. The
//! template is itself checked by the config parser (a unit test), so it never drifts from
//! the keys `check` accepts.

use std::io::Write;

use super::{Exit, Stop};
use crate::cli::InitArgs;
use crate::error::Fatal;

/// Every key, commented, with the defaults in effect.
pub(crate) const TEMPLATE: &str = r#"# isolint configuration (https://github.com/OWNER/isolint#configuration).
# Paths and globs are relative to this file's directory.

# Files and directories not to scan (globs).
exclude:
  - "**/testdata/**"
  - "**/.terraform/**"

# Only these rules: ids, id globs or ISO/IEC 27002 control ids (quoted). Empty: all.
# `isolint rules` lists the ids, `isolint controls` the controls.
select: []

# Never these rules (same forms as select).
ignore: []

# Accepted findings, kept in reports as suppressed with the reason auditors read.
# suppress:
#   - rules: [AWS-S3-004]
#     paths: ["envs/sandbox/**"]
#     reason: Sandbox buckets hold no data worth a backup.

# Severity overrides by rule id.
# severity:
#   AWS-S3-005: low

# Lowest severity that fails the run: critical, high, medium, low, info or never.
fail_on: low

# Fail also when a file cannot be read or parsed.
fail_on_error: false

# Extra rule pack directories.
# rules: [policies]
"#;

const SNIPPETS: &str = r#"
GitHub Action (.github/workflows/isolint.yml):

  permissions: {}
  jobs:
    isolint:
      runs-on: ubuntu-latest
      permissions: { contents: read, security-events: write }
      steps:
        - uses: actions/checkout@v4
          with: { persist-credentials: false }
        - uses: OWNER/isolint@<commit-sha>
          with:
            paths: .
            fail-on: low

pre-commit (.pre-commit-config.yaml):

  repos:
    - repo: https://github.com/OWNER/isolint
      rev: <commit-sha>
      hooks:
        - id: isolint
"#;

pub(super) fn run(args: &InitArgs, out: &mut dyn Write) -> Result<Exit, Stop> {
    let path = args.dir.join(".isolint.yaml");
    let exists = crate::config::FILE_NAMES
        .iter()
        .map(|n| args.dir.join(n))
        .find(|p| p.exists());
    if let (Some(existing), false) = (exists, args.force) {
        return Err(Fatal::Usage(format!(
            "{} already exists (use --force to overwrite it)",
            existing.display()
        ))
        .into());
    }
    std::fs::write(&path, TEMPLATE).map_err(|e| Fatal::Io {
        context: format!("cannot write {}", path.display()),
        source: e,
    })?;
    writeln!(out, "isolint: wrote {}", path.display())?;
    out.write_all(SNIPPETS.as_bytes())?;
    Ok(Exit::Clean)
}

#[cfg(test)]
mod tests {
    use super::TEMPLATE;
    use crate::config::Config;

    #[test]
    fn the_template_is_a_valid_configuration() {
        let config = Config::parse(std::path::Path::new(".isolint.yaml"), TEMPLATE)
            .expect("the init template parses");
        assert_eq!(config.exclude.len(), 2);
    }
}
