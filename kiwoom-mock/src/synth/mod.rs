//! Response bodies synthesized from the spec: every documented field (ghosts excepted) with
//! a value of its type, deterministic from the seed and the request, and plausible (see
//! `role`): prices on KRX ticks signed against the previous close, matching change and
//! change-sign fields, descending trading days in charts, stock names next to their codes.

mod format;
mod role;

pub use format::{Num, pad, render};
pub use role::{PriceKind, Role, role};

use chrono::{NaiveDate, NaiveDateTime};
use codegen::spec::{Field, Presence, RowShape, ValueType};
use serde_json::{Map, Value};

use crate::clock::{self, CLOSE_SECS, OPEN_SECS};
use crate::det::Det;
use crate::market::{self, Quote, Stock, Venue};

/// The rows of a paged list to produce in this answer.
#[derive(Clone, Copy, Debug)]
pub struct PageSpec<'a> {
    pub list: &'a str,
    pub start: u64,
    pub count: u64,
}

/// What one object (the body, or one list row) describes.
#[derive(Clone, Debug)]
pub struct Row {
    pub stock: Stock,
    pub quote: Quote,
    pub date: NaiveDate,
    /// Seconds since midnight (KST).
    pub secs: u32,
}

/// Rows in a list that does not page.
const UNPAGED_ROWS: u64 = 2;
/// Minute bars in one KRX session (09:01 to 15:30).
const SESSION_MINUTES: u64 = ((CLOSE_SECS - OPEN_SECS) / 60) as u64;

pub struct Synth<'a> {
    pub seed: u64,
    pub venue: Venue,
    pub request: &'a Map<String, Value>,
    pub anchor: NaiveDate,
    /// The simulator's KST now (see `clock`); `at` sets it.
    pub now: NaiveDateTime,
    /// The date the request names, if any: it fixes `anchor` whatever the clock says.
    requested: Option<NaiveDate>,
    /// The instrument the request names (unknown codes are refused before synthesis), or
    /// the first of the table.
    pub primary: Stock,
    table: &'static [Stock],
}

/// The date a request asks about (`base_dt`, `end_dt`, ...), if it names one.
fn requested_date(request: &Map<String, Value>) -> Option<NaiveDate> {
    ["base_dt", "end_dt", "qry_dt", "dt", "ord_dt", "strt_dt"]
        .iter()
        .filter_map(|k| request.get(*k).and_then(Value::as_str))
        .find_map(|s| NaiveDate::parse_from_str(s, "%Y%m%d").ok())
}

impl<'a> Synth<'a> {
    pub fn new(seed: u64, venue: Venue, request: &'a Map<String, Value>) -> Synth<'a> {
        let table = match venue {
            Venue::Krx => market::domestic_table(),
            Venue::Us => market::us_table(),
        };
        let code = ["stk_cd", "jmcode", "stk_cd_1"]
            .iter()
            .filter_map(|k| request.get(*k).and_then(Value::as_str))
            .find(|s| !s.trim().is_empty());
        let primary = code
            .and_then(|code| market::find(code, venue))
            .unwrap_or_else(|| table[0].clone());
        let now = clock::now_kst();
        let requested = requested_date(request);
        let anchor = requested.unwrap_or_else(|| clock::anchor_at(now).0);
        Synth {
            seed,
            venue,
            request,
            anchor,
            now,
            requested,
            primary,
            table,
        }
    }

    /// The same synthesis at the simulator's now (`clock::now`): the wall clock unless
    /// `MockConfig::clock` fixes it.
    pub fn at(mut self, now: NaiveDateTime) -> Synth<'a> {
        self.now = now;
        self.anchor = self.requested.unwrap_or_else(|| clock::anchor_at(now).0);
        self
    }

    /// The clock's trading day, whatever date the request names.
    pub fn today(&self) -> NaiveDate {
        clock::anchor_at(self.now).0
    }

    /// The session time (KST seconds) of `date` at this synthesis' now.
    pub fn session_secs(&self, date: NaiveDate) -> u32 {
        clock::session_secs_at(self.now, date)
    }

    pub fn table(&self) -> &[Stock] {
        self.table
    }

    /// The context of the body itself: the requested instrument, today.
    pub fn top_row(&self) -> Row {
        let date = market::trading_days_back(self.anchor, 0);
        Row {
            stock: self.primary.clone(),
            quote: market::quote(self.seed, &self.primary, date),
            date,
            secs: self.session_secs(date),
        }
    }

    /// The context of row `index` of a list with these fields: rows naming a stock cycle
    /// through the table; rows with a date step back one trading day each; rows with only a
    /// time step back one minute each (minute charts), from the clock's minute on the anchor
    /// day through 09:01, then from 15:30 of each trading day before.
    pub fn row(&self, fields: &[Field], index: u64, det: &Det) -> Row {
        let has_code = fields.iter().any(|f| role(f) == Role::StockCode);
        let stock = if has_code {
            let offset = det.fork("stock-offset").next_u64() % self.table.len() as u64;
            self.table[((index + offset) % self.table.len() as u64) as usize].clone()
        } else {
            self.primary.clone()
        };
        let has_date = fields.iter().any(|f| f.ty == ValueType::Date);
        let has_time = fields
            .iter()
            .any(|f| matches!(f.ty, ValueType::Time | ValueType::Datetime));
        if has_time && !has_date {
            let day0 = market::trading_days_back(self.anchor, 0);
            let first = self.session_secs(day0);
            let bars_day0 = u64::from(first.saturating_sub(OPEN_SECS) / 60);
            let (date, secs) = if index < bars_day0 {
                (day0, first - index as u32 * 60)
            } else {
                let j = index - bars_day0;
                (
                    market::trading_days_back(day0, 1 + j / SESSION_MINUTES),
                    CLOSE_SECS - (j % SESSION_MINUTES) as u32 * 60,
                )
            };
            let day = market::quote(self.seed, &stock, date);
            let mut d = Det::new(self.seed, &["minute", &stock.code, &index.to_string()]);
            let close = market::round_tick(
                stock.venue,
                (day.close as f64 * (1.0 + (d.unit() - 0.5) * 0.008)) as i64,
            );
            let open = market::round_tick(
                stock.venue,
                (close as f64 * (1.0 + (d.unit() - 0.5) * 0.002)) as i64,
            );
            let quote = Quote {
                prev_close: day.prev_close,
                open,
                high: close.max(open) + market::tick(stock.venue, close.max(open)),
                low: (close.min(open) - market::tick(stock.venue, close.min(open))).max(1),
                close,
            };
            Row {
                stock,
                quote,
                date,
                secs,
            }
        } else {
            let back = if has_date { index } else { 0 };
            let date = market::trading_days_back(self.anchor, back);
            Row {
                quote: market::quote(self.seed, &stock, date),
                stock,
                date,
                secs: self.session_secs(date),
            }
        }
    }

    /// An object with every field of `fields`. `echo` copies request values into
    /// same-named text fields (top-level bodies echo `stk_cd`, `dmst_stex_tp`, ...).
    pub fn object(
        &self,
        fields: &[Field],
        row: &Row,
        det: &Det,
        page: Option<PageSpec<'_>>,
        echo: bool,
    ) -> Map<String, Value> {
        let mut out = Map::new();
        for f in fields {
            if f.presence == Presence::Ghost || f.wire == "return_code" || f.wire == "return_msg" {
                continue;
            }
            let fdet = det.fork(&f.wire);
            let v = match f.ty {
                ValueType::List => {
                    let (start, count) = match page {
                        Some(p) if p.list == f.wire => (p.start, p.count),
                        _ => (0, UNPAGED_ROWS),
                    };
                    self.list(f, start, count, &fdet)
                }
                ValueType::Object => Value::Object(self.object(&f.fields, row, &fdet, None, false)),
                _ => Value::String(self.value(f, row, &fdet, echo)),
            };
            out.insert(f.wire.clone(), v);
        }
        out
    }

    /// Rows `start..start+count` of list field `f`.
    pub fn list(&self, f: &Field, start: u64, count: u64, det: &Det) -> Value {
        let rows = (start..start + count).map(|i| {
            let rdet = det.fork_n(i);
            let row = self.row(&f.fields, i, &rdet);
            match f.row_shape {
                RowShape::Object => Value::Object(self.object(&f.fields, &row, &rdet, None, false)),
                RowShape::Array => Value::Array(
                    f.fields
                        .iter()
                        .map(|c| Value::String(self.value(c, &row, &rdet.fork(&c.wire), false)))
                        .collect(),
                ),
                RowShape::Scalar => match f.fields.first() {
                    Some(c) => Value::String(self.value(c, &row, &rdet.fork(&c.wire), false)),
                    None => Value::String(row.stock.code.clone()),
                },
            }
        });
        Value::Array(rows.collect())
    }

    /// One scalar value, as the string Kiwoom would send.
    pub fn value(&self, f: &Field, row: &Row, det: &Det, echo: bool) -> String {
        if echo && matches!(f.ty, ValueType::Text | ValueType::Enum | ValueType::Date) {
            if let Some(v) = self
                .request
                .get(&f.wire)
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
            {
                return v.to_string();
            }
        }
        let mut det = det.clone();
        let q = row.quote;
        let r = role(f);
        let text = match f.ty {
            ValueType::Date => row.date.format("%Y%m%d").to_string(),
            ValueType::Time => hhmmss(row.secs),
            ValueType::Datetime => format!("{}{}", row.date.format("%Y%m%d"), hhmmss(row.secs)),
            ValueType::Enum => enum_value(f, r, q, &mut det),
            _ => match r {
                Role::Price(kind) => {
                    let p = price(row, kind);
                    render(f, self.price_num(p), direction(p, q.prev_close))
                }
                Role::Change => render(f, self.price_num(q.change()), None),
                Role::ChangeSign => sign_code(q.change()).to_string(),
                Role::ChangeRate => {
                    let bp = if q.prev_close == 0 {
                        0
                    } else {
                        q.change() * 10_000 / q.prev_close
                    };
                    render(
                        f,
                        Num {
                            mantissa: bp,
                            frac: 2,
                        },
                        None,
                    )
                }
                Role::Rate => render(
                    f,
                    Num {
                        mantissa: signed(f, det.range(0, 3_000), &mut det),
                        frac: 2,
                    },
                    None,
                ),
                // A trade's size signed by the side that took liquidity (0B `15`: "+82"
                // bought at the ask, "-82" sold at the bid): one print's shares, not the
                // day's volume the field's label (거래량) would otherwise give it.
                _ if f.codec.sign == codegen::spec::Sign::Side => {
                    let side = if det.range(0, 2) == 0 { '+' } else { '-' };
                    render(f, Num::int(det.range(1, 1_000)), Some(side))
                }
                Role::Quantity if is_volume(f) => {
                    render(f, Num::int(volume(self.seed, row) / unit_divisor(f)), None)
                }
                Role::Quantity => render(
                    f,
                    Num::int(signed(f, det.range(1, 3_000_000), &mut det) / unit_divisor(f)),
                    None,
                ),
                Role::Amount if is_turnover(f) && self.venue == Venue::Krx => render(
                    f,
                    Num::int(volume(self.seed, row) * q.close / unit_divisor(f)),
                    None,
                ),
                Role::Amount => render(
                    f,
                    Num::int(
                        signed(f, det.range(1_000_000, 9_000_000_000), &mut det) / unit_divisor(f),
                    ),
                    None,
                ),
                Role::StockCode => wire_code(f, &row.stock),
                Role::StockName => row.stock.name.clone(),
                Role::StockEnglishName => row.stock.english.clone(),
                Role::OrderNo => order_no(self.venue, det.range(1, 9_999_999)),
                Role::AccountNo => "5012345678".to_string(),
                Role::Label => f.korean.clone(),
                Role::Other => match f.ty {
                    ValueType::Integer => {
                        render(f, Num::int(signed(f, det.range(0, 99_999), &mut det)), None)
                    }
                    ValueType::Decimal => render(
                        f,
                        Num {
                            mantissa: signed(f, det.range(0, 99_999), &mut det),
                            frac: 2,
                        },
                        None,
                    ),
                    _ => pad(f, "", &det.range(0, 9).to_string()),
                },
            },
        };
        truncate(f, text)
    }

    /// A price in the venue's minor unit as a number: won, or USD with 4 decimals.
    pub fn price_num(&self, p: i64) -> Num {
        match self.venue {
            Venue::Krx => Num::int(p),
            Venue::Us => Num {
                mantissa: p,
                frac: 4,
            },
        }
    }

    /// The values map of a REAL frame for `stock` at tick `n` (KST wall-clock time).
    pub fn realtime_values(
        &self,
        values: &[Field],
        stock: &Stock,
        n: u64,
        secs: u32,
    ) -> Map<String, Value> {
        let live = market::live_price(self.seed, stock, self.today(), n);
        self.realtime_values_at(values, stock, live, n, secs)
    }

    /// `realtime_values` with the current price given: the market walk's, once it moves,
    /// so quotes show the price orders fill at.
    pub fn realtime_values_at(
        &self,
        values: &[Field],
        stock: &Stock,
        live: i64,
        n: u64,
        secs: u32,
    ) -> Map<String, Value> {
        let today = self.today();
        let day = market::quote(self.seed, stock, today);
        let quote = Quote {
            close: live,
            high: day.high.max(live),
            low: day.low.min(live),
            ..day
        };
        let row = Row {
            stock: stock.clone(),
            quote,
            date: today,
            secs,
        };
        let det = Det::new(self.seed, &["real", &stock.code, &n.to_string()]);
        let mut out = Map::new();
        for f in values.iter().filter(|f| f.presence != Presence::Ghost) {
            out.insert(
                f.wire.clone(),
                Value::String(self.value(f, &row, &det.fork(&f.wire), false)),
            );
        }
        out
    }
}

/// An order number as each venue writes it: 7 digits domestic, 9 digits US (`000000282`).
pub fn order_no(venue: Venue, n: i64) -> String {
    match venue {
        Venue::Krx => format!("{n:07}"),
        Venue::Us => format!("{n:09}"),
    }
}

/// The divisor from a count in shares or won to the field's documented unit (백만원, 천주...).
/// Compound units ("억원 혹은 1000주") depend on another field and stay in the base unit.
fn unit_divisor(f: &Field) -> i64 {
    match f.unit.as_deref() {
        Some("천주" | "천원" | "천USD") => 1_000,
        Some("백만원") => 1_000_000,
        Some("천만") => 10_000_000,
        Some("억원") => 100_000_000,
        _ => 1,
    }
}

/// 거래량: the row's traded volume, which its 거래대금 agrees with.
fn is_volume(f: &Field) -> bool {
    f.wire == "trde_qty" || f.korean == "거래량"
}

/// 거래대금: volume x price, in the field's unit.
fn is_turnover(f: &Field) -> bool {
    f.wire == "trde_prica" || f.korean == "거래대금"
}

/// Shares traded in a row (a day or a minute bar), stable for the row's stock, day and time.
fn volume(seed: u64, row: &Row) -> i64 {
    let mut det = Det::new(
        seed,
        &[
            "volume",
            &row.stock.code,
            &row.date.to_string(),
            &row.secs.to_string(),
        ],
    );
    det.range(200_000, 20_000_000)
}

fn signed(f: &Field, magnitude: i64, det: &mut Det) -> i64 {
    if f.codec.sign == codegen::spec::Sign::Value && det.range(0, 2) == 0 {
        -magnitude
    } else {
        magnitude
    }
}

fn truncate(f: &Field, text: String) -> String {
    match f.max_length {
        Some(max) if max > 0 && f.ty == ValueType::Text && text.chars().count() > max as usize => {
            text.chars().take(max as usize).collect()
        }
        _ => text,
    }
}

/// A stock code as field `f` carries it: `A005930` where the field takes the market prefix.
pub fn wire_code(f: &Field, stock: &Stock) -> String {
    if f.codec.market_prefix && stock.venue == Venue::Krx {
        format!("A{}", stock.code)
    } else {
        stock.code.clone()
    }
}

pub fn hhmmss(secs: u32) -> String {
    format!(
        "{:02}{:02}{:02}",
        secs / 3600 % 24,
        secs / 60 % 60,
        secs % 60
    )
}

fn price(row: &Row, kind: PriceKind) -> i64 {
    let q = row.quote;
    let v = row.stock.venue;
    match kind {
        PriceKind::Current => q.close,
        PriceKind::Open => q.open,
        PriceKind::High => q.high,
        PriceKind::Low => q.low,
        PriceKind::PrevClose => q.prev_close,
        PriceKind::UpperLimit => market::round_tick(v, q.prev_close * 13 / 10),
        PriceKind::LowerLimit => {
            let raw = q.prev_close * 7 / 10;
            let t = market::tick(v, raw);
            market::round_tick(v, raw + t - 1)
        }
        PriceKind::Ask => q.close + market::tick(v, q.close),
    }
}

/// The sign Kiwoom puts before a price: `+` above the previous close, `-` below.
pub fn direction(p: i64, prev_close: i64) -> Option<char> {
    match p.cmp(&prev_close) {
        std::cmp::Ordering::Greater => Some('+'),
        std::cmp::Ordering::Less => Some('-'),
        std::cmp::Ordering::Equal => None,
    }
}

/// Kiwoom's 전일대비기호: 2 up, 3 flat, 5 down (1/4 are the limits, never reached here).
pub fn sign_code(change: i64) -> &'static str {
    match change.signum() {
        1 => "2",
        -1 => "5",
        _ => "3",
    }
}

fn enum_value(f: &Field, r: Role, q: Quote, det: &mut Det) -> String {
    let codes: Vec<&str> = f
        .enumeration
        .iter()
        .flat_map(|e| e.values.iter().map(|v| v.code.as_str()))
        .collect();
    if r == Role::ChangeSign {
        let code = sign_code(q.change());
        if codes.is_empty() || codes.contains(&code) {
            return code.to_string();
        }
    }
    det.pick(&codes)
        .map_or_else(|| "0".to_string(), |c| (*c).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_format() {
        assert_eq!(hhmmss(CLOSE_SECS), "153000");
        assert_eq!(order_no(Venue::Us, 282), "000000282");
        assert_eq!(order_no(Venue::Krx, 12_001), "0012001");
        assert_eq!(hhmmss(9 * 3600 + 5), "090005");
    }
}
