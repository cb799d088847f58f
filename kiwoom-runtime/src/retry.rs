//! How many times, and how long apart, requests are sent again.

use std::cell::Cell;
use std::time::Duration;

/// Bounds for resending. Which requests may be resent at all is not configurable: orders
/// are never resent once they may have reached the server.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct RetryPolicy {
    /// Total sends of a query when the transport fails, times out or answers 5xx
    /// (1 = no retry). Default 3.
    pub max_attempts: u32,
    /// Extra sends after a rate-limit answer (HTTP 429, 1700, 1701, 1702), orders included
    /// because the server did not process them. Default 8.
    pub max_rate_limit_retries: u32,
    /// First backoff delay; doubles per attempt. Default 250 ms.
    pub base_delay: Duration,
    /// Largest backoff delay. Default 8 s.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 3,
            max_rate_limit_retries: 8,
            base_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(8),
        }
    }
}

impl RetryPolicy {
    /// No resending at all (token refresh after 8005 still happens once).
    pub fn none() -> Self {
        RetryPolicy {
            max_attempts: 1,
            max_rate_limit_retries: 0,
            ..Self::default()
        }
    }

    pub fn with_max_attempts(mut self, n: u32) -> Self {
        self.max_attempts = n.max(1);
        self
    }

    pub fn with_max_rate_limit_retries(mut self, n: u32) -> Self {
        self.max_rate_limit_retries = n;
        self
    }

    pub fn with_delays(mut self, base: Duration, max: Duration) -> Self {
        self.base_delay = base;
        self.max_delay = max.max(base);
        self
    }

    /// Delay before retry number `retry` (1-based): exponential, capped, with "equal
    /// jitter" (half fixed, half random) so that many clients rejected together do not
    /// come back together, and no delay collapses to zero.
    pub fn backoff(&self, retry: u32) -> Duration {
        exponential_jitter(self.base_delay, self.max_delay, retry)
    }
}

pub(crate) fn exponential_jitter(base: Duration, max: Duration, retry: u32) -> Duration {
    let exp = base
        .saturating_mul(1u32 << retry.saturating_sub(1).min(20))
        .min(max);
    let half = exp / 2;
    half + half.mul_f64(unit_random())
}

/// A uniform number in [0, 1). Jitter needs spread, not unpredictability, so a per-thread
/// xorshift seeded from the clock and thread id is enough.
fn unit_random() -> f64 {
    thread_local! {
        static STATE: Cell<u64> = Cell::new({
            use std::hash::{BuildHasher, Hasher};
            let mut h = std::collections::hash_map::RandomState::new().build_hasher();
            h.write_u128(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0));
            h.finish() | 1
        });
    }
    STATE.with(|s| {
        let mut x = s.get();
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        s.set(x);
        (x >> 11) as f64 / (1u64 << 53) as f64
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_is_capped_and_jittered() {
        let p =
            RetryPolicy::default().with_delays(Duration::from_millis(100), Duration::from_secs(1));
        for _ in 0..100 {
            let d1 = p.backoff(1);
            assert!(
                d1 >= Duration::from_millis(50) && d1 <= Duration::from_millis(100),
                "{d1:?}"
            );
            let d3 = p.backoff(3);
            assert!(
                d3 >= Duration::from_millis(200) && d3 <= Duration::from_millis(400),
                "{d3:?}"
            );
            let d10 = p.backoff(10);
            assert!(
                d10 >= Duration::from_millis(500) && d10 <= Duration::from_secs(1),
                "{d10:?}"
            );
        }
        let samples: std::collections::HashSet<_> = (0..20).map(|_| p.backoff(4)).collect();
        assert!(samples.len() > 1, "jitter must vary");
    }
}
