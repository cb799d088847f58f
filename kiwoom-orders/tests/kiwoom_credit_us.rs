//! Credit (kt10006-kt10009) and US (ust20000-ust20003) orders through `KiwoomBroker`
//! against the simulator: placed, amended and cancelled by the TR of their family, numbered
//! in the journal, each request processed exactly once.

#![cfg(feature = "kiwoom")]

mod common;

use std::time::Duration;

use common::sim;
use common::*;
use kiwoom_mock::{MockConfig, MockServer};
use kiwoom_orders::{
    CreditTerms, KiwoomBroker, Ledger, Market, OrderIntent, OrderState, Side, Tracker,
};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

fn intent(id_: &str, stock: &str, side: Side, qty: u64, price: Option<Decimal>) -> OrderIntent {
    OrderIntent::new(ACCOUNT, stock, side, qty, price)
        .unwrap()
        .with_client_order_id(id(id_))
}

#[tokio::test]
async fn credit_orders_go_through_kt10006_to_kt10009() {
    let server = MockServer::start(MockConfig::default()).await.unwrap();
    let control = server.control();
    let (journal, _dir) = sqlite().await;
    let tracker = Tracker::new(
        Ledger::new(journal),
        KiwoomBroker::new(sim::client(&server, Duration::from_secs(2)), ACCOUNT),
    );

    let bought = tracker
        .submit(
            intent("credit-buy", "005930", Side::Buy, 5, None).with_credit(CreditTerms::default()),
        )
        .await
        .unwrap();
    assert_eq!(bought.intent.market, Market::DomesticCredit);
    assert_eq!(bought.order_nos.len(), 1, "{bought:?}");
    assert_eq!(control.processed("kt10006"), 1);

    let sold = tracker
        .submit(
            intent("credit-sell", "005930", Side::Sell, 2, None)
                .with_credit(CreditTerms::default()),
        )
        .await
        .unwrap();
    assert_eq!(sold.order_nos.len(), 1, "{sold:?}");
    assert_eq!(
        control.processed("kt10007"),
        1,
        "crd_deal_tp 99 (융자합) accepted"
    );

    let resting = tracker
        .submit(
            intent("credit-rest", "005930", Side::Buy, 3, Some(dec!(30000)))
                .with_credit(CreditTerms::default()),
        )
        .await
        .unwrap();
    assert_eq!(resting.state, OrderState::Accepted);
    let amended = tracker
        .amend(resting.id(), None, Some(dec!(31000)))
        .await
        .unwrap();
    assert_eq!(amended.state, OrderState::Amended, "{amended:?}");
    assert_eq!(control.processed("kt10008"), 1);
    let cancelled = tracker.cancel(resting.id(), None).await.unwrap();
    assert_eq!(cancelled.state, OrderState::Cancelled, "{cancelled:?}");
    assert_eq!(cancelled.cancelled_quantity, 3);
    assert_eq!(control.processed("kt10009"), 1);
    // None of the cash TRs was used.
    for cash in ["kt10000", "kt10001", "kt10002", "kt10003"] {
        assert_eq!(control.requests(cash), 0, "{cash}");
    }
}

#[tokio::test]
async fn us_orders_go_through_ust20000_to_ust20003() {
    let server = MockServer::start(MockConfig::default()).await.unwrap();
    let control = server.control();
    let (journal, _dir) = sqlite().await;
    let tracker = Tracker::new(
        Ledger::new(journal),
        KiwoomBroker::new(sim::client(&server, Duration::from_secs(2)), ACCOUNT),
    );
    let us = |id_: &str, side, qty, price| {
        intent(id_, "AAPL", side, qty, price)
            .with_market(Market::Us)
            .with_venue("ND")
    };

    let bought = tracker
        .submit(us("us-buy", Side::Buy, 2, None))
        .await
        .unwrap();
    assert_eq!(bought.order_nos.len(), 1, "{bought:?}");
    assert_eq!(control.processed("ust20000"), 1);
    let sold = tracker
        .submit(us("us-sell", Side::Sell, 1, None))
        .await
        .unwrap();
    assert_eq!(sold.order_nos.len(), 1, "{sold:?}");
    assert_eq!(control.processed("ust20001"), 1);

    let resting = tracker
        .submit(us("us-rest", Side::Buy, 4, Some(dec!(100.00))))
        .await
        .unwrap();
    assert_eq!(resting.state, OrderState::Accepted, "{resting:?}");
    let amended = tracker
        .amend(resting.id(), None, Some(dec!(101.25)))
        .await
        .unwrap();
    assert_eq!(amended.state, OrderState::Amended, "{amended:?}");
    assert_eq!(amended.price, Some(dec!(101.25)));
    assert_eq!(control.processed("ust20002"), 1);
    let cancelled = tracker.cancel(resting.id(), None).await.unwrap();
    assert_eq!(cancelled.state, OrderState::Cancelled, "{cancelled:?}");
    assert_eq!(cancelled.cancelled_quantity, 4);
    assert_eq!(control.processed("ust20003"), 1);

    // Without its exchange a US order is refused before anything is sent.
    let no_exchange = tracker
        .submit(intent("us-noex", "AAPL", Side::Buy, 1, None).with_market(Market::Us))
        .await
        .unwrap();
    assert_eq!(no_exchange.state, OrderState::Rejected);
    assert_eq!(
        control.requests("ust20000"),
        2,
        "the market buy and the resting buy; nothing for this one"
    );
}
