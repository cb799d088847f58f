//! Issue 8's load acceptance: a consumer that sleeps while the simulator pushes 10,000
//! order fills (00) and 100,000 quotes (0B) gets every fill, in order, the newest quote of
//! each stock, and the gap after a forced reconnect; the conflation counts are printed.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use futures::StreamExt;
use kiwoom_generated::realtime::{OrderFill, StockTrade};
use kiwoom_mock::{MockConfig, MockServer};
use kiwoom_runtime::ws::{ConnectionState, TypedEvent};
use kiwoom_runtime::{Market, WsConfig};
use kiwoom_tests::runtime_support::local_builder;
use tokio::time::timeout;

const FILLS: u32 = 10_000;
const QUOTES: u32 = 100_000;
const QUOTES_PER_FRAME: u32 = 10;
const STOCKS: [&str; 10] = [
    "005930", "000660", "035420", "035720", "051910", "005380", "068270", "207940", "006400",
    "000270",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sleeping_consumer_gets_every_fill_in_order_the_newest_quotes_and_the_gap() {
    let started = Instant::now();
    let server = MockServer::start(MockConfig {
        // Only the burst pushes: no periodic ticks to muddle "the newest quote".
        realtime_interval: Duration::from_secs(3600),
        ..MockConfig::default()
    })
    .await
    .expect("simulator starts");
    let control = server.control();
    let client = local_builder(&server.base_url(), &server.ws_url())
        .websocket(
            WsConfig::default()
                .with_reconnect_delays(Duration::from_millis(20), Duration::from_millis(200)),
        )
        .build()
        .expect("client builds");
    let session = client.realtime(Market::Domestic).await.expect("session");

    let mut fills = session.events_of::<OrderFill>();
    let mut trades = session.events_of::<StockTrade>();
    session.subscribe_account::<OrderFill>().await.unwrap();
    session.subscribe::<StockTrade>(STOCKS).await.unwrap();

    // The consumer sleeps from here on: nothing reads the streams until the forced
    // reconnect, its gap and the whole burst have happened.
    let mut states = session.state_changes();
    control.drop_websockets();
    timeout(Duration::from_secs(10), async {
        while let Some(s) = states.next().await {
            if s == ConnectionState::Connected {
                return;
            }
        }
    })
    .await
    .expect("reconnected");
    // The simulator pushes one regular tick per stock right after a (re-)registration:
    // let it come, and count it, so that the burst's quotes are the newest and are
    // accounted exactly.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let before = session.delivery_stats();
    let quotes_before = before.conflated_total + before.market_backlog as u64;

    let burst_started = Instant::now();
    let pushed = control.push_burst(FILLS, QUOTES, QUOTES_PER_FRAME).await;
    let push_time = burst_started.elapsed();
    assert_eq!(pushed, u64::from(FILLS + QUOTES / QUOTES_PER_FRAME));
    // Wait until the session has read all of it: every fill waiting, every quote either
    // waiting (the newest of its stock) or conflated.
    timeout(Duration::from_secs(60), async {
        loop {
            let s = session.delivery_stats();
            let quotes_seen = s.conflated_total + s.market_backlog as u64;
            if s.lossless_backlog >= FILLS as usize
                && quotes_seen >= quotes_before + u64::from(QUOTES)
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
    .expect("the session reads the whole burst");

    let stats = session.delivery_stats();
    println!(
        "pushed {pushed} frames in {push_time:?}; conflated {} quotes in total; per key: {:?}; \
         lossless backlog {} (peak {}), market keys waiting {}",
        stats.conflated_total,
        stats
            .conflated
            .iter()
            .map(|(k, n)| format!("{}/{}={n}", k.kind, k.item))
            .collect::<Vec<_>>(),
        stats.lossless_backlog,
        stats.lossless_peak,
        stats.market_backlog,
    );

    // The consumer wakes up: the gap, then every fill in order.
    let mut order_numbers = Vec::new();
    let mut gaps = Vec::new();
    timeout(Duration::from_secs(30), async {
        while order_numbers.len() < FILLS as usize {
            match fills.next().await.expect("session open") {
                Ok(TypedEvent::Real(fill)) => order_numbers.push(fill.order_number.clone()),
                Ok(TypedEvent::Gap(gap)) => gaps.push((order_numbers.len(), gap)),
                Ok(TypedEvent::System { .. }) => {}
                Err(e) => panic!("a fill did not decode: {e}"),
            }
        }
    })
    .await
    .expect("every fill");
    assert!(
        matches!(&gaps[..], [(0, gap)] if gap.resubscribed),
        "one gap, before the fills pushed after it: {gaps:?}"
    );
    let expected: Vec<Option<String>> = (1..=FILLS).map(|n| Some(format!("{n:07}"))).collect();
    assert_eq!(order_numbers.len(), expected.len(), "every fill delivered");
    assert!(order_numbers == expected, "fills delivered in order");

    let mut newest: BTreeMap<String, i64> = BTreeMap::new();
    let mut delivered_quotes = 0u64;
    let mut trade_gaps = 0;
    timeout(Duration::from_secs(30), async {
        // Drain what is waiting: the stream has nothing more once the backlog is empty.
        while session.delivery_stats().market_backlog > 0 || trade_gaps == 0 {
            match trades.next().await.expect("session open") {
                Ok(TypedEvent::Real(trade)) => {
                    delivered_quotes += 1;
                    let volume = trade.cumulative_trade_quantity.expect("13 is pushed");
                    newest.insert(trade.item.clone(), volume);
                }
                Ok(TypedEvent::Gap(_)) => trade_gaps += 1,
                Ok(TypedEvent::System { .. }) => {}
                Err(e) => panic!("a quote did not decode: {e}"),
            }
        }
    })
    .await
    .expect("the gap and the quotes");
    assert_eq!(trade_gaps, 1, "the quote stream gets the gap too");
    let per_stock = i64::from(QUOTES) / STOCKS.len() as i64;
    let expected: BTreeMap<String, i64> = STOCKS
        .iter()
        .map(|s| ((*s).to_owned(), per_stock))
        .collect();
    assert_eq!(newest, expected, "the newest quote of every stock");
    assert_eq!(
        delivered_quotes + stats.conflated_total,
        quotes_before + u64::from(QUOTES),
        "each quote delivered or counted as conflated"
    );
    for stock in STOCKS {
        let key = kiwoom_runtime::ws::RealtimeKey {
            kind: "0B".into(),
            item: stock.into(),
        };
        assert!(stats.conflated.get(&key).is_some_and(|n| *n > 0), "{stock}");
    }
    println!(
        "delivered {} fills and {delivered_quotes} quotes; total {:?}",
        order_numbers.len(),
        started.elapsed()
    );
    session.close().await;
}
