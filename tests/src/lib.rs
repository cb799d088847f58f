//! Shared helpers for the workspace integration tests.

pub mod runtime_support;
pub mod scripted;
pub mod spec_walk;

/// The README's Rust snippets, compiled (`no_run`) by `cargo test` so they cannot name things
/// that do not exist.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
