//! Many requests at once: a `Stream` of results in completion order, under the client's
//! rate budget, a bounded number in flight, with a summary of what failed.
//!
//! ```no_run
//! # async fn run(client: kiwoom_runtime::Client, requests: Vec<impl kiwoom_runtime::TrRequest>) {
//! use futures::StreamExt;
//! let mut batch = client.batch(requests).concurrency(4).stream();
//! let stop = batch.cancel_handle(); // stop.cancel() from anywhere ends it early
//! while let Some(item) = batch.next().await {
//!     match item.result {
//!         Ok(answer) => { /* item.request, item.index */ }
//!         Err(e) => eprintln!("request {} failed: {e}", item.index),
//!     }
//! }
//! println!("{}", batch.summary()); // "500 requests: 497 ok, 3 failed (api_error 3) in 101.2 s"
//! # }
//! ```
//!
//! - **Rate budget.** Every request goes through the client's one call path, so the client's
//!   limiter (local buckets, or the Redis one shared between processes) paces the batch
//!   with everything else the client does; rate-limit answers are backed off and resent as
//!   for any call. The batch adds no pacing of its own.
//! - **Concurrency** bounds requests in flight (default 4); more only queue in the
//!   limiter. Results come in completion order, each with its request and input index.
//! - **Paging per item**: `client.batch(requests).all_pages()` gathers every row of every
//!   page of each request (`all_pages_up_to(n)` stops after n pages each).
//! - **Mixed TRs or several calls per item**: [`Client::batch_with`] runs any async job per
//!   input (e.g. the generated `call_json` by api-id).
//! - **Failures** do not stop the batch; [`BatchStream::summary`] lists each with its
//!   request, outcome and whether it may have been sent.
//! - **Cancelling** ([`BatchCancel::cancel`]): nothing new starts; requests in flight are
//!   dropped (a query dropped mid-flight is harmless), except for order TRs, whose
//!   in-flight requests are waited for and yielded so no order's outcome is lost. The
//!   summary lists what did not finish; [`BatchSummary::unfinished`] is what to run again
//!   to resume.
//! - **Dropping the stream** drops whatever is in flight, orders included, as dropping any
//!   call's future does: to stop a batch of orders, cancel it and read it to its end.

mod summary;

use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::time::Instant;

use futures::future::BoxFuture;
use futures::stream::{FuturesUnordered, Stream, StreamExt};
use futures::task::AtomicWaker;

use crate::client::Client;
use crate::error::Error;
use crate::tr::{PagedRequest, TrRequest};
pub use summary::{BatchCancelled, BatchFailure, BatchItem, BatchProgress, BatchSummary};

/// Requests in flight unless [`Batch::concurrency`] says otherwise.
pub const DEFAULT_CONCURRENCY: usize = 4;

type Job<I, O> = Arc<dyn Fn(Client, I) -> BoxFuture<'static, Result<O, Error>> + Send + Sync>;

/// A batch being set up. Nothing is sent until its [`Batch::stream`] is polled.
#[must_use = "a batch does nothing until its stream is polled"]
pub struct Batch<I, O> {
    client: Client,
    inputs: Vec<I>,
    job: Job<I, O>,
    concurrency: usize,
    finish_in_flight: bool,
}

impl<I, O> std::fmt::Debug for Batch<I, O> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Batch")
            .field("requests", &self.inputs.len())
            .field("concurrency", &self.concurrency)
            .finish()
    }
}

impl Client {
    /// Send many requests of one TR; see the [`batch`](crate::batch) module.
    pub fn batch<T: TrRequest>(
        &self,
        requests: impl IntoIterator<Item = T>,
    ) -> Batch<T, T::Response> {
        let job: Job<T, T::Response> = Arc::new(|client: Client, request: T| {
            Box::pin(async move { client.call(request).send().await })
        });
        Batch {
            client: self.clone(),
            inputs: requests.into_iter().collect(),
            job,
            concurrency: DEFAULT_CONCURRENCY,
            // An order in flight may be placed: never drop it unanswered.
            finish_in_flight: T::INFO.safety.is_order(),
        }
    }

    /// Run `job` for each input, like [`Client::batch`]: for a mix of TRs, or several calls
    /// per input. Requests in flight are dropped on cancel unless
    /// [`Batch::finish_in_flight_on_cancel`] is set (do set it when a job places orders).
    pub fn batch_with<I, O, F, Fut>(
        &self,
        inputs: impl IntoIterator<Item = I>,
        job: F,
    ) -> Batch<I, O>
    where
        I: Clone + Send + 'static,
        O: Send + 'static,
        F: Fn(Client, I) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<O, Error>> + Send + 'static,
    {
        let job: Job<I, O> = Arc::new(move |client, input| Box::pin(job(client, input)));
        Batch {
            client: self.clone(),
            inputs: inputs.into_iter().collect(),
            job,
            concurrency: DEFAULT_CONCURRENCY,
            finish_in_flight: false,
        }
    }
}

impl<I: Clone + Send + 'static, O: Send + 'static> Batch<I, O> {
    /// At most `n` requests in flight (at least 1). Default [`DEFAULT_CONCURRENCY`].
    pub fn concurrency(mut self, n: usize) -> Self {
        self.concurrency = n.max(1);
        self
    }

    /// On cancel, wait for the requests already in flight instead of dropping them. Always
    /// on for a batch of an order TR.
    pub fn finish_in_flight_on_cancel(mut self, yes: bool) -> Self {
        self.finish_in_flight = yes;
        self
    }

    /// Start: the stream of results, in completion order.
    pub fn stream(self) -> BatchStream<I, O> {
        let total = self.inputs.len();
        BatchStream {
            client: self.client,
            pending: self.inputs.into_iter().enumerate().collect(),
            in_flight: HashMap::new(),
            running: FuturesUnordered::new(),
            job: self.job,
            concurrency: self.concurrency,
            finish_in_flight: self.finish_in_flight,
            cancel: BatchCancel::default(),
            cancel_applied: false,
            started: None,
            finished: false,
            summary: BatchSummary::new(total),
        }
    }
}

impl<T: PagedRequest> Batch<T, T::Response> {
    /// Every row of every page of each request (the result of an item is all its rows).
    /// An item whose paging fails part-way is a failure; its rows so far are not kept.
    pub fn all_pages(self) -> Batch<T, Vec<T::Item>> {
        self.pages_each(None)
    }

    /// Like [`Batch::all_pages`], at most `n` pages per request.
    pub fn all_pages_up_to(self, n: usize) -> Batch<T, Vec<T::Item>> {
        self.pages_each(Some(n))
    }

    fn pages_each(self, max_pages: Option<usize>) -> Batch<T, Vec<T::Item>> {
        let job: Job<T, Vec<T::Item>> = Arc::new(move |client: Client, request: T| {
            Box::pin(async move {
                let mut call = client.call(request);
                if let Some(n) = max_pages {
                    call = call.max_pages(n);
                }
                let mut items = call.items();
                let mut rows = Vec::new();
                while let Some(row) = items.next().await {
                    rows.push(row?);
                }
                Ok(rows)
            })
        });
        Batch {
            client: self.client,
            inputs: self.inputs,
            job,
            concurrency: self.concurrency,
            finish_in_flight: self.finish_in_flight,
        }
    }
}

/// Cancels a running batch from anywhere (another task, a signal handler). Cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct BatchCancel {
    state: Arc<CancelState>,
}

#[derive(Debug, Default)]
struct CancelState {
    cancelled: AtomicBool,
    waker: AtomicWaker,
}

impl BatchCancel {
    /// Start nothing more; end the stream once what must finish has finished.
    pub fn cancel(&self) {
        self.state.cancelled.store(true, Ordering::Release);
        self.state.waker.wake();
    }

    pub fn is_cancelled(&self) -> bool {
        self.state.cancelled.load(Ordering::Acquire)
    }
}

type Running<O> = FuturesUnordered<BoxFuture<'static, (usize, Result<O, Error>)>>;

/// The results of a batch, in completion order. Ends when every request has finished or
/// the batch was cancelled.
#[must_use = "streams do nothing unless polled"]
pub struct BatchStream<I, O> {
    client: Client,
    pending: VecDeque<(usize, I)>,
    in_flight: HashMap<usize, I>,
    running: Running<O>,
    job: Job<I, O>,
    concurrency: usize,
    finish_in_flight: bool,
    cancel: BatchCancel,
    cancel_applied: bool,
    started: Option<Instant>,
    finished: bool,
    summary: BatchSummary<I>,
}

impl<I, O> std::fmt::Debug for BatchStream<I, O> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BatchStream")
            .field("progress", &self.progress())
            .finish()
    }
}

// Requests and results are moved, never pinned.
impl<I, O> Unpin for BatchStream<I, O> {}

impl<I, O> BatchStream<I, O> {
    /// A handle that cancels this batch.
    pub fn cancel_handle(&self) -> BatchCancel {
        self.cancel.clone()
    }

    /// Counts so far: for a progress bar.
    pub fn progress(&self) -> BatchProgress {
        BatchProgress {
            total: self.summary.total,
            ok: self.summary.ok,
            failed: self.summary.failures.len(),
            in_flight: self.in_flight.len(),
            cancelled: self.summary.cancelled.len(),
        }
    }

    /// The summary so far; final once the stream has ended.
    pub fn summary(&self) -> &BatchSummary<I> {
        &self.summary
    }

    /// The summary, keeping nothing else. Requests still queued count as cancelled; requests
    /// in flight are dropped (orders included: cancel and read an order batch to its end
    /// instead) and count as cancelled `was_in_flight`.
    pub fn into_summary(mut self) -> BatchSummary<I> {
        if !self.finished {
            self.cancel.cancel();
            self.apply_cancel(true);
            self.finish();
        }
        self.summary
    }

    /// Move what will not run into the summary. `drop_in_flight`: also what is running.
    fn apply_cancel(&mut self, drop_in_flight: bool) {
        for (index, request) in self.pending.drain(..) {
            self.summary.cancelled.push(BatchCancelled {
                index,
                request,
                was_in_flight: false,
            });
        }
        if drop_in_flight {
            self.running = FuturesUnordered::new();
            let mut dropped: Vec<_> = self.in_flight.drain().collect();
            dropped.sort_by_key(|(i, _)| *i);
            for (index, request) in dropped {
                self.summary.cancelled.push(BatchCancelled {
                    index,
                    request,
                    was_in_flight: true,
                });
            }
        }
    }

    fn finish(&mut self) {
        self.finished = true;
        if let Some(t) = self.started {
            self.summary.elapsed = t.elapsed();
        }
    }
}

impl<I: Clone + Send + 'static, O: Send + 'static> Stream for BatchStream<I, O> {
    type Item = BatchItem<I, O>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        if this.finished {
            return Poll::Ready(None);
        }
        let started = *this.started.get_or_insert_with(Instant::now);
        this.cancel.state.waker.register(cx.waker());
        if this.cancel.is_cancelled() && !this.cancel_applied {
            this.cancel_applied = true;
            this.apply_cancel(!this.finish_in_flight);
        }
        while this.running.len() < this.concurrency {
            let Some((index, request)) = this.pending.pop_front() else {
                break;
            };
            this.in_flight.insert(index, request.clone());
            let call = (this.job)(this.client.clone(), request);
            this.running
                .push(Box::pin(async move { (index, call.await) }));
        }
        match this.running.poll_next_unpin(cx) {
            Poll::Ready(Some((index, result))) => {
                let request = this
                    .in_flight
                    .remove(&index)
                    .expect("every running job has its request in in_flight");
                match &result {
                    Ok(_) => this.summary.ok += 1,
                    Err(e) => this.summary.record_failure(index, request.clone(), e),
                }
                this.summary.elapsed = started.elapsed();
                Poll::Ready(Some(BatchItem {
                    index,
                    request,
                    result,
                }))
            }
            // Nothing running: nothing was pending either (the loop above started it).
            Poll::Ready(None) => {
                this.finish();
                Poll::Ready(None)
            }
            Poll::Pending => Poll::Pending,
        }
    }
}

impl<I: Clone + Send + 'static, O: Send + 'static> futures::stream::FusedStream
    for BatchStream<I, O>
{
    fn is_terminated(&self) -> bool {
        self.finished
    }
}
