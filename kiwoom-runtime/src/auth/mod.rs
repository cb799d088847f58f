//! Access tokens: issue, refresh, storage.

pub(crate) mod manager;
pub mod store;
pub mod token;

pub use store::{FileTokenStore, MemoryTokenStore, StoredToken, TokenStore};
pub use token::{AccessToken, parse_expires_dt};
