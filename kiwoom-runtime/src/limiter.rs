//! Client-side rate limits: async token buckets shared by every clone of a `Client`.
//! Callers wait for their turn; nothing fails here.
//!
//! The limiter is pluggable ([`RateLimiter`], `ClientBuilder::rate_limiter`): the local
//! buckets below are the default; `kiwoom-redis` shares the budgets of one app key between
//! processes.
//!
//! Kiwoom publishes no machine-readable limits; its error table only names three kinds of
//! limit (1700 per API, 1701 total, 1702 per group) with the rate left as `유량={?}`. The
//! defaults below therefore come from what other clients state, each cited, and every
//! one can be changed. Whatever the limiter lets through, rate-limit answers are still
//! handled by backing off and resending.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::future::BoxFuture;
use tokio::time::Instant;

use crate::error::Error;
use crate::tr::TrInfo;

/// Decides when a request may be sent. Called once per send (resends included), before
/// the request leaves; an error means nothing is sent.
pub trait RateLimiter: Send + Sync + fmt::Debug {
    /// Wait until a request of `info` may be sent for the app key fingerprinted `app`
    /// (a hash of the app key and environment; never the key).
    fn acquire<'a>(&'a self, app: &'a str, info: &'a TrInfo) -> BoxFuture<'a, Result<(), Error>>;

    /// The server answered a rate-limit error (429, 1700, 1701, 1702) for `info`. The call
    /// backs off and resends whatever the limiter does; a shared limiter may also slow the
    /// other processes down. Default: nothing.
    fn rate_limited(&self, app: &str, info: &TrInfo) {
        let _ = (app, info);
    }
}

/// The default limiter: token buckets in this process.
#[derive(Debug, Clone)]
pub struct LocalRateLimiter {
    inner: Arc<Limiter>,
}

impl LocalRateLimiter {
    pub fn new(limits: &RateLimits) -> Self {
        LocalRateLimiter {
            inner: Limiter::new(limits),
        }
    }

    /// Wait until `info` may be sent (the app key does not matter: one limiter per client).
    pub async fn wait(&self, info: &TrInfo) {
        self.inner.acquire(info).await
    }
}

impl RateLimiter for LocalRateLimiter {
    fn acquire<'a>(&'a self, _app: &'a str, info: &'a TrInfo) -> BoxFuture<'a, Result<(), Error>> {
        Box::pin(async move {
            self.inner.acquire(info).await;
            Ok(())
        })
    }
}

/// What a client paces with: the local buckets without a boxed future per request, or a
/// pluggable limiter.
#[derive(Debug, Clone)]
pub(crate) enum Pacer {
    Local(Arc<Limiter>),
    Shared(Arc<dyn RateLimiter>),
}

impl Pacer {
    pub(crate) async fn acquire(&self, app: &str, info: &TrInfo) -> Result<(), Error> {
        match self {
            Pacer::Local(l) => {
                l.acquire(info).await;
                Ok(())
            }
            Pacer::Shared(l) => l.acquire(app, info).await,
        }
    }

    pub(crate) fn rate_limited(&self, app: &str, info: &TrInfo) {
        if let Pacer::Shared(l) = self {
            l.rate_limited(app, info);
        }
    }
}

/// A sustained rate and how many requests may go at once after a quiet period.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rate {
    pub per_second: f64,
    /// Bucket size. 1 spaces requests evenly, which also satisfies a server counting in
    /// sliding one-second windows.
    pub burst: u32,
}

impl Rate {
    pub fn per_second(per_second: f64) -> Self {
        Rate {
            per_second,
            burst: 1,
        }
    }

    pub fn with_burst(mut self, burst: u32) -> Self {
        self.burst = burst.max(1);
        self
    }
}

/// Which limits apply. A request waits for every bucket that applies to it: its class
/// (queries or orders), its category (URL path) and its api-id.
#[derive(Debug, Clone)]
pub struct RateLimits {
    queries: Option<Rate>,
    orders: Option<Rate>,
    categories: HashMap<String, Rate>,
    api_ids: HashMap<String, Rate>,
}

impl RateLimits {
    /// Production (`api.kiwoom.com`):
    /// - queries (market data and account reads, all together): 5 per second. Source:
    ///   "조회횟수 초당 5건" in breadum/kiwoom-restful (`kiwoom/config/http.py`), the same
    ///   figure as the "Terms of Service Article 11" limiter seen in public code, and
    ///   kiwoom-rest-trade's 0.2 s domestic interval.
    /// - orders: 5 per second. Source: "주문횟수 초당 5건", same breadum comment.
    ///
    /// Not default, but measured by others and easy to add with [`RateLimits::api_id`]:
    /// about 1 per second per TR with a burst of 2 (kiwoom-client `rate_limiter.py`).
    pub fn real() -> Self {
        RateLimits {
            queries: Some(Rate::per_second(5.0)),
            orders: Some(Rate::per_second(5.0)),
            categories: HashMap::new(),
            api_ids: HashMap::new(),
        }
    }

    /// Mock trading (`mockapi.kiwoom.com`): queries 1 per second ("모의투자의 경우 조회횟수
    /// 초당 1건", breadum/kiwoom-restful; kiwoom-rest-trade uses 1 s in mock mode too);
    /// orders 5 per second as in production (no source gives a mock figure for orders).
    pub fn mock() -> Self {
        RateLimits {
            queries: Some(Rate::per_second(1.0)),
            ..Self::real()
        }
    }

    /// No client-side limits (a local simulator, or a caller with its own scheduler).
    /// Rate-limit answers are still backed off and resent.
    pub fn unlimited() -> Self {
        RateLimits {
            queries: None,
            orders: None,
            categories: HashMap::new(),
            api_ids: HashMap::new(),
        }
    }

    /// The shared limit of all non-order TRs (`None`: no limit).
    pub fn queries(mut self, rate: Option<Rate>) -> Self {
        self.queries = rate;
        self
    }

    /// The shared limit of all order TRs (`None`: no limit).
    pub fn orders(mut self, rate: Option<Rate>) -> Self {
        self.orders = rate;
        self
    }

    /// A limit for one URL path (`/api/dostk/chart`), on top of the class limit.
    pub fn category(mut self, path: impl Into<String>, rate: Rate) -> Self {
        self.categories.insert(path.into(), rate);
        self
    }

    /// A limit for one TR (`ka10081`), on top of the others.
    pub fn api_id(mut self, api_id: impl Into<String>, rate: Rate) -> Self {
        self.api_ids.insert(api_id.into(), rate);
        self
    }

    /// The limit of all non-order TRs.
    pub fn query_rate(&self) -> Option<Rate> {
        self.queries
    }

    /// The limit of all order TRs.
    pub fn order_rate(&self) -> Option<Rate> {
        self.orders
    }

    /// Per-URL-path limits.
    pub fn category_rates(&self) -> impl Iterator<Item = (&str, Rate)> {
        self.categories.iter().map(|(k, r)| (k.as_str(), *r))
    }

    /// Per-TR limits.
    pub fn api_id_rates(&self) -> impl Iterator<Item = (&str, Rate)> {
        self.api_ids.iter().map(|(k, r)| (k.as_str(), *r))
    }
}

#[derive(Debug)]
struct Bucket {
    rate: Rate,
    state: Mutex<BucketState>,
}

#[derive(Debug)]
struct BucketState {
    /// May go negative: each waiter reserves its slot, so waiters are served in order.
    tokens: f64,
    last: Instant,
}

impl Bucket {
    fn new(rate: Rate) -> Self {
        Bucket {
            rate,
            state: Mutex::new(BucketState {
                tokens: f64::from(rate.burst.max(1)),
                last: Instant::now(),
            }),
        }
    }

    /// Take one slot; returns how long the caller must wait before using it.
    fn reserve(&self, now: Instant) -> Duration {
        let mut s = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let elapsed = now.saturating_duration_since(s.last).as_secs_f64();
        // Callers read the clock before taking the lock, so `now` can be slightly older
        // than `last`; moving `last` back would credit the same interval twice.
        s.last = s.last.max(now);
        s.tokens =
            (s.tokens + elapsed * self.rate.per_second).min(f64::from(self.rate.burst.max(1)));
        s.tokens -= 1.0;
        if s.tokens >= 0.0 || self.rate.per_second <= 0.0 {
            Duration::ZERO
        } else {
            Duration::from_secs_f64(-s.tokens / self.rate.per_second)
        }
    }
}

/// The buckets of one client, shared by its clones.
#[derive(Debug)]
pub(crate) struct Limiter {
    queries: Option<Bucket>,
    orders: Option<Bucket>,
    categories: HashMap<String, Bucket>,
    api_ids: HashMap<String, Bucket>,
}

impl Limiter {
    pub(crate) fn new(limits: &RateLimits) -> Arc<Self> {
        let valid = |r: &Rate| r.per_second > 0.0 && r.per_second.is_finite();
        Arc::new(Limiter {
            queries: limits.queries.filter(valid).map(Bucket::new),
            orders: limits.orders.filter(valid).map(Bucket::new),
            categories: limits
                .categories
                .iter()
                .filter(|(_, r)| valid(r))
                .map(|(k, r)| (k.clone(), Bucket::new(*r)))
                .collect(),
            api_ids: limits
                .api_ids
                .iter()
                .filter(|(_, r)| valid(r))
                .map(|(k, r)| (k.clone(), Bucket::new(*r)))
                .collect(),
        })
    }

    /// Wait until `info` may be sent.
    pub(crate) async fn acquire(&self, info: &TrInfo) {
        let wait = self.reserve(info, Instant::now());
        if !wait.is_zero() {
            tracing::trace!(
                api_id = info.api_id,
                wait_ms = wait.as_millis() as u64,
                "rate limiter wait"
            );
            tokio::time::sleep(wait).await;
        }
    }

    fn reserve(&self, info: &TrInfo, now: Instant) -> Duration {
        let class = if info.safety.is_order() {
            &self.orders
        } else {
            &self.queries
        };
        let mut wait = class.as_ref().map_or(Duration::ZERO, |b| b.reserve(now));
        // Skip the hash lookups entirely when no per-path / per-TR limit is configured.
        if !self.categories.is_empty() {
            if let Some(b) = self.categories.get(info.path) {
                wait = wait.max(b.reserve(now));
            }
        }
        if !self.api_ids.is_empty() {
            if let Some(b) = self.api_ids.get(info.api_id) {
                wait = wait.max(b.reserve(now));
            }
        }
        wait
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tr::SafetyClass;

    const CHART: TrInfo = TrInfo {
        api_id: "ka10081",
        korean_name: "",
        path: "/api/dostk/chart",
        safety: SafetyClass::Read,
    };
    const ORDER: TrInfo = TrInfo {
        api_id: "kt10000",
        korean_name: "",
        path: "/api/dostk/ordr",
        safety: SafetyClass::OrderWrite,
    };

    #[test]
    fn bucket_spaces_requests_and_keeps_order() {
        let l = Limiter::new(&RateLimits::unlimited().queries(Some(Rate::per_second(5.0))));
        let t0 = Instant::now();
        let waits: Vec<_> = (0..4).map(|_| l.reserve(&CHART, t0)).collect();
        assert_eq!(waits[0], Duration::ZERO);
        assert!((waits[1].as_secs_f64() - 0.2).abs() < 1e-6, "{waits:?}");
        assert!((waits[3].as_secs_f64() - 0.6).abs() < 1e-6, "{waits:?}");
        // Orders have their own bucket (unlimited here).
        assert_eq!(l.reserve(&ORDER, t0), Duration::ZERO);
    }

    #[test]
    fn strictest_applicable_bucket_wins() {
        let l = Limiter::new(
            &RateLimits::unlimited()
                .api_id("ka10081", Rate::per_second(1.0))
                .category("/api/dostk/chart", Rate::per_second(2.0)),
        );
        let t0 = Instant::now();
        assert_eq!(l.reserve(&CHART, t0), Duration::ZERO);
        assert_eq!(l.reserve(&CHART, t0), Duration::from_secs(1));
        // Refill: after 3 s the per-TR bucket is back to its burst of 1.
        let later = t0 + Duration::from_secs(3);
        assert_eq!(l.reserve(&CHART, later), Duration::ZERO);
    }

    #[test]
    fn unlimited_never_waits() {
        let l = Limiter::new(&RateLimits::unlimited());
        let t0 = Instant::now();
        assert!((0..1000).all(|_| l.reserve(&CHART, t0).is_zero()));
    }
}
