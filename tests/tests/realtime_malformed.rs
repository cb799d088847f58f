//! A REAL frame with one bad entry delivers its good entries and one decode error (before,
//! the whole frame was dropped with a WARN); a frame over the per-frame entry bound
//! delivers the bound and an error, never more.

use std::time::Duration;

use futures::StreamExt;
use kiwoom_generated::realtime::StockTrade;
use kiwoom_mock::{MockConfig, MockServer};
use kiwoom_runtime::ws::{RealtimeStream, TypedEvent};
use kiwoom_runtime::{Error, Market, WsConfig};
use kiwoom_tests::runtime_support::local_builder;
use serde_json::json;
use tokio::time::timeout;

async fn session(config: WsConfig) -> (MockServer, kiwoom_runtime::RealtimeSession) {
    let server = MockServer::start(MockConfig {
        // Only the frames this test pushes.
        realtime_interval: Duration::from_secs(3600),
        ..MockConfig::default()
    })
    .await
    .expect("simulator starts");
    let client = local_builder(&server.base_url(), &server.ws_url())
        .websocket(config)
        .build()
        .expect("client builds");
    let session = client.realtime(Market::Domestic).await.expect("session");
    (server, session)
}

fn entry(item: &str, values: serde_json::Value) -> serde_json::Value {
    json!({"values": values, "type": "0B", "name": "주식체결", "item": item})
}

/// The next `n` results of the stream: decoded trades as (item, cumulative volume), errors
/// as their text.
async fn take(
    trades: &mut RealtimeStream<StockTrade>,
    n: usize,
) -> Vec<Result<(String, Option<i64>), String>> {
    let mut out = Vec::new();
    timeout(Duration::from_secs(10), async {
        while out.len() < n {
            match trades.next().await.expect("session open") {
                Ok(TypedEvent::Real(t)) => {
                    out.push(Ok((t.item.clone(), t.cumulative_trade_quantity)))
                }
                Ok(_) => {}
                Err(Error::Decode(e)) => out.push(Err(e.to_string())),
                Err(other) => panic!("not a decode error: {other}"),
            }
        }
    })
    .await
    .expect("the frame's events arrive");
    out
}

#[tokio::test]
async fn one_bad_entry_costs_only_itself() {
    let (server, session) = session(WsConfig::default()).await;
    let mut trades = session.events_of::<StockTrade>();
    session
        .subscribe::<StockTrade>(["005930", "000660", "035720"])
        .await
        .unwrap();

    // The shape is wrong: a value that is an object.
    let frame = json!({"data": [
        entry("005930", json!({"10": "+60000", "13": "1"})),
        entry("000660", json!({"10": {"nested": true}, "13": "2"})),
        entry("035720", json!({"10": "-41000", "13": "3"})),
    ], "trnm": "REAL"});
    assert_eq!(server.control().push_raw(frame.to_string()).await, 1);
    let got = take(&mut trades, 3).await;
    assert_eq!(got[0], Ok(("005930".into(), Some(1))));
    let error = got[1].as_ref().unwrap_err();
    assert!(
        error.contains("data[1].values.10") && error.contains("nested"),
        "the error names the entry and the value: {error}"
    );
    assert_eq!(got[2], Ok(("035720".into(), Some(3))));

    // The shape is right but a value does not parse: the typed decode fails alone.
    let frame = json!({"data": [
        entry("005930", json!({"13": "4"})),
        entry("000660", json!({"13": "12x"})),
        entry("035720", json!({"13": "6"})),
    ], "trnm": "REAL"});
    server.control().push_raw(frame.to_string()).await;
    let got = take(&mut trades, 3).await;
    assert_eq!(got[0], Ok(("005930".into(), Some(4))));
    let error = got[1].as_ref().unwrap_err();
    assert!(
        error.contains("12x"),
        "the error names the raw value: {error}"
    );
    assert_eq!(got[2], Ok(("035720".into(), Some(6))));
    assert_eq!(
        session.delivery_stats().lossless_backlog,
        0,
        "nothing else is waiting"
    );
}

#[tokio::test]
async fn a_frame_over_the_entry_bound_delivers_the_bound_and_an_error() {
    let (server, session) = session(WsConfig::default().with_max_entries_per_frame(5)).await;
    let mut trades = session.events_of::<StockTrade>();
    session.subscribe::<StockTrade>(["005930"]).await.unwrap();
    let data: Vec<_> = (0..8)
        .map(|i| entry(&format!("{:06}", 100000 + i), json!({"13": i.to_string()})))
        .collect();
    let frame = json!({"data": data, "trnm": "REAL"});
    server.control().push_raw(frame.to_string()).await;
    let got = take(&mut trades, 6).await;
    let delivered: Vec<_> = got[..5].iter().cloned().map(Result::unwrap).collect();
    assert_eq!(
        delivered,
        (0..5)
            .map(|i| (format!("{:06}", 100000 + i), Some(i)))
            .collect::<Vec<_>>()
    );
    let error = got[5].as_ref().unwrap_err();
    assert!(
        error.contains("8 entries") && error.contains("3 skipped"),
        "{error}"
    );
}
