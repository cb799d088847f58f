//! Runs the `realtime` example against the simulator for a few seconds and checks what it
//! says: 0B and 0D for every stock, 00 and 04 for its buys, one forced outage shown as a
//! gap, and the streams going on after it.

#[path = "../examples/realtime.rs"]
mod realtime;

use std::time::Duration;

use realtime::{Options, target::Target};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quotes_and_account_events_survive_a_forced_reconnect() {
    let stocks = ["005930", "000660", "035420"].map(String::from).to_vec();
    let options = Options {
        target: Target::Simulator,
        stocks: stocks.clone(),
        seconds: 6,
    };
    let summary = tokio::time::timeout(Duration::from_secs(60), realtime::run(options))
        .await
        .expect("the example stops on its own")
        .expect("the example runs");
    for stock in &stocks {
        assert!(
            summary.trades.get(stock).is_some_and(|n| *n > 0),
            "0B {stock}: {summary:?}"
        );
        assert!(
            summary.order_books.get(stock).is_some_and(|n| *n > 0),
            "0D {stock}: {summary:?}"
        );
    }
    // Two market buys: each is accepted then filled (00), each event with its 04.
    assert!(summary.fills >= 4, "{summary:?}");
    assert!(summary.balances >= 4, "{summary:?}");
    assert_eq!(summary.gaps.len(), 1, "{summary:?}");
    let (lasted, restored) = summary.gaps[0];
    assert!(restored, "registrations restored");
    assert!(
        lasted >= Duration::from_millis(900),
        "the outage lasted its second: {lasted:?}"
    );
    assert!(summary.trades_after_gap > 0, "0B again after the gap");
    assert!(
        summary.fills_after_gap > 0,
        "00 again after the gap (the second buy)"
    );
}
