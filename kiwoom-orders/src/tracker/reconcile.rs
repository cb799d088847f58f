//! Reconciliation: make the journal agree with Kiwoom's lists of the day, by appending what
//! it missed (never by rewriting what it has), and report what still differs.

use std::collections::HashMap;

use chrono::NaiveDate;

use super::missed_fills::missed_fills;
use super::{Broker, Tracker, TrackerError, event};
use crate::error::{JournalError, ModelError};
use crate::event::{EventKind, EventSource};
use crate::ids::{ClientOrderId, OrderNo};
use crate::journal::{AppendOutcome, Journal, OrderFilter};
use crate::matching::{Resolution, resolve_unknowns};
use crate::order::Order;
use crate::position::{Position, PositionDifference};
use crate::state::OrderState;

/// What a reconciliation did and found.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReconcileReport {
    /// Unknown orders found on the server.
    pub matched: Vec<(ClientOrderId, OrderNo)>,
    /// Unknown orders the history shows were never placed.
    pub not_placed: Vec<ClientOrderId>,
    /// Unknown orders the history cannot decide yet.
    pub undecided: Vec<ClientOrderId>,
    /// Fills the journal had missed.
    pub fills_added: usize,
    /// Amendments the journal had missed.
    pub amendments_added: usize,
    /// Orders whose open quantity Kiwoom no longer has open (cancelled elsewhere, expired,
    /// or a cancel confirmation lost), with the quantity recorded as cancelled.
    pub cancelled: Vec<(ClientOrderId, u64)>,
    /// Orders Kiwoom reports that the journal never sent.
    pub adopted: Vec<ClientOrderId>,
    /// Orders left with no answer by a process that stopped (pending-new), recorded as
    /// unknown before matching.
    pub orphaned: Vec<ClientOrderId>,
    /// Amend or cancel requests whose answer never came and whose effect Kiwoom's lists do
    /// not show (recorded as refused: the order is live again).
    pub requests_refused: Vec<ClientOrderId>,
    /// Positions where the journal and Kiwoom's holdings disagree.
    pub differences: Vec<PositionDifference>,
}

/// The appends a reconciliation made itself, per order, so that an order changed only by
/// this reconciliation (a missed fill added, an amendment recorded) still counts as
/// unchanged since Kiwoom's lists were taken.
#[derive(Default)]
struct Own(HashMap<ClientOrderId, i64>);

impl Own {
    /// Appends what reconciliation concluded, or `None` when the journal refuses it because
    /// the order moved on after this run read it: another process sharing the journal (its
    /// answer, its 00 frame, its own reconciliation) or a frame or answer of this process
    /// was recorded in between, so the event no longer fits (the order closed, the request
    /// was settled, the number was claimed). Reconciliation judged a state that is gone:
    /// the event is dropped and the next run judges the order again. Before this, such a
    /// race failed the whole reconciliation (found by `tests/tracker_two_processes.rs`:
    /// both processes recorded the same vanished open quantity as cancelled; the second
    /// append was refused, and the rest of that run was lost).
    async fn record<J: Journal>(
        &mut self,
        ledger: &crate::ledger::Ledger<J>,
        event: crate::event::NewEvent,
    ) -> Result<Option<AppendOutcome>, TrackerError> {
        let id = event.client_order_id.clone();
        let what = event.kind.name();
        let outcome = match ledger.record(event).await {
            Ok(outcome) => outcome,
            Err(
                e @ (JournalError::Model(
                    ModelError::Transition { .. } | ModelError::Overfill { .. },
                )
                | JournalError::OrderNoTaken { .. }
                | JournalError::VersionConflict { .. }),
            ) => {
                tracing::info!(client_order_id = %id, event = what, error = %e, "order changed while reconciling; left to the next reconciliation");
                return Ok(None);
            }
            Err(e) => return Err(e.into()),
        };
        if let AppendOutcome::Appended { .. } = &outcome {
            *self.0.entry(id).or_default() += 1;
        }
        Ok(Some(outcome))
    }

    /// The order's version is what it was before the lists, plus this run's own appends.
    fn unchanged_since(&self, before: &HashMap<ClientOrderId, i64>, order: &Order) -> bool {
        before
            .get(order.id())
            .is_some_and(|v| v + self.0.get(order.id()).copied().unwrap_or(0) == order.version)
    }
}

impl<J: Journal, B: Broker> Tracker<J, B> {
    /// Reconciles one account's trading day. Run it at start-up (orders left open by a
    /// previous run) and after every WebSocket gap.
    pub async fn reconcile(
        &self,
        account: &str,
        trade_date: NaiveDate,
    ) -> Result<ReconcileReport, TrackerError> {
        let _one_at_a_time = self.reconciling.lock().await;
        let mut report = ReconcileReport::default();
        // An order sent from here on may be missing from Kiwoom's lists.
        let started = crate::journal::now();
        let journal = self.ledger.journal();
        let day = OrderFilter::default()
            .account(account)
            .trade_date(trade_date);
        // The orders as they were before Kiwoom's lists were taken: step 4 only judges an
        // order no one but this reconciliation has changed since (see `Own`).
        let before: HashMap<ClientOrderId, i64> = journal
            .orders(&day)
            .await?
            .into_iter()
            .map(|o| (o.id().clone(), o.version))
            .collect();
        let mut own = Own::default();
        let history = self.broker.history(account, trade_date).await?;

        // 0. Orders sent with no answer recorded and no request in flight here: the
        //    process that sent them stopped (a crash) or the answer could not be recorded.
        //    Their outcome is unknown; step 1 resolves them.
        //    Another process sharing the journal (PostgreSQL, or one SQLite file) has its
        //    own requests in flight, which this tracker cannot see: an order is judged
        //    orphaned only once it has waited longer than a request can be in flight (the
        //    match window's `after`, as for amend/cancel requests in step 4). Before this,
        //    a reconciliation here marked the other process's order unknown while its answer
        //    was on the way, and could then match it by terms to an identical order's
        //    server number (found by `tests/tracker_two_processes.rs`: the append raced the
        //    answer and failed the whole reconciliation).
        let orphan_before = started - self.config.match_window.after;
        for order in journal
            .orders(&day.clone().states(vec![OrderState::PendingNew]))
            .await?
        {
            if self.is_in_flight(order.id()) || order.updated_at >= orphan_before {
                continue;
            }
            let kind = EventKind::OutcomeUnknown {
                reason:
                    "no answer recorded; the request may have been sent by a process that stopped"
                        .into(),
            };
            // `None`: the answer was recorded after the list above was read (a slow
            // process, still alive): no longer pending-new, nothing to resolve.
            if own
                .record(
                    self.ledger(),
                    event(
                        order.id(),
                        EventSource::Query,
                        kind,
                        serde_json::Value::Null,
                    ),
                )
                .await?
                .is_some()
            {
                report.orphaned.push(order.id().clone());
            }
        }

        // Steps 1 to 3 give unclaimed numbers to orders (matching unknown orders, adopting):
        // no frame of this tracker may do the same in between (see `Tracker::numbering`).
        let numbering = self.numbering.lock().await;

        // 1. Unknown orders: matched to a server order, or not placed. An unknown order
        //    whose terms are also those of an order still waiting for its answer stays
        //    undecided (`resolve_unknowns`): the server order may be that one's. The orders
        //    are read before the claimed numbers, so an answer recorded in between is seen
        //    either as a waiting order or as a claimed number.
        let orders = journal.orders(&day).await?;
        let claimed = journal.claimed_order_nos(account, trade_date).await?;
        for (id, resolution) in resolve_unknowns(
            &orders,
            &history.orders,
            &claimed,
            self.config.match_window,
            history.as_of,
        ) {
            let kind = match &resolution {
                Resolution::Matched(order_no) => EventKind::Matched {
                    order_no: order_no.clone(),
                },
                Resolution::NotPlaced => EventKind::NotPlaced {
                    reason: format!("not in Kiwoom's order history as of {}", history.as_of),
                },
                Resolution::Undecided => {
                    report.undecided.push(id);
                    continue;
                }
            };
            if own
                .record(
                    self.ledger(),
                    event(&id, EventSource::Query, kind, serde_json::Value::Null),
                )
                .await?
                .is_none()
            {
                continue;
            }
            match resolution {
                Resolution::Matched(order_no) => report.matched.push((id, order_no)),
                _ => report.not_placed.push(id),
            }
        }

        // 2. Amendments the journal missed: a server order amending one of ours.
        for server in &history.orders {
            let Some(orig) = &server.orig_order_no else {
                continue;
            };
            let Some(order) = journal.order_by_no(account, trade_date, orig).await? else {
                continue;
            };
            if order.state != OrderState::AmendPending || order.amend_nos.contains(&server.order_no)
            {
                continue; // a cancel order, an amend of an order not waiting for one, or known
            }
            // The number may be known already, from a fill under it that overtook the lost
            // confirmation, but only as this order's.
            if journal
                .order_by_no(account, trade_date, &server.order_no)
                .await?
                .is_some_and(|other| other.id() != order.id())
            {
                continue;
            }
            let kind = EventKind::Amended {
                order_no: server.order_no.clone(),
                orig_order_no: orig.clone(),
                quantity: server.quantity.min(order.open_quantity()),
                price: server.price,
            };
            if let Some(AppendOutcome::Appended { .. }) = own
                .record(
                    self.ledger(),
                    event(
                        order.id(),
                        EventSource::Query,
                        kind,
                        serde_json::Value::Null,
                    ),
                )
                .await?
            {
                report.amendments_added += 1;
            }
        }

        // 3. Fills the journal missed (dropped 00 frames, a gap, a crash), per order number:
        //    each execution row the journal lacks, with its own number, price and time (see
        //    `missed_fills`, which falls back to quantities when the rows are not one per
        //    execution).
        let mut by_no: Vec<(&OrderNo, Vec<&crate::tracker::BrokerFill>)> = Vec::new();
        let mut index: HashMap<&OrderNo, usize> = HashMap::new();
        for f in &history.fills {
            let i = *index.entry(&f.order_no).or_insert_with(|| {
                by_no.push((&f.order_no, Vec::new()));
                by_no.len() - 1
            });
            by_no[i].1.push(f);
        }
        // Orders of ours that may still turn out to be any server number: waiting for their
        // answer, or unknown (an answer lost after step 1 ran).
        let pending = journal
            .orders(
                &day.clone()
                    .states(vec![OrderState::PendingNew, OrderState::Unknown]),
            )
            .await?;
        for (order_no, rows) in by_no {
            let first = rows[0];
            let order = match journal.order_by_no(account, trade_date, order_no).await? {
                Some(order) => order,
                // An order of ours with these terms still waits for its answer or is unknown:
                // the number may be its own. Adopting it now would make the order twice; the
                // answer or the next reconciliation decides.
                None if pending.iter().any(|o| {
                    o.intent.stock == first.stock
                        && o.intent.side == first.side
                        && o.intent.quantity == first.order_quantity
                }) =>
                {
                    continue;
                }
                None => {
                    let order = self
                        .adopt(
                            account,
                            order_no,
                            &first.stock,
                            first.side,
                            first.order_quantity,
                            first.order_price,
                            first.filled_at,
                            &first.raw,
                        )
                        .await?;
                    report.adopted.push(order.id().clone());
                    order
                }
            };
            let fills = missed_fills(&order, order_no, &rows);
            for (fill, raw) in fills {
                let kind = EventKind::Filled { fill };
                if let Some(AppendOutcome::Appended { .. }) = own
                    .record(
                        self.ledger(),
                        event(order.id(), EventSource::Query, kind, raw),
                    )
                    .await?
                {
                    report.fills_added += 1;
                }
            }
        }

        drop(numbering);

        // 4. Open quantity Kiwoom no longer has open, and amend/cancel requests whose
        //    answer never came. `history.open` is listed before the fills, so a fill
        //    landing in between cannot pass for a cancellation.
        let open_on_server: HashMap<&OrderNo, u64> =
            history.open.iter().map(|(no, q)| (no, *q)).collect();
        let live = [
            OrderState::Accepted,
            OrderState::Amended,
            OrderState::PartiallyFilled,
            OrderState::CancelPending,
            OrderState::AmendPending,
        ];
        // A request older than this had all the time it can spend in flight: if Kiwoom's
        // lists do not show its effect, it did not take effect.
        let settled = history.as_of - self.config.match_window.after;
        for mut order in journal
            .orders(&day)
            .await?
            .into_iter()
            .filter(|o| live.contains(&o.state))
        {
            if self.is_in_flight(order.id()) || !own.unchanged_since(&before, &order) {
                // A request in flight, or a change by someone else after the lists were
                // taken (an order accepted since, an amendment, a 00 frame): the lists may
                // predate it. The next reconciliation decides.
                continue;
            }
            if order.state == OrderState::AmendPending {
                // Step 2 found no amendment of it in the history.
                if order.updated_at > settled {
                    continue; // it may still be in flight elsewhere; the next run decides
                }
                let kind = EventKind::AmendRejected {
                    code: Some("not_found".into()),
                    reason: format!("no amendment in Kiwoom's history as of {}", history.as_of),
                };
                let Some(outcome) = own
                    .record(
                        self.ledger(),
                        event(
                            order.id(),
                            EventSource::Query,
                            kind,
                            serde_json::Value::Null,
                        ),
                    )
                    .await?
                else {
                    continue;
                };
                order = outcome.order().clone();
                report.requests_refused.push(order.id().clone());
            }
            let server_open: u64 = order
                .order_nos
                .iter()
                .filter_map(|no| open_on_server.get(no))
                .sum();
            let gone = order.open_quantity().saturating_sub(server_open);
            if gone == 0 {
                if order.state == OrderState::CancelPending && order.updated_at <= settled {
                    // Everything still open: the cancel did not take effect.
                    let kind = EventKind::CancelRejected {
                        code: Some("not_found".into()),
                        reason: format!(
                            "the order is still open in Kiwoom's lists as of {}",
                            history.as_of
                        ),
                    };
                    if own
                        .record(
                            self.ledger(),
                            event(
                                order.id(),
                                EventSource::Query,
                                kind,
                                serde_json::Value::Null,
                            ),
                        )
                        .await?
                        .is_some()
                    {
                        report.requests_refused.push(order.id().clone());
                    }
                }
                continue;
            }
            let Some(orig) = order.working_order_no().cloned() else {
                continue;
            };
            let kind = EventKind::Cancelled {
                order_no: None,
                orig_order_no: orig,
                quantity: gone,
            };
            // Only onto the order as judged: another process's reconciliation may record the
            // same vanished quantity between the read above and this append. A part cancel
            // leaves the order live, so the state machine would accept it twice (the whole
            // open quantity it refuses the second time: the order is closed).
            let version = order.version;
            if own
                .record(
                    self.ledger(),
                    event(
                        order.id(),
                        EventSource::Query,
                        kind,
                        serde_json::Value::Null,
                    )
                    .expecting_version(version),
                )
                .await?
                .is_some()
            {
                report.cancelled.push((order.id().clone(), gone));
            }
        }

        // 5. Positions against Kiwoom's holdings: reported, never overwritten.
        let holdings = self.broker.holdings(account).await?;
        let mut journal_positions: HashMap<String, Position> = journal
            .positions(account)
            .await?
            .into_iter()
            .map(|p| (p.stock.clone(), p))
            .collect();
        for (stock, held) in &holdings {
            let ours = journal_positions
                .remove(stock)
                .unwrap_or_else(|| Position::flat(account, stock));
            report
                .differences
                .extend(ours.compare(held, self.config.price_tolerance));
        }
        for ours in journal_positions.into_values().filter(|p| p.quantity != 0) {
            let none = crate::position::BrokerPosition {
                quantity: 0,
                average_price: None,
            };
            report
                .differences
                .extend(ours.compare(&none, self.config.price_tolerance));
        }
        if !report.differences.is_empty() {
            tracing::warn!(
                account,
                differences = report.differences.len(),
                "journal positions differ from Kiwoom's holdings"
            );
        }
        Ok(report)
    }
}
