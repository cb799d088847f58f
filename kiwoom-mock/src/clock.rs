//! The simulator's clock: Korean time (KST, UTC+9, whatever the host's zone), fixed by
//! `MockConfig::clock` or the wall clock, and the trading session it implies. Every "today" and "now" the simulator writes comes from here, so that
//! charts, quotes, order times and realtime frames agree with each other: a minute chart
//! without `base_dt` ends at the same day and minute as a daily chart's first row and as
//! ka10004's `bid_req_base_tm`.

use chrono::{NaiveDate, NaiveDateTime, Timelike, Utc};

use crate::config::MockConfig;
use crate::market::{is_trading_day, trading_days_back};

/// KRX regular session: 09:00 to 15:30 KST.
pub const OPEN_SECS: u32 = 9 * 3600;
pub const CLOSE_SECS: u32 = 15 * 3600 + 30 * 60;

/// Now, on the wall clock in KST.
pub fn now_kst() -> NaiveDateTime {
    (Utc::now() + chrono::Duration::hours(9)).naive_utc()
}

/// The simulator's now: `MockConfig::clock` when set, else the wall clock in KST.
pub fn now(config: &MockConfig) -> NaiveDateTime {
    config.clock.unwrap_or_else(now_kst)
}

/// KST seconds since midnight of the simulator's now.
pub fn secs(config: &MockConfig) -> u32 {
    now(config).num_seconds_from_midnight()
}

/// The trading day and the time (seconds since midnight, on a whole minute) of the latest
/// market data: now during a session, else the last session's close.
pub fn anchor() -> (NaiveDate, u32) {
    anchor_at(now_kst())
}

/// `anchor` for a given KST time.
pub fn anchor_at(now: NaiveDateTime) -> (NaiveDate, u32) {
    let today = now.date();
    let secs = now.num_seconds_from_midnight();
    match (is_trading_day(today), secs >= OPEN_SECS) {
        (true, true) => (today, (secs - secs % 60).min(CLOSE_SECS)),
        // Before the open: yesterday's session is the latest.
        (true, false) => (trading_days_back(today, 1), CLOSE_SECS),
        (false, _) => (trading_days_back(today, 0), CLOSE_SECS),
    }
}

/// The session time of a day at KST `now`: the anchor's time on the anchor day, the close
/// on any other.
pub fn session_secs_at(now: NaiveDateTime, date: NaiveDate) -> u32 {
    let (day, secs) = anchor_at(now);
    if date == day { secs } else { CLOSE_SECS }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d)
            .unwrap()
            .and_hms_opt(h, min, 17)
            .unwrap()
    }

    #[test]
    fn anchor_follows_the_session() {
        let monday = NaiveDate::from_ymd_opt(2025, 4, 28).unwrap();
        let friday = NaiveDate::from_ymd_opt(2025, 4, 25).unwrap();
        assert_eq!(
            anchor_at(at(2025, 4, 28, 10, 5)),
            (monday, 10 * 3600 + 5 * 60)
        );
        assert_eq!(anchor_at(at(2025, 4, 28, 18, 0)), (monday, CLOSE_SECS));
        assert_eq!(anchor_at(at(2025, 4, 28, 8, 59)), (friday, CLOSE_SECS));
        assert_eq!(anchor_at(at(2025, 4, 27, 12, 0)), (friday, CLOSE_SECS));
        assert_eq!(anchor_at(at(2025, 4, 26, 12, 0)), (friday, CLOSE_SECS));
    }
}
