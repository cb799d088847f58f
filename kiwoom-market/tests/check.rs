//! The pre-send check: each rule refuses with a message naming the rule, the value and the
//! nearest valid values; each group can be switched off.

use chrono::{DateTime, TimeZone, Utc};
use kiwoom_market::{
    Calendar, Checks, Decimal, DomesticOrderType as D, InstrumentKind, MarketRules, OrderRequest,
    PriceLimits, RuleViolation, Side, UsOrderType, Venue,
};

fn won(v: i64) -> Decimal {
    Decimal::from(v)
}

/// The UTC instant of a KST wall-clock time on 2026-12-02 (an ordinary Wednesday).
fn wed(h: u32, m: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 2, 0, m, 0).unwrap() + chrono::Duration::hours(h as i64 - 9)
}

fn buy(venue: Venue, t: D, price: Option<i64>, at: DateTime<Utc>) -> OrderRequest {
    let o = OrderRequest::new(venue, Side::Buy, t, won(1), at).instrument(InstrumentKind::Stock);
    match price {
        Some(p) => o.price(won(p)),
        None => o,
    }
}

fn check(o: &OrderRequest) -> Result<(), RuleViolation> {
    MarketRules::default().check(o)
}

#[test]
fn a_valid_order_passes() {
    let o = buy(Venue::Krx, D::Limit, Some(70_100), wed(10, 0))
        .limits(PriceLimits::new(won(49_000), won(91_000)));
    assert_eq!(check(&o), Ok(()));
    assert_eq!(check(&buy(Venue::Krx, D::Market, None, wed(10, 0))), Ok(()));
}

#[test]
fn off_tick_names_the_grid_and_both_neighbours() {
    let err = check(&buy(Venue::Krx, D::Limit, Some(70_050), wed(10, 0))).unwrap_err();
    assert_eq!(err.rule(), "tick");
    assert_eq!(
        err.to_string(),
        "tick: 70,050 is not on the 100-won grid: 70,000 or 70,100"
    );
    let unknown = buy(Venue::Krx, D::Limit, Some(70_003), wed(10, 0))
        .instrument(InstrumentKind::DomesticUnknown);
    assert_eq!(
        check(&unknown).unwrap_err().to_string(),
        "tick: 70,003 is not on the 100-won stock grid or the 5-won ETF/ETN/ELW grid: 70,000 or 70,005"
    );
    let etf = buy(Venue::Krx, D::Limit, Some(12_345), wed(10, 0)).instrument(InstrumentKind::Etf);
    assert_eq!(check(&etf), Ok(()));
    let stop = buy(Venue::Krx, D::StopLimit, Some(70_100), wed(10, 0)).stop_price(won(69_950));
    assert_eq!(
        check(&stop).unwrap_err().to_string(),
        "tick: stop price 69,950 is not on the 100-won grid: 69,900 or 70,000"
    );
}

#[test]
fn limits_exact_or_computed() {
    let limits = PriceLimits::from_kiwoom("+91000", "-49000").unwrap();
    let err =
        check(&buy(Venue::Krx, D::Limit, Some(91_100), wed(10, 0)).limits(limits)).unwrap_err();
    assert_eq!(err.rule(), "price-limit");
    assert_eq!(
        err.to_string(),
        "price-limit: 91,100 is above today's upper limit 91,000 (limits 49,000–91,000)"
    );
    assert_eq!(
        check(&buy(Venue::Krx, D::Limit, Some(91_000), wed(10, 0)).limits(limits)),
        Ok(())
    );
    assert_eq!(
        check(&buy(Venue::Krx, D::Limit, Some(49_000), wed(10, 0)).limits(limits)),
        Ok(())
    );
    let err =
        check(&buy(Venue::Krx, D::Limit, Some(48_900), wed(10, 0)).limits(limits)).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("price-limit: 48,900 is below today's lower limit 49,000"),
        "{err}"
    );
    // Fallback from the base price: 70,000 ± 21,000.
    let computed = buy(Venue::Krx, D::Limit, Some(91_100), wed(10, 0)).base_price(won(70_000));
    assert_eq!(check(&computed).unwrap_err().rule(), "price-limit");
    // Market orders carry no price to limit.
    assert_eq!(
        check(&buy(Venue::Krx, D::Market, None, wed(10, 0)).limits(limits)),
        Ok(())
    );
}

#[test]
fn after_hours_single_price_band() {
    let o = buy(
        Venue::Krx,
        D::AfterHoursSinglePrice,
        Some(77_100),
        wed(16, 10),
    )
    .close_price(won(70_000));
    let err = check(&o).unwrap_err();
    assert_eq!(err.rule(), "single-price-band");
    assert_eq!(
        err.to_string(),
        "single-price-band: 77,100 is outside the after-hours single-price band 63,000–77,000 (±10% of the close 70,000)"
    );
    let o = buy(
        Venue::Krx,
        D::AfterHoursSinglePrice,
        Some(77_000),
        wed(16, 10),
    )
    .close_price(won(70_000));
    assert_eq!(check(&o), Ok(()));
}

#[test]
fn holidays_name_the_day_and_the_next_trading_day() {
    let xmas = Utc.with_ymd_and_hms(2026, 12, 25, 1, 0, 0).unwrap();
    let err = check(&buy(Venue::Krx, D::Limit, Some(70_100), xmas)).unwrap_err();
    assert_eq!(err.rule(), "holiday");
    assert_eq!(
        err.to_string(),
        "holiday: KRX does not trade on 2026-12-25 (성탄절 (Christmas)); next trading day 2026-12-28"
    );
    let saturday = Utc.with_ymd_and_hms(2026, 12, 5, 1, 0, 0).unwrap();
    assert!(
        check(&buy(Venue::Sor, D::Limit, Some(70_100), saturday))
            .unwrap_err()
            .to_string()
            .contains("(weekend)")
    );
    let past_table = Utc.with_ymd_and_hms(2028, 1, 4, 1, 0, 0).unwrap();
    let err = check(&buy(Venue::Krx, D::Limit, Some(70_100), past_table)).unwrap_err();
    assert_eq!(err.rule(), "calendar");
    // A one-off closure loaded at run time.
    let rules = MarketRules::default().with_calendar(
        Calendar::krx()
            .clone()
            .with_closure(
                chrono::NaiveDate::from_ymd_opt(2026, 12, 2).unwrap(),
                "one-off",
            )
            .unwrap(),
    );
    assert_eq!(
        rules
            .check(&buy(Venue::Krx, D::Limit, Some(70_100), wed(10, 0)))
            .unwrap_err()
            .rule(),
        "holiday"
    );
}

#[test]
fn sessions_refuse_with_the_next_window() {
    let err = check(&buy(Venue::Krx, D::Limit, Some(70_100), wed(15, 35))).unwrap_err();
    assert_eq!(err.rule(), "session");
    assert_eq!(
        err.to_string(),
        "session: KRX does not take 보통 (0) at 15:35 KST on 2026-12-02 (no session is open); no later window today takes it"
    );
    let err = check(&buy(
        Venue::Krx,
        D::AfterHoursSinglePrice,
        Some(70_100),
        wed(10, 0),
    ))
    .unwrap_err();
    assert!(
        err.to_string().ends_with("it is taken 16:00–18:00 KST"),
        "{err}"
    );
    let err = check(&buy(Venue::Krx, D::Limit, Some(70_100), wed(7, 0))).unwrap_err();
    assert!(
        matches!(
            err,
            RuleViolation::OutsideSession {
                before_open: true,
                ..
            }
        ),
        "{err:?}"
    );
    let err = check(&buy(Venue::Krx, D::Limit, Some(70_100), wed(18, 30))).unwrap_err();
    assert!(
        matches!(
            err,
            RuleViolation::OutsideSession {
                before_open: false,
                ..
            }
        ),
        "{err:?}"
    );
    // 최유리 during the opening auction: a session is open, but not for this type.
    let err = check(&buy(Venue::Krx, D::BestLimit, None, wed(8, 45))).unwrap_err();
    assert!(
        err.to_string().contains("open now: [OpeningAuction]"),
        "{err}"
    );
    assert!(
        err.to_string().ends_with("it is taken 09:00–15:20 KST"),
        "{err}"
    );
}

#[test]
fn sor_is_open_when_either_venue_is() {
    // 08:10 KST: KRX is not open yet, NXT's pre-market is.
    assert_eq!(
        check(&buy(Venue::Krx, D::Limit, Some(70_100), wed(8, 10)))
            .unwrap_err()
            .rule(),
        "session"
    );
    assert_eq!(
        check(&buy(Venue::Nxt, D::Limit, Some(70_100), wed(8, 10))),
        Ok(())
    );
    assert_eq!(
        check(&buy(Venue::Sor, D::Limit, Some(70_100), wed(8, 10))),
        Ok(())
    );
    // 15:35: KRX closed, NXT after-market open.
    assert_eq!(
        check(&buy(Venue::Sor, D::Limit, Some(70_100), wed(15, 35))),
        Ok(())
    );
    assert_eq!(
        check(&buy(Venue::Nxt, D::AfterMarketClose, None, wed(15, 45)))
            .unwrap_err()
            .rule(),
        "order-type"
    );
}

#[test]
fn shape_rules() {
    let err = check(&buy(Venue::Krx, D::Limit, None, wed(10, 0))).unwrap_err();
    assert_eq!(
        err.to_string(),
        "price: 보통 (0) needs a limit price (ord_uv)"
    );
    let zero = OrderRequest::new(Venue::Krx, Side::Sell, D::Market, Decimal::ZERO, wed(10, 0));
    assert_eq!(check(&zero).unwrap_err().rule(), "quantity");
}

#[test]
fn checks_switch_off_one_by_one() {
    let rules = |checks| MarketRules::default().with_checks(checks);
    let off_tick_at_night = buy(Venue::Krx, D::Limit, Some(70_050), wed(22, 0));
    assert_eq!(
        rules(Checks::ALL)
            .check(&off_tick_at_night)
            .unwrap_err()
            .rule(),
        "session"
    );
    let no_session = Checks {
        session: false,
        ..Checks::ALL
    };
    assert_eq!(
        rules(no_session)
            .check(&off_tick_at_night)
            .unwrap_err()
            .rule(),
        "tick"
    );
    assert_eq!(
        rules(Checks {
            tick: false,
            ..no_session
        })
        .check(&off_tick_at_night),
        Ok(())
    );
    assert_eq!(rules(Checks::NONE).check(&off_tick_at_night), Ok(()));
    // Holiday off: the session check treats the date as an ordinary day.
    let xmas_morning = buy(
        Venue::Krx,
        D::Limit,
        Some(70_100),
        Utc.with_ymd_and_hms(2026, 12, 25, 1, 0, 0).unwrap(),
    );
    assert_eq!(
        rules(Checks {
            holiday: false,
            ..Checks::ALL
        })
        .check(&xmas_morning),
        Ok(())
    );
}

#[test]
fn from_wire_reads_kiwoom_strings() {
    let o = OrderRequest::from_wire(Side::Buy, "KRX", "0", "10", "70050", "", wed(10, 0)).unwrap();
    assert_eq!(o.order_type, D::Limit.into());
    assert_eq!(o.price, Some(won(70_050)));
    assert_eq!(o.instrument, InstrumentKind::DomesticUnknown);
    // Without the kind, 70,050 could be an ETF price (5-won grid): not refused.
    assert_eq!(check(&o), Ok(()));
    let stock = o.instrument(InstrumentKind::Stock);
    assert_eq!(check(&stock).unwrap_err().rule(), "tick");
    assert!(OrderRequest::from_wire(Side::Buy, "KRX", "99", "1", "", "", wed(10, 0)).is_err());
    assert!(OrderRequest::from_wire(Side::Buy, "KRX", "0", "1", "7O,000", "", wed(10, 0)).is_err());
}

#[test]
fn us_orders() {
    // 2026-12-02 10:00 EST = 15:00 UTC.
    let at = Utc.with_ymd_and_hms(2026, 12, 2, 15, 0, 0).unwrap();
    let o = OrderRequest::from_wire(Side::Buy, "ND", "00", "10", "1.005", "", at).unwrap();
    assert_eq!(o.venue, Venue::Us);
    assert_eq!(
        check(&o).unwrap_err().to_string(),
        "tick: $1.005 is not on the $0.01 grid: $1.00 or $1.01"
    );
    let penny = OrderRequest::from_wire(Side::Buy, "ND", "00", "10", "0.1234", "", at).unwrap();
    assert_eq!(check(&penny), Ok(()));
    let night = Utc.with_ymd_and_hms(2026, 12, 2, 3, 0, 0).unwrap(); // 22:00 EST the day before
    let err = check(&OrderRequest::new(
        Venue::Us,
        Side::Buy,
        UsOrderType::Market,
        won(1),
        night,
    ))
    .unwrap_err();
    assert!(err.to_string().contains("US Eastern"), "{err}");
    assert_eq!(
        check(&OrderRequest::new(
            Venue::Us,
            Side::Buy,
            D::Market,
            won(1),
            at
        ))
        .unwrap_err()
        .rule(),
        "order-type"
    );
}

#[test]
fn order_trs_are_read_from_their_wire_fields() {
    let rules = MarketRules::default();
    let body = |pairs: &'static [(&'static str, &'static str)]| {
        move |wire: &str| pairs.iter().find(|(k, _)| *k == wire).map(|(_, v)| *v)
    };
    let stock = kiwoom_market::OrderContext {
        instrument: Some(InstrumentKind::Stock),
        ..Default::default()
    };
    let buy = body(&[
        ("dmst_stex_tp", "KRX"),
        ("trde_tp", "0"),
        ("ord_qty", "1"),
        ("ord_uv", "70050"),
    ]);
    let err = rules
        .check_order_tr("kt10000", buy, wed(10, 0), &stock)
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "tick: 70,050 is not on the 100-won grid: 70,000 or 70,100"
    );
    // Credit orders follow the same rules; a non-order TR is not checked.
    assert_eq!(
        rules
            .check_order_tr("kt10006", buy, wed(10, 0), &stock)
            .unwrap_err()
            .rule(),
        "tick"
    );
    assert_eq!(
        rules.check_order_tr("ka10001", buy, wed(10, 0), &stock),
        Ok(())
    );
    // An amendment is judged as a limit order at the new price.
    let amend = body(&[
        ("dmst_stex_tp", "KRX"),
        ("orig_ord_no", "1"),
        ("mdfy_qty", "1"),
        ("mdfy_uv", "70050"),
    ]);
    assert_eq!(
        rules
            .check_order_tr("kt10002", amend, wed(10, 0), &stock)
            .unwrap_err()
            .rule(),
        "tick"
    );
    // A cancel is taken whenever a session of the venue is open, whatever the type.
    let cancel = body(&[
        ("dmst_stex_tp", "KRX"),
        ("orig_ord_no", "1"),
        ("cncl_qty", "0"),
    ]);
    assert_eq!(
        rules.check_order_tr("kt10003", cancel, wed(15, 45), &stock),
        Ok(())
    );
    let err = rules
        .check_order_tr("kt10003", cancel, wed(19, 0), &stock)
        .unwrap_err();
    assert!(
        matches!(
            err,
            RuleViolation::OutsideSession {
                before_open: false,
                ..
            }
        ),
        "{err:?}"
    );
    let xmas = Utc.with_ymd_and_hms(2026, 12, 25, 1, 0, 0).unwrap();
    assert_eq!(
        rules
            .check_order_tr("kt10003", cancel, xmas, &stock)
            .unwrap_err()
            .rule(),
        "holiday"
    );
    // US: stex_tp and two-digit codes.
    let us = body(&[
        ("stex_tp", "ND"),
        ("trde_tp", "00"),
        ("ord_qty", "1"),
        ("ord_uv", "1.005"),
    ]);
    let at = Utc.with_ymd_and_hms(2026, 12, 2, 15, 0, 0).unwrap();
    assert_eq!(
        rules
            .check_order_tr("ust20000", us, at, &Default::default())
            .unwrap_err()
            .to_string(),
        "tick: $1.005 is not on the $0.01 grid: $1.00 or $1.01"
    );
}

#[test]
fn us_holidays_name_the_next_us_trading_day() {
    let thanksgiving = Utc.with_ymd_and_hms(2026, 11, 26, 15, 0, 0).unwrap();
    let o = OrderRequest::new(
        Venue::Us,
        Side::Buy,
        UsOrderType::Limit,
        won(1),
        thanksgiving,
    )
    .price(Decimal::new(100, 2));
    assert_eq!(
        check(&o).unwrap_err().to_string(),
        "holiday: US does not trade on 2026-11-26 (Thanksgiving Day); next trading day 2026-11-27"
    );
}
