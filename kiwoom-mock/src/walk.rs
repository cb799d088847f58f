//! The moving market: every listed instrument's current price as a seeded random walk on its
//! real tick grid (`kiwoom_market`'s tables: the KRX stock table, the 5-won ETF/ELW table,
//! US cents), driven by explicit steps (`MockControl::step_market`, `POST /_mock/market/step`)
//! or by a timer (`MockConfig::market_step_interval`).
//!
//! A walk starts, per instrument, at the day's close of `market::quote` (the static price the
//! simulator served before prices moved), so a server that is never stepped keeps its static
//! prices. Step `n` of an instrument moves one tick down (35 %), one tick up (35 %) or stays
//! (30 %), drawn from a stream keyed by (seed, instrument, n) alone: the path depends on the
//! seed and the starting price only, never on the orders placed in between, and survives a
//! restart from the state file (which stores the step count and the prices). Domestic prices
//! stay inside the daily limits (±30 % of the previous close, on the grid).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use kiwoom_market::tick::{Grid, Rounding};
use kiwoom_market::{Decimal, InstrumentKind};
use serde::{Deserialize, Serialize};

use crate::det::Det;
use crate::market::{self, Stock, Venue};
use crate::universe::Kind;

/// KRX gold spot (금현물) moves in 10 won per gram; `kiwoom_market` has no table for it.
const GOLD_TICK: i64 = 10;

/// The walk's state: steps taken and the current price of every instrument that has one.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Walk {
    /// Steps taken since the book was created.
    pub steps: u64,
    /// Current prices by `K:<code>` (KRX) or `U:<code>` (US), minor units.
    prices: BTreeMap<String, i64>,
}

fn key(stock: &Stock) -> String {
    let venue = match stock.venue {
        Venue::Krx => 'K',
        Venue::Us => 'U',
    };
    format!("{venue}:{}", stock.code)
}

/// The grid of an instrument, or `None` for gold spot (a fixed 10-won tick).
fn grid(stock: &Stock) -> Option<Grid> {
    let kind = match stock.kind {
        Kind::Kospi | Kind::Kosdaq => InstrumentKind::Stock,
        Kind::Etf => InstrumentKind::Etf,
        Kind::Elw => InstrumentKind::Elw,
        Kind::UsStock | Kind::UsEtf => InstrumentKind::UsStock,
        Kind::GoldSpot => return None,
    };
    Some(Grid::of(kind))
}

fn scale(stock: &Stock) -> u32 {
    match stock.venue {
        Venue::Krx => 0,
        Venue::Us => 4,
    }
}

fn to_minor(stock: &Stock, d: Decimal) -> i64 {
    let mut d = d;
    d.rescale(scale(stock));
    d.mantissa() as i64
}

/// `price` moved onto the instrument's grid in the given direction.
pub fn round(stock: &Stock, price: i64, rounding: Rounding) -> i64 {
    match grid(stock) {
        Some(g) => to_minor(stock, g.round(Decimal::new(price, scale(stock)), rounding)),
        None => {
            let down = (price / GOLD_TICK).max(1) * GOLD_TICK;
            if rounding == Rounding::Up && down < price {
                down + GOLD_TICK
            } else {
                down
            }
        }
    }
}

/// Whether `price` is a valid price of the instrument (the check orders are held to).
pub fn on_grid(stock: &Stock, price: i64) -> bool {
    price > 0
        && match grid(stock) {
            Some(g) => g.is_on_grid(Decimal::new(price, scale(stock))),
            None => price % GOLD_TICK == 0,
        }
}

/// One tick below `price` (never below the smallest price).
pub fn tick_down(stock: &Stock, price: i64) -> i64 {
    round(stock, price - 1, Rounding::Down).min(price)
}

/// One tick above `price`.
pub fn tick_up(stock: &Stock, price: i64) -> i64 {
    round(stock, price + 1, Rounding::Up)
}

/// The lowest and highest price of the day: ±30 % of the previous close on the grid for KRX
/// instruments (ELWs have no daily limit); US symbols only stay above zero.
fn limits(stock: &Stock, prev_close: i64) -> (i64, i64) {
    let floor = round(stock, 1, Rounding::Up);
    if stock.venue == Venue::Us || stock.kind == Kind::Elw {
        return (floor, i64::MAX);
    }
    let band = prev_close * 3 / 10;
    (
        round(stock, prev_close - band, Rounding::Up).max(floor),
        round(stock, prev_close + band, Rounding::Down),
    )
}

impl Walk {
    /// The current price of `stock`, starting the walk at the day's close on first use.
    pub fn price(&mut self, seed: u64, stock: &Stock, today: NaiveDate) -> i64 {
        *self
            .prices
            .entry(key(stock))
            .or_insert_with(|| market::current_price_on(seed, stock, today))
    }

    /// The current price without starting a walk (read-only paths: answers, frames).
    pub fn peek(&self, seed: u64, stock: &Stock, today: NaiveDate) -> i64 {
        self.prices
            .get(&key(stock))
            .copied()
            .unwrap_or_else(|| market::current_price_on(seed, stock, today))
    }

    /// Move every listed instrument one step.
    pub fn step(&mut self, seed: u64, today: NaiveDate) {
        self.steps += 1;
        let n = self.steps.to_string();
        for stock in market::domestic_table().iter().chain(market::us_table()) {
            let now = self.price(seed, stock, today);
            let mut det = Det::new(seed, &["walk", &key(stock), &n]);
            let draw = det.unit();
            let next = if draw < 0.35 {
                tick_down(stock, now)
            } else if draw < 0.70 {
                tick_up(stock, now)
            } else {
                now
            };
            let (lo, hi) = limits(stock, market::quote(seed, stock, today).prev_close);
            let next = if (lo..=hi).contains(&next) { next } else { now };
            self.prices.insert(key(stock), next);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::market::find;

    #[test]
    fn ticks_follow_the_tables() {
        let samsung = find("005930", Venue::Krx).unwrap();
        assert_eq!(tick_up(&samsung, 49_950), 50_000);
        assert_eq!(tick_up(&samsung, 50_000), 50_100);
        assert_eq!(tick_down(&samsung, 50_000), 49_950);
        let etf = find("069500", Venue::Krx).unwrap();
        assert_eq!(tick_up(&etf, 33_000), 33_005, "ETFs move in 5 won");
        let aapl = find("AAPL", Venue::Us).unwrap();
        assert_eq!(tick_up(&aapl, 1_985_400), 1_985_500, "one cent");
        assert!(on_grid(&samsung, 56_100) && !on_grid(&samsung, 56_150));
        assert!(on_grid(&etf, 33_005));
    }

    #[test]
    fn a_walk_is_a_function_of_the_seed() {
        let day = NaiveDate::from_ymd_opt(2025, 4, 28).unwrap();
        let run = |seed| {
            let mut w = Walk::default();
            for _ in 0..50 {
                w.step(seed, day);
            }
            w
        };
        assert_eq!(run(7), run(7));
        assert_ne!(run(7), run(8));
        let w = run(7);
        for stock in market::domestic_table().iter().chain(market::us_table()) {
            let p = w.peek(7, stock, day);
            assert!(on_grid(stock, p), "{} at {p} is off its grid", stock.code);
        }
    }
}
