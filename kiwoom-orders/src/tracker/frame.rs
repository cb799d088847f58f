//! A realtime order frame (type 00) in the journal's terms. The adapter fills it from the
//! generated `OrderFill` event; the tracker turns it into journal events.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde_json::Value;

use crate::ids::OrderNo;
use crate::intent::Side;

/// What a 00 frame reports (its `913` status together with `905`, the order kind).
#[derive(Debug, Clone, PartialEq)]
pub enum FrameKind {
    /// 접수 of a new order.
    Accepted,
    /// 체결: one execution (`909` fill number, `914`/`915` unit price and quantity, `911`
    /// the order number's filled quantity so far).
    Filled {
        fill_no: String,
        quantity: u64,
        price: Decimal,
        cumulative: Option<u64>,
    },
    /// 확인 of an amendment: `quantity` moved to this frame's order number at `price`.
    Amended {
        quantity: u64,
        price: Option<Decimal>,
    },
    /// 확인 of a cancellation, or 취소 by the exchange: `quantity` cancelled.
    Cancelled {
        quantity: u64,
    },
    /// 거부 of a new order.
    Rejected {
        reason: String,
    },
    /// 거부 of an amendment or a cancellation.
    AmendRejected {
        reason: String,
    },
    CancelRejected {
        reason: String,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct OrderFrame {
    pub kind: FrameKind,
    pub account: String,
    /// `9203`: this frame's order number (for an amend or cancel, the new one).
    pub order_no: OrderNo,
    /// `904`: the original order number (`0000000` → `None`).
    pub orig_order_no: Option<OrderNo>,
    pub stock: String,
    pub side: Side,
    /// `900` / `901`: the order's quantity and price (to adopt an order placed elsewhere).
    pub order_quantity: u64,
    pub order_price: Option<Decimal>,
    /// `938` / `939`: the order's commission and tax so far today; a fill's own share is
    /// the increase since the previous frame.
    pub cumulative_fee: Option<Decimal>,
    pub cumulative_tax: Option<Decimal>,
    /// `2135`: venue (KRX, NXT).
    pub venue: Option<String>,
    pub at: DateTime<Utc>,
    pub raw: Value,
}

/// A realtime balance frame (type 04): what Kiwoom says the account holds of one stock
/// after a fill. Compared with the journal's position, never written over it.
#[derive(Debug, Clone, PartialEq)]
pub struct BalanceFrame {
    pub account: String,
    pub stock: String,
    /// `930` holding quantity and `931` purchase unit price.
    pub position: crate::position::BrokerPosition,
    pub raw: Value,
}
