//! The client's pre-send market-rule check: an order Kiwoom would refuse (off the tick grid,
//! on a holiday, outside the session) is refused before any byte is sent, and the same order
//! sent without the check is refused by the simulator with Kiwoom's own answer. The clock of
//! both is fixed, in UTC, so the host's zone and the time of day cannot matter.

use chrono::{DateTime, TimeZone, Utc};
use kiwoom_generated::domestic_order::{BuyStockRequest, OrderVenue, TradeType};
use kiwoom_generated::prelude::*;
use kiwoom_mock::{MarketRulesConfig, MockConfig, MockServer};
use kiwoom_runtime::market_rules::OrderRules;
use kiwoom_tests::runtime_support::local_builder;

/// The UTC instant of a KST wall-clock time (KST = UTC+9).
fn kst(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, 0, mi, 0).unwrap() + chrono::Duration::hours(h as i64 - 9)
}

async fn setup(now: DateTime<Utc>) -> (MockServer, Client) {
    let server = MockServer::start(MockConfig {
        market_rules: Some(MarketRulesConfig {
            now: Some(now),
            extra_closures: Vec::new(),
        }),
        ..MockConfig::default()
    })
    .await
    .expect("simulator starts");
    let client = local_builder(&server.base_url(), &server.ws_url())
        .market_rules(Some(OrderRules::default().with_clock(move || now)))
        .build()
        .expect("client");
    (server, client)
}

fn buy(price: i64) -> BuyStockRequest {
    BuyStockRequest::new(OrderVenue::Krx, "005930", Quantity(1), TradeType::Normal)
        .order_unit_price(Price(price))
}

#[tokio::test]
async fn an_off_tick_price_is_refused_before_sending() {
    // Wednesday 2026-12-02 10:00 KST: the regular session is open. The client does not know
    // whether 005930 is a stock or an ETF, so it accepts either grid: 70,051 is on neither.
    let (server, client) = setup(kst(2026, 12, 2, 10, 0)).await;
    let err = client
        .domestic()
        .order()
        .buy_stock(buy(70_051))
        .await
        .expect_err("off the grid");
    match &err {
        Error::MarketRule { api_id, violation } => {
            assert_eq!((*api_id, violation.rule()), ("kt10000", "tick"));
            let text = err.to_string();
            assert!(text.contains("70,051") && text.contains("70,050"), "{text}");
        }
        other => panic!("expected a market-rule refusal, got {other:?}"),
    }
    assert_eq!(err.request_sent(), kiwoom_runtime::error::RequestSent::No);
    assert_eq!(
        server.control().requests("kt10000"),
        0,
        "nothing reached the server"
    );

    // The same order without the client's check: Kiwoom (the simulator) refuses it.
    let err = client
        .domestic()
        .order()
        .buy_stock(buy(70_051))
        .without_market_rules()
        .await
        .expect_err("the exchange refuses it too");
    assert!(err.to_string().contains("호가단위"), "{err}");
    assert_eq!(server.control().requests("kt10000"), 1);
}

#[tokio::test]
async fn holidays_and_closed_sessions_are_refused_before_sending() {
    for (now, rule) in [
        (kst(2026, 12, 25, 10, 0), "holiday"), // 성탄절
        (kst(2026, 12, 5, 10, 0), "holiday"),  // a Saturday
        (kst(2026, 12, 2, 7, 0), "session"),   // before any session
    ] {
        let (server, client) = setup(now).await;
        let err = client
            .domestic()
            .order()
            .buy_stock(buy(70_000))
            .await
            .expect_err("closed");
        match &err {
            Error::MarketRule { violation, .. } => assert_eq!(violation.rule(), rule, "{err}"),
            other => panic!("expected a market-rule refusal at {now}, got {other:?}"),
        }
        assert_eq!(server.control().requests("kt10000"), 0);
    }
}

#[tokio::test]
async fn a_valid_order_in_session_goes_through() {
    let (server, client) = setup(kst(2026, 12, 2, 10, 0)).await;
    let placed = client
        .domestic()
        .order()
        .buy_stock(buy(70_000))
        .await
        .expect("a valid order is placed");
    assert!(placed.order_number.is_some());
    assert_eq!(server.control().requests("kt10000"), 1);
}
