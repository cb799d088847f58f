//! Races over who an order number belongs to, made deterministic: an answer held back while
//! another tracker reconciles, and a reconciliation run between a frame's lookups. Found by
//! the soak on PostgreSQL under load (`ORDERS_SOAK_SEED=1796246725321121483`): a number went
//! to one client order while the code deciding for another still believed it free.

mod common;

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::Utc;
use common::*;
use kiwoom_orders::journal::{AppendOutcome, FillRecord, OrderFilter};
use kiwoom_orders::{
    Broker, BrokerError, BrokerOrder, BrokerPosition, ClientOrderId, FrameKind, FrameOutcome,
    History, Journal, JournalError, Ledger, MatchWindow, NewEvent, Order, OrderEvent, OrderFrame,
    OrderIntent, OrderNo, OrderState, Placed, Position, Side, SqliteJournal, Tracker,
    TrackerConfig,
};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

type Answer = Result<Placed, BrokerError>;
/// An answer, and what it waits for before it is given (an answer still on its way).
type Held = (Answer, Option<Arc<tokio::sync::Notify>>);

/// Kiwoom as far as these races need it: answers to `place` (each perhaps held until
/// released), and the day's lists.
#[derive(Clone, Default)]
struct Broker2 {
    answers: Arc<Mutex<VecDeque<Held>>>,
    history: Arc<Mutex<Option<History>>>,
    placed: Arc<Mutex<Vec<ClientOrderId>>>,
}

impl Broker2 {
    fn answer(&self, answer: Answer, hold: Option<Arc<tokio::sync::Notify>>) {
        self.answers.lock().unwrap().push_back((answer, hold));
    }
    fn set_history(&self, history: History) {
        *self.history.lock().unwrap() = Some(history);
    }
}

impl Broker for Broker2 {
    async fn place(&self, intent: &OrderIntent) -> Answer {
        self.placed
            .lock()
            .unwrap()
            .push(intent.client_order_id.clone());
        let (answer, hold) = self
            .answers
            .lock()
            .unwrap()
            .pop_front()
            .expect("an answer is scripted");
        if let Some(hold) = hold {
            hold.notified().await;
        }
        answer
    }
    async fn amend(&self, _: &Order, _: &OrderNo, _: u64, _: Option<Decimal>) -> Answer {
        Err(BrokerError::NotSent("not scripted".into()))
    }
    async fn cancel(&self, _: &Order, _: &OrderNo, _: u64) -> Answer {
        Err(BrokerError::NotSent("not scripted".into()))
    }
    async fn history(&self, _: &str, _: chrono::NaiveDate) -> Result<History, BrokerError> {
        Ok(self.history.lock().unwrap().clone().expect("history set"))
    }
    async fn holdings(&self, _: &str) -> Result<Vec<(String, BrokerPosition)>, BrokerError> {
        Ok(Vec::new())
    }
}

fn today() -> chrono::NaiveDate {
    Utc::now()
        .with_timezone(&kiwoom_orders::intent::seoul())
        .date_naive()
}

fn buy(id: &str) -> OrderIntent {
    intent(id, Side::Buy, "005930", 3, dec!(70000)).with_created_at(Utc::now())
}

/// Kiwoom's lists with one new order of `buy`'s terms, as kt00009 gives it: no order time,
/// so it matches on its terms alone.
fn one_order(order_no: &str) -> History {
    History {
        orders: vec![BrokerOrder {
            account: ACCOUNT.into(),
            order_no: no(order_no),
            orig_order_no: None,
            stock: "005930".into(),
            side: Side::Buy,
            quantity: 3,
            price: Some(dec!(70000)),
            placed_at: None,
        }],
        open: vec![(no(order_no), 3)],
        fills: Vec::new(),
        as_of: Utc::now(),
    }
}

fn lost() -> Answer {
    Err(BrokerError::OutcomeUnknown("timed out".into()))
}

fn placed(order_no: &str) -> Answer {
    Ok(Placed {
        order_no: no(order_no),
        quantity: None,
        raw: serde_json::json!({"ord_no": order_no}),
    })
}

fn config() -> TrackerConfig {
    TrackerConfig {
        match_window: MatchWindow {
            before: chrono::Duration::seconds(5),
            after: chrono::Duration::milliseconds(300),
        },
        ..TrackerConfig::default()
    }
}

/// Two trackers on one account and one journal (two processes, or two instances in one).
/// Tracker A's order `a-1` is unknown: its request never reached Kiwoom. Tracker B sends
/// `b-1` with the same terms; Kiwoom numbers it 601, and its answer is still on the way when
/// A reconciles. A must not take 601 for `a-1` by its terms: it is B's (before the fix it
/// did, and B's own answer was then refused, "601 already belongs to a-1"). Once B's answer
/// is in and the window has passed, `a-1` is found never placed.
#[tokio::test]
async fn an_answer_in_flight_in_another_tracker_keeps_its_number() {
    let (journal, _dir) = sqlite().await;
    let (broker_a, broker_b) = (Broker2::default(), Broker2::default());
    let a = Tracker::with_config(Ledger::new(journal.clone()), broker_a.clone(), config());
    let b = Arc::new(Tracker::with_config(
        Ledger::new(journal.clone()),
        broker_b.clone(),
        config(),
    ));
    broker_a.answer(lost(), None);
    let unknown = a.submit(buy("a-1")).await.unwrap();
    assert_eq!(unknown.state, OrderState::Unknown);

    let release = Arc::new(tokio::sync::Notify::new());
    broker_b.answer(placed("601"), Some(release.clone()));
    let submitting = tokio::spawn({
        let b = b.clone();
        async move { b.submit(buy("b-1")).await }
    });
    while broker_b.placed.lock().unwrap().is_empty() {
        tokio::task::yield_now().await;
    }
    // B's order is on the server, its answer not recorded yet: A reconciles.
    broker_a.set_history(one_order("601"));
    let report = a.reconcile(ACCOUNT, today()).await.unwrap();
    assert!(
        report.matched.is_empty(),
        "a-1 took B's order by its terms: {report:?}"
    );
    assert_eq!(report.undecided, vec![id("a-1")]);

    release.notify_one();
    let ours = submitting
        .await
        .unwrap()
        .expect("B's own answer is recorded");
    assert_eq!(
        (ours.state, ours.order_nos.clone()),
        (OrderState::Accepted, vec![no("601")])
    );

    // The window has passed: nothing unclaimed with a-1's terms, so it was never placed.
    tokio::time::sleep(Duration::from_millis(400)).await;
    broker_a.set_history(one_order("601"));
    let report = a.reconcile(ACCOUNT, today()).await.unwrap();
    assert_eq!(report.not_placed, vec![id("a-1")], "{report:?}");
    assert!(report.matched.is_empty() && report.adopted.is_empty());
    let orders = journal.orders(&OrderFilter::default()).await.unwrap();
    assert_eq!(orders.len(), 2, "no order adopted: {orders:#?}");
}

/// A journal that stops the first query for `unknown` orders until released: the moment a
/// frame's resolution has looked the number up (nobody has it) and not yet chosen between
/// an unknown order of ours and adopting the order as placed elsewhere.
#[derive(Clone)]
struct Gated {
    inner: SqliteJournal,
    armed: Arc<AtomicBool>,
    entered: Arc<tokio::sync::Notify>,
    release: Arc<tokio::sync::Notify>,
}

impl Journal for Gated {
    async fn append(&self, event: NewEvent) -> Result<AppendOutcome, JournalError> {
        self.inner.append(event).await
    }
    async fn order(&self, id: &ClientOrderId) -> Result<Option<Order>, JournalError> {
        self.inner.order(id).await
    }
    async fn order_by_no(
        &self,
        account: &str,
        trade_date: chrono::NaiveDate,
        order_no: &OrderNo,
    ) -> Result<Option<Order>, JournalError> {
        self.inner.order_by_no(account, trade_date, order_no).await
    }
    async fn orders(&self, filter: &OrderFilter) -> Result<Vec<Order>, JournalError> {
        if filter.states == [OrderState::Unknown] && self.armed.swap(false, Ordering::SeqCst) {
            self.entered.notify_one();
            self.release.notified().await;
        }
        self.inner.orders(filter).await
    }
    async fn events(&self, id: &ClientOrderId) -> Result<Vec<OrderEvent>, JournalError> {
        self.inner.events(id).await
    }
    async fn events_after(
        &self,
        after: i64,
        limit: usize,
    ) -> Result<Vec<OrderEvent>, JournalError> {
        self.inner.events_after(after, limit).await
    }
    async fn fills(
        &self,
        account: Option<&str>,
        trade_date: chrono::NaiveDate,
    ) -> Result<Vec<FillRecord>, JournalError> {
        self.inner.fills(account, trade_date).await
    }
    async fn position(&self, account: &str, stock: &str) -> Result<Option<Position>, JournalError> {
        self.inner.position(account, stock).await
    }
    async fn positions(&self, account: &str) -> Result<Vec<Position>, JournalError> {
        self.inner.positions(account).await
    }
    async fn claimed_order_nos(
        &self,
        account: &str,
        trade_date: chrono::NaiveDate,
    ) -> Result<std::collections::HashSet<OrderNo>, JournalError> {
        self.inner.claimed_order_nos(account, trade_date).await
    }
}

/// `u-1`'s answer was lost; Kiwoom had numbered it 501. Its 00 frame arrives: nobody has 501,
/// no answer with its terms is in flight, so the frame goes on to find the unknown order its
/// lost answer would have numbered. A reconciliation runs at that very moment (the follower
/// task's periodic one, while a worker's `submit` retries its deferred frames). Before the
/// fix the reconciliation matched `u-1` to 501 in between, the frame then found no unknown
/// order left and adopted 501 as placed elsewhere: an `ext-` order was written, its
/// acceptance refused (501 taken) and the frame failed — the soak's failure. Now the two
/// decisions take turns: 501 is `u-1`'s, once, and nothing is adopted.
#[tokio::test]
async fn a_reconciliation_between_a_frames_lookups_does_not_make_it_adopt() {
    let (inner, _dir) = sqlite().await;
    let journal = Gated {
        inner,
        armed: Arc::default(),
        entered: Arc::default(),
        release: Arc::default(),
    };
    let broker = Broker2::default();
    let t = Arc::new(Tracker::with_config(
        Ledger::new(journal.clone()),
        broker.clone(),
        config(),
    ));
    broker.answer(lost(), None);
    assert_eq!(
        t.submit(buy("u-1")).await.unwrap().state,
        OrderState::Unknown
    );
    broker.set_history(one_order("501"));

    journal.armed.store(true, Ordering::SeqCst);
    let frame = OrderFrame {
        kind: FrameKind::Accepted,
        account: ACCOUNT.into(),
        order_no: no("501"),
        orig_order_no: None,
        stock: "005930".into(),
        side: Side::Buy,
        order_quantity: 3,
        order_price: Some(dec!(70000)),
        cumulative_fee: None,
        cumulative_tax: None,
        venue: Some("KRX".into()),
        at: Utc::now(),
        raw: serde_json::json!({"9203": "501"}),
    };
    let framing = tokio::spawn({
        let t = t.clone();
        async move { t.on_frame(frame).await }
    });
    journal.entered.notified().await;
    let reconciling = tokio::spawn({
        let t = t.clone();
        async move { t.reconcile(ACCOUNT, today()).await }
    });
    // Let the reconciliation run as far as it can (before the fix: matching u-1) while the
    // frame is between its lookups; with the fix it waits for the frame.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(1);
    while tokio::time::Instant::now() < deadline {
        let u = journal.order(&id("u-1")).await.unwrap().unwrap();
        if u.state != OrderState::Unknown {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    journal.release.notify_one();

    let outcome = framing.await.unwrap().expect("the frame is recorded");
    assert!(
        matches!(outcome, FrameOutcome::Applied(_) | FrameOutcome::Duplicate),
        "{outcome:?}"
    );
    let report = reconciling.await.unwrap().unwrap();
    assert!(report.adopted.is_empty(), "{report:?}");
    let orders = journal.orders(&OrderFilter::default()).await.unwrap();
    assert_eq!(
        orders.iter().map(|o| o.id().as_str()).collect::<Vec<_>>(),
        vec!["u-1"],
        "no stray adopted order: {orders:#?}"
    );
    let u = &orders[0];
    assert_eq!(
        (u.state, u.order_nos.clone()),
        (OrderState::Accepted, vec![no("501")])
    );
}
