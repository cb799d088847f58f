//! A read-only copy of the simulator's book for tests (`MockControl::book`): what Kiwoom's
//! side of a reconciliation holds, to compare a client's records with.

use crate::book::{Action, Book, Side, Status};
use crate::market::Venue;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SimSide {
    Buy,
    Sell,
}

/// What produced an order: a new order, an amend (which moves quantity to a new number) or
/// a cancel (whose quantity is what it cancelled).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SimOrderKind {
    New,
    Amend,
    Cancel,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SimOrderStatus {
    /// Something is still open (resting).
    Open,
    /// Nothing open, something filled.
    Filled,
    /// Nothing open, nothing filled (cancelled, amended away; every cancel order).
    Closed,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SimOrder {
    /// As Kiwoom writes it: 7 digits (US 9).
    pub order_no: String,
    /// The amended or cancelled order; `None` for a new order.
    pub orig_order_no: Option<String>,
    pub code: String,
    pub us: bool,
    pub side: SimSide,
    pub kind: SimOrderKind,
    pub quantity: i64,
    /// Limit price in minor units; 0 for a market order.
    pub price: i64,
    pub filled_quantity: i64,
    /// Cancelled or moved to an amending order.
    pub closed_quantity: i64,
    pub open_quantity: i64,
    pub status: SimOrderStatus,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SimFill {
    /// Realtime 00 `909` and kt00009 `cntr_no`.
    pub fill_no: String,
    pub order_no: String,
    pub quantity: i64,
    pub price: i64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SimHolding {
    pub code: String,
    pub us: bool,
    pub quantity: i64,
    /// Total purchase cost of `quantity` (minor units); the average price is cost / quantity.
    pub cost: i64,
    /// The cost's part below one minor unit, in millionths: the exact cost is
    /// `cost + cost_fraction / 1_000_000`.
    pub cost_fraction: i64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BookSnapshot {
    /// In the order they were accepted.
    pub orders: Vec<SimOrder>,
    /// In the order they happened.
    pub fills: Vec<SimFill>,
    pub holdings: Vec<SimHolding>,
    pub cash_won: i64,
    /// In 1/10000 USD.
    pub cash_usd: i64,
    /// Market steps taken.
    pub steps: u64,
}

impl BookSnapshot {
    pub(crate) fn of(book: &Book) -> BookSnapshot {
        let orders = book
            .orders
            .iter()
            .map(|o| SimOrder {
                order_no: o.ord_no.clone(),
                orig_order_no: (!o.orig_ord_no.trim_start_matches('0').is_empty())
                    .then(|| o.orig_ord_no.clone()),
                code: o.stock.code.clone(),
                us: o.stock.venue == Venue::Us,
                side: match o.side {
                    Side::Buy => SimSide::Buy,
                    Side::Sell => SimSide::Sell,
                },
                kind: match o.action {
                    Action::New => SimOrderKind::New,
                    Action::Amend => SimOrderKind::Amend,
                    Action::Cancel => SimOrderKind::Cancel,
                },
                quantity: o.qty,
                price: o.price,
                filled_quantity: o.filled_qty,
                closed_quantity: o.closed_qty,
                open_quantity: o.unfilled(),
                status: match o.status {
                    Status::Open => SimOrderStatus::Open,
                    Status::Filled => SimOrderStatus::Filled,
                    Status::Closed => SimOrderStatus::Closed,
                },
            })
            .collect();
        let fills = book
            .fills
            .iter()
            .map(|f| SimFill {
                fill_no: f.fill_no.clone(),
                order_no: f.ord_no.clone(),
                quantity: f.qty,
                price: f.price,
            })
            .collect();
        let holdings = book
            .holdings
            .values()
            .filter_map(|h| {
                let stock = h.stock.as_ref()?;
                Some(SimHolding {
                    code: stock.code.clone(),
                    us: stock.venue == Venue::Us,
                    quantity: h.qty,
                    cost: h.cost,
                    cost_fraction: h.cost_fraction,
                })
            })
            .collect();
        BookSnapshot {
            orders,
            fills,
            holdings,
            cash_won: book.cash_won,
            cash_usd: book.cash_usd,
            steps: book.walk.steps,
        }
    }
}
