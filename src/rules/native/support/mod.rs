//! Helpers that several native checks share; no check lives here.

pub(crate) mod gathered;
pub(crate) mod grants;
pub(crate) mod policy;
pub(crate) mod ports;
pub(crate) mod repository;
pub(crate) mod secrets;
pub(crate) mod shell;
pub(crate) mod spans;
pub(crate) mod values;
