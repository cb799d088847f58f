//! One Kiwoom app key shared by many processes (or machines): a Redis token store and a
//! Redis rate limiter for `kiwoom-runtime`.
//!
//! Kiwoom's limits are per app key: tokens (each au10001 may revoke the previous token),
//! requests per second, orders per second. Processes that each keep their own token and
//! their own limiter issue one token each and, together, exceed the rate. With these two
//! pieces they share both:
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use std::sync::Arc;
//! use kiwoom_redis::{RedisRateLimiter, RedisTokenStore};
//! use kiwoom_runtime::{Client, Environment, RateLimits};
//!
//! let redis = kiwoom_redis::connect("redis://127.0.0.1:6379/").await?;
//! let client = Client::builder()
//!     .environment(Environment::Real)
//!     .app_key(std::env::var("KIWOOM_APP_KEY")?)
//!     .secret_key(std::env::var("KIWOOM_SECRET_KEY")?)
//!     .token_store(Arc::new(RedisTokenStore::new(redis.clone())))
//!     .rate_limiter(Arc::new(RedisRateLimiter::new(redis, RateLimits::real())))
//!     .build()?;
//! # Ok(()) }
//! ```
//!
//! - Tokens: one au10001 per app key across every process. The first process that needs
//!   a token takes a lock key with an expiry (`SET NX PX`), issues, stores the token (with
//!   a Redis expiry at the token's own) and releases the lock; the others wait for the lock
//!   and then find the stored token.
//! - Rate: the query and order budgets (and any per-path / per-TR limit) are GCRA buckets
//!   updated by one Lua script on Redis's clock, so every process reserves its slot from
//!   the same schedule. A rate-limit answer from Kiwoom is backed off and resent exactly as
//!   with the local limiter.
//! - Redis down: see [`OutagePolicy`]. The default paces each process locally at the full
//!   configured rate (never unlimited); tokens are then issued without the shared lock (at
//!   most one per process) and kept in each process.
//!
//! Keys are named `{prefix}:…:{fingerprint}` where the fingerprint is a hash of the app key
//! and environment, never the key. The token itself is stored in Redis: protect the server
//! as you would the token (bind to loopback or a private network, `requirepass`/ACL, TLS).

mod connect;
mod rate_limiter;
mod token_store;

pub use connect::{connect, connect_with};
pub use rate_limiter::{DEFAULT_HEADROOM, OutagePolicy, RedisRateLimiter};
pub use redis;
pub use redis::aio::ConnectionManager;
pub use token_store::RedisTokenStore;

/// The default key prefix.
pub const DEFAULT_PREFIX: &str = "kiwoom";
