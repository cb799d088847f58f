//! `registry::pages_json` against the simulator: a header-paged TR by api-id follows every
//! page through the runtime's paging loop, `max_pages` stops it, a TR that does not page is
//! a stream of its one answer, and a bad body is refused before anything is sent.

use futures::StreamExt;
use kiwoom_generated::registry::{AnyResponse, pages, pages_json, parse_request};
use kiwoom_mock::{MockConfig, MockServer};
use kiwoom_tests::runtime_support::local_builder;
use serde_json::json;

async fn server(pages: u32) -> MockServer {
    MockServer::start(MockConfig {
        pages,
        rows_per_page: 4,
        ..Default::default()
    })
    .await
    .unwrap()
}

fn chart_body() -> serde_json::Value {
    json!({"stk_cd": "005930", "base_dt": "20250908", "upd_stkpc_tp": "1"})
}

#[tokio::test]
async fn a_paged_tr_follows_every_page_and_stops_at_max_pages() {
    let m = server(3).await;
    let c = local_builder(&m.base_url(), &m.ws_url()).build().unwrap();

    let all: Vec<_> = pages_json(&c, "ka10081", chart_body(), None)
        .unwrap()
        .collect()
        .await;
    assert_eq!(all.len(), 3);
    for page in &all {
        match page.as_ref().unwrap() {
            AnyResponse::Ka10081(r) => assert_eq!(r.stock_daily_chart.len(), 4),
            other => panic!("ka10081 page decoded as {}", other.api_id()),
        }
    }
    assert_eq!(m.control().requests("ka10081"), 3);

    let two: Vec<_> = pages_json(&c, "ka10081", chart_body(), Some(2))
        .unwrap()
        .collect()
        .await;
    assert_eq!(two.len(), 2);
    assert_eq!(m.control().requests("ka10081"), 5);
}

#[tokio::test]
async fn a_tr_that_does_not_page_is_one_answer() {
    let m = server(3).await;
    let c = local_builder(&m.base_url(), &m.ws_url()).build().unwrap();
    let request = parse_request("ka10001", &json!({"stk_cd": "005930"})).unwrap();
    // `pages` gives a request that does not page back ...
    let request = pages(&c, request, None)
        .err()
        .expect("ka10001 does not page");
    assert_eq!(request.api_id(), "ka10001");
    // ... and `pages_json` sends it once.
    let answers: Vec<_> = pages_json(&c, "ka10001", json!({"stk_cd": "005930"}), None)
        .unwrap()
        .collect()
        .await;
    assert_eq!(answers.len(), 1);
    assert_eq!(answers[0].as_ref().unwrap().api_id(), "ka10001");
    assert_eq!(m.control().requests("ka10001"), 1);
}

#[tokio::test]
async fn a_bad_body_is_refused_before_sending() {
    let m = server(3).await;
    let c = local_builder(&m.base_url(), &m.ws_url()).build().unwrap();
    let err = pages_json(&c, "ka10081", json!({"no_such_key": "1"}), None)
        .err()
        .expect("refused");
    assert!(
        matches!(err, kiwoom_generated::Error::Validation(_)),
        "{err}"
    );
    let err = pages_json(&c, "ka99999", json!({}), None)
        .err()
        .expect("unknown api-id");
    assert!(err.to_string().contains("ka99999"), "{err}");
    assert_eq!(m.control().requests("ka10081"), 0);
}
