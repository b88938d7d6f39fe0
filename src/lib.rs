//! isolint: a policy-as-code linter for infrastructure repositories whose every rule is
//! mapped to ISO/IEC 27002:2022 controls.
//!
//! The pipeline, one module per stage:
//! `discover` (walk, classify) → `parse` (spans) → `model` (resources) → `evaluate`
//! (compiled `rules`, three-valued) → `suppress` → `report` (every output format).
//! `scan` runs it; `main.rs` only parses the command line and maps outcomes to exit codes.

pub mod cli;
pub mod commands;
pub mod config;
pub mod controls;
pub(crate) mod discover;
pub(crate) mod docs;
pub mod error;
pub mod evaluate;
pub mod finding;
pub mod gathered;
pub(crate) mod memory;
pub mod model;
pub mod parse;
pub mod render;
pub mod report;
pub mod rules;
pub mod ruletest;
pub mod scan;
pub(crate) mod settings;
pub mod source;
pub(crate) mod span;
pub(crate) mod suggest;
pub(crate) mod suppress;
