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
    /// but no usable answer came back (timeout, reset, 5xx). It was NOT sent again. Check
    /// open orders / fills before retrying by hand.
    #[error("{}: order outcome unknown (stock {:?}, side {:?}, quantity {:?}); not resent: {cause}",
        order.api_id, order.stock_code, order.side, order.quantity)]
    OutcomeUnknown {
        /// Boxed to keep `Error` small on the happy path.
        order: Box<OrderSummary>,
        #[source]
        cause: Box<Error>,
    },

    /// A WebSocket failure (connect, handshake, LOGIN, closed session, unanswered command).
    /// For a command it may have been sent.
    #[error("websocket: {0}")]
    WebSocket(String),
}

impl Error {
    /// Whether sending the same request again is safe and may succeed: rate limits, token
    /// refreshes, and for queries transport failures, timeouts and 5xx. Never for
    /// `OutcomeUnknown`, validation, decode or input errors.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Transport { .. } | Error::Timeout { .. } => true,
            Error::Http { status, .. } => *status == 429 || *status >= 500,
            Error::Api { code, .. } => code.is_retryable(),
            Error::WebSocket(_) => true,
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
