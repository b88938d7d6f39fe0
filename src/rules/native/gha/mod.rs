//! Native checks on GitHub Actions workflows, one per file.

pub(super) mod literal_secret;
pub(super) mod script_injection;
pub(super) mod workflow_level_writes;
