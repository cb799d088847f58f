//! The journal contract, run on both backends: intents before sending, atomic appends,
//! fills counted once, snapshots equal to the replay of the events, queries.

mod common;

use common::*;
use kiwoom_orders::{
    AppendOutcome, EventKind, EventSource, Journal, JournalError, ModelError, OrderFilter,
    OrderState, Position, Side,
};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

async fn intent_is_recorded_once<J: Journal>(j: &J) {
    let order = intent("c-1", Side::Buy, "005930", 10, dec!(70000));
    let first = j
        .append(kiwoom_orders::NewEvent::submitted(order.clone()))
        .await
        .unwrap();
    assert_eq!(first.order().state, OrderState::PendingNew);
    let again = j
        .append(kiwoom_orders::NewEvent::submitted(order))
        .await
        .unwrap_err();
    assert!(
        matches!(again, JournalError::DuplicateClientOrderId(_)),
        "{again}"
    );
    let stranger = j.append(accepted("nobody", "1")).await.unwrap_err();
    assert!(
        matches!(stranger, JournalError::UnknownOrder(_)),
        "{stranger}"
    );
    assert_eq!(j.events(&id("c-1")).await.unwrap().len(), 1);
}

async fn fills_count_once_and_snapshots_equal_replays<J: Journal>(j: &J) {
    j.append(kiwoom_orders::NewEvent::submitted(intent(
        "c-2",
        Side::Buy,
        "005930",
        10,
        dec!(70000),
    )))
    .await
    .unwrap();
    j.append(accepted("c-2", "0000101")).await.unwrap();
    let first = j
        .append(fill("c-2", "101", "9001", 4, dec!(70000)))
        .await
        .unwrap();
    let AppendOutcome::Appended {
        position: Some(p), ..
    } = &first
    else {
        panic!("a fill updates the position: {first:?}")
    };
    assert_eq!((p.quantity, p.average_price), (4, dec!(70000)));
    // The same 00 frame again, and once more as a query would report it.
    let dup = j
        .append(fill("c-2", "101", "9001", 4, dec!(70000)))
        .await
        .unwrap();
    assert!(matches!(dup, AppendOutcome::Duplicate { .. }), "{dup:?}");
    let mut from_query = fill("c-2", "0000101", "9001", 4, dec!(70000));
    from_query.source = EventSource::Query;
    assert!(matches!(
        j.append(from_query).await.unwrap(),
        AppendOutcome::Duplicate { .. }
    ));
    j.append(fill("c-2", "101", "9002", 6, dec!(70500)))
        .await
        .unwrap();

    let order = j.order(&id("c-2")).await.unwrap().unwrap();
    assert_eq!(
        (order.state, order.filled_quantity),
        (OrderState::Filled, 10)
    );
    assert_eq!(
        j.rebuild(&id("c-2")).await.unwrap().unwrap(),
        order,
        "snapshot = replay of the events"
    );
    let events = j.events(&id("c-2")).await.unwrap();
    let kinds: Vec<_> = events.iter().map(|e| e.kind.name()).collect();
    assert_eq!(kinds, ["submitted", "accepted", "filled", "filled"]);
    assert_eq!(
        events.iter().map(|e| e.order_seq).collect::<Vec<_>>(),
        [1, 2, 3, 4]
    );
    assert_eq!(events[1].source, EventSource::Answer);
    assert_eq!(events[2].raw, serde_json::json!({"test": "realtime"}));

    let position = j.position(ACCOUNT, "005930").await.unwrap().unwrap();
    assert_eq!(
        (position.quantity, position.average_price, position.fees),
        (10, dec!(70300), dec!(30))
    );
    let fills = j.fills(Some(ACCOUNT), order.trade_date()).await.unwrap();
    assert_eq!(fills.iter().map(|f| f.fill.quantity).sum::<u64>(), 10);
    assert_eq!(fills.len(), 2);
    assert_eq!(fills[0].fill.price, dec!(70000));
    assert_eq!(fills[0].key.order_no, no("101"));
}

async fn impossible_events_store_nothing<J: Journal>(j: &J) {
    j.append(kiwoom_orders::NewEvent::submitted(intent(
        "c-3",
        Side::Sell,
        "000660",
        5,
        dec!(180000),
    )))
    .await
    .unwrap();
    let err = j
        .append(event(
            "c-3",
            EventSource::User,
            EventKind::CancelRequested {
                orig_order_no: no("1"),
                quantity: 5,
            },
        ))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            JournalError::Model(ModelError::Transition {
                state: OrderState::PendingNew,
                ..
            })
        ),
        "{err}"
    );
    j.append(accepted("c-3", "201")).await.unwrap();
    let over = j
        .append(fill("c-3", "201", "1", 6, dec!(180000)))
        .await
        .unwrap_err();
    assert!(
        matches!(over, JournalError::Model(ModelError::Overfill { .. })),
        "{over}"
    );
    assert_eq!(j.events(&id("c-3")).await.unwrap().len(), 2);
    assert_eq!(
        j.position(ACCOUNT, "000660").await.unwrap(),
        None,
        "no fill, no position"
    );
}

/// An event expecting a version is recorded only onto that version: two reconciliations
/// that both saw the same part of an order vanish record it once.
async fn an_expected_version_is_checked_in_the_append<J: Journal>(j: &J) {
    j.append(kiwoom_orders::NewEvent::submitted(intent(
        "c-v",
        Side::Buy,
        "005930",
        5,
        dec!(70000),
    )))
    .await
    .unwrap();
    j.append(accepted("c-v", "301")).await.unwrap();
    let judged = j.order(&id("c-v")).await.unwrap().unwrap().version;
    let vanished = |version: i64| {
        event(
            "c-v",
            EventSource::Query,
            EventKind::Cancelled {
                order_no: None,
                orig_order_no: no("301"),
                quantity: 2,
            },
        )
        .expecting_version(version)
    };
    // The first reconciliation records the 2 that vanished: the order stays live (3 open).
    j.append(vanished(judged)).await.unwrap();
    // The second judged the same version: refused, nothing stored.
    let err = j.append(vanished(judged)).await.unwrap_err();
    assert!(
        matches!(err, JournalError::VersionConflict { expected, actual, .. }
            if expected == judged && actual == judged + 1),
        "{err}"
    );
    let order = j.order(&id("c-v")).await.unwrap().unwrap();
    assert_eq!((order.cancelled_quantity, order.open_quantity()), (2, 3));
    assert_eq!(j.events(&id("c-v")).await.unwrap().len(), 3);
    assert_eq!(j.rebuild(&id("c-v")).await.unwrap().as_ref(), Some(&order));
}

async fn an_order_number_belongs_to_one_order<J: Journal>(j: &J) {
    for c in ["c-4", "c-5"] {
        j.append(kiwoom_orders::NewEvent::submitted(intent(
            c,
            Side::Buy,
            "035720",
            1,
            dec!(50000),
        )))
        .await
        .unwrap();
    }
    j.append(accepted("c-4", "301")).await.unwrap();
    let err = j.append(accepted("c-5", "301")).await.unwrap_err();
    assert!(matches!(err, JournalError::OrderNoTaken { .. }), "{err}");
    assert_eq!(
        j.order(&id("c-5")).await.unwrap().unwrap().state,
        OrderState::PendingNew,
        "rolled back"
    );
    let date = j.order(&id("c-4")).await.unwrap().unwrap().trade_date();
    assert_eq!(
        j.order_by_no(ACCOUNT, date, &no("0301"))
            .await
            .unwrap()
            .unwrap()
            .id(),
        &id("c-4")
    );
    assert!(
        j.claimed_order_nos(ACCOUNT, date)
            .await
            .unwrap()
            .contains(&no("301"))
    );
}

async fn queries_serve_open_orders_and_event_tails<J: Journal>(j: &J) {
    for (c, state_events) in [("q-open", 1), ("q-unknown", 2), ("q-gone", 3)] {
        j.append(kiwoom_orders::NewEvent::submitted(intent(
            c,
            Side::Buy,
            "005380",
            3,
            dec!(200000),
        )))
        .await
        .unwrap();
        match state_events {
            1 => {
                j.append(accepted(c, "401")).await.unwrap();
            }
            2 => {
                j.append(event(
                    c,
                    EventSource::Answer,
                    EventKind::OutcomeUnknown {
                        reason: "timeout".into(),
                    },
                ))
                .await
                .unwrap();
            }
            _ => {
                j.append(event(
                    c,
                    EventSource::Answer,
                    EventKind::Rejected {
                        code: None,
                        reason: "closed".into(),
                    },
                ))
                .await
                .unwrap();
            }
        }
    }
    let open: Vec<_> = j
        .orders(&OrderFilter::open().account(ACCOUNT))
        .await
        .unwrap()
        .into_iter()
        .map(|o| o.id().clone())
        .collect();
    assert_eq!(open, [id("q-open"), id("q-unknown")]);
    let unknown = j
        .orders(&OrderFilter::in_state(OrderState::Unknown))
        .await
        .unwrap();
    assert_eq!(unknown.len(), 1);
    assert!(
        j.orders(&OrderFilter::open().account("other"))
            .await
            .unwrap()
            .is_empty()
    );

    let all = j.events_after(0, 100).await.unwrap();
    assert_eq!(all.len(), 6);
    assert!(all.windows(2).all(|w| w[0].seq < w[1].seq));
    let tail = j.events_after(all[3].seq, 2).await.unwrap();
    assert_eq!(
        tail.iter().map(|e| e.seq).collect::<Vec<_>>(),
        [all[4].seq, all[5].seq]
    );
}

/// A fill of `order` executed at `at(secs)`.
fn fill_at(
    order: &str,
    order_no: &str,
    fill_no: &str,
    quantity: u64,
    price: Decimal,
    secs: i64,
) -> kiwoom_orders::NewEvent {
    let mut event = fill(order, order_no, fill_no, quantity, price);
    if let EventKind::Filled { fill } = &mut event.kind {
        fill.filled_at = at(secs);
    }
    event
}

async fn a_late_fill_refolds_the_position_in_execution_order<J: Journal>(j: &J) {
    for (order, side, quantity, price, order_no) in [
        ("late-a", Side::Buy, 10, dec!(100), "201"),
        ("late-b", Side::Sell, 5, dec!(180), "202"),
        ("late-c", Side::Buy, 10, dec!(200), "203"),
    ] {
        j.append(kiwoom_orders::NewEvent::submitted(intent(
            order, side, "000660", quantity, price,
        )))
        .await
        .unwrap();
        j.append(accepted(order, order_no)).await.unwrap();
    }
    // Executed: buy 10 @100 (t1), buy 10 @200 (t2), sell 5 @180 (t3). Recorded: t1, t3, t2
    // (the 00 frame of t2 was lost; reconciliation found it after the sell).
    j.append(fill_at("late-a", "201", "0000011", 10, dec!(100), 1))
        .await
        .unwrap();
    j.append(fill_at("late-b", "202", "0000013", 5, dec!(180), 3))
        .await
        .unwrap();
    let late = j
        .append(fill_at("late-c", "203", "0000012", 10, dec!(200), 2))
        .await
        .unwrap();
    let AppendOutcome::Appended {
        position: Some(p), ..
    } = &late
    else {
        panic!("a fill updates the position: {late:?}")
    };
    // In execution order: 20 @150, sell 5 @180 realizes 150 less three fees of 15; applied
    // on top in recording order it would be 15 @166.67 with 400 realized.
    assert_eq!(
        (
            p.quantity,
            p.average_price,
            p.realized_pnl,
            p.fees,
            p.fill_count
        ),
        (15, dec!(150), dec!(105), dec!(45), 3)
    );
    assert_eq!(p.last_fill_at, Some(at(3)));
    let stored = j.position(ACCOUNT, "000660").await.unwrap().unwrap();
    assert_eq!(&stored, p, "the stored snapshot is the refolded one");
    let date = stored
        .last_fill_at
        .unwrap()
        .with_timezone(&kiwoom_orders::intent::seoul())
        .date_naive();
    let fills: Vec<_> = j
        .fills(Some(ACCOUNT), date)
        .await
        .unwrap()
        .into_iter()
        .filter(|f| f.stock == "000660")
        .map(|f| (f.event_seq, f.side, f.fill))
        .collect();
    assert_eq!(fills.len(), 3);
    assert_eq!(
        Position::from_fills(ACCOUNT, "000660", fills),
        stored,
        "position = fold of its fills in execution order"
    );

    // A fill after the latest is applied on top (the common case), from the refolded state.
    j.append(kiwoom_orders::NewEvent::submitted(intent(
        "late-d",
        Side::Buy,
        "000660",
        5,
        dec!(300),
    )))
    .await
    .unwrap();
    j.append(accepted("late-d", "204")).await.unwrap();
    j.append(fill_at("late-d", "204", "0000014", 5, dec!(300), 4))
        .await
        .unwrap();
    let p = j.position(ACCOUNT, "000660").await.unwrap().unwrap();
    assert_eq!(
        (p.quantity, p.average_price, p.realized_pnl, p.fill_count),
        (20, dec!(187.5), dec!(90), 4)
    );
}

macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite_backend {
            use super::*;
            $(
                #[tokio::test]
                async fn $name() {
                    let (journal, _dir) = sqlite().await;
                    super::$name(&journal).await;
                }
            )*
        }
        mod postgres_backend {
            use super::*;
            $(
                #[tokio::test]
                async fn $name() {
                    let Some(journal) = postgres(stringify!($name)).await else { return };
                    super::$name(&journal).await;
                    journal.drop_schema().await.unwrap();
                }
            )*
        }
    };
}

on_both_backends!(
    intent_is_recorded_once,
    fills_count_once_and_snapshots_equal_replays,
    impossible_events_store_nothing,
    an_expected_version_is_checked_in_the_append,
    an_order_number_belongs_to_one_order,
    queries_serve_open_orders_and_event_tails,
    a_late_fill_refolds_the_position_in_execution_order,
);
