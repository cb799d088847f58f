//! Shared helpers for the workspace integration tests.

pub mod runtime_support;
pub mod scripted;
pub mod spec_walk;
