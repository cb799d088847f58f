//! The part of an append that does not touch storage: check the event against the current
//! snapshot and compute what to write. Both backends run it inside their transaction.

use chrono::{DateTime, Utc};

use crate::error::JournalError;
use crate::event::{EventKind, Fill, NewEvent};
use crate::ids::OrderNo;
use crate::order::{Applied, Order};

pub(crate) struct Plan {
    /// True when the event is the intent and the order row must be created.
    pub is_new: bool,
    pub order: Order,
    pub new_order_nos: Vec<OrderNo>,
    pub fill: Option<Fill>,
}

pub(crate) enum Planned {
    Write(Box<Plan>),
    Duplicate(Box<Order>),
}

pub(crate) fn plan(
    current: Option<Order>,
    event: &NewEvent,
    now: DateTime<Utc>,
) -> Result<Planned, JournalError> {
    let id = &event.client_order_id;
    let (order, is_new) = match (current, &event.kind) {
        (Some(_), EventKind::Submitted { .. }) => {
            return Err(JournalError::DuplicateClientOrderId(id.clone()));
        }
        (None, EventKind::Submitted { intent }) => {
            if &intent.client_order_id != id {
                return Err(crate::ModelError::WrongOrder {
                    id: id.clone(),
                    other: intent.client_order_id.clone(),
                }
                .into());
            }
            intent.validate()?;
            (Order::start(intent.clone(), now), true)
        }
        (None, _) => return Err(JournalError::UnknownOrder(id.clone())),
        (Some(mut order), kind) => {
            // Checked inside the append's transaction, with the order's row locked
            // (PostgreSQL) or the database (SQLite): no other writer can slip in between.
            if let Some(expected) = event.expected_version.filter(|v| *v != order.version) {
                return Err(JournalError::VersionConflict {
                    id: id.clone(),
                    expected,
                    actual: order.version,
                });
            }
            let known: Vec<OrderNo> = order.order_nos.clone();
            match order.apply(kind, now)? {
                Applied::Duplicate => return Ok(Planned::Duplicate(Box::new(order))),
                Applied::Recorded { .. } => {}
            }
            let new_order_nos = order
                .order_nos
                .iter()
                .filter(|n| !known.contains(n))
                .cloned()
                .collect();
            let fill = match kind {
                EventKind::Filled { fill } => Some(fill.clone()),
                _ => None,
            };
            return Ok(Planned::Write(Box::new(Plan {
                is_new: false,
                order,
                new_order_nos,
                fill,
            })));
        }
    };
    Ok(Planned::Write(Box::new(Plan {
        is_new,
        order,
        new_order_nos: Vec::new(),
        fill: None,
    })))
}
