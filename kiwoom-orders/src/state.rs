//! Order states and the transition table.
//!
//! ```text
//!                      submitted
//!                          │
//!                          ▼
//!   ┌────────────── pending-new ───────────────┐
//!   │ rejected      │ accepted    │ outcome     │ filled (fill before answer)
//!   ▼               ▼             │ unknown     ▼
//! rejected      accepted ◄────────┼──────── partially-filled ──► filled
//!   ▲               │  ▲          ▼              ▲   │
//!   │               │  │       unknown ─ matched ┘   │
//!   │               │  │          │ not placed       │
//!   │               │  │          ▼                  │
//!   │               │  │      not-placed             │
//!   │  amend requested │ amend rejected / amended    │ cancel requested
//!   │               ▼  │                             ▼
//!   │          amend-pending ──► amended       cancel-pending ──► cancelled
//!   │                              (live)        │ cancel rejected → back to live
//!   └── (accepted, no fill yet: a late 00 reject)
//! ```
//!
//! "Live" states are accepted, amended and partially-filled: which one is computed from the
//! quantities (any fill → partially-filled, an accepted amendment → amended). An order closes
//! when its open quantity reaches 0: filled if everything filled, cancelled otherwise.
//!
//! The table, row = current state, column = event; `live` = recompute the live state from the
//! quantities (closing the order when nothing is open), `keep` = stay (closing the order when
//! nothing is open), `-` = ignored (a late or duplicated answer, recorded but no change),
//! `x` = impossible: an error, the event is not appended.
//!
//! | state \ event    | accepted | rejected | unknown | filled | amend req | amended | amend rej | cancel req | cancelled | cancel rej | matched | not placed |
//! |------------------|----------|----------|---------|--------|-----------|---------|-----------|------------|-----------|------------|---------|------------|
//! | pending-new      | accepted | rejected | unknown | live   | x         | x       | x         | x          | x         | x          | live    | x          |
//! | unknown          | live     | rejected | -       | live   | x         | x       | x         | x          | x         | x          | live    | not-placed |
//! | accepted/amended/partially-filled | - | rejected¹ | x | live | amend-pending | live | - | cancel-pending | live | - | - | x |
//! | amend-pending    | -        | x        | keep²   | keep   | x         | live    | live      | x          | keep      | -          | -       | x          |
//! | cancel-pending   | -        | x        | keep²   | keep   | x         | keep    | -         | x          | live      | live       | -       | x          |
//! | filled           | -        | x        | x       | x³     | x         | x       | -         | x          | x         | -          | -       | x          |
//! | cancelled        | -        | x        | x       | x³     | x         | x       | -         | x          | x         | -          | -       | x          |
//! | rejected         | x        | -        | x       | x      | x         | x       | x         | x          | x         | x          | x       | x          |
//! | not-placed       | x        | x        | x       | x      | x         | x       | x         | x          | x         | x          | x       | x          |
//!
//! ¹ only before any fill (the exchange can refuse an order Kiwoom accepted).
//! ² the answer to the amend or cancel request was lost; the request stays pending until a
//!   realtime frame or a query says what happened.
//! ³ nothing is open any more, so a new fill is an overfill error (a fill seen before is
//!   recognised by its key first and ignored). A fill racing a cancel is still counted: a
//!   cancel confirmation carries the quantity Kiwoom actually cancelled, so the order stays
//!   live (open > 0) until the racing fill arrives and closes it as cancelled.
//! Amended and cancelled events on a live order come from outside the tracker (another
//! terminal, the exchange closing the day); they are applied, not refused.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::event::EventKind;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderState {
    PendingNew,
    Accepted,
    PartiallyFilled,
    Filled,
    AmendPending,
    CancelPending,
    Amended,
    Cancelled,
    Rejected,
    Unknown,
    NotPlaced,
}

impl OrderState {
    pub const ALL: [OrderState; 11] = [
        OrderState::PendingNew,
        OrderState::Accepted,
        OrderState::PartiallyFilled,
        OrderState::Filled,
        OrderState::AmendPending,
        OrderState::CancelPending,
        OrderState::Amended,
        OrderState::Cancelled,
        OrderState::Rejected,
        OrderState::Unknown,
        OrderState::NotPlaced,
    ];

    /// States in which the order may still trade (or may have reached the market).
    pub const OPEN: [OrderState; 7] = [
        OrderState::PendingNew,
        OrderState::Accepted,
        OrderState::PartiallyFilled,
        OrderState::AmendPending,
        OrderState::CancelPending,
        OrderState::Amended,
        OrderState::Unknown,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OrderState::PendingNew => "pending_new",
            OrderState::Accepted => "accepted",
            OrderState::PartiallyFilled => "partially_filled",
            OrderState::Filled => "filled",
            OrderState::AmendPending => "amend_pending",
            OrderState::CancelPending => "cancel_pending",
            OrderState::Amended => "amended",
            OrderState::Cancelled => "cancelled",
            OrderState::Rejected => "rejected",
            OrderState::Unknown => "unknown",
            OrderState::NotPlaced => "not_placed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|state| state.as_str() == s)
    }

    pub fn is_open(self) -> bool {
        Self::OPEN.contains(&self)
    }

    pub fn is_terminal(self) -> bool {
        !self.is_open()
    }

    fn is_live(self) -> bool {
        matches!(
            self,
            OrderState::Accepted | OrderState::Amended | OrderState::PartiallyFilled
        )
    }
}

impl fmt::Display for OrderState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What an event does to the state, before quantities are looked at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Step {
    /// Go to this state.
    To(OrderState),
    /// Recompute the live state from the quantities (close the order when nothing is open).
    Live,
    /// Stay, but close the order when nothing is open.
    Keep,
    /// A late or duplicated answer: recorded, no change.
    Ignore,
    /// Only before any fill: go to rejected.
    RejectIfUnfilled,
    /// Impossible.
    Invalid,
}

/// The transition table above, as code. `Submitted` is only valid as the first event and is
/// handled by the order itself.
pub(crate) fn step(from: OrderState, event: &EventKind) -> Step {
    use EventKind as E;
    use OrderState as S;
    match (from, event) {
        (_, E::Submitted { .. }) => Step::Invalid,

        (S::PendingNew, E::Accepted { .. }) => Step::To(S::Accepted),
        (S::PendingNew, E::Rejected { .. }) => Step::To(S::Rejected),
        (S::PendingNew, E::OutcomeUnknown { .. }) => Step::To(S::Unknown),
        (S::PendingNew, E::Filled { .. } | E::Matched { .. }) => Step::Live,
        (S::PendingNew, _) => Step::Invalid,

        (S::Unknown, E::Accepted { .. } | E::Matched { .. } | E::Filled { .. }) => Step::Live,
        (S::Unknown, E::Rejected { .. }) => Step::To(S::Rejected),
        (S::Unknown, E::OutcomeUnknown { .. }) => Step::Ignore,
        (S::Unknown, E::NotPlaced { .. }) => Step::To(S::NotPlaced),
        (S::Unknown, _) => Step::Invalid,

        (s, e) if s.is_live() => match e {
            E::Accepted { .. } | E::Matched { .. } => Step::Ignore,
            E::AmendRejected { .. } | E::CancelRejected { .. } => Step::Ignore,
            E::Rejected { .. } => Step::RejectIfUnfilled,
            E::Filled { .. } | E::Amended { .. } | E::Cancelled { .. } => Step::Live,
            E::AmendRequested { .. } => Step::To(S::AmendPending),
            E::CancelRequested { .. } => Step::To(S::CancelPending),
            _ => Step::Invalid,
        },

        (S::AmendPending, e) => match e {
            E::Accepted { .. } | E::Matched { .. } | E::CancelRejected { .. } => Step::Ignore,
            E::OutcomeUnknown { .. } | E::Filled { .. } | E::Cancelled { .. } => Step::Keep,
            E::Amended { .. } | E::AmendRejected { .. } => Step::Live,
            _ => Step::Invalid,
        },

        (S::CancelPending, e) => match e {
            E::Accepted { .. } | E::Matched { .. } | E::AmendRejected { .. } => Step::Ignore,
            E::OutcomeUnknown { .. } | E::Filled { .. } | E::Amended { .. } => Step::Keep,
            E::Cancelled { .. } | E::CancelRejected { .. } => Step::Live,
            _ => Step::Invalid,
        },

        (S::Filled | S::Cancelled, e) => match e {
            E::Accepted { .. } | E::Matched { .. } => Step::Ignore,
            E::AmendRejected { .. } | E::CancelRejected { .. } => Step::Ignore,
            E::Filled { .. } => Step::Keep,
            _ => Step::Invalid,
        },

        (S::Rejected, E::Rejected { .. }) => Step::Ignore,
        (S::Rejected | S::NotPlaced, _) => Step::Invalid,

        // Live states are handled by the guard above; this arm is never reached but keeps
        // the match exhaustive without a panic.
        (S::Accepted | S::Amended | S::PartiallyFilled, _) => Step::Invalid,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for state in OrderState::ALL {
            assert_eq!(OrderState::parse(state.as_str()), Some(state));
        }
        assert_eq!(OrderState::parse("nope"), None);
    }

    #[test]
    fn open_and_terminal_partition_the_states() {
        let terminal: Vec<_> = OrderState::ALL
            .into_iter()
            .filter(|s| s.is_terminal())
            .collect();
        assert_eq!(
            terminal,
            [
                OrderState::Filled,
                OrderState::Cancelled,
                OrderState::Rejected,
                OrderState::NotPlaced
            ]
        );
    }
}
