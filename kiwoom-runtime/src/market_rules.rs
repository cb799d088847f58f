//! Market rules checked before an order leaves: tick grid, daily price limits, session and
//! order type, holidays (the rules themselves live in `kiwoom-market`).
//!
//! Every rejected order costs a round trip and a slot of Kiwoom's order budget, so the
//! client refuses what Kiwoom would refuse, naming the rule, the value and the nearest valid
//! values, before anything is sent. On by default against Kiwoom's servers (`Real`, `Mock`),
//! whose sessions follow the exchange calendar; off by default against a `Custom` URL (a
//! local simulator keeps its own clock), where `ClientBuilder::market_rules` turns it on.
//! Switch it off per client with `ClientBuilder::market_rules(None)` or per call with
//! `Call::without_market_rules()`.

use std::sync::Arc;

use chrono::{DateTime, Utc};
pub use kiwoom_market::{Checks, MarketRules, OrderContext, RuleViolation};

/// The client's pre-send check: the rules and the clock they are read against.
#[derive(Clone)]
pub struct OrderRules {
    pub(crate) rules: Arc<MarketRules>,
    clock: Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>,
}

impl std::fmt::Debug for OrderRules {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("OrderRules")
    }
}

impl OrderRules {
    /// The rules, read against the host's clock (UTC; sessions are converted to KST).
    pub fn new(rules: MarketRules) -> Self {
        OrderRules {
            rules: Arc::new(rules),
            clock: Arc::new(Utc::now),
        }
    }

    /// Read the rules at a fixed or simulated time (tests, backtests, a simulator's clock).
    pub fn with_clock(mut self, clock: impl Fn() -> DateTime<Utc> + Send + Sync + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// Check one serialized order request; any other TR passes.
    pub(crate) fn check(&self, api_id: &str, body: &[u8]) -> Result<(), RuleViolation> {
        let Ok(serde_json::Value::Object(fields)) = serde_json::from_slice(body) else {
            return Ok(()); // not a JSON object: the request itself will say so
        };
        let field = |wire: &str| fields.get(wire).and_then(serde_json::Value::as_str);
        self.rules
            .check_order_tr(api_id, field, (self.clock)(), &OrderContext::default())
    }
}

impl Default for OrderRules {
    fn default() -> Self {
        OrderRules::new(MarketRules::default())
    }
}
