//! The simulator's enforcement of the market rules (tick grid, daily limits, sessions,
//! holidays) with the answers Kiwoom gives, using the same rules as the client's pre-send
//! check (`kiwoom-market`), so a client without the check sees what Kiwoom would say.
//!
//! Off by default (`MockConfig::market_rules` = `None`): the simulator's other tests place
//! orders at whatever the wall-clock time is, on weekends too, and at prices far from the
//! market to keep them resting, all of which the rules would refuse. A test switches it on
//! with a fixed instant to stand "on a holiday" or "at 15:35 KST".
//!
//! The answers (HTTP 200, `return_code` 20, Kiwoom's `[2000](RCnnnn:...)` shape):
//!
//! | rule | return_msg | source |
//! |---|---|---|
//! | off the tick grid | `[2000](RC4003:모의투자 호가단위 오류입니다.)` | seen from Kiwoom's mock server (a client's tick probe notes) |
//! | before the day's first session | `[2000](RC4057:모의투자 장시작전)` | seen (a client's log at 06:33 KST) |
//! | after the day's last session | `[2000](RC4058:모의투자 장종료)` | seen (several clients' logs, from 15:30:38) |
//! | weekend or holiday | `[2000](RC4010:모의투자 영업일이 아닙니다.)` | seen (a client's test fixture of Kiwoom answers) |
//! | beyond the daily limits / the ±10% single-price band | `[2000](RC4004:모의투자 상하한가 오류)` | text: Kiwoom's mock wording listed by OpenAPI+ clients; the RC number is the simulator's choice |
//! | a session is open but not for this order type, or the venue has no such type | `[2000](RC4059:모의투자 주문가능시간이 아닙니다.)` | the simulator's choice (Kiwoom's text unknown) |
//!
//! Limits come from the simulator's own quote: the KRX rule around the previous close
//! (`kiwoom_market::PriceLimits::computed`), and the single-price band around the close.
//! A date past the calendar's table is not refused: the simulator logs it and checks the
//! time of day only.

use std::sync::LazyLock;

use chrono::{DateTime, NaiveDate, Utc};
use kiwoom_market::{
    Calendar, Checks, Decimal, InstrumentKind, MarketRules, OrderContext, PriceLimits,
    RuleViolation,
};
use serde_json::{Map, Value};

use crate::api_error::ApiError;
use crate::market::{self, Stock, Venue};

/// How the simulator enforces market rules on orders (`MockConfig::market_rules`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MarketRulesConfig {
    /// The instant orders are judged at; `None` = the wall clock.
    pub now: Option<DateTime<Utc>>,
    /// One-off closed dates on top of the embedded KRX calendar.
    pub extra_closures: Vec<NaiveDate>,
}

/// Kiwoom's answer to a broken rule; `None` for what the simulator's own validation answers
/// (unknown codes, unreadable numbers).
fn answer(v: &RuleViolation) -> Option<ApiError> {
    Some(match v {
        RuleViolation::OffTick { .. } => reject("RC4003", "모의투자 호가단위 오류입니다."),
        RuleViolation::AboveUpperLimit { .. }
        | RuleViolation::BelowLowerLimit { .. }
        | RuleViolation::OutsideSinglePriceBand { .. } => {
            reject("RC4004", "모의투자 상하한가 오류")
        }
        RuleViolation::MarketClosed { .. } => reject("RC4010", "모의투자 영업일이 아닙니다."),
        RuleViolation::OutsideSession {
            open_now,
            before_open,
            ..
        } if open_now.is_empty() => {
            if *before_open {
                reject("RC4057", "모의투자 장시작전")
            } else {
                reject("RC4058", "모의투자 장종료")
            }
        }
        RuleViolation::UnknownCode { .. } | RuleViolation::NotANumber { .. } => return None,
        _ => reject("RC4059", "모의투자 주문가능시간이 아닙니다."),
    })
}

fn reject(code: &str, text: &str) -> ApiError {
    let mut e = ApiError::order_reject(text);
    e.return_msg = format!("[2000]({code}:{text})");
    e
}

fn rules(config: &MarketRulesConfig) -> MarketRules {
    static DEFAULT: LazyLock<MarketRules> = LazyLock::new(MarketRules::default);
    // The simulator's own validation answers missing and malformed fields (1511/1517).
    let checks = Checks {
        shape: false,
        ..Checks::ALL
    };
    if config.extra_closures.is_empty() {
        return DEFAULT.clone().with_checks(checks);
    }
    let mut calendar = Calendar::krx().clone();
    for day in &config.extra_closures {
        calendar = match calendar.clone().with_closure(*day, "closed by the test") {
            Ok(c) => c,
            Err(e) => {
                tracing::warn!(%e, "market rules: one-off closure ignored");
                calendar
            }
        };
    }
    MarketRules::new(calendar, checks)
}

/// Refuse the order TR `api_id` with Kiwoom's answer when it breaks a market rule.
pub(crate) fn enforce(
    config: &MarketRulesConfig,
    api_id: &str,
    venue: Venue,
    stock: &Stock,
    seed: u64,
    body: &Map<String, Value>,
) -> Result<(), ApiError> {
    let now = config.now.unwrap_or_else(Utc::now);
    let mut context = OrderContext {
        instrument: Some(match venue {
            Venue::Krx => InstrumentKind::Stock,
            Venue::Us => InstrumentKind::UsStock,
        }),
        ..OrderContext::default()
    };
    if venue == Venue::Krx {
        let q = market::quote(seed, stock, market::anchor_date());
        context.limits = PriceLimits::computed(InstrumentKind::Stock, Decimal::from(q.prev_close));
        context.close_price = Some(Decimal::from(q.close));
    }
    let field = |wire: &str| body.get(wire).and_then(Value::as_str);
    let rules = rules(config);
    let verdict = match rules.check_order_tr(api_id, field, now, &context) {
        Err(RuleViolation::Calendar(e)) => {
            tracing::warn!(%e, "market rules: date outside the calendar; checking the time only");
            let time_only = rules.clone().with_checks(Checks {
                holiday: false,
                ..rules.checks()
            });
            time_only.check_order_tr(api_id, field, now, &context)
        }
        other => other,
    };
    match verdict {
        Ok(()) => Ok(()),
        Err(v) => answer(&v).map_or(Ok(()), Err),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_have_kiwooms_shape() {
        let e = answer(&RuleViolation::OffTick {
            field: kiwoom_market::PriceField::Price,
            price: Decimal::from(70_050),
            grid: String::new(),
            below: Decimal::from(70_000),
            above: Decimal::from(70_100),
            currency: kiwoom_market::tick::Currency::Krw,
        })
        .expect("an answer");
        assert_eq!(e.return_code, 20);
        assert_eq!(e.return_msg, "[2000](RC4003:모의투자 호가단위 오류입니다.)");
        let unreadable = RuleViolation::NotANumber {
            field: "ord_uv",
            value: "x".into(),
        };
        assert_eq!(
            answer(&unreadable),
            None,
            "left to the simulator's validation"
        );
    }
}
