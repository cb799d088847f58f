//! The token lifecycle: issue (au10001), reuse, refresh ahead of expiry, replace after a
//! token-invalid answer, and revoke (au10002), without ever storming au10001:
//!
//! - at most one au10001 in flight per client, and per store when the store has an issue
//!   lock (file and Redis stores do), whatever the clock says;
//! - at least `min_issue_interval` between two issues;
//! - a token is judged on the server's clock (learned from the `Date` of the au10001
//!   answer), so a host clock running ahead does not make every token look expired;
//! - the refresh margin shrinks to a quarter of the token's lifetime, so a short-lived
//!   token is used for most of its life;
//! - while a valid token is held, only one caller refreshes; the others keep using it, and
//!   a failed refresh keeps it in use and is retried with backoff;
//! - a failed issue (bad keys, a malformed or past `expires_dt`, a 5xx) with no valid token
//!   left is one error: calls during the backoff that follows get that error without
//!   sending anything.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use reqwest::header::{CONTENT_TYPE, DATE, HeaderValue};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::redact;
use super::store::{StoredToken, TokenStore};
use super::token::{AccessToken, effective_margin, parse_expires_dt};
use crate::error::Error;
use crate::error_code::KiwoomErrorCode;
use crate::return_code::{ReturnCode, resolve_code};

pub(crate) const JSON_UTF8: &str = "application/json;charset=UTF-8";

/// A token is not used in its last second: the request would arrive with it expired.
const EXPIRY_GUARD: chrono::Duration = chrono::Duration::seconds(1);
/// Kiwoom's tokens live 24 hours; the lifetime assumed for a stored token that does not
/// say when it was issued.
const DEFAULT_LIFETIME: chrono::Duration = chrono::Duration::hours(24);
/// Backoff after failed issues: doubles from `min_issue_interval` up to this.
const MAX_ISSUE_BACKOFF: Duration = Duration::from_secs(60);

/// How tokens are refreshed (set through `ClientBuilder`).
#[derive(Debug, Clone)]
pub(crate) struct TokenPolicy {
    pub margin: Duration,
    pub min_issue_interval: Duration,
    pub max_body_bytes: usize,
    /// Added to the host clock (tests simulate a clock running ahead).
    pub clock_offset: chrono::Duration,
}

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
    policy: TokenPolicy,
    store: Arc<dyn TokenStore>,
    current: RwLock<Option<Arc<AccessToken>>>,
    /// Held while issuing: whoever waits on it finds the new token when it gets it.
    refresh_lock: tokio::sync::Mutex<()>,
    generation: AtomicU64,
    state: Mutex<IssueState>,
}

#[derive(Debug, Default)]
struct IssueState {
    /// Server clock minus host clock, from the last au10001 answer's `Date`.
    skew: chrono::Duration,
    last_issue: Option<Instant>,
    failures: u32,
    retry_at: Option<Instant>,
    last_error: Option<(Option<KiwoomErrorCode>, String)>,
}

fn sha256_hex(parts: &[&[u8]]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update((p.len() as u64).to_be_bytes());
        h.update(p);
    }
    hex::encode(h.finalize())
}

/// A fingerprint of the app key and environment: names what the key's limits and tokens
/// are shared under (store keys, Redis keys) without revealing the key.
pub(crate) fn app_fingerprint(app_key: &SecretString, base_url: &str) -> String {
    sha256_hex(&[
        b"kiwoom-app-key",
        app_key.expose_secret().as_bytes(),
        base_url.as_bytes(),
    ])[..32]
        .to_owned()
}

impl TokenManager {
    pub(crate) fn new(
        http: reqwest::Client,
        base_url: &str,
        app_key: SecretString,
        secret_key: SecretString,
        policy: TokenPolicy,
        store: Arc<dyn TokenStore>,
    ) -> Self {
        let credential_fingerprint = sha256_hex(&[
            b"kiwoom-credentials",
            app_key.expose_secret().as_bytes(),
            secret_key.expose_secret().as_bytes(),
            base_url.as_bytes(),
        ]);
        TokenManager {
            http,
            token_url: format!("{base_url}/oauth2/token"),
            revoke_url: format!("{base_url}/oauth2/revoke"),
            store_key: app_fingerprint(&app_key, base_url),
            app_key,
            secret_key,
            credential_fingerprint,
            policy,
            store,
            current: RwLock::new(None),
            refresh_lock: tokio::sync::Mutex::new(()),
            generation: AtomicU64::new(0),
            state: Mutex::new(IssueState::default()),
        }
    }

    /// The store key (fingerprint of app key and environment).
    pub(crate) fn app_fingerprint(&self) -> &str {
        &self.store_key
    }

    fn state(&self) -> std::sync::MutexGuard<'_, IssueState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The server's clock as best known here.
    fn now(&self) -> DateTime<Utc> {
        Utc::now() + self.policy.clock_offset + self.state().skew
    }

    fn current(&self) -> Option<Arc<AccessToken>> {
        self.current
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    fn usable(t: &AccessToken, now: DateTime<Utc>) -> bool {
        now + EXPIRY_GUARD < t.expires_at
    }

    /// A valid token: the cached one, a stored one, or a newly issued one.
    pub(crate) async fn token(&self) -> Result<Arc<AccessToken>, Error> {
        let now = self.now();
        let held = self.current().filter(|t| Self::usable(t, now));
        if let Some(t) = held.as_ref().filter(|t| now < t.refresh_at) {
            return Ok(t.clone());
        }
        // Due for refresh. With a valid token in hand nobody waits: one caller refreshes,
        // the others keep using it.
        let _guard = match &held {
            Some(t) => match self.refresh_lock.try_lock() {
                Ok(g) => g,
                Err(_) => return Ok(t.clone()),
            },
            None => self.refresh_lock.lock().await,
        };
        let now = self.now();
        let held = self.current().filter(|t| Self::usable(t, now));
        if let Some(t) = held.as_ref().filter(|t| now < t.refresh_at) {
            return Ok(t.clone());
        }
        if let Some(wait) = self.issue_backoff() {
            return match held {
                Some(t) => Ok(t),
                None => Err(self.backoff_error(wait)),
            };
        }
        match self.load_or_issue(None).await {
            Ok(t) => Ok(t),
            Err(e) => {
                self.note_failure(&e);
                match held {
                    Some(t) => {
                        tracing::warn!(error = %e, expires_at = %t.expires_at, "token refresh failed; still using the current token");
                        Ok(t)
                    }
                    None => Err(e),
                }
            }
        }
    }

    /// The server refused the token of `stale_generation` (8005, 8031, 8103): replace it,
    /// unless another task already did, in which case the newer token is returned.
    pub(crate) async fn replace_rejected(
        &self,
        stale_generation: u64,
    ) -> Result<Arc<AccessToken>, Error> {
        let _guard = self.refresh_lock.lock().await;
        let stale = self.current();
        if let Some(t) = &stale {
            if t.generation != stale_generation && Self::usable(t, self.now()) {
                return Ok(t.clone());
            }
        }
        tracing::info!("token refused by the server; replacing it");
        let stale_secret = stale.map(|t| t.secret().expose_secret().to_owned());
        self.load_or_issue(stale_secret.as_deref())
            .await
            .inspect_err(|e| self.note_failure(e))
    }

    /// How long issuing must wait after recent failures.
    fn issue_backoff(&self) -> Option<Duration> {
        let state = self.state();
        state
            .retry_at
            .and_then(|at| at.checked_duration_since(Instant::now()))
            .filter(|d| !d.is_zero())
    }

    /// How long until `min_issue_interval` has passed since the last issue.
    fn floor_wait(&self) -> Option<Duration> {
        let state = self.state();
        state
            .last_issue
            .map(|at| self.policy.min_issue_interval.saturating_sub(at.elapsed()))
            .filter(|d| !d.is_zero())
    }

    fn note_failure(&self, e: &Error) {
        let mut state = self.state();
        state.failures += 1;
        let base = self
            .policy
            .min_issue_interval
            .max(Duration::from_millis(500));
        let backoff = base
            .saturating_mul(1 << state.failures.saturating_sub(1).min(16))
            .min(MAX_ISSUE_BACKOFF);
        state.retry_at = Some(Instant::now() + backoff);
        state.last_error = Some(match e {
            Error::Auth { code, message } => (*code, message.clone()),
            other => (other.kiwoom_code(), other.to_string()),
        });
    }

    fn backoff_error(&self, wait: Duration) -> Error {
        let state = self.state();
        let (code, last) = state.last_error.clone().unwrap_or_default();
        Error::Auth {
            code,
            message: format!(
                "no valid token: the last token issue failed ({last}); {} failure(s) in a row, next attempt in {} ms (nothing sent)",
                state.failures,
                wait.as_millis()
            ),
        }
    }

    /// Under the store's issue lock: take a usable stored token (one other than `stale`)
    /// or issue one.
    async fn load_or_issue(&self, stale: Option<&str>) -> Result<Arc<AccessToken>, Error> {
        let lock = match self.store.issue_lock(&self.store_key).await {
            Ok(lock) => lock,
            Err(e) => {
                // Costs at most one token per client while the store is down, not the call.
                tracing::warn!(error = %e, "token store issue lock unavailable; issuing without it");
                None
            }
        };
        let result = self.load_or_issue_locked(stale).await;
        if let Some(lock) = lock {
            lock.release().await;
        }
        result
    }

    async fn load_or_issue_locked(&self, stale: Option<&str>) -> Result<Arc<AccessToken>, Error> {
        match self.store.load(&self.store_key).await {
            Ok(Some(stored)) if stored.credential_fingerprint == self.credential_fingerprint => {
                let now = self.now();
                let refresh_at = self.refresh_at(&stored);
                let replaced = stale.is_some_and(|s| s == stored.token.expose_secret());
                if !replaced && now < refresh_at && now + EXPIRY_GUARD < stored.expires_at {
                    tracing::debug!(expires_at = %stored.expires_at, "using the stored token");
                    return self.install(&stored);
                }
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "token store unreadable; issuing a token"),
        }
        // Never issue back to back, whatever the clock or the server says.
        if let Some(wait) = self.floor_wait() {
            tracing::debug!(
                wait_ms = wait.as_millis() as u64,
                "waiting for the minimum interval between token issues"
            );
            tokio::time::sleep(wait).await;
        }
        let issued = self.issue().await;
        crate::metrics::token_issue(&issued);
        let stored = issued?;
        // A store that cannot be written costs a token per process, not the call.
        if let Err(e) = self.store.save(&self.store_key, &stored).await {
            tracing::warn!(error = %e, "could not save the token");
        }
        self.install(&stored)
    }

    fn refresh_at(&self, t: &StoredToken) -> DateTime<Utc> {
        let lifetime = t
            .issued_at
            .map_or(DEFAULT_LIFETIME, |issued| t.expires_at - issued);
        t.expires_at - effective_margin(self.policy.margin, lifetime)
    }

    fn install(&self, stored: &StoredToken) -> Result<Arc<AccessToken>, Error> {
        let generation = self.generation.fetch_add(1, Ordering::Relaxed) + 1;
        let token = Arc::new(
            AccessToken::with_refresh_at(
                stored.token.clone(),
                stored.expires_at,
                self.refresh_at(stored),
                generation,
            )
            .map_err(|m| Error::Auth {
                code: None,
                message: m,
            })?,
        );
        *self.current.write().unwrap_or_else(|p| p.into_inner()) = Some(token.clone());
        let mut state = self.state();
        state.failures = 0;
        state.retry_at = None;
        state.last_error = None;
        Ok(token)
    }

    fn auth_error(&self, code: Option<KiwoomErrorCode>, message: String) -> Error {
        Error::Auth {
            code,
            message: redact::scrub_known(
                &redact::redact_secret_values(&message),
                &[
                    self.app_key.expose_secret(),
                    self.secret_key.expose_secret(),
                ],
            ),
        }
    }

    async fn issue(&self) -> Result<StoredToken, Error> {
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
        .map_err(|e| self.auth_error(None, e.to_string()))?;
        let started = Instant::now();
        self.state().last_issue = Some(started);
        let (bytes, server_date) = self.post("au10001", &self.token_url, body).await?;
        // serde's messages quote the offending value, which may be the token: keep only
        // the kind of error and its position.
        let reply: IssueReply = serde_json::from_slice(&bytes).map_err(|e| {
            self.auth_error(
                None,
                format!(
                    "au10001 answer is not the token JSON ({:?} error at line {} column {}; {} bytes withheld)",
                    e.classify(),
                    e.line(),
                    e.column(),
                    bytes.len()
                ),
            )
        })?;
        if let Some(rc) = reply.return_code.as_ref().filter(|rc| !rc.is_success()) {
            let msg = reply.return_msg.unwrap_or_default();
            let code = resolve_code(Some(rc), Some(&msg));
            return Err(self.auth_error(Some(code), format!("au10001 refused ({rc}): {msg}")));
        }
        let token = reply
            .token
            .filter(|t| !t.is_empty())
            .ok_or_else(|| self.auth_error(None, "au10001 answer has no token".into()))?;
        let raw_exp = reply.expires_dt.unwrap_or_default();
        let expires_at = parse_expires_dt(&raw_exp)
            .map_err(|m| self.auth_error(None, format!("au10001: {m}")))?;
        // Learn the server's clock; judge the token on it.
        let local_now = Utc::now() + self.policy.clock_offset;
        let server_now = match server_date {
            Some(date) => {
                let skew = date - local_now;
                if skew.num_seconds().abs() > 5 {
                    tracing::warn!(
                        skew_s = skew.num_seconds(),
                        "host clock differs from the server's; judging tokens on the server's clock"
                    );
                }
                self.state().skew = skew;
                date
            }
            None => local_now + self.state().skew,
        };
        if expires_at <= server_now + EXPIRY_GUARD {
            return Err(self.auth_error(
                None,
                format!(
                    "au10001 answered a token that is already expired (expires_dt {raw_exp}, server time {server_now})"
                ),
            ));
        }
        tracing::info!(%expires_at, latency_ms = started.elapsed().as_millis() as u64, "token issued");
        Ok(StoredToken {
            token: SecretString::from(token),
            expires_at,
            issued_at: Some(server_now),
            credential_fingerprint: self.credential_fingerprint.clone(),
        })
    }

    /// Revoke the current token (au10002) and forget it, here and in the store.
    pub(crate) async fn revoke(&self) -> Result<(), Error> {
        let _guard = self.refresh_lock.lock().await;
        let current = self
            .current
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        if let Err(e) = self.store.remove(&self.store_key).await {
            tracing::warn!(error = %e, "could not remove the token from the store");
        }
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
        .map_err(|e| self.auth_error(None, e.to_string()))?;
        let (bytes, _) = self.post("au10002", &self.revoke_url, body).await?;
        let env: crate::return_code::Envelope = serde_json::from_slice(&bytes).unwrap_or_default();
        if !env.is_success() {
            return Err(self.auth_error(
                Some(env.error_code()),
                format!("au10002 refused: {}", env.return_msg.unwrap_or_default()),
            ));
        }
        tracing::info!("token revoked");
        Ok(())
    }

    /// POST an OAuth request; the body of the answer (bounded) and its `Date`.
    async fn post(
        &self,
        api_id: &'static str,
        url: &str,
        body: Vec<u8>,
    ) -> Result<(bytes::Bytes, Option<DateTime<Utc>>), Error> {
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
        if status.is_redirection() {
            return Err(Error::Auth {
                code: None,
                message: format!(
                    "{api_id}: HTTP {status}: redirect refused (Kiwoom never redirects; the keys were not sent on)"
                ),
            });
        }
        let date = resp
            .headers()
            .get(DATE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| DateTime::parse_from_rfc2822(v).ok())
            .map(|d| d.with_timezone(&Utc));
        let bytes = crate::call::read_body(api_id, resp, self.policy.max_body_bytes)
            .await
            .map_err(|e| match e {
                crate::call::BodyError::Transport(e) => fail(e),
                crate::call::BodyError::TooLarge(e) => e,
            })?;
        if !status.is_success() {
            let env: crate::return_code::Envelope =
                serde_json::from_slice(&bytes).unwrap_or_default();
            return Err(self.auth_error(
                env.return_code.as_ref().map(|_| env.error_code()),
                format!(
                    "{api_id}: HTTP {status}: {}",
                    env.return_msg.unwrap_or_default()
                ),
            ));
        }
        Ok((bytes, date))
    }
}

impl std::fmt::Debug for TokenManager {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenManager")
            .field("token_url", &self.token_url)
            .field("store_key", &self.store_key)
            .field("policy", &self.policy)
            .field("store", &self.store)
            .finish_non_exhaustive()
    }
}
