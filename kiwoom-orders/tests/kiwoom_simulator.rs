//! The adapter against the simulator: orders go out through the generated client, a
//! processed order whose answer is lost stays unknown, is not resent, and reconciliation
//! over ka10075/kt00009/kt00018 finds it.

#![cfg(feature = "kiwoom")]

mod common;

use std::time::Duration;

use common::*;
use kiwoom_mock::{Fault, MockConfig, MockServer};
use kiwoom_orders::{KiwoomBroker, Ledger, OrderIntent, OrderState, Side, Tracker};
use kiwoom_runtime::{Client, Environment, RateLimits, RetryPolicy};
use rust_decimal::Decimal;

fn client(server: &MockServer) -> Client {
    Client::builder()
        .environment(Environment::Custom {
            base_url: server.base_url(),
            ws_url: server.ws_url(),
        })
        .app_key("APPKEY-orders-test-0000")
        .secret_key("SECRETKEY-orders-test-0000")
        .timeout(Duration::from_secs(2))
        .rate_limits(RateLimits::unlimited())
        .retry_policy(
            RetryPolicy::default()
                .with_delays(Duration::from_millis(20), Duration::from_millis(200)),
        )
        .build()
        .unwrap()
}

fn limit_buy(id_: &str, quantity: u64) -> OrderIntent {
    OrderIntent::new(
        ACCOUNT,
        "005930",
        Side::Buy,
        quantity,
        Some(Decimal::from(50_000)),
    )
    .unwrap()
    .with_client_order_id(id(id_))
}

#[tokio::test]
async fn a_lost_answer_is_found_by_reconciliation_not_by_sending_again() {
    let server = MockServer::start(MockConfig::default()).await.unwrap();
    let control = server.control();
    let (journal, _dir) = sqlite().await;
    let tracker = Tracker::new(
        Ledger::new(journal),
        KiwoomBroker::new(client(&server), ACCOUNT),
    );

    let placed = tracker.submit(limit_buy("sim-1", 3)).await.unwrap();
    assert!(
        !placed.order_nos.is_empty(),
        "Kiwoom's order number is recorded: {placed:?}"
    );
    assert_ne!(placed.state, OrderState::Unknown);

    control.inject("kt10000", Fault::CloseAfterProcessing, 1);
    let lost = tracker.submit(limit_buy("sim-2", 7)).await.unwrap();
    assert_eq!(
        lost.state,
        OrderState::Unknown,
        "processed, answer lost: {lost:?}"
    );
    assert_eq!(control.processed("kt10000"), 2);

    let report = tracker.reconcile(ACCOUNT, lost.trade_date()).await.unwrap();
    eprintln!("reconciliation: {report:?}");
    assert_eq!(report.matched.len(), 1, "{report:?}");
    assert_eq!(report.matched[0].0, id("sim-2"));
    let found = tracker.ledger().order(&id("sim-2")).await.unwrap().unwrap();
    assert_ne!(found.state, OrderState::Unknown);
    assert_ne!(
        found.order_nos, placed.order_nos,
        "matched to its own server order"
    );
    assert_eq!(control.processed("kt10000"), 2, "never sent again");
    assert!(report.not_placed.is_empty());
}
