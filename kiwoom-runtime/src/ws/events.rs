//! What a realtime session delivers, raw and typed.

use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::SystemTime;

use futures::Stream;
use futures::stream::BoxStream;

use super::queue::EventQueue;
use crate::error::Error;
use crate::tr::{DecodeError, RealItem, RealtimeDecode, RealtimeType};

/// The connection's life, as reported by `RealtimeSession::state_changes()`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnectionState {
    Connecting,
    Connected,
    /// Connection lost; trying again (1-based attempt).
    Reconnecting {
        attempt: u32,
    },
    /// Closed by the caller, or reconnection gave up.
    Closed,
}

/// Realtime data was missed: the connection was down between `since` and `until`.
/// Kiwoom does not replay; fetch a snapshot over REST if it matters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gap {
    pub since: SystemTime,
    pub until: SystemTime,
    /// Reconnect attempts it took.
    pub attempts: u32,
    /// Every registration and realtime condition search was restored.
    pub resubscribed: bool,
}

/// One thing a realtime session delivers.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum SessionEvent {
    /// One entry of a REAL frame (condition-search hits arrive as type `02` / `S2`).
    Real(RealItem),
    Gap(Gap),
    /// A SYSTEM notice (`R10001`: the same app key connected elsewhere).
    System {
        code: String,
        message: String,
    },
    /// An entry of a REAL frame that could not be read (a value that is an object, an
    /// entry without `type`, ...). The frame's other entries are delivered as usual.
    Malformed {
        /// The entry's `type`, when it could be read.
        kind: Option<String>,
        error: DecodeError,
    },
    /// A REAL frame held more entries than `WsConfig::max_entries_per_frame`: the first
    /// `delivered` were delivered, the rest skipped without being kept in memory.
    FrameTruncated {
        entries: usize,
        delivered: usize,
    },
}

/// The error a typed stream yields for an entry that did not arrive intact.
fn lost_entry_error(event: SessionEvent) -> Option<Error> {
    match event {
        SessionEvent::Malformed { error, .. } => Some(Error::Decode(error)),
        SessionEvent::FrameTruncated { entries, delivered } => Some(Error::Decode(DecodeError {
            api_id: "REAL".into(),
            field: "data".into(),
            raw: format!("<{entries} entries>"),
            reason: format!(
                "more entries than the limit of {delivered} per frame; {} skipped",
                entries - delivered
            ),
        })),
        _ => None,
    }
}

/// A session event with REAL entries decoded.
#[derive(Debug, Clone, PartialEq)]
pub enum TypedEvent<E> {
    Real(E),
    Gap(Gap),
    System { code: String, message: String },
}

/// Decode one raw event with `decode`: entries become `Real`, gaps and notices pass
/// through, an entry that did not arrive intact or does not decode is an `Err` (the
/// stream goes on).
fn typed_event<E>(
    event: SessionEvent,
    decode: impl FnOnce(&RealItem) -> Result<E, DecodeError>,
) -> Result<TypedEvent<E>, Error> {
    match event {
        SessionEvent::Real(item) => decode(&item).map(TypedEvent::Real).map_err(Error::Decode),
        SessionEvent::Gap(g) => Ok(TypedEvent::Gap(g)),
        SessionEvent::System { code, message } => Ok(TypedEvent::System { code, message }),
        other => Err(lost_entry_error(other)
            .unwrap_or_else(|| Error::WebSocket("an event this version cannot type".into()))),
    }
}

/// The raw events of a session. One consumer: clones of the stream share the queue, each
/// event goes to one of them. Ends when the session is closed.
#[must_use = "streams do nothing unless polled"]
pub struct EventStream {
    inner: BoxStream<'static, SessionEvent>,
}

impl EventStream {
    pub(crate) fn new(queue: Arc<EventQueue>) -> Self {
        let inner =
            futures::stream::unfold(queue, |q| async move { q.recv().await.map(|e| (e, q)) });
        EventStream {
            inner: Box::pin(inner),
        }
    }

    /// Decode REAL entries into `E` (the generated `RealtimeEvent`, matched by variant);
    /// gaps and notices pass through; an entry that does not decode yields
    /// `Err(Error::Decode)` and the stream continues.
    pub fn typed<E: RealtimeDecode>(self) -> TypedEventStream<E> {
        TypedEventStream {
            raw: self,
            _e: PhantomData,
        }
    }
}

impl Stream for EventStream {
    type Item = SessionEvent;
    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<SessionEvent>> {
        self.inner.as_mut().poll_next(cx)
    }
}

/// The session's events decoded into `E` (see [`EventStream::typed`]).
#[must_use = "streams do nothing unless polled"]
pub struct TypedEventStream<E> {
    raw: EventStream,
    _e: PhantomData<fn() -> E>,
}

impl<E: RealtimeDecode> Stream for TypedEventStream<E> {
    type Item = Result<TypedEvent<E>, Error>;
    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let event = std::task::ready!(Pin::new(&mut self.raw).poll_next(cx));
        Poll::Ready(event.map(|e| typed_event(e, E::decode_real)))
    }
}

/// The events of one realtime type `T`, decoded (see `RealtimeSession::events_of`), with
/// every gap and notice of the session.
#[must_use = "streams do nothing unless polled"]
pub struct RealtimeStream<T> {
    raw: EventStream,
    _t: PhantomData<fn() -> T>,
}

impl<T: RealtimeType> RealtimeStream<T> {
    pub(crate) fn new(queue: Arc<EventQueue>) -> Self {
        RealtimeStream {
            raw: EventStream::new(queue),
            _t: PhantomData,
        }
    }
}

impl<T: RealtimeType> Stream for RealtimeStream<T> {
    type Item = Result<TypedEvent<T>, Error>;
    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let event = std::task::ready!(Pin::new(&mut self.raw).poll_next(cx));
        Poll::Ready(event.map(|e| typed_event(e, T::decode_item)))
    }
}
