//! What the runtime measures, through the [`metrics`] facade crate.
//!
//! The runtime only records: it installs no recorder and no exporter, so an application
//! that installs none pays an atomic load per measurement and nothing else. An application
//! that wants them installs any `metrics` recorder (Prometheus, StatsD, OpenTelemetry, a
//! test recorder) and may call [`describe`] once so the recorder knows each metric's unit
//! and meaning:
//!
//! ```no_run
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! // metrics_exporter_prometheus::PrometheusBuilder::new().install()?;
//! kiwoom_runtime::metrics::describe();
//! # Ok(()) }
//! ```
//!
//! [`METRICS`] lists every metric (name, kind, labels, meaning); the README's table is
//! checked against it and against what a recorder sees (`tests/tests/metrics_recorded.rs`).
//! Label values are bounded: api-ids, realtime type ids, markets and the fixed outcome
//! words below, never stock codes or request values.

use std::time::Duration;

use crate::error::Error;
use crate::error_code::RetryAdvice;
use crate::tr::Market;

/// The kind of a metric, as the `metrics` facade records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetricKind {
    Counter,
    Gauge,
    Histogram,
}

impl MetricKind {
    /// `counter`, `gauge` or `histogram`: the word the README table uses.
    pub const fn as_str(self) -> &'static str {
        match self {
            MetricKind::Counter => "counter",
            MetricKind::Gauge => "gauge",
            MetricKind::Histogram => "histogram",
        }
    }
}

/// One metric the runtime records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MetricDef {
    pub name: &'static str,
    pub kind: MetricKind,
    /// Label keys, in the order they are recorded.
    pub labels: &'static [&'static str],
    /// Seconds for durations, otherwise a count.
    pub seconds: bool,
    pub help: &'static str,
}

pub const REST_CALLS: &str = "kiwoom_rest_calls_total";
pub const REST_CALL_DURATION: &str = "kiwoom_rest_call_duration_seconds";
pub const REST_REQUEST_DURATION: &str = "kiwoom_rest_request_duration_seconds";
pub const REST_RESENDS: &str = "kiwoom_rest_resends_total";
pub const REST_RATE_LIMIT_ANSWERS: &str = "kiwoom_rest_rate_limit_answers_total";
pub const REST_TOKEN_REJECTIONS: &str = "kiwoom_rest_token_rejections_total";
pub const LIMITER_WAIT: &str = "kiwoom_rate_limiter_wait_seconds";
pub const LIMITER_WAITS: &str = "kiwoom_rate_limiter_waits_total";
pub const TOKEN_ISSUES: &str = "kiwoom_token_issues_total";
pub const CACHE_LOOKUPS: &str = "kiwoom_cache_lookups_total";
pub const WS_DISCONNECTS: &str = "kiwoom_ws_disconnects_total";
pub const WS_GAPS: &str = "kiwoom_ws_gaps_total";
pub const WS_GAP_DURATION: &str = "kiwoom_ws_gap_seconds";
pub const REALTIME_EVENTS: &str = "kiwoom_realtime_events_total";
pub const REALTIME_CONFLATED: &str = "kiwoom_realtime_conflated_total";
pub const REALTIME_MALFORMED: &str = "kiwoom_realtime_malformed_total";
pub const REALTIME_SKIPPED: &str = "kiwoom_realtime_skipped_total";
pub const REALTIME_BACKLOG: &str = "kiwoom_realtime_lossless_backlog";
/// Recorded by kiwoom-orders' `Ledger::record` (same name as `kiwoom_orders::metrics`).
pub const JOURNAL_EVENTS: &str = "kiwoom_journal_events_total";

/// Every metric the runtime records. The README's metrics table lists the same rows.
pub const METRICS: &[MetricDef] = &[
    MetricDef {
        name: REST_CALLS,
        kind: MetricKind::Counter,
        labels: &["api_id", "outcome"],
        seconds: false,
        help: "REST calls (one per page) that went to the server, by final outcome after resends",
    },
    MetricDef {
        name: REST_CALL_DURATION,
        kind: MetricKind::Histogram,
        labels: &["api_id"],
        seconds: true,
        help: "Whole call: token, limiter waits, every send and backoff, decode",
    },
    MetricDef {
        name: REST_REQUEST_DURATION,
        kind: MetricKind::Histogram,
        labels: &["api_id"],
        seconds: true,
        help: "One HTTP exchange (each send, resends included), until the body is read",
    },
    MetricDef {
        name: REST_RESENDS,
        kind: MetricKind::Counter,
        labels: &["api_id", "reason"],
        seconds: false,
        help: "Requests sent again: reason rate_limit, token or transport",
    },
    MetricDef {
        name: REST_RATE_LIMIT_ANSWERS,
        kind: MetricKind::Counter,
        labels: &["api_id"],
        seconds: false,
        help: "Rate-limit answers from the server (HTTP 429, 1700, 1701, 1702)",
    },
    MetricDef {
        name: REST_TOKEN_REJECTIONS,
        kind: MetricKind::Counter,
        labels: &["api_id"],
        seconds: false,
        help: "Token refused by the server (HTTP 401, 8005, 8031, 8103)",
    },
    MetricDef {
        name: LIMITER_WAIT,
        kind: MetricKind::Histogram,
        labels: &["api_id"],
        seconds: true,
        help: "Time each send waited for the client-side rate limiter (0 when it did not wait)",
    },
    MetricDef {
        name: LIMITER_WAITS,
        kind: MetricKind::Counter,
        labels: &["api_id"],
        seconds: false,
        help: "Sends the client-side rate limiter held back 1 ms or more",
    },
    MetricDef {
        name: TOKEN_ISSUES,
        kind: MetricKind::Counter,
        labels: &["outcome"],
        seconds: false,
        help: "Token issue requests (au10001): outcome ok or error",
    },
    MetricDef {
        name: CACHE_LOOKUPS,
        kind: MetricKind::Counter,
        labels: &["api_id", "result"],
        seconds: false,
        help: "Response cache lookups of cacheable TRs: result hit or miss",
    },
    MetricDef {
        name: WS_DISCONNECTS,
        kind: MetricKind::Counter,
        labels: &["market"],
        seconds: false,
        help: "WebSocket connections lost (the session then reconnects)",
    },
    MetricDef {
        name: WS_GAPS,
        kind: MetricKind::Counter,
        labels: &["market"],
        seconds: false,
        help: "Reconnections completed, each delivered as a Gap event",
    },
    MetricDef {
        name: WS_GAP_DURATION,
        kind: MetricKind::Histogram,
        labels: &["market"],
        seconds: true,
        help: "How long each gap lasted, from the loss to the restored session",
    },
    MetricDef {
        name: REALTIME_EVENTS,
        kind: MetricKind::Counter,
        labels: &["type"],
        seconds: false,
        help: "REAL entries received, by realtime type (0B, 00, ...)",
    },
    MetricDef {
        name: REALTIME_CONFLATED,
        kind: MetricKind::Counter,
        labels: &["type"],
        seconds: false,
        help: "Market-data values replaced by a newer one before the consumer read them",
    },
    MetricDef {
        name: REALTIME_MALFORMED,
        kind: MetricKind::Counter,
        labels: &["type"],
        seconds: false,
        help: "REAL entries that could not be read (type `unknown` when unreadable too)",
    },
    MetricDef {
        name: REALTIME_SKIPPED,
        kind: MetricKind::Counter,
        labels: &[],
        seconds: false,
        help: "REAL entries dropped unread beyond max_entries_per_frame",
    },
    MetricDef {
        name: REALTIME_BACKLOG,
        kind: MetricKind::Gauge,
        labels: &[],
        seconds: false,
        help: "Account and control events queued and not yet read, all sessions together",
    },
    MetricDef {
        name: JOURNAL_EVENTS,
        kind: MetricKind::Counter,
        labels: &["kind", "outcome"],
        seconds: false,
        help: "Order journal appends through kiwoom-orders' Ledger, by event kind; outcome appended or duplicate (already counted, nothing stored)",
    },
];

/// Tell the installed recorder the unit and meaning of every metric in [`METRICS`]. Call
/// it after installing a recorder; without one it does nothing.
pub fn describe() {
    for m in METRICS {
        let unit = if m.seconds {
            metrics::Unit::Seconds
        } else {
            metrics::Unit::Count
        };
        match m.kind {
            MetricKind::Counter => metrics::describe_counter!(m.name, unit, m.help),
            MetricKind::Gauge => metrics::describe_gauge!(m.name, unit, m.help),
            MetricKind::Histogram => metrics::describe_histogram!(m.name, unit, m.help),
        }
    }
}

/// The `outcome` label of a call's result: one fixed word per kind of failure.
pub fn outcome<T>(result: &Result<T, Error>) -> &'static str {
    match result {
        Ok(_) => "ok",
        Err(e) => error_outcome(e),
    }
}

/// The `outcome` word of an error (also what a batch summary reports).
pub fn error_outcome(e: &Error) -> &'static str {
    match e {
        Error::Config(_)
        | Error::Validation(_)
        | Error::MarketRule { .. }
        | Error::RateLimiter(_) => "not_sent",
        Error::Auth { .. } | Error::TokenStore(_) => "auth",
        Error::Transport { .. } => "transport",
        Error::Timeout { .. } => "timeout",
        Error::Http { status: 429, .. } => "rate_limited",
        Error::Http { .. } | Error::Redirect { .. } | Error::BodyTooLarge { .. } => "http",
        Error::Api { code, .. } => match code.retry() {
            RetryAdvice::Backoff => "rate_limited",
            RetryAdvice::RefreshToken => "auth",
            _ => "api_error",
        },
        Error::Decode(_) | Error::Unconfirmed { .. } => "decode",
        Error::OutcomeUnknown { .. } | Error::OrderAcceptedUndecodable { .. } => "outcome_unknown",
        Error::WebSocket(_) => "websocket",
    }
}

fn market_label(market: Market) -> &'static str {
    match market {
        Market::Domestic => "domestic",
        Market::Us => "us",
    }
}

// Recording helpers: one line at each instrumented place of the runtime.

pub(crate) fn call_finished(api_id: &'static str, error: Option<&Error>, took: Duration) {
    let outcome = error.map_or("ok", error_outcome);
    metrics::counter!(REST_CALLS, "api_id" => api_id, "outcome" => outcome).increment(1);
    metrics::histogram!(REST_CALL_DURATION, "api_id" => api_id).record(took.as_secs_f64());
}

pub(crate) fn request_answered(api_id: &'static str, took: Duration) {
    metrics::histogram!(REST_REQUEST_DURATION, "api_id" => api_id).record(took.as_secs_f64());
}

/// Why a request is sent again.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Resend {
    RateLimit,
    Token,
    Transport,
}

pub(crate) fn resend(api_id: &'static str, why: Resend) {
    let reason = match why {
        Resend::RateLimit => "rate_limit",
        Resend::Token => "token",
        Resend::Transport => "transport",
    };
    metrics::counter!(REST_RESENDS, "api_id" => api_id, "reason" => reason).increment(1);
}

pub(crate) fn rate_limit_answer(api_id: &'static str) {
    metrics::counter!(REST_RATE_LIMIT_ANSWERS, "api_id" => api_id).increment(1);
}

pub(crate) fn token_rejected(api_id: &'static str) {
    metrics::counter!(REST_TOKEN_REJECTIONS, "api_id" => api_id).increment(1);
}

pub(crate) fn limiter_waited(api_id: &'static str, waited: Duration) {
    metrics::histogram!(LIMITER_WAIT, "api_id" => api_id).record(waited.as_secs_f64());
    if waited >= Duration::from_millis(1) {
        metrics::counter!(LIMITER_WAITS, "api_id" => api_id).increment(1);
    }
}

pub(crate) fn token_issue<T>(result: &Result<T, Error>) {
    let outcome = if result.is_ok() { "ok" } else { "error" };
    metrics::counter!(TOKEN_ISSUES, "outcome" => outcome).increment(1);
}

pub(crate) fn cache_lookup(api_id: &'static str, hit: bool) {
    let result = if hit { "hit" } else { "miss" };
    metrics::counter!(CACHE_LOOKUPS, "api_id" => api_id, "result" => result).increment(1);
}

pub(crate) fn ws_disconnected(market: Market) {
    metrics::counter!(WS_DISCONNECTS, "market" => market_label(market)).increment(1);
}

pub(crate) fn ws_gap(market: Market, lasted: Duration) {
    let market = market_label(market);
    metrics::counter!(WS_GAPS, "market" => market).increment(1);
    metrics::histogram!(WS_GAP_DURATION, "market" => market).record(lasted.as_secs_f64());
}

pub(crate) fn realtime_event(kind: &str) {
    metrics::counter!(REALTIME_EVENTS, "type" => kind.to_owned()).increment(1);
}

pub(crate) fn realtime_conflated(kind: &str) {
    metrics::counter!(REALTIME_CONFLATED, "type" => kind.to_owned()).increment(1);
}

pub(crate) fn realtime_malformed(kind: Option<&str>) {
    let kind = kind.unwrap_or("unknown").to_owned();
    metrics::counter!(REALTIME_MALFORMED, "type" => kind).increment(1);
}

pub(crate) fn realtime_skipped(entries: usize) {
    metrics::counter!(REALTIME_SKIPPED).increment(entries as u64);
}

/// `delta` events joined (+1) or left (-1) a lossless queue.
pub(crate) fn realtime_backlog(delta: f64) {
    metrics::gauge!(REALTIME_BACKLOG).increment(delta);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_prometheus_names_with_conventional_suffixes() {
        let mut seen = std::collections::HashSet::new();
        for m in METRICS {
            assert!(seen.insert(m.name), "{} listed twice", m.name);
            assert!(m.name.starts_with("kiwoom_"), "{}", m.name);
            assert!(
                m.name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'),
                "{}",
                m.name
            );
            match m.kind {
                MetricKind::Counter => assert!(m.name.ends_with("_total"), "{}", m.name),
                MetricKind::Histogram => assert!(m.seconds && m.name.ends_with("_seconds")),
                MetricKind::Gauge => assert!(!m.name.ends_with("_total"), "{}", m.name),
            }
        }
    }
}
