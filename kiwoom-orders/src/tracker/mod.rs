//! The order tracker: records intents before sending, sends through a [`Broker`], turns
//! realtime 00 frames into journal events, and reconciles the journal with Kiwoom's lists
//! (at start-up and after every WebSocket gap).

mod broker;
mod frame;
mod missed_fills;
mod reconcile;

use std::collections::HashSet;
use std::sync::Mutex;

use chrono::NaiveDate;
use rust_decimal::Decimal;

pub use broker::{Broker, BrokerError, BrokerFill, History, Placed};
pub use frame::{BalanceFrame, FrameKind, OrderFrame};
pub use reconcile::ReconcileReport;

use crate::error::JournalError;
use crate::event::{EventKind, EventSource, Fill, NewEvent};
use crate::ids::{ClientOrderId, OrderNo};
use crate::intent::{OrderIntent, Side, seoul};
use crate::journal::{AppendOutcome, Journal, OrderFilter};
use crate::ledger::Ledger;
use crate::matching::MatchWindow;
use crate::order::Order;
use crate::state::OrderState;

#[derive(Debug, thiserror::Error)]
pub enum TrackerError {
    #[error(transparent)]
    Journal(#[from] JournalError),
    #[error("broker query: {0}")]
    Broker(#[from] BrokerError),
    #[error("order {0} is not in the journal")]
    UnknownOrder(ClientOrderId),
    #[error("order {0} has no Kiwoom order number yet")]
    NoOrderNumber(ClientOrderId),
}

#[derive(Debug, Clone)]
pub struct TrackerConfig {
    pub match_window: MatchWindow,
    /// Average-price difference to Kiwoom's figure that is still "equal" (rounding).
    pub price_tolerance: Decimal,
}

impl Default for TrackerConfig {
    fn default() -> Self {
        Self {
            match_window: MatchWindow::default(),
            price_tolerance: Decimal::ONE,
        }
    }
}

/// What became of a realtime frame.
#[derive(Debug, Clone, PartialEq)]
pub enum FrameOutcome {
    /// Recorded; the order after it.
    Applied(Box<Order>),
    /// Already counted (a replayed or duplicated frame).
    Duplicate,
    /// The frame names an order number the journal does not know yet while an answer with
    /// the same terms is still in flight: kept and retried once that answer is recorded.
    Deferred,
}

pub struct Tracker<J, B> {
    ledger: Ledger<J>,
    broker: B,
    config: TrackerConfig,
    deferred: Mutex<Vec<OrderFrame>>,
    /// Orders with a request (place, amend, cancel) sent by this tracker and its answer not
    /// yet recorded: reconciliation must not read their open quantity from a list taken
    /// while the request was in flight.
    in_flight: Mutex<HashSet<ClientOrderId>>,
    /// One reconciliation at a time (start-up, a gap, the caller's): two running together
    /// would both see the same open quantity gone and both record it.
    reconciling: tokio::sync::Mutex<()>,
    /// Held while an order number no journal order has yet is given to one (a frame
    /// resolving an unknown order or adopting an order placed elsewhere; reconciliation
    /// matching unknown orders and adopting). Each such decision reads the journal, then
    /// writes: two of them interleaved once gave one number to two orders (a frame saw no
    /// unknown order left, because reconciliation had just matched it, and adopted the
    /// number as placed elsewhere: a stray `ext-` order, and the frame's error failed an
    /// unrelated `submit` whose deferred frames it was retrying).
    numbering: tokio::sync::Mutex<()>,
}

/// Marks an order as having a request in flight until dropped (also on an early return).
struct InFlight<'a> {
    set: &'a Mutex<HashSet<ClientOrderId>>,
    id: ClientOrderId,
}

impl<'a> InFlight<'a> {
    fn new(set: &'a Mutex<HashSet<ClientOrderId>>, id: &ClientOrderId) -> Self {
        set.lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(id.clone());
        Self {
            set,
            id: id.clone(),
        }
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.set
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&self.id);
    }
}

fn event(
    id: &ClientOrderId,
    source: EventSource,
    kind: EventKind,
    raw: serde_json::Value,
) -> NewEvent {
    NewEvent::new(id.clone(), source, kind).with_raw(raw)
}

impl<J: Journal, B: Broker> Tracker<J, B> {
    pub fn new(ledger: Ledger<J>, broker: B) -> Self {
        Self::with_config(ledger, broker, TrackerConfig::default())
    }

    pub fn with_config(ledger: Ledger<J>, broker: B, config: TrackerConfig) -> Self {
        Self {
            ledger,
            broker,
            config,
            deferred: Mutex::new(Vec::new()),
            in_flight: Mutex::new(HashSet::new()),
            reconciling: tokio::sync::Mutex::new(()),
            numbering: tokio::sync::Mutex::new(()),
        }
    }

    pub fn ledger(&self) -> &Ledger<J> {
        &self.ledger
    }

    pub fn broker(&self) -> &B {
        &self.broker
    }

    pub(crate) fn is_in_flight(&self, id: &ClientOrderId) -> bool {
        self.in_flight
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .contains(id)
    }

    /// Records the intent, then sends it once. A lost answer leaves the order `unknown` for
    /// reconciliation; it is never sent again.
    pub async fn submit(&self, intent: OrderIntent) -> Result<Order, TrackerError> {
        let id = intent.client_order_id.clone();
        let in_flight = InFlight::new(&self.in_flight, &id);
        self.ledger
            .record(NewEvent::submitted(intent.clone()))
            .await?;
        let answer = match self.broker.place(&intent).await {
            Ok(placed) => event(
                &id,
                EventSource::Answer,
                EventKind::Accepted {
                    order_no: placed.order_no,
                },
                placed.raw,
            ),
            Err(BrokerError::Rejected { code, message, raw }) => event(
                &id,
                EventSource::Answer,
                EventKind::Rejected {
                    code,
                    reason: message,
                },
                raw,
            ),
            Err(BrokerError::NotSent(reason)) => event(
                &id,
                EventSource::Answer,
                EventKind::Rejected {
                    code: Some("not_sent".into()),
                    reason,
                },
                serde_json::Value::Null,
            ),
            Err(BrokerError::OutcomeUnknown(reason) | BrokerError::Query(reason)) => {
                tracing::warn!(client_order_id = %id, %reason, "order outcome unknown; reconciliation will resolve it");
                event(
                    &id,
                    EventSource::Answer,
                    EventKind::OutcomeUnknown { reason },
                    serde_json::Value::Null,
                )
            }
        };
        let order = self.ledger.record(answer).await?.order().clone();
        drop(in_flight);
        self.retry_deferred().await;
        Ok(self.ledger.order(&id).await?.unwrap_or(order))
    }

    /// Amends the open part (or `quantity` of it) to `price`.
    pub async fn amend(
        &self,
        id: &ClientOrderId,
        quantity: Option<u64>,
        price: Option<Decimal>,
    ) -> Result<Order, TrackerError> {
        let _in_flight = InFlight::new(&self.in_flight, id);
        let order = self.current(id).await?;
        let orig = order
            .working_order_no()
            .cloned()
            .ok_or_else(|| TrackerError::NoOrderNumber(id.clone()))?;
        let quantity = quantity.unwrap_or(order.open_quantity());
        let request = EventKind::AmendRequested {
            orig_order_no: orig.clone(),
            quantity,
            price,
        };
        let order = self
            .ledger
            .record(event(
                id,
                EventSource::User,
                request,
                serde_json::Value::Null,
            ))
            .await?
            .order()
            .clone();
        let answer = match self.broker.amend(&order, &orig, quantity, price).await {
            Ok(p) => EventKind::Amended {
                order_no: p.order_no,
                orig_order_no: orig,
                quantity,
                price,
            },
            Err(BrokerError::Rejected { code, message, .. }) => EventKind::AmendRejected {
                code,
                reason: message,
            },
            Err(BrokerError::NotSent(reason)) => EventKind::AmendRejected {
                code: Some("not_sent".into()),
                reason,
            },
            Err(BrokerError::OutcomeUnknown(reason) | BrokerError::Query(reason)) => {
                EventKind::OutcomeUnknown { reason }
            }
        };
        self.record_answer(id, answer).await
    }

    /// Cancels the open part (or `quantity` of it).
    pub async fn cancel(
        &self,
        id: &ClientOrderId,
        quantity: Option<u64>,
    ) -> Result<Order, TrackerError> {
        let _in_flight = InFlight::new(&self.in_flight, id);
        let order = self.current(id).await?;
        let orig = order
            .working_order_no()
            .cloned()
            .ok_or_else(|| TrackerError::NoOrderNumber(id.clone()))?;
        let quantity = quantity.unwrap_or(order.open_quantity());
        let request = EventKind::CancelRequested {
            orig_order_no: orig.clone(),
            quantity,
        };
        let order = self
            .ledger
            .record(event(
                id,
                EventSource::User,
                request,
                serde_json::Value::Null,
            ))
            .await?
            .order()
            .clone();
        let answer = match self.broker.cancel(&order, &orig, quantity).await {
            Ok(p) => {
                let cancelled = p.quantity.unwrap_or(quantity).min(order.open_quantity());
                EventKind::Cancelled {
                    order_no: Some(p.order_no),
                    orig_order_no: orig,
                    quantity: cancelled,
                }
            }
            Err(BrokerError::Rejected { code, message, .. }) => EventKind::CancelRejected {
                code,
                reason: message,
            },
            Err(BrokerError::NotSent(reason)) => EventKind::CancelRejected {
                code: Some("not_sent".into()),
                reason,
            },
            Err(BrokerError::OutcomeUnknown(reason) | BrokerError::Query(reason)) => {
                EventKind::OutcomeUnknown { reason }
            }
        };
        self.record_answer(id, answer).await
    }

    /// Records the answer to an amend or cancel request. A lost answer on an order no longer
    /// waiting for it (a realtime frame or a reconciliation settled the request meanwhile:
    /// the amendment filled at once, say) leaves nothing to resolve: it is not recorded (the
    /// state machine refuses `unknown` outside amend-/cancel-pending).
    async fn record_answer(
        &self,
        id: &ClientOrderId,
        answer: EventKind,
    ) -> Result<Order, TrackerError> {
        let lost = matches!(answer, EventKind::OutcomeUnknown { .. });
        match self
            .ledger
            .record(event(
                id,
                EventSource::Answer,
                answer,
                serde_json::Value::Null,
            ))
            .await
        {
            Ok(outcome) => Ok(outcome.order().clone()),
            Err(JournalError::Model(crate::ModelError::Transition { state, .. }))
                if lost
                    && !matches!(state, OrderState::AmendPending | OrderState::CancelPending) =>
            {
                tracing::info!(client_order_id = %id, %state, "answer lost, but a frame or a reconciliation settled the request meanwhile");
                self.current(id).await
            }
            Err(e) => Err(e.into()),
        }
    }

    async fn current(&self, id: &ClientOrderId) -> Result<Order, TrackerError> {
        self.ledger
            .order(id)
            .await?
            .ok_or_else(|| TrackerError::UnknownOrder(id.clone()))
    }

    /// Records what a realtime 00 frame reports.
    pub async fn on_frame(&self, frame: OrderFrame) -> Result<FrameOutcome, TrackerError> {
        let journal = self.ledger.journal();
        let date = frame.at.with_timezone(&seoul()).date_naive();
        let mut order = journal
            .order_by_no(&frame.account, date, &frame.order_no)
            .await?;
        if order.is_none() {
            if let Some(orig) = &frame.orig_order_no {
                order = journal.order_by_no(&frame.account, date, orig).await?;
            }
        }
        if order.is_none() && !self.answer_in_flight(&frame, date).await? {
            // The answer may have been recorded between the lookup above and the in-flight
            // check (which then no longer sees a pending order): look again. Recording the
            // answer registers its number in the same transaction, so this second lookup
            // cannot miss it. The look and what follows from it hold `numbering`, so a
            // reconciliation cannot give the number to an unknown order in between.
            let _numbering = self.numbering.lock().await;
            order = journal
                .order_by_no(&frame.account, date, &frame.order_no)
                .await?;
            if order.is_none() {
                order = Some(self.unknown_or_adopted(&frame, date).await?);
            }
        }
        let order = match order {
            Some(order) => order,
            None => {
                let probe = frame.clone();
                self.deferred
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .push(frame);
                // The answer may have been recorded, and the deferred frames retried, between
                // the check and the push: then nobody else would retry this one.
                if !self.answer_in_flight(&probe, date).await? {
                    Box::pin(self.retry_deferred()).await;
                }
                return Ok(FrameOutcome::Deferred);
            }
        };
        let kind = frame_event(&order, &frame);
        match self
            .ledger
            .record(event(order.id(), EventSource::Realtime, kind, frame.raw))
            .await?
        {
            AppendOutcome::Appended { order, .. } => Ok(FrameOutcome::Applied(Box::new(order))),
            AppendOutcome::Duplicate { .. } => Ok(FrameOutcome::Duplicate),
        }
    }

    /// The order a frame with an unknown number belongs to when no answer is in flight: an
    /// unknown order of ours with its terms, else an order placed elsewhere (adopted).
    async fn unknown_or_adopted(
        &self,
        frame: &OrderFrame,
        date: NaiveDate,
    ) -> Result<Order, TrackerError> {
        Ok(match self.unknown_with_terms(frame, date).await? {
            // Ours, sent with its answer lost: the frame tells which order it became.
            Some(unknown) => self
                .ledger
                .record(event(
                    unknown.id(),
                    EventSource::Realtime,
                    EventKind::Matched {
                        order_no: frame.order_no.clone(),
                    },
                    frame.raw.clone(),
                ))
                .await?
                .order()
                .clone(),
            None => {
                self.adopt(
                    &frame.account,
                    &frame.order_no,
                    &frame.stock,
                    frame.side,
                    frame.order_quantity,
                    frame.order_price,
                    frame.at,
                    &frame.raw,
                )
                .await?
            }
        })
    }

    /// Compares a realtime balance frame (04) with the journal's position of that stock.
    /// A difference is returned and logged, never written over the journal: the journal
    /// says what its fills add up to, Kiwoom what it holds, and a gap between them is news
    /// (a fill still to come on 00, a fill missed, an order placed elsewhere).
    pub async fn on_balance(
        &self,
        frame: &BalanceFrame,
    ) -> Result<Option<crate::position::PositionDifference>, TrackerError> {
        let ours = self
            .ledger
            .journal()
            .position(&frame.account, &frame.stock)
            .await?
            .unwrap_or_else(|| crate::position::Position::flat(&frame.account, &frame.stock));
        let difference = ours.compare(&frame.position, self.config.price_tolerance);
        if let Some(d) = &difference {
            tracing::warn!(
                account = %d.account,
                stock = %d.stock,
                journal_quantity = d.journal_quantity,
                broker_quantity = d.broker_quantity,
                "realtime balance (04) differs from the journal's position"
            );
        }
        Ok(difference)
    }

    /// An order of ours with the frame's terms has no answer yet (the 00 frame overtook it).
    async fn answer_in_flight(
        &self,
        frame: &OrderFrame,
        date: NaiveDate,
    ) -> Result<bool, TrackerError> {
        if frame.orig_order_no.is_some() {
            return Ok(false);
        }
        let pending = self
            .ledger
            .journal()
            .orders(
                &OrderFilter::in_state(OrderState::PendingNew)
                    .account(frame.account.clone())
                    .trade_date(date),
            )
            .await?;
        Ok(pending.iter().any(|o| {
            o.intent.stock == frame.stock
                && o.intent.side == frame.side
                && o.intent.quantity == frame.order_quantity
        }))
    }

    /// The oldest order of ours whose outcome is unknown, not yet numbered, with the terms
    /// of a new order's frame (account, stock, side, quantity, price) and its intent inside
    /// the match window around the frame's time: the order the lost answer would have
    /// numbered. Matching by terms is what reconciliation does too (`resolve_unknowns`).
    async fn unknown_with_terms(
        &self,
        frame: &OrderFrame,
        date: NaiveDate,
    ) -> Result<Option<Order>, TrackerError> {
        if frame.orig_order_no.is_some() {
            return Ok(None);
        }
        let window = self.config.match_window;
        let unknown = self
            .ledger
            .journal()
            .orders(
                &OrderFilter::in_state(OrderState::Unknown)
                    .account(frame.account.clone())
                    .trade_date(date),
            )
            .await?;
        Ok(unknown.into_iter().find(|o| {
            let i = &o.intent;
            o.order_nos.is_empty()
                && i.stock == frame.stock
                && i.side == frame.side
                && i.quantity == frame.order_quantity
                && i.price.filter(|p| !p.is_zero()) == frame.order_price
                && frame.at >= i.created_at - window.before
                && frame.at <= i.created_at + window.after
        }))
    }

    /// Applies the deferred frames again. A frame that fails is logged and left to
    /// reconciliation (which finds what it reported in Kiwoom's lists), and the others are
    /// still applied: the frames are not the caller's (a `submit` retries whatever waited,
    /// not only its own order's), so their failure must not fail it — an order whose
    /// answer was recorded would be reported to its caller as not submitted.
    async fn retry_deferred(&self) {
        let frames = std::mem::take(&mut *self.deferred.lock().unwrap_or_else(|p| p.into_inner()));
        for frame in frames {
            let order_no = frame.order_no.clone();
            if let Err(error) = Box::pin(self.on_frame(frame)).await {
                tracing::warn!(%order_no, %error, "deferred 00 frame not recorded; the next reconciliation will repair it");
            }
        }
    }

    /// An order Kiwoom reports that this journal never sent (another terminal, another
    /// program): recorded so its fills and the position are not lost.
    #[allow(clippy::too_many_arguments)]
    async fn adopt(
        &self,
        account: &str,
        order_no: &OrderNo,
        stock: &str,
        side: Side,
        quantity: u64,
        price: Option<Decimal>,
        at: chrono::DateTime<chrono::Utc>,
        raw: &serde_json::Value,
    ) -> Result<Order, TrackerError> {
        let date = at.with_timezone(&seoul()).date_naive();
        let id = ClientOrderId::new(format!("ext-{account}-{date}-{order_no}"))
            .map_err(JournalError::from)?;
        let intent = OrderIntent::new(
            account,
            stock,
            side,
            quantity.max(1),
            price.filter(|p| !p.is_zero()),
        )
        .map_err(JournalError::from)?
        .with_client_order_id(id.clone())
        .with_created_at(at);
        tracing::info!(%account, %order_no, %stock, "adopting an order placed outside this journal");
        self.ledger
            .record(event(
                &id,
                EventSource::Realtime,
                EventKind::Submitted { intent },
                raw.clone(),
            ))
            .await?;
        let accepted = EventKind::Accepted {
            order_no: order_no.clone(),
        };
        Ok(self
            .ledger
            .record(event(&id, EventSource::Realtime, accepted, raw.clone()))
            .await?
            .order()
            .clone())
    }
}

fn frame_event(order: &Order, frame: &OrderFrame) -> EventKind {
    let orig = frame
        .orig_order_no
        .clone()
        .unwrap_or_else(|| frame.order_no.clone());
    match &frame.kind {
        FrameKind::Accepted => EventKind::Accepted {
            order_no: frame.order_no.clone(),
        },
        FrameKind::Filled {
            fill_no,
            quantity,
            price,
            cumulative,
        } => {
            // 938/939 are the order's running totals: this fill's share is the increase.
            let share = |total: Option<Decimal>, so_far: Decimal| {
                total.map(|t| (t - so_far).max(Decimal::ZERO))
            };
            EventKind::Filled {
                fill: Fill {
                    order_no: frame.order_no.clone(),
                    fill_no: fill_no.clone(),
                    quantity: *quantity,
                    price: *price,
                    fee: share(frame.cumulative_fee, order.fees),
                    tax: share(frame.cumulative_tax, order.taxes),
                    filled_at: frame.at,
                    venue: frame.venue.clone(),
                    cumulative_quantity: *cumulative,
                },
            }
        }
        FrameKind::Amended { quantity, price } => EventKind::Amended {
            order_no: frame.order_no.clone(),
            orig_order_no: orig,
            quantity: *quantity,
            price: *price,
        },
        FrameKind::Cancelled { quantity } => EventKind::Cancelled {
            // A cancel order has its own number; the exchange cancelling the rest of an
            // order (at the close) reports the order's own number and no original.
            order_no: frame
                .orig_order_no
                .is_some()
                .then(|| frame.order_no.clone()),
            orig_order_no: orig,
            quantity: *quantity,
        },
        FrameKind::Rejected { reason } => EventKind::Rejected {
            code: None,
            reason: reason.clone(),
        },
        FrameKind::AmendRejected { reason } => EventKind::AmendRejected {
            code: None,
            reason: reason.clone(),
        },
        FrameKind::CancelRejected { reason } => EventKind::CancelRejected {
            code: None,
            reason: reason.clone(),
        },
    }
}
