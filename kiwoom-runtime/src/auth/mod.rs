//! Access tokens: issue, refresh, storage, and keeping secrets out of errors and logs.

mod file_store;
pub(crate) mod manager;
pub mod redact;
pub mod store;
pub mod token;

pub use store::{
    FileTokenStore, IssueLock, MemoryTokenStore, StoreFuture, StoredToken, TokenStore,
};
pub use token::{AccessToken, parse_expires_dt};
