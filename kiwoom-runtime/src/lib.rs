//! The hand-written runtime of kiwoom-rs: transport, token lifecycle, rate limits,
//! money-safe retries, paging and the WebSocket session. It knows no TR by name; the
//! generated crate describes each TR through the traits in [`tr`].
//!
//! Retry rules, in one place ([`call`]):
//! - a rate-limit answer (HTTP 429, 1700, 1701, 1702) was not processed: back off and
//!   resend, orders included;
//! - a token-invalid answer (8005, 8031, 8103) was not processed: replace the token once
//!   and resend, orders included;
//! - a timeout, broken connection or 5xx on an order: never resent,
//!   [`Error::OutcomeUnknown`];
//! - the same on a query: resent with backoff, a bounded number of times;
//! - anything else (bad input, 1687, 1634, decode errors): returned as is.
//!
//! # Logging and secrets
//!
//! The runtime logs through `tracing` and never records the app key, secret key or token:
//! the `Authorization` header value is marked sensitive and every secret type redacts its
//! `Debug` output. Per request it opens a `kiwoom_request` span at DEBUG level (api-id,
//! page, attempt, status, return code, latency); with no subscriber interested in it, it
//! costs next to nothing.
//!
//! Dependencies are another matter, and the runtime cannot filter them: it installs no
//! global logger or subscriber (a library must not), so it has no say over what another
//! crate writes. In particular `tungstenite` writes every WebSocket frame it sends or
//! receives, payload included, at TRACE level through the `log` crate (targets
//! `tungstenite::protocol` and `tungstenite::protocol::frame`). The WebSocket LOGIN frame
//! carries the access token, so an application that turns on TRACE for everything (and
//! bridges `log` into `tracing`, as `tracing-subscriber`'s default features do) writes the
//! token to its logs. Keep those targets at DEBUG or below, for example with
//! `tracing_subscriber::EnvFilter`:
//!
//! ```text
//! RUST_LOG=info,kiwoom_runtime=debug,tungstenite=off,tokio_tungstenite=off
//! ```
//!
//! or in code, `EnvFilter::new("info,tungstenite=off")`; with `env_logger`, the same
//! directives in `RUST_LOG`. A filter only on `kiwoom_runtime` does not help: the frames
//! are logged under `tungstenite`'s own targets.

pub mod auth;
pub mod batch;
pub mod cache;
pub mod call;
mod client;
pub mod codec;
pub mod error;
pub mod error_code;
pub mod limiter;
pub mod market_rules;
pub mod metrics;
mod paging;
mod real_values;
mod registry;
pub mod retry;
pub mod return_code;
pub mod tr;
pub mod ws;

pub use auth::{
    AccessToken, FileTokenStore, IssueLock, MemoryTokenStore, StoreFuture, StoredToken, TokenStore,
};
pub use batch::{Batch, BatchCancel, BatchItem, BatchStream, BatchSummary};
pub use cache::{CacheConfig, CacheGroup, ResponseCache};
pub use call::{Call, Page, Pending};
pub use client::{Client, ClientBuilder, DEFAULT_MAX_RESPONSE_BYTES, Environment};
pub use error::{Error, RequestSent};
pub use error_code::{ErrorClass, KiwoomErrorCode, RetryAdvice, UnknownCode};
pub use limiter::{LocalRateLimiter, Rate, RateLimiter, RateLimits};
pub use paging::{ItemStream, PageStream};
pub use retry::RetryPolicy;
pub use return_code::ReturnCode;
pub use tr::*;
pub use ws::{
    ConnectionState, EventStream, Gap, RealtimeSession, SessionEvent, TypedEvent, TypedEventStream,
    WsConfig, WsItem,
};
