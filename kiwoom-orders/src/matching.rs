//! Resolving orders whose outcome is unknown: find the server's order they became, or
//! decide they were never placed. Never by sending them again.

use std::collections::HashSet;

use chrono::{DateTime, Duration, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::ids::{ClientOrderId, OrderNo};
use crate::intent::{OrderIntent, Side};
use crate::order::Order;
use crate::state::OrderState;

/// An order as Kiwoom's open-order or history queries list it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BrokerOrder {
    pub account: String,
    pub order_no: OrderNo,
    /// For an amending or cancelling order, the order it changes.
    pub orig_order_no: Option<OrderNo>,
    pub stock: String,
    pub side: Side,
    pub quantity: u64,
    /// `None` (or zero) for a market order.
    pub price: Option<Decimal>,
    /// When Kiwoom took it; `None` when the list does not say (kt00009 has no order time):
    /// such an order matches on its terms alone.
    pub placed_at: Option<DateTime<Utc>>,
}

/// How far the server's order time may lie from our intent's: before it by clock skew,
/// after it by the time the request may have spent in flight and in Kiwoom's queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MatchWindow {
    pub before: Duration,
    pub after: Duration,
}

impl Default for MatchWindow {
    fn default() -> Self {
        Self {
            before: Duration::seconds(5),
            after: Duration::seconds(60),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolution {
    /// This server order is ours.
    Matched(OrderNo),
    /// The history covers the whole window and shows no such order.
    NotPlaced,
    /// Not yet decidable (the history does not cover the window yet).
    Undecided,
}

/// Resolves every `unknown` order in `orders` against the server's orders.
///
/// `claimed` holds the order numbers the journal already gives to some order: those are
/// never matched again, so two identical unknown orders get two different server orders.
/// Identical candidates are taken oldest intent first, nearest server time first.
/// `history_until` is the time up to which the server's list is complete; an order is only
/// declared not placed when its whole window lies before it.
///
/// An order of ours still waiting for its answer (`pending-new` in `orders`, sent by this
/// tracker or by another process sharing the journal) with the same terms may be the owner
/// of any unclaimed server order with those terms: its answer, when it comes, names its
/// number and is authoritative. While one waits, a match by terms would be a guess that can
/// give its order to the wrong client order id (the answer is then refused: the number is
/// taken), so such an unknown order is left `Undecided` until the answer is recorded (the
/// number is then claimed) or the waiting order is itself declared unknown. Kiwoom's lists
/// carry no order time (`placed_at` is `None`), so the time window cannot tell the two
/// apart either.
pub fn resolve_unknowns(
    orders: &[Order],
    server: &[BrokerOrder],
    claimed: &HashSet<OrderNo>,
    window: MatchWindow,
    history_until: DateTime<Utc>,
) -> Vec<(ClientOrderId, Resolution)> {
    let mut unknown: Vec<&Order> = orders
        .iter()
        .filter(|o| o.state == OrderState::Unknown)
        .collect();
    unknown.sort_by_key(|o| (o.intent.created_at, o.id().clone()));
    let awaiting: Vec<&Order> = orders
        .iter()
        .filter(|o| o.state == OrderState::PendingNew)
        .collect();
    let mut taken = claimed.clone();
    unknown
        .into_iter()
        .map(|order| {
            let resolution = resolve_one(order, server, &taken, window, history_until);
            let resolution = match resolution {
                Resolution::Matched(_)
                    if awaiting
                        .iter()
                        .any(|w| same_terms(&w.intent, &order.intent)) =>
                {
                    Resolution::Undecided
                }
                other => other,
            };
            if let Resolution::Matched(no) = &resolution {
                taken.insert(no.clone());
            }
            (order.id().clone(), resolution)
        })
        .collect()
}

fn resolve_one(
    order: &Order,
    server: &[BrokerOrder],
    taken: &HashSet<OrderNo>,
    window: MatchWindow,
    history_until: DateTime<Utc>,
) -> Resolution {
    let intent = &order.intent;
    let from = intent.created_at - window.before;
    let to = intent.created_at + window.after;
    let candidate = server
        .iter()
        .filter(|s| !taken.contains(&s.order_no) && s.orig_order_no.is_none())
        .filter(|s| s.account == intent.account && s.stock == intent.stock && s.side == intent.side)
        .filter(|s| s.quantity == intent.quantity && same_price(s.price, intent.price))
        .filter(|s| s.placed_at.is_none_or(|t| t >= from && t <= to))
        .min_by_key(|s| {
            (
                s.placed_at
                    .map_or(Duration::MAX, |t| (t - intent.created_at).abs()),
                s.order_no.clone(),
            )
        });
    match candidate {
        Some(s) => Resolution::Matched(s.order_no.clone()),
        None if history_until >= to => Resolution::NotPlaced,
        None => Resolution::Undecided,
    }
}

/// Two intents a server order could equally be (account, stock, side, quantity, price).
fn same_terms(a: &OrderIntent, b: &OrderIntent) -> bool {
    a.account == b.account
        && a.stock == b.stock
        && a.side == b.side
        && a.quantity == b.quantity
        && same_price(a.price, b.price)
}

fn same_price(theirs: Option<Decimal>, ours: Option<Decimal>) -> bool {
    let norm = |p: Option<Decimal>| p.filter(|p| !p.is_zero()).map(|p| p.normalize());
    norm(theirs) == norm(ours)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::EventKind;
    use crate::intent::OrderIntent;
    use rust_decimal_macros::dec;

    fn t(s: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + s, 0).unwrap()
    }

    fn unknown(id: &str, qty: u64, price: Option<Decimal>, at: i64) -> Order {
        let intent = OrderIntent::buy("5555", "005930", qty, price)
            .unwrap()
            .with_client_order_id(ClientOrderId::new(id).unwrap())
            .with_created_at(t(at));
        let mut order = Order::start(intent, t(at));
        order
            .apply(
                &EventKind::OutcomeUnknown {
                    reason: "timeout".into(),
                },
                t(at),
            )
            .unwrap();
        order
    }

    fn server(no: &str, qty: u64, price: Option<Decimal>, at: i64) -> BrokerOrder {
        BrokerOrder {
            account: "5555".into(),
            order_no: OrderNo::new(no).unwrap(),
            orig_order_no: None,
            stock: "005930".into(),
            side: Side::Buy,
            quantity: qty,
            price,
            placed_at: Some(t(at)),
        }
    }

    fn resolve(
        orders: &[Order],
        server: &[BrokerOrder],
        claimed: &[&str],
        until: i64,
    ) -> Vec<Resolution> {
        let claimed = claimed.iter().map(|n| OrderNo::new(n).unwrap()).collect();
        resolve_unknowns(orders, server, &claimed, MatchWindow::default(), t(until))
            .into_iter()
            .map(|(_, r)| r)
            .collect()
    }

    #[test]
    fn identical_unknowns_get_distinct_server_orders_oldest_first() {
        let orders = [
            unknown("b", 5, Some(dec!(100)), 10),
            unknown("a", 5, Some(dec!(100)), 0),
        ];
        let srv = [
            server("9", 5, Some(dec!(100.0)), 11),
            server("8", 5, Some(dec!(100)), 1),
        ];
        let got = resolve_unknowns(&orders, &srv, &HashSet::new(), MatchWindow::default(), t(0));
        assert_eq!(
            got[0],
            (
                ClientOrderId::new("a").unwrap(),
                Resolution::Matched(OrderNo::new("8").unwrap())
            )
        );
        assert_eq!(
            got[1],
            (
                ClientOrderId::new("b").unwrap(),
                Resolution::Matched(OrderNo::new("9").unwrap())
            )
        );
    }

    #[test]
    fn claimed_numbers_and_other_orders_do_not_match() {
        let orders = [unknown("a", 5, Some(dec!(100)), 0)];
        let wrong = [
            server("1", 6, Some(dec!(100)), 1),
            server("2", 5, Some(dec!(101)), 1),
            server("3", 5, None, 1),
            server("4", 5, Some(dec!(100)), 300),
            server("5", 5, Some(dec!(100)), 1),
        ];
        assert_eq!(
            resolve(&orders, &wrong, &["5"], 30),
            vec![Resolution::Undecided]
        );
        assert_eq!(
            resolve(&orders, &wrong, &["5"], 61),
            vec![Resolution::NotPlaced]
        );
    }

    #[test]
    fn an_order_listed_without_a_time_matches_on_its_terms() {
        let orders = [unknown("a", 5, Some(dec!(100)), 0)];
        let mut srv = server("6", 5, Some(dec!(100)), 0);
        srv.placed_at = None;
        assert_eq!(
            resolve(&orders, &[srv], &[], 600),
            vec![Resolution::Matched(OrderNo::new("6").unwrap())]
        );
    }

    /// Another order with the same terms still waits for its answer: the server order may be
    /// its own, so the unknown one is not matched by terms until that answer is in.
    #[test]
    fn an_order_awaiting_its_answer_with_the_same_terms_keeps_a_match_undecided() {
        let awaiting = Order::start(
            OrderIntent::buy("5555", "005930", 5, Some(dec!(100)))
                .unwrap()
                .with_client_order_id(ClientOrderId::new("waiting").unwrap())
                .with_created_at(t(1)),
            t(1),
        );
        let mut srv = server("8", 5, Some(dec!(100)), 1);
        srv.placed_at = None;
        let orders = [unknown("a", 5, Some(dec!(100)), 0), awaiting.clone()];
        assert_eq!(
            resolve(&orders, std::slice::from_ref(&srv), &[], 600),
            vec![Resolution::Undecided]
        );
        // Its answer claimed the number: nothing else of these terms, not placed.
        assert_eq!(
            resolve(&orders[..1], &[srv.clone()], &["8"], 600),
            vec![Resolution::NotPlaced]
        );
        // An awaiting order with other terms does not hold the match back.
        let mut other = awaiting;
        other.intent.quantity = 6;
        assert_eq!(
            resolve(&[orders[0].clone(), other], &[srv], &[], 600),
            vec![Resolution::Matched(OrderNo::new("8").unwrap())]
        );
    }

    #[test]
    fn market_orders_match_a_zero_price() {
        let orders = [unknown("a", 5, None, 0)];
        let srv = [server("7", 5, Some(Decimal::ZERO), 2)];
        assert_eq!(
            resolve(&orders, &srv, &[], 0),
            vec![Resolution::Matched(OrderNo::new("7").unwrap())]
        );
    }
}
