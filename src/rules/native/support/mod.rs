//! Helpers that several native checks share; no check lives here.

pub(crate) mod repository;
pub(crate) mod secrets;
pub(crate) mod shell;
pub(crate) mod spans;
