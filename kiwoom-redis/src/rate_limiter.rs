//! Kiwoom's budgets of one app key shared by every process: GCRA buckets in Redis.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use futures::future::BoxFuture;
use kiwoom_runtime::{Error, LocalRateLimiter, Rate, RateLimiter, RateLimits, TrInfo};
use redis::aio::ConnectionManager;

/// One reservation in every bucket that applies, on Redis's clock, atomically.
/// KEYS: bucket keys. ARGV: per key, the emission interval and the burst tolerance (µs).
/// Returns how long the caller waits before sending (µs). Each caller takes the next slot
/// of each bucket, like the local limiter, so waiters are served in order across processes.
const GCRA: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local wait = 0
for i, key in ipairs(KEYS) do
  local interval = tonumber(ARGV[2 * i - 1])
  local tolerance = tonumber(ARGV[2 * i])
  local tat = tonumber(redis.call('GET', key) or '0')
  if tat < now then tat = now end
  local w = tat - tolerance - now
  if w > wait then wait = w end
  local new_tat = tat + interval
  redis.call('SET', key, string.format('%.0f', new_tat), 'PX', math.floor((new_tat - now) / 1000) + 1000)
end
return math.floor(wait)
";

/// Moves a bucket's schedule one interval later (after Kiwoom answered a rate-limit
/// error): the window the server counts is full, so every process waits a slot more.
/// KEYS[1]: the bucket. ARGV[1]: the interval (µs).
const PUSH_BACK: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local new_tat = tat + tonumber(ARGV[1])
redis.call('SET', KEYS[1], string.format('%.0f', new_tat), 'PX', math.floor((new_tat - now) / 1000) + 1000)
return 1
";

/// Default [`RedisRateLimiter::headroom`].
pub const DEFAULT_HEADROOM: f64 = 0.03;

/// What the limiter does when Redis cannot be reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OutagePolicy {
    /// Pace this process alone with the same limits (the default). Several processes
    /// together may then exceed the budget; Kiwoom's rate-limit answers are backed off and
    /// resent as always. Never unlimited.
    #[default]
    LocalPacing,
    /// Refuse the call with [`Error::RateLimiter`]; nothing is sent.
    Fail,
}

/// A [`RateLimiter`] sharing the query and order budgets (and per-path / per-TR limits)
/// of an app key between every process using the same Redis and prefix.
pub struct RedisRateLimiter {
    conn: ConnectionManager,
    prefix: String,
    limits: RateLimits,
    outage: OutagePolicy,
    local: LocalRateLimiter,
    script: redis::Script,
    push_back: redis::Script,
    /// Intervals are stretched by this fraction (see [`RedisRateLimiter::headroom`]).
    headroom: f64,
    /// True while Redis is known to be unreachable (logged once per outage).
    down: AtomicBool,
    /// During an outage, Redis is tried again (by one caller) no sooner than this; the
    /// others go straight to the outage policy instead of waiting on a dead connection.
    next_probe: Mutex<Option<Instant>>,
}

/// How often Redis is tried again during an outage.
const PROBE_INTERVAL: Duration = Duration::from_millis(500);

impl std::fmt::Debug for RedisRateLimiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisRateLimiter")
            .field("prefix", &self.prefix)
            .field("limits", &self.limits)
            .field("outage", &self.outage)
            .finish_non_exhaustive()
    }
}

impl RedisRateLimiter {
    /// Share `limits` (e.g. [`RateLimits::real`]) through Redis, pacing locally while
    /// Redis is down.
    pub fn new(conn: ConnectionManager, limits: RateLimits) -> Self {
        RedisRateLimiter {
            conn,
            prefix: crate::DEFAULT_PREFIX.to_owned(),
            local: LocalRateLimiter::new(&limits),
            limits,
            outage: OutagePolicy::default(),
            script: redis::Script::new(GCRA),
            push_back: redis::Script::new(PUSH_BACK),
            headroom: DEFAULT_HEADROOM,
            down: AtomicBool::new(false),
            next_probe: Mutex::new(None),
        }
    }

    /// Put every key under `prefix`.
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// Space requests this fraction wider than the configured rate (default 3 %). Requests
    /// from several processes reach Kiwoom with different delays; a server counting in
    /// sliding one-second windows refuses the one that arrives a millisecond early. The
    /// headroom absorbs that jitter (at 5/s, 30 ms per window) for a 3 % lower ceiling.
    pub fn headroom(mut self, fraction: f64) -> Self {
        self.headroom = if fraction.is_finite() {
            fraction.clamp(0.0, 1.0)
        } else {
            0.0
        };
        self
    }

    pub fn outage_policy(mut self, policy: OutagePolicy) -> Self {
        self.outage = policy;
        self
    }

    /// The buckets that apply to `info`, as (key, interval µs, tolerance µs).
    fn buckets(&self, app: &str, info: &TrInfo) -> Vec<(String, u64, u64)> {
        let bucket = |name: String, rate: Rate| {
            let interval = (1e6 * (1.0 + self.headroom) / rate.per_second).round() as u64;
            let tolerance = interval * u64::from(rate.burst.max(1) - 1);
            (
                format!("{}:rate:{app}:{name}", self.prefix),
                interval,
                tolerance,
            )
        };
        let valid = |r: &Rate| r.per_second > 0.0 && r.per_second.is_finite();
        let class = if info.safety.is_order() {
            self.limits.order_rate().map(|r| ("orders", r))
        } else {
            self.limits.query_rate().map(|r| ("queries", r))
        };
        let mut out = Vec::with_capacity(3);
        if let Some((name, rate)) = class.filter(|(_, r)| valid(r)) {
            out.push(bucket(name.to_owned(), rate));
        }
        if let Some((_, rate)) = self
            .limits
            .category_rates()
            .find(|(p, r)| *p == info.path && valid(r))
        {
            out.push(bucket(format!("path:{}", info.path), rate));
        }
        if let Some((_, rate)) = self
            .limits
            .api_id_rates()
            .find(|(id, r)| *id == info.api_id && valid(r))
        {
            out.push(bucket(format!("api:{}", info.api_id), rate));
        }
        out
    }

    async fn reserve(&self, buckets: &[(String, u64, u64)]) -> redis::RedisResult<Duration> {
        let mut invocation = self.script.prepare_invoke();
        for (key, interval, tolerance) in buckets {
            invocation.key(key).arg(interval).arg(tolerance);
        }
        let mut conn = self.conn.clone();
        let wait_us: i64 = invocation.invoke_async(&mut conn).await?;
        Ok(Duration::from_micros(wait_us.max(0) as u64))
    }
}

impl RateLimiter for RedisRateLimiter {
    fn rate_limited(&self, app: &str, info: &TrInfo) {
        let Some((key, interval, _)) = self.buckets(app, info).into_iter().next() else {
            return;
        };
        let Ok(handle) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let (script, mut conn) = (self.push_back.clone(), self.conn.clone());
        handle.spawn(async move {
            let pushed: redis::RedisResult<i64> =
                script.key(key).arg(interval).invoke_async(&mut conn).await;
            if let Err(e) = pushed {
                tracing::debug!(error = %e, "could not push the shared schedule back");
            }
        });
    }

    fn acquire<'a>(&'a self, app: &'a str, info: &'a TrInfo) -> BoxFuture<'a, Result<(), Error>> {
        Box::pin(async move {
            let buckets = self.buckets(app, info);
            if buckets.is_empty() {
                return Ok(());
            }
            let skip_redis = {
                let mut next = self.next_probe.lock().unwrap_or_else(|p| p.into_inner());
                match *next {
                    Some(at) if Instant::now() < at => true,
                    Some(_) => {
                        // This caller probes; the others keep to the outage policy meanwhile.
                        *next = Some(Instant::now() + PROBE_INTERVAL);
                        false
                    }
                    None => false,
                }
            };
            let reserved = if skip_redis {
                Err(redis::RedisError::from((
                    redis::ErrorKind::IoError,
                    "redis unreachable (waiting before trying again)",
                )))
            } else {
                self.reserve(&buckets).await
            };
            match reserved {
                Ok(wait) => {
                    if self.down.swap(false, Ordering::Relaxed) {
                        *self.next_probe.lock().unwrap_or_else(|p| p.into_inner()) = None;
                        tracing::info!("redis rate limiter reachable again; pacing is shared");
                    }
                    if !wait.is_zero() {
                        tokio::time::sleep(wait).await;
                    }
                    Ok(())
                }
                Err(e) => {
                    let first = !self.down.swap(true, Ordering::Relaxed);
                    if !skip_redis {
                        *self.next_probe.lock().unwrap_or_else(|p| p.into_inner()) =
                            Some(Instant::now() + PROBE_INTERVAL);
                    }
                    match self.outage {
                        OutagePolicy::LocalPacing => {
                            if first {
                                tracing::warn!(error = %e, "redis rate limiter unreachable; pacing this process alone until it is back");
                            }
                            self.local.wait(info).await;
                            Ok(())
                        }
                        OutagePolicy::Fail => {
                            if first {
                                tracing::warn!(error = %e, "redis rate limiter unreachable; refusing calls until it is back");
                            }
                            Err(Error::RateLimiter(format!(
                                "{}: redis unreachable: {e}",
                                info.api_id
                            )))
                        }
                    }
                }
            }
        })
    }
}
