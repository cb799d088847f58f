//! The token lifecycle: issue (au10001), reuse, refresh ahead of expiry with exactly one
//! request in flight, replace after a token-invalid answer, and revoke (au10002).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use chrono::Utc;
use reqwest::header::{CONTENT_TYPE, HeaderValue};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::store::{StoredToken, TokenStore};
use super::token::{AccessToken, needs_refresh, parse_expires_dt};
use crate::error::Error;
use crate::return_code::{ReturnCode, resolve_code};

pub(crate) const JSON_UTF8: &str = "application/json;charset=UTF-8";

pub(crate) struct TokenManager {
    http: reqwest::Client,
    token_url: String,
    revoke_url: String,
    app_key: SecretString,
    secret_key: SecretString,
    /// Store key: a fingerprint of app key and environment, never the key itself.
    store_key: String,
    /// Fingerprint of both keys and the environment; a stored token must match it.
    credential_fingerprint: String,
    margin: Duration,
    store: Arc<dyn TokenStore>,
    current: RwLock<Option<Arc<AccessToken>>>,
    /// Held while issuing: whoever waits on it finds the new token when it gets it, so
    /// many tasks asking at once cause one au10001 call.
    refresh_lock: tokio::sync::Mutex<()>,
    generation: AtomicU64,
}

fn sha256_hex(parts: &[&[u8]]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update((p.len() as u64).to_be_bytes());
        h.update(p);
    }
    hex::encode(h.finalize())
}

impl TokenManager {
    pub(crate) fn new(
        http: reqwest::Client,
        base_url: &str,
        app_key: SecretString,
        secret_key: SecretString,
        margin: Duration,
        store: Arc<dyn TokenStore>,
    ) -> Self {
        let ak = app_key.expose_secret().as_bytes();
        let store_key = sha256_hex(&[b"kiwoom-app-key", ak, base_url.as_bytes()])[..32].to_owned();
        let credential_fingerprint = sha256_hex(&[
            b"kiwoom-credentials",
            ak,
            secret_key.expose_secret().as_bytes(),
            base_url.as_bytes(),
        ]);
        TokenManager {
            http,
            token_url: format!("{base_url}/oauth2/token"),
            revoke_url: format!("{base_url}/oauth2/revoke"),
            app_key,
            secret_key,
            store_key,
            credential_fingerprint,
            margin,
            store,
            current: RwLock::new(None),
            refresh_lock: tokio::sync::Mutex::new(()),
            generation: AtomicU64::new(0),
        }
    }

    fn fresh_current(&self) -> Option<Arc<AccessToken>> {
        let guard = self.current.read().unwrap_or_else(|p| p.into_inner());
        guard
            .as_ref()
            .filter(|t| !t.needs_refresh(Utc::now(), self.margin))
            .cloned()
    }

    /// A token valid for at least the refresh margin: the cached one, a stored one, or a
    /// newly issued one.
    pub(crate) async fn token(&self) -> Result<Arc<AccessToken>, Error> {
        if let Some(t) = self.fresh_current() {
            return Ok(t);
        }
        let _guard = self.refresh_lock.lock().await;
        if let Some(t) = self.fresh_current() {
            return Ok(t);
        }
        if let Some(stored) = self.store.load(&self.store_key)? {
            if stored.credential_fingerprint == self.credential_fingerprint
                && !needs_refresh(stored.expires_at, Utc::now(), self.margin)
            {
                tracing::debug!(expires_at = %stored.expires_at, "reusing stored token");
                return self.install(stored.token, stored.expires_at);
            }
        }
        self.issue_and_install().await
    }

    /// The server refused `stale` (8005, 8031, 8103): replace it, unless another task
    /// already did, in which case the newer token is returned without a second issue.
    pub(crate) async fn replace_rejected(
        &self,
        stale_generation: u64,
    ) -> Result<Arc<AccessToken>, Error> {
        let _guard = self.refresh_lock.lock().await;
        if let Some(t) = self.fresh_current() {
            if t.generation != stale_generation {
                return Ok(t);
            }
        }
        tracing::info!("token refused by the server; issuing a new one");
        self.issue_and_install().await
    }

    fn install(
        &self,
        secret: SecretString,
        expires_at: chrono::DateTime<Utc>,
    ) -> Result<Arc<AccessToken>, Error> {
        let generation = self.generation.fetch_add(1, Ordering::Relaxed) + 1;
        let token = Arc::new(
            AccessToken::new(secret, expires_at, generation).map_err(|m| Error::Auth {
                code: None,
                message: m,
            })?,
        );
        *self.current.write().unwrap_or_else(|p| p.into_inner()) = Some(token.clone());
        Ok(token)
    }

    async fn issue_and_install(&self) -> Result<Arc<AccessToken>, Error> {
        let (secret, expires_at) = self.issue().await?;
        let stored = StoredToken {
            token: secret.clone(),
            expires_at,
            credential_fingerprint: self.credential_fingerprint.clone(),
        };
        // A store that cannot be written costs a token per process, not the call.
        if let Err(e) = self.store.save(&self.store_key, &stored) {
            tracing::warn!(error = %e, "could not save the token");
        }
        self.install(secret, expires_at)
    }

    async fn issue(&self) -> Result<(SecretString, chrono::DateTime<Utc>), Error> {
        #[derive(Serialize)]
        struct IssueBody<'a> {
            grant_type: &'static str,
            appkey: &'a str,
            secretkey: &'a str,
        }
        #[derive(Deserialize)]
        struct IssueReply {
            token: Option<String>,
            expires_dt: Option<String>,
            return_code: Option<ReturnCode>,
            return_msg: Option<String>,
        }
        let body = serde_json::to_vec(&IssueBody {
            grant_type: "client_credentials",
            appkey: self.app_key.expose_secret(),
            secretkey: self.secret_key.expose_secret(),
        })
        .map_err(|e| Error::Auth {
            code: None,
            message: e.to_string(),
        })?;
        let started = std::time::Instant::now();
        let bytes = self.post("au10001", &self.token_url, body).await?;
        let reply: IssueReply = serde_json::from_slice(&bytes).map_err(|e| Error::Auth {
            code: None,
            message: format!("au10001 answer is not the token JSON: {e}"),
        })?;
        if let Some(rc) = reply.return_code.as_ref().filter(|rc| !rc.is_success()) {
            let msg = reply.return_msg.unwrap_or_default();
            let code = resolve_code(Some(rc), Some(&msg));
            return Err(Error::Auth {
                code: Some(code),
                message: format!("au10001 refused ({rc}): {msg}"),
            });
        }
        let secret = reply
            .token
            .filter(|t| !t.is_empty())
            .map(SecretString::from)
            .ok_or_else(|| Error::Auth {
                code: None,
                message: "au10001 answer has no token".into(),
            })?;
        let raw_exp = reply.expires_dt.unwrap_or_default();
        let expires_at = parse_expires_dt(&raw_exp).map_err(|m| Error::Auth {
            code: None,
            message: m,
        })?;
        tracing::info!(%expires_at, latency_ms = started.elapsed().as_millis() as u64, "token issued");
        Ok((secret, expires_at))
    }

    /// Revoke the current token (au10002) and forget it, here and in the store.
    pub(crate) async fn revoke(&self) -> Result<(), Error> {
        let _guard = self.refresh_lock.lock().await;
        let current = self
            .current
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        let _ = self.store.remove(&self.store_key);
        let Some(token) = current else { return Ok(()) };
        #[derive(Serialize)]
        struct RevokeBody<'a> {
            appkey: &'a str,
            secretkey: &'a str,
            token: &'a str,
        }
        let body = serde_json::to_vec(&RevokeBody {
            appkey: self.app_key.expose_secret(),
            secretkey: self.secret_key.expose_secret(),
            token: token.secret().expose_secret(),
        })
        .map_err(|e| Error::Auth {
            code: None,
            message: e.to_string(),
        })?;
        let bytes = self.post("au10002", &self.revoke_url, body).await?;
        let env: crate::return_code::Envelope = serde_json::from_slice(&bytes).unwrap_or_default();
        if !env.is_success() {
            return Err(Error::Auth {
                code: Some(env.error_code()),
                message: format!("au10002 refused: {}", env.return_msg.unwrap_or_default()),
            });
        }
        tracing::info!("token revoked");
        Ok(())
    }

    async fn post(
        &self,
        api_id: &'static str,
        url: &str,
        body: Vec<u8>,
    ) -> Result<bytes::Bytes, Error> {
        let fail = |e: reqwest::Error| Error::Auth {
            code: None,
            // reqwest errors name the URL, never headers or body.
            message: format!("{api_id} request failed: {e}"),
        };
        let resp = self
            .http
            .post(url)
            .header("api-id", HeaderValue::from_static(api_id))
            .header(CONTENT_TYPE, HeaderValue::from_static(JSON_UTF8))
            .body(body)
            .send()
            .await
            .map_err(fail)?;
        let status = resp.status();
        let bytes = resp.bytes().await.map_err(fail)?;
        if !status.is_success() {
            let env: crate::return_code::Envelope =
                serde_json::from_slice(&bytes).unwrap_or_default();
            return Err(Error::Auth {
                code: env.return_code.as_ref().map(|_| env.error_code()),
                message: format!(
                    "{api_id}: HTTP {status}: {}",
                    env.return_msg.unwrap_or_default()
                ),
            });
        }
        Ok(bytes)
    }
}

impl std::fmt::Debug for TokenManager {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenManager")
            .field("token_url", &self.token_url)
            .field("store_key", &self.store_key)
            .field("margin", &self.margin)
            .field("store", &self.store)
            .finish_non_exhaustive()
    }
}
