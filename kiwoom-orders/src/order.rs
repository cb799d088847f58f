//! The order aggregate: the state of one order, computed by folding its events.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::error::ModelError;
use crate::event::{EventKind, Fill, OrderEvent};
use crate::ids::{ClientOrderId, FillKey, OrderNo};
use crate::intent::OrderIntent;
use crate::state::{OrderState, Step, step};

/// One order as the journal knows it. Only `apply` changes it, so a snapshot and a replay
/// of the same events are always equal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Order {
    pub intent: OrderIntent,
    pub state: OrderState,
    /// Kiwoom's numbers for this order: the original first, then one per amendment.
    pub order_nos: Vec<OrderNo>,
    /// The price the open part rests at (the last amendment's, else the intent's).
    pub price: Option<Decimal>,
    pub filled_quantity: u64,
    pub cancelled_quantity: u64,
    /// The part of `cancelled_quantity` recorded without a cancel order number: seen gone
    /// by reconciliation, or cancelled by the exchange. A numbered confirmation that comes
    /// later (a 00 frame still queued while reconciliation ran, a late answer) confirms this
    /// quantity rather than cancelling more.
    #[serde(default)]
    pub unnumbered_cancelled: u64,
    /// Sum of price × quantity over the fills, for the average fill price.
    pub filled_value: Decimal,
    pub fees: Decimal,
    pub taxes: Decimal,
    /// (order number, fill number) of every fill counted, so none is counted twice.
    pub fill_keys: BTreeSet<(OrderNo, String)>,
    /// Filled quantity per order number (an amended order fills under several numbers).
    #[serde(default)]
    pub filled_by_no: BTreeMap<OrderNo, u64>,
    /// An amendment was accepted.
    pub amended: bool,
    /// The numbers of the confirmed amendments, in order. The last one (else the original
    /// number) is the order's working number: the one a further amend or cancel names. A
    /// cancel order's own number is in `order_nos` but never here: it cannot be amended.
    #[serde(default)]
    pub amend_nos: Vec<OrderNo>,
    /// Why the order was rejected or not placed, or why its outcome is unknown.
    pub reason: Option<String>,
    /// Number of events applied (the `order_seq` of the last one).
    pub version: i64,
    pub updated_at: DateTime<Utc>,
}

/// What applying an event did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applied {
    /// The event is recorded; the state went from `from` to `to` (possibly equal).
    Recorded { from: OrderState, to: OrderState },
    /// Already counted: a fill with the same order and fill number, or an amendment or
    /// cancellation confirmed under an order number the order already has (the REST answer
    /// and the realtime frame both confirm it). Nothing changes, nothing is recorded.
    Duplicate,
}

impl Order {
    /// The order as it is right after its intent is recorded.
    pub fn start(intent: OrderIntent, at: DateTime<Utc>) -> Self {
        Self {
            price: intent.price,
            intent,
            state: OrderState::PendingNew,
            order_nos: Vec::new(),
            filled_quantity: 0,
            cancelled_quantity: 0,
            unnumbered_cancelled: 0,
            filled_value: Decimal::ZERO,
            fees: Decimal::ZERO,
            taxes: Decimal::ZERO,
            fill_keys: BTreeSet::new(),
            filled_by_no: BTreeMap::new(),
            amended: false,
            amend_nos: Vec::new(),
            reason: None,
            version: 1,
            updated_at: at,
        }
    }

    /// Rebuilds an order from its stored events, the first being its intent.
    pub fn from_events<'a>(
        events: impl IntoIterator<Item = &'a OrderEvent>,
    ) -> Result<Option<Self>, ModelError> {
        let mut order: Option<Order> = None;
        for event in events {
            match (&mut order, &event.kind) {
                (None, EventKind::Submitted { intent }) => {
                    order = Some(Order::start(intent.clone(), event.recorded_at))
                }
                (None, kind) => {
                    return Err(ModelError::NotStarted {
                        id: event.client_order_id.clone(),
                        event: kind.name(),
                    });
                }
                (Some(order), kind) => {
                    if event.client_order_id != order.intent.client_order_id {
                        return Err(ModelError::WrongOrder {
                            id: order.intent.client_order_id.clone(),
                            other: event.client_order_id.clone(),
                        });
                    }
                    order.apply(kind, event.recorded_at)?;
                }
            }
        }
        Ok(order)
    }

    pub fn id(&self) -> &ClientOrderId {
        &self.intent.client_order_id
    }

    pub fn trade_date(&self) -> NaiveDate {
        self.intent.trade_date()
    }

    /// Quantity still working (or possibly working, for an unknown order).
    pub fn open_quantity(&self) -> u64 {
        self.intent
            .quantity
            .saturating_sub(self.filled_quantity + self.cancelled_quantity)
    }

    /// The number a further amend or cancel names: the last confirmed amendment's, else the
    /// original's. `None` before Kiwoom has numbered the order.
    pub fn working_order_no(&self) -> Option<&OrderNo> {
        self.amend_nos.last().or_else(|| self.order_nos.first())
    }

    /// Quantity filled under one of the order's numbers.
    pub fn filled_of(&self, order_no: &OrderNo) -> u64 {
        self.filled_by_no.get(order_no).copied().unwrap_or(0)
    }

    pub fn average_fill_price(&self) -> Option<Decimal> {
        (self.filled_quantity > 0).then(|| self.filled_value / Decimal::from(self.filled_quantity))
    }

    /// The journal-wide key of one of this order's fills.
    pub fn fill_key(&self, fill: &Fill) -> FillKey {
        FillKey {
            account: self.intent.account.clone(),
            trade_date: self.trade_date(),
            order_no: fill.order_no.clone(),
            fill_no: fill.fill_no.clone(),
        }
    }

    /// Applies one event after the intent. On error nothing changes.
    pub fn apply(&mut self, kind: &EventKind, at: DateTime<Utc>) -> Result<Applied, ModelError> {
        if self.already_counted(kind) {
            return Ok(Applied::Duplicate);
        }
        let from = self.state;
        let invalid = || ModelError::Transition {
            id: self.id().clone(),
            state: from,
            event: kind.name(),
        };
        let step = match step(from, kind) {
            Step::Invalid => return Err(invalid()),
            Step::RejectIfUnfilled if self.filled_quantity > 0 => return Err(invalid()),
            Step::RejectIfUnfilled => Step::To(OrderState::Rejected),
            other => other,
        };
        self.check_quantities(kind)?;

        // Everything is checked: from here on the event is applied.
        self.apply_quantities(kind);
        if let Some(no) = kind.order_no() {
            if !self.order_nos.contains(no) {
                self.order_nos.push(no.clone());
            }
        }
        match kind {
            EventKind::Rejected { reason, .. }
            | EventKind::OutcomeUnknown { reason }
            | EventKind::NotPlaced { reason } => self.reason = Some(reason.clone()),
            _ => {}
        }
        self.state = match step {
            Step::To(state) => state,
            Step::Live => self.live_state(),
            Step::Keep if self.open_quantity() == 0 => self.closed_state(),
            Step::Keep | Step::Ignore | Step::Invalid | Step::RejectIfUnfilled => from,
        };
        self.version += 1;
        self.updated_at = at;
        Ok(Applied::Recorded {
            from,
            to: self.state,
        })
    }

    fn already_counted(&self, kind: &EventKind) -> bool {
        match kind {
            EventKind::Filled { fill } => {
                self.fill_keys
                    .contains(&(fill.order_no.clone(), fill.fill_no.clone()))
                    || fill
                        .cumulative_quantity
                        .is_some_and(|total| total <= self.filled_of(&fill.order_no))
            }
            // An amendment confirmed twice (REST answer and realtime frame) counts once. Its
            // number may already be known from a fill under it that overtook the
            // confirmation: while the amendment is pending that is no reason to ignore it.
            EventKind::Amended { order_no, .. } => {
                self.amend_nos.contains(order_no)
                    || (self.order_nos.contains(order_no) && self.state != OrderState::AmendPending)
            }
            // A cancellation confirmed twice counts once; so does a confirmation, on an order
            // already closed, of quantity recorded as cancelled without its number.
            EventKind::Cancelled {
                order_no: Some(order_no),
                quantity,
                ..
            } => {
                self.order_nos.contains(order_no)
                    || (self.state.is_terminal() && *quantity <= self.unnumbered_cancelled)
            }
            _ => false,
        }
    }

    fn check_quantities(&self, kind: &EventKind) -> Result<(), ModelError> {
        let extra = match kind {
            EventKind::Filled { fill } => {
                if fill.quantity == 0 {
                    return Err(ModelError::EmptyFill {
                        order_no: fill.order_no.clone(),
                        fill_no: fill.fill_no.clone(),
                    });
                }
                fill.quantity
            }
            EventKind::Cancelled {
                quantity, order_no, ..
            } => quantity - self.confirmed_by(order_no.as_ref(), *quantity),
            // An amendment moves open quantity to a new number; what already filled under
            // that number (a fill that overtook the confirmation) is no longer open.
            EventKind::Amended {
                quantity, order_no, ..
            } => quantity.saturating_sub(self.filled_of(order_no)),
            _ => return Ok(()),
        };
        if extra > self.open_quantity() {
            return Err(ModelError::Overfill {
                id: self.id().clone(),
                event: kind.name(),
                quantity: self.intent.quantity,
                filled: self.filled_quantity,
                cancelled: self.cancelled_quantity,
                extra,
            });
        }
        Ok(())
    }

    fn apply_quantities(&mut self, kind: &EventKind) {
        match kind {
            EventKind::Filled { fill } => {
                self.fill_keys
                    .insert((fill.order_no.clone(), fill.fill_no.clone()));
                *self.filled_by_no.entry(fill.order_no.clone()).or_default() += fill.quantity;
                self.filled_quantity += fill.quantity;
                self.filled_value += fill.price * Decimal::from(fill.quantity);
                self.fees += fill.fee.unwrap_or_default();
                self.taxes += fill.tax.unwrap_or_default();
            }
            EventKind::Cancelled {
                quantity, order_no, ..
            } => {
                let confirmed = self.confirmed_by(order_no.as_ref(), *quantity);
                self.unnumbered_cancelled -= confirmed;
                self.cancelled_quantity += quantity - confirmed;
                if order_no.is_none() {
                    self.unnumbered_cancelled += quantity;
                }
            }
            EventKind::Amended {
                price, order_no, ..
            } => {
                self.amended = true;
                if !self.amend_nos.contains(order_no) {
                    self.amend_nos.push(order_no.clone());
                }
                if price.is_some() {
                    self.price = *price;
                }
            }
            _ => {}
        }
    }

    /// How much of a numbered cancellation of `quantity` confirms quantity already recorded
    /// as cancelled without a number (0 for an unnumbered one).
    fn confirmed_by(&self, order_no: Option<&OrderNo>, quantity: u64) -> u64 {
        match order_no {
            Some(_) => quantity.min(self.unnumbered_cancelled),
            None => 0,
        }
    }

    fn closed_state(&self) -> OrderState {
        if self.filled_quantity == self.intent.quantity {
            OrderState::Filled
        } else {
            OrderState::Cancelled
        }
    }

    fn live_state(&self) -> OrderState {
        if self.open_quantity() == 0 {
            self.closed_state()
        } else if self.filled_quantity > 0 {
            OrderState::PartiallyFilled
        } else if self.amended {
            OrderState::Amended
        } else {
            OrderState::Accepted
        }
    }
}
