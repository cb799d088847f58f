//! What a realtime session delivers, and the bounded buffer between the socket and the
//! consumer.

use std::collections::VecDeque;
use std::pin::Pin;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::SystemTime;

use futures::Stream;
use futures::stream::BoxStream;
use tokio::sync::Notify;

use crate::error::Error;
use crate::tr::{RealItem, RealtimeDecode};

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

#[derive(Debug, Clone, PartialEq)]
pub enum SessionEvent {
    /// One entry of a REAL frame (condition-search hits arrive as type `02` / `S2`).
    Real(RealItem),
    Gap(Gap),
    /// A SYSTEM notice (`R10001`: the same app key connected elsewhere).
    System {
        code: String,
        message: String,
    },
}

/// Bounded queue; when full, the oldest event is dropped and counted.
#[derive(Debug)]
pub(crate) struct EventQueue {
    events: Mutex<VecDeque<SessionEvent>>,
    capacity: usize,
    notify: Notify,
    dropped: AtomicU64,
    closed: AtomicBool,
}

impl EventQueue {
    pub(crate) fn new(capacity: usize) -> Self {
        EventQueue {
            events: Mutex::new(VecDeque::with_capacity(capacity.min(1024))),
            capacity: capacity.max(1),
            notify: Notify::new(),
            dropped: AtomicU64::new(0),
            closed: AtomicBool::new(false),
        }
    }

    pub(crate) fn push(&self, e: SessionEvent) {
        {
            let mut q = self.events.lock().unwrap_or_else(|p| p.into_inner());
            if q.len() >= self.capacity {
                q.pop_front();
                let n = self.dropped.fetch_add(1, Ordering::Relaxed) + 1;
                if n.is_power_of_two() {
                    tracing::warn!(
                        dropped = n,
                        "realtime consumer too slow; oldest events dropped"
                    );
                }
            }
            q.push_back(e);
        }
        self.notify.notify_one();
    }

    pub(crate) fn close(&self) {
        self.closed.store(true, Ordering::Release);
        self.notify.notify_one();
    }

    pub(crate) fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }

    pub(crate) async fn recv(&self) -> Option<SessionEvent> {
        loop {
            let notified = self.notify.notified();
            if let Some(e) = self
                .events
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .pop_front()
            {
                return Some(e);
            }
            if self.closed.load(Ordering::Acquire) {
                // Wake a possible other waiter so it sees the close too.
                self.notify.notify_one();
                return None;
            }
            notified.await;
        }
    }
}

/// The raw events of a session. One consumer: clones of the stream share the queue, each
/// event goes to one of them. Ends when the session is closed.
#[must_use = "streams do nothing unless polled"]
pub struct EventStream {
    inner: BoxStream<'static, SessionEvent>,
}

impl EventStream {
    pub(crate) fn new(queue: std::sync::Arc<EventQueue>) -> Self {
        let inner =
            futures::stream::unfold(queue, |q| async move { q.recv().await.map(|e| (e, q)) });
        EventStream {
            inner: Box::pin(inner),
        }
    }

    /// Decode REAL entries into `E` (the generated `RealtimeEvent`); gaps and notices pass
    /// through; an entry that does not decode yields `Err(Error::Decode)` and the stream
    /// continues.
    pub fn typed<E: RealtimeDecode>(self) -> TypedEventStream<E> {
        TypedEventStream {
            raw: self,
            _e: std::marker::PhantomData,
        }
    }
}

impl Stream for EventStream {
    type Item = SessionEvent;
    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<SessionEvent>> {
        self.inner.as_mut().poll_next(cx)
    }
}

/// A session event with REAL entries decoded.
#[derive(Debug, Clone, PartialEq)]
pub enum TypedEvent<E> {
    Real(E),
    Gap(Gap),
    System { code: String, message: String },
}

#[must_use = "streams do nothing unless polled"]
pub struct TypedEventStream<E> {
    raw: EventStream,
    _e: std::marker::PhantomData<fn() -> E>,
}

impl<E: RealtimeDecode> Stream for TypedEventStream<E> {
    type Item = Result<TypedEvent<E>, Error>;
    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        Poll::Ready(
            std::task::ready!(Pin::new(&mut self.raw).poll_next(cx)).map(|e| match e {
                SessionEvent::Real(item) => E::decode_real(&item)
                    .map(TypedEvent::Real)
                    .map_err(Error::Decode),
                SessionEvent::Gap(g) => Ok(TypedEvent::Gap(g)),
                SessionEvent::System { code, message } => Ok(TypedEvent::System { code, message }),
            }),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn real(n: u32) -> SessionEvent {
        SessionEvent::Real(RealItem {
            kind: "0B".into(),
            item: n.to_string(),
            ..Default::default()
        })
    }

    #[tokio::test]
    async fn full_buffer_drops_oldest_and_counts() {
        let q = EventQueue::new(3);
        for n in 0..5 {
            q.push(real(n));
        }
        assert_eq!(q.dropped(), 2);
        assert_eq!(q.recv().await, Some(real(2)));
        assert_eq!(q.recv().await, Some(real(3)));
        assert_eq!(q.recv().await, Some(real(4)));
        q.close();
        assert_eq!(q.recv().await, None);
    }
}
