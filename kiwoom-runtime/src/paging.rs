//! Continuation (`cont-yn` / `next-key` response headers) as lazy streams.

use std::collections::{HashSet, VecDeque};
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures::Stream;

use crate::call::{
    AnyPage, AnyPageFuture, Call, Decoder, Outgoing, Page, decode_as, execute_any, typed,
};
use crate::client::Client;
use crate::error::Error;
use crate::tr::{PagedRequest, TrRequest};

/// The pages of a paged TR, fetched one at a time as the stream is polled. Ends after a
/// page with `cont-yn` other than `Y`, an empty `next-key`, a `next-key` seen before (the
/// server looping; logged), the first error, or `max_pages`.
#[must_use = "streams do nothing unless polled"]
pub struct PageStream<T: PagedRequest> {
    raw: RawPages,
    _request: PhantomData<fn() -> T>,
}

/// A listing, whatever its TR: the request serialized once, each page sent and decoded by
/// the one execution path (compiled once, not once per paged TR).
pub(crate) struct RawPages {
    client: Client,
    /// The first page's request; later pages change its `next-key` and page number.
    outgoing: Option<Outgoing>,
    decode: Decoder,
    cursor: Cursor,
    in_flight: Option<AnyPageFuture>,
    /// A validation error to report before anything is sent.
    invalid: Option<Error>,
}

/// Where a listing stands.
struct Cursor {
    api_id: &'static str,
    next_key: Option<String>,
    seen_keys: HashSet<String>,
    pages_done: usize,
    max_pages: Option<usize>,
    finished: bool,
}

impl Cursor {
    /// Decide whether another page follows one with these continuation headers.
    fn plan_next(&mut self, cont_yn: bool, next_key: Option<&String>) {
        let api_id = self.api_id;
        if self.max_pages.is_some_and(|m| self.pages_done >= m) || !cont_yn {
            self.finished = true;
        } else {
            match next_key {
                None => {
                    tracing::debug!(api_id, "cont-yn Y with an empty next-key; stopping");
                    self.finished = true;
                }
                Some(k) if !self.seen_keys.insert(k.clone()) => {
                    tracing::warn!(api_id, next_key = %k, page = self.pages_done, "server repeated a next-key; stopping to avoid a loop");
                    self.finished = true;
                }
                Some(k) => self.next_key = Some(k.clone()),
            }
        }
    }
}

impl<T: PagedRequest> PageStream<T> {
    pub(crate) fn new(call: Call<T>) -> Self {
        // A listing is never an order: no market rules. `resume_key` is the first page's
        // `next-key` (the cursor sends it), not part of the template request.
        let prepared = crate::call::prepare(&call.client, &call.request, None, false);
        PageStream {
            raw: RawPages::new(
                call.client,
                prepared,
                decode_as::<T::Response>,
                <T as TrRequest>::INFO.api_id,
                call.resume_key,
                call.max_pages,
            ),
            _request: PhantomData,
        }
    }

    /// Pages delivered so far.
    pub fn pages_done(&self) -> usize {
        self.raw.cursor.pages_done
    }
}

impl RawPages {
    /// The pages of an already serialized request (or its refusal, given as the first
    /// page), undecoded by type.
    pub(crate) fn new(
        client: Client,
        prepared: Result<Outgoing, Error>,
        decode: Decoder,
        api_id: &'static str,
        resume_key: Option<String>,
        max_pages: Option<usize>,
    ) -> Self {
        let (outgoing, invalid) = match prepared {
            Ok(outgoing) => (Some(outgoing), None),
            Err(e) => (None, Some(e)),
        };
        let mut seen_keys = HashSet::new();
        if let Some(k) = &resume_key {
            seen_keys.insert(k.clone());
        }
        RawPages {
            client,
            outgoing,
            decode,
            cursor: Cursor {
                api_id,
                next_key: resume_key,
                seen_keys,
                pages_done: 0,
                max_pages,
                finished: false,
            },
            in_flight: None,
            invalid,
        }
    }
}

impl Stream for RawPages {
    type Item = Result<AnyPage, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        let cursor = &mut this.cursor;
        if let Some(e) = this.invalid.take() {
            cursor.finished = true;
            return Poll::Ready(Some(Err(e)));
        }
        if this.in_flight.is_none() {
            let Some(template) = this.outgoing.as_ref().filter(|_| !cursor.finished) else {
                return Poll::Ready(None);
            };
            let mut outgoing = template.clone();
            outgoing.next_key = cursor.next_key.take();
            outgoing.page = cursor.pages_done as u32 + 1;
            this.in_flight = Some(execute_any(this.client.clone(), outgoing, this.decode));
        }
        let fut = this.in_flight.as_mut().expect("set above");
        let result = std::task::ready!(fut.as_mut().poll(cx));
        this.in_flight = None;
        match result {
            Ok(page) => {
                cursor.pages_done += 1;
                cursor.plan_next(page.cont_yn, page.next_key.as_ref());
                Poll::Ready(Some(Ok(page)))
            }
            Err(e) => {
                cursor.finished = true;
                Poll::Ready(Some(Err(e)))
            }
        }
    }
}

impl<T: PagedRequest> Stream for PageStream<T> {
    type Item = Result<Page<T::Response>, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        Pin::new(&mut self.raw)
            .poll_next(cx)
            .map(|page| page.map(|page| page.and_then(typed::<T::Response>)))
    }
}

/// The rows of every page, in order; an error ends the stream after being yielded.
#[must_use = "streams do nothing unless polled"]
pub struct ItemStream<T: PagedRequest> {
    pages: PageStream<T>,
    buffered: VecDeque<T::Item>,
}

// Rows are only moved out of the buffer, never pinned, so the stream is Unpin whatever
// the row type.
impl<T: PagedRequest> Unpin for ItemStream<T> {}

impl<T: PagedRequest> ItemStream<T> {
    pub(crate) fn new(pages: PageStream<T>) -> Self {
        ItemStream {
            pages,
            buffered: VecDeque::new(),
        }
    }
}

impl<T: PagedRequest> Stream for ItemStream<T> {
    type Item = Result<T::Item, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        loop {
            if let Some(item) = this.buffered.pop_front() {
                return Poll::Ready(Some(Ok(item)));
            }
            match std::task::ready!(Pin::new(&mut this.pages).poll_next(cx)) {
                Some(Ok(page)) => this.buffered.extend(T::into_items(page.body)),
                Some(Err(e)) => return Poll::Ready(Some(Err(e))),
                None => return Poll::Ready(None),
            }
        }
    }
}
