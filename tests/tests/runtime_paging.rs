//! Paging against the simulator.

use futures::StreamExt;
use kiwoom_mock::{MockConfig, MockServer};
use kiwoom_tests::runtime_support::{DailyChart, local_builder};

#[tokio::test]
async fn items_follow_every_page() {
    let m = MockServer::start(MockConfig {
        pages: 3,
        rows_per_page: 20,
        ..Default::default()
    })
    .await
    .unwrap();
    let c = local_builder(&m.base_url(), &m.ws_url()).build().unwrap();
    let rows: Vec<_> = c.call(DailyChart::new("005930")).items().collect().await;
    assert_eq!(rows.len(), 60);
    assert!(rows.iter().all(Result::is_ok));
    assert_eq!(m.control().requests("ka10081"), 3);
}

#[tokio::test]
async fn pages_carry_continuation_and_max_pages_stops() {
    let m = MockServer::start(MockConfig {
        pages: 5,
        rows_per_page: 4,
        ..Default::default()
    })
    .await
    .unwrap();
    let c = local_builder(&m.base_url(), &m.ws_url()).build().unwrap();
    let pages: Vec<_> = c
        .call(DailyChart::new("005930"))
        .max_pages(2)
        .pages()
        .collect()
        .await;
    assert_eq!(pages.len(), 2);
    let first = pages[0].as_ref().unwrap();
    assert!(first.cont_yn);
    assert!(first.next_key.is_some());
    assert_eq!(m.control().requests("ka10081"), 2);

    // The last page of a full listing says cont-yn N.
    let all: Vec<_> = c.call(DailyChart::new("005930")).pages().collect().await;
    assert_eq!(all.len(), 5);
    assert!(!all.last().unwrap().as_ref().unwrap().cont_yn);
}
