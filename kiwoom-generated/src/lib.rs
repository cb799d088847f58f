//! Generated bindings (placeholder until the generator runs).
pub use kiwoom_runtime;
