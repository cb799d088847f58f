//! The tracker killed mid-run: a child process trades against the simulator (started here,
//! on loopback) through a `Tracker` on a journal, and is killed with SIGKILL while orders,
//! amendments and cancellations are in flight; a second child restarts on the same journal,
//! reconciles at start-up, trades on and is killed too; a third restarts and reconciles.
//! Afterwards the journal's orders, fills and positions equal the simulator's book exactly
//! (no order twice, no fill lost or counted twice, nothing left unknown or pending). SQLite
//! and PostgreSQL.

#![cfg(feature = "kiwoom")]

mod common;

use std::io::{BufRead, BufReader};
use std::sync::Arc;
use std::time::Duration;

use common::market::{on_tick, today};
use common::sim::{self, Averages, assert_journal_equals_book};
use common::*;
use kiwoom_generated::realtime::OrderFill;
use kiwoom_mock::{MockConfig, MockServer};
use kiwoom_orders::{
    ClientOrderId, Journal, KiwoomBroker, Ledger, MatchWindow, OrderIntent, OrderState,
    PostgresJournal, Side, SqliteJournal, Tracker, TrackerConfig,
};
use kiwoom_runtime::Market;

const STOCK: &str = "005930";
/// How long a request may be in flight: after a kill, the restart waits this out so that an
/// order that never reached Kiwoom can be declared not placed.
const IN_FLIGHT: Duration = Duration::from_secs(2);

fn config() -> TrackerConfig {
    TrackerConfig {
        match_window: MatchWindow {
            before: chrono::Duration::seconds(5),
            after: chrono::Duration::from_std(IN_FLIGHT).unwrap(),
        },
        ..TrackerConfig::default()
    }
}

/// The child: start-up reconciliation, then (unless `trade` is false) orders forever,
/// printing `ORDER n` after each.
async fn child<J: Journal>(journal: J, run: &str, base_url: &str, ws_url: &str, trade: bool) {
    let client = sim::client_at(base_url, ws_url, Duration::from_secs(2));
    let tracker = Arc::new(Tracker::with_config(
        Ledger::new(journal),
        KiwoomBroker::new(client.clone(), ACCOUNT),
        config(),
    ));
    let today = today();
    let report = tracker.reconcile(ACCOUNT, today).await.unwrap();
    println!(
        "RECONCILED orphaned={} matched={} not_placed={} undecided={} fills_added={} amendments_added={} cancelled={} refused={}",
        report.orphaned.len(),
        report.matched.len(),
        report.not_placed.len(),
        report.undecided.len(),
        report.fills_added,
        report.amendments_added,
        report.cancelled.len(),
        report.requests_refused.len()
    );
    if !trade {
        return;
    }
    let session = client.realtime(Market::Domestic).await.unwrap();
    session.subscribe_account::<OrderFill>().await.unwrap();
    {
        let tracker = tracker.clone();
        let events = session.events();
        tokio::spawn(async move { tracker.follow(ACCOUNT, events).await });
    }
    let id = |n: u64, what: &str| ClientOrderId::new(format!("crash-{run}-{n}-{what}")).unwrap();

    // The current price, from a first market buy (it also gives shares to sell).
    let first = OrderIntent::buy(ACCOUNT, STOCK, 10, None)
        .unwrap()
        .with_client_order_id(id(0, "start"));
    let first = tracker.submit(first).await.unwrap();
    let book = sim::book(&client, today).await;
    let price: u64 = book
        .orders
        .iter()
        .find(|o| Some(&o.order_no) == first.order_nos.first())
        .map(|o| o.fill_price.try_into().unwrap())
        .unwrap();
    for n in 1u64.. {
        match n % 4 {
            0 => {
                tracker
                    .submit(
                        OrderIntent::buy(ACCOUNT, STOCK, 1 + n % 3, None)
                            .unwrap()
                            .with_client_order_id(id(n, "mkt")),
                    )
                    .await
                    .unwrap();
            }
            1 => {
                // Resting, then cancelled.
                let o = tracker
                    .submit(
                        OrderIntent::buy(ACCOUNT, STOCK, 3, Some(on_tick(price * 8 / 10)))
                            .unwrap()
                            .with_client_order_id(id(n, "rest")),
                    )
                    .await
                    .unwrap();
                if o.state == OrderState::Accepted {
                    tracker.cancel(o.id(), None).await.unwrap();
                }
            }
            2 => {
                // Resting, then moved to a crossing price: it fills.
                let o = tracker
                    .submit(
                        OrderIntent::buy(ACCOUNT, STOCK, 2, Some(on_tick(price * 8 / 10)))
                            .unwrap()
                            .with_client_order_id(id(n, "amend")),
                    )
                    .await
                    .unwrap();
                if o.state == OrderState::Accepted {
                    tracker
                        .amend(o.id(), None, Some(on_tick(price * 11 / 10)))
                        .await
                        .unwrap();
                }
            }
            _ => {
                tracker
                    .submit(
                        OrderIntent::new(ACCOUNT, STOCK, Side::Sell, 1, None)
                            .unwrap()
                            .with_client_order_id(id(n, "sell")),
                    )
                    .await
                    .unwrap();
            }
        }
        println!("ORDER {n}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "run by the tracker crash tests as a child process"]
async fn tracker_crash_child() {
    let spec = std::env::var("ORDERS_TRACKER_CRASH").expect("ORDERS_TRACKER_CRASH");
    let parts: Vec<&str> = spec.split(' ').collect();
    let [backend, run, location, base_url, ws_url, mode] = parts[..] else {
        panic!("bad ORDERS_TRACKER_CRASH: {spec}");
    };
    let trade = mode == "trade";
    match backend {
        "sqlite" => {
            let j = SqliteJournal::open(location).await.unwrap();
            child(j, run, base_url, ws_url, trade).await
        }
        _ => {
            let url = postgres_url().unwrap();
            let j = PostgresJournal::connect_schema(&url, location)
                .await
                .unwrap();
            child(j, run, base_url, ws_url, trade).await
        }
    }
}

/// Runs a child; with `kill_after`, kills it with SIGKILL once it has completed that many
/// orders (a few milliseconds later, so most likely mid-request). Returns its
/// `RECONCILED` line.
fn run_child(
    server: &MockServer,
    backend: &str,
    run: &str,
    location: &str,
    kill_after: Option<usize>,
) -> String {
    let mode = if kill_after.is_some() {
        "trade"
    } else {
        "reconcile"
    };
    let mut child = common::child::spawn(
        "tracker_crash_child",
        "ORDERS_TRACKER_CRASH",
        &format!(
            "{backend} {run} {location} {} {} {mode}",
            server.base_url(),
            server.ws_url()
        ),
    );
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut reconciled = None;
    let mut done = 0;
    for line in lines.by_ref() {
        let line = line.unwrap();
        if let Some(report) = common::child::marked(&line, "RECONCILED") {
            reconciled = Some(report.to_owned());
            if kill_after.is_none() {
                break;
            }
        }
        if line.contains("ORDER ") {
            done += 1;
            if kill_after.is_some_and(|k| done >= k) {
                // A little later than the line: the next order is on its way.
                std::thread::sleep(Duration::from_millis(3 * (done as u64 % 5)));
                child.kill().unwrap(); // SIGKILL: no destructor, no flush
                break;
            }
        }
    }
    let status = child.wait().unwrap();
    assert!(
        kill_after.is_none_or(|k| done >= k),
        "the child stopped after {done} orders: {status}"
    );
    if kill_after.is_none() {
        assert!(status.success(), "the reconciling child failed: {status}");
    }
    reconciled.expect("the child reconciled at start-up")
}

async fn crash_and_restart<J: Journal>(journal: &J, backend: &str, location: &str) {
    let server = MockServer::start(MockConfig::default()).await.unwrap();
    let client = sim::client(&server, Duration::from_secs(2));
    let (s, l, b) = (Arc::new(server), location.to_owned(), backend.to_owned());
    let mut lines = Vec::new();
    for (run, kill_after) in [("1", Some(14)), ("2", Some(17)), ("3", None)] {
        let (s, l, b) = (s.clone(), l.clone(), b.clone());
        let line = tokio::task::spawn_blocking(move || run_child(&s, &b, run, &l, kill_after))
            .await
            .unwrap();
        eprintln!("run {run}: {line}");
        lines.push(line);
        // What the killed run left in flight has had all its time.
        tokio::time::sleep(IN_FLIGHT + Duration::from_millis(300)).await;
    }
    let today = today();
    let eq = assert_journal_equals_book(journal, &client, ACCOUNT, today, Averages::Exact).await;
    eprintln!(
        "{backend}: after two kills and restarts: {} orders, {} server orders, {} fills ({} shares), states {:?}",
        eq.orders, eq.server_orders, eq.fills, eq.filled_quantity, eq.states
    );
    assert!(eq.orders >= 14 + 17, "both runs traded ({})", eq.orders);
    assert!(
        eq.states.contains_key("filled") && eq.states.contains_key("cancelled"),
        "{:?}",
        eq.states
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tracker_survives_sigkill_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tracker.db");
    let location = path.to_str().unwrap().to_owned();
    // Created (and migrated) here so the parent can read it afterwards.
    let journal = SqliteJournal::open(&path).await.unwrap();
    crash_and_restart(&journal, "sqlite", &location).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tracker_survives_sigkill_postgres() {
    let Some(url) = postgres_url() else { return };
    let schema = unique_schema("tcrash");
    let journal = PostgresJournal::connect_schema(&url, &schema)
        .await
        .unwrap();
    crash_and_restart(&journal, "postgres", &schema).await;
    journal.drop_schema().await.unwrap();
}
