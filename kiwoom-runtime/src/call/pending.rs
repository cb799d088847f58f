//! [`Pending`]: the future of a typed call. The request went through the one execution path
//! (compiled once for every TR, `execute_erased`); this small future only turns its answer
//! into the caller's type. A generic `async fn` per TR would repeat the whole execution state
//! machine 306 times in the generated crate.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use super::{AnyPage, AnyPageFuture};
use crate::error::Error;

/// Turns a decoded page into the call's output.
type Finish<O> = Box<dyn FnOnce(AnyPage) -> Result<O, Error> + Send>;

/// A call in flight (or refused before it was sent); resolves to `O`.
#[must_use = "a call does nothing until awaited"]
pub struct Pending<O> {
    state: State<O>,
}

enum State<O> {
    /// Refused before anything was sent (validation, market rules, serialization).
    Refused(Error),
    Running(AnyPageFuture, Finish<O>),
    Done,
}

impl<O> Pending<O> {
    pub(crate) fn running(future: AnyPageFuture, finish: Finish<O>) -> Self {
        Pending {
            state: State::Running(future, finish),
        }
    }

    pub(crate) fn refused(error: Error) -> Self {
        Pending {
            state: State::Refused(error),
        }
    }
}

impl<O> std::fmt::Debug for Pending<O> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = match &self.state {
            State::Refused(_) => "refused",
            State::Running(..) => "running",
            State::Done => "done",
        };
        f.debug_struct("Pending").field("state", &state).finish()
    }
}

// Nothing is pinned in place: the running future is boxed.
impl<O> Unpin for Pending<O> {}

impl<O> Future for Pending<O> {
    type Output = Result<O, Error>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        if let State::Running(future, _) = &mut self.state {
            let page = std::task::ready!(future.as_mut().poll(cx));
            if let State::Running(_, finish) = std::mem::replace(&mut self.state, State::Done) {
                return Poll::Ready(page.and_then(finish));
            }
        }
        match std::mem::replace(&mut self.state, State::Done) {
            State::Refused(e) => Poll::Ready(Err(e)),
            _ => panic!("a call's future polled after it completed"),
        }
    }
}
