//! The opt-in response cache (issue 16 point 2): reference answers are served from it until
//! they expire, every request value and page is its own entry, and an account or order TR
//! always reaches the server, whatever the configuration names.

use std::time::Duration;

use kiwoom_generated::domestic_stock_info::{StocksMarketType, StocksRequest};
use kiwoom_generated::prelude::*;
use kiwoom_mock::{MockConfig, MockServer};
use kiwoom_runtime::cache::table::REFERENCE_TRS;
use kiwoom_runtime::{
    CacheConfig, CacheGroup, ResponseCache, SafetyClass, TrInfo, TrRequest, ValidationError,
};
use kiwoom_tests::runtime_support::{BuyOrder, Json, StockInfo, local_builder};
use serde::Serialize;

/// kt00001-like (예수금상세현황요청): an account read.
#[derive(Debug, Clone, Serialize)]
struct Deposit {
    qry_tp: &'static str,
}

impl TrRequest for Deposit {
    const INFO: TrInfo = TrInfo {
        api_id: "kt00001",
        korean_name: "예수금상세현황요청",
        path: "/api/dostk/acnt",
        safety: SafetyClass::AccountRead,
    };
    type Response = Json;
    fn validate(&self) -> Result<(), ValidationError> {
        Ok(())
    }
}

#[test]
fn the_table_names_read_trs_of_the_spec_and_no_account_or_order_tr_is_ever_cacheable() {
    let trs = kiwoom_generated::registry::trs();
    for (api_id, _) in REFERENCE_TRS {
        let info = trs
            .iter()
            .find(|t| t.api_id == *api_id)
            .unwrap_or_else(|| panic!("{api_id} is not a TR of the spec"));
        assert_eq!(info.safety, SafetyClass::Read, "{api_id}");
    }
    // Name every TR of the spec in the configuration: only the Read ones become cacheable.
    let config = trs.iter().fold(CacheConfig::reference_data(), |c, t| {
        c.tr(t.api_id, Duration::from_secs(60))
    });
    let cache = ResponseCache::new(&config);
    let mut refused = 0;
    for info in &trs {
        let cacheable = cache.ttl_of(info).is_some();
        assert_eq!(
            cacheable,
            info.safety == SafetyClass::Read,
            "{}",
            info.api_id
        );
        refused += usize::from(!cacheable);
    }
    // The spec's account, order and token TRs: 62 account reads and orders at least.
    assert!(refused > 60, "{refused}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reference_answers_come_from_the_cache_until_they_expire() {
    let server = MockServer::start(MockConfig::default()).await.unwrap();
    let control = server.control();
    let ttl = Duration::from_millis(600);
    let client = local_builder(&server.base_url(), &server.ws_url())
        .response_cache(CacheConfig::reference_data().group_ttl(CacheGroup::Instruments, ttl))
        .build()
        .unwrap();
    let stock_info = client.domestic().stock_info();

    let first = stock_info
        .stocks(StocksRequest::new(StocksMarketType::Kospi))
        .send()
        .await
        .unwrap();
    let started = std::time::Instant::now();
    let second = stock_info
        .stocks(StocksRequest::new(StocksMarketType::Kospi))
        .send()
        .await
        .unwrap();
    assert!(!first.list.is_empty());
    assert_eq!(first, second, "a hit decodes to the same value");
    assert_eq!(
        control.requests("ka10099"),
        1,
        "the second came from the cache"
    );

    // Another request value is another entry.
    stock_info
        .stocks(StocksRequest::new(StocksMarketType::Kosdaq))
        .send()
        .await
        .unwrap();
    assert_eq!(control.requests("ka10099"), 2);
    // Each page is its own entry, keyed by its next-key: a second listing of two pages
    // costs nothing more than the first page it shares with the calls above.
    use futures::StreamExt;
    let pages = |client: &Client| {
        client
            .domestic()
            .stock_info()
            .stocks(StocksRequest::new(StocksMarketType::Kospi))
            .max_pages(2)
            .pages()
            .count()
    };
    let n = pages(&client).await;
    let after_listing = control.requests("ka10099");
    assert_eq!(pages(&client).await, n);
    assert_eq!(control.requests("ka10099"), after_listing);
    let client_cache = client.response_cache().expect("configured");
    assert!(client_cache.entry_count() >= 2);

    // Past the time to live, the server again.
    tokio::time::sleep(ttl.saturating_sub(started.elapsed()) + Duration::from_millis(150)).await;
    let before = control.requests("ka10099");
    stock_info
        .stocks(StocksRequest::new(StocksMarketType::Kospi))
        .send()
        .await
        .unwrap();
    assert_eq!(control.requests("ka10099"), before + 1, "expired on time");

    // Not in the table, not added: ka10001 always goes to the server.
    client.call(StockInfo::new("005930")).await.unwrap();
    client.call(StockInfo::new("005930")).await.unwrap();
    assert_eq!(control.requests("ka10001"), 2);

    client_cache.invalidate_all();
    stock_info
        .stocks(StocksRequest::new(StocksMarketType::Kosdaq))
        .send()
        .await
        .unwrap();
    assert_eq!(control.requests("ka10099"), before + 2, "invalidated");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn account_and_order_trs_always_reach_the_server_whatever_the_configuration() {
    let server = MockServer::start(MockConfig::default()).await.unwrap();
    let control = server.control();
    let hour = Duration::from_secs(3600);
    let client = local_builder(&server.base_url(), &server.ws_url())
        .response_cache(
            CacheConfig::reference_data()
                .tr("kt00001", hour)
                .tr("kt10000", hour)
                .tr("ka10001", hour),
        )
        .build()
        .unwrap();
    for _ in 0..3 {
        client.call(Deposit { qry_tp: "3" }).await.unwrap();
        client
            .call(BuyOrder::limit("005930", 1, 70000))
            .await
            .unwrap();
        client.call(StockInfo::new("005930")).await.unwrap();
    }
    assert_eq!(
        control.requests("kt00001"),
        3,
        "an account read is never cached"
    );
    assert_eq!(control.processed("kt10000"), 3, "every order placed");
    assert_eq!(
        control.requests("ka10001"),
        1,
        "a Read TR the caller added is cached"
    );
}
