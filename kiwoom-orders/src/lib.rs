//! Order tracking for kiwoom-rs: an event-sourced order journal.
//!
//! Every change of an order is an appended [`OrderEvent`] with its [`EventSource`] and the raw
//! payload it came from; an [`Order`] is the fold of its events (the transition table is in
//! [`state`]); fills are keyed by [`FillKey`] so a replayed realtime frame counts once;
//! [`Position`]s are derived from fills. See `design/order-journal.md`.

pub mod error;
pub mod event;
pub mod ids;
pub mod intent;
pub mod journal;
pub mod kiwoom;
pub mod ledger;
pub mod matching;
pub mod metrics;
pub mod order;
pub mod position;
pub mod state;
pub mod tracker;

pub use error::{JournalError, ModelError};
pub use event::{EventKind, EventSource, Fill, NewEvent, OrderEvent};
pub use ids::{ClientOrderId, FillKey, OrderNo};
pub use intent::{CreditTerms, Market, OrderIntent, Side};
pub use journal::{
    AppendOutcome, FillRecord, Journal, OrderFilter, PostgresJournal, SqliteDurability,
    SqliteJournal,
};
#[cfg(feature = "kiwoom")]
pub use kiwoom::{Followed, KiwoomBroker};
pub use ledger::{Ledger, OrderUpdate, PositionUpdate};
pub use matching::{BrokerOrder, MatchWindow, Resolution, resolve_unknowns};
pub use order::{Applied, Order};
pub use position::{BrokerPosition, ExecutionKey, Position, PositionDifference};
pub use state::OrderState;
pub use tracker::{
    BalanceFrame, Broker, BrokerError, BrokerFill, FrameKind, FrameOutcome, History, OrderFrame,
    Placed, ReconcileReport, Tracker, TrackerConfig, TrackerError,
};
