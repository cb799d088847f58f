//! The one execution path every REST TR goes through: validate, wait for the limiter,
//! send with the token, read the envelope, decode; with the retry rules of the runtime.

use std::any::Any;
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::time::Instant;

use bytes::Bytes;
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};
use tracing::Instrument;

mod dispatch;
mod pending;

pub(crate) use dispatch::prepare;
#[doc(hidden)]
pub use dispatch::{TableRequest, Unwrap, pages_table, send_table, unbox};
pub use pending::Pending;

use crate::auth::manager::JSON_UTF8;
use crate::auth::redact;
use crate::client::Client;
use crate::error::Error;
use crate::error_code::RetryAdvice;
use crate::paging::{ItemStream, PageStream};
use crate::return_code::BorrowedEnvelope;
use crate::tr::{
    DecodeError, OrderAction, OrderSummary, PagedRequest, TrInfo, TrRequest, TrResponse,
    ValidationError, ValidationProblem,
};

/// One decoded answer with its continuation headers.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<R> {
    pub body: R,
    /// The `cont-yn` response header was `Y`.
    pub cont_yn: bool,
    /// The `next-key` response header, when not empty.
    pub next_key: Option<String>,
    /// The `resp-cnt` response header (rows in this page), when present.
    pub resp_cnt: Option<u32>,
}

/// A prepared call. Nothing is sent until it is awaited (or `send`, `pages`, `items`).
#[must_use = "a Call does nothing until awaited"]
pub struct Call<T: TrRequest> {
    pub(crate) client: Client,
    pub(crate) request: T,
    pub(crate) max_pages: Option<usize>,
    pub(crate) resume_key: Option<String>,
    /// Check the client's market rules before an order is sent.
    pub(crate) market_rules: bool,
}

impl<T: TrRequest> std::fmt::Debug for Call<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Call")
            .field("api_id", &T::INFO.api_id)
            .field("max_pages", &self.max_pages)
            .finish()
    }
}

impl<T: TrRequest> Call<T> {
    pub(crate) fn new(client: Client, request: T) -> Self {
        Call {
            client,
            request,
            max_pages: None,
            resume_key: None,
            market_rules: true,
        }
    }

    /// Continue an earlier listing from this `next-key` (sent with `cont-yn: Y`).
    pub fn resume_from(mut self, next_key: impl Into<String>) -> Self {
        self.resume_key = Some(next_key.into()).filter(|k| !k.is_empty());
        self
    }

    /// The answer.
    pub fn send(self) -> Pending<T::Response> {
        match self.prepare() {
            Ok((client, outgoing)) => Pending::running(
                execute_any(client, outgoing, decode_as::<T::Response>),
                Box::new(body_of::<T::Response>),
            ),
            Err(e) => Pending::refused(e),
        }
    }

    /// Send this order without the client's market-rule check (the exchange still applies
    /// the rules; use it when you know better than the tables, e.g. a one-off session).
    pub fn without_market_rules(mut self) -> Self {
        self.market_rules = false;
        self
    }

    /// The answer plus its continuation headers.
    pub fn send_with_meta(self) -> Pending<Page<T::Response>> {
        match self.prepare() {
            Ok((client, outgoing)) => execute(client, outgoing),
            Err(e) => Pending::refused(e),
        }
    }

    /// Everything checked before anything is sent (validation, market rules), and the
    /// request serialized; the future then only carries the outcome.
    fn prepare(self) -> Result<(Client, Outgoing), Error> {
        let outgoing = dispatch::prepare(
            &self.client,
            &self.request,
            self.resume_key,
            self.market_rules,
        )?;
        Ok((self.client, outgoing))
    }
}

/// Refuse an order that breaks a market rule, before anything is sent.
fn check_market_rules(client: &Client, outgoing: &Outgoing) -> Result<(), Error> {
    let info = outgoing.info;
    match &client.inner.market_rules {
        Some(rules) if info.safety.is_order() => {
            rules
                .check(info.api_id, &outgoing.body)
                .map_err(|violation| Error::MarketRule {
                    api_id: info.api_id,
                    violation: Box::new(violation),
                })
        }
        _ => Ok(()),
    }
}

/// A call's future, boxed, its answer mapped to `O`: what dispatch by api-id
/// (`call_json`) builds for whichever TR it was given.
pub type BoxedSend<O> = Pin<Box<dyn Future<Output = Result<O, Error>> + Send>>;

/// A listing's pages, boxed, each mapped to `O`: what paging by api-id (`pages_json`)
/// builds for whichever TR it was given.
pub type BoxedPages<O> = Pin<Box<dyn futures::Stream<Item = Result<O, Error>> + Send>>;

/// One call's answer as a listing of one page, so that a TR that does not page reads like
/// one that does (the generated `pages_json`).
#[doc(hidden)]
pub fn single_page<O: Send + 'static>(call: BoxedSend<O>) -> BoxedPages<O> {
    Box::pin(futures::stream::once(call))
}

impl<T: TrRequest> IntoFuture for Call<T> {
    type Output = Result<T::Response, Error>;
    type IntoFuture = Pin<Box<dyn Future<Output = Self::Output> + Send>>;
    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

impl<T: PagedRequest> Call<T> {
    /// Stop after `n` pages (at least 1).
    pub fn max_pages(mut self, n: usize) -> Self {
        self.max_pages = Some(n.max(1));
        self
    }

    /// Every page, following `cont-yn` / `next-key`.
    pub fn pages(self) -> PageStream<T> {
        PageStream::new(self)
    }

    /// Every row of every page.
    pub fn items(self) -> ItemStream<T> {
        ItemStream::new(self.pages())
    }
}

// Built once: a header name from a string is validated on every use.
static API_ID: HeaderName = HeaderName::from_static("api-id");
static CONT_YN: HeaderName = HeaderName::from_static("cont-yn");
static NEXT_KEY: HeaderName = HeaderName::from_static("next-key");
static RESP_CNT: HeaderName = HeaderName::from_static("resp-cnt");
static JSON_CONTENT_TYPE: HeaderValue = HeaderValue::from_static(JSON_UTF8);

/// What to do after one attempt.
enum Next {
    Done(Result<AnyPage, Error>),
    /// The server did not process it (rate limit): wait, then resend.
    RateLimited(Error),
    /// The server refused the token: replace it once, then resend.
    TokenRefused(Error),
    /// Answered, but the envelope is unreadable: for an order, was it accepted?
    Unreadable(Error),
    /// A transport failure or 5xx: resend only if allowed (never an order that may have
    /// reached the server).
    Failed(Error),
}

/// One TR's request as the execution path sees it: what goes on the wire, with no type.
///
/// Everything from here on (limiter, token, HTTP, retry rules, envelope, cache, metrics)
/// is compiled once, not once per TR: the typed layer only serializes the request and
/// decodes the answer (through a [`Decoder`]). With 306 TRs, a generic execution path was
/// a quarter of the generated crate's machine code and most of its build time.
#[derive(Clone)]
pub(crate) struct Outgoing {
    pub(crate) info: &'static TrInfo,
    body: Bytes,
    /// For an order: what to check if its outcome is unknown.
    order: Option<OrderSummary>,
    pub(crate) next_key: Option<String>,
    pub(crate) page: u32,
}

impl Outgoing {
    pub(crate) fn new<T: TrRequest>(
        req: &T,
        next_key: Option<String>,
        page: u32,
    ) -> Result<Self, Error> {
        Self::from_request(&T::INFO, req, next_key, page)
    }

    /// [`new`](Self::new) past the request's type (compiled once).
    fn from_request(
        info: &'static TrInfo,
        req: &dyn RequestBody,
        next_key: Option<String>,
        page: u32,
    ) -> Result<Self, Error> {
        // Request bodies are a handful of short string fields; one allocation usually
        // holds them.
        let mut body = Vec::with_capacity(256);
        let written = req.write_body(&mut body);
        let order = info.safety.is_order().then(|| req.order_summary());
        Self::from_parts(info, written.map(|()| body), order, next_key, page)
    }

    /// The part of [`new`](Self::new) that is the same for every TR.
    fn from_parts(
        info: &'static TrInfo,
        body: Result<Vec<u8>, serde_json::Error>,
        order: Option<Option<OrderSummary>>,
        next_key: Option<String>,
        page: u32,
    ) -> Result<Self, Error> {
        let body = body.map_err(|e| {
            Error::Config(format!(
                "{}: cannot serialize the request: {e}",
                info.api_id
            ))
        })?;
        let order = order.map(|summary| {
            summary.unwrap_or(OrderSummary {
                api_id: info.api_id,
                ..Default::default()
            })
        });
        Ok(Outgoing {
            info,
            body: Bytes::from(body),
            order,
            next_key,
            page,
        })
    }
}

/// What [`Outgoing`] needs of a request, whatever its TR: a typed request or the
/// registry's [`TableRequest`](dispatch::TableRequest).
trait RequestBody {
    fn write_body(&self, out: &mut Vec<u8>) -> Result<(), serde_json::Error>;
    fn order_summary(&self) -> Option<OrderSummary>;
}

impl<T: TrRequest> RequestBody for T {
    fn write_body(&self, out: &mut Vec<u8>) -> Result<(), serde_json::Error> {
        TrRequest::write_body(self, out)
    }
    fn order_summary(&self) -> Option<OrderSummary> {
        TrRequest::order_summary(self)
    }
}

/// The typed half of a call: decodes one answer body as the TR's response type, boxed so
/// that everything around it is the same code for every TR.
pub(crate) type Decoder = fn(&'static str, &[u8]) -> Result<Box<dyn Any + Send>, DecodeError>;

pub(crate) fn decode_as<R: TrResponse>(
    api_id: &'static str,
    bytes: &[u8],
) -> Result<Box<dyn Any + Send>, DecodeError> {
    R::decode(api_id, bytes).map(|r| Box::new(r) as Box<dyn Any + Send>)
}

/// A page whose body was decoded by a [`Decoder`], still boxed.
pub(crate) type AnyPage = Page<Box<dyn Any + Send>>;

/// The decoded page as the type its decoder produced.
pub(crate) fn typed<R: 'static>(page: AnyPage) -> Result<Page<R>, Error> {
    let (cont_yn, next_key, resp_cnt) = (page.cont_yn, page.next_key, page.resp_cnt);
    let body = downcast::<R>(page.body)?;
    Ok(Page {
        body,
        cont_yn,
        next_key,
        resp_cnt,
    })
}

/// The decoded body alone.
fn body_of<R: 'static>(page: AnyPage) -> Result<R, Error> {
    downcast(page.body)
}

fn downcast<R: 'static>(body: Box<dyn Any + Send>) -> Result<R, Error> {
    match body.downcast::<R>() {
        Ok(body) => Ok(*body),
        // Cannot happen: the decoder of `R` made the body.
        Err(_) => Err(not_decoded_as(std::any::type_name::<R>())),
    }
}

fn not_decoded_as(type_name: &str) -> Error {
    Error::Config(format!(
        "internal: an answer decoded as another type than {type_name}"
    ))
}

/// Send a serialized request and decode its answer as `R`.
pub(crate) fn execute<R: TrResponse>(client: Client, outgoing: Outgoing) -> Pending<Page<R>> {
    Pending::running(
        execute_any(client, outgoing, decode_as::<R>),
        Box::new(typed::<R>),
    )
}

/// The future of one page of any TR.
pub(crate) type AnyPageFuture = Pin<Box<dyn Future<Output = Result<AnyPage, Error>> + Send>>;

/// [`execute_erased`], boxed: the one future type of every call.
pub(crate) fn execute_any(client: Client, outgoing: Outgoing, decode: Decoder) -> AnyPageFuture {
    Box::pin(execute_erased(client, outgoing, decode))
}

/// Send one page, retrying as the rules allow; on success the answer has been decoded by
/// `decode` (from the cache or the server).
async fn execute_erased(
    client: Client,
    outgoing: Outgoing,
    decode: Decoder,
) -> Result<AnyPage, Error> {
    let info = outgoing.info;
    let slot = client
        .inner
        .cache
        .as_ref()
        .and_then(|c| c.slot(info, &outgoing.body, outgoing.next_key.as_deref()));
    if let Some(hit) = slot.as_ref().and_then(|s| s.get(info.api_id, decode)) {
        return Ok(hit);
    }
    let span = tracing::debug_span!(
        "kiwoom_request",
        api_id = info.api_id,
        page = outgoing.page,
        attempt = tracing::field::Empty,
        status = tracing::field::Empty,
        return_code = tracing::field::Empty,
        latency_ms = tracing::field::Empty,
    );
    let started = Instant::now();
    let result = execute_inner(&client, outgoing, slot.as_ref(), decode)
        .instrument(span)
        .await;
    crate::metrics::call_finished(info.api_id, result.as_ref().err(), started.elapsed());
    result
}

async fn execute_inner(
    client: &Client,
    outgoing: Outgoing,
    cache: Option<&crate::cache::Slot>,
    decode: Decoder,
) -> Result<AnyPage, Error> {
    let inner = &*client.inner;
    let Outgoing {
        info,
        body,
        order,
        next_key,
        ..
    } = outgoing;
    let is_order = info.safety.is_order();
    let url = inner.url(info.path)?;
    let next_key_header = match next_key.as_deref() {
        Some(k) => Some(header_value(info.api_id, "next-key", k)?),
        None => None,
    };
    let started = Instant::now();
    let span = tracing::Span::current();
    let (mut attempt, mut transport_retries, mut rate_retries, mut refreshed) =
        (0u32, 0u32, 0u32, false);
    loop {
        attempt += 1;
        span.record("attempt", attempt);
        let token = inner.auth.token().await?;
        let waiting = Instant::now();
        inner
            .limiter
            .acquire(inner.auth.app_fingerprint(), info)
            .await?;
        crate::metrics::limiter_waited(info.api_id, waiting.elapsed());

        let mut headers = HeaderMap::with_capacity(5);
        headers.insert(API_ID.clone(), HeaderValue::from_static(info.api_id));
        headers.insert(AUTHORIZATION, token.header().clone());
        headers.insert(CONTENT_TYPE, JSON_CONTENT_TYPE.clone());
        if let Some(k) = &next_key_header {
            headers.insert(CONT_YN.clone(), HeaderValue::from_static("Y"));
            headers.insert(NEXT_KEY.clone(), k.clone());
        }
        let sent_at = Instant::now();
        let result = inner
            .http
            .post(url.clone())
            .headers(headers)
            .body(body.clone())
            .send()
            .await;
        let next = match result {
            Err(e) => Next::Failed(transport_error(info.api_id, e, inner.timeout)),
            Ok(resp) => {
                let status = resp.status().as_u16();
                span.record("status", status);
                if (300..400).contains(&status) {
                    // Not followed (the client has no redirect policy); never read further.
                    Next::Unreadable(Error::Redirect {
                        api_id: info.api_id,
                        status,
                    })
                } else {
                    let meta = read_meta(resp.headers());
                    match read_body(info.api_id, resp, inner.max_body_bytes).await {
                        Err(BodyError::Transport(e)) => {
                            Next::Failed(transport_error(info.api_id, e, inner.timeout))
                        }
                        Err(BodyError::TooLarge(e)) => Next::Unreadable(e),
                        Ok(bytes) => {
                            let next = judge(
                                info.api_id,
                                status,
                                bytes.clone(),
                                meta,
                                order.as_ref(),
                                decode,
                            );
                            if let (Some(slot), Next::Done(Ok(page))) = (cache, &next) {
                                slot.store(bytes, page);
                            }
                            next
                        }
                    }
                }
            }
        };
        span.record("latency_ms", sent_at.elapsed().as_millis() as u64);
        crate::metrics::request_answered(info.api_id, sent_at.elapsed());
        match next {
            Next::Done(Ok(page)) => {
                tracing::debug!(
                    total_ms = started.elapsed().as_millis() as u64,
                    cont_yn = page.cont_yn,
                    "ok"
                );
                return Ok(page);
            }
            Next::Unreadable(e) if is_order => {
                tracing::error!(error = %e, "order answer unreadable; outcome unknown");
                return Err(Error::OutcomeUnknown {
                    order: Box::new(order.clone().unwrap_or_else(|| OrderSummary {
                        api_id: info.api_id,
                        ..Default::default()
                    })),
                    cause: Box::new(e),
                });
            }
            Next::Done(Err(e)) | Next::Unreadable(e) => {
                tracing::debug!(error = %e, "failed");
                return Err(e);
            }
            Next::RateLimited(e) => {
                inner
                    .limiter
                    .rate_limited(inner.auth.app_fingerprint(), info);
                crate::metrics::rate_limit_answer(info.api_id);
                rate_retries += 1;
                if rate_retries > inner.retry.max_rate_limit_retries {
                    tracing::warn!(error = %e, "rate limited; retries exhausted");
                    return Err(e);
                }
                crate::metrics::resend(info.api_id, crate::metrics::Resend::RateLimit);
                let wait = inner.retry.backoff(rate_retries);
                tracing::info!(
                    retry = rate_retries,
                    wait_ms = wait.as_millis() as u64,
                    "rate limited by the server; backing off"
                );
                tokio::time::sleep(wait).await;
            }
            Next::TokenRefused(e) => {
                crate::metrics::token_rejected(info.api_id);
                if refreshed {
                    return Err(e);
                }
                refreshed = true;
                inner.auth.replace_rejected(token.generation).await?;
                crate::metrics::resend(info.api_id, crate::metrics::Resend::Token);
            }
            Next::Failed(e) => {
                let maybe_sent = !matches!(e, Error::Transport { sent: false, .. });
                if is_order && maybe_sent {
                    tracing::error!(error = %e, "order outcome unknown; not resending");
                    return Err(Error::OutcomeUnknown {
                        order: Box::new(order.clone().unwrap_or_else(|| OrderSummary {
                            api_id: info.api_id,
                            ..Default::default()
                        })),
                        cause: Box::new(e),
                    });
                }
                transport_retries += 1;
                if transport_retries >= inner.retry.max_attempts {
                    tracing::warn!(error = %e, "giving up");
                    return Err(e);
                }
                let wait = inner.retry.backoff(transport_retries);
                crate::metrics::resend(info.api_id, crate::metrics::Resend::Transport);
                tracing::info!(error = %e, retry = transport_retries, wait_ms = wait.as_millis() as u64, "resending");
                tokio::time::sleep(wait).await;
            }
        }
    }
}

fn transport_error(api_id: &'static str, e: reqwest::Error, timeout: std::time::Duration) -> Error {
    // A connection that never opened carried nothing; anything later may have.
    let sent = !e.is_connect();
    if sent && e.is_timeout() {
        Error::Timeout { api_id, timeout }
    } else {
        Error::Transport {
            api_id,
            sent,
            source: e,
        }
    }
}

/// An answer's continuation headers.
pub(crate) struct Meta {
    pub(crate) cont_yn: bool,
    pub(crate) next_key: Option<String>,
    pub(crate) resp_cnt: Option<u32>,
}

impl Meta {
    fn page<R>(self, body: R) -> Page<R> {
        Page {
            body,
            cont_yn: self.cont_yn,
            next_key: self.next_key,
            resp_cnt: self.resp_cnt,
        }
    }
}

/// Header names are case-insensitive (`http` stores them lower-case).
fn read_meta(h: &HeaderMap) -> Meta {
    let text = |name: &HeaderName| h.get(name).and_then(|v| v.to_str().ok()).map(str::trim);
    Meta {
        cont_yn: text(&CONT_YN).is_some_and(|v| v.eq_ignore_ascii_case("y")),
        next_key: text(&NEXT_KEY).filter(|v| !v.is_empty()).map(str::to_owned),
        resp_cnt: text(&RESP_CNT).and_then(|v| v.parse().ok()),
    }
}

/// Refuse a value bound for a header unless it is visible ASCII (or a space): a non-ASCII
/// `next-key` would otherwise go out as raw UTF-8 bytes, a control character could split
/// the header. Nothing is sent.
fn header_value(
    api_id: &'static str,
    field: &'static str,
    value: &str,
) -> Result<HeaderValue, Error> {
    let bad = value.chars().find(|c| !(c.is_ascii_graphic() || *c == ' '));
    let invalid = |reason: String| {
        Error::Validation(ValidationError {
            api_id,
            field,
            rust_name: field,
            problem: ValidationProblem::Invalid { reason },
        })
    };
    if let Some(c) = bad {
        return Err(invalid(format!(
            "header values must be visible ASCII; found {c:?} in {value:?}"
        )));
    }
    HeaderValue::from_str(value).map_err(|e| invalid(e.to_string()))
}

pub(crate) enum BodyError {
    Transport(reqwest::Error),
    TooLarge(Error),
}

/// Read an answer body, stopping at `limit` bytes (checked against `content-length` first,
/// then while streaming, so a huge or endless body never sits in memory).
pub(crate) async fn read_body(
    api_id: &'static str,
    mut resp: reqwest::Response,
    limit: usize,
) -> Result<Bytes, BodyError> {
    let too_large = |received: usize| {
        BodyError::TooLarge(Error::BodyTooLarge {
            api_id,
            limit,
            received,
        })
    };
    let announced = resp.content_length().unwrap_or(0);
    if announced > limit as u64 {
        return Err(too_large(0));
    }
    let mut first: Option<Bytes> = None;
    let mut rest: Vec<u8> = Vec::new();
    let mut received = 0usize;
    while let Some(chunk) = resp.chunk().await.map_err(BodyError::Transport)? {
        received += chunk.len();
        if received > limit {
            return Err(too_large(received));
        }
        // Most answers arrive in one chunk: keep it without copying.
        match &first {
            None if rest.is_empty() => first = Some(chunk),
            _ => {
                if let Some(f) = first.take() {
                    rest.reserve(announced.max(received as u64) as usize);
                    rest.extend_from_slice(&f);
                }
                rest.extend_from_slice(&chunk);
            }
        }
    }
    Ok(first.unwrap_or_else(|| Bytes::from(rest)))
}

/// A raw answer as it may appear in an error: secrets redacted, then truncated.
fn raw_text(api_id: &str, bytes: &[u8]) -> String {
    redact::redact_body(api_id, &String::from_utf8_lossy(bytes))
        .chars()
        .take(200)
        .collect()
}

fn body_error(api_id: &'static str, bytes: &[u8], reason: String) -> DecodeError {
    let raw = raw_text(api_id, bytes);
    DecodeError {
        api_id: api_id.to_owned(),
        field: "<body>".into(),
        raw,
        reason,
    }
}

/// The order number in an order's raw answer (`ord_no`), when there is a non-empty one.
fn order_number(bytes: &[u8]) -> Option<String> {
    let value: serde_json::Value = serde_json::from_slice(bytes).ok()?;
    let n = match value.get("ord_no")? {
        serde_json::Value::String(s) => s.trim().to_owned(),
        serde_json::Value::Number(n) => n.to_string(),
        _ => return None,
    };
    (!n.is_empty()).then_some(n)
}

/// Classify one answer. `order` is the summary when the TR is an order.
fn judge(
    api_id: &'static str,
    status: u16,
    bytes: Bytes,
    meta: Meta,
    order: Option<&OrderSummary>,
    decode: Decoder,
) -> Next {
    if status >= 500 {
        // A 5xx on an order is unknown state (handled by the caller); a query may retry.
        return Next::Failed(Error::Http { api_id, status });
    }
    let envelope: Result<BorrowedEnvelope, _> = serde_json::from_slice(&bytes);
    let env = match envelope {
        Ok(env) => env,
        Err(e) => {
            if status == 429 {
                return Next::RateLimited(Error::Http { api_id, status });
            }
            if status == 401 {
                return Next::TokenRefused(Error::Http { api_id, status });
            }
            if !(200..300).contains(&status) {
                return Next::Done(Err(Error::Http { api_id, status }));
            }
            return Next::Unreadable(Error::Decode(body_error(
                api_id,
                &bytes,
                format!("not a JSON object: {e}"),
            )));
        }
    };
    if !env.is_success() || !(200..300).contains(&status) {
        let code = env.error_code();
        if let Some(rc) = &env.return_code {
            tracing::Span::current().record("return_code", tracing::field::display(rc));
        }
        let err = match &env.return_code {
            Some(rc) if !rc.is_success() => Error::Api {
                api_id,
                return_code: rc.clone(),
                code,
                message: env.return_msg.as_deref().unwrap_or_default().to_owned(),
            },
            _ => Error::Http { api_id, status },
        };
        return match (code.retry(), status) {
            (RetryAdvice::Backoff, _) | (_, 429) => Next::RateLimited(err),
            (RetryAdvice::RefreshToken, _) | (_, 401) => Next::TokenRefused(err),
            _ => Next::Done(Err(err)),
        };
    }
    // An order is only confirmed by an explicit return_code 0 and, for orders on a
    // security, an order number.
    let mut order_no = None;
    if let Some(order) = order {
        let unconfirmed = |reason: &str| {
            Next::Unreadable(Error::Unconfirmed {
                api_id,
                reason: reason.to_owned(),
                raw: raw_text(api_id, &bytes),
            })
        };
        if env.return_code.is_none() {
            return unconfirmed("no return_code");
        }
        order_no = order_number(&bytes);
        // Every stock order of the spec (buy, sell, amend, cancel) answers `ord_no`; the one
        // order TR that is not a stock order (ust31302, currency exchange: `Other`) has no
        // order-number field in its response.
        let answers_order_number = matches!(
            order.action,
            Some(OrderAction::Buy | OrderAction::Sell | OrderAction::Amend | OrderAction::Cancel)
        );
        if order_no.is_none() && answers_order_number {
            return unconfirmed("return_code 0 but no order number (ord_no)");
        }
    }
    Next::Done(match decode(api_id, &bytes) {
        Ok(body) => Ok(meta.page(body)),
        Err(e) => match order {
            Some(order) => {
                tracing::error!(error = %e, order_number = ?order_no, "order accepted but its answer does not decode");
                Err(Error::OrderAcceptedUndecodable {
                    order_number: order_no,
                    order: Box::new(order.clone()),
                    decode: Box::new(e),
                })
            }
            None => Err(Error::Decode(e)),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    /// Serve one chunked answer (no content-length) made of `chunks`.
    async fn chunked_server(chunks: Vec<Vec<u8>>) -> String {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/", listener.local_addr().unwrap());
        tokio::spawn(async move {
            let (mut sock, _) = listener.accept().await.unwrap();
            let mut buf = [0u8; 4096];
            let _ = sock.read(&mut buf).await;
            let mut out = b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n".to_vec();
            for c in &chunks {
                out.extend_from_slice(format!("{:x}\r\n", c.len()).as_bytes());
                out.extend_from_slice(c);
                out.extend_from_slice(b"\r\n");
            }
            out.extend_from_slice(b"0\r\n\r\n");
            let _ = sock.write_all(&out).await;
            tokio::time::sleep(Duration::from_millis(200)).await;
        });
        url
    }

    #[tokio::test]
    async fn bodies_are_read_whole_under_the_cap_and_cut_while_streaming_above_it() {
        let http = reqwest::Client::new();
        let chunks: Vec<Vec<u8>> = (0..5u8).map(|i| vec![b'a' + i; 1000]).collect();
        let expected: Vec<u8> = chunks.concat();
        let url = chunked_server(chunks).await;
        let resp = http.get(&url).send().await.unwrap();
        let body = read_body("ka10001", resp, 10_000).await.ok().unwrap();
        assert_eq!(&body[..], &expected[..]);

        // No content-length: the cap is enforced chunk by chunk.
        let url = chunked_server((0..50).map(|_| vec![b'x'; 1000]).collect()).await;
        let resp = http.get(&url).send().await.unwrap();
        match read_body("ka10001", resp, 10_000).await {
            Err(BodyError::TooLarge(Error::BodyTooLarge {
                api_id: "ka10001",
                limit: 10_000,
                received,
            })) => assert!((10_001..=11_000).contains(&received), "{received}"),
            _ => panic!("expected BodyTooLarge"),
        }
    }

    // Whether an order may be resent hangs on this split: only a connection that never
    // opened counts as "not sent".
    #[tokio::test]
    async fn refused_connection_is_not_sent_and_silence_is_a_timeout() {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_millis(300))
            .build()
            .unwrap();
        let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let closed_url = format!("http://{}/", closed.local_addr().unwrap());
        drop(closed);
        let e = http.post(&closed_url).send().await.unwrap_err();
        let timeout = Duration::from_millis(300);
        assert!(
            matches!(
                transport_error("kt10000", e, timeout),
                Error::Transport { sent: false, .. }
            ),
            "a refused connection carried nothing"
        );

        // Accepts, reads, never answers: the request reached the server.
        let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let silent_url = format!("http://{}/", silent.local_addr().unwrap());
        let server = tokio::spawn(async move {
            let (sock, _) = silent.accept().await.unwrap();
            tokio::time::sleep(Duration::from_secs(2)).await;
            drop(sock);
        });
        let e = http.post(&silent_url).body("{}").send().await.unwrap_err();
        assert!(matches!(
            transport_error("kt10000", e, timeout),
            Error::Timeout { .. }
        ));
        server.abort();
    }
}
