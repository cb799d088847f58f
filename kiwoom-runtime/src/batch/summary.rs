//! What a batch did: counts, each failure with its request, what never ran.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use crate::error::{Error, RequestSent};
use crate::error_code::KiwoomErrorCode;

/// One finished request of a batch, yielded in completion order.
#[derive(Debug)]
pub struct BatchItem<I, O> {
    /// Position of the request in the input (0-based).
    pub index: usize,
    pub request: I,
    pub result: Result<O, Error>,
}

/// A request that failed, kept for the summary (the error itself went to the consumer
/// with the item).
#[derive(Debug, Clone)]
pub struct BatchFailure<I> {
    pub index: usize,
    pub request: I,
    /// The same word as the `outcome` label of `kiwoom_rest_calls_total`: `api_error`,
    /// `rate_limited`, `transport`, `timeout`, `decode`, ...
    pub outcome: &'static str,
    /// Whether the failed request may have reached Kiwoom.
    pub sent: RequestSent,
    pub kiwoom_code: Option<KiwoomErrorCode>,
    /// The error's message (secrets are never in it).
    pub message: String,
}

/// A request the batch did not finish because it was cancelled.
#[derive(Debug, Clone)]
pub struct BatchCancelled<I> {
    pub index: usize,
    pub request: I,
    /// It had started (it may have been sent) when the batch was cancelled; its answer,
    /// if any, was not waited for.
    pub was_in_flight: bool,
}

/// Where a batch stands: for a progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct BatchProgress {
    pub total: usize,
    pub ok: usize,
    pub failed: usize,
    pub in_flight: usize,
    pub cancelled: usize,
}

impl BatchProgress {
    /// Requests finished one way or another.
    pub fn done(&self) -> usize {
        self.ok + self.failed + self.cancelled
    }
}

/// The whole batch, final once its stream has ended.
#[derive(Debug, Clone)]
pub struct BatchSummary<I> {
    pub total: usize,
    pub ok: usize,
    /// In completion order.
    pub failures: Vec<BatchFailure<I>>,
    /// Empty unless the batch was cancelled.
    pub cancelled: Vec<BatchCancelled<I>>,
    /// From the first poll to the end of the stream (or to now, while it runs).
    pub elapsed: Duration,
}

impl<I> BatchSummary<I> {
    pub(crate) fn new(total: usize) -> Self {
        BatchSummary {
            total,
            ok: 0,
            failures: Vec::new(),
            cancelled: Vec::new(),
            elapsed: Duration::ZERO,
        }
    }

    pub(crate) fn record_failure(&mut self, index: usize, request: I, error: &Error) {
        self.failures.push(BatchFailure {
            index,
            request,
            outcome: crate::metrics::error_outcome(error),
            sent: error.request_sent(),
            kiwoom_code: error.kiwoom_code(),
            message: error.to_string(),
        });
    }

    /// Failures counted by outcome word (`api_error`: 3, `timeout`: 1).
    pub fn failures_by_outcome(&self) -> BTreeMap<&'static str, usize> {
        let mut counts = BTreeMap::new();
        for f in &self.failures {
            *counts.entry(f.outcome).or_default() += 1;
        }
        counts
    }

    /// Every request to run again to finish the job: the failed ones and the cancelled
    /// ones, in input order. Leave out failures that will fail again (`api_error` for a
    /// code that does not exist) by filtering [`BatchSummary::failures`] instead.
    pub fn unfinished(&self) -> Vec<&I> {
        let mut rest: Vec<(usize, &I)> = self
            .failures
            .iter()
            .map(|f| (f.index, &f.request))
            .chain(self.cancelled.iter().map(|c| (c.index, &c.request)))
            .collect();
        rest.sort_by_key(|(i, _)| *i);
        rest.into_iter().map(|(_, r)| r).collect()
    }

    /// True when every request succeeded.
    pub fn all_ok(&self) -> bool {
        self.ok == self.total
    }
}

impl<I> fmt::Display for BatchSummary<I> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} requests: {} ok, {} failed",
            self.total,
            self.ok,
            self.failures.len()
        )?;
        let by_outcome = self.failures_by_outcome();
        if !by_outcome.is_empty() {
            let parts: Vec<String> = by_outcome.iter().map(|(k, n)| format!("{k} {n}")).collect();
            write!(f, " ({})", parts.join(", "))?;
        }
        if !self.cancelled.is_empty() {
            write!(f, ", {} cancelled", self.cancelled.len())?;
        }
        write!(f, " in {:.1} s", self.elapsed.as_secs_f64())
    }
}
