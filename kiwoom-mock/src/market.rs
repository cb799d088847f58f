//! The simulated market: the instruments of `universe`, KRX tick sizes, trading days and a
//! deterministic price for every (instrument, day). Prices are integers in the venue's
//! minor unit: won for KRX, 1/10000 USD for US symbols (Kiwoom sends 4 decimals).

use std::sync::LazyLock;

use chrono::{Datelike, Days, NaiveDate, Weekday};
use codegen::spec::Market;

use crate::clock;
use crate::det::Det;
use crate::universe::{DOMESTIC, Kind, Listing, US};

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Venue {
    Krx,
    Us,
}

impl Venue {
    /// The venue a spec group's TRs trade on.
    pub fn of(market: Market) -> Venue {
        if market == Market::Us {
            Venue::Us
        } else {
            Venue::Krx
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stock {
    pub code: String,
    pub name: String,
    /// The English name (`stk_enm`): the issuer's name for US symbols.
    pub english: String,
    pub kind: Kind,
    /// Reference price (minor units) around which daily prices move.
    pub base: i64,
    pub venue: Venue,
    /// US exchange code (`ND`, `NY`, `NA`); `KRX` for domestic stocks.
    pub exchange: String,
}

/// A stock is stored (in the state file) as its code and venue, and read back from the
/// universe: names and kinds always come from the running simulator's table.
#[derive(serde::Serialize, serde::Deserialize)]
struct StoredStock {
    code: String,
    venue: Venue,
}

impl serde::Serialize for Stock {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        StoredStock {
            code: self.code.clone(),
            venue: self.venue,
        }
        .serialize(s)
    }
}

impl<'de> serde::Deserialize<'de> for Stock {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Stock, D::Error> {
        let stored = StoredStock::deserialize(d)?;
        find(&stored.code, stored.venue).ok_or_else(|| {
            serde::de::Error::custom(format!("unknown stock code `{}`", stored.code))
        })
    }
}

impl Stock {
    fn from_listing(l: &Listing, venue: Venue) -> Stock {
        Stock {
            code: l.code.to_string(),
            name: l.name.to_string(),
            english: l.english.to_string(),
            kind: l.kind,
            base: l.base,
            venue,
            exchange: l.exchange.to_string(),
        }
    }
}

/// The trading day every synthesized "today" refers to, unless a request names a date: the
/// simulator clock's last trading day (see `clock`).
pub fn anchor_date() -> NaiveDate {
    clock::anchor().0
}

/// The domestic instruments (see `universe`), built once: every request looks codes up in it.
pub fn domestic_table() -> &'static [Stock] {
    static TABLE: LazyLock<Vec<Stock>> = LazyLock::new(|| {
        DOMESTIC
            .iter()
            .map(|l| Stock::from_listing(l, Venue::Krx))
            .collect()
    });
    &TABLE
}

/// The US instruments, built once.
pub fn us_table() -> &'static [Stock] {
    static TABLE: LazyLock<Vec<Stock>> = LazyLock::new(|| {
        US.iter()
            .map(|l| Stock::from_listing(l, Venue::Us))
            .collect()
    });
    &TABLE
}

/// The code without Kiwoom's decorations: `A005930` -> `005930`, `005930_NX` -> `005930`.
pub fn bare_code(code: &str) -> &str {
    let code = code.trim();
    let code = code.split_once('_').map_or(code, |(c, _)| c);
    let bytes = code.as_bytes();
    if bytes.len() == 7
        && matches!(bytes[0], b'A' | b'J' | b'Q')
        && bytes[1..].iter().all(u8::is_ascii_digit)
    {
        &code[1..]
    } else {
        code
    }
}

/// The listed instrument for a code (decorations such as `A` or `_NX` allowed), if the
/// simulator knows it.
pub fn find(code: &str, venue: Venue) -> Option<Stock> {
    let bare = bare_code(code);
    let table = match venue {
        Venue::Krx => domestic_table(),
        Venue::Us => us_table(),
    };
    table
        .iter()
        .find(|s| s.code.eq_ignore_ascii_case(bare))
        .cloned()
}

/// The instrument for a code: the listed one, or a stable made-up one. Only for places that
/// do not refuse unknown codes (realtime registrations); REST requests use `find`.
pub fn lookup(seed: u64, code: &str, venue: Venue) -> Stock {
    if let Some(stock) = find(code, venue) {
        return stock;
    }
    let bare = bare_code(code);
    let mut det = Det::new(seed, &["stock", bare]);
    let (base, exchange, kind) = match venue {
        Venue::Krx => (
            round_tick(venue, det.range(2_000, 150_000)),
            "KRX",
            Kind::Kospi,
        ),
        Venue::Us => (
            round_tick(venue, det.range(50_000, 5_000_000)),
            "ND",
            Kind::UsStock,
        ),
    };
    Stock {
        code: bare.to_string(),
        name: format!("종목{bare}"),
        english: bare.to_string(),
        kind,
        base,
        venue,
        exchange: exchange.to_string(),
    }
}

/// The order number Kiwoom writes for "no original order": all zeros, 7 digits domestic,
/// 9 digits US.
pub fn zero_order_no(venue: Venue) -> String {
    crate::synth::order_no(venue, 0)
}

/// KRX price unit (호가단위) since 2023; US symbols trade in cents.
pub fn tick(venue: Venue, price: i64) -> i64 {
    match venue {
        Venue::Us => 100,
        Venue::Krx => match price {
            ..2_000 => 1,
            2_000..5_000 => 5,
            5_000..20_000 => 10,
            20_000..50_000 => 50,
            50_000..200_000 => 100,
            200_000..500_000 => 500,
            _ => 1_000,
        },
    }
}

/// Round down to a valid price (at least one tick).
pub fn round_tick(venue: Venue, price: i64) -> i64 {
    let price = price.max(1);
    let t = tick(venue, price);
    ((price / t) * t).max(t)
}

pub fn is_trading_day(d: NaiveDate) -> bool {
    !matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

/// The `n`-th trading day before `d` (n = 0: `d` itself, or the last trading day before it).
pub fn trading_days_back(d: NaiveDate, n: u64) -> NaiveDate {
    let mut day = d;
    while !is_trading_day(day) {
        day = day.checked_sub_days(Days::new(1)).unwrap_or(day);
    }
    let mut left = n;
    while left > 0 {
        day = day.checked_sub_days(Days::new(1)).unwrap_or(day);
        if is_trading_day(day) {
            left -= 1;
        }
    }
    day
}

/// One day's prices of one instrument, all on valid ticks, low <= open/close <= high.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Quote {
    pub prev_close: i64,
    pub open: i64,
    pub high: i64,
    pub low: i64,
    pub close: i64,
}

impl Quote {
    pub fn change(&self) -> i64 {
        self.close - self.prev_close
    }
}

fn close_on(seed: u64, stock: &Stock, day: NaiveDate) -> i64 {
    let mut det = Det::new(seed, &["close", &stock.code, &day.to_string()]);
    let factor = 1.0 + (det.unit() - 0.5) * 0.06;
    round_tick(stock.venue, (stock.base as f64 * factor) as i64)
}

/// The quote of `stock` on trading day `day`.
pub fn quote(seed: u64, stock: &Stock, day: NaiveDate) -> Quote {
    let day = trading_days_back(day, 0);
    let prev_close = close_on(seed, stock, trading_days_back(day, 1));
    let close = close_on(seed, stock, day);
    let mut det = Det::new(seed, &["ohl", &stock.code, &day.to_string()]);
    let open = round_tick(
        stock.venue,
        (prev_close as f64 * (1.0 + (det.unit() - 0.5) * 0.02)) as i64,
    );
    let top = open.max(close);
    let bottom = open.min(close);
    let high = round_tick(stock.venue, (top as f64 * (1.0 + det.unit() * 0.01)) as i64).max(top);
    let low = round_tick(
        stock.venue,
        (bottom as f64 * (1.0 - det.unit() * 0.01)) as i64,
    )
    .min(bottom);
    Quote {
        prev_close,
        open,
        high,
        low,
        close,
    }
}

/// The current price the order book fills at on trading day `day` (the simulator clock's
/// anchor day): its close.
pub fn current_price_on(seed: u64, stock: &Stock, day: NaiveDate) -> i64 {
    quote(seed, stock, day).close
}

/// The price of the `n`-th realtime tick: a small walk around the current price.
pub fn live_price(seed: u64, stock: &Stock, day: NaiveDate, n: u64) -> i64 {
    let mut det = Det::new(seed, &["live", &stock.code, &n.to_string()]);
    let cur = current_price_on(seed, stock, day);
    round_tick(
        stock.venue,
        (cur as f64 * (1.0 + (det.unit() - 0.5) * 0.01)) as i64,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn krx_ticks_and_rounding() {
        assert_eq!(tick(Venue::Krx, 1_999), 1);
        assert_eq!(tick(Venue::Krx, 54_300), 100);
        assert_eq!(round_tick(Venue::Krx, 54_321), 54_300);
        assert_eq!(round_tick(Venue::Krx, 512_345), 512_000);
        assert_eq!(round_tick(Venue::Us, 1_985_432), 1_985_400);
    }

    #[test]
    fn trading_days_skip_weekends() {
        let monday = NaiveDate::from_ymd_opt(2025, 4, 28).unwrap();
        assert_eq!(
            trading_days_back(monday, 1),
            NaiveDate::from_ymd_opt(2025, 4, 25).unwrap()
        );
        let sunday = NaiveDate::from_ymd_opt(2025, 4, 27).unwrap();
        assert_eq!(
            trading_days_back(sunday, 0),
            NaiveDate::from_ymd_opt(2025, 4, 25).unwrap()
        );
    }

    #[test]
    fn quotes_are_consistent_and_on_ticks() {
        for stock in domestic_table() {
            let q = quote(3, stock, anchor_date());
            assert!(
                q.low <= q.open.min(q.close) && q.high >= q.open.max(q.close),
                "{q:?}"
            );
            for p in [q.open, q.high, q.low, q.close, q.prev_close] {
                assert_eq!(p % tick(Venue::Krx, p), 0, "{p} off tick");
            }
        }
        assert_eq!(bare_code("A005930"), "005930");
        assert_eq!(bare_code("005930_NX"), "005930");
        assert_eq!(
            lookup(1, "000000", Venue::Krx),
            lookup(1, "000000", Venue::Krx)
        );
    }
}
