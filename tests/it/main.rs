//! One integration-test binary (faster to link than one per file).

mod rules; // every rule against its fixtures
mod support; // helpers: temp repos, running the binary
