//! `Client` and its builder.

use std::sync::Arc;
use std::time::Duration;

use secrecy::SecretString;

use crate::auth::manager::{TokenManager, TokenPolicy};
use crate::auth::{MemoryTokenStore, TokenStore};
use crate::call::Call;
use crate::error::Error;
use crate::limiter::{Limiter, Pacer, RateLimiter, RateLimits};
use crate::retry::RetryPolicy;
use crate::tr::TrRequest;
use crate::ws::WsConfig;

/// Which Kiwoom servers to talk to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Environment {
    /// Production: `https://api.kiwoom.com`, `wss://api.kiwoom.com:10000`.
    Real,
    /// Mock trading (모의투자): `https://mockapi.kiwoom.com`, `wss://mockapi.kiwoom.com:10000`.
    Mock,
    /// Anything else, e.g. a local simulator: `http://127.0.0.1:PORT`, `ws://127.0.0.1:PORT`.
    /// The WebSocket paths are appended by the client.
    Custom { base_url: String, ws_url: String },
}

impl Environment {
    fn urls(&self) -> (String, String) {
        let (b, w) = match self {
            Environment::Real => ("https://api.kiwoom.com", "wss://api.kiwoom.com:10000"),
            Environment::Mock => (
                "https://mockapi.kiwoom.com",
                "wss://mockapi.kiwoom.com:10000",
            ),
            Environment::Custom { base_url, ws_url } => (base_url.as_str(), ws_url.as_str()),
        };
        (
            b.trim_end_matches('/').to_owned(),
            w.trim_end_matches('/').to_owned(),
        )
    }
}

/// Builds a [`Client`]. Keys are held in secret types; Debug never shows them.
#[derive(Debug, Default)]
pub struct ClientBuilder {
    environment: Option<Environment>,
    app_key: Option<SecretString>,
    secret_key: Option<SecretString>,
    timeout: Option<Duration>,
    connect_timeout: Option<Duration>,
    refresh_margin: Option<Duration>,
    token_store: Option<Arc<dyn TokenStore>>,
    rate_limits: Option<RateLimits>,
    rate_limiter: Option<Arc<dyn RateLimiter>>,
    retry: Option<RetryPolicy>,
    ws: Option<WsConfig>,
    max_response_bytes: Option<usize>,
    min_token_issue_interval: Option<Duration>,
    clock_offset: Option<chrono::Duration>,
    /// `None`: the default for the environment; `Some(None)`: off.
    market_rules: Option<Option<crate::market_rules::OrderRules>>,
    cache: Option<crate::cache::CacheConfig>,
}

/// Default [`ClientBuilder::max_response_bytes`]: far above any answer Kiwoom sends (the
/// largest paged answers are a few hundred kilobytes), far below what hurts a process.
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 32 * 1024 * 1024;

impl ClientBuilder {
    /// Required: there is no default, so a bot never trades on production by accident.
    pub fn environment(mut self, env: Environment) -> Self {
        self.environment = Some(env);
        self
    }

    pub fn app_key(mut self, key: impl Into<String>) -> Self {
        self.app_key = Some(SecretString::from(key.into()));
        self
    }

    pub fn secret_key(mut self, key: impl Into<String>) -> Self {
        self.secret_key = Some(SecretString::from(key.into()));
        self
    }

    /// Whole-request timeout (connect, send, answer). Default 10 s. For an order, reaching
    /// it means the outcome is unknown.
    pub fn timeout(mut self, d: Duration) -> Self {
        self.timeout = Some(d);
        self
    }

    /// Connection setup timeout. Default 5 s. A request whose connection never opened was
    /// not sent, so it is safe to retry, orders included.
    pub fn connect_timeout(mut self, d: Duration) -> Self {
        self.connect_timeout = Some(d);
        self
    }

    /// Replace the token this long before `expires_dt`. Default 5 minutes. For a token
    /// living less than four times the margin, a quarter of its lifetime is used instead.
    pub fn refresh_margin(mut self, d: Duration) -> Self {
        self.refresh_margin = Some(d);
        self
    }

    /// Where tokens are kept. Default: in memory, for this client and its clones.
    pub fn token_store(mut self, store: Arc<dyn TokenStore>) -> Self {
        self.token_store = Some(store);
        self
    }

    /// The least time between two token issues (au10001) by this client, whatever the
    /// clock or the server says. Default 1 s.
    pub fn min_token_issue_interval(mut self, d: Duration) -> Self {
        self.min_token_issue_interval = Some(d);
        self
    }

    /// The largest answer body read, in bytes (default [`DEFAULT_MAX_RESPONSE_BYTES`],
    /// 32 MiB). Reading stops there with [`Error::BodyTooLarge`] naming the TR.
    pub fn max_response_bytes(mut self, n: usize) -> Self {
        self.max_response_bytes = Some(n.max(1));
        self
    }

    /// Pretend the host clock is `offset` ahead (negative: behind). For tests of clock
    /// skew; tokens are judged on the server's clock learned from its `Date` header.
    #[doc(hidden)]
    pub fn wall_clock_offset(mut self, offset: chrono::Duration) -> Self {
        self.clock_offset = Some(offset);
        self
    }

    /// Pace requests with this limiter instead of the local buckets built from
    /// [`ClientBuilder::rate_limits`]: e.g. `kiwoom_redis::RedisRateLimiter`, which shares
    /// an app key's budgets between processes.
    pub fn rate_limiter(mut self, limiter: Arc<dyn RateLimiter>) -> Self {
        self.rate_limiter = Some(limiter);
        self
    }

    /// Client-side rate limits. Default: [`RateLimits::real`] for Real and Custom,
    /// [`RateLimits::mock`] for Mock.
    pub fn rate_limits(mut self, limits: RateLimits) -> Self {
        self.rate_limits = Some(limits);
        self
    }

    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// The market rules orders are checked against before they are sent (tick grid, price
    /// limits, session and order type, holidays); `None` turns the check off. Default: on
    /// for `Real` and `Mock` (Kiwoom's servers follow the exchange calendar), off for a
    /// `Custom` URL such as a local simulator with a clock of its own.
    pub fn market_rules(mut self, rules: Option<crate::market_rules::OrderRules>) -> Self {
        self.market_rules = Some(rules);
        self
    }

    /// Keep answers of reference-data TRs (stock lists, code tables) for a while; off by
    /// default. Never account or order TRs. See [`crate::cache`].
    pub fn response_cache(mut self, config: crate::cache::CacheConfig) -> Self {
        self.cache = Some(config);
        self
    }

    pub fn websocket(mut self, config: WsConfig) -> Self {
        self.ws = Some(config);
        self
    }

    pub fn build(self) -> Result<Client, Error> {
        use secrecy::ExposeSecret;
        let env = self.environment.ok_or_else(|| {
            Error::Config("environment is required (Real, Mock or Custom)".into())
        })?;
        let app_key = self
            .app_key
            .filter(|k| !k.expose_secret().trim().is_empty())
            .ok_or_else(|| Error::Config("app_key is required".into()))?;
        let secret_key = self
            .secret_key
            .filter(|k| !k.expose_secret().trim().is_empty())
            .ok_or_else(|| Error::Config("secret_key is required".into()))?;
        let (base_url, ws_url) = env.urls();
        for (name, url, schemes) in [
            ("base_url", &base_url, ["http", "https"]),
            ("ws_url", &ws_url, ["ws", "wss"]),
        ] {
            let parsed =
                url::Url::parse(url).map_err(|e| Error::Config(format!("{name} {url:?}: {e}")))?;
            if !schemes.contains(&parsed.scheme()) {
                return Err(Error::Config(format!(
                    "{name} {url:?} must use {} or {}",
                    schemes[0], schemes[1]
                )));
            }
        }
        let timeout = self.timeout.unwrap_or(Duration::from_secs(10));
        let http = reqwest::Client::builder()
            // Kiwoom never redirects an API call. Following one would send an order, the
            // keys or the token wherever the answer points.
            .redirect(reqwest::redirect::Policy::none())
            .timeout(timeout)
            .connect_timeout(self.connect_timeout.unwrap_or(Duration::from_secs(5)))
            .pool_idle_timeout(Duration::from_secs(60))
            .tcp_nodelay(true)
            .user_agent(concat!("kiwoom-rs/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| Error::Config(format!("HTTP client: {e}")))?;
        let limits = self.rate_limits.unwrap_or_else(|| match env {
            Environment::Mock => RateLimits::mock(),
            _ => RateLimits::real(),
        });
        let max_body_bytes = self
            .max_response_bytes
            .unwrap_or(DEFAULT_MAX_RESPONSE_BYTES);
        let auth = TokenManager::new(
            http.clone(),
            &base_url,
            app_key,
            secret_key,
            TokenPolicy {
                margin: self.refresh_margin.unwrap_or(Duration::from_secs(300)),
                min_issue_interval: self
                    .min_token_issue_interval
                    .unwrap_or(Duration::from_secs(1)),
                max_body_bytes,
                clock_offset: self.clock_offset.unwrap_or_else(chrono::Duration::zero),
            },
            self.token_store
                .unwrap_or_else(|| Arc::new(MemoryTokenStore::new())),
        );
        let limiter = match self.rate_limiter {
            Some(shared) => Pacer::Shared(shared),
            None => Pacer::Local(Limiter::new(&limits)),
        };
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                base_url,
                ws_url,
                auth,
                limiter,
                max_body_bytes,
                retry: self.retry.unwrap_or_default(),
                timeout,
                ws: self.ws.unwrap_or_default(),
                urls: Default::default(),
                cache: self.cache.as_ref().map(crate::cache::ResponseCache::new),
                market_rules: self.market_rules.unwrap_or_else(|| match env {
                    Environment::Real | Environment::Mock => {
                        Some(crate::market_rules::OrderRules::default())
                    }
                    Environment::Custom { .. } => None,
                }),
            }),
        })
    }
}

/// The Kiwoom client. Cheap to clone; clones share the connection pool, the token and the
/// rate limiter.
#[derive(Clone, Debug)]
pub struct Client {
    pub(crate) inner: Arc<Inner>,
}

#[derive(Debug)]
pub(crate) struct Inner {
    pub(crate) http: reqwest::Client,
    pub(crate) base_url: String,
    pub(crate) ws_url: String,
    pub(crate) auth: TokenManager,
    pub(crate) limiter: Pacer,
    pub(crate) max_body_bytes: usize,
    pub(crate) retry: RetryPolicy,
    pub(crate) timeout: Duration,
    pub(crate) ws: WsConfig,
    pub(crate) market_rules: Option<crate::market_rules::OrderRules>,
    pub(crate) cache: Option<crate::cache::ResponseCache>,
    /// Parsed URL per path, so the hot path does not format and parse one per request.
    urls: std::sync::RwLock<std::collections::HashMap<&'static str, reqwest::Url>>,
}

impl Inner {
    pub(crate) fn url(&self, path: &'static str) -> Result<reqwest::Url, Error> {
        if let Some(u) = self
            .urls
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(path)
        {
            return Ok(u.clone());
        }
        let u = reqwest::Url::parse(&format!("{}{}", self.base_url, path))
            .map_err(|e| Error::Config(format!("URL for {path}: {e}")))?;
        self.urls
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .insert(path, u.clone());
        Ok(u)
    }
}

impl Client {
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// Prepare a call; nothing is sent until it is awaited, or `send()` / `pages()` /
    /// `items()` is used.
    pub fn call<T: TrRequest>(&self, request: T) -> Call<T> {
        Call::new(self.clone(), request)
    }

    /// Make sure a valid token is held (issuing one if needed). Calls do this themselves;
    /// this lets a bot fail fast at start-up on bad keys.
    pub async fn authenticate(&self) -> Result<(), Error> {
        self.inner.auth.token().await.map(|_| ())
    }

    /// When the current token expires (issuing one if needed).
    pub async fn token_expires_at(&self) -> Result<chrono::DateTime<chrono::Utc>, Error> {
        Ok(self.inner.auth.token().await?.expires_at())
    }

    /// The response cache, when configured ([`ClientBuilder::response_cache`]).
    pub fn response_cache(&self) -> Option<&crate::cache::ResponseCache> {
        self.inner.cache.as_ref()
    }

    /// Revoke the token (au10002) and forget it; the next call issues a new one.
    pub async fn revoke_token(&self) -> Result<(), Error> {
        self.inner.auth.revoke().await
    }
}
