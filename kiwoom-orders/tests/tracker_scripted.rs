//! The tracker against a scripted broker: intents recorded before sending, lost answers never
//! resent and resolved by reconciliation, realtime frames counted once, frames that overtake
//! their answer, orders placed elsewhere, positions checked against holdings.

mod common;

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use common::*;
use kiwoom_orders::{
    Broker, BrokerError, BrokerFill, BrokerOrder, BrokerPosition, FrameKind, FrameOutcome, History,
    Journal, Ledger, Order, OrderFrame, OrderIntent, OrderNo, OrderState, Placed, Side,
    SqliteJournal, Tracker,
};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

type Answer = Result<Placed, BrokerError>;

#[derive(Default)]
struct Script {
    place: VecDeque<Answer>,
    amend: VecDeque<Answer>,
    cancel: VecDeque<Answer>,
    history: Option<History>,
    holdings: Vec<(String, BrokerPosition)>,
    calls: Vec<String>,
    /// States the journal had for each order at the moment it was sent.
    state_at_send: Vec<Option<OrderState>>,
}

#[derive(Clone)]
struct ScriptedBroker {
    script: Arc<Mutex<Script>>,
    journal: SqliteJournal,
    /// When set, `place` waits for it before answering (to let a frame overtake the answer).
    hold: Option<Arc<tokio::sync::Notify>>,
}

impl ScriptedBroker {
    fn new(journal: SqliteJournal) -> Self {
        Self {
            script: Arc::default(),
            journal,
            hold: None,
        }
    }
    fn script(&self) -> std::sync::MutexGuard<'_, Script> {
        self.script.lock().unwrap()
    }
}

fn unscripted(what: &str) -> BrokerError {
    BrokerError::Query(format!("{what} not scripted"))
}

impl Broker for ScriptedBroker {
    async fn place(&self, intent: &OrderIntent) -> Answer {
        let state = self
            .journal
            .order(&intent.client_order_id)
            .await
            .unwrap()
            .map(|o| o.state);
        let answer = {
            let mut s = self.script();
            s.calls.push(format!("place {}", intent.client_order_id));
            s.state_at_send.push(state);
            s.place
                .pop_front()
                .unwrap_or_else(|| Err(unscripted("place")))
        };
        if let Some(hold) = &self.hold {
            hold.notified().await;
        }
        answer
    }
    async fn amend(
        &self,
        order: &Order,
        orig: &OrderNo,
        quantity: u64,
        _price: Option<Decimal>,
    ) -> Answer {
        let mut s = self.script();
        s.calls
            .push(format!("amend {} {orig} {quantity}", order.id()));
        s.amend
            .pop_front()
            .unwrap_or_else(|| Err(unscripted("amend")))
    }
    async fn cancel(&self, order: &Order, orig: &OrderNo, quantity: u64) -> Answer {
        let mut s = self.script();
        s.calls
            .push(format!("cancel {} {orig} {quantity}", order.id()));
        s.cancel
            .pop_front()
            .unwrap_or_else(|| Err(unscripted("cancel")))
    }
    async fn history(
        &self,
        _account: &str,
        _date: chrono::NaiveDate,
    ) -> Result<History, BrokerError> {
        self.script()
            .history
            .clone()
            .ok_or_else(|| unscripted("history"))
    }
    async fn holdings(&self, _account: &str) -> Result<Vec<(String, BrokerPosition)>, BrokerError> {
        Ok(self.script().holdings.clone())
    }
}

fn placed(order_no: &str) -> Answer {
    Ok(Placed {
        order_no: no(order_no),
        quantity: None,
        raw: serde_json::json!({"ord_no": order_no, "return_code": 0}),
    })
}

async fn tracker() -> (
    Tracker<SqliteJournal, ScriptedBroker>,
    ScriptedBroker,
    tempfile::TempDir,
) {
    let (journal, dir) = sqlite().await;
    let broker = ScriptedBroker::new(journal.clone());
    (
        Tracker::new(Ledger::new(journal), broker.clone()),
        broker,
        dir,
    )
}

fn buy(id: &str, quantity: u64, price: Decimal) -> OrderIntent {
    intent(id, Side::Buy, "005930", quantity, price).with_created_at(Utc::now())
}

fn frame(
    kind: FrameKind,
    order_no: &str,
    orig: Option<&str>,
    quantity: u64,
    price: Decimal,
) -> OrderFrame {
    OrderFrame {
        kind,
        account: ACCOUNT.into(),
        order_no: no(order_no),
        orig_order_no: orig.map(no),
        stock: "005930".into(),
        side: Side::Buy,
        order_quantity: quantity,
        order_price: Some(price),
        cumulative_fee: None,
        cumulative_tax: None,
        venue: Some("KRX".into()),
        at: Utc::now(),
        raw: serde_json::json!({"9203": order_no}),
    }
}

fn filled(fill_no: &str, quantity: u64, price: Decimal) -> FrameKind {
    FrameKind::Filled {
        fill_no: fill_no.into(),
        quantity,
        price,
        cumulative: None,
    }
}

fn history(
    orders: Vec<BrokerOrder>,
    open: Vec<(&str, u64)>,
    fills: Vec<BrokerFill>,
    as_of: DateTime<Utc>,
) -> History {
    History {
        orders,
        open: open.into_iter().map(|(n, q)| (no(n), q)).collect(),
        fills,
        as_of,
    }
}

fn server_order(order_no: &str, quantity: u64, price: Decimal) -> BrokerOrder {
    BrokerOrder {
        account: ACCOUNT.into(),
        order_no: no(order_no),
        orig_order_no: None,
        stock: "005930".into(),
        side: Side::Buy,
        quantity,
        price: Some(price),
        placed_at: Some(Utc::now()),
    }
}

fn server_fill(order_no: &str, fill_no: &str, quantity: u64, price: Decimal) -> BrokerFill {
    BrokerFill {
        account: ACCOUNT.into(),
        order_no: no(order_no),
        fill_no: fill_no.into(),
        stock: "005930".into(),
        side: Side::Buy,
        quantity,
        price,
        filled_at: Utc::now(),
        order_quantity: quantity,
        order_price: Some(price),
        raw: serde_json::json!({"cntr_no": fill_no}),
    }
}

fn today() -> chrono::NaiveDate {
    Utc::now()
        .with_timezone(&kiwoom_orders::intent::seoul())
        .date_naive()
}

#[tokio::test]
async fn the_intent_is_in_the_journal_before_the_order_is_sent() {
    let (t, broker, _dir) = tracker().await;
    broker.script().place.push_back(placed("0000101"));
    let order = t.submit(buy("t-1", 10, dec!(70000))).await.unwrap();
    assert_eq!(
        (order.state, order.order_nos.clone()),
        (OrderState::Accepted, vec![no("101")])
    );
    assert_eq!(
        broker.script().state_at_send,
        [Some(OrderState::PendingNew)]
    );
    // The same id again is refused before anything is sent.
    assert!(t.submit(buy("t-1", 10, dec!(70000))).await.is_err());
    assert_eq!(broker.script().calls.len(), 1);
}

#[tokio::test]
async fn a_lost_answer_is_never_resent_and_reconciliation_finds_the_order() {
    let (t, broker, _dir) = tracker().await;
    broker
        .script()
        .place
        .push_back(Err(BrokerError::OutcomeUnknown("read timeout".into())));
    let order = t.submit(buy("t-2", 10, dec!(70000))).await.unwrap();
    assert_eq!(order.state, OrderState::Unknown);

    broker.script().history = Some(history(
        vec![server_order("77", 10, dec!(70000))],
        vec![("77", 6)],
        vec![server_fill("77", "1", 4, dec!(70000))],
        Utc::now(),
    ));
    broker.script().holdings = vec![(
        "005930".into(),
        BrokerPosition {
            quantity: 4,
            average_price: Some(dec!(70000)),
        },
    )];
    let report = t.reconcile(ACCOUNT, today()).await.unwrap();
    assert_eq!(report.matched, [(id("t-2"), no("77"))]);
    assert_eq!((report.fills_added, report.differences.len()), (1, 0));
    let order = t.ledger().order(&id("t-2")).await.unwrap().unwrap();
    assert_eq!(
        (order.state, order.filled_quantity),
        (OrderState::PartiallyFilled, 4)
    );
    assert_eq!(broker.script().calls, ["place t-2"], "sent once");

    // Reconciling again changes nothing.
    let again = t.reconcile(ACCOUNT, today()).await.unwrap();
    assert_eq!(
        (
            again.matched.len(),
            again.fills_added,
            again.cancelled.len()
        ),
        (0, 0, 0)
    );
}

#[tokio::test]
async fn an_unknown_order_absent_from_a_complete_history_was_not_placed() {
    let (t, broker, _dir) = tracker().await;
    broker
        .script()
        .place
        .push_back(Err(BrokerError::OutcomeUnknown("connection reset".into())));
    t.submit(buy("t-3", 5, dec!(70000))).await.unwrap();

    broker.script().history = Some(history(vec![], vec![], vec![], Utc::now()));
    let early = t.reconcile(ACCOUNT, today()).await.unwrap();
    assert_eq!(early.undecided, [id("t-3")], "the window is not over yet");

    broker.script().history = Some(history(
        vec![],
        vec![],
        vec![],
        Utc::now() + chrono::Duration::seconds(120),
    ));
    let report = t.reconcile(ACCOUNT, today()).await.unwrap();
    assert_eq!(report.not_placed, [id("t-3")]);
    assert_eq!(
        t.ledger().order(&id("t-3")).await.unwrap().unwrap().state,
        OrderState::NotPlaced
    );
}

#[tokio::test]
async fn realtime_fills_count_once_and_carry_their_share_of_fees() {
    let (t, broker, _dir) = tracker().await;
    broker.script().place.push_back(placed("201"));
    t.submit(buy("t-4", 10, dec!(70000))).await.unwrap();
    let mut first = frame(filled("1", 4, dec!(70000)), "201", None, 10, dec!(70000));
    first.cumulative_fee = Some(dec!(42));
    assert!(matches!(
        t.on_frame(first.clone()).await.unwrap(),
        FrameOutcome::Applied(_)
    ));
    assert_eq!(
        t.on_frame(first).await.unwrap(),
        FrameOutcome::Duplicate,
        "a replayed frame"
    );
    let mut second = frame(filled("2", 6, dec!(70100)), "201", None, 10, dec!(70000));
    second.cumulative_fee = Some(dec!(105));
    second.cumulative_tax = Some(dec!(0));
    let FrameOutcome::Applied(order) = t.on_frame(second).await.unwrap() else {
        panic!("applied")
    };
    assert_eq!((order.state, order.fees), (OrderState::Filled, dec!(105)));
    let p = t
        .ledger()
        .position(ACCOUNT, "005930")
        .await
        .unwrap()
        .unwrap();
    assert_eq!((p.quantity, p.fees, p.fill_count), (10, dec!(105), 2));
}

#[tokio::test]
async fn a_frame_that_overtakes_its_answer_waits_for_it() {
    let (journal, _dir) = sqlite().await;
    let mut broker = ScriptedBroker::new(journal.clone());
    let hold = Arc::new(tokio::sync::Notify::new());
    broker.hold = Some(hold.clone());
    broker.script().place.push_back(placed("301"));
    let t = Arc::new(Tracker::new(Ledger::new(journal), broker.clone()));
    let submitting = tokio::spawn({
        let t = t.clone();
        async move { t.submit(buy("t-5", 3, dec!(70000))).await.unwrap() }
    });
    while broker.script().calls.is_empty() {
        tokio::task::yield_now().await;
    }
    // The 00 fill arrives while the REST answer is still on its way.
    let early = t
        .on_frame(frame(
            filled("1", 3, dec!(70000)),
            "301",
            None,
            3,
            dec!(70000),
        ))
        .await
        .unwrap();
    assert_eq!(early, FrameOutcome::Deferred);
    hold.notify_one();
    let order = submitting.await.unwrap();
    assert_eq!(
        (order.state, order.filled_quantity),
        (OrderState::Filled, 3)
    );
    assert!(
        t.ledger()
            .journal()
            .orders(&Default::default())
            .await
            .unwrap()
            .len()
            == 1,
        "no stray adopted order"
    );
}

#[tokio::test]
async fn amend_and_cancel_confirmed_by_answer_and_frame_count_once() {
    let (t, broker, _dir) = tracker().await;
    broker.script().place.push_back(placed("401"));
    broker.script().amend.push_back(placed("402"));
    broker.script().cancel.push_back(Ok(Placed {
        order_no: no("403"),
        quantity: Some(10),
        raw: serde_json::json!({}),
    }));
    t.submit(buy("t-6", 10, dec!(70000))).await.unwrap();

    let amended = t.amend(&id("t-6"), None, Some(dec!(69900))).await.unwrap();
    assert_eq!(
        (amended.state, amended.price),
        (OrderState::Amended, Some(dec!(69900)))
    );
    let echo = frame(
        FrameKind::Amended {
            quantity: 10,
            price: Some(dec!(69900)),
        },
        "402",
        Some("401"),
        10,
        dec!(69900),
    );
    assert_eq!(t.on_frame(echo).await.unwrap(), FrameOutcome::Duplicate);

    let cancelled = t.cancel(&id("t-6"), None).await.unwrap();
    assert_eq!(
        (cancelled.state, cancelled.cancelled_quantity),
        (OrderState::Cancelled, 10)
    );
    let echo = frame(
        FrameKind::Cancelled { quantity: 10 },
        "403",
        Some("402"),
        10,
        dec!(69900),
    );
    assert_eq!(t.on_frame(echo).await.unwrap(), FrameOutcome::Duplicate);
    assert_eq!(
        broker.script().calls,
        ["place t-6", "amend t-6 401 10", "cancel t-6 402 10"]
    );
}

#[tokio::test]
async fn an_order_placed_elsewhere_is_adopted_so_its_fills_count() {
    let (t, _broker, _dir) = tracker().await;
    let outcome = t
        .on_frame(frame(
            filled("1", 2, dec!(50000)),
            "555",
            None,
            2,
            dec!(50000),
        ))
        .await
        .unwrap();
    let FrameOutcome::Applied(order) = outcome else {
        panic!("adopted")
    };
    assert!(order.id().as_str().starts_with("ext-"));
    assert_eq!(order.state, OrderState::Filled);
    assert_eq!(
        t.ledger()
            .position(ACCOUNT, "005930")
            .await
            .unwrap()
            .unwrap()
            .quantity,
        2
    );
}

#[tokio::test]
async fn start_up_reconciliation_closes_what_kiwoom_closed_and_reports_position_differences() {
    let (t, broker, _dir) = tracker().await;
    broker.script().place.push_back(placed("601"));
    broker.script().place.push_back(placed("602"));
    t.submit(buy("t-7", 10, dec!(70000))).await.unwrap();
    t.submit(buy("t-8", 5, dec!(70000))).await.unwrap();
    // While we were down: t-7 filled 4 and the rest was cancelled elsewhere; t-8 still open;
    // and the account holds 3 more shares than the fills explain.
    broker.script().history = Some(history(
        vec![
            server_order("601", 10, dec!(70000)),
            server_order("602", 5, dec!(70000)),
        ],
        vec![("602", 5)],
        vec![server_fill("601", "1", 4, dec!(70000))],
        Utc::now(),
    ));
    broker.script().holdings = vec![(
        "005930".into(),
        BrokerPosition {
            quantity: 7,
            average_price: Some(dec!(70000)),
        },
    )];
    let report = t.reconcile(ACCOUNT, today()).await.unwrap();
    assert_eq!(report.fills_added, 1);
    assert_eq!(report.cancelled, [(id("t-7"), 6)]);
    assert_eq!(report.differences.len(), 1);
    assert_eq!(
        (
            report.differences[0].journal_quantity,
            report.differences[0].broker_quantity
        ),
        (4, 7)
    );
    let o7 = t.ledger().order(&id("t-7")).await.unwrap().unwrap();
    assert_eq!(
        (o7.state, o7.filled_quantity, o7.cancelled_quantity),
        (OrderState::Cancelled, 4, 6)
    );
    assert_eq!(
        t.ledger().order(&id("t-8")).await.unwrap().unwrap().state,
        OrderState::Accepted
    );
    assert_eq!(
        t.ledger()
            .position(ACCOUNT, "005930")
            .await
            .unwrap()
            .unwrap()
            .quantity,
        4,
        "not overwritten"
    );
}

#[tokio::test]
async fn a_query_total_fills_the_gap_and_a_late_frame_inside_it_counts_once() {
    let (t, broker, _dir) = tracker().await;
    broker.script().place.push_back(placed("701"));
    t.submit(buy("t-9", 10, dec!(70000))).await.unwrap();
    let total = |cum| FrameKind::Filled {
        fill_no: format!("f{cum}"),
        quantity: 2,
        price: dec!(70000),
        cumulative: Some(cum),
    };
    t.on_frame(frame(total(2), "701", None, 10, dec!(70000)))
        .await
        .unwrap();
    // A gap: the frame of the second fill (total 4) is lost. Kiwoom's history lists the
    // order once, with its running total and the last fill number.
    broker.script().history = Some(history(
        vec![server_order("701", 10, dec!(70000))],
        vec![("701", 6)],
        vec![server_fill("701", "0000099", 4, dec!(70000))],
        Utc::now(),
    ));
    let report = t.reconcile(ACCOUNT, today()).await.unwrap();
    assert_eq!((report.fills_added, report.cancelled.len()), (1, 0));
    assert_eq!(
        t.ledger()
            .order(&id("t-9"))
            .await
            .unwrap()
            .unwrap()
            .filled_quantity,
        4
    );
    // The lost frame turns up after all: inside the total, counted once.
    assert_eq!(
        t.on_frame(frame(total(4), "701", None, 10, dec!(70000)))
            .await
            .unwrap(),
        FrameOutcome::Duplicate
    );
    // The next fill is new.
    assert!(matches!(
        t.on_frame(frame(total(6), "701", None, 10, dec!(70000)))
            .await
            .unwrap(),
        FrameOutcome::Applied(_)
    ));
    let order = t.ledger().order(&id("t-9")).await.unwrap().unwrap();
    assert_eq!(
        (order.filled_quantity, order.state),
        (6, OrderState::PartiallyFilled)
    );
    assert_eq!(
        t.reconcile(ACCOUNT, today()).await.unwrap().fills_added,
        0,
        "the history's total is covered"
    );
    assert_eq!(
        t.ledger()
            .position(ACCOUNT, "005930")
            .await
            .unwrap()
            .unwrap()
            .quantity,
        6
    );
}

#[tokio::test]
async fn history_rows_per_execution_add_each_missed_fill_once_with_its_own_price() {
    let (t, broker, _dir) = tracker().await;
    broker.script().place.push_back(placed("601"));
    t.submit(buy("t-12", 10, dec!(70000))).await.unwrap();
    // 00 frames: executions 1 and 4 arrive; 2 and 3 are lost.
    for (fill_no, qty, price) in [("0000001", 2, dec!(70000)), ("0000004", 3, dec!(69900))] {
        t.on_frame(frame(
            filled(fill_no, qty, price),
            "601",
            None,
            10,
            dec!(70000),
        ))
        .await
        .unwrap();
    }
    // kt00009, read before execution 4: a row per execution, newest first. The listed total
    // (5) is what the journal already has (2 + 3), yet 2 and 3 are missing.
    let mut rows = vec![
        server_fill("601", "0000003", 2, dec!(69950)),
        server_fill("601", "0000002", 1, dec!(70000)),
        server_fill("601", "0000001", 2, dec!(70000)),
    ];
    for r in &mut rows {
        r.order_quantity = 10;
    }
    broker.script().history = Some(history(
        vec![server_order("601", 10, dec!(70000))],
        vec![("601", 2)],
        rows.clone(),
        Utc::now(),
    ));
    broker.script().holdings = vec![(
        "005930".into(),
        BrokerPosition {
            quantity: 8,
            average_price: Some(dec!(69950)),
        },
    )];
    let report = t.reconcile(ACCOUNT, today()).await.unwrap();
    assert_eq!(
        (
            report.fills_added,
            report.cancelled.len(),
            report.differences.len()
        ),
        (2, 0, 0),
        "{report:?}"
    );
    let order = t.ledger().order(&id("t-12")).await.unwrap().unwrap();
    let keys: Vec<&str> = order.fill_keys.iter().map(|(_, f)| f.as_str()).collect();
    assert_eq!(keys, ["0000001", "0000002", "0000003", "0000004"]);
    assert_eq!(
        (order.filled_quantity, order.filled_value),
        (8, dec!(559600)),
        "each execution at its own price"
    );
    // A later listing has execution 4 too (and a replay of 2's frame turns up): nothing new.
    rows.insert(0, server_fill("601", "0000004", 3, dec!(69900)));
    broker.script().history.as_mut().unwrap().fills = rows;
    assert_eq!(t.reconcile(ACCOUNT, today()).await.unwrap().fills_added, 0);
    assert_eq!(
        t.on_frame(frame(
            filled("0000002", 1, dec!(70000)),
            "601",
            None,
            10,
            dec!(70000)
        ))
        .await
        .unwrap(),
        FrameOutcome::Duplicate
    );
    let p = t
        .ledger()
        .position(ACCOUNT, "005930")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (p.quantity, p.average_price, p.fill_count),
        (8, dec!(69950), 4)
    );
}

/// The realtime driver: a REAL 00 entry becomes a frame, a replay counts once, and a `Gap`
/// runs a reconciliation that recovers the fill sent while the connection was down.
#[cfg(feature = "kiwoom")]
#[tokio::test]
async fn session_events_feed_frames_and_gaps_reconcile() {
    use kiwoom_orders::Followed;
    use kiwoom_runtime::{Gap, RealItem, SessionEvent};

    let (t, broker, _dir) = tracker().await;
    broker.script().place.push_back(placed("0000801"));
    t.submit(buy("t-10", 5, dec!(70000))).await.unwrap();

    let real = |fill_no: &str, unit: &str, total: &str| {
        let values = [
            ("9201", ACCOUNT),
            ("9203", "0000801"),
            ("904", "0000000"),
            ("9001", "005930"),
            ("907", "2"),
            ("905", "+매수"),
            ("913", "체결"),
            ("900", "5"),
            ("901", "70000"),
            ("909", fill_no),
            ("914", "70000"),
            ("915", unit),
            ("911", total),
        ];
        SessionEvent::Real(RealItem {
            kind: "00".into(),
            name: "주문체결".into(),
            values: values
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            ..RealItem::default()
        })
    };
    let first = t
        .on_session_event(ACCOUNT, real("1", "2", "2"))
        .await
        .unwrap();
    assert!(
        matches!(first, Followed::Frame(FrameOutcome::Applied(_))),
        "{first:?}"
    );
    let replay = t
        .on_session_event(ACCOUNT, real("1", "2", "2"))
        .await
        .unwrap();
    assert!(
        matches!(replay, Followed::Frame(FrameOutcome::Duplicate)),
        "{replay:?}"
    );
    let other = t
        .on_session_event(
            ACCOUNT,
            SessionEvent::System {
                code: "R10001".into(),
                message: "x".into(),
            },
        )
        .await
        .unwrap();
    assert!(matches!(other, Followed::Skipped));

    // While the connection was down, 3 more filled.
    broker.script().history = Some(history(
        vec![server_order("801", 5, dec!(70000))],
        vec![],
        vec![
            server_fill("801", "1", 2, dec!(70000)),
            server_fill("801", "2", 3, dec!(70000)),
        ],
        Utc::now(),
    ));
    let now = std::time::SystemTime::now();
    let gap = Gap {
        since: now,
        until: now,
        attempts: 1,
        resubscribed: true,
    };
    let Followed::Reconciled(report) = t
        .on_session_event(ACCOUNT, SessionEvent::Gap(gap))
        .await
        .unwrap()
    else {
        panic!("a gap reconciles")
    };
    assert_eq!(report.fills_added, 1);
    let order = t.ledger().order(&id("t-10")).await.unwrap().unwrap();
    assert_eq!(
        (order.state, order.filled_quantity),
        (OrderState::Filled, 5)
    );
}

/// Realtime 04 (balance) entries are compared with the journal's position: a difference is
/// reported, the journal's figures stay; credit lines are not compared.
#[cfg(feature = "kiwoom")]
#[tokio::test]
async fn balance_frames_are_compared_with_positions_never_written() {
    use kiwoom_orders::Followed;
    use kiwoom_runtime::{RealItem, SessionEvent};

    let (t, broker, _dir) = tracker().await;
    broker.script().place.push_back(placed("0000901"));
    let order = t.submit(buy("t-04", 10, dec!(70000))).await.unwrap();
    t.ledger()
        .record(fill("t-04", "901", "1", 10, dec!(70000)))
        .await
        .unwrap();
    assert_eq!(order.state, OrderState::Accepted);

    let balance = |held: &str, price: &str, credit: &str| {
        let values = [
            // Kiwoom writes the account in its own form; the session's account is used.
            ("9201", "1111111111"),
            ("9001", "A005930"),
            ("917", credit),
            ("930", held),
            ("931", price),
            ("10", "-70100"),
        ];
        SessionEvent::Real(RealItem {
            kind: "04".into(),
            name: "현물잔고".into(),
            values: values
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            ..RealItem::default()
        })
    };
    let same = t
        .on_session_event(ACCOUNT, balance("10", "70000", "00"))
        .await
        .unwrap();
    assert!(matches!(same, Followed::Balance(None)), "{same:?}");

    let more = t
        .on_session_event(ACCOUNT, balance("12", "70000", "00"))
        .await
        .unwrap();
    let Followed::Balance(Some(d)) = more else {
        panic!("a difference: {more:?}")
    };
    assert_eq!(
        (
            d.account.as_str(),
            d.stock.as_str(),
            d.journal_quantity,
            d.broker_quantity
        ),
        (ACCOUNT, "005930", 10, 12)
    );
    let price = t
        .on_session_event(ACCOUNT, balance("10", "69000", "00"))
        .await
        .unwrap();
    assert!(
        matches!(&price, Followed::Balance(Some(d)) if d.broker_average_price == Some(dec!(69000))),
        "an average price beyond the tolerance: {price:?}"
    );
    let credit = t
        .on_session_event(ACCOUNT, balance("99", "70000", "33"))
        .await
        .unwrap();
    assert!(matches!(credit, Followed::Skipped), "{credit:?}");

    let held = t
        .ledger()
        .position(ACCOUNT, "005930")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (held.quantity, held.average_price),
        (10, dec!(70000)),
        "the journal's figures are never overwritten"
    );
}

/// An order another process sharing the journal has sent and is still waiting on is
/// pending-new here with no request in flight in this tracker: it is not declared orphaned
/// (unknown, then matched by terms) until it has waited longer than a request can be in
/// flight (the match window's `after`). Only then is it a crashed process's order.
#[tokio::test]
async fn another_process_order_awaiting_its_answer_is_not_orphaned() {
    let (journal, _dir) = sqlite().await;
    let broker = ScriptedBroker::new(journal.clone());
    let config = kiwoom_orders::TrackerConfig {
        match_window: kiwoom_orders::MatchWindow {
            before: chrono::Duration::seconds(5),
            after: chrono::Duration::milliseconds(400),
        },
        ..kiwoom_orders::TrackerConfig::default()
    };
    let t = Tracker::with_config(Ledger::new(journal.clone()), broker.clone(), config);
    // The other process: intents recorded, requests sent, answers not recorded yet; Kiwoom
    // has both orders.
    for (id, n) in [("other-1", "0000201"), ("other-2", "0000202")] {
        t.ledger()
            .record(kiwoom_orders::NewEvent::submitted(buy(
                id,
                10 + n.len() as u64,
                dec!(70000),
            )))
            .await
            .unwrap();
    }
    let server = |n: &str, q: u64| server_order(n, q, dec!(70000));
    broker.script().history = Some(history(
        vec![server("0000201", 17), server("0000202", 17)],
        vec![("201", 17), ("202", 17)],
        vec![],
        Utc::now(),
    ));
    let report = t.reconcile(ACCOUNT, today()).await.unwrap();
    assert!(
        report.orphaned.is_empty() && report.matched.is_empty(),
        "{report:?}"
    );
    // Its answer arrives: recorded as usual.
    t.ledger()
        .record(accepted("other-1", "0000201"))
        .await
        .unwrap();
    let one = journal.order(&id("other-1")).await.unwrap().unwrap();
    assert_eq!(
        (one.state, one.order_nos.clone()),
        (OrderState::Accepted, vec![no("201")])
    );
    // The other order's process never answers: once the window has passed it is orphaned
    // and found on the server.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    broker.script().history.as_mut().unwrap().as_of = Utc::now();
    let report = t.reconcile(ACCOUNT, today()).await.unwrap();
    assert_eq!(report.orphaned, vec![id("other-2")]);
    assert_eq!(report.matched, vec![(id("other-2"), no("202"))]);
}
