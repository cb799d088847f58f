//! Where tokens are kept between calls and between processes.
//!
//! A store also decides who may issue: [`TokenStore::issue_lock`] lets one holder at a time
//! call au10001 for a key, so clients sharing a store (threads, processes, machines) issue
//! one token, not one each. The in-memory store needs no lock (the client's own single
//! flight covers its clones); the file store locks a file next to the token file; the Redis
//! store in `kiwoom-redis` uses a lock key with an expiry.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Mutex;

use chrono::{DateTime, Utc};
use futures::future::BoxFuture;
use secrecy::SecretString;

use crate::error::Error;

pub use super::file_store::FileTokenStore;

/// A token as stored: never the app key or the secret key, only a fingerprint of them, so
/// a token is never reused after the keys change.
#[derive(Clone, Debug)]
pub struct StoredToken {
    pub token: SecretString,
    /// Expiry in the server's clock (`expires_dt`, read as KST).
    pub expires_at: DateTime<Utc>,
    /// When the server issued it, in the server's clock (`Date` of the au10001 answer),
    /// when known: with `expires_at` it gives the token's lifetime, which bounds how early
    /// it is replaced.
    pub issued_at: Option<DateTime<Utc>>,
    /// SHA-256 over app key, secret key and base URL (see `Client`): a token issued for
    /// other keys or another environment is ignored.
    pub credential_fingerprint: String,
}

/// The future a store method returns.
pub type StoreFuture<'a, T> = BoxFuture<'a, Result<T, Error>>;

/// Keeps tokens keyed by a fingerprint of the app key and environment. Called only when a
/// token is missing or being replaced, never per request.
pub trait TokenStore: Send + Sync + fmt::Debug {
    fn load<'a>(&'a self, key: &'a str) -> StoreFuture<'a, Option<StoredToken>>;
    fn save<'a>(&'a self, key: &'a str, token: &'a StoredToken) -> StoreFuture<'a, ()>;
    fn remove<'a>(&'a self, key: &'a str) -> StoreFuture<'a, ()>;

    /// Wait for the exclusive right to issue a token for `key` among everyone sharing this
    /// store. The client holds it around au10001 (after it, it saves the token and releases
    /// the lock); whoever waited then finds the stored token instead of issuing one.
    /// `None`: the store has no cross-client lock (the client's own single flight remains).
    fn issue_lock<'a>(&'a self, key: &'a str) -> StoreFuture<'a, Option<IssueLock>> {
        let _ = key;
        Box::pin(async { Ok(None) })
    }
}

type Release = Box<dyn FnOnce() -> BoxFuture<'static, ()> + Send>;

/// The right to issue, held until [`IssueLock::release`] (or drop, which releases in the
/// background when a Tokio runtime is running; stores also give their locks an expiry).
pub struct IssueLock {
    release: Option<Release>,
}

impl IssueLock {
    /// A lock released by running `release`.
    pub fn new(release: impl FnOnce() -> BoxFuture<'static, ()> + Send + 'static) -> Self {
        IssueLock {
            release: Some(Box::new(release)),
        }
    }

    pub async fn release(mut self) {
        if let Some(r) = self.release.take() {
            r().await;
        }
    }
}

impl Drop for IssueLock {
    fn drop(&mut self) {
        if let Some(r) = self.release.take() {
            if let Ok(handle) = tokio::runtime::Handle::try_current() {
                handle.spawn(r());
            }
        }
    }
}

impl fmt::Debug for IssueLock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IssueLock")
            .field("held", &self.release.is_some())
            .finish()
    }
}

/// The default: tokens live as long as the process (and are shared by clients that share
/// the store).
#[derive(Debug, Default)]
pub struct MemoryTokenStore {
    tokens: Mutex<BTreeMap<String, StoredToken>>,
}

impl MemoryTokenStore {
    pub fn new() -> Self {
        Self::default()
    }

    fn tokens(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, StoredToken>> {
        self.tokens.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl TokenStore for MemoryTokenStore {
    fn load<'a>(&'a self, key: &'a str) -> StoreFuture<'a, Option<StoredToken>> {
        let found = self.tokens().get(key).cloned();
        Box::pin(async move { Ok(found) })
    }
    fn save<'a>(&'a self, key: &'a str, token: &'a StoredToken) -> StoreFuture<'a, ()> {
        self.tokens().insert(key.to_owned(), token.clone());
        Box::pin(async { Ok(()) })
    }
    fn remove<'a>(&'a self, key: &'a str) -> StoreFuture<'a, ()> {
        self.tokens().remove(key);
        Box::pin(async { Ok(()) })
    }
}
