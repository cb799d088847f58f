//! What the tracker needs from Kiwoom, in the journal's terms. The adapter over the generated
//! client implements it (the TR names live there, in one place); tests script it.

use std::future::Future;

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde_json::Value;

use crate::ids::OrderNo;
use crate::intent::{OrderIntent, Side};
use crate::matching::BrokerOrder;
use crate::order::Order;
use crate::position::BrokerPosition;

/// Kiwoom's answer to an order request (buy, sell, amend, cancel).
#[derive(Debug, Clone, PartialEq)]
pub struct Placed {
    /// The new order number (for an amend or cancel: the number of the amending/cancelling order).
    pub order_no: OrderNo,
    /// For a cancel: the quantity Kiwoom cancelled, when the answer says it.
    pub quantity: Option<u64>,
    pub raw: Value,
}

/// Why an order request did not give an order number.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum BrokerError {
    /// Kiwoom answered and refused.
    #[error("refused ({code:?}): {message}")]
    Rejected {
        code: Option<String>,
        message: String,
        raw: Value,
    },
    /// Nothing reached Kiwoom (validation, rate limit wait abandoned, connection refused).
    #[error("not sent: {0}")]
    NotSent(String),
    /// The request may have reached Kiwoom and no answer came. Never resent.
    #[error("outcome unknown: {0}")]
    OutcomeUnknown(String),
    /// A query failed.
    #[error("query failed: {0}")]
    Query(String),
}

/// One fill as a query lists it (ka10076 / kt00009).
#[derive(Debug, Clone, PartialEq)]
pub struct BrokerFill {
    pub account: String,
    pub order_no: OrderNo,
    pub fill_no: String,
    pub stock: String,
    pub side: Side,
    pub quantity: u64,
    pub price: Decimal,
    pub filled_at: DateTime<Utc>,
    /// The order's own quantity and price, to adopt an order placed elsewhere.
    pub order_quantity: u64,
    pub order_price: Option<Decimal>,
    pub raw: Value,
}

/// The day's orders as Kiwoom's history lists them, complete up to `as_of`.
#[derive(Debug, Clone, PartialEq)]
pub struct History {
    pub orders: Vec<BrokerOrder>,
    /// Orders still open (ka10075), with their open quantity.
    pub open: Vec<(OrderNo, u64)>,
    pub fills: Vec<BrokerFill>,
    pub as_of: DateTime<Utc>,
}

pub trait Broker: Send + Sync + 'static {
    /// Sends a new order (kt10000 / kt10001, credit and US equivalents).
    fn place(
        &self,
        intent: &OrderIntent,
    ) -> impl Future<Output = Result<Placed, BrokerError>> + Send;

    /// Amends `quantity` of `orig` to `price` (kt10002).
    fn amend(
        &self,
        order: &Order,
        orig: &OrderNo,
        quantity: u64,
        price: Option<Decimal>,
    ) -> impl Future<Output = Result<Placed, BrokerError>> + Send;

    /// Cancels `quantity` of `orig` (kt10003).
    fn cancel(
        &self,
        order: &Order,
        orig: &OrderNo,
        quantity: u64,
    ) -> impl Future<Output = Result<Placed, BrokerError>> + Send;

    /// Orders, open orders and fills of a trading day, every page (kt00009, ka10075, ka10076).
    fn history(
        &self,
        account: &str,
        trade_date: NaiveDate,
    ) -> impl Future<Output = Result<History, BrokerError>> + Send;

    /// Holdings per stock (kt00018).
    fn holdings(
        &self,
        account: &str,
    ) -> impl Future<Output = Result<Vec<(String, BrokerPosition)>, BrokerError>> + Send;
}
