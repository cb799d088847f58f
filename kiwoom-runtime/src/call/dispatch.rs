//! Dispatch by api-id (the generated `registry`: `call_json`, `pages`, `decode_response`,
//! `parse_request`) over every TR at once, with as little compiled per TR as possible.
//!
//! A typed call compiles a few generic helpers for the one TR its caller names. The registry
//! names all 306 REST TRs in one crate, so every generic line of the call path would be
//! compiled 306 times there. Instead the registry hands each request over as a
//! [`TableRequest`] (the TR's facts and its field table, built in a `match` arm) and decodes
//! answers into blank tables: validation, serialization, sending, paging and decoding are
//! compiled once, and nothing generic is instantiated per TR.

use std::any::Any;

use futures::StreamExt;

use super::{BoxedPages, BoxedSend, Decoder, Outgoing, RequestBody, check_market_rules};
use crate::client::Client;
use crate::codec::Table;
use crate::error::Error;
use crate::tr::{OrderSummary, TrInfo, TrRequest, ValidationError};

/// A decoded answer of some TR, still boxed, to be wrapped in the caller's enum.
pub type Unwrap<O> = fn(Box<dyn Any + Send>) -> Result<O, Error>;

/// What [`prepare`] needs of a request: a typed one, or a [`TableRequest`] of the registry.
pub(crate) trait Erased {
    fn validate(&self) -> Result<(), ValidationError>;
    fn outgoing(&self, next_key: Option<String>) -> Result<Outgoing, Error>;
}

impl<T: TrRequest> Erased for T {
    fn validate(&self) -> Result<(), ValidationError> {
        TrRequest::validate(self)
    }
    fn outgoing(&self, next_key: Option<String>) -> Result<Outgoing, Error> {
        Outgoing::new(self, next_key, 1)
    }
}

/// Everything checked before anything is sent (validation, then the market rules when
/// asked), and the request serialized: for typed calls, listings and dispatch alike.
pub(crate) fn prepare(
    client: &Client,
    request: &dyn Erased,
    next_key: Option<String>,
    market_rules: bool,
) -> Result<Outgoing, Error> {
    request.validate()?;
    let outgoing = request.outgoing(next_key)?;
    if market_rules {
        check_market_rules(client, &outgoing)?;
    }
    Ok(outgoing)
}

/// A request of any REST or OAuth TR as the registry holds it, past its type: the TR's
/// facts, its field table and (for an order) what to check if its outcome is unknown. The
/// registry builds one per call from `AnyRequest` in a `match`, so nothing generic is
/// compiled per TR for dispatch.
#[doc(hidden)]
pub struct TableRequest<'a> {
    pub info: &'static TrInfo,
    pub table: &'a dyn Table,
    pub order: Option<OrderSummary>,
    /// Decodes an answer of this TR (the registry's decoder of every TR, boxed).
    pub decode: Decoder,
}

impl Erased for TableRequest<'_> {
    fn validate(&self) -> Result<(), ValidationError> {
        crate::codec::validate_table(self.info.api_id, self.table)
    }
    fn outgoing(&self, next_key: Option<String>) -> Result<Outgoing, Error> {
        Outgoing::from_request(self.info, self, next_key, 1)
    }
}

impl RequestBody for TableRequest<'_> {
    fn write_body(&self, out: &mut Vec<u8>) -> Result<(), serde_json::Error> {
        crate::codec::write_table_json(self.table, out)
    }
    fn order_summary(&self) -> Option<OrderSummary> {
        self.order.clone()
    }
}

/// Send a request of any TR exactly like a typed call (validation, market rules, the one
/// execution path); the answer is handed to `wrap` still boxed.
#[doc(hidden)]
pub fn send_table<O: Send + 'static>(
    client: &Client,
    request: TableRequest<'_>,
    wrap: Unwrap<O>,
) -> BoxedSend<O> {
    let prepared = prepare(client, &request, None, true);
    let client = client.clone();
    let decode = request.decode;
    Box::pin(async move {
        let page = super::execute_any(client, prepared?, decode).await?;
        wrap(page.body)
    })
}

/// The pages of a paged request of any TR (at most `max_pages`), through the one paging
/// loop, each answer handed to `wrap` still boxed.
#[doc(hidden)]
pub fn pages_table<O: Send + 'static>(
    client: &Client,
    request: TableRequest<'_>,
    max_pages: Option<usize>,
    wrap: Unwrap<O>,
) -> BoxedPages<O> {
    let prepared = prepare(client, &request, None, false);
    let pages = crate::paging::RawPages::new(
        client.clone(),
        prepared,
        request.decode,
        request.info.api_id,
        None,
        max_pages,
    );
    Box::pin(pages.map(move |page| page.and_then(|page| wrap(page.body))))
}

/// A decoded answer back as its type: the decoder of `R` made it, so this cannot fail.
#[doc(hidden)]
pub fn unbox<R: 'static>(body: Box<dyn Any + Send>) -> Result<R, Error> {
    super::downcast(body)
}
