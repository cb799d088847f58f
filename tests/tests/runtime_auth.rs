//! Token lifecycle against the simulator: single-flight refresh, refresh-and-replay after
//! 8005 (orders included), file store reuse and key fingerprinting, revoke.

use std::sync::Arc;
use std::time::Duration;

use futures::future::join_all;
use kiwoom_mock::{Fault, MockConfig, MockServer};
use kiwoom_runtime::{FileTokenStore, TokenStore};
use kiwoom_tests::runtime_support::{BuyOrder, StockInfo, local_builder};

async fn mock() -> MockServer {
    MockServer::start(MockConfig::default())
        .await
        .expect("mock starts")
}

#[tokio::test]
async fn fifty_concurrent_calls_around_an_expiring_token_issue_it_once() {
    let m = mock().await;
    // Tokens live 8 s; the margin of 4 s shrinks to a quarter of that (2 s), so a token is
    // "fresh" for ~6 s, then due for refresh while still valid for ~1 s more.
    m.control().set_token_lifetime(Duration::from_secs(8));
    let c = local_builder(&m.base_url(), &m.ws_url())
        .refresh_margin(Duration::from_secs(4))
        .build()
        .unwrap();
    c.authenticate().await.unwrap();
    assert_eq!(m.control().requests("au10001"), 1);
    tokio::time::sleep(Duration::from_millis(6500)).await; // now inside the refresh margin
    let results = join_all((0..50).map(|_| {
        let c = c.clone();
        tokio::spawn(async move { c.call(StockInfo::new("005930")).await })
    }))
    .await;
    for r in results {
        r.unwrap().unwrap();
    }
    assert_eq!(
        m.control().requests("au10001"),
        2,
        "exactly one refresh for 50 callers"
    );
    assert_eq!(
        m.control().requests("ka10001"),
        50,
        "no call went out with the old token and came back"
    );
    assert_eq!(m.control().processed("ka10001"), 50);
}

#[tokio::test]
async fn fifty_concurrent_calls_after_the_server_expired_the_token_refresh_once() {
    let m = mock().await;
    let c = local_builder(&m.base_url(), &m.ws_url()).build().unwrap();
    c.call(StockInfo::new("005930")).await.unwrap();
    m.control().expire_tokens(); // every issued token now answers 8005
    let results = join_all((0..50).map(|_| {
        let c = c.clone();
        tokio::spawn(async move { c.call(StockInfo::new("005930")).await })
    }))
    .await;
    for r in results {
        r.unwrap().unwrap();
    }
    assert_eq!(
        m.control().requests("au10001"),
        2,
        "one re-issue however many callers saw 8005"
    );
    assert_eq!(m.control().processed("ka10001"), 51);
}

#[tokio::test]
async fn token_invalid_on_an_order_refreshes_once_and_replays_it_once() {
    let m = mock().await;
    let c = local_builder(&m.base_url(), &m.ws_url()).build().unwrap();
    c.authenticate().await.unwrap();
    m.control().inject("kt10000", Fault::TokenInvalid, 1);
    c.call(BuyOrder::limit("005930", 1, 70000))
        .await
        .expect("order placed after the token refresh");
    assert_eq!(
        m.control().requests("kt10000"),
        2,
        "refused once, replayed once"
    );
    assert_eq!(m.control().processed("kt10000"), 1, "placed exactly once");
    assert_eq!(m.control().requests("au10001"), 2);
}

#[tokio::test]
async fn persistent_token_invalid_is_not_looped() {
    let m = mock().await;
    let c = local_builder(&m.base_url(), &m.ws_url()).build().unwrap();
    m.control().inject("ka10001", Fault::TokenInvalid, 5);
    let err = c.call(StockInfo::new("005930")).await.unwrap_err();
    assert!(
        err.kiwoom_code().is_some_and(|c| c.is_token_invalid()),
        "{err}"
    );
    assert_eq!(
        m.control().requests("ka10001"),
        2,
        "one refresh, one replay, then the error"
    );
}

#[tokio::test]
async fn file_store_lets_a_second_process_reuse_the_token_but_not_with_other_keys() {
    let m = mock().await;
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn TokenStore> = Arc::new(FileTokenStore::new(dir.path().join("tokens.json")));
    let first = local_builder(&m.base_url(), &m.ws_url())
        .token_store(store.clone())
        .build()
        .unwrap();
    first.call(StockInfo::new("005930")).await.unwrap();
    // A new client (a new process, as far as tokens go) with the same keys and store.
    let second = local_builder(&m.base_url(), &m.ws_url())
        .token_store(store.clone())
        .build()
        .unwrap();
    second.call(StockInfo::new("005930")).await.unwrap();
    assert_eq!(
        m.control().requests("au10001"),
        1,
        "the stored token was reused"
    );
    // Same app key, different secret key: the stored token must not be used.
    let rekeyed = local_builder(&m.base_url(), &m.ws_url())
        .secret_key("another-secret-key-000")
        .token_store(store.clone())
        .build()
        .unwrap();
    rekeyed.call(StockInfo::new("005930")).await.unwrap();
    assert_eq!(
        m.control().requests("au10001"),
        2,
        "keys changed: a new token"
    );
    let text = std::fs::read_to_string(dir.path().join("tokens.json")).unwrap();
    assert!(!text.contains(kiwoom_tests::runtime_support::SECRET_KEY));
    assert!(!text.contains(kiwoom_tests::runtime_support::APP_KEY));
}

#[tokio::test]
async fn revoke_forgets_the_token() {
    let m = mock().await;
    let c = local_builder(&m.base_url(), &m.ws_url()).build().unwrap();
    c.call(StockInfo::new("005930")).await.unwrap();
    c.revoke_token().await.unwrap();
    assert_eq!(m.control().requests("au10002"), 1);
    c.call(StockInfo::new("005930")).await.unwrap();
    assert_eq!(
        m.control().requests("au10001"),
        2,
        "a new token after revoke"
    );
}

#[tokio::test]
async fn wrong_keys_are_an_auth_error_and_nothing_else_is_sent() {
    let m = MockServer::start(MockConfig {
        app_key: Some("right-key".into()),
        secret_key: Some("right-secret".into()),
        ..Default::default()
    })
    .await
    .unwrap();
    let c = local_builder(&m.base_url(), &m.ws_url()).build().unwrap();
    let err = c.call(StockInfo::new("005930")).await.unwrap_err();
    assert!(matches!(err, kiwoom_runtime::Error::Auth { .. }), "{err}");
    assert_eq!(m.control().requests("ka10001"), 0);
}
