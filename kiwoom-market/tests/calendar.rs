//! The embedded KRX calendar: its rows are sane, public and substitute holidays are closed,
//! the late-opening days are recognised, and a date past the table is an error.

use chrono::{Datelike, NaiveDate, Weekday};
use kiwoom_market::{Calendar, CalendarError, Closure, DayKind, TradingDay};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

#[test]
fn covers_2024_to_2027() {
    assert_eq!(Calendar::krx().covers(), (d(2024, 1, 1), d(2027, 12, 31)));
}

#[test]
fn every_year_closes_new_year_may_first_on_weekdays_and_december_31st() {
    let cal = Calendar::krx();
    for year in 2024..=2027 {
        for date in [d(year, 1, 1), d(year, 5, 1), d(year, 12, 31)] {
            if !matches!(date.weekday(), Weekday::Sat | Weekday::Sun) {
                assert!(
                    !cal.is_trading_day(date).unwrap(),
                    "{date} should be closed"
                );
            }
        }
    }
}

#[test]
fn public_and_substitute_holidays_are_closed() {
    let cal = Calendar::krx();
    let closed = [
        (d(2024, 2, 12), "Seollal substitute (Feb 11 was a Sunday)"),
        (d(2024, 4, 10), "election day"),
        (d(2024, 10, 1), "temporary holiday"),
        (d(2025, 1, 27), "temporary holiday"),
        (d(2025, 3, 3), "Mar 1 was a Saturday"),
        (
            d(2025, 5, 6),
            "Children's Day and Buddha's Birthday on the same day",
        ),
        (d(2025, 6, 3), "presidential election"),
        (d(2025, 10, 8), "Chuseok substitute (Oct 5 was a Sunday)"),
        (d(2026, 3, 2), "Mar 1 was a Sunday"),
        (d(2026, 5, 25), "Buddha's Birthday on a Sunday"),
        (d(2026, 6, 3), "local elections"),
        (
            d(2026, 7, 17),
            "Constitution Day, a holiday again from 2026",
        ),
        (d(2026, 8, 17), "Liberation Day on a Saturday"),
        (d(2026, 10, 5), "National Foundation Day on a Saturday"),
        (d(2027, 2, 9), "Seollal substitute (Feb 7 is a Sunday)"),
        (d(2027, 10, 11), "Hangul Day on a Saturday"),
        (d(2027, 12, 27), "Christmas on a Saturday"),
    ];
    for (date, why) in closed {
        assert!(
            matches!(cal.day(date), Ok(TradingDay::Closed(Closure::Holiday(_)))),
            "{date}: {why}"
        );
    }
    // Chuseok 2026 ends on a Saturday: no substitute day for 설/추석 on a Saturday.
    assert!(cal.is_trading_day(d(2026, 9, 28)).unwrap());
    // An ordinary Wednesday.
    assert_eq!(
        cal.day(d(2026, 12, 2)),
        Ok(TradingDay::Open(DayKind::Regular))
    );
}

#[test]
fn weekends_are_closed_even_past_the_table() {
    let cal = Calendar::krx();
    assert_eq!(
        cal.day(d(2026, 12, 5)),
        Ok(TradingDay::Closed(Closure::Weekend))
    );
    assert_eq!(
        cal.day(d(2030, 1, 5)),
        Ok(TradingDay::Closed(Closure::Weekend))
    );
}

#[test]
fn a_weekday_past_the_table_is_an_error_not_a_guess() {
    let cal = Calendar::krx();
    let err = cal.day(d(2028, 1, 3)).unwrap_err();
    assert_eq!(
        err,
        CalendarError::OutOfRange {
            date: d(2028, 1, 3),
            first: d(2024, 1, 1),
            last: d(2027, 12, 31)
        }
    );
    assert!(err.to_string().contains("krx-calendar.csv"), "{err}");
    assert!(cal.day(d(2023, 12, 28)).is_err());
    // The last trading day of the table is fine; asking for the one after it is not.
    assert_eq!(
        cal.day(d(2027, 12, 30)),
        Ok(TradingDay::Open(DayKind::Regular))
    );
    assert!(cal.next_trading_day(d(2027, 12, 30)).is_err());
}

#[test]
fn late_opening_days() {
    let cal = Calendar::krx();
    for date in [d(2024, 1, 2), d(2025, 1, 2), d(2026, 1, 2), d(2027, 1, 4)] {
        assert_eq!(
            cal.day(date),
            Ok(TradingDay::Open(DayKind::FirstTradingDay)),
            "{date}"
        );
    }
    for date in [
        d(2024, 11, 14),
        d(2025, 11, 13),
        d(2026, 11, 19),
        d(2027, 11, 18),
    ] {
        assert_eq!(
            cal.day(date),
            Ok(TradingDay::Open(DayKind::ExamDay)),
            "{date}"
        );
    }
}

#[test]
fn one_off_closures_and_files_at_run_time() {
    let funeral = d(2026, 12, 3);
    let cal = Calendar::krx()
        .clone()
        .with_closure(funeral, "one-off closure")
        .unwrap();
    assert_eq!(
        cal.day(funeral),
        Ok(TradingDay::Closed(Closure::Holiday(
            "one-off closure".into()
        )))
    );
    assert_eq!(cal.next_trading_day(d(2026, 12, 2)), Ok(d(2026, 12, 4)));
    assert!(
        Calendar::krx()
            .clone()
            .with_closure(d(2029, 1, 3), "x")
            .is_err()
    );
    let reopened = Calendar::krx().clone().without_closure(d(2026, 6, 3));
    assert!(reopened.is_trading_day(d(2026, 6, 3)).unwrap());

    // A newer table extends the range.
    let path = std::env::temp_dir().join(format!("krx-calendar-{}.csv", std::process::id()));
    let text = kiwoom_market::calendar::EMBEDDED_KRX_CALENDAR
        .replace("2027-12-31,covers_through,", "2028-01-31,covers_through,")
        + "2028-01-03,closed,a test closure\n";
    std::fs::write(&path, text).unwrap();
    let newer = Calendar::load(&path).unwrap();
    std::fs::remove_file(&path).unwrap();
    assert!(!newer.is_trading_day(d(2028, 1, 3)).unwrap());
    assert_eq!(
        newer.day(d(2028, 1, 4)),
        Ok(TradingDay::Open(DayKind::FirstTradingDay))
    );
    assert!(matches!(
        Calendar::load(std::path::Path::new("/nonexistent/krx.csv")),
        Err(CalendarError::Io { .. })
    ));
}

#[test]
fn the_us_calendar_covers_the_same_years() {
    let us = Calendar::us();
    assert_eq!(us.covers(), (d(2024, 1, 1), d(2027, 12, 31)));
    for (date, why) in [
        (d(2025, 1, 9), "National Day of Mourning"),
        (d(2026, 4, 3), "Good Friday"),
        (d(2027, 6, 18), "Juneteenth on a Saturday, observed Friday"),
        (d(2027, 12, 24), "Christmas on a Saturday, observed Friday"),
    ] {
        assert!(!us.is_trading_day(date).unwrap(), "{date}: {why}");
    }
    assert_eq!(
        us.day(d(2026, 12, 24)),
        Ok(TradingDay::Open(DayKind::EarlyClose))
    );
    assert_eq!(
        us.day(d(2026, 1, 2)),
        Ok(TradingDay::Open(DayKind::Regular))
    );
    // Korean holidays are US trading days.
    assert!(us.is_trading_day(d(2026, 10, 9)).unwrap());
}
