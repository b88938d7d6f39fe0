//! One integration-test binary (faster to link than one per file).

mod action; // action.yml schema and hygiene, pre-commit manifest
mod cli; // the binary end to end: exit codes, JSON contract, config, bad input
mod formats; // every output format on fixtures/showcase (snapshots), SARIF schema, escaping, limits
mod robustness; // bad input of every kind: never panic, never hang, never lose the rest
mod rules; // every rule against its fixtures
mod support; // helpers: temp repos, running the binary
mod suppress; // inline, config and baseline suppressions; changed-file scans
mod terraform;
mod untrusted; // crafted pull requests: hidden files, changed files, links, forgery // evaluation end to end: instances, tfvars, modules, cycles, plans
