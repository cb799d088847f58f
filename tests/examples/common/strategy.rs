//! An opening-range breakout, the one strategy type that `day_trading` runs live and
//! `backtest` replays offline. It sees prices with their time and answers with orders; it
//! does no I/O, so the same code decides in both.
//!
//! The rules: the high and low of the first half hour (09:00–09:30 KST) are the range; a
//! price above the range's high buys, a price back under its low (the stop) or a range's
//! width above the entry (the target) sells; no new position after 14:30 and everything is
//! sold from 15:10, before the 15:20 closing auction. Orders are limits a few ticks through
//! the price (marketable, so they fill at once, but never at any price), on the tick grid,
//! and only while the KRX continuous session accepts limit orders.

use chrono::{DateTime, NaiveTime, Utc};
use kiwoom_market::{
    Calendar, DomesticOrderType, Exchange, InstrumentKind, MarketMoment, Phase, Rounding, kst,
};
use rust_decimal::Decimal;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    Buy,
    Sell,
}

/// An order the strategy wants: `quantity` at a limit of `limit` won (on the tick grid).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signal {
    pub side: Side,
    pub quantity: u64,
    pub limit: i64,
    pub reason: &'static str,
}

#[derive(Clone, Debug)]
pub struct Params {
    pub quantity: u64,
    pub range_end: NaiveTime,
    pub last_entry: NaiveTime,
    pub flat_from: NaiveTime,
    /// How many ticks through the price a limit is set, so it crosses on arrival.
    pub ticks_through: i64,
    pub max_entries: u32,
}

impl Default for Params {
    fn default() -> Self {
        let hm = |h, m| NaiveTime::from_hms_opt(h, m, 0).expect("a valid time");
        Params {
            quantity: 10,
            range_end: hm(9, 30),
            last_entry: hm(14, 30),
            flat_from: hm(15, 10),
            ticks_through: 2,
            max_entries: 3,
        }
    }
}

#[derive(Clone, Debug)]
pub struct OpeningRangeBreakout {
    params: Params,
    high: Option<i64>,
    low: Option<i64>,
    /// Shares held, as the engine reports fills.
    position: u64,
    entry_price: i64,
    entries: u32,
    /// An order is out: decide nothing until the engine says it is done.
    waiting: bool,
}

impl OpeningRangeBreakout {
    pub fn new(params: Params) -> Self {
        OpeningRangeBreakout {
            params,
            high: None,
            low: None,
            position: 0,
            entry_price: 0,
            entries: 0,
            waiting: false,
        }
    }

    pub fn position(&self) -> u64 {
        self.position
    }

    /// The opening range seen so far (low, high).
    pub fn range(&self) -> Option<(i64, i64)> {
        Some((self.low?, self.high?))
    }

    /// One price at one instant; maybe an order to send.
    pub fn on_price(&mut self, at: DateTime<Utc>, price: i64) -> Option<Signal> {
        let time = at.with_timezone(&kst()).time();
        if !continuous_session(at) {
            return None;
        }
        if time < self.params.range_end {
            self.high = Some(self.high.map_or(price, |h| h.max(price)));
            self.low = Some(self.low.map_or(price, |l| l.min(price)));
            return None;
        }
        let (low, high) = self.range()?;
        if self.waiting {
            return None;
        }
        let signal = if self.position > 0 {
            let target = self.entry_price + (high - low).max(tick(price));
            if time >= self.params.flat_from {
                Some((Side::Sell, "flat before the close"))
            } else if price < low {
                Some((Side::Sell, "stop: back under the range"))
            } else if price >= target {
                Some((Side::Sell, "target: a range above the entry"))
            } else {
                None
            }
        } else if time < self.params.last_entry
            && self.entries < self.params.max_entries
            && price > high
        {
            Some((Side::Buy, "breakout above the opening range"))
        } else {
            None
        };
        let (side, reason) = signal?;
        self.waiting = true;
        let quantity = match side {
            Side::Buy => self.params.quantity,
            Side::Sell => self.position,
        };
        Some(Signal {
            side,
            quantity,
            limit: self.marketable_limit(side, price),
            reason,
        })
    }

    /// The engine's report that the last order is done: `filled` shares at `price`.
    pub fn on_done(&mut self, side: Side, filled: u64, price: i64) {
        self.waiting = false;
        match side {
            Side::Buy if filled > 0 => {
                self.position += filled;
                self.entry_price = price;
                self.entries += 1;
            }
            Side::Buy => {}
            Side::Sell => self.position = self.position.saturating_sub(filled),
        }
    }

    /// A limit `ticks_through` ticks past `price`, rounded onto the KRX stock grid away from
    /// the price (up for a buy, down for a sell), so it is valid and crosses.
    fn marketable_limit(&self, side: Side, price: i64) -> i64 {
        let step = tick(price) * self.params.ticks_through;
        let (raw, rounding) = match side {
            Side::Buy => (price + step, Rounding::Up),
            Side::Sell => ((price - step).max(1), Rounding::Down),
        };
        let rounded =
            kiwoom_market::round_price(InstrumentKind::Stock, Decimal::from(raw), rounding);
        i64::try_from(rounded).unwrap_or(raw)
    }
}

/// The KRX stock tick at `price` (kiwoom-market's table).
fn tick(price: i64) -> i64 {
    let tick = kiwoom_market::tick_size(InstrumentKind::Stock, Decimal::from(price));
    i64::try_from(tick).unwrap_or(1)
}

/// Whether KRX's continuous session is on at `at` and takes limit orders (holidays and
/// exam days included, from kiwoom-market's calendar).
pub fn continuous_session(at: DateTime<Utc>) -> bool {
    MarketMoment::at(Exchange::Krx, at, Calendar::krx()).is_ok_and(|m| {
        m.open_windows().any(|w| w.phase == Phase::Continuous)
            && m.accepts(DomesticOrderType::Limit.into())
    })
}
