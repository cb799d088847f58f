//! The journal: where events are appended and snapshots, fills and positions are kept.
//!
//! [`Journal`] is the storage contract; [`SqliteJournal`] (the default, one file, zero set-up)
//! and [`PostgresJournal`] (several processes or machines on one account) implement it with
//! the same rules: every append is one transaction that checks the event against the order's
//! state, appends it, updates the order snapshot, registers order numbers, inserts the fill
//! under its unique key and updates the position — all or nothing.

mod migrations;
mod plan;
mod postgres;
mod sqlite;

use std::collections::HashSet;
use std::future::Future;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

pub use postgres::PostgresJournal;
pub use sqlite::{SqliteDurability, SqliteJournal};

use crate::error::JournalError;
use crate::event::{Fill, NewEvent, OrderEvent};
use crate::ids::{ClientOrderId, FillKey, OrderNo};
use crate::intent::Side;
use crate::order::Order;
use crate::position::Position;
use crate::state::OrderState;

/// What an append did.
// One value per append, moved straight to the caller: boxing the larger variant would only
// add an allocation.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AppendOutcome {
    /// The event is stored; `order` is the snapshot after it, `position` the position after
    /// the event's fill (if it was a fill).
    Appended {
        event: OrderEvent,
        order: Order,
        position: Option<Position>,
    },
    /// Already counted: a fill with the same key (account, date, order and fill number), or
    /// an amendment or cancellation already confirmed under its order number. Nothing was
    /// stored. `order` is the unchanged snapshot.
    Duplicate { order: Order },
}

impl AppendOutcome {
    pub fn order(&self) -> &Order {
        match self {
            AppendOutcome::Appended { order, .. } | AppendOutcome::Duplicate { order } => order,
        }
    }
}

/// A stored fill with what it belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FillRecord {
    pub key: FillKey,
    pub client_order_id: ClientOrderId,
    pub stock: String,
    pub side: Side,
    pub fill: Fill,
    /// The journal sequence number of the event that recorded it.
    pub event_seq: i64,
}

/// Which orders a query wants. Empty fields match everything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrderFilter {
    pub account: Option<String>,
    pub states: Vec<OrderState>,
    pub trade_date: Option<NaiveDate>,
}

impl OrderFilter {
    /// Orders that may still trade (including those whose outcome is unknown).
    pub fn open() -> Self {
        Self {
            states: OrderState::OPEN.to_vec(),
            ..Self::default()
        }
    }

    pub fn in_state(state: OrderState) -> Self {
        Self {
            states: vec![state],
            ..Self::default()
        }
    }

    pub fn states(mut self, states: Vec<OrderState>) -> Self {
        self.states = states;
        self
    }

    pub fn account(mut self, account: impl Into<String>) -> Self {
        self.account = Some(account.into());
        self
    }

    pub fn trade_date(mut self, date: NaiveDate) -> Self {
        self.trade_date = Some(date);
        self
    }
}

/// Storage of orders, events, fills and positions.
///
/// Appends must be atomic and serialised per order (across processes, for a shared store);
/// a fill key must be unique in the whole store; events are never updated or deleted.
pub trait Journal: Send + Sync + 'static {
    /// Appends one event. A `Submitted` event (the intent) creates the order and is refused
    /// with [`JournalError::DuplicateClientOrderId`] if the id exists: write the intent
    /// before sending, and an order can never be sent twice under one id.
    fn append(
        &self,
        event: NewEvent,
    ) -> impl Future<Output = Result<AppendOutcome, JournalError>> + Send;

    /// The order's current snapshot.
    fn order(
        &self,
        id: &ClientOrderId,
    ) -> impl Future<Output = Result<Option<Order>, JournalError>> + Send;

    /// The order Kiwoom numbered `order_no` on `trade_date` in `account`.
    fn order_by_no(
        &self,
        account: &str,
        trade_date: NaiveDate,
        order_no: &OrderNo,
    ) -> impl Future<Output = Result<Option<Order>, JournalError>> + Send;

    /// Orders matching the filter, oldest intent first.
    fn orders(
        &self,
        filter: &OrderFilter,
    ) -> impl Future<Output = Result<Vec<Order>, JournalError>> + Send;

    /// Every event of one order, in order.
    fn events(
        &self,
        id: &ClientOrderId,
    ) -> impl Future<Output = Result<Vec<OrderEvent>, JournalError>> + Send;

    /// Events with a sequence number above `after`, at most `limit`, in sequence order.
    fn events_after(
        &self,
        after: i64,
        limit: usize,
    ) -> impl Future<Output = Result<Vec<OrderEvent>, JournalError>> + Send;

    /// Fills of a trading day, optionally of one account, in the order they were recorded.
    fn fills(
        &self,
        account: Option<&str>,
        trade_date: NaiveDate,
    ) -> impl Future<Output = Result<Vec<FillRecord>, JournalError>> + Send;

    fn position(
        &self,
        account: &str,
        stock: &str,
    ) -> impl Future<Output = Result<Option<Position>, JournalError>> + Send;

    fn positions(
        &self,
        account: &str,
    ) -> impl Future<Output = Result<Vec<Position>, JournalError>> + Send;

    /// Order numbers already given to some order (so reconciliation never matches one twice).
    fn claimed_order_nos(
        &self,
        account: &str,
        trade_date: NaiveDate,
    ) -> impl Future<Output = Result<HashSet<OrderNo>, JournalError>> + Send;

    /// The order rebuilt from its events alone, ignoring the stored snapshot.
    fn rebuild(
        &self,
        id: &ClientOrderId,
    ) -> impl Future<Output = Result<Option<Order>, JournalError>> + Send {
        async move {
            let events = self.events(id).await?;
            Ok(Order::from_events(&events)?)
        }
    }
}

/// Now, to the microsecond: what both databases store, so a snapshot taken at append time
/// equals the order rebuilt from the stored events.
pub(crate) fn now() -> chrono::DateTime<chrono::Utc> {
    use chrono::SubsecRound;
    chrono::Utc::now().trunc_subsecs(6)
}

pub(crate) fn to_json<T: Serialize>(value: &T) -> String {
    // Our own types serialise infallibly (no maps with non-string keys, no failing impls).
    serde_json::to_string(value)
        .unwrap_or_else(|e| format!("{{\"serialize_error\":{:?}}}", e.to_string()))
}

pub(crate) fn from_json<T: serde::de::DeserializeOwned>(
    what: &'static str,
    text: &str,
) -> Result<T, JournalError> {
    serde_json::from_str(text).map_err(|source| JournalError::Decode { what, source })
}
