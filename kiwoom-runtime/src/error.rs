//! The one error type of the runtime. Each variant says whether the request may have
//! reached Kiwoom, which is what decides if sending it again is safe.

use std::time::Duration;

use crate::error_code::KiwoomErrorCode;
use crate::return_code::ReturnCode;
use crate::tr::{DecodeError, OrderSummary, ValidationError};

/// Everything that can go wrong with a call. Never carries the app key, secret key or token.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The client is misconfigured. Nothing was sent.
    #[error("configuration: {0}")]
    Config(String),

    /// The request failed its own checks. Nothing was sent.
    #[error(transparent)]
    Validation(#[from] ValidationError),

    /// An order broke a market rule Kiwoom would refuse it for (off the tick grid, beyond
    /// the daily limit, outside the session, on a holiday). Nothing was sent. The message
    /// names the rule, the value and the nearest valid values.
    #[error("{api_id}: refused before sending: {violation}")]
    MarketRule {
        api_id: &'static str,
        #[source]
        violation: Box<kiwoom_market::RuleViolation>,
    },

    /// Issuing, refreshing or revoking the token failed (au10001 / au10002). The TR
    /// request itself was not sent.
    #[error("authentication: {message}")]
    Auth {
        /// Kiwoom's code when it answered (8001 bad keys, 8050 unregistered IP, ...).
        code: Option<KiwoomErrorCode>,
        message: String,
    },

    /// The token store could not be read or written. Nothing was sent.
    #[error("token store: {0}")]
    TokenStore(String),

    /// The connection failed or broke. `sent` tells whether the request may have reached
    /// the server (false only when the connection was never established).
    #[error("{api_id}: transport error ({}): {source}", if *sent { "request may have been sent" } else { "not sent" })]
    Transport {
        api_id: &'static str,
        sent: bool,
        #[source]
        source: reqwest::Error,
    },

    /// No answer within the timeout. The request may have been sent and processed.
    #[error("{api_id}: no answer within {timeout:?}")]
    Timeout {
        api_id: &'static str,
        timeout: Duration,
    },

    /// An HTTP status other than 200 with no Kiwoom error inside. The request was sent;
    /// for a 5xx it may have been processed.
    #[error("{api_id}: HTTP {status}")]
    Http { api_id: &'static str, status: u16 },

    /// Kiwoom answered with a non-zero `return_code`. The request was sent and refused
    /// (rate-limit and token answers mean it was not processed).
    #[error("{api_id}: Kiwoom answered return_code {return_code}, code {code}: {message}")]
    Api {
        api_id: &'static str,
        return_code: ReturnCode,
        /// The specific code: embedded in the message (`[1700:`), else the top-level one.
        code: KiwoomErrorCode,
        message: String,
    },

    /// The answer could not be decoded. The request was sent and processed.
    #[error(transparent)]
    Decode(#[from] DecodeError),

    /// An order may or may not have been placed: the request may have reached the server,
    /// but no usable answer came back (timeout, reset, 5xx, a redirect, an answer with no
    /// return_code or no order number; `raw` then holds that answer, secrets redacted). It
    /// was NOT sent again. Check open orders / fills before retrying by hand.
    #[error("{}: order outcome unknown ({:?} {:?} x {:?} at {:?}); not resent: {cause}",
        order.api_id, order.action, order.stock_code, order.quantity, order.price)]
    OutcomeUnknown {
        /// Boxed to keep `Error` small on the happy path.
        order: Box<OrderSummary>,
        #[source]
        cause: Box<Error>,
    },

    /// The server answered with a redirect (3xx). Kiwoom never redirects API calls: it is an
    /// attack or a misconfiguration, so it is not followed (nothing is sent to the other
    /// location). The request reached the server that redirected; for an order this comes
    /// wrapped in [`Error::OutcomeUnknown`].
    #[error("{api_id}: HTTP {status} redirect refused (Kiwoom never redirects; not followed)")]
    Redirect { api_id: &'static str, status: u16 },

    /// The answer was larger than the client's maximum response size
    /// (`ClientBuilder::max_response_bytes`); reading stopped there. The request was sent
    /// and processed; for an order this comes wrapped in [`Error::OutcomeUnknown`].
    #[error("{api_id}: answer larger than {limit} bytes (stopped after {received} bytes)")]
    BodyTooLarge {
        api_id: &'static str,
        limit: usize,
        received: usize,
    },

    /// An order was ACCEPTED (return_code 0) but its answer could not be decoded. Do not
    /// place it again: look it up by `order_number` (read from the raw answer when
    /// possible) or in open orders.
    #[error("{}: order ACCEPTED (order number {}) but its answer could not be decoded; do not resend: {decode}",
        order.api_id, order_number.as_deref().unwrap_or("unknown"))]
    OrderAcceptedUndecodable {
        order_number: Option<String>,
        order: Box<OrderSummary>,
        #[source]
        decode: Box<DecodeError>,
    },

    /// Kiwoom's answer (HTTP 200) did not confirm the request: no `return_code`, a null
    /// one, or an order answer without an order number. The request was sent; whether it
    /// was processed is not known. For an order this is the cause inside
    /// [`Error::OutcomeUnknown`]. `raw` is the answer with secrets redacted, truncated.
    #[error("{api_id}: answer does not confirm the request ({reason}): {raw}")]
    Unconfirmed {
        api_id: &'static str,
        reason: String,
        raw: String,
    },

    /// The client-side rate limiter failed (a shared limiter whose backend is down and
    /// configured to fail rather than pace locally). Nothing was sent.
    #[error("rate limiter: {0} (nothing sent)")]
    RateLimiter(String),

    /// A WebSocket failure (connect, handshake, LOGIN, closed session, unanswered command).
    /// For a command it may have been sent.
    #[error("websocket: {0}")]
    WebSocket(String),
}

/// Whether a failed request may have reached Kiwoom: what decides if doing it again by
/// hand is safe.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestSent {
    /// Nothing left this process (bad input, configuration, token or limiter failure,
    /// connection never opened).
    No,
    /// It may have been sent and processed (timeout, broken connection, unknown outcome).
    Maybe,
    /// It reached Kiwoom, which answered (an error, or an answer that did not decode).
    Yes,
}

impl Error {
    /// Whether the request may have been sent. Every variant answers; for an order,
    /// anything but [`RequestSent::No`] means: check open orders before placing it again.
    pub fn request_sent(&self) -> RequestSent {
        match self {
            Error::Config(_)
            | Error::Validation(_)
            | Error::MarketRule { .. }
            | Error::Auth { .. }
            | Error::TokenStore(_)
            | Error::RateLimiter(_) => RequestSent::No,
            Error::Transport { sent: false, .. } => RequestSent::No,
            Error::Transport { sent: true, .. }
            | Error::Timeout { .. }
            | Error::OutcomeUnknown { .. }
            | Error::WebSocket(_) => RequestSent::Maybe,
            Error::Http { .. }
            | Error::Api { .. }
            | Error::Decode(_)
            | Error::Redirect { .. }
            | Error::BodyTooLarge { .. }
            | Error::OrderAcceptedUndecodable { .. }
            | Error::Unconfirmed { .. } => RequestSent::Yes,
        }
    }

    /// Whether sending the same request again is safe and may succeed: rate limits, token
    /// refreshes, and for queries transport failures, timeouts and 5xx. Never for
    /// `OutcomeUnknown`, validation, decode or input errors.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Transport { .. } | Error::Timeout { .. } => true,
            Error::Http { status, .. } => *status == 429 || *status >= 500,
            Error::Api { code, .. } => code.is_retryable(),
            Error::WebSocket(_) | Error::RateLimiter(_) => true,
            _ => false,
        }
    }

    /// The Kiwoom error code, when Kiwoom answered with one.
    pub fn kiwoom_code(&self) -> Option<KiwoomErrorCode> {
        match self {
            Error::Api { code, .. } => Some(*code),
            Error::Auth { code, .. } => *code,
            Error::OutcomeUnknown { cause, .. } => cause.kiwoom_code(),
            _ => None,
        }
    }

    /// True when an order may have been placed although no confirmation arrived.
    pub fn is_outcome_unknown(&self) -> bool {
        matches!(self, Error::OutcomeUnknown { .. })
    }
}
