//! The hand-written runtime of kiwoom-rs: transport, token lifecycle, rate limits,
//! money-safe retries, paging and the WebSocket session. It knows no TR by name; the
//! generated crate describes each TR through the traits in [`tr`].

pub mod tr;

pub use tr::*;
