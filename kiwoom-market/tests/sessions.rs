//! Session edges. Every instant is written in UTC (KST = UTC+9) and converted by the crate,
//! so the answers cannot depend on the host's time zone.

use chrono::{DateTime, TimeZone, Utc};
use kiwoom_market::{
    Calendar, DomesticOrderType as D, Exchange, MarketMoment, OrderType, Phase, UsOrderType,
};

/// The UTC instant of a KST wall-clock time.
fn kst(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> DateTime<Utc> {
    let utc_hour = h as i64 - 9;
    Utc.with_ymd_and_hms(y, mo, d, 0, mi, s).unwrap() + chrono::Duration::hours(utc_hour)
}

fn takes(ex: Exchange, at: DateTime<Utc>, t: D) -> bool {
    MarketMoment::at(ex, at, Calendar::krx())
        .unwrap()
        .accepts(OrderType::Domestic(t))
}

fn phases(ex: Exchange, at: DateTime<Utc>) -> Vec<Phase> {
    MarketMoment::at(ex, at, Calendar::krx())
        .unwrap()
        .open_windows()
        .map(|w| w.phase)
        .collect()
}

#[test]
fn kst_is_utc_plus_nine() {
    // 2026-12-02 00:00 UTC is 09:00 KST on Wednesday the 2nd; 23:59 UTC the day before is
    // 08:59 KST of the same Wednesday.
    let m = MarketMoment::at(
        Exchange::Krx,
        Utc.with_ymd_and_hms(2026, 12, 2, 0, 0, 0).unwrap(),
        Calendar::krx(),
    )
    .unwrap();
    assert_eq!(m.date.to_string(), "2026-12-02");
    assert_eq!(m.time.to_string(), "09:00");
    let m = MarketMoment::at(
        Exchange::Krx,
        Utc.with_ymd_and_hms(2026, 12, 1, 23, 59, 0).unwrap(),
        Calendar::krx(),
    )
    .unwrap();
    assert_eq!(m.date.to_string(), "2026-12-02");
    assert_eq!(m.time.to_string(), "08:59");
}

#[test]
fn krx_regular_day_edges() {
    let day = |h, m, s| kst(2026, 12, 2, h, m, s);
    let k = Exchange::Krx;
    assert!(
        !takes(k, day(8, 29, 59), D::Limit),
        "before the opening auction"
    );
    assert!(takes(k, day(8, 30, 0), D::Limit), "opening auction");
    assert!(
        takes(k, day(8, 30, 0), D::PreMarketClose),
        "장전 시간외 종가"
    );
    assert_eq!(
        phases(k, day(8, 35, 0)),
        [Phase::PreMarketClosingPrice, Phase::OpeningAuction]
    );
    assert!(
        !takes(k, day(8, 40, 0), D::PreMarketClose),
        "장전 시간외 ends at 08:40"
    );
    assert!(
        !takes(k, day(8, 59, 59), D::BestLimit),
        "no 최유리 in the auction"
    );
    assert!(
        !takes(k, day(8, 59, 59), D::LimitIoc),
        "no IOC in the auction"
    );
    assert!(
        takes(k, day(9, 0, 0), D::BestLimit),
        "continuous from 09:00"
    );
    assert!(takes(k, day(15, 19, 59), D::MarketFok));
    assert!(
        !takes(k, day(15, 20, 0), D::MarketFok),
        "closing auction from 15:20"
    );
    assert!(takes(k, day(15, 20, 0), D::Limit));
    assert!(takes(k, day(15, 29, 59), D::Market));
    assert!(!takes(k, day(15, 30, 0), D::Limit), "regular session over");
    assert!(
        phases(k, day(15, 35, 0)).is_empty(),
        "15:30-15:40 nothing is open"
    );
    assert!(!takes(k, day(15, 39, 59), D::AfterMarketClose));
    assert!(takes(k, day(15, 40, 0), D::AfterMarketClose));
    assert!(!takes(k, day(16, 0, 0), D::AfterMarketClose));
    assert!(takes(k, day(16, 0, 0), D::AfterHoursSinglePrice));
    assert!(!takes(k, day(16, 0, 0), D::Limit));
    assert!(takes(k, day(17, 59, 59), D::AfterHoursSinglePrice));
    assert!(!takes(k, day(18, 0, 0), D::AfterHoursSinglePrice));
}

#[test]
fn nxt_day_edges() {
    let day = |h, m, s| kst(2026, 12, 2, h, m, s);
    let n = Exchange::Nxt;
    assert!(!takes(n, day(7, 59, 59), D::Limit));
    assert!(takes(n, day(8, 0, 0), D::Limit), "pre-market");
    assert!(
        !takes(n, day(8, 10, 0), D::Market),
        "no market orders in the pre-market"
    );
    assert!(!takes(n, day(8, 50, 0), D::Limit), "pre-market ends 08:50");
    assert!(!takes(n, day(9, 0, 29), D::Limit));
    assert!(
        takes(n, day(9, 0, 30), D::MidPrice),
        "main market from 09:00:30"
    );
    assert!(!takes(n, day(15, 20, 0), D::Limit));
    assert!(takes(n, day(15, 30, 0), D::Limit), "after-market");
    assert!(takes(n, day(19, 59, 59), D::Limit));
    assert!(!takes(n, day(20, 0, 0), D::Limit));
    assert!(
        !takes(n, day(16, 30, 0), D::AfterHoursSinglePrice),
        "a KRX-only type"
    );
}

#[test]
fn first_trading_day_opens_at_ten() {
    let day = |h, m| kst(2026, 1, 2, h, m, 0);
    assert!(!takes(Exchange::Krx, day(8, 30), D::Limit));
    assert!(
        takes(Exchange::Krx, day(9, 30), D::Limit),
        "auction from 09:30"
    );
    assert!(takes(Exchange::Krx, day(9, 30), D::PreMarketClose));
    assert!(!takes(Exchange::Krx, day(9, 59), D::BestLimit));
    assert!(takes(Exchange::Krx, day(10, 0), D::BestLimit));
    assert!(
        !takes(Exchange::Krx, day(15, 30), D::Limit),
        "the close does not move"
    );
    assert!(takes(Exchange::Krx, day(16, 0), D::AfterHoursSinglePrice));
    assert!(
        !takes(Exchange::Nxt, day(8, 0), D::Limit),
        "no NXT pre-market"
    );
    assert!(takes(Exchange::Nxt, kst(2026, 1, 2, 10, 0, 30), D::Limit));
}

#[test]
fn exam_day_shifts_one_hour() {
    let day = |h, m| kst(2026, 11, 19, h, m, 0);
    assert!(!takes(Exchange::Krx, day(9, 0), D::BestLimit));
    assert!(takes(Exchange::Krx, day(10, 0), D::BestLimit));
    assert!(takes(Exchange::Krx, day(16, 19), D::BestLimit));
    assert!(
        !takes(Exchange::Krx, day(16, 20), D::BestLimit),
        "closing auction 16:20"
    );
    assert!(takes(Exchange::Krx, day(16, 25), D::Limit));
    assert!(takes(Exchange::Krx, day(16, 40), D::AfterMarketClose));
    assert!(!takes(Exchange::Krx, day(16, 59), D::AfterHoursSinglePrice));
    assert!(takes(Exchange::Krx, day(17, 0), D::AfterHoursSinglePrice));
    assert!(
        !takes(Exchange::Krx, day(18, 0), D::AfterHoursSinglePrice),
        "still ends at 18:00"
    );
    assert!(
        takes(Exchange::Nxt, day(16, 30), D::Limit),
        "NXT after-market from 16:30"
    );
    assert!(!takes(Exchange::Nxt, day(16, 25), D::Limit));
}

#[test]
fn holidays_have_no_sessions() {
    let m = MarketMoment::at(Exchange::Krx, kst(2026, 12, 25, 10, 0, 0), Calendar::krx()).unwrap();
    assert_eq!(m.open_windows().count(), 0);
}

fn us_takes(at: DateTime<Utc>, t: UsOrderType) -> bool {
    MarketMoment::at(Exchange::Us, at, Calendar::us())
        .unwrap()
        .accepts(OrderType::Us(t))
}

#[test]
fn us_hours_follow_eastern_daylight_saving() {
    // 2026-03-06 is in EST (UTC-5): the regular session opens 14:30 UTC.
    let est = |h, m| Utc.with_ymd_and_hms(2026, 3, 6, h, m, 0).unwrap();
    assert!(!us_takes(est(14, 29), UsOrderType::Market));
    assert!(
        us_takes(est(14, 29), UsOrderType::Limit),
        "pre-market takes limits"
    );
    assert!(us_takes(est(14, 30), UsOrderType::Market));
    assert!(us_takes(est(20, 59), UsOrderType::MarketOnClose));
    assert!(!us_takes(est(21, 0), UsOrderType::Market), "16:00 EST");
    // DST started 2026-03-08: on Monday the 9th (EDT, UTC-4) it opens 13:30 UTC.
    let edt = |h, m| Utc.with_ymd_and_hms(2026, 3, 9, h, m, 0).unwrap();
    assert!(!us_takes(edt(13, 29), UsOrderType::Market));
    assert!(us_takes(edt(13, 30), UsOrderType::Market));
    assert!(!us_takes(edt(20, 0), UsOrderType::Market));
    assert!(us_takes(edt(20, 0), UsOrderType::Limit), "after-hours");
    assert!(
        !us_takes(
            Utc.with_ymd_and_hms(2026, 3, 10, 0, 0, 0).unwrap(),
            UsOrderType::Limit
        ),
        "20:00 EDT"
    );
    // A US Saturday is closed, whatever day it is in Seoul.
    assert!(!us_takes(
        Utc.with_ymd_and_hms(2026, 3, 7, 15, 0, 0).unwrap(),
        UsOrderType::Limit
    ));
}

#[test]
fn us_holidays_and_early_closes() {
    // Thanksgiving 2026 (Thursday 26th) is closed; the Friday after closes at 13:00 EST.
    let at = |d, h, m| Utc.with_ymd_and_hms(2026, 11, d, h, m, 0).unwrap();
    assert!(!us_takes(at(26, 15, 0), UsOrderType::Limit));
    assert!(us_takes(at(27, 17, 59), UsOrderType::Market), "12:59 EST");
    assert!(
        !us_takes(at(27, 18, 0), UsOrderType::Market),
        "13:00 EST early close"
    );
    assert!(
        us_takes(at(27, 18, 0), UsOrderType::Limit),
        "after-hours from 13:00"
    );
    assert!(
        !us_takes(at(27, 22, 0), UsOrderType::Limit),
        "after-hours end 17:00 EST"
    );
    // Independence Day 2026 falls on a Saturday: observed on Friday July 3rd.
    assert!(!us_takes(
        Utc.with_ymd_and_hms(2026, 7, 3, 15, 0, 0).unwrap(),
        UsOrderType::Limit
    ));
    // No late opening on the first US trading day of the year.
    assert!(us_takes(
        Utc.with_ymd_and_hms(2026, 1, 2, 14, 30, 0).unwrap(),
        UsOrderType::Market
    ));
    // A US weekday past the table is an error.
    assert!(
        MarketMoment::at(
            Exchange::Us,
            Utc.with_ymd_and_hms(2028, 1, 4, 15, 0, 0).unwrap(),
            Calendar::us()
        )
        .is_err()
    );
}
