//! The metrics are recorded as documented (issue 16 points 1 and 4): one run against the
//! simulator makes every metric happen (calls, resends after 1700 / 8005 / 503, limiter
//! waits, token issues that succeed and fail, cache hits and misses, realtime events,
//! conflation, a malformed entry, a frame over the entry bound, a dropped connection and
//! its gap), then a test recorder's snapshot is checked against the runtime's `METRICS`
//! list and the README's metrics table: the same names, kinds and labels, nothing
//! recorded that is not documented, nothing documented that never shows up. The order
//! journal's counter (kiwoom-orders' `Ledger`) is in the same list and checked the same way.
//!
//! One test per binary: the recorder is process-wide.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use futures::StreamExt;
use kiwoom_generated::domestic_stock_info::{StocksMarketType, StocksRequest};
use kiwoom_generated::prelude::*;
use kiwoom_generated::realtime::{OrderFill, StockTrade};
use kiwoom_mock::{Fault, MockConfig, MockServer};
use kiwoom_runtime::metrics::{METRICS, MetricKind};
use kiwoom_runtime::{CacheConfig, Rate, RateLimits, WsConfig};
use kiwoom_tests::runtime_support::{StockInfo, local_builder};
use metrics_util::debugging::{DebugValue, DebuggingRecorder};
use serde_json::json;
use tokio::time::timeout;

/// One row of the README's metrics table.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Documented {
    name: String,
    kind: String,
    labels: Vec<String>,
}

/// The rows of the `## Metrics` section of the README: `| `name` | kind | `a`, `b` | ... |`.
fn readme_table() -> Vec<Documented> {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md"))
        .expect("README.md");
    let section = readme
        .split("\n## ")
        .find(|s| s.starts_with("Metrics"))
        .expect("a `## Metrics` section in the README");
    section
        .lines()
        .filter(|l| l.starts_with("| `kiwoom_"))
        .map(|l| {
            let cells: Vec<&str> = l.trim_matches('|').split('|').map(str::trim).collect();
            let labels = cells[2]
                .split(',')
                .map(|s| s.trim().trim_matches('`').to_owned())
                .filter(|s| !s.is_empty() && s != "—")
                .collect();
            Documented {
                name: cells[0].trim_matches('`').to_owned(),
                kind: cells[1].to_owned(),
                labels,
            }
        })
        .collect()
}

fn kind_word(kind: metrics_util::MetricKind) -> &'static str {
    match kind {
        metrics_util::MetricKind::Counter => MetricKind::Counter.as_str(),
        metrics_util::MetricKind::Gauge => MetricKind::Gauge.as_str(),
        metrics_util::MetricKind::Histogram => MetricKind::Histogram.as_str(),
    }
}

/// What the recorder saw of one series.
#[derive(Debug)]
struct Seen {
    kind: &'static str,
    labels: BTreeMap<String, String>,
    value: DebugValue,
    description: Option<String>,
}

async fn wait_for(what: &str, mut ready: impl FnMut() -> bool) {
    timeout(Duration::from_secs(20), async {
        while !ready() {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
    .unwrap_or_else(|_| panic!("timed out waiting for {what}"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_documented_metric_is_recorded_as_documented() {
    let recorder = DebuggingRecorder::new();
    let snapshotter = recorder.snapshotter();
    recorder
        .install()
        .expect("the only recorder of this process");
    kiwoom_runtime::metrics::describe();

    let server = MockServer::start(MockConfig {
        realtime_interval: Duration::from_secs(3600),
        ..MockConfig::default()
    })
    .await
    .unwrap();
    let control = server.control();
    let client = local_builder(&server.base_url(), &server.ws_url())
        // Slow enough that back-to-back calls wait for the limiter.
        .rate_limits(RateLimits::unlimited().queries(Some(Rate::per_second(20.0))))
        .response_cache(CacheConfig::reference_data())
        .websocket(
            WsConfig::default()
                .with_max_entries_per_frame(3)
                .with_reconnect_delays(Duration::from_millis(20), Duration::from_millis(100)),
        )
        .build()
        .unwrap();

    // REST: three calls, then one resend of each kind, then a refusal.
    for _ in 0..3 {
        client.call(StockInfo::new("005930")).await.unwrap();
    }
    control.inject("ka10001", Fault::RateLimited, 1);
    client.call(StockInfo::new("005930")).await.unwrap();
    control.inject("ka10001", Fault::TokenInvalid, 1);
    client.call(StockInfo::new("005930")).await.unwrap();
    control.inject("ka10001", Fault::Status(503), 1);
    client.call(StockInfo::new("005930")).await.unwrap();
    let refused = client.call(StockInfo::new("999999")).await.unwrap_err();
    assert_eq!(refused.kiwoom_code().map(|c| c.code()), Some(1902));

    // The cache: a miss, then a hit.
    for _ in 0..2 {
        client
            .domestic()
            .stock_info()
            .stocks(StocksRequest::new(StocksMarketType::Kospi))
            .send()
            .await
            .unwrap();
    }

    // A token issue that fails (another client, same simulator).
    control.inject("au10001", Fault::Status(500), 1);
    let other = local_builder(&server.base_url(), &server.ws_url())
        .build()
        .unwrap();
    assert!(other.authenticate().await.is_err());

    // Realtime: a burst nobody reads (conflation, a lossless backlog), a malformed entry,
    // a frame over the entry bound, then a dropped connection.
    let session = client.realtime(Market::Domestic).await.unwrap();
    let mut fills = session.events_of::<OrderFill>();
    // Open, never read: its quotes conflate.
    let _trades = session.events_of::<StockTrade>();
    session.subscribe_account::<OrderFill>().await.unwrap();
    session
        .subscribe::<StockTrade>(["005930", "000660"])
        .await
        .unwrap();
    // Two quotes a frame: within the entry bound of 3.
    control.push_burst(5, 40, 2).await;
    wait_for("the burst", || {
        let s = session.delivery_stats();
        s.lossless_backlog >= 5 && s.conflated_total > 0
    })
    .await;
    let bad = json!({"trnm": "REAL", "data": [
        {"type": "0B", "name": "주식체결", "item": "005930", "values": {"10": {"x": 1}}},
    ]});
    control.push_raw(bad.to_string()).await;
    let entry = |i: u32| json!({"type": "0B", "name": "주식체결", "item": "005930", "values": {"13": i.to_string()}});
    let long = json!({"trnm": "REAL", "data": (0..5).map(entry).collect::<Vec<_>>()});
    control.push_raw(long.to_string()).await;
    let mut states = session.state_changes();
    control.drop_websockets();
    timeout(Duration::from_secs(10), async {
        while let Some(s) = states.next().await {
            if s == kiwoom_runtime::ConnectionState::Connected {
                return;
            }
        }
    })
    .await
    .expect("reconnected");
    // Read the fills stream up to the gap: 5 fills, then the gap, in order.
    let mut fills_read = 0;
    timeout(Duration::from_secs(10), async {
        while let Some(e) = fills.next().await {
            // The truncated frame's error reaches every stream: skip it.
            match e {
                Ok(TypedEvent::Real(_)) => fills_read += 1,
                Ok(TypedEvent::Gap(_)) => break,
                _ => {}
            }
        }
    })
    .await
    .expect("the gap reaches the fills stream");
    assert_eq!(fills_read, 5);

    // The order journal: an order submitted and accepted, one fill, then the same fill
    // again (a 00 frame and a query both reporting it): counted, but nothing stored.
    journal_appends().await;

    // What the recorder saw.
    let mut seen: BTreeMap<String, Vec<Seen>> = BTreeMap::new();
    for (key, _unit, description, value) in snapshotter.snapshot().into_vec() {
        let (kind, key) = key.into_parts();
        seen.entry(key.name().to_owned()).or_default().push(Seen {
            kind: kind_word(kind),
            labels: key
                .labels()
                .map(|l| (l.key().to_owned(), l.value().to_owned()))
                .collect(),
            value,
            description: description.map(|d| d.to_string()),
        });
    }

    // README table == METRICS, row for row.
    let mut documented = readme_table();
    documented.sort();
    let mut listed: Vec<Documented> = METRICS
        .iter()
        .map(|m| Documented {
            name: m.name.to_owned(),
            kind: m.kind.as_str().to_owned(),
            labels: m.labels.iter().map(|l| (*l).to_owned()).collect(),
        })
        .collect();
    listed.sort();
    assert_eq!(documented, listed, "the README's table and METRICS differ");

    // Every documented metric was recorded, with its kind, labels and description.
    for m in METRICS {
        let series = seen
            .get(m.name)
            .unwrap_or_else(|| panic!("{} was never recorded", m.name));
        for s in series {
            assert_eq!(s.kind, m.kind.as_str(), "{}", m.name);
            let keys: BTreeSet<&str> = s.labels.keys().map(String::as_str).collect();
            let expected: BTreeSet<&str> = m.labels.iter().copied().collect();
            assert_eq!(keys, expected, "labels of {}", m.name);
            assert_eq!(s.description.as_deref(), Some(m.help), "{}", m.name);
        }
    }
    // Nothing recorded under the runtime's prefix that is not documented.
    for name in seen.keys().filter(|n| n.starts_with("kiwoom_")) {
        assert!(
            METRICS.iter().any(|m| m.name == name),
            "{name} is recorded but not documented"
        );
    }

    // The values say what happened.
    let count = |name: &str, labels: &[(&str, &str)]| -> u64 {
        seen.get(name)
            .into_iter()
            .flatten()
            .filter(|s| {
                labels
                    .iter()
                    .all(|(k, v)| s.labels.get(*k).map(String::as_str) == Some(*v))
            })
            .map(|s| match &s.value {
                DebugValue::Counter(n) => *n,
                DebugValue::Histogram(v) => v.len() as u64,
                DebugValue::Gauge(g) => g.0 as u64,
            })
            .sum()
    };
    let ka10001 = ("api_id", "ka10001");
    assert_eq!(
        count("kiwoom_rest_calls_total", &[ka10001, ("outcome", "ok")]),
        6
    );
    assert_eq!(
        count(
            "kiwoom_rest_calls_total",
            &[ka10001, ("outcome", "api_error")]
        ),
        1
    );
    assert_eq!(count("kiwoom_rest_call_duration_seconds", &[ka10001]), 7);
    // 7 calls, 3 of them sent twice.
    assert_eq!(
        count("kiwoom_rest_request_duration_seconds", &[ka10001]),
        10
    );
    assert_eq!(count("kiwoom_rate_limiter_wait_seconds", &[ka10001]), 10);
    assert!(count("kiwoom_rate_limiter_waits_total", &[ka10001]) >= 2);
    assert_eq!(count("kiwoom_rest_rate_limit_answers_total", &[ka10001]), 1);
    assert_eq!(count("kiwoom_rest_token_rejections_total", &[ka10001]), 1);
    for reason in ["rate_limit", "token", "transport"] {
        assert_eq!(
            count("kiwoom_rest_resends_total", &[ka10001, ("reason", reason)]),
            1,
            "{reason}"
        );
    }
    // The first token, its replacement after 8005, and the other client's failure.
    assert_eq!(count("kiwoom_token_issues_total", &[("outcome", "ok")]), 2);
    assert_eq!(
        count("kiwoom_token_issues_total", &[("outcome", "error")]),
        1
    );
    let ka10099 = ("api_id", "ka10099");
    assert_eq!(
        count("kiwoom_cache_lookups_total", &[ka10099, ("result", "miss")]),
        1
    );
    assert_eq!(
        count("kiwoom_cache_lookups_total", &[ka10099, ("result", "hit")]),
        1
    );
    assert_eq!(
        count("kiwoom_rest_calls_total", &[ka10099]),
        1,
        "a hit is not a call"
    );
    let domestic = ("market", "domestic");
    assert_eq!(count("kiwoom_ws_disconnects_total", &[domestic]), 1);
    assert_eq!(count("kiwoom_ws_gaps_total", &[domestic]), 1);
    assert_eq!(count("kiwoom_ws_gap_seconds", &[domestic]), 1);
    assert_eq!(count("kiwoom_realtime_events_total", &[("type", "00")]), 5);
    assert!(count("kiwoom_realtime_events_total", &[("type", "0B")]) >= 40);
    assert!(count("kiwoom_realtime_conflated_total", &[("type", "0B")]) > 0);
    assert_eq!(
        count("kiwoom_realtime_malformed_total", &[("type", "0B")]),
        1
    );
    assert_eq!(count("kiwoom_realtime_skipped_total", &[]), 2);
    for (kind, outcome, n) in [
        ("submitted", "appended", 1),
        ("accepted", "appended", 1),
        ("filled", "appended", 1),
        ("filled", "duplicate", 1),
    ] {
        assert_eq!(
            count(
                "kiwoom_journal_events_total",
                &[("kind", kind), ("outcome", outcome)]
            ),
            n,
            "journal {kind} {outcome}"
        );
    }
    assert_eq!(
        kiwoom_orders::metrics::JOURNAL_EVENTS,
        kiwoom_runtime::metrics::JOURNAL_EVENTS
    );
    println!(
        "{} metrics documented, all recorded; series seen: {}",
        METRICS.len(),
        seen.values().map(Vec::len).sum::<usize>()
    );
}

/// Four appends through a ledger on a SQLite journal: three stored, one duplicate fill.
async fn journal_appends() {
    use kiwoom_orders::{
        ClientOrderId, EventKind, EventSource, Fill, Ledger, NewEvent, OrderIntent, OrderNo, Side,
        SqliteJournal,
    };
    use rust_decimal::Decimal;

    let dir = tempfile::tempdir().unwrap();
    let ledger = Ledger::new(
        SqliteJournal::open(dir.path().join("journal.db"))
            .await
            .unwrap(),
    );
    let id = ClientOrderId::new("metrics-1").unwrap();
    let intent = OrderIntent::new(
        "81234567",
        "005930",
        Side::Buy,
        10,
        Some(Decimal::from(70_000)),
    )
    .unwrap()
    .with_client_order_id(id.clone());
    let order_no = OrderNo::new("0000123").unwrap();
    let fill = NewEvent::new(
        id.clone(),
        EventSource::Realtime,
        EventKind::Filled {
            fill: Fill {
                order_no: order_no.clone(),
                fill_no: "1".into(),
                quantity: 10,
                price: Decimal::from(70_000),
                fee: None,
                tax: None,
                filled_at: chrono::Utc::now(),
                venue: Some("KRX".into()),
                cumulative_quantity: None,
            },
        },
    );
    for event in [
        NewEvent::submitted(intent),
        NewEvent::new(
            id.clone(),
            EventSource::Answer,
            EventKind::Accepted { order_no },
        ),
        fill.clone(),
        fill,
    ] {
        ledger.record(event).await.unwrap();
    }
}
