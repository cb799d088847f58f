//! Tokens in Redis, with a lock key so that one process at a time issues.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use kiwoom_runtime::{Error, IssueLock, StoreFuture, StoredToken, TokenStore};
use redis::AsyncCommands;
use redis::aio::ConnectionManager;
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};

/// Deletes the lock only if it still holds our value: a lock that expired and was taken by
/// another process is not ours to release.
const RELEASE: &str = r"
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
";

/// A [`TokenStore`] shared by every process using the same Redis and prefix.
#[derive(Clone)]
pub struct RedisTokenStore {
    conn: ConnectionManager,
    prefix: String,
    lock_ttl: Duration,
    lock_wait: Duration,
}

impl std::fmt::Debug for RedisTokenStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisTokenStore")
            .field("prefix", &self.prefix)
            .field("lock_ttl", &self.lock_ttl)
            .finish_non_exhaustive()
    }
}

#[derive(Serialize, Deserialize)]
struct Entry {
    token: String,
    expires_at: DateTime<Utc>,
    #[serde(default)]
    issued_at: Option<DateTime<Utc>>,
    credential_fingerprint: String,
}

fn store_error(what: &str, e: impl std::fmt::Display) -> Error {
    Error::TokenStore(format!("redis: cannot {what}: {e}"))
}

impl RedisTokenStore {
    /// Keys under [`crate::DEFAULT_PREFIX`]; the issue lock expires after 15 s (a process
    /// that dies while issuing blocks the others that long at most) and waiters give up
    /// after 20 s.
    pub fn new(conn: ConnectionManager) -> Self {
        RedisTokenStore {
            conn,
            prefix: crate::DEFAULT_PREFIX.to_owned(),
            lock_ttl: Duration::from_secs(15),
            lock_wait: Duration::from_secs(20),
        }
    }

    /// Put every key under `prefix` (one Redis shared by several deployments or tests).
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// How long the issue lock lives if its holder never releases it. Keep it above the
    /// client's request timeout.
    pub fn lock_ttl(mut self, ttl: Duration) -> Self {
        self.lock_ttl = ttl.max(Duration::from_millis(100));
        self
    }

    fn token_key(&self, key: &str) -> String {
        format!("{}:token:{key}", self.prefix)
    }

    fn lock_key(&self, key: &str) -> String {
        format!("{}:token-issuer:{key}", self.prefix)
    }
}

/// A value no other holder uses: process, time and a counter (uniqueness, not secrecy).
fn lock_value() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!(
        "{}-{nanos}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

impl TokenStore for RedisTokenStore {
    fn load<'a>(&'a self, key: &'a str) -> StoreFuture<'a, Option<StoredToken>> {
        Box::pin(async move {
            let mut conn = self.conn.clone();
            let raw: Option<String> = conn
                .get(self.token_key(key))
                .await
                .map_err(|e| store_error("read the token", e))?;
            let Some(raw) = raw else { return Ok(None) };
            match serde_json::from_str::<Entry>(&raw) {
                Ok(e) => Ok(Some(StoredToken {
                    token: e.token.into(),
                    expires_at: e.expires_at,
                    issued_at: e.issued_at,
                    credential_fingerprint: e.credential_fingerprint,
                })),
                Err(e) => {
                    // Never a permanent failure: the next issue overwrites it.
                    tracing::warn!(
                        line = e.line(),
                        column = e.column(),
                        "stored token unreadable; ignoring it"
                    );
                    Ok(None)
                }
            }
        })
    }

    fn save<'a>(&'a self, key: &'a str, token: &'a StoredToken) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let entry = Entry {
                token: token.token.expose_secret().to_owned(),
                expires_at: token.expires_at,
                issued_at: token.issued_at,
                credential_fingerprint: token.credential_fingerprint.clone(),
            };
            let json = serde_json::to_string(&entry).map_err(|e| store_error("encode", e))?;
            let ttl_ms = (token.expires_at - Utc::now()).num_milliseconds().max(1000) as u64;
            let mut conn = self.conn.clone();
            let () = conn
                .pset_ex(self.token_key(key), json, ttl_ms)
                .await
                .map_err(|e| store_error("save the token", e))?;
            Ok(())
        })
    }

    fn remove<'a>(&'a self, key: &'a str) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let mut conn = self.conn.clone();
            let _: i64 = conn
                .del(self.token_key(key))
                .await
                .map_err(|e| store_error("remove the token", e))?;
            Ok(())
        })
    }

    fn issue_lock<'a>(&'a self, key: &'a str) -> StoreFuture<'a, Option<IssueLock>> {
        Box::pin(async move {
            let lock_key = self.lock_key(key);
            let value = lock_value();
            let started = Instant::now();
            let mut conn = self.conn.clone();
            loop {
                let taken: Option<String> = redis::cmd("SET")
                    .arg(&lock_key)
                    .arg(&value)
                    .arg("NX")
                    .arg("PX")
                    .arg(self.lock_ttl.as_millis() as u64)
                    .query_async(&mut conn)
                    .await
                    .map_err(|e| store_error("take the issue lock", e))?;
                if taken.is_some() {
                    break;
                }
                if started.elapsed() > self.lock_wait {
                    return Err(store_error(
                        "take the issue lock",
                        format!("another process held it for {:?}", self.lock_wait),
                    ));
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            let conn = self.conn.clone();
            Ok(Some(IssueLock::new(move || {
                Box::pin(async move {
                    let mut conn = conn;
                    let released: redis::RedisResult<i64> = redis::Script::new(RELEASE)
                        .key(&lock_key)
                        .arg(&value)
                        .invoke_async(&mut conn)
                        .await;
                    if let Err(e) = released {
                        tracing::warn!(error = %e, "could not release the token issue lock; it expires on its own");
                    }
                })
            })))
        })
    }
}
