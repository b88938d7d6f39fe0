//! Native checks over a file's whole text (the `text_file` resource).

pub(super) mod credential_url;
pub(super) mod secret_assignment;
pub(super) mod secret_pattern;
