//! Condition search end to end: the generated command types over the runtime's WebSocket
//! session against the simulator: list (CNSRLST), a one-shot search followed through its
//! body-level cont_yn / next_key pages (CNSRREQ) as a stream, a realtime search whose hits
//! arrive as REAL type 02 on their own typed stream, and clear (CNSRCLR).

use std::time::Duration;

use futures::StreamExt;
use kiwoom_generated::domestic_condition_search::{
    ConditionSearchRequest, ConditionSearchesRequest, KrxOnly, RealtimeConditionSearchRequest,
    RealtimeConditionSearchSearchType, SearchType, StopRealtimeConditionSearchRequest,
};
use kiwoom_generated::realtime::ConditionSearchHit;
use kiwoom_mock::{MockConfig, MockServer};
use kiwoom_runtime::Market;
use kiwoom_runtime::ws::TypedEvent;
use kiwoom_tests::runtime_support::local_builder;

#[tokio::test]
async fn list_search_page_realtime_hits_and_clear() {
    let server = MockServer::start(MockConfig {
        realtime_interval: Duration::from_millis(50),
        ..MockConfig::default()
    })
    .await
    .expect("simulator starts");
    let client = local_builder(&server.base_url(), &server.ws_url())
        .build()
        .expect("client builds");
    let session = client.realtime(Market::Domestic).await.expect("session");

    let list = session
        .command(ConditionSearchesRequest::new())
        .await
        .expect("CNSRLST");
    assert!(!list.data.is_empty(), "the simulator lists conditions");
    let seq = list.data[0].seq.clone().expect("a condition has a seq");
    assert!(list.data[0].name.as_deref().is_some_and(|n| !n.is_empty()));

    // The one-shot search, page by page as each arrives.
    let mut pages = Vec::new();
    {
        let mut stream = std::pin::pin!(session.command_pages(ConditionSearchRequest::new(
            seq.clone(),
            SearchType::ConditionSearch,
            KrxOnly::Krx,
        )));
        while let Some(page) = stream.next().await {
            pages.push(page.expect("CNSRREQ page"));
        }
    }
    assert!(
        pages.len() >= 2,
        "the one-shot search continues over pages: {}",
        pages.len()
    );
    assert!(pages.iter().all(|p| !p.data.is_empty()));
    assert_eq!(
        pages
            .last()
            .and_then(|p| p.continuation_flag.clone())
            .as_deref(),
        Some("N"),
        "the last page says no more"
    );
    let collected = session
        .command_all(ConditionSearchRequest::new(
            seq.clone(),
            SearchType::ConditionSearch,
            KrxOnly::Krx,
        ))
        .await
        .expect("CNSRREQ pages collected");
    assert_eq!(collected.len(), pages.len());

    // Hits have their own typed, lossless stream: open it before starting the search.
    let mut hits = session.events_of::<ConditionSearchHit>();
    session
        .command(RealtimeConditionSearchRequest::new(
            seq.clone(),
            RealtimeConditionSearchSearchType::ConditionSearchRealtime,
            KrxOnly::Krx,
        ))
        .await
        .expect("CNSRREQ realtime");
    let hit = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            match hits.next().await.expect("session open") {
                Ok(TypedEvent::Real(hit)) => break hit,
                Ok(_) => {}
                Err(error) => panic!("a hit did not decode: {error}"),
            }
        }
    })
    .await
    .expect("a realtime hit within 10 s");
    assert_eq!(
        hit.serial_number.as_deref().map(str::trim),
        Some(seq.trim())
    );
    assert!(hit.stock_code.is_some() && hit.insert_delete_type.is_some());

    session
        .command(StopRealtimeConditionSearchRequest::new(seq))
        .await
        .expect("CNSRCLR is acknowledged");
    session.close().await;
}
