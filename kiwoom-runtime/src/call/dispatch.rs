//! Dispatch by api-id (the generated `registry`: `call_json`, `pages`, `decode_response`,
//! `parse_request`) over every TR at once, with as little compiled per TR as possible.
//!
//! A typed call compiles a few generic helpers for the one TR its caller names. The registry
//! names all 306 REST TRs in one crate, so every generic line of the call path was compiled
//! 306 times there (about 40% of the generated crate's LLVM IR). Here each TR contributes
//! only a vtable of [`Erased`] (validate, serialize, the decoder: functions the TR has
//! anyway) and one-line unboxing; sending, paging and the answer's wrapping are compiled once.

use std::any::Any;

use futures::StreamExt;
use serde_json::Value;

use super::{BoxedPages, BoxedSend, Decoder, Outgoing, check_market_rules, decode_as};
use crate::client::Client;
use crate::codec::{Table, fill_request_body};
use crate::error::Error;
use crate::tr::{DecodeError, TrRequest, ValidationError};

/// A decoded answer of some TR, still boxed, to be wrapped in the caller's enum.
pub type Unwrap<O> = fn(Box<dyn Any + Send>) -> Result<O, Error>;

/// What the dispatch needs of one TR's request.
pub(crate) trait Erased: Send {
    fn validate(&self) -> Result<(), ValidationError>;
    fn outgoing(&self, next_key: Option<String>) -> Result<Outgoing, Error>;
    fn decoder(&self) -> Decoder;
    fn api_id(&self) -> &'static str;
}

impl<T: TrRequest> Erased for T {
    fn validate(&self) -> Result<(), ValidationError> {
        TrRequest::validate(self)
    }
    fn outgoing(&self, next_key: Option<String>) -> Result<Outgoing, Error> {
        Outgoing::new(self, next_key, 1)
    }
    fn decoder(&self) -> Decoder {
        decode_as::<T::Response>
    }
    fn api_id(&self) -> &'static str {
        T::INFO.api_id
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

/// Send a boxed request exactly like a typed call (validation, market rules, the one
/// execution path); the answer is handed to `wrap` still boxed.
#[doc(hidden)]
// Boxed so that the request moves as a pointer into the erased path.
#[allow(clippy::boxed_local)]
pub fn send_any<T: TrRequest, O: Send + 'static>(
    client: &Client,
    request: Box<T>,
    wrap: Unwrap<O>,
) -> BoxedSend<O> {
    send_erased(client, request, wrap)
}

fn send_erased<O: Send + 'static>(
    client: &Client,
    request: Box<dyn Erased>,
    wrap: Unwrap<O>,
) -> BoxedSend<O> {
    let prepared = prepare(client, &*request, None, true);
    let client = client.clone();
    let decode = request.decoder();
    Box::pin(async move {
        let page = super::execute_any(client, prepared?, decode).await?;
        wrap(page.body)
    })
}

/// The pages of a boxed paged request (at most `max_pages`), through the one paging loop,
/// each answer handed to `wrap` still boxed.
#[doc(hidden)]
#[allow(clippy::boxed_local)]
pub fn paged<T: TrRequest, O: Send + 'static>(
    client: &Client,
    request: Box<T>,
    max_pages: Option<usize>,
    wrap: Unwrap<O>,
) -> BoxedPages<O> {
    pages_erased(client, request, max_pages, wrap)
}

fn pages_erased<O: Send + 'static>(
    client: &Client,
    request: Box<dyn Erased>,
    max_pages: Option<usize>,
    wrap: Unwrap<O>,
) -> BoxedPages<O> {
    let prepared = prepare(client, &*request, None, false);
    let pages = crate::paging::RawPages::new(
        client.clone(),
        prepared,
        request.decoder(),
        request.api_id(),
        None,
        max_pages,
    );
    Box::pin(pages.map(move |page| page.and_then(|page| wrap(page.body))))
}

/// A decoded answer back as its type: the decoder of `R` made it, so this cannot fail.
#[doc(hidden)]
pub fn unbox<R: 'static>(body: Box<dyn Any + Send>) -> Result<Box<R>, Error> {
    match body.downcast::<R>() {
        Ok(body) => Ok(body),
        Err(_) => Err(super::not_decoded_as(std::any::type_name::<R>())),
    }
}

/// Decode a body as `R`, boxed (what `decode_response` wraps).
#[doc(hidden)]
pub fn decode_boxed<R: crate::tr::TrResponse>(
    api_id: &'static str,
    body: &[u8],
) -> Result<Box<R>, DecodeError> {
    match R::decode(api_id, body) {
        Ok(response) => Ok(Box::new(response)),
        Err(e) => Err(e),
    }
}

/// Read a request of type `T` from its wire JSON (see [`crate::codec::parse_request`]),
/// boxed: the reading itself is compiled once, over the table.
#[doc(hidden)]
pub fn parse_boxed<T: Table>(
    api_id: &'static str,
    body: &Value,
) -> Result<Box<T>, ValidationError> {
    let mut request = Box::new(T::blank());
    fill_request_body(api_id, body, &mut *request)?;
    Ok(request)
}
