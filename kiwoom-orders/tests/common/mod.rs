//! Helpers shared by the journal tests: events, and the two backends (PostgreSQL on a unique
//! schema per test, skipped with a message when KIWOOM_TEST_POSTGRES_URL is unset, except on
//! CI where that is a failure).

#![allow(dead_code)] // each test file uses a different subset

use std::sync::atomic::{AtomicU32, Ordering};

use chrono::{DateTime, Utc};
use kiwoom_orders::{
    ClientOrderId, EventKind, EventSource, Fill, NewEvent, OrderIntent, OrderNo, PostgresJournal,
    Side, SqliteJournal,
};
use rust_decimal::Decimal;

pub const ACCOUNT: &str = "81234567";

pub fn at(s: i64) -> DateTime<Utc> {
    // 2026-12-02 01:00 UTC = 10:00 in Seoul, a trading morning.
    DateTime::from_timestamp(1_796_173_200 + s, 0).unwrap()
}

pub fn no(n: &str) -> OrderNo {
    OrderNo::new(n).unwrap()
}

pub fn intent(id: &str, side: Side, stock: &str, quantity: u64, price: Decimal) -> OrderIntent {
    OrderIntent::new(ACCOUNT, stock, side, quantity, Some(price))
        .unwrap()
        .with_client_order_id(ClientOrderId::new(id).unwrap())
        .with_created_at(at(0))
}

pub fn id(s: &str) -> ClientOrderId {
    ClientOrderId::new(s).unwrap()
}

pub fn event(order: &str, source: EventSource, kind: EventKind) -> NewEvent {
    NewEvent::new(id(order), source, kind).with_raw(serde_json::json!({"test": kind_name(source)}))
}

fn kind_name(source: EventSource) -> &'static str {
    source.as_str()
}

pub fn accepted(order: &str, order_no: &str) -> NewEvent {
    event(
        order,
        EventSource::Answer,
        EventKind::Accepted {
            order_no: no(order_no),
        },
    )
}

pub fn fill(order: &str, order_no: &str, fill_no: &str, quantity: u64, price: Decimal) -> NewEvent {
    event(
        order,
        EventSource::Realtime,
        EventKind::Filled {
            fill: Fill {
                order_no: no(order_no),
                fill_no: fill_no.into(),
                quantity,
                price,
                fee: Some(Decimal::from(15)),
                tax: None,
                filled_at: at(5),
                venue: Some("KRX".into()),
                cumulative_quantity: None,
            },
        },
    )
}

pub async fn sqlite() -> (SqliteJournal, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let journal = SqliteJournal::open(dir.path().join("journal.db"))
        .await
        .unwrap();
    (journal, dir)
}

/// The PostgreSQL URL, or `None` (with a message) when the tests are to be skipped.
pub fn postgres_url() -> Option<String> {
    match std::env::var("KIWOOM_TEST_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            if std::env::var("CI").is_ok_and(|v| v == "true") {
                panic!(
                    "KIWOOM_TEST_POSTGRES_URL not set, and CI=true: the PostgreSQL tests must run on CI"
                );
            }
            eprintln!("skipped: KIWOOM_TEST_POSTGRES_URL not set");
            None
        }
    }
}

/// A schema name no other test (or test run) uses.
pub fn unique_schema(test: &str) -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    let test: String = test.chars().take(24).collect();
    format!(
        "ot_{test}_{}_{}_{}",
        std::process::id(),
        nanos,
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

pub async fn postgres(test: &str) -> Option<PostgresJournal> {
    let url = postgres_url()?;
    Some(
        PostgresJournal::connect_schema(&url, &unique_schema(test))
            .await
            .expect("connect to the test PostgreSQL"),
    )
}
pub mod child;
pub mod market;
#[cfg(feature = "kiwoom")]
pub mod sim;
