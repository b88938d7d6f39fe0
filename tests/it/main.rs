//! One integration-test binary (faster to link than one per file).

mod across; // cross-file Kubernetes checks: subjects and targets in different files
mod action; // action.yml schema and hygiene, pre-commit manifest
mod cli; // the binary end to end: exit codes, JSON contract, config, bad input
mod distribution; // release workflow, crate/wheel metadata, pre-commit mirror, pins
mod formats; // every output format on fixtures/showcase (snapshots), SARIF schema, escaping, limits
mod house; // house rules every rule pack entry follows
mod modules; // Terraform local modules across the scanned path: followed, bounded, per root
mod render; // patch files, Kustomize overlays and Helm charts rendered by the real tools
mod robustness; // bad input of every kind: never panic, never hang, never lose the rest
mod rules; // every rule against its fixtures
mod secrets; // files that hide secrets, key stores by name, size cap, masked AWS values
mod streaming; // texts released and read again, the time budget
mod support; // helpers: temp repos, running the binary
mod suppress; // inline, config and baseline suppressions; changed-file scans
mod terraform; // evaluation end to end: instances, tfvars, modules, cycles, plans
mod untrusted; // crafted pull requests: hidden files, changed files, links, forgery
mod usage; // the first hour: loud mistakes, CLI conventions, config paths, stdin
mod yaml_suite; // the YAML layer against the yaml-test-suite valid cases
