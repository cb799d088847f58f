//! Trading calendars: which weekdays a market is closed and which days keep other hours.
//! One for KRX (also governing NXT and SOR), one for the US exchanges.
//!
//! No Kiwoom API answers holidays, so the calendar is a dated table,
//! `kiwoom-market/data/krx-calendar.csv`, embedded at build time and replaceable at run time
//! ([`Calendar::load`], [`Calendar::parse`]) or amended for a one-off closure
//! ([`Calendar::with_closure`]). It states the range it covers; a weekday outside that range
//! is [`CalendarError::OutOfRange`], never a guess. Weekends are closed whatever the range.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::LazyLock;

use chrono::{Datelike, Days, NaiveDate, Weekday};

/// The embedded KRX table (see the file's header for sources and how to update it).
pub const EMBEDDED_KRX_CALENDAR: &str = include_str!("../data/krx-calendar.csv");

/// The embedded US table (NYSE/Nasdaq holidays and early closes).
pub const EMBEDDED_US_CALENDAR: &str = include_str!("../data/us-calendar.csv");

/// A calendar question the table cannot answer, or a table that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CalendarError {
    #[error(
        "{date} is outside the trading calendar, which covers {first} to {last}: update \
         kiwoom-market/data/krx-calendar.csv (or us-calendar.csv) from the exchange's \
         holiday list, load a newer file with Calendar::load, or switch the holiday check off"
    )]
    OutOfRange {
        date: NaiveDate,
        first: NaiveDate,
        last: NaiveDate,
    },
    #[error("calendar line {line}: {reason}: {text:?}")]
    Parse {
        line: usize,
        reason: &'static str,
        text: String,
    },
    #[error("calendar file {path}: {reason}")]
    Io { path: String, reason: String },
}

/// Why the market is closed on a day.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Closure {
    Weekend,
    /// A listed closure, with the table's name for it.
    Holiday(String),
}

impl std::fmt::Display for Closure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Closure::Weekend => f.write_str("weekend"),
            Closure::Holiday(name) => f.write_str(name),
        }
    }
}

/// Which session table a trading day follows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DayKind {
    /// The usual hours.
    Regular,
    /// The first trading day of the year: KRX's regular session opens at 10:00 (the opening
    /// ceremony), everything before it moves one hour later, the close does not move.
    FirstTradingDay,
    /// The national college entrance exam (대학수학능력시험): the whole day moves one hour
    /// later, the after-hours sessions still end at 18:00.
    ExamDay,
    /// A US early close: the regular session ends at 13:00 ET, after-hours at 17:00 ET.
    EarlyClose,
}

/// What a date is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TradingDay {
    Closed(Closure),
    Open(DayKind),
}

/// A KRX calendar: closures and exam days over a stated range.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Calendar {
    first: NaiveDate,
    last: NaiveDate,
    closures: BTreeMap<NaiveDate, String>,
    exam_days: BTreeMap<NaiveDate, String>,
    early_closes: BTreeMap<NaiveDate, String>,
    /// KRX opens late on the first trading day of the year; US exchanges do not.
    first_day_opens_late: bool,
}

fn is_weekend(date: NaiveDate) -> bool {
    matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

impl Calendar {
    /// The embedded US calendar, parsed once.
    pub fn us() -> &'static Calendar {
        static CAL: LazyLock<Calendar> = LazyLock::new(|| {
            Calendar::parse_us(EMBEDDED_US_CALENDAR)
                .expect("the embedded us-calendar.csv parses (tested in kiwoom-market)")
        });
        &CAL
    }

    /// A US calendar from text in the format of `data/us-calendar.csv` (no late opening on
    /// the first trading day of the year).
    pub fn parse_us(text: &str) -> Result<Calendar, CalendarError> {
        let mut cal = Calendar::parse(text)?;
        cal.first_day_opens_late = false;
        Ok(cal)
    }

    /// The embedded KRX calendar, parsed once. Its contents are checked by this crate's tests.
    pub fn krx() -> &'static Calendar {
        static CAL: LazyLock<Calendar> = LazyLock::new(|| {
            Calendar::parse(EMBEDDED_KRX_CALENDAR)
                .expect("the embedded krx-calendar.csv parses (tested in kiwoom-market)")
        });
        &CAL
    }

    /// A calendar from a file in the format of `data/krx-calendar.csv`.
    pub fn load(path: &Path) -> Result<Calendar, CalendarError> {
        let text = std::fs::read_to_string(path).map_err(|e| CalendarError::Io {
            path: path.display().to_string(),
            reason: e.to_string(),
        })?;
        Calendar::parse(&text)
    }

    /// A calendar from text: `#` comments, a `date,kind,name` header, then one row per date
    /// with kind `covers_from`, `covers_through`, `closed`, `exam_day` or `early_close`. The
    /// result follows KRX's conventions (late opening on the first trading day); use
    /// [`Calendar::parse_us`] for a US table.
    pub fn parse(text: &str) -> Result<Calendar, CalendarError> {
        let mut first = None;
        let mut last = None;
        let mut closures = BTreeMap::new();
        let mut exam_days = BTreeMap::new();
        let mut early_closes = BTreeMap::new();
        for (i, raw) in text.lines().enumerate() {
            let line = i + 1;
            let row = raw.trim();
            if row.is_empty() || row.starts_with('#') || row == "date,kind,name" {
                continue;
            }
            let err = |reason| CalendarError::Parse {
                line,
                reason,
                text: raw.to_string(),
            };
            let mut cols = row.splitn(3, ',');
            let (date, kind, name) = (
                cols.next().unwrap_or("").trim(),
                cols.next()
                    .ok_or_else(|| err("expected date,kind,name"))?
                    .trim(),
                cols.next().unwrap_or("").trim().to_string(),
            );
            let date = NaiveDate::parse_from_str(date, "%Y-%m-%d")
                .map_err(|_| err("the date is not YYYY-MM-DD"))?;
            match kind {
                "covers_from" => first = Some(date),
                "covers_through" => last = Some(date),
                "closed" | "exam_day" | "early_close" if is_weekend(date) => {
                    return Err(err("a weekend date needs no row (weekends are closed)"));
                }
                "closed" => {
                    if closures.insert(date, name).is_some() {
                        return Err(err("the date is listed twice"));
                    }
                }
                "exam_day" => {
                    exam_days.insert(date, name);
                }
                "early_close" => {
                    early_closes.insert(date, name);
                }
                _ => return Err(err("unknown kind")),
            }
        }
        let missing = |reason| CalendarError::Parse {
            line: 0,
            reason,
            text: String::new(),
        };
        let first = first.ok_or_else(|| missing("no covers_from row"))?;
        let last = last.ok_or_else(|| missing("no covers_through row"))?;
        if first > last {
            return Err(missing("covers_from is after covers_through"));
        }
        if let Some(d) = closures
            .keys()
            .chain(exam_days.keys())
            .chain(early_closes.keys())
            .find(|d| **d < first || **d > last)
        {
            return Err(CalendarError::Parse {
                line: 0,
                reason: "a row is outside covers_from..covers_through",
                text: d.to_string(),
            });
        }
        Ok(Calendar {
            first,
            last,
            closures,
            exam_days,
            early_closes,
            first_day_opens_late: true,
        })
    }

    /// This calendar with one more closure (a one-off: a state funeral, a system outage).
    /// The date must be inside the covered range.
    pub fn with_closure(mut self, date: NaiveDate, name: &str) -> Result<Calendar, CalendarError> {
        self.ensure_covered(date)?;
        self.closures.insert(date, name.to_string());
        Ok(self)
    }

    /// This calendar with a listed closure removed (a holiday that was cancelled).
    pub fn without_closure(mut self, date: NaiveDate) -> Calendar {
        self.closures.remove(&date);
        self
    }

    /// The first and last dates the table answers for.
    pub fn covers(&self) -> (NaiveDate, NaiveDate) {
        (self.first, self.last)
    }

    /// The listed closures, in date order.
    pub fn closures(&self) -> impl Iterator<Item = (NaiveDate, &str)> {
        self.closures.iter().map(|(d, n)| (*d, n.as_str()))
    }

    fn ensure_covered(&self, date: NaiveDate) -> Result<(), CalendarError> {
        if date < self.first || date > self.last {
            Err(CalendarError::OutOfRange {
                date,
                first: self.first,
                last: self.last,
            })
        } else {
            Ok(())
        }
    }

    /// Whether the market is closed on `date`, and if open, which hours it keeps.
    pub fn day(&self, date: NaiveDate) -> Result<TradingDay, CalendarError> {
        if is_weekend(date) {
            return Ok(TradingDay::Closed(Closure::Weekend));
        }
        self.ensure_covered(date)?;
        if let Some(name) = self.closures.get(&date) {
            return Ok(TradingDay::Closed(Closure::Holiday(name.clone())));
        }
        if self.exam_days.contains_key(&date) {
            return Ok(TradingDay::Open(DayKind::ExamDay));
        }
        if self.early_closes.contains_key(&date) {
            return Ok(TradingDay::Open(DayKind::EarlyClose));
        }
        if self.first_day_opens_late && self.is_first_trading_day_of_year(date)? {
            return Ok(TradingDay::Open(DayKind::FirstTradingDay));
        }
        Ok(TradingDay::Open(DayKind::Regular))
    }

    /// Whether KRX trades on `date`.
    pub fn is_trading_day(&self, date: NaiveDate) -> Result<bool, CalendarError> {
        Ok(matches!(self.day(date)?, TradingDay::Open(_)))
    }

    fn is_first_trading_day_of_year(&self, date: NaiveDate) -> Result<bool, CalendarError> {
        let mut d = NaiveDate::from_ymd_opt(date.year(), 1, 1).expect("January 1st exists");
        while d < date {
            if !is_weekend(d) && d >= self.first && !self.closures.contains_key(&d) {
                return Ok(false);
            }
            if d < self.first && !is_weekend(d) {
                // The days before it in January are not in the table: do not guess.
                self.ensure_covered(d)?;
            }
            d = d.succ_opt().expect("dates in range have a successor");
        }
        Ok(true)
    }

    /// The first trading day strictly after `date`.
    pub fn next_trading_day(&self, date: NaiveDate) -> Result<NaiveDate, CalendarError> {
        let mut d = date;
        loop {
            d = d
                .checked_add_days(Days::new(1))
                .ok_or(CalendarError::OutOfRange {
                    date: d,
                    first: self.first,
                    last: self.last,
                })?;
            if self.is_trading_day(d)? {
                return Ok(d);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn parse_rejects_what_it_cannot_trust() {
        let ok = "2024-01-01,covers_from,\n2024-12-31,covers_through,\n2024-05-01,closed,x\n";
        assert!(Calendar::parse(ok).is_ok());
        let weekend = format!("{ok}2024-05-04,closed,saturday\n");
        assert!(matches!(
            Calendar::parse(&weekend),
            Err(CalendarError::Parse { line: 4, .. })
        ));
        let outside = format!("{ok}2025-05-02,closed,x\n");
        assert!(Calendar::parse(&outside).is_err());
        assert!(Calendar::parse("2024-05-01,closed,x\n").is_err());
    }

    #[test]
    fn first_trading_day_skips_the_closures() {
        let cal = Calendar::krx();
        assert_eq!(
            cal.day(d(2026, 1, 2)),
            Ok(TradingDay::Open(DayKind::FirstTradingDay))
        );
        assert_eq!(
            cal.day(d(2026, 1, 5)),
            Ok(TradingDay::Open(DayKind::Regular))
        );
        // 2027-01-01 is a Friday holiday: the first trading day is Monday the 4th.
        assert_eq!(
            cal.day(d(2027, 1, 4)),
            Ok(TradingDay::Open(DayKind::FirstTradingDay))
        );
    }
}
