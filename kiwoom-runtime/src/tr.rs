//! The contract between generated code and the runtime.
//!
//! `kiwoom-generated` describes every TR as a value plus implementations of these traits;
//! the runtime's one execution path consumes them. The runtime knows no TR by name, and the
//! generated code contains no transport logic.

use std::collections::BTreeMap;
use std::fmt;

pub use crate::real_values::RealValues;
use serde::Serialize;

/// Kiwoom's own safety class of a TR (`safety_policy` in Kiwoom's command map). The retry
/// rules follow it: an `OrderWrite` request is never sent twice once it may have reached
/// the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SafetyClass {
    /// Market data.
    Read,
    /// Account inquiries (balances, fills, open orders).
    AccountRead,
    /// Orders, amendments, cancellations, currency exchange: money moves.
    OrderWrite,
    /// Token issue and revoke.
    AuthWrite,
}

impl SafetyClass {
    /// True for TRs that move money: never retried after they may have been sent.
    pub const fn is_order(self) -> bool {
        matches!(self, SafetyClass::OrderWrite)
    }
}

/// Which of Kiwoom's two markets (and WebSocket endpoints) a TR belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Market {
    Domestic,
    Us,
}

/// Static facts about a TR that every kind of TR shares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrInfo {
    /// The `api-id`: `ka10081`.
    pub api_id: &'static str,
    /// Kiwoom's Korean name: `주식일봉차트조회요청`.
    pub korean_name: &'static str,
    /// URL path: `/api/dostk/chart`.
    pub path: &'static str,
    pub safety: SafetyClass,
}

/// A REST (or OAuth) TR request. Implemented by generated code, one type per TR.
pub trait TrRequest: Serialize + Clone + Send + Sync + 'static {
    const INFO: TrInfo;
    type Response: TrResponse;

    /// Check required fields, maximum lengths and allowed codes against the spec before
    /// anything is sent. The error names the TR and the field.
    fn validate(&self) -> Result<(), ValidationError>;

    /// For order TRs: what the caller needs to check the outcome of an order whose answer
    /// was lost (stock, side, quantity). `None` for everything else.
    fn order_summary(&self) -> Option<OrderSummary> {
        None
    }

    /// The request body as JSON. Generated requests write it through their field table
    /// (compiled once for all of them) rather than through `serde_json` instantiated per TR.
    #[doc(hidden)]
    fn write_body(&self, out: &mut Vec<u8>) -> Result<(), serde_json::Error> {
        serde_json::to_writer(out, self)
    }
}

/// A decoded response body.
pub trait TrResponse: Serialize + Sized + Send + 'static {
    /// Decode a response body (already known to be a success). Errors name the TR, the
    /// field and the raw value; a value that does not parse is never turned into zero.
    fn decode(api_id: &'static str, body: &[u8]) -> Result<Self, DecodeError>;
}

/// A TR whose answers continue through the `cont-yn` / `next-key` headers. Generated only
/// for TRs whose spec declares paging, and never for an order TR.
pub trait PagedRequest: TrRequest {
    /// One row of the paged list.
    type Item: Send + 'static;
    /// Take the rows of the paged list out of one page.
    fn into_items(page: Self::Response) -> Vec<Self::Item>;
}

/// A condition-search command over the WebSocket (CNSRLST, CNSRREQ, CNSRCLR and the US
/// G-prefixed ones). The request serializes to the whole frame, `trnm` included.
pub trait WsCommand: Serialize + Clone + Send + Sync + 'static {
    const INFO: TrInfo;
    /// The frame's `trnm`: `CNSRLST`, `GCNSRREQ`, ...
    const TRNM: &'static str;
    const MARKET: Market;
    /// The reply frame.
    type Reply: TrResponse;
}

/// One entry of a REAL frame's `data` array, as it arrives.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct RealItem {
    /// Realtime type: `0B`, `FT`, `02`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Kiwoom's Korean name of the type: `주식체결`.
    #[serde(default)]
    pub name: String,
    /// The registered item (stock code; empty for account-wide types).
    #[serde(default)]
    pub item: String,
    /// The values by numeric field id (`"10"` = current price), in the order received.
    #[serde(default)]
    pub values: RealValues,
    /// Any other key of the entry (US frames add `stexTp`), kept, not dropped.
    #[serde(flatten)]
    pub extra: BTreeMap<String, serde_json::Value>,
}

/// Turns a raw realtime entry into a typed event. Generated code implements it for the
/// `RealtimeEvent` enum that dispatches on the realtime type.
pub trait RealtimeDecode: Sized + Send + 'static {
    fn decode_real(item: &RealItem) -> Result<Self, DecodeError>;
}

/// What REG's `item` holds for a realtime type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RealtimeItemKind {
    /// A stock code (`005930`, `005930_NX`).
    Stock,
    /// A sector (업종) code.
    Sector,
    /// Account-wide (order fills `00`, balance `04`): registered with an empty item.
    Account,
    /// A US symbol (`{jmcode, stex_tp}`).
    UsSymbol,
    /// Pushed by a realtime condition search; never registered with REG.
    ConditionSearch,
}

/// One realtime type (a REAL frame `type`), implemented by each generated realtime struct.
/// The session subscribes, tracks and decodes by these constants, so user code never writes
/// a type id, an item kind or a market by hand.
pub trait RealtimeType: Sized + Send + 'static {
    /// The REAL frame `type`: `0B`.
    const TYPE: &'static str;
    /// Kiwoom's Korean name: `주식체결`.
    const KOREAN_NAME: &'static str;
    /// The WebSocket endpoint it is registered on.
    const MARKET: Market;
    /// What REG's `item` holds for it.
    const ITEM: RealtimeItemKind;
    /// Decode one entry of a REAL frame of this type.
    fn decode_item(item: &RealItem) -> Result<Self, DecodeError>;
}

/// A realtime type registered per stock, sector or US symbol: `session.subscribe::<T>(items)`.
pub trait ItemRealtimeType: RealtimeType {}

/// A realtime type registered for the whole account (`00` order fills, `04` balance):
/// `session.subscribe_account::<T>()`.
pub trait AccountRealtimeType: RealtimeType {}

/// What an order TR does, from the spec's `order:` marker (Kiwoom's Korean TR name).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum OrderAction {
    Buy,
    Sell,
    Amend,
    Cancel,
    /// Money moves but no stock order (currency exchange).
    Other,
}

impl fmt::Display for OrderAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            OrderAction::Buy => "buy",
            OrderAction::Sell => "sell",
            OrderAction::Amend => "amend",
            OrderAction::Cancel => "cancel",
            OrderAction::Other => "other",
        })
    }
}

/// What an order was: for `Error::OutcomeUnknown` and for reconciling an order whose answer
/// was lost. Filled from the spec's field roles, so every order TR reports the same facts.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OrderSummary {
    pub api_id: &'static str,
    /// What the order does; `None` only for a request that is not an order.
    pub action: Option<OrderAction>,
    pub stock_code: Option<crate::codec::StockCode>,
    /// Shares ordered, amended or cancelled.
    pub quantity: Option<crate::codec::Quantity>,
    /// The limit price as sent: won for domestic orders, dollars for US ones.
    pub price: Option<rust_decimal::Decimal>,
    /// For amendments and cancellations: the order they refer to.
    pub original_order_no: Option<crate::codec::OrderNumber>,
}

/// A request that was refused before anything was sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{api_id} request field `{field}` ({rust_name}): {problem}")]
pub struct ValidationError {
    pub api_id: &'static str,
    /// Wire name: `stk_cd`.
    pub field: &'static str,
    /// Rust name: `stock_code`.
    pub rust_name: &'static str,
    pub problem: ValidationProblem,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ValidationProblem {
    Missing,
    TooLong {
        max: usize,
        actual: usize,
    },
    /// A code that is not among the documented ones (an enum's unknown value).
    UnknownCode {
        code: String,
    },
    Invalid {
        reason: String,
    },
}

impl fmt::Display for ValidationProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ValidationProblem::Missing => f.write_str("required but missing"),
            ValidationProblem::TooLong { max, actual } => {
                write!(f, "{actual} characters, at most {max} allowed")
            }
            ValidationProblem::UnknownCode { code } => {
                write!(f, "`{code}` is not a documented code")
            }
            ValidationProblem::Invalid { reason } => f.write_str(reason),
        }
    }
}

/// A response that could not be decoded: names the TR, the field and the raw value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{api_id}: cannot decode field `{field}` from {raw:?}: {reason}")]
pub struct DecodeError {
    pub api_id: String,
    /// Wire path: `stk_dt_pole_chart_qry[3].cur_prc`, or `<body>` for the whole body.
    pub field: String,
    /// The raw value as received (truncated to 200 characters).
    pub raw: String,
    pub reason: String,
}
