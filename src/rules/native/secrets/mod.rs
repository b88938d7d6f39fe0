//! Native checks for secrets held in structured objects (see `native/mod.rs`).

pub(super) mod credential_file;
pub(super) mod k8s_secret_data;
