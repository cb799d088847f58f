//! The order state machine: every (state, event) cell of the documented table, fill
//! de-duplication, quantity guards, and replay equality.

use chrono::{DateTime, Utc};
use kiwoom_orders::{
    Applied, ClientOrderId, EventKind, EventSource, Fill, ModelError, Order, OrderEvent,
    OrderIntent, OrderNo, OrderState,
};
use proptest::prelude::*;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

fn at(s: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(1_800_000_000 + s, 0).unwrap()
}

fn no(n: &str) -> OrderNo {
    OrderNo::new(n).unwrap()
}

fn fill(order: &str, fill_no: &str, quantity: u64, price: Decimal) -> EventKind {
    EventKind::Filled {
        fill: Fill {
            order_no: no(order),
            fill_no: fill_no.into(),
            quantity,
            price,
            fee: None,
            tax: None,
            filled_at: at(10),
            venue: Some("KRX".into()),
            cumulative_quantity: None,
        },
    }
}

fn new_order() -> Order {
    let intent = OrderIntent::buy("5555", "005930", 10, Some(dec!(70000)))
        .unwrap()
        .with_client_order_id(ClientOrderId::new("test-order").unwrap())
        .with_created_at(at(0));
    Order::start(intent, at(0))
}

fn with(events: &[EventKind]) -> Order {
    let mut order = new_order();
    for e in events {
        order
            .apply(e, at(1))
            .unwrap_or_else(|err| panic!("setting up with {}: {err}", e.name()));
    }
    order
}

fn accepted() -> EventKind {
    EventKind::Accepted { order_no: no("1") }
}
fn amend_req() -> EventKind {
    EventKind::AmendRequested {
        orig_order_no: no("1"),
        quantity: 10,
        price: Some(dec!(69000)),
    }
}
fn cancel_req() -> EventKind {
    EventKind::CancelRequested {
        orig_order_no: no("1"),
        quantity: 10,
    }
}

/// An order in each state, reached through valid events only.
fn order_in(state: OrderState) -> Order {
    use OrderState as S;
    let o = match state {
        S::PendingNew => with(&[]),
        S::Accepted => with(&[accepted()]),
        S::PartiallyFilled => with(&[accepted(), fill("1", "f1", 3, dec!(70000))]),
        S::Filled => with(&[accepted(), fill("1", "f1", 10, dec!(70000))]),
        S::AmendPending => with(&[accepted(), amend_req()]),
        S::CancelPending => with(&[accepted(), cancel_req()]),
        S::Amended => with(&[
            accepted(),
            amend_req(),
            EventKind::Amended {
                order_no: no("2"),
                orig_order_no: no("1"),
                quantity: 10,
                price: Some(dec!(69000)),
            },
        ]),
        S::Cancelled => with(&[
            accepted(),
            cancel_req(),
            EventKind::Cancelled {
                order_no: Some(no("3")),
                orig_order_no: no("1"),
                quantity: 10,
            },
        ]),
        S::Rejected => with(&[EventKind::Rejected {
            code: Some("RC4025".into()),
            reason: "no money".into(),
        }]),
        S::Unknown => with(&[EventKind::OutcomeUnknown {
            reason: "timeout".into(),
        }]),
        S::NotPlaced => with(&[
            EventKind::OutcomeUnknown {
                reason: "timeout".into(),
            },
            EventKind::NotPlaced {
                reason: "not in kt00009".into(),
            },
        ]),
    };
    assert_eq!(o.state, state);
    o
}

/// One event of each kind, with quantities that fit an open order.
fn columns() -> Vec<EventKind> {
    vec![
        accepted(),
        EventKind::Rejected {
            code: None,
            reason: "refused".into(),
        },
        EventKind::OutcomeUnknown {
            reason: "connection reset".into(),
        },
        fill("1", "f-new", 1, dec!(70000)),
        EventKind::AmendRequested {
            orig_order_no: no("1"),
            quantity: 1,
            price: Some(dec!(69500)),
        },
        EventKind::Amended {
            order_no: no("4"),
            orig_order_no: no("1"),
            quantity: 1,
            price: Some(dec!(69500)),
        },
        EventKind::AmendRejected {
            code: None,
            reason: "too late".into(),
        },
        EventKind::CancelRequested {
            orig_order_no: no("1"),
            quantity: 1,
        },
        EventKind::Cancelled {
            order_no: Some(no("5")),
            orig_order_no: no("1"),
            quantity: 1,
        },
        EventKind::CancelRejected {
            code: None,
            reason: "too late".into(),
        },
        EventKind::Matched { order_no: no("1") },
        EventKind::NotPlaced {
            reason: "absent".into(),
        },
    ]
}

/// The table of `state.rs`, transcribed independently: the state after the event, or "x".
/// Columns: accepted rejected unknown filled amend_req amended amend_rej cancel_req
/// cancelled cancel_rej matched not_placed.
const TABLE: &[(OrderState, [&str; 12])] = &[
    (
        OrderState::PendingNew,
        [
            "accepted",
            "rejected",
            "unknown",
            "partially_filled",
            "x",
            "x",
            "x",
            "x",
            "x",
            "x",
            "accepted",
            "x",
        ],
    ),
    (
        OrderState::Unknown,
        [
            "accepted",
            "rejected",
            "unknown",
            "partially_filled",
            "x",
            "x",
            "x",
            "x",
            "x",
            "x",
            "accepted",
            "not_placed",
        ],
    ),
    (
        OrderState::Accepted,
        [
            "accepted",
            "rejected",
            "x",
            "partially_filled",
            "amend_pending",
            "amended",
            "accepted",
            "cancel_pending",
            "accepted",
            "accepted",
            "accepted",
            "x",
        ],
    ),
    (
        OrderState::Amended,
        [
            "amended",
            "rejected",
            "x",
            "partially_filled",
            "amend_pending",
            "amended",
            "amended",
            "cancel_pending",
            "amended",
            "amended",
            "amended",
            "x",
        ],
    ),
    (
        OrderState::PartiallyFilled,
        [
            "partially_filled",
            "x",
            "x",
            "partially_filled",
            "amend_pending",
            "partially_filled",
            "partially_filled",
            "cancel_pending",
            "partially_filled",
            "partially_filled",
            "partially_filled",
            "x",
        ],
    ),
    (
        OrderState::AmendPending,
        [
            "amend_pending",
            "x",
            "amend_pending",
            "amend_pending",
            "x",
            "amended",
            "accepted",
            "x",
            "amend_pending",
            "amend_pending",
            "amend_pending",
            "x",
        ],
    ),
    (
        OrderState::CancelPending,
        [
            "cancel_pending",
            "x",
            "cancel_pending",
            "cancel_pending",
            "x",
            "cancel_pending",
            "cancel_pending",
            "x",
            "accepted",
            "accepted",
            "cancel_pending",
            "x",
        ],
    ),
    (
        OrderState::Filled,
        [
            "filled", "x", "x", "x", "x", "x", "filled", "x", "x", "filled", "filled", "x",
        ],
    ),
    (
        OrderState::Cancelled,
        [
            "cancelled",
            "x",
            "x",
            "x",
            "x",
            "x",
            "cancelled",
            "x",
            "x",
            "cancelled",
            "cancelled",
            "x",
        ],
    ),
    (
        OrderState::Rejected,
        [
            "x", "rejected", "x", "x", "x", "x", "x", "x", "x", "x", "x", "x",
        ],
    ),
    (
        OrderState::NotPlaced,
        ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x", "x", "x"],
    ),
];

#[test]
fn every_cell_of_the_transition_table() {
    assert_eq!(TABLE.len(), OrderState::ALL.len(), "one row per state");
    for (state, row) in TABLE {
        for (event, expected) in columns().iter().zip(row) {
            let mut order = order_in(*state);
            let before = order.clone();
            let result = order.apply(event, at(2));
            match *expected {
                "x" => {
                    assert!(
                        result.is_err(),
                        "{state} + {} must be refused, got {result:?}",
                        event.name()
                    );
                    assert_eq!(
                        order,
                        before,
                        "{state} + {}: a refused event changes nothing",
                        event.name()
                    );
                }
                target => {
                    let applied =
                        result.unwrap_or_else(|e| panic!("{state} + {}: {e}", event.name()));
                    assert_eq!(
                        applied,
                        Applied::Recorded {
                            from: *state,
                            to: OrderState::parse(target).unwrap()
                        },
                        "{state} + {}",
                        event.name()
                    );
                    assert_eq!(order.version, before.version + 1);
                }
            }
        }
    }
}

#[test]
fn a_second_intent_is_refused() {
    let mut order = new_order();
    let again = EventKind::Submitted {
        intent: order.intent.clone(),
    };
    assert!(matches!(
        order.apply(&again, at(1)),
        Err(ModelError::Transition { .. })
    ));
}

#[test]
fn a_duplicated_fill_counts_once() {
    let mut order = with(&[accepted()]);
    let f = fill("1", "0001", 4, dec!(70000));
    assert!(matches!(
        order.apply(&f, at(2)),
        Ok(Applied::Recorded { .. })
    ));
    assert_eq!(order.apply(&f, at(3)).unwrap(), Applied::Duplicate);
    // The same fill with its order number written with zeros, as another TR writes it.
    assert_eq!(
        order
            .apply(&fill("0000001", "0001", 4, dec!(70000)), at(3))
            .unwrap(),
        Applied::Duplicate
    );
    assert_eq!((order.filled_quantity, order.open_quantity()), (4, 6));
    assert_eq!(order.version, 3, "the duplicate is not an event");
}

#[test]
fn fills_average_and_close_the_order() {
    let mut order = with(&[accepted()]);
    order.apply(&fill("1", "a", 4, dec!(70000)), at(2)).unwrap();
    order.apply(&fill("1", "b", 6, dec!(70500)), at(3)).unwrap();
    assert_eq!(order.state, OrderState::Filled);
    assert_eq!(order.average_fill_price(), Some(dec!(70300)));
    let err = order
        .apply(&fill("1", "c", 1, dec!(70500)), at(4))
        .unwrap_err();
    assert!(matches!(err, ModelError::Overfill { .. }), "{err}");
}

#[test]
fn an_overfill_and_an_empty_fill_are_refused() {
    let mut order = with(&[accepted()]);
    assert!(matches!(
        order.apply(&fill("1", "a", 11, dec!(1)), at(2)),
        Err(ModelError::Overfill { .. })
    ));
    assert!(matches!(
        order.apply(&fill("1", "a", 0, dec!(1)), at(2)),
        Err(ModelError::EmptyFill { .. })
    ));
    assert_eq!(order.filled_quantity, 0);
}

#[test]
fn amend_moves_the_price_and_fills_follow_the_new_number() {
    let mut order = with(&[accepted(), amend_req()]);
    order
        .apply(
            &EventKind::Amended {
                order_no: no("2"),
                orig_order_no: no("1"),
                quantity: 10,
                price: Some(dec!(69000)),
            },
            at(2),
        )
        .unwrap();
    assert_eq!(
        (order.state, order.price),
        (OrderState::Amended, Some(dec!(69000)))
    );
    order
        .apply(&fill("2", "1", 10, dec!(69000)), at(3))
        .unwrap();
    assert_eq!(order.state, OrderState::Filled);
    assert_eq!(order.order_nos, vec![no("1"), no("2")]);
}

#[test]
fn a_fill_racing_a_cancel_is_counted_and_the_order_ends_cancelled() {
    let mut order = with(&[accepted(), fill("1", "a", 2, dec!(70000)), cancel_req()]);
    // Kiwoom cancelled 5: it had seen a fill of 3 we have not seen yet.
    order
        .apply(
            &EventKind::Cancelled {
                order_no: Some(no("9")),
                orig_order_no: no("1"),
                quantity: 5,
            },
            at(2),
        )
        .unwrap();
    assert_eq!(
        (order.state, order.open_quantity()),
        (OrderState::PartiallyFilled, 3)
    );
    order.apply(&fill("1", "b", 3, dec!(70000)), at(3)).unwrap();
    assert_eq!(
        (order.state, order.filled_quantity, order.cancelled_quantity),
        (OrderState::Cancelled, 5, 5)
    );
}

#[test]
fn a_rejected_cancel_returns_to_the_live_state() {
    let mut order = with(&[accepted(), fill("1", "a", 2, dec!(70000)), cancel_req()]);
    order
        .apply(
            &EventKind::CancelRejected {
                code: None,
                reason: "already filled".into(),
            },
            at(2),
        )
        .unwrap();
    assert_eq!(order.state, OrderState::PartiallyFilled);
}

#[test]
fn a_fill_during_a_pending_cancel_can_close_the_order() {
    let mut order = with(&[accepted(), cancel_req()]);
    order
        .apply(&fill("1", "a", 10, dec!(70000)), at(2))
        .unwrap();
    assert_eq!(order.state, OrderState::Filled);
    order
        .apply(
            &EventKind::CancelRejected {
                code: None,
                reason: "nothing open".into(),
            },
            at(3),
        )
        .unwrap();
    assert_eq!(
        order.state,
        OrderState::Filled,
        "the late refusal changes nothing"
    );
}

#[test]
fn a_late_reject_after_a_fill_is_refused() {
    let mut order = with(&[accepted(), fill("1", "a", 2, dec!(70000))]);
    let err = order
        .apply(
            &EventKind::Rejected {
                code: None,
                reason: "x".into(),
            },
            at(2),
        )
        .unwrap_err();
    assert!(matches!(
        err,
        ModelError::Transition {
            state: OrderState::PartiallyFilled,
            ..
        }
    ));
}

#[test]
fn unknown_is_resolved_by_a_match_or_as_not_placed_and_stays_resolved() {
    let mut matched = with(&[EventKind::OutcomeUnknown {
        reason: "timeout".into(),
    }]);
    matched
        .apply(&EventKind::Matched { order_no: no("77") }, at(2))
        .unwrap();
    assert_eq!(
        (matched.state, matched.order_nos.clone()),
        (OrderState::Accepted, vec![no("77")])
    );

    let mut gone = order_in(OrderState::NotPlaced);
    assert_eq!(gone.reason.as_deref(), Some("not in kt00009"));
    assert!(gone.apply(&fill("77", "1", 1, dec!(1)), at(3)).is_err());
}

fn stored(events: &[EventKind]) -> Vec<OrderEvent> {
    let order = new_order();
    std::iter::once(EventKind::Submitted {
        intent: order.intent.clone(),
    })
    .chain(events.iter().cloned())
    .enumerate()
    .map(|(i, kind)| OrderEvent {
        seq: 100 + i as i64,
        client_order_id: order.id().clone(),
        order_seq: i as i64 + 1,
        source: EventSource::Realtime,
        kind,
        raw: serde_json::json!({"i": i}),
        recorded_at: at(i as i64),
    })
    .collect()
}

#[test]
fn replaying_the_events_gives_the_same_order() {
    let events = [accepted(), fill("1", "a", 2, dec!(70000)), amend_req()];
    let mut live = new_order();
    for e in stored(&events).iter().skip(1) {
        live.apply(&e.kind, e.recorded_at).unwrap();
    }
    let replayed = Order::from_events(&stored(&events)).unwrap().unwrap();
    assert_eq!(replayed, live);
    assert!(
        Order::from_events(&stored(&events)[1..]).is_err(),
        "history must start with the intent"
    );
}

fn any_event() -> impl Strategy<Value = EventKind> {
    let order_no = prop_oneof![Just("1"), Just("2"), Just("3")].prop_map(no);
    prop_oneof![
        order_no
            .clone()
            .prop_map(|order_no| EventKind::Accepted { order_no }),
        Just(EventKind::Rejected {
            code: None,
            reason: "r".into()
        }),
        Just(EventKind::OutcomeUnknown { reason: "u".into() }),
        (order_no.clone(), 0u8..6, 0u64..6, 1u32..5).prop_map(|(o, f, q, p)| fill(
            o.as_str(),
            &f.to_string(),
            q,
            Decimal::from(p)
        )),
        (0u64..12).prop_map(|q| EventKind::AmendRequested {
            orig_order_no: no("1"),
            quantity: q,
            price: None
        }),
        (order_no.clone(), 0u64..12).prop_map(|(o, q)| EventKind::Amended {
            order_no: o,
            orig_order_no: no("1"),
            quantity: q,
            price: Some(dec!(2))
        }),
        Just(EventKind::AmendRejected {
            code: None,
            reason: "r".into()
        }),
        (0u64..12).prop_map(|q| EventKind::CancelRequested {
            orig_order_no: no("1"),
            quantity: q
        }),
        (0u64..12).prop_map(|q| EventKind::Cancelled {
            order_no: None,
            orig_order_no: no("1"),
            quantity: q
        }),
        Just(EventKind::CancelRejected {
            code: None,
            reason: "r".into()
        }),
        order_no.prop_map(|order_no| EventKind::Matched { order_no }),
        Just(EventKind::NotPlaced { reason: "n".into() }),
    ]
}

proptest! {
    /// Whatever arrives, in whatever order: no panic, quantities never exceed the order, a
    /// closed order has nothing open, and the applied events replay to the same order.
    #[test]
    fn random_event_streams_keep_the_invariants(events in proptest::collection::vec(any_event(), 0..40)) {
        let mut order = new_order();
        let mut accepted_events = Vec::new();
        for e in &events {
            if let Ok(Applied::Recorded { .. }) = order.apply(e, at(1)) {
                accepted_events.push(e.clone());
            }
            prop_assert!(order.filled_quantity + order.cancelled_quantity <= order.intent.quantity);
            if matches!(order.state, OrderState::Filled | OrderState::Cancelled) {
                prop_assert_eq!(order.open_quantity(), 0);
            }
            if order.state == OrderState::Filled {
                prop_assert_eq!(order.filled_quantity, order.intent.quantity);
            }
            prop_assert_eq!(order.fill_keys.len() as u64 <= order.filled_quantity, true);
        }
        let mut replay = new_order();
        for e in &accepted_events {
            replay.apply(e, at(1)).unwrap();
        }
        prop_assert_eq!(replay, order);
    }
}

#[test]
fn an_amend_or_cancel_confirmed_twice_counts_once() {
    let mut order = with(&[accepted(), cancel_req()]);
    let cancelled = EventKind::Cancelled {
        order_no: Some(no("9")),
        orig_order_no: no("1"),
        quantity: 4,
    };
    order.apply(&cancelled, at(2)).unwrap();
    // The realtime 00 confirmation of the same cancel, after the REST answer.
    assert_eq!(order.apply(&cancelled, at(3)).unwrap(), Applied::Duplicate);
    assert_eq!(order.cancelled_quantity, 4);

    let mut order = with(&[accepted(), amend_req()]);
    let amended = EventKind::Amended {
        order_no: no("2"),
        orig_order_no: no("1"),
        quantity: 10,
        price: Some(dec!(1)),
    };
    order.apply(&amended, at(2)).unwrap();
    assert_eq!(order.apply(&amended, at(3)).unwrap(), Applied::Duplicate);
}

#[test]
fn a_fill_inside_a_total_already_counted_counts_once() {
    let mut order = with(&[accepted()]);
    // A query caught up: 4 filled under order 1, as one fill carrying the total.
    let mut caught_up = fill("1", "total-4", 4, dec!(70000));
    if let EventKind::Filled { fill } = &mut caught_up {
        fill.cumulative_quantity = Some(4);
    }
    order.apply(&caught_up, at(2)).unwrap();
    // The late 00 frame of the second of those fills: its own number, total 4.
    let mut late = fill("1", "0002", 2, dec!(70000));
    if let EventKind::Filled { fill } = &mut late {
        fill.cumulative_quantity = Some(4);
    }
    assert_eq!(order.apply(&late, at(3)).unwrap(), Applied::Duplicate);
    // The next fill, total 6, is new.
    let mut next = fill("1", "0003", 2, dec!(70000));
    if let EventKind::Filled { fill } = &mut next {
        fill.cumulative_quantity = Some(6);
    }
    assert!(matches!(
        order.apply(&next, at(4)).unwrap(),
        Applied::Recorded { .. }
    ));
    assert_eq!((order.filled_quantity, order.filled_of(&no("1"))), (6, 6));
}
