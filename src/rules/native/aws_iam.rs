//! Native checks for this platform (see `native/mod.rs`).

use super::NativeFn;

pub(super) const NATIVES: &[(&str, NativeFn)] = &[];
