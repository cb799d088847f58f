//! The simulated market: a small table of instruments, KRX tick sizes, trading days and a
//! deterministic price for every (instrument, day). Prices are integers in the venue's
//! minor unit: won for KRX, 1/10000 USD for US symbols (Kiwoom sends 4 decimals).

use std::sync::LazyLock;

use chrono::{Datelike, Days, NaiveDate, Weekday};
use codegen::spec::Market;

use crate::det::Det;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
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
    /// Reference price (minor units) around which daily prices move.
    pub base: i64,
    pub venue: Venue,
    /// US exchange code (`ND`, `NY`, `NA`); `KRX` for domestic stocks.
    pub exchange: String,
}

const DOMESTIC: &[(&str, &str, i64)] = &[
    ("005930", "삼성전자", 56_000),
    ("000660", "SK하이닉스", 178_000),
    ("035420", "NAVER", 191_000),
    ("035720", "카카오", 37_950),
    ("005380", "현대차", 183_500),
    ("051910", "LG화학", 241_000),
    ("068270", "셀트리온", 168_900),
    ("000270", "기아", 87_600),
    ("105560", "KB금융", 81_300),
    ("012330", "현대모비스", 246_500),
    ("028260", "삼성물산", 113_200),
    ("096770", "SK이노베이션", 95_400),
];

const US: &[(&str, &str, &str, i64)] = &[
    ("AAPL", "애플", "ND", 1_985_400),
    ("NVDA", "엔비디아", "ND", 1_112_000),
    ("MSFT", "마이크로소프트", "ND", 3_912_500),
    ("TSLA", "테슬라", "ND", 2_845_300),
    ("AMZN", "아마존닷컴", "ND", 1_873_200),
    ("KO", "코카콜라", "NY", 716_800),
];

/// The trading day every synthesized "today" refers to, unless a request names a date.
/// Fixed so that answers do not change from one day to the next.
pub fn anchor_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 4, 28).expect("valid constant date")
}

/// The domestic instruments, built once: every request looks codes up in it.
pub fn domestic_table() -> &'static [Stock] {
    static TABLE: LazyLock<Vec<Stock>> = LazyLock::new(|| {
        DOMESTIC
            .iter()
            .map(|(code, name, base)| Stock {
                code: (*code).to_string(),
                name: (*name).to_string(),
                base: *base,
                venue: Venue::Krx,
                exchange: "KRX".to_string(),
            })
            .collect()
    });
    &TABLE
}

/// The US instruments, built once.
pub fn us_table() -> &'static [Stock] {
    static TABLE: LazyLock<Vec<Stock>> = LazyLock::new(|| {
        US.iter()
            .map(|(code, name, exch, base)| Stock {
                code: (*code).to_string(),
                name: (*name).to_string(),
                base: *base,
                venue: Venue::Us,
                exchange: (*exch).to_string(),
            })
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

/// The instrument for a code: from the table, or a stable made-up one for any other code.
pub fn lookup(seed: u64, code: &str, venue: Venue) -> Stock {
    let bare = bare_code(code);
    let table = match venue {
        Venue::Krx => domestic_table(),
        Venue::Us => us_table(),
    };
    if let Some(stock) = table.iter().find(|s| s.code.eq_ignore_ascii_case(bare)) {
        return stock.clone();
    }
    let mut det = Det::new(seed, &["stock", bare]);
    let (base, exchange) = match venue {
        Venue::Krx => (round_tick(venue, det.range(2_000, 150_000)), "KRX"),
        Venue::Us => (round_tick(venue, det.range(50_000, 5_000_000)), "ND"),
    };
    Stock {
        code: bare.to_string(),
        name: format!("종목{bare}"),
        base,
        venue,
        exchange: exchange.to_string(),
    }
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

/// The current price the order book fills at: the anchor day's close.
pub fn current_price(seed: u64, stock: &Stock) -> i64 {
    quote(seed, stock, anchor_date()).close
}

/// The price of the `n`-th realtime tick: a small walk around the current price.
pub fn live_price(seed: u64, stock: &Stock, n: u64) -> i64 {
    let mut det = Det::new(seed, &["live", &stock.code, &n.to_string()]);
    let cur = current_price(seed, stock);
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
