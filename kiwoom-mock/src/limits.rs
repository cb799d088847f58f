//! Injected faults and configured rate limits.

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

use crate::config::{Fault, RateScope};

#[derive(Debug, Default)]
pub struct Faults {
    queued: HashMap<String, VecDeque<Fault>>,
}

impl Faults {
    pub fn inject(&mut self, api_id: &str, fault: Fault, times: u32) {
        let q = self.queued.entry(api_id.to_string()).or_default();
        q.extend(std::iter::repeat_n(fault, times as usize));
    }

    pub fn take(&mut self, api_id: &str) -> Option<Fault> {
        self.queued.get_mut(api_id).and_then(VecDeque::pop_front)
    }

    pub fn clear(&mut self) {
        self.queued.clear();
    }
}

#[derive(Debug)]
struct Window {
    per_second: u32,
    recent: VecDeque<Instant>,
}

/// Sliding one-second windows, one per configured scope. A rejected request does not count.
#[derive(Debug, Default)]
pub struct RateLimits {
    windows: HashMap<RateScope, Window>,
}

/// Which limit refused a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exceeded {
    pub scope: RateScope,
    pub per_second: u32,
}

impl RateLimits {
    pub fn set(&mut self, scope: RateScope, per_second: u32) {
        self.windows.insert(
            scope,
            Window {
                per_second,
                recent: VecDeque::new(),
            },
        );
    }

    /// Remove every configured limit.
    pub fn clear(&mut self) {
        self.windows.clear();
    }

    pub fn check(&mut self, api_id: &str, path: &str) -> Result<(), Exceeded> {
        let now = Instant::now();
        let applies = |scope: &RateScope| match scope {
            RateScope::Global => true,
            RateScope::Category(p) => p == path,
            RateScope::ApiId(id) => id == api_id,
        };
        for (scope, w) in self.windows.iter_mut().filter(|(s, _)| applies(s)) {
            while w
                .recent
                .front()
                .is_some_and(|t| now.duration_since(*t) >= Duration::from_secs(1))
            {
                w.recent.pop_front();
            }
            if w.recent.len() >= w.per_second as usize {
                return Err(Exceeded {
                    scope: scope.clone(),
                    per_second: w.per_second,
                });
            }
        }
        for (_, w) in self.windows.iter_mut().filter(|(s, _)| applies(s)) {
            w.recent.push_back(now);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_and_faults() {
        let mut r = RateLimits::default();
        r.set(RateScope::ApiId("ka10081".into()), 2);
        assert!(r.check("ka10081", "/api/dostk/chart").is_ok());
        assert!(r.check("ka10001", "/api/dostk/stkinfo").is_ok());
        assert!(r.check("ka10081", "/api/dostk/chart").is_ok());
        assert_eq!(
            r.check("ka10081", "/api/dostk/chart")
                .unwrap_err()
                .per_second,
            2
        );
        let mut f = Faults::default();
        f.inject("kt10000", Fault::RateLimited, 2);
        assert!(f.take("kt10000").is_some());
        assert!(f.take("kt10000").is_some());
        assert!(f.take("kt10000").is_none());
    }
}
