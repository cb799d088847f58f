//! Reconciliation: make the journal agree with Kiwoom's lists of the day, by appending what
//! it missed (never by rewriting what it has), and report what still differs.

use std::collections::HashMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::{Broker, Tracker, TrackerError, event};
use crate::event::{EventKind, EventSource, Fill};
use crate::ids::{ClientOrderId, OrderNo};
use crate::journal::{AppendOutcome, Journal, OrderFilter};
use crate::matching::{Resolution, resolve_unknowns};
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
    /// Positions where the journal and Kiwoom's holdings disagree.
    pub differences: Vec<PositionDifference>,
}

fn query_fill(
    row: &crate::tracker::BrokerFill,
    fill_no: String,
    quantity: u64,
    price: Decimal,
    total: Option<u64>,
) -> Fill {
    Fill {
        order_no: row.order_no.clone(),
        fill_no,
        quantity,
        price,
        fee: None,
        tax: None,
        filled_at: row.filled_at,
        venue: None,
        cumulative_quantity: total,
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
        let mut report = ReconcileReport::default();
        let history = self.broker.history(account, trade_date).await?;
        let journal = self.ledger.journal();
        let day = OrderFilter::default()
            .account(account)
            .trade_date(trade_date);

        // 1. Unknown orders: matched to a server order, or not placed.
        let orders = journal.orders(&day).await?;
        let claimed = journal.claimed_order_nos(account, trade_date).await?;
        for (id, resolution) in resolve_unknowns(
            &orders,
            &history.orders,
            &claimed,
            self.config.match_window,
            history.as_of,
        ) {
            let kind = match resolution {
                Resolution::Matched(order_no) => {
                    report.matched.push((id.clone(), order_no.clone()));
                    EventKind::Matched { order_no }
                }
                Resolution::NotPlaced => {
                    report.not_placed.push(id.clone());
                    EventKind::NotPlaced {
                        reason: format!("not in Kiwoom's order history as of {}", history.as_of),
                    }
                }
                Resolution::Undecided => {
                    report.undecided.push(id);
                    continue;
                }
            };
            self.ledger
                .record(event(
                    &id,
                    EventSource::Query,
                    kind,
                    serde_json::Value::Null,
                ))
                .await?;
        }

        // 2. Amendments the journal missed: a server order amending one of ours.
        for server in &history.orders {
            let Some(orig) = &server.orig_order_no else {
                continue;
            };
            if journal
                .order_by_no(account, trade_date, &server.order_no)
                .await?
                .is_some()
            {
                continue;
            }
            let Some(order) = journal.order_by_no(account, trade_date, orig).await? else {
                continue;
            };
            if order.state != OrderState::AmendPending {
                continue; // a cancel order, or an amend of an order not waiting for one
            }
            let kind = EventKind::Amended {
                order_no: server.order_no.clone(),
                orig_order_no: orig.clone(),
                quantity: server.quantity.min(order.open_quantity()),
                price: server.price,
            };
            if let AppendOutcome::Appended { .. } = self
                .ledger
                .record(event(
                    order.id(),
                    EventSource::Query,
                    kind,
                    serde_json::Value::Null,
                ))
                .await?
            {
                report.amendments_added += 1;
            }
        }

        // 3. Fills the journal missed (dropped 00 frames, a gap, a crash), per order number.
        //    Kiwoom's lists may give one row per fill or one row per order with its running
        //    total; either way the rows of one number add up to what it has filled. Rows the
        //    journal lacks that make up exactly the missing quantity are added one by one
        //    (their own keys and prices); otherwise the missing quantity is added as one
        //    catch-up fill carrying the total, so a late 00 frame inside that total counts
        //    once.
        let mut by_no: Vec<(&OrderNo, Vec<&crate::tracker::BrokerFill>)> = Vec::new();
        for f in &history.fills {
            match by_no.iter_mut().find(|(no, _)| *no == &f.order_no) {
                Some((_, rows)) => rows.push(f),
                None => by_no.push((&f.order_no, vec![f])),
            }
        }
        for (order_no, rows) in by_no {
            let first = rows[0];
            let order = match journal.order_by_no(account, trade_date, order_no).await? {
                Some(order) => order,
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
            let total: u64 = rows.iter().map(|f| f.quantity).sum();
            let missing = total.saturating_sub(order.filled_of(order_no));
            if missing == 0 {
                continue;
            }
            let unseen: Vec<_> = rows
                .iter()
                .filter(|f| {
                    !order
                        .fill_keys
                        .contains(&(order_no.clone(), f.fill_no.clone()))
                })
                .collect();
            let fills: Vec<(Fill, serde_json::Value)> =
                if unseen.iter().map(|f| f.quantity).sum::<u64>() == missing {
                    unseen
                        .iter()
                        .map(|f| {
                            (
                                query_fill(f, f.fill_no.clone(), f.quantity, f.price, None),
                                f.raw.clone(),
                            )
                        })
                        .collect()
                } else {
                    let value: Decimal = rows
                        .iter()
                        .map(|f| f.price * Decimal::from(f.quantity))
                        .sum();
                    let price = if total > 0 {
                        value / Decimal::from(total)
                    } else {
                        first.price
                    };
                    let last = rows.iter().max_by_key(|f| f.filled_at).unwrap_or(&first);
                    let rows_raw =
                        serde_json::Value::Array(rows.iter().map(|f| f.raw.clone()).collect());
                    vec![(
                        query_fill(
                            last,
                            format!("total-{total}"),
                            missing,
                            price.round_dp(4),
                            Some(total),
                        ),
                        rows_raw,
                    )]
                };
            for (fill, raw) in fills {
                let kind = EventKind::Filled { fill };
                if let AppendOutcome::Appended { .. } = self
                    .ledger
                    .record(event(order.id(), EventSource::Query, kind, raw))
                    .await?
                {
                    report.fills_added += 1;
                }
            }
        }

        // 4. Open quantity Kiwoom no longer has open. `history.open` is listed before the
        //    fills, so a fill landing in between cannot pass for a cancellation.
        let open_on_server: HashMap<&OrderNo, u64> =
            history.open.iter().map(|(no, q)| (no, *q)).collect();
        let live = [
            OrderState::Accepted,
            OrderState::Amended,
            OrderState::PartiallyFilled,
            OrderState::CancelPending,
            OrderState::AmendPending,
        ];
        for order in journal
            .orders(&day)
            .await?
            .into_iter()
            .filter(|o| live.contains(&o.state))
        {
            if order.state == OrderState::AmendPending {
                continue; // its amendment is not visible yet; the next reconciliation decides
            }
            let server_open: u64 = order
                .order_nos
                .iter()
                .filter_map(|no| open_on_server.get(no))
                .sum();
            let gone = order.open_quantity().saturating_sub(server_open);
            if gone == 0 {
                continue;
            }
            let Some(orig) = order.order_nos.last().cloned() else {
                continue;
            };
            let kind = EventKind::Cancelled {
                order_no: None,
                orig_order_no: orig,
                quantity: gone,
            };
            self.ledger
                .record(event(
                    order.id(),
                    EventSource::Query,
                    kind,
                    serde_json::Value::Null,
                ))
                .await?;
            report.cancelled.push((order.id().clone(), gone));
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
