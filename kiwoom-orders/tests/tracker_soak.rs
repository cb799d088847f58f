//! Soak test against the simulator's moving market: 500 orders (buys, sells, amends,
//! cancels, limits filling in parts as the price walks, a few rejected) from four concurrent
//! workers under random faults — answers lost after processing (`CloseAfterProcessing`,
//! `Latency` beyond the client's timeout), requests refused unprocessed (`Status(503)`,
//! `CloseBeforeProcessing`, `RateLimited`), the WebSocket down for half a second (each a
//! `Gap` that reconciles), 00 frames the simulator never sends, and a slow consumer of the
//! order updates. Afterwards the journal's orders, fills (one per execution) and positions
//! (quantity and average price) equal the simulator's book exactly
//! (`common::sim::assert_journal_equals_book`), the slow consumer saw
//! every event once and in order, and no order was sent twice.
//!
//! Runs on SQLite and on PostgreSQL. Seeded (`ORDERS_SOAK_SEED`), so a failure can be replayed.

#![cfg(feature = "kiwoom")]

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use common::market::{Rng, on_tick, tick};
use common::sim::{self, Averages, assert_journal_equals_book};
use common::*;
use futures::StreamExt;
use kiwoom_generated::realtime::{Balance, OrderFill};
use kiwoom_mock::{Fault, MockConfig, MockControl, MockServer};
use kiwoom_orders::{
    ClientOrderId, ExecutionKey, Journal, JournalError, KiwoomBroker, Ledger, MatchWindow,
    OrderIntent, OrderState, Side, Tracker, TrackerConfig, TrackerError,
};
use kiwoom_runtime::Market;
use rust_decimal::Decimal;

const ORDERS: usize = 500;
const WORKERS: usize = 4;
const STOCKS: [&str; 3] = ["005930", "035720", "069500"];
/// The client gives up on an answer after this; `Latency` faults answer later still.
const TIMEOUT: Duration = Duration::from_millis(600);

/// What the run counts, to print and to check.
#[derive(Default)]
struct Counts {
    faults: AtomicUsize,
    ws_drops: AtomicUsize,
    amends: AtomicUsize,
    cancels: AtomicUsize,
    errors: AtomicUsize,
}

struct Run<J: Journal> {
    tracker: Tracker<J, KiwoomBroker>,
    control: MockControl,
    /// Current price per stock, learned from a first market buy.
    prices: Vec<u64>,
    counts: Counts,
    placed: AtomicUsize,
    seed: u64,
}

impl<J: Journal> Run<J> {
    /// Perhaps a fault on the next request of `api_id`.
    fn maybe_fault(&self, rng: &mut Rng, api_id: &str) {
        if !rng.chance(7) {
            return;
        }
        let fault = match rng.below(6) {
            0 | 1 => Fault::CloseAfterProcessing,
            2 => Fault::Latency(TIMEOUT * 2),
            3 => Fault::Status(503),
            4 => Fault::CloseBeforeProcessing,
            _ => Fault::RateLimited,
        };
        self.control.inject(api_id, fault, 1);
        self.counts.faults.fetch_add(1, Ordering::Relaxed);
    }

    fn intent(
        &self,
        worker: usize,
        n: usize,
        stock: &str,
        side: Side,
        qty: u64,
        price: Option<Decimal>,
    ) -> OrderIntent {
        OrderIntent::new(ACCOUNT, stock, side, qty, price)
            .unwrap()
            .with_client_order_id(
                ClientOrderId::new(format!("soak-{}-{worker}-{n}", self.seed)).unwrap(),
            )
    }

    /// One order's life: placed, perhaps amended or cancelled.
    async fn order(&self, worker: usize, n: usize, rng: &mut Rng) {
        let s = rng.below(STOCKS.len() as u64) as usize;
        let stock = STOCKS[s];
        let price = self
            .control
            .price(stock)
            .map_or(self.prices[s], |p| p as u64);
        let low = on_tick(price * 80 / 100);
        let high = on_tick(price * 120 / 100);
        let crossing_buy = on_tick(price * 105 / 100);
        let crossing_sell = on_tick(price * 95 / 100);
        // A few ticks from the price: the walk reaches it, and it fills in parts.
        let ticks = Decimal::from(tick(price) * rng.range(1, 3));
        let roll = rng.below(100);
        let (side, qty, limit) = match roll {
            0..25 => (Side::Buy, rng.range(1, 4), None),
            25..35 => (Side::Buy, rng.range(2, 6), Some(low)),
            35..50 => (Side::Buy, rng.range(3, 9), Some(on_tick(price) - ticks)),
            50..62 => (Side::Sell, rng.range(1, 3), None),
            62..67 => (Side::Sell, rng.range(1, 2), Some(high)),
            67..72 => (Side::Sell, rng.range(2, 4), Some(on_tick(price) + ticks)),
            // Off the tick grid: Kiwoom refuses it.
            72..76 => (Side::Buy, 1, Some(low + Decimal::ONE)),
            _ => (Side::Buy, rng.range(1, 3), Some(crossing_buy)),
        };
        let api = if side == Side::Buy {
            "kt10000"
        } else {
            "kt10001"
        };
        self.maybe_fault(rng, api);
        let intent = self.intent(worker, n, stock, side, qty, limit);
        let id = intent.client_order_id.clone();
        let order = match self.tracker.submit(intent).await {
            Ok(order) => order,
            Err(e) => {
                self.counts.errors.fetch_add(1, Ordering::Relaxed);
                eprintln!("submit {id}: {e}");
                return;
            }
        };
        self.placed.fetch_add(1, Ordering::Relaxed);
        let resting = matches!(
            order.state,
            OrderState::Accepted | OrderState::PartiallyFilled
        ) && limit.is_some();
        // Orders near the price are left to the market: it fills them in parts.
        if !resting || matches!(roll, 35..50 | 67..72) {
            return;
        }
        // Follow-ups on a resting order.
        let follow = rng.below(5);
        let amend_to = if side == Side::Buy {
            crossing_buy
        } else {
            crossing_sell
        };
        let result = async {
            match follow {
                0 => self.cancel(rng, &id, None).await,
                1 => {
                    // Cancel part, then move the rest to a crossing price: it fills, so the
                    // order ends partly filled and partly cancelled.
                    let qty = order.intent.quantity;
                    if qty > 1 {
                        let part = rng.range(1, qty - 1);
                        self.cancel(rng, &id, Some(part)).await?;
                    }
                    self.amend(rng, &id, Some(amend_to)).await
                }
                2 => {
                    let other = if side == Side::Buy {
                        on_tick(price * 85 / 100)
                    } else {
                        on_tick(price * 115 / 100)
                    };
                    self.amend(rng, &id, Some(other)).await?;
                    self.cancel(rng, &id, None).await
                }
                3 => self.amend(rng, &id, Some(amend_to)).await,
                _ => Ok(()), // left open
            }
        }
        .await;
        if let Err(e) = result {
            // Asking to amend or cancel an order that filled a moment ago is refused by
            // the state machine: a race of the caller's, not a failure of the tracker.
            let now = self.tracker.ledger().order(&id).await.ok().flatten();
            let closed = now.as_ref().is_some_and(|o| o.state.is_terminal());
            if !(closed && matches!(e, TrackerError::Journal(JournalError::Model(_)))) {
                self.counts.errors.fetch_add(1, Ordering::Relaxed);
                eprintln!("follow-up of {id}: {e}");
            }
        }
    }

    /// Cancels if the order is live (a lost answer may have left it pending).
    async fn cancel(
        &self,
        rng: &mut Rng,
        id: &ClientOrderId,
        quantity: Option<u64>,
    ) -> Result<(), kiwoom_orders::TrackerError> {
        let order = self.tracker.ledger().order(id).await?.unwrap();
        if !matches!(
            order.state,
            OrderState::Accepted | OrderState::Amended | OrderState::PartiallyFilled
        ) {
            return Ok(());
        }
        self.maybe_fault(rng, "kt10003");
        self.counts.cancels.fetch_add(1, Ordering::Relaxed);
        self.tracker.cancel(id, quantity).await.map(drop)
    }

    async fn amend(
        &self,
        rng: &mut Rng,
        id: &ClientOrderId,
        price: Option<Decimal>,
    ) -> Result<(), kiwoom_orders::TrackerError> {
        let order = self.tracker.ledger().order(id).await?.unwrap();
        if !matches!(
            order.state,
            OrderState::Accepted | OrderState::Amended | OrderState::PartiallyFilled
        ) {
            return Ok(());
        }
        self.maybe_fault(rng, "kt10002");
        self.counts.amends.fetch_add(1, Ordering::Relaxed);
        self.tracker.amend(id, None, price).await.map(drop)
    }
}

async fn soak<J: Journal>(journal: J, backend: &str) {
    let started = Instant::now();
    let seed: u64 = std::env::var("ORDERS_SOAK_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
        });
    eprintln!("soak on {backend}: ORDERS_SOAK_SEED={seed}");
    let server = MockServer::start(MockConfig::default().with_seed(seed))
        .await
        .unwrap();
    let control = server.control();
    let client = sim::client(&server, TIMEOUT);
    // A slow consumer is one that falls more than the channel (16) behind.
    let ledger = Ledger::with_capacity(journal, 16);
    let config = TrackerConfig {
        // Requests here are answered (or given up) within a second.
        match_window: MatchWindow {
            before: chrono::Duration::seconds(5),
            after: chrono::Duration::seconds(3),
        },
        ..TrackerConfig::default()
    };
    let tracker = Tracker::with_config(
        ledger.clone(),
        KiwoomBroker::new(client.clone(), ACCOUNT),
        config,
    );

    // The slow consumer: reads every order update, pausing now and then.
    let mut updates = Box::pin(ledger.order_updates());
    let consumer = tokio::spawn(async move {
        let mut seqs = Vec::new();
        while let Some(update) = updates.next().await {
            let update = update.expect("update stream");
            seqs.push(update.event.seq);
            if seqs.len() % 25 == 0 {
                tokio::time::sleep(Duration::from_millis(40)).await;
            }
            if update.event.client_order_id.as_str() == "soak-end" {
                break;
            }
        }
        seqs
    });

    // Learn each stock's current price from a first market buy (also stock to sell).
    let mut prices = Vec::new();
    for (i, stock) in STOCKS.iter().enumerate() {
        let intent = OrderIntent::buy(ACCOUNT, *stock, 20, None)
            .unwrap()
            .with_client_order_id(ClientOrderId::new(format!("soak-{seed}-start-{i}")).unwrap());
        let order = tracker.submit(intent).await.unwrap();
        assert_ne!(order.state, OrderState::Unknown, "{order:?}");
        // The fill may come from the realtime frame (not followed yet) or nowhere: read the
        // simulator's price from its book.
        let book = sim::book(&client, order.trade_date()).await;
        let no = order.order_nos.first().unwrap();
        let fill = book.orders.iter().find(|o| &o.order_no == no).unwrap();
        prices.push(fill.fill_price.try_into().unwrap());
    }
    let today = tracker
        .ledger()
        .order(&ClientOrderId::new(format!("soak-{seed}-start-0")).unwrap())
        .await
        .unwrap()
        .unwrap()
        .trade_date();

    let run = Arc::new(Run {
        tracker,
        control: control.clone(),
        prices,
        counts: Counts::default(),
        placed: AtomicUsize::new(0),
        seed,
    });

    // The realtime session: 00 frames into the tracker, every Gap reconciles.
    let session = client.realtime(Market::Domestic).await.unwrap();
    session.subscribe_account::<OrderFill>().await.unwrap();
    session.subscribe_account::<Balance>().await.unwrap();
    // 5 % of the 00 frames are never sent (seeded by the simulator's seed).
    control.drop_order_frames_randomly(0.05);
    // The market moves while the workers trade.
    let stepping = Arc::new(std::sync::atomic::AtomicBool::new(true));
    let stepper = {
        let (control, stepping) = (control.clone(), stepping.clone());
        tokio::spawn(async move {
            while stepping.load(Ordering::Relaxed) {
                control.step_market(1);
                tokio::time::sleep(Duration::from_millis(15)).await;
            }
        })
    };
    let mut follower = {
        let run = run.clone();
        let events = session.events();
        // Dropped frames leave no gap: a periodic reconciliation finds their fills.
        tokio::spawn(async move {
            run.tracker
                .follow_reconciling(ACCOUNT, events, Duration::from_secs(2))
                .await
        })
    };
    // Start-up reconciliation picks up the fills of the price-learning buys.
    run.tracker.reconcile(ACCOUNT, today).await.unwrap();

    let done = Arc::new(AtomicUsize::new(0));
    let workers: Vec<_> = (0..WORKERS)
        .map(|w| {
            let run = run.clone();
            let done = done.clone();
            tokio::spawn(async move {
                let mut rng = Rng(seed.wrapping_add(w as u64 * 7919));
                for n in 0..ORDERS / WORKERS {
                    run.order(w, n, &mut rng).await;
                    let total = done.fetch_add(1, Ordering::Relaxed) + 1;
                    if total % 60 == 0 {
                        run.control.drop_websockets_for(Duration::from_millis(500));
                        run.counts.ws_drops.fetch_add(1, Ordering::Relaxed);
                    }
                }
            })
        })
        .collect();
    for w in workers {
        w.await.unwrap();
    }
    let trading = started.elapsed();
    stepping.store(false, Ordering::Relaxed);
    stepper.await.unwrap();
    let steps = control.book().steps;
    // The tracker stops following: from here on only the final reconciliation writes, so the
    // equality below compares a journal at rest (whatever the session still held is found
    // by that reconciliation, as after any stop).
    session.close().await;
    if tokio::time::timeout(Duration::from_secs(10), &mut follower)
        .await
        .is_err()
    {
        follower.abort();
    }

    // Every answer is in or given up; wait out the match window so that an order that never
    // reached Kiwoom can be declared not placed, then reconcile (as the periodic one would).
    tokio::time::sleep(Duration::from_secs(3) + Duration::from_millis(500)).await;
    let report = run.tracker.reconcile(ACCOUNT, today).await.unwrap();
    eprintln!("final reconciliation: {report:?}");
    assert!(report.undecided.is_empty(), "{report:?}");
    let again = run.tracker.reconcile(ACCOUNT, today).await.unwrap();
    assert_eq!(
        (
            again.fills_added,
            again.matched.len(),
            again.cancelled.len(),
            again.not_placed.len()
        ),
        (0, 0, 0, 0),
        "a second reconciliation finds nothing more: {again:?}"
    );

    let eq = assert_journal_equals_book(
        run.tracker.ledger().journal(),
        &client,
        ACCOUNT,
        today,
        // Exact: each fill reconciliation finds is one execution, with its own number,
        // price and time (kt00009 lists executions), and positions fold fills in execution
        // order, so the journal's moving average is Kiwoom's, truncated to the won.
        Averages::Exact,
    )
    .await;
    assert!(
        report
            .differences
            .iter()
            .all(|d| d.journal_quantity == d.broker_quantity),
        "positions differ: {report:?}"
    );
    let late = fills_recorded_late(run.tracker.ledger().journal(), today).await;
    let largest = |pairs: &[(String, Decimal, Decimal)], gap: fn(Decimal, Decimal) -> Decimal| {
        pairs
            .iter()
            .map(|(_, ours, theirs)| gap(*ours, *theirs).abs())
            .max()
            .unwrap_or_default()
    };
    // Finer than the lists' whole won: the journal's cost (average x quantity) equals the
    // book's exact cost (kept to a millionth of a won) within rounding of that millionth.
    let positions = run
        .tracker
        .ledger()
        .journal()
        .positions(ACCOUNT)
        .await
        .unwrap();
    let mut exact_gap = Decimal::ZERO;
    for h in control.book().holdings.iter().filter(|h| !h.us) {
        let book_cost = Decimal::from(h.cost) + Decimal::new(h.cost_fraction, 6);
        let ours = positions
            .iter()
            .find(|p| p.stock == h.code)
            .map(|p| p.average_price * Decimal::from(p.quantity))
            .unwrap_or_default();
        exact_gap = exact_gap.max((ours - book_cost).abs());
    }
    assert!(
        exact_gap < Decimal::new(1, 2),
        "journal cost vs the book's exact cost: {exact_gap} won apart"
    );
    eprintln!(
        "soak on {backend}: largest difference of a position's cost to the book's exact cost \
         {} won",
        exact_gap.round_dp(8)
    );
    eprintln!(
        "soak on {backend}: {late} fills recorded after a later-executed fill of their stock \
         (position refolded); averages (stock, journal, Kiwoom): {:?}; largest average \
         difference {} won, {} won after truncating the journal's to the won; largest cost \
         difference (journal average x quantity - pur_amt) {} won; {} executions listed",
        eq.averages,
        largest(&eq.averages, |ours, theirs| ours - theirs).round_dp(4),
        largest(&eq.averages, |ours, theirs| ours.trunc() - theirs),
        largest(&eq.costs, |ours, theirs| ours - theirs).round_dp(6),
        eq.server_executions,
    );
    let orders_sent = control.processed("kt10000") + control.processed("kt10001");
    eprintln!(
        "soak on {backend}: {} orders ({} workers) in {:.1?} trading, {:.1?} total; {} server orders, \
         {} fills ({} shares); states {:?}; {} faults, {} websocket drops, {} 00 frames dropped, \
         {} amends, {} cancels, {} tracker errors; kt10000+kt10001 processed {orders_sent}; \
         {steps} market steps, {} order numbers filled in parts",
        eq.orders,
        WORKERS,
        trading,
        started.elapsed(),
        eq.server_orders,
        eq.fills,
        eq.filled_quantity,
        eq.states,
        run.counts.faults.load(Ordering::Relaxed),
        run.counts.ws_drops.load(Ordering::Relaxed),
        control.order_frames_dropped(),
        run.counts.amends.load(Ordering::Relaxed),
        run.counts.cancels.load(Ordering::Relaxed),
        run.counts.errors.load(Ordering::Relaxed),
        eq.partly_filled,
    );
    assert!(eq.partly_filled > 0, "some orders filled in parts");
    assert_eq!(
        eq.orders,
        ORDERS + STOCKS.len(),
        "every order is in the journal"
    );
    assert_eq!(
        run.counts.errors.load(Ordering::Relaxed),
        0,
        "the tracker never failed"
    );
    for state in ["filled", "cancelled", "rejected", "accepted"] {
        assert!(
            eq.states.contains_key(state),
            "no order ended {state}: {:?}",
            eq.states
        );
    }
    // Never sent twice: every processed new-order request is a server order or a refusal
    // the journal recorded.
    let rejected = eq.states.get("rejected").copied().unwrap_or(0) as u64;
    assert!(
        orders_sent <= eq.server_orders as u64 + rejected,
        "kt10000/kt10001 processed {orders_sent} times for {} server orders and {rejected} refusals",
        eq.server_orders
    );

    // The slow consumer saw every event, once, in order.
    let end = OrderIntent::buy(ACCOUNT, "005930", 1, Some(Decimal::from(1_000)))
        .unwrap()
        .with_client_order_id(ClientOrderId::new("soak-end").unwrap());
    run.tracker
        .ledger()
        .record(kiwoom_orders::NewEvent::submitted(end))
        .await
        .unwrap();
    let seqs = tokio::time::timeout(Duration::from_secs(60), consumer)
        .await
        .expect("the slow consumer catches up")
        .unwrap();
    let all: Vec<i64> = run
        .tracker
        .ledger()
        .journal()
        .events_after(0, 1_000_000)
        .await
        .unwrap()
        .iter()
        .map(|e| e.seq)
        .filter(|s| *s > seqs[0] - 1)
        .collect();
    assert_eq!(
        seqs, all,
        "the slow consumer's events = the journal's, in order"
    );
    eprintln!("soak on {backend}: done in {:.1?}", started.elapsed());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn soak_sqlite() {
    let (journal, _dir) = sqlite().await;
    soak(journal, "sqlite").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn soak_postgres() {
    let Some(journal) = postgres("soak").await else {
        return;
    };
    soak(journal.clone(), "postgres").await;
    journal.drop_schema().await.unwrap();
}

/// How many fills were appended after a fill of the same stock that executed later: each
/// made the journal fold that position again in execution order.
async fn fills_recorded_late<J: Journal>(journal: &J, today: chrono::NaiveDate) -> usize {
    let mut fills = journal.fills(Some(ACCOUNT), today).await.unwrap();
    fills.sort_by_key(|f| f.event_seq);
    let mut latest: std::collections::HashMap<String, ExecutionKey> = Default::default();
    let mut late = 0;
    for f in fills {
        let key = ExecutionKey::of(&f.fill);
        let last = latest.entry(f.stock.clone()).or_insert(key);
        if key < *last {
            late += 1;
        }
        *last = (*last).max(key);
    }
    late
}
