//! Rate limits and money-safe retries against the simulator.

use std::time::Duration;

use futures::future::join_all;
use kiwoom_mock::{Fault, MockConfig, MockServer, RateScope};
use kiwoom_runtime::{Error, Rate, RateLimits, RetryPolicy};
use kiwoom_tests::runtime_support::{BuyOrder, StockInfo, local_builder};

async fn mock() -> MockServer {
    MockServer::start(MockConfig::default())
        .await
        .expect("mock starts")
}

#[tokio::test]
async fn burst_over_the_server_limit_never_shows_1700_to_the_caller() {
    let m = mock().await;
    m.control()
        .set_rate_limit(RateScope::ApiId("ka10001".into()), 5);
    // No client-side limit: the server's 1700s must be absorbed by backoff.
    let c = local_builder(&m.base_url(), &m.ws_url())
        .retry_policy(
            RetryPolicy::default()
                .with_max_rate_limit_retries(12)
                .with_delays(Duration::from_millis(200), Duration::from_secs(2)),
        )
        .build()
        .unwrap();
    let results = join_all((0..15).map(|_| {
        let c = c.clone();
        tokio::spawn(async move { c.call(StockInfo::new("005930")).await })
    }))
    .await;
    for r in results {
        let r = r.unwrap();
        assert!(
            r.is_ok(),
            "a caller saw {:?}",
            r.err().map(|e| e.to_string())
        );
    }
    assert_eq!(m.control().processed("ka10001"), 15);
    assert!(
        m.control().requests("ka10001") > 15,
        "the burst did hit the server's limit (else this test proves nothing)"
    );
}

#[tokio::test]
async fn client_side_limiter_keeps_a_burst_under_the_server_limit() {
    let m = mock().await;
    m.control()
        .set_rate_limit(RateScope::Category("/api/dostk/stkinfo".into()), 5);
    let c = local_builder(&m.base_url(), &m.ws_url())
        .rate_limits(RateLimits::unlimited().category("/api/dostk/stkinfo", Rate::per_second(4.0)))
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let started = std::time::Instant::now();
    let results = join_all((0..10).map(|_| {
        let c = c.clone();
        tokio::spawn(async move { c.call(StockInfo::new("005930")).await })
    }))
    .await;
    for r in results {
        r.unwrap().expect("no 1700 with the limiter and no retries");
    }
    assert_eq!(m.control().requests("ka10001"), 10, "nothing was rejected");
    assert!(
        started.elapsed() >= Duration::from_millis(2000),
        "10 requests at 4/s take over 2 s"
    );
}

#[tokio::test]
async fn rate_limited_order_is_resent_and_placed_once() {
    let m = mock().await;
    let c = local_builder(&m.base_url(), &m.ws_url()).build().unwrap();
    m.control().inject("kt10000", Fault::RateLimited, 1);
    c.call(BuyOrder::limit("005930", 2, 70000)).await.unwrap();
    assert_eq!(m.control().requests("kt10000"), 2);
    assert_eq!(m.control().processed("kt10000"), 1);
}

#[tokio::test]
async fn order_cut_off_after_processing_is_outcome_unknown_and_never_resent() {
    let m = mock().await;
    let c = local_builder(&m.base_url(), &m.ws_url()).build().unwrap();
    c.authenticate().await.unwrap();
    m.control()
        .inject("kt10000", Fault::CloseAfterProcessing, 1);
    let err = c
        .call(BuyOrder::limit("005930", 7, 70100))
        .await
        .unwrap_err();
    match &err {
        Error::OutcomeUnknown { order, .. } => {
            assert_eq!(order.api_id, "kt10000");
            assert_eq!(
                order.stock_code.as_ref().map(|c| c.to_string()).as_deref(),
                Some("005930")
            );
            assert_eq!(order.action, Some(kiwoom_runtime::OrderAction::Buy));
            assert_eq!(order.quantity.as_ref().map(|q| q.0), Some(7));
        }
        other => panic!("expected OutcomeUnknown, got {other}"),
    }
    assert!(!err.is_retryable());
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(m.control().requests("kt10000"), 1, "never sent twice");
    assert_eq!(m.control().processed("kt10000"), 1);
}

#[tokio::test]
async fn order_timing_out_is_outcome_unknown_and_sent_once() {
    let m = mock().await;
    let c = local_builder(&m.base_url(), &m.ws_url())
        .timeout(Duration::from_millis(500))
        .build()
        .unwrap();
    c.authenticate().await.unwrap();
    m.control()
        .inject("kt10000", Fault::Latency(Duration::from_millis(1500)), 1);
    let err = c
        .call(BuyOrder::limit("005930", 1, 70000))
        .await
        .unwrap_err();
    match &err {
        Error::OutcomeUnknown { cause, .. } => {
            assert!(matches!(**cause, Error::Timeout { .. }), "{cause}")
        }
        other => panic!("expected OutcomeUnknown, got {other}"),
    }
    tokio::time::sleep(Duration::from_millis(1500)).await; // let the slow answer finish
    assert_eq!(m.control().requests("kt10000"), 1, "never sent twice");
}

#[tokio::test]
async fn order_dropped_before_processing_is_still_outcome_unknown() {
    // The client cannot tell this from a drop after processing: it must not guess.
    let m = mock().await;
    let c = local_builder(&m.base_url(), &m.ws_url()).build().unwrap();
    c.authenticate().await.unwrap();
    m.control()
        .inject("kt10000", Fault::CloseBeforeProcessing, 1);
    let err = c
        .call(BuyOrder::limit("005930", 1, 70000))
        .await
        .unwrap_err();
    assert!(err.is_outcome_unknown(), "{err}");
    assert_eq!(m.control().requests("kt10000"), 1);
}

#[tokio::test]
async fn order_answered_with_garbage_is_outcome_unknown() {
    let m = mock().await;
    let c = local_builder(&m.base_url(), &m.ws_url()).build().unwrap();
    m.control().inject("kt10000", Fault::MalformedJson, 1);
    let err = c
        .call(BuyOrder::limit("005930", 1, 70000))
        .await
        .unwrap_err();
    assert!(err.is_outcome_unknown(), "{err}");
    assert_eq!(m.control().requests("kt10000"), 1);
}

#[tokio::test]
async fn query_that_times_out_is_retried_and_succeeds() {
    let m = mock().await;
    let c = local_builder(&m.base_url(), &m.ws_url())
        .timeout(Duration::from_millis(500))
        .build()
        .unwrap();
    c.authenticate().await.unwrap();
    m.control()
        .inject("ka10001", Fault::Latency(Duration::from_millis(1500)), 1);
    let body = c
        .call(StockInfo::new("005930"))
        .await
        .expect("second attempt succeeds");
    assert!(body.0.is_object());
    assert_eq!(m.control().requests("ka10001"), 2);
}

#[tokio::test]
async fn query_5xx_and_dropped_connection_are_retried() {
    let m = mock().await;
    let c = local_builder(&m.base_url(), &m.ws_url()).build().unwrap();
    m.control().inject("ka10001", Fault::Status(503), 1);
    c.call(StockInfo::new("005930")).await.unwrap();
    assert_eq!(m.control().requests("ka10001"), 2);
    m.control()
        .inject("ka10001", Fault::CloseBeforeProcessing, 1);
    c.call(StockInfo::new("005930")).await.unwrap();
    assert_eq!(m.control().requests("ka10001"), 4);
}

#[tokio::test]
async fn query_retries_are_bounded() {
    let m = mock().await;
    let c = local_builder(&m.base_url(), &m.ws_url())
        .retry_policy(
            RetryPolicy::default()
                .with_max_attempts(3)
                .with_delays(Duration::from_millis(10), Duration::from_millis(20)),
        )
        .build()
        .unwrap();
    m.control().inject("ka10001", Fault::Status(500), 10);
    let err = c.call(StockInfo::new("005930")).await.unwrap_err();
    assert!(matches!(err, Error::Http { status: 500, .. }), "{err}");
    assert_eq!(m.control().requests("ka10001"), 3);
}
