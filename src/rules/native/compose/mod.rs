//! Native checks on Docker Compose services, one per file.

pub(super) mod env_secret;
