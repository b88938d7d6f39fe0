//! One integration-test binary (faster to link than one per file).

mod action; // action.yml schema and hygiene, pre-commit manifest
mod cli; // the binary end to end: exit codes, JSON contract, config, bad input
mod rules; // every rule against its fixtures
mod support;
mod suppress; // inline, config and baseline suppressions; changed-file scans // helpers: temp repos, running the binary
