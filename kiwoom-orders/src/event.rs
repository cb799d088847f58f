//! Order events: every change of an order is one appended event, with where it came from and
//! the raw payload it was read from.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::ids::{ClientOrderId, OrderNo};
use crate::intent::OrderIntent;

/// Where an event was learnt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventSource {
    /// The REST answer to our own request.
    Answer,
    /// A realtime frame (type 00 order/fill, 04 balance).
    Realtime,
    /// A reconciliation query (ka10075, ka10076, kt00009, kt00018).
    Query,
    /// The user (an intent, an amend or cancel request).
    User,
}

impl EventSource {
    pub fn as_str(self) -> &'static str {
        match self {
            EventSource::Answer => "answer",
            EventSource::Realtime => "realtime",
            EventSource::Query => "query",
            EventSource::User => "user",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "answer" => EventSource::Answer,
            "realtime" => EventSource::Realtime,
            "query" => EventSource::Query,
            "user" => EventSource::User,
            _ => return None,
        })
    }
}

/// One execution reported by Kiwoom.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fill {
    /// The order number the execution belongs to (after an amend, the amending order's).
    pub order_no: OrderNo,
    /// Kiwoom's fill number (`cntr_no`); with the order number, what makes the fill unique.
    pub fill_no: String,
    pub quantity: u64,
    pub price: Decimal,
    /// Commission, when the source carries it.
    pub fee: Option<Decimal>,
    /// Transaction tax, when the source carries it.
    pub tax: Option<Decimal>,
    pub filled_at: DateTime<Utc>,
    /// Venue that executed it (KRX, NXT), when known.
    pub venue: Option<String>,
    /// The order number's filled quantity after this fill, when the source says it
    /// (00 `911`, a query's total). A fill whose total is already covered is counted once
    /// even under another fill number (a query caught up before the realtime frame came).
    #[serde(default)]
    pub cumulative_quantity: Option<u64>,
}

/// What happened to an order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EventKind {
    /// The intent, written before the order is sent.
    Submitted { intent: OrderIntent },
    /// Kiwoom accepted the order and gave it a number.
    Accepted { order_no: OrderNo },
    /// Kiwoom refused the order.
    Rejected {
        code: Option<String>,
        reason: String,
    },
    /// The request may have reached Kiwoom but no answer came: never resent, resolved later.
    OutcomeUnknown { reason: String },
    /// An execution.
    Filled { fill: Fill },
    /// The user asked to change price or quantity of the open part.
    AmendRequested {
        orig_order_no: OrderNo,
        quantity: u64,
        price: Option<Decimal>,
    },
    /// Kiwoom moved `quantity` of the open part to a new order number at `price`.
    Amended {
        order_no: OrderNo,
        orig_order_no: OrderNo,
        quantity: u64,
        price: Option<Decimal>,
    },
    AmendRejected {
        code: Option<String>,
        reason: String,
    },
    /// The user asked to cancel `quantity` of the open part.
    CancelRequested {
        orig_order_no: OrderNo,
        quantity: u64,
    },
    /// Kiwoom cancelled `quantity` of the open part (by our request, another terminal, or the
    /// exchange at the close).
    Cancelled {
        order_no: Option<OrderNo>,
        orig_order_no: OrderNo,
        quantity: u64,
    },
    CancelRejected {
        code: Option<String>,
        reason: String,
    },
    /// Reconciliation found the server's order for an order whose outcome was unknown.
    Matched { order_no: OrderNo },
    /// Reconciliation found Kiwoom's history without this order: it was never placed.
    NotPlaced { reason: String },
}

impl EventKind {
    /// The kind's name as stored and as shown in errors.
    pub fn name(&self) -> &'static str {
        match self {
            EventKind::Submitted { .. } => "submitted",
            EventKind::Accepted { .. } => "accepted",
            EventKind::Rejected { .. } => "rejected",
            EventKind::OutcomeUnknown { .. } => "outcome_unknown",
            EventKind::Filled { .. } => "filled",
            EventKind::AmendRequested { .. } => "amend_requested",
            EventKind::Amended { .. } => "amended",
            EventKind::AmendRejected { .. } => "amend_rejected",
            EventKind::CancelRequested { .. } => "cancel_requested",
            EventKind::Cancelled { .. } => "cancelled",
            EventKind::CancelRejected { .. } => "cancel_rejected",
            EventKind::Matched { .. } => "matched",
            EventKind::NotPlaced { .. } => "not_placed",
        }
    }

    /// The order number this event gives the order, if any.
    pub fn order_no(&self) -> Option<&OrderNo> {
        match self {
            EventKind::Accepted { order_no } | EventKind::Matched { order_no } => Some(order_no),
            EventKind::Amended { order_no, .. } => Some(order_no),
            EventKind::Filled { fill } => Some(&fill.order_no),
            EventKind::Cancelled { order_no, .. } => order_no.as_ref(),
            _ => None,
        }
    }
}

/// An event to append. The journal gives it its sequence numbers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewEvent {
    pub client_order_id: ClientOrderId,
    pub source: EventSource,
    pub kind: EventKind,
    /// The payload the event was read from (a REST body, a 00 frame), kept for audits.
    pub raw: serde_json::Value,
    /// Append only if the order still has this version (its number of events): a
    /// conclusion drawn from one snapshot (reconciliation: "this open quantity vanished") is
    /// refused with [`JournalError::VersionConflict`](crate::JournalError::VersionConflict)
    /// once someone else has changed the order, instead of being applied to a newer one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_version: Option<i64>,
}

impl NewEvent {
    pub fn new(client_order_id: ClientOrderId, source: EventSource, kind: EventKind) -> Self {
        Self {
            client_order_id,
            source,
            kind,
            raw: serde_json::Value::Null,
            expected_version: None,
        }
    }

    /// See [`NewEvent::expected_version`].
    pub fn expecting_version(mut self, version: i64) -> Self {
        self.expected_version = Some(version);
        self
    }

    pub fn with_raw(mut self, raw: serde_json::Value) -> Self {
        self.raw = raw;
        self
    }

    /// The intent as the first event of its order.
    pub fn submitted(intent: OrderIntent) -> Self {
        Self::new(
            intent.client_order_id.clone(),
            EventSource::User,
            EventKind::Submitted { intent },
        )
    }
}

/// An event as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderEvent {
    /// Journal-wide sequence number, increasing in append order.
    pub seq: i64,
    pub client_order_id: ClientOrderId,
    /// Position of the event in its order's history, from 1.
    pub order_seq: i64,
    pub source: EventSource,
    pub kind: EventKind,
    pub raw: serde_json::Value,
    pub recorded_at: DateTime<Utc>,
}
