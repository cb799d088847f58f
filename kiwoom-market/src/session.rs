//! Trading sessions as data: one table of windows per (exchange, kind of day), each window
//! with the order types it accepts. All domestic times are KST (Asia/Seoul, UTC+9, no
//! daylight saving); US times are US Eastern and follow its daylight saving (chrono-tz).
//! Nothing here reads the host's time zone: callers pass instants, and a UTC host gets the
//! same answers as a Seoul one.
//!
//! Sources: KRX trading rules as summarised in the project's research notes (KRX: 장전 시간외
//! 종가 08:30–08:40, opening auction 08:30–09:00, regular 09:00–15:30 with the closing auction
//! from 15:20, 장후 시간외 종가 15:40–16:00, 시간외 단일가 16:00–18:00 matched every 10 minutes
//! within ±10%; NXT: pre-market 08:00–08:50, main market from 09:00:30 to 15:20, after-market
//! 15:30–20:00), KRX's yearly notices for the first trading day and the exam day (2025-12-18,
//! 2025-11-12), and NYSE/Nasdaq hours (pre-market 04:00, regular 09:30–16:00, after-hours to
//! 20:00 ET). Kiwoom's realtime type `0s` (장시작시간, field 215) reports the KRX transitions
//! live; these tables are for deciding before an order is sent.
//!
//! Which order types a window accepts (KRX rules; NXT from its rulebook as reported at
//! launch): single-price auctions take limit and market orders only (no 최유리/최우선, no
//! IOC/FOK, no midpoint or stop orders); continuous trading takes every type except the
//! off-hours ones; the off-hours sessions take only their own type (61, 81, 62); NXT's pre-
//! and after-market take limit orders (a KIS live reject reads "[프리마켓] 시장가 매매 불가
//! 시간"). US regular hours take every US type; the extended sessions take limit orders only.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime, TimeZone, Timelike, Utc};
use chrono_tz::America::New_York;

use crate::calendar::{Calendar, CalendarError, DayKind, TradingDay};
use crate::kinds::{DomesticOrderType as D, OrderType, UsOrderType as U, Venue};

/// KST: UTC+9 all year (Korea has not observed daylight saving since 1988).
pub fn kst() -> FixedOffset {
    FixedOffset::east_opt(9 * 3600).expect("+09:00 is a valid offset")
}

/// A time of day in the exchange's zone, as seconds after midnight (tables stay `const`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Clock(u32);

impl Clock {
    pub const fn hms(h: u32, m: u32, s: u32) -> Clock {
        Clock(h * 3600 + m * 60 + s)
    }
    const fn hm(h: u32, m: u32) -> Clock {
        Clock::hms(h, m, 0)
    }
    /// The time of day of a `NaiveTime` (sub-second part dropped).
    pub fn of(t: NaiveTime) -> Clock {
        Clock(t.num_seconds_from_midnight())
    }
    pub fn to_naive(self) -> NaiveTime {
        NaiveTime::from_num_seconds_from_midnight_opt(self.0, 0).expect("a clock is within a day")
    }
}

impl std::fmt::Display for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (h, m, s) = (self.0 / 3600, self.0 / 60 % 60, self.0 % 60);
        if s == 0 {
            write!(f, "{h:02}:{m:02}")
        } else {
            write!(f, "{h:02}:{m:02}:{s:02}")
        }
    }
}

/// Which market a window belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Exchange {
    Krx,
    Nxt,
    Us,
}

/// What happens in a window.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Phase {
    /// KRX 장개시전 시간외 종가: trades at the previous close (type 61).
    PreMarketClosingPrice,
    /// KRX opening single-price auction (장 시작 동시호가).
    OpeningAuction,
    /// KRX regular continuous trading (접속매매).
    Continuous,
    /// KRX closing single-price auction (장 마감 동시호가).
    ClosingAuction,
    /// KRX 장종료후 시간외 종가: trades at the day's close (type 81).
    AfterMarketClosingPrice,
    /// KRX 시간외 단일가: a single-price match every 10 minutes within ±10% of the close (62).
    AfterHoursSinglePrice,
    /// NXT pre-market (프리마켓).
    NxtPreMarket,
    /// NXT main market (메인마켓).
    NxtMain,
    /// NXT after-market (애프터마켓).
    NxtAfterMarket,
    /// US pre-market (extended hours).
    UsPreMarket,
    /// US regular session.
    UsRegular,
    /// US after-hours (extended hours).
    UsAfterHours,
}

/// One window of a session table: `[start, end)` in the exchange's local time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SessionWindow {
    pub exchange: Exchange,
    pub phase: Phase,
    pub start: Clock,
    pub end: Clock,
    pub accepts: &'static [OrderType],
}

impl SessionWindow {
    pub fn contains(&self, t: Clock) -> bool {
        self.start <= t && t < self.end
    }
    pub fn accepts(&self, order_type: OrderType) -> bool {
        self.accepts.contains(&order_type)
    }
}

const fn d(t: D) -> OrderType {
    OrderType::Domestic(t)
}
const fn u(t: U) -> OrderType {
    OrderType::Us(t)
}

const AUCTION: &[OrderType] = &[d(D::Limit), d(D::Market)];
const CONTINUOUS: &[OrderType] = &[
    d(D::Limit),
    d(D::Market),
    d(D::ConditionalLimit),
    d(D::BestLimit),
    d(D::PriorityLimit),
    d(D::LimitIoc),
    d(D::MarketIoc),
    d(D::BestIoc),
    d(D::LimitFok),
    d(D::MarketFok),
    d(D::BestFok),
    d(D::StopLimit),
    d(D::MidPrice),
    d(D::MidPriceIoc),
    d(D::MidPriceFok),
];
const PRE_CLOSE: &[OrderType] = &[d(D::PreMarketClose)];
const AFTER_CLOSE: &[OrderType] = &[d(D::AfterMarketClose)];
const SINGLE_PRICE: &[OrderType] = &[d(D::AfterHoursSinglePrice)];
const NXT_EXTENDED: &[OrderType] = &[d(D::Limit), d(D::LimitIoc), d(D::LimitFok)];
const US_ALL: &[OrderType] = &[
    u(U::Limit),
    u(U::Market),
    u(U::VwapLimit),
    u(U::TwapLimit),
    u(U::LimitOnClose),
    u(U::MarketOnClose),
    u(U::StopLimit),
    u(U::Stop),
    u(U::VwapMarket),
    u(U::TwapMarket),
];
const US_EXTENDED: &[OrderType] = &[u(U::Limit)];

const fn w(
    exchange: Exchange,
    phase: Phase,
    start: Clock,
    end: Clock,
    accepts: &'static [OrderType],
) -> SessionWindow {
    SessionWindow {
        exchange,
        phase,
        start,
        end,
        accepts,
    }
}

use Exchange::{Krx, Nxt, Us};
use Phase::*;

/// KRX on an ordinary trading day.
pub const KRX_REGULAR_DAY: &[SessionWindow] = &[
    w(
        Krx,
        PreMarketClosingPrice,
        Clock::hm(8, 30),
        Clock::hm(8, 40),
        PRE_CLOSE,
    ),
    w(
        Krx,
        OpeningAuction,
        Clock::hm(8, 30),
        Clock::hm(9, 0),
        AUCTION,
    ),
    w(
        Krx,
        Continuous,
        Clock::hm(9, 0),
        Clock::hm(15, 20),
        CONTINUOUS,
    ),
    w(
        Krx,
        ClosingAuction,
        Clock::hm(15, 20),
        Clock::hm(15, 30),
        AUCTION,
    ),
    w(
        Krx,
        AfterMarketClosingPrice,
        Clock::hm(15, 40),
        Clock::hm(16, 0),
        AFTER_CLOSE,
    ),
    w(
        Krx,
        AfterHoursSinglePrice,
        Clock::hm(16, 0),
        Clock::hm(18, 0),
        SINGLE_PRICE,
    ),
];

/// KRX on the first trading day of the year: the morning moves one hour later (regular
/// session from 10:00), the close and the after-hours sessions keep their times.
pub const KRX_FIRST_TRADING_DAY: &[SessionWindow] = &[
    w(
        Krx,
        PreMarketClosingPrice,
        Clock::hm(9, 30),
        Clock::hm(9, 40),
        PRE_CLOSE,
    ),
    w(
        Krx,
        OpeningAuction,
        Clock::hm(9, 30),
        Clock::hm(10, 0),
        AUCTION,
    ),
    w(
        Krx,
        Continuous,
        Clock::hm(10, 0),
        Clock::hm(15, 20),
        CONTINUOUS,
    ),
    w(
        Krx,
        ClosingAuction,
        Clock::hm(15, 20),
        Clock::hm(15, 30),
        AUCTION,
    ),
    w(
        Krx,
        AfterMarketClosingPrice,
        Clock::hm(15, 40),
        Clock::hm(16, 0),
        AFTER_CLOSE,
    ),
    w(
        Krx,
        AfterHoursSinglePrice,
        Clock::hm(16, 0),
        Clock::hm(18, 0),
        SINGLE_PRICE,
    ),
];

/// KRX on the college exam day: everything one hour later (regular 10:00–16:30), the
/// single-price session shortened to 17:00–18:00.
pub const KRX_EXAM_DAY: &[SessionWindow] = &[
    w(
        Krx,
        PreMarketClosingPrice,
        Clock::hm(9, 30),
        Clock::hm(9, 40),
        PRE_CLOSE,
    ),
    w(
        Krx,
        OpeningAuction,
        Clock::hm(9, 30),
        Clock::hm(10, 0),
        AUCTION,
    ),
    w(
        Krx,
        Continuous,
        Clock::hm(10, 0),
        Clock::hm(16, 20),
        CONTINUOUS,
    ),
    w(
        Krx,
        ClosingAuction,
        Clock::hm(16, 20),
        Clock::hm(16, 30),
        AUCTION,
    ),
    w(
        Krx,
        AfterMarketClosingPrice,
        Clock::hm(16, 40),
        Clock::hm(17, 0),
        AFTER_CLOSE,
    ),
    w(
        Krx,
        AfterHoursSinglePrice,
        Clock::hm(17, 0),
        Clock::hm(18, 0),
        SINGLE_PRICE,
    ),
];

/// NXT on an ordinary trading day. The main market starts 30 seconds after KRX's opening
/// auction ends.
pub const NXT_REGULAR_DAY: &[SessionWindow] = &[
    w(
        Nxt,
        NxtPreMarket,
        Clock::hm(8, 0),
        Clock::hm(8, 50),
        NXT_EXTENDED,
    ),
    w(
        Nxt,
        NxtMain,
        Clock::hms(9, 0, 30),
        Clock::hm(15, 20),
        CONTINUOUS,
    ),
    w(
        Nxt,
        NxtAfterMarket,
        Clock::hm(15, 30),
        Clock::hm(20, 0),
        NXT_EXTENDED,
    ),
];

/// NXT on the first trading day: no pre-market, main market from 10:00:30.
pub const NXT_FIRST_TRADING_DAY: &[SessionWindow] = &[
    w(
        Nxt,
        NxtMain,
        Clock::hms(10, 0, 30),
        Clock::hm(15, 20),
        CONTINUOUS,
    ),
    w(
        Nxt,
        NxtAfterMarket,
        Clock::hm(15, 30),
        Clock::hm(20, 0),
        NXT_EXTENDED,
    ),
];

/// NXT on the exam day: no pre-market, main market 10:00:30–16:20, after-market from 16:30.
pub const NXT_EXAM_DAY: &[SessionWindow] = &[
    w(
        Nxt,
        NxtMain,
        Clock::hms(10, 0, 30),
        Clock::hm(16, 20),
        CONTINUOUS,
    ),
    w(
        Nxt,
        NxtAfterMarket,
        Clock::hm(16, 30),
        Clock::hm(20, 0),
        NXT_EXTENDED,
    ),
];

/// US exchanges on a weekday, in US Eastern time.
pub const US_DAY: &[SessionWindow] = &[
    w(
        Us,
        UsPreMarket,
        Clock::hm(4, 0),
        Clock::hm(9, 30),
        US_EXTENDED,
    ),
    w(Us, UsRegular, Clock::hm(9, 30), Clock::hm(16, 0), US_ALL),
    w(
        Us,
        UsAfterHours,
        Clock::hm(16, 0),
        Clock::hm(20, 0),
        US_EXTENDED,
    ),
];

/// US exchanges on an early-close day (regular session to 13:00, after-hours to 17:00 ET).
pub const US_EARLY_CLOSE: &[SessionWindow] = &[
    w(
        Us,
        UsPreMarket,
        Clock::hm(4, 0),
        Clock::hm(9, 30),
        US_EXTENDED,
    ),
    w(Us, UsRegular, Clock::hm(9, 30), Clock::hm(13, 0), US_ALL),
    w(
        Us,
        UsAfterHours,
        Clock::hm(13, 0),
        Clock::hm(17, 0),
        US_EXTENDED,
    ),
];

/// The session table of an exchange for a kind of day.
pub fn schedule(exchange: Exchange, day: DayKind) -> &'static [SessionWindow] {
    match (exchange, day) {
        (Us, DayKind::EarlyClose) => US_EARLY_CLOSE,
        (Us, _) => US_DAY,
        // Early closes are a US notion; KRX and NXT keep their usual hours.
        (Krx, DayKind::Regular | DayKind::EarlyClose) => KRX_REGULAR_DAY,
        (Krx, DayKind::FirstTradingDay) => KRX_FIRST_TRADING_DAY,
        (Krx, DayKind::ExamDay) => KRX_EXAM_DAY,
        (Nxt, DayKind::Regular | DayKind::EarlyClose) => NXT_REGULAR_DAY,
        (Nxt, DayKind::FirstTradingDay) => NXT_FIRST_TRADING_DAY,
        (Nxt, DayKind::ExamDay) => NXT_EXAM_DAY,
    }
}

/// The exchanges whose sessions decide whether an order to `venue` can be taken.
pub fn exchanges_of(venue: Venue) -> &'static [Exchange] {
    match venue {
        Venue::Krx => &[Krx],
        Venue::Nxt => &[Nxt],
        Venue::Sor => &[Krx, Nxt],
        Venue::Us => &[Us],
    }
}

/// The market's day and time at an instant: its local date, time of day, and what the
/// calendar says about the date.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MarketMoment {
    pub exchange: Exchange,
    pub date: NaiveDate,
    pub time: Clock,
    /// What the calendar says about the date.
    pub day: TradingDay,
}

impl MarketMoment {
    /// Where `exchange` stands at `at`, by `calendar` (KRX's for KRX and NXT,
    /// [`Calendar::us`] for US exchanges).
    pub fn at(
        exchange: Exchange,
        at: DateTime<Utc>,
        calendar: &Calendar,
    ) -> Result<MarketMoment, CalendarError> {
        let (date, time) = match exchange {
            Krx | Nxt => {
                let local = at.with_timezone(&kst());
                (local.date_naive(), Clock::of(local.time()))
            }
            Us => {
                let local = at.with_timezone(&New_York);
                (local.date_naive(), Clock::of(local.time()))
            }
        };
        let day = calendar.day(date)?;
        Ok(MarketMoment {
            exchange,
            date,
            time,
            day,
        })
    }

    /// The session table of the day (empty on a closed day).
    pub fn schedule(&self) -> &'static [SessionWindow] {
        match &self.day {
            TradingDay::Open(kind) => schedule(self.exchange, *kind),
            TradingDay::Closed(_) => &[],
        }
    }

    /// The windows open at this moment (several overlap: 08:30–08:40 on KRX).
    pub fn open_windows(&self) -> impl Iterator<Item = &'static SessionWindow> + '_ {
        self.schedule().iter().filter(|w| w.contains(self.time))
    }

    /// Whether an order of `order_type` is taken now.
    pub fn accepts(&self, order_type: OrderType) -> bool {
        self.open_windows().any(|w| w.accepts(order_type))
    }

    /// The next window of today that accepts `order_type`, starting after now.
    pub fn next_window_for(&self, order_type: OrderType) -> Option<&'static SessionWindow> {
        self.schedule()
            .iter()
            .filter(|w| w.start > self.time && w.accepts(order_type))
            .min_by_key(|w| w.start)
    }

    /// True before the day's first window opens.
    pub fn before_first_window(&self) -> bool {
        self.schedule().iter().all(|w| self.time < w.start)
    }

    /// The instant a local time of this moment's date falls on, for messages.
    pub fn instant(&self, t: Clock) -> Option<DateTime<Utc>> {
        let naive = self.date.and_time(t.to_naive());
        match self.exchange {
            Krx | Nxt => kst()
                .from_local_datetime(&naive)
                .single()
                .map(|x| x.to_utc()),
            Us => New_York
                .from_local_datetime(&naive)
                .single()
                .map(|x| x.to_utc()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_is_ordered_and_within_the_day() {
        for day in [
            DayKind::Regular,
            DayKind::FirstTradingDay,
            DayKind::ExamDay,
            DayKind::EarlyClose,
        ] {
            for ex in [Krx, Nxt, Us] {
                for win in schedule(ex, day) {
                    assert!(win.start < win.end, "{win:?}");
                    assert!(win.end <= Clock::hm(24, 0), "{win:?}");
                    assert!(!win.accepts.is_empty(), "{win:?}");
                }
            }
        }
    }
}
