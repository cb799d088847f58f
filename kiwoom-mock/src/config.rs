//! What a test or the binary tells the simulator: data seed, limits, faults to inject.

use std::path::PathBuf;
use std::time::Duration;

/// How the simulator behaves. `MockConfig::default()` suits most tests.
#[derive(Clone, Debug)]
pub struct MockConfig {
    /// Seed of every synthesized value: the same seed and request give the same answer.
    pub seed: u64,
    /// Lifetime of tokens issued by au10001 (`expires_dt` = now + this, in KST).
    pub token_lifetime: Duration,
    /// The only app key au10001 accepts; `None` accepts any non-empty key.
    pub app_key: Option<String>,
    /// The only secret key au10001 accepts; `None` accepts any non-empty key.
    pub secret_key: Option<String>,
    /// Pages served by every TR that pages through `cont-yn`/`next-key` (and CNSRREQ).
    pub pages: u32,
    /// Rows in each of those pages.
    pub rows_per_page: u32,
    /// Period of REAL pushes for registered items.
    pub realtime_interval: Duration,
    /// Period of the server's `{"trnm":"PING"}` frames.
    pub ping_interval: Duration,
    /// A client must echo each PING within this window, or the server closes its socket
    /// (the live server drops clients that do not echo). Default 10 s, one PING period.
    pub ping_echo_timeout: Duration,
    /// Largest request body read; a larger one is answered HTTP 413 unprocessed.
    pub max_body_bytes: usize,
    /// Time a client has to send a request's headers, counted from the connection's start or
    /// from its previous answer: a slower client, or a keep-alive connection idle that long, is
    /// disconnected (no HTTP answer: the client never completed a request). Default 75 s,
    /// nginx's keep-alive default, longer than the runtime's 60 s pool idle time so that a
    /// pooled connection is never closed under a client that is about to reuse it.
    pub header_read_timeout: Duration,
    /// Most HTTP connections served at once (a WebSocket stops counting once upgraded); one
    /// more is answered HTTP 503 and closed.
    pub max_connections: usize,
    /// Serve the admin endpoints under `/_mock/` (faults, rate limits, counters; see
    /// `admin`). On by default: the simulator only listens on loopback.
    pub admin: bool,
    /// The simulator's Korean wall time (KST), fixed; `None` (the default) = the real wall
    /// clock. Every "today" and "now" the simulator writes follows it: charts and quotes
    /// without a date, ka10004's `bid_req_base_tm`, order times, realtime time values (see
    /// `clock`). Fix it for answers that do not depend on when a test runs.
    pub clock: Option<chrono::NaiveDateTime>,
    /// The spec to serve; `None` = the workspace `spec/` bundled into the binary at build
    /// time (parsed once per process), so no source tree is needed at run time.
    pub spec_dir: Option<PathBuf>,
    /// Send a `SYSTEM` notice frame before the LOGIN ack, as the live server sometimes does.
    pub system_frame_before_login: bool,
    /// Refuse orders that break the market rules (tick grid, daily limits, sessions,
    /// holidays) with Kiwoom's answers, judged at a fixed or the wall-clock instant. `None`
    /// (the default): off, because tests place orders at any hour and far from the market
    /// (see `rules`).
    pub market_rules: Option<crate::rules::MarketRulesConfig>,
    /// Move the market one step (see `book`) every this often. `None` (the default): prices
    /// move only when told to (`MockControl::step_market`, `POST /_mock/market/step`), so
    /// tests see static prices unless they step.
    pub market_step_interval: Option<Duration>,
    /// Keep the book (orders, fills, holdings, cash, counters, prices, walk) in this file:
    /// loaded at start when it exists, rewritten atomically after every change. `None`
    /// (the default): the book lives in memory and a new server starts empty.
    pub state_file: Option<PathBuf>,
}

impl MockConfig {
    /// Seed of every synthesized value and of the market's walk and fill sizes.
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Fix the simulator's KST wall time (see `clock`): the trading day prices start from.
    pub fn with_clock(mut self, kst: chrono::NaiveDateTime) -> Self {
        self.clock = Some(kst);
        self
    }

    /// Step the market on a timer (see `market_step_interval`).
    pub fn with_market_steps(mut self, every: Duration) -> Self {
        self.market_step_interval = Some(every);
        self
    }

    /// Keep the book in a state file across restarts (see `state_file`).
    pub fn with_state_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.state_file = Some(path.into());
        self
    }
}

impl Default for MockConfig {
    fn default() -> Self {
        MockConfig {
            seed: 0,
            token_lifetime: Duration::from_secs(24 * 60 * 60),
            app_key: None,
            secret_key: None,
            pages: 3,
            rows_per_page: 20,
            realtime_interval: Duration::from_millis(200),
            ping_interval: Duration::from_secs(10),
            ping_echo_timeout: Duration::from_secs(10),
            max_body_bytes: 1024 * 1024,
            header_read_timeout: Duration::from_secs(75),
            max_connections: 512,
            admin: true,
            clock: None,
            spec_dir: None,
            system_frame_before_login: false,
            market_rules: None,
            market_step_interval: None,
            state_file: None,
        }
    }
}

/// A failure to inject into the next requests of one api-id (see `MockControl::inject`, the
/// binary's `--fault` flag and `POST /_mock/faults`). Each says what reaches the book: the
/// simulated account's orders, fills, holdings and cash. Every faulted request counts in
/// `MockControl::requests`; only those processed count in `MockControl::processed`.
#[derive(Clone, Debug)]
pub enum Fault {
    /// Process the request at once (an order is placed, filled, amended or cancelled in the
    /// book), then answer after this delay. The answer is written late or never: a client
    /// that times out first has still placed its order ("placed, answer lost").
    Latency(Duration),
    /// Answer this HTTP status (e.g. 500, 503) with a plain-text body, without processing:
    /// the book is unchanged.
    Status(u16),
    /// Drop the TCP connection without processing or answering: the book is unchanged.
    CloseBeforeProcessing,
    /// Process (an order is placed in the book!), then drop the connection unanswered.
    CloseAfterProcessing,
    /// Process (an order is placed in the book!), then answer HTTP 200 with the first half of
    /// the body, which is not valid JSON.
    MalformedJson,
    /// Answer Kiwoom's 1700 rate-limit error (HTTP 429) without processing: the book is
    /// unchanged.
    RateLimited,
    /// Answer Kiwoom's 8005 token error without processing: the book is unchanged (the token
    /// itself stays valid).
    TokenInvalid,
}

/// What a rate limit counts (see `MockControl::set_rate_limit`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum RateScope {
    /// Every REST request.
    Global,
    /// Every request to one URL path, e.g. `/api/dostk/chart`.
    Category(String),
    /// Every request with one api-id.
    ApiId(String),
}
