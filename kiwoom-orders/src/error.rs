//! Errors of the pure model (ids, intents, transitions) and of the journal.

use crate::ids::{ClientOrderId, OrderNo};
use crate::state::OrderState;

/// A value or an event the model cannot accept. Returned, never panicked on: a strange frame
/// from the server must not bring the tracker down.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ModelError {
    #[error("invalid client order id {0:?} (1..=64 printable characters)")]
    InvalidClientOrderId(String),
    #[error("invalid order number {0:?}")]
    InvalidOrderNo(String),
    #[error("invalid order intent: {0}")]
    InvalidIntent(String),
    #[error("order {id}: event {event} is impossible in state {state}")]
    Transition {
        id: ClientOrderId,
        state: OrderState,
        event: &'static str,
    },
    #[error(
        "order {id}: {event} would take filled {filled} + cancelled {cancelled} + {extra} above the order quantity {quantity}"
    )]
    Overfill {
        id: ClientOrderId,
        event: &'static str,
        quantity: u64,
        filled: u64,
        cancelled: u64,
        extra: u64,
    },
    #[error("order {id}: the first event must be the intent (submitted), got {event}")]
    NotStarted {
        id: ClientOrderId,
        event: &'static str,
    },
    #[error("order {id}: event belongs to order {other}")]
    WrongOrder {
        id: ClientOrderId,
        other: ClientOrderId,
    },
    #[error("fill {fill_no} of order {order_no} has quantity 0")]
    EmptyFill { order_no: OrderNo, fill_no: String },
}

/// A journal failure.
#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    #[error(transparent)]
    Model(#[from] ModelError),
    #[error(
        "client order id {0} is already in the journal; the intent is not recorded (or sent) twice"
    )]
    DuplicateClientOrderId(ClientOrderId),
    #[error("no order {0} in the journal")]
    UnknownOrder(ClientOrderId),
    #[error(
        "order number {order_no} of account {account} on {trade_date} already belongs to order {owner}"
    )]
    OrderNoTaken {
        account: String,
        trade_date: chrono::NaiveDate,
        order_no: OrderNo,
        owner: ClientOrderId,
    },
    #[error("order {id} has version {actual}, the event expected {expected}; not recorded")]
    VersionConflict {
        id: ClientOrderId,
        expected: i64,
        actual: i64,
    },
    #[error("sqlite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("postgres: {0}{detail}", detail = .0.as_db_error().map(|d| format!(": {}", d.message())).unwrap_or_default())]
    Postgres(#[from] tokio_postgres::Error),
    #[error("stored data does not decode ({what}): {source}")]
    Decode {
        what: &'static str,
        source: serde_json::Error,
    },
    #[error("journal schema: {0}")]
    Schema(String),
    #[error("journal worker thread failed: {0}")]
    Worker(String),
}
