//! Two trading processes on one account and one journal: the simulator runs here (loopback),
//! and two children — this test binary run twice — each run a `Tracker` on the SAME journal
//! (one PostgreSQL schema, or one SQLite file) for the SAME account. Each follows the
//! account's realtime 00 frames, so each sees the other's accepts and fills as well as its
//! own, and reconciles every 300 ms while both trade; each places its own orders (market
//! buys and sells, limits left to fill in parts as the market moves, resting limits
//! cancelled whole or in part, moved to a crossing price, or moved and then cancelled) at
//! the same time as the other. When both are done the market stops and both reconcile at once. Then the
//! journal must equal the simulator's book exactly: every server order is one journal order
//! (no order twice, none adopted as another's), every execution one fill (none lost, none
//! counted twice), positions equal in quantity and average price.

#![cfg(feature = "kiwoom")]

mod common;

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::process::ChildStdin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use common::market::{Rng, on_tick, tick, today};
use common::sim::{self, Averages, assert_journal_equals_book};
use common::*;
use futures::StreamExt;
use kiwoom_generated::realtime::OrderFill;
use kiwoom_mock::{MockConfig, MockServer};
use kiwoom_orders::{
    ClientOrderId, Followed, FrameOutcome, Journal, JournalError, KiwoomBroker, Ledger,
    MatchWindow, OrderIntent, OrderState, PostgresJournal, Side, SqliteJournal, Tracker,
    TrackerConfig, TrackerError,
};
use kiwoom_runtime::{Market, SessionEvent};
use rust_decimal::Decimal;
use tokio::sync::mpsc;

const STOCKS: [&str; 2] = ["005930", "035720"];
/// Orders per process, placed by `WORKERS` concurrent workers.
const ORDERS: usize = 40;
const WORKERS: usize = 2;
/// The children's request timeout; no fault is injected, so it is only a safety net.
const TIMEOUT: Duration = Duration::from_secs(2);
/// How often each child reconciles while both trade: often, so that reconciliations of one
/// process run while the other's requests are in flight (its orders pending-new, amend- or
/// cancel-pending in the shared journal, in flight in no tracker of this process).
const RECONCILE_EVERY: Duration = Duration::from_millis(300);

fn config() -> TrackerConfig {
    TrackerConfig {
        // Every request here is answered within well under a second.
        match_window: MatchWindow {
            before: chrono::Duration::seconds(5),
            after: chrono::Duration::seconds(3),
        },
        ..TrackerConfig::default()
    }
}

type Shared<J> = Tracker<J, KiwoomBroker>;

/// What a child saw of the realtime stream and did.
#[derive(Default)]
struct Seen {
    frames_applied: AtomicUsize,
    /// Frames recorded by this process on an order the *other* process placed: it saw
    /// that order's frame before its owner recorded it.
    applied_to_other: AtomicUsize,
    duplicates: AtomicUsize,
    deferred: AtomicUsize,
    reconciliations: AtomicUsize,
    /// Summed over the periodic reconciliations: orders found pending-new with no request
    /// in flight in this process (the other's, mid-request), unknown orders matched, fills
    /// added, open quantities recorded cancelled, amend/cancel requests settled as refused.
    orphaned: AtomicUsize,
    matched: AtomicUsize,
    fills_added: AtomicUsize,
    cancelled: AtomicUsize,
    refused: AtomicUsize,
    errors: AtomicUsize,
    placed: AtomicUsize,
    amends: AtomicUsize,
    cancels: AtomicUsize,
}

/// The account's session into the tracker, as `Tracker::follow_reconciling` does, counting
/// what each event did (the library's loop only logs).
async fn follow<J: Journal>(
    tracker: Arc<Shared<J>>,
    events: impl futures::Stream<Item = SessionEvent>,
    seen: Arc<Seen>,
    other: String,
    stop: Arc<AtomicBool>,
) {
    let mut events = std::pin::pin!(events);
    let mut every = tokio::time::interval_at(
        tokio::time::Instant::now() + RECONCILE_EVERY,
        RECONCILE_EVERY,
    );
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    while !stop.load(Ordering::Relaxed) {
        tokio::select! {
            event = events.next() => {
                let Some(event) = event else { break };
                match tracker.on_session_event(ACCOUNT, event).await {
                    Ok(Followed::Frame(FrameOutcome::Applied(order))) => {
                        seen.frames_applied.fetch_add(1, Ordering::Relaxed);
                        if order.id().as_str().starts_with(&other) {
                            seen.applied_to_other.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                    Ok(Followed::Frame(FrameOutcome::Duplicate)) => {
                        seen.duplicates.fetch_add(1, Ordering::Relaxed);
                    }
                    Ok(Followed::Frame(FrameOutcome::Deferred)) => {
                        seen.deferred.fetch_add(1, Ordering::Relaxed);
                    }
                    Ok(_) => {}
                    Err(e) => {
                        seen.errors.fetch_add(1, Ordering::Relaxed);
                        eprintln!("frame not recorded: {e}");
                    }
                }
            }
            _ = every.tick() => {
                match tracker.reconcile(ACCOUNT, today()).await {
                    Ok(r) => {
                        seen.reconciliations.fetch_add(1, Ordering::Relaxed);
                        seen.orphaned.fetch_add(r.orphaned.len(), Ordering::Relaxed);
                        seen.matched.fetch_add(r.matched.len(), Ordering::Relaxed);
                        seen.fills_added.fetch_add(r.fills_added, Ordering::Relaxed);
                        seen.cancelled.fetch_add(r.cancelled.len(), Ordering::Relaxed);
                        seen.refused.fetch_add(r.requests_refused.len(), Ordering::Relaxed);
                    }
                    Err(e) => {
                        seen.errors.fetch_add(1, Ordering::Relaxed);
                        eprintln!("periodic reconciliation: {e}");
                    }
                }
            }
        }
    }
}

struct Worker<J: Journal> {
    tracker: Arc<Shared<J>>,
    seen: Arc<Seen>,
    prices: Vec<u64>,
    me: usize,
}

impl<J: Journal> Worker<J> {
    fn id(&self, w: usize, n: usize, what: &str) -> ClientOrderId {
        ClientOrderId::new(format!("two-{}-{w}-{n}-{what}", self.me)).unwrap()
    }

    /// One order's life: placed, perhaps cancelled or amended.
    async fn order(&self, w: usize, n: usize, rng: &mut Rng) {
        let s = rng.below(STOCKS.len() as u64) as usize;
        let price = self.prices[s];
        let ticks = |k: u64| Decimal::from(tick(price) * k);
        let rest = on_tick(price * 80 / 100);
        let cross = on_tick(price * 110 / 100);
        let roll = rng.below(100);
        let (side, qty, limit, what) = match roll {
            0..18 => (Side::Buy, rng.range(1, 3), None, "mkt"),
            18..32 => (Side::Sell, rng.range(1, 2), None, "sell"),
            // A few ticks from the price: the walk reaches it, it fills in parts (or not).
            32..52 => (
                Side::Buy,
                rng.range(3, 8),
                Some(on_tick(price) - ticks(rng.range(1, 3))),
                "near",
            ),
            52..60 => (
                Side::Sell,
                rng.range(2, 4),
                Some(on_tick(price) + ticks(rng.range(1, 3))),
                "nearsell",
            ),
            60..76 => (Side::Buy, rng.range(2, 5), Some(rest), "cancel"),
            76..84 => (Side::Buy, rng.range(2, 5), Some(rest), "amend"),
            // Part cancelled, the rest moved to a crossing price: partly cancelled, partly
            // filled. A part cancel leaves the order live, so two reconciliations that both
            // took the part for vanished would both record it.
            84..90 => (Side::Buy, rng.range(3, 6), Some(rest), "partcancel"),
            _ => (Side::Buy, rng.range(2, 5), Some(rest), "amendcancel"),
        };
        let intent = OrderIntent::new(ACCOUNT, STOCKS[s], side, qty, limit)
            .unwrap()
            .with_client_order_id(self.id(w, n, what));
        let id = intent.client_order_id.clone();
        let order = match self.tracker.submit(intent).await {
            Ok(order) => order,
            Err(e) => {
                self.seen.errors.fetch_add(1, Ordering::Relaxed);
                eprintln!("submit {id}: {e}");
                return;
            }
        };
        self.seen.placed.fetch_add(1, Ordering::Relaxed);
        if order.state.is_terminal() {
            return;
        }
        let result = match what {
            "cancel" => self.cancel(&id).await,
            "amend" => self.amend(&id, cross).await,
            "partcancel" => match self.cancel_part(&id, rng.range(1, qty - 1)).await {
                Ok(()) => self.amend(&id, cross).await,
                e => e,
            },
            "amendcancel" => match self.amend(&id, on_tick(price * 85 / 100)).await {
                Ok(()) => self.cancel(&id).await,
                e => e,
            },
            _ => Ok(()),
        };
        if let Err(e) = result {
            // Amending or cancelling an order that filled a moment ago is refused by the
            // state machine: the caller's race, not the tracker's failure.
            let now = self.tracker.ledger().order(&id).await.ok().flatten();
            let closed = now.as_ref().is_some_and(|o| o.state.is_terminal());
            if !(closed && matches!(e, TrackerError::Journal(JournalError::Model(_)))) {
                self.seen.errors.fetch_add(1, Ordering::Relaxed);
                eprintln!("follow-up of {id}: {e}");
            }
        }
    }

    /// Whether the order is live now (the other process may have recorded its fill).
    async fn live(&self, id: &ClientOrderId) -> Result<bool, TrackerError> {
        let order = self.tracker.ledger().order(id).await?.unwrap();
        Ok(matches!(
            order.state,
            OrderState::Accepted | OrderState::Amended | OrderState::PartiallyFilled
        ))
    }

    async fn cancel(&self, id: &ClientOrderId) -> Result<(), TrackerError> {
        if !self.live(id).await? {
            return Ok(());
        }
        self.seen.cancels.fetch_add(1, Ordering::Relaxed);
        self.tracker.cancel(id, None).await.map(drop)
    }

    async fn cancel_part(&self, id: &ClientOrderId, quantity: u64) -> Result<(), TrackerError> {
        if !self.live(id).await? {
            return Ok(());
        }
        self.seen.cancels.fetch_add(1, Ordering::Relaxed);
        self.tracker.cancel(id, Some(quantity)).await.map(drop)
    }

    async fn amend(&self, id: &ClientOrderId, price: Decimal) -> Result<(), TrackerError> {
        if !self.live(id).await? {
            return Ok(());
        }
        self.seen.amends.fetch_add(1, Ordering::Relaxed);
        self.tracker.amend(id, None, Some(price)).await.map(drop)
    }
}

/// Blocks until the parent writes `word` on the child's stdin.
async fn wait_for(word: &'static str) {
    tokio::task::spawn_blocking(move || {
        let mut line = String::new();
        std::io::stdin().read_line(&mut line).unwrap();
        assert_eq!(line.trim(), word, "the parent's next step");
    })
    .await
    .unwrap();
}

fn count(n: &AtomicUsize) -> usize {
    n.load(Ordering::Relaxed)
}

/// The child: start-up reconciliation, follow the account, trade when told, reconcile when
/// told.
async fn child<J: Journal>(journal: J, me: usize, seed: u64, base_url: &str, ws_url: &str) {
    let client = sim::client_at(base_url, ws_url, TIMEOUT);
    let tracker = Arc::new(Tracker::with_config(
        Ledger::new(journal),
        KiwoomBroker::new(client.clone(), ACCOUNT),
        config(),
    ));
    tracker.reconcile(ACCOUNT, today()).await.unwrap();
    let session = client.realtime(Market::Domestic).await.unwrap();
    session.subscribe_account::<OrderFill>().await.unwrap();
    let seen = Arc::new(Seen::default());
    let stop = Arc::new(AtomicBool::new(false));
    let mut follower = tokio::spawn(follow(
        tracker.clone(),
        session.events(),
        seen.clone(),
        format!("two-{}-", 1 - me),
        stop.clone(),
    ));
    println!("READY");
    wait_for("GO").await;

    // Each process learns the prices from a market buy of its own (also shares to sell).
    let mut prices = Vec::new();
    for (i, stock) in STOCKS.iter().enumerate() {
        let intent = OrderIntent::buy(ACCOUNT, *stock, 10, None)
            .unwrap()
            .with_client_order_id(ClientOrderId::new(format!("two-{me}-start-{i}")).unwrap());
        let order = tracker.submit(intent).await.unwrap();
        let book = sim::book(&client, today()).await;
        let no = order.order_nos.first().unwrap();
        let fill = book.orders.iter().find(|o| &o.order_no == no).unwrap();
        prices.push(fill.fill_price.try_into().unwrap());
    }
    let worker = Arc::new(Worker {
        tracker: tracker.clone(),
        seen: seen.clone(),
        prices,
        me,
    });
    let workers: Vec<_> = (0..WORKERS)
        .map(|w| {
            let worker = worker.clone();
            tokio::spawn(async move {
                let mut rng = Rng(seed.wrapping_add((me * WORKERS + w) as u64 * 7919));
                for n in 0..ORDERS / WORKERS {
                    worker.order(w, n, &mut rng).await;
                    // A pause: the market moves on (orders near the price fill in parts)
                    // and the periodic reconciliations of both processes interleave.
                    tokio::time::sleep(Duration::from_millis(rng.range(20, 200))).await;
                }
            })
        })
        .collect();
    for w in workers {
        w.await.unwrap();
    }
    println!(
        "TRADED placed={} amends={} cancels={}",
        count(&seen.placed),
        count(&seen.amends),
        count(&seen.cancels)
    );

    // The market has stopped: stop following (what the session still holds is found by the
    // reconciliation, as after any stop), then reconcile together with the other process.
    wait_for("RECONCILE").await;
    stop.store(true, Ordering::Relaxed);
    session.close().await;
    if tokio::time::timeout(Duration::from_secs(10), &mut follower)
        .await
        .is_err()
    {
        follower.abort();
    }
    let report = tracker.reconcile(ACCOUNT, today()).await.unwrap();
    println!(
        "DONE applied={} applied_to_other={} duplicates={} deferred={} reconciliations={} orphaned={} matched={} fills_added={} cancelled={} refused={} errors={} final: orphaned {} matched {} fills_added {} cancelled {} refused {} undecided {}",
        count(&seen.frames_applied),
        count(&seen.applied_to_other),
        count(&seen.duplicates),
        count(&seen.deferred),
        count(&seen.reconciliations),
        count(&seen.orphaned),
        count(&seen.matched),
        count(&seen.fills_added),
        count(&seen.cancelled),
        count(&seen.refused),
        count(&seen.errors),
        report.orphaned.len(),
        report.matched.len(),
        report.fills_added,
        report.cancelled.len(),
        report.requests_refused.len(),
        report.undecided.len(),
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "run by the tracker_two_processes_* tests as a child process"]
async fn tracker_two_processes_child() {
    let spec = std::env::var("ORDERS_TWO_PROCESSES").expect("ORDERS_TWO_PROCESSES");
    let parts: Vec<&str> = spec.split(' ').collect();
    let [backend, me, seed, location, base_url, ws_url] = parts[..] else {
        panic!("bad ORDERS_TWO_PROCESSES: {spec}");
    };
    let (me, seed) = (me.parse().unwrap(), seed.parse().unwrap());
    match backend {
        "sqlite" => {
            let j = SqliteJournal::open(location).await.unwrap();
            child(j, me, seed, base_url, ws_url).await
        }
        _ => {
            let url = postgres_url().unwrap();
            let j = PostgresJournal::connect_schema(&url, location)
                .await
                .unwrap();
            child(j, me, seed, base_url, ws_url).await
        }
    }
}

/// A child's `key=value` figures from its marked line.
fn figures(line: &str) -> HashMap<String, usize> {
    line.split(' ')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.parse().unwrap()))
        .collect()
}

/// Runs both children through READY → GO → TRADED → RECONCILE → DONE, the market moving
/// while they trade; returns their DONE lines.
async fn run_children(
    server: &MockServer,
    backend: &str,
    seed: u64,
    location: &str,
) -> Vec<(String, String)> {
    let control = server.control();
    let (tx, mut rx) = mpsc::unbounded_channel::<(usize, String)>();
    let mut stdins: Vec<ChildStdin> = Vec::new();
    let mut children = Vec::new();
    for me in 0..2 {
        let mut c = common::child::spawn(
            "tracker_two_processes_child",
            "ORDERS_TWO_PROCESSES",
            &format!(
                "{backend} {me} {seed} {location} {} {}",
                server.base_url(),
                server.ws_url()
            ),
        );
        stdins.push(c.stdin.take().unwrap());
        let stdout = c.stdout.take().unwrap();
        let tx = tx.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send((me, line)).is_err() {
                    break;
                }
            }
        });
        children.push(c);
    }
    drop(tx);
    let mut say = |word: &str| {
        for stdin in &mut stdins {
            writeln!(stdin, "{word}").unwrap();
            stdin.flush().unwrap();
        }
    };
    // Waits for both children's line with `marker`; a child that exits first fails the test.
    async fn both(rx: &mut mpsc::UnboundedReceiver<(usize, String)>, marker: &str) -> [String; 2] {
        let mut got: [Option<String>; 2] = [None, None];
        let wait = async {
            while got.iter().any(Option::is_none) {
                let (me, line) = rx
                    .recv()
                    .await
                    .unwrap_or_else(|| panic!("a child exited before {marker}"));
                if let Some(m) = common::child::marked(&line, marker) {
                    got[me] = Some(m.to_owned());
                }
            }
        };
        tokio::time::timeout(Duration::from_secs(60), wait)
            .await
            .unwrap_or_else(|_| panic!("no {marker} from both children within 60 s"));
        got.map(Option::unwrap)
    }

    both(&mut rx, "READY").await;
    // Both follow the account now: each will see every frame of the other's orders.
    let stepping = Arc::new(AtomicBool::new(true));
    let stepper = {
        let (control, stepping) = (control.clone(), stepping.clone());
        tokio::spawn(async move {
            while stepping.load(Ordering::Relaxed) {
                control.step_market(1);
                tokio::time::sleep(Duration::from_millis(15)).await;
            }
        })
    };
    say("GO");
    let traded = both(&mut rx, "TRADED").await;
    stepping.store(false, Ordering::Relaxed);
    stepper.await.unwrap();
    say("RECONCILE");
    let done = both(&mut rx, "DONE").await;
    for mut c in children {
        let status = tokio::task::spawn_blocking(move || c.wait().unwrap())
            .await
            .unwrap();
        assert!(status.success(), "a child failed: {status}");
    }
    traded.into_iter().zip(done).collect()
}

async fn two_processes<J: Journal>(journal: &J, backend: &str, location: &str) {
    let started = Instant::now();
    let seed: u64 = std::env::var("ORDERS_TWO_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
        });
    eprintln!("two processes on {backend}: ORDERS_TWO_SEED={seed}");
    let server = MockServer::start(MockConfig::default().with_seed(seed))
        .await
        .unwrap();
    let control = server.control();
    let client = sim::client(&server, TIMEOUT);
    let lines = run_children(&server, backend, seed, location).await;
    let mut errors = 0;
    for (me, (traded, done)) in lines.iter().enumerate() {
        eprintln!("{backend} child {me}: {traded}; {done}");
        let f = figures(done);
        errors += f["errors"];
        // Each process saw the other's frames: some of them it recorded first.
        assert!(
            f["applied_to_other"] > 0,
            "child {me} recorded no frame of the other's orders: {done}"
        );
        assert!(figures(traded)["placed"] >= ORDERS, "child {me}: {traded}");
    }
    assert_eq!(errors, 0, "errors in the children (their stderr above)");

    let eq = assert_journal_equals_book(journal, &client, ACCOUNT, today(), Averages::Exact).await;
    // Every order request the simulator processed is one journal order: none sent twice,
    // none recorded twice, none adopted as placed elsewhere (checked in the equality).
    let requests = control.processed("kt10000") + control.processed("kt10001");
    assert_eq!(
        eq.orders as u64, requests,
        "journal orders vs order requests"
    );
    for me in 0..2 {
        let prefix = format!("two-{me}-");
        let ours = kiwoom_orders::OrderFilter::default()
            .account(ACCOUNT)
            .trade_date(today());
        let n = journal
            .orders(&ours)
            .await
            .unwrap()
            .iter()
            .filter(|o| o.id().as_str().starts_with(&prefix))
            .count();
        assert_eq!(n, ORDERS + STOCKS.len(), "orders of child {me}");
    }
    eprintln!(
        "{backend}: {} orders ({requests} order requests), {} server orders, {} fills ({} shares, {} executions), {} order numbers filled in parts, states {:?}, averages {:?}, {:.1} s",
        eq.orders,
        eq.server_orders,
        eq.fills,
        eq.filled_quantity,
        eq.server_executions,
        eq.partly_filled,
        eq.states,
        eq.averages,
        started.elapsed().as_secs_f64()
    );
    assert!(
        eq.states.contains_key("filled") && eq.states.contains_key("cancelled"),
        "{:?}",
        eq.states
    );
}

/// SQLite supports two processes on one file (WAL, busy timeout: see
/// `journal_two_processes.rs`), so the shared set-up runs on it too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tracker_two_processes_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shared.db");
    // Created (and migrated) here, before the children race to open it.
    let journal = SqliteJournal::open(&path).await.unwrap();
    two_processes(&journal, "sqlite", path.to_str().unwrap()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tracker_two_processes_postgres() {
    let Some(url) = postgres_url() else { return };
    let schema = unique_schema("two_trk");
    let journal = PostgresJournal::connect_schema(&url, &schema)
        .await
        .unwrap();
    two_processes(&journal, "postgres", &schema).await;
    journal.drop_schema().await.unwrap();
}
