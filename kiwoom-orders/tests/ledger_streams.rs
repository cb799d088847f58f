//! Streams of order and position updates, including a consumer too slow for the channel
//! and a caller that abandons an append, and the query API, on both backends.

mod common;

use common::*;
use futures::StreamExt;
use kiwoom_orders::{EventKind, EventSource, Journal, Ledger, NewEvent, OrderState, Side};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

async fn next<S: futures::Stream + Unpin>(s: &mut S) -> S::Item {
    tokio::time::timeout(std::time::Duration::from_secs(5), s.next())
        .await
        .expect("an update in time")
        .expect("stream open")
}

async fn updates_follow_every_append<J: Journal>(j: J) {
    let ledger = Ledger::new(j);
    let mut orders = Box::pin(ledger.order_updates());
    let mut positions = Box::pin(ledger.position_updates());
    ledger
        .record(NewEvent::submitted(intent(
            "s-1",
            Side::Buy,
            "005930",
            5,
            dec!(70000),
        )))
        .await
        .unwrap();
    ledger.record(accepted("s-1", "501")).await.unwrap();
    ledger
        .record(fill("s-1", "501", "1", 2, dec!(70000)))
        .await
        .unwrap();
    ledger
        .record(fill("s-1", "501", "1", 2, dec!(70000)))
        .await
        .unwrap(); // duplicate: no update
    ledger
        .record(fill("s-1", "501", "2", 3, dec!(70100)))
        .await
        .unwrap();

    let mut states = Vec::new();
    for _ in 0..4 {
        let u = next(&mut orders).await.unwrap();
        states.push((u.event.kind.name(), u.order.state));
    }
    assert_eq!(
        states,
        [
            ("submitted", OrderState::PendingNew),
            ("accepted", OrderState::Accepted),
            ("filled", OrderState::PartiallyFilled),
            ("filled", OrderState::Filled)
        ]
    );
    let quantities = [
        next(&mut positions).await.unwrap().position.quantity,
        next(&mut positions).await.unwrap().position.quantity,
    ];
    assert_eq!(quantities, [2, 5]);
    // Nothing more was published: the duplicate made no update.
    assert!(
        tokio::time::timeout(std::time::Duration::from_millis(100), orders.next())
            .await
            .is_err()
    );

    let open = ledger.open_orders(ACCOUNT).await.unwrap();
    assert!(open.is_empty(), "the filled order is not open");
    let order = ledger.order(&id("s-1")).await.unwrap().unwrap();
    let fills = ledger
        .fills_of_day(ACCOUNT, order.trade_date())
        .await
        .unwrap();
    assert_eq!(
        fills.iter().map(|f| f.fill.quantity).collect::<Vec<_>>(),
        [2, 3]
    );
    let p = ledger.position(ACCOUNT, "005930").await.unwrap().unwrap();
    assert_eq!((p.quantity, p.average_price), (5, dec!(70060)));
    assert_eq!(ledger.positions(ACCOUNT).await.unwrap(), vec![p]);
}

async fn a_slow_consumer_loses_nothing<J: Journal>(j: J) {
    let ledger = Ledger::with_capacity(j, 2);
    let mut orders = Box::pin(ledger.order_updates());
    let mut positions = Box::pin(ledger.position_updates());
    ledger
        .record(NewEvent::submitted(intent(
            "slow",
            Side::Buy,
            "000660",
            40,
            dec!(180000),
        )))
        .await
        .unwrap();
    ledger.record(accepted("slow", "601")).await.unwrap();
    for f in 0..40 {
        ledger
            .record(fill(
                "slow",
                "601",
                &f.to_string(),
                1,
                Decimal::from(180000 + f),
            ))
            .await
            .unwrap();
    }
    // Nobody read while 42 updates went out through a channel of 2.
    let mut seqs = Vec::new();
    for _ in 0..42 {
        seqs.push(next(&mut orders).await.unwrap().event.seq);
    }
    assert!(
        seqs.windows(2).all(|w| w[0] < w[1]),
        "in order, no repeats: {seqs:?}"
    );
    let events = ledger.journal().events(&id("slow")).await.unwrap();
    assert_eq!(
        seqs,
        events.iter().map(|e| e.seq).collect::<Vec<_>>(),
        "every event, once"
    );
    let mut fills_seen = 0;
    for _ in 0..40 {
        let u = next(&mut positions).await.unwrap();
        fills_seen += 1;
        assert!(u.position.quantity >= 1);
    }
    assert_eq!(fills_seen, 40);

    // And live again afterwards.
    ledger
        .record(NewEvent::new(
            id("slow"),
            EventSource::User,
            EventKind::AmendRequested {
                orig_order_no: no("601"),
                quantity: 0,
                price: None,
            },
        ))
        .await
        .unwrap_err(); // filled: refused, nothing published
    ledger
        .record(NewEvent::submitted(intent(
            "after",
            Side::Sell,
            "000660",
            1,
            dec!(1),
        )))
        .await
        .unwrap();
    assert_eq!(next(&mut orders).await.unwrap().order.id(), &id("after"));
}

/// A caller that stops waiting for `record` (a timeout, an aborted task) after the append
/// began: the event is still recorded and published, so a stream that is not lagging, and
/// so never reads the journal, still sees it.
async fn an_abandoned_record_is_still_published<J: Journal>(j: J) {
    let ledger = Ledger::new(j);
    let mut orders = Box::pin(ledger.order_updates());
    let submitted = NewEvent::submitted(intent("gone", Side::Buy, "005930", 3, dec!(70000)));
    {
        let mut abandoned = Box::pin(ledger.record(submitted));
        // Polled once (the append is under way), then dropped.
        assert!(futures::poll!(abandoned.as_mut()).is_pending());
    }
    ledger.record(accepted("gone", "701")).await.unwrap();
    let first = next(&mut orders).await.unwrap();
    let second = next(&mut orders).await.unwrap();
    assert_eq!(
        (first.event.kind.name(), second.event.kind.name()),
        ("submitted", "accepted")
    );
    let stored: Vec<i64> = ledger
        .journal()
        .events(&id("gone"))
        .await
        .unwrap()
        .iter()
        .map(|e| e.seq)
        .collect();
    assert_eq!(stored, [first.event.seq, second.event.seq]);
}

macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite_backend {
            use super::*;
            $(
                #[tokio::test]
                async fn $name() {
                    let (journal, _dir) = sqlite().await;
                    super::$name(journal).await;
                }
            )*
        }
        mod postgres_backend {
            use super::*;
            $(
                #[tokio::test]
                async fn $name() {
                    let Some(journal) = postgres(stringify!($name)).await else { return };
                    super::$name(journal.clone()).await;
                    journal.drop_schema().await.unwrap();
                }
            )*
        }
    };
}

on_both_backends!(
    updates_follow_every_append,
    a_slow_consumer_loses_nothing,
    an_abandoned_record_is_still_published
);
