//! The simulator's shared state and `MockControl`, the handle tests steer it with.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::sync::{broadcast, watch};

use crate::book::Book;
use crate::catalog::Catalog;
use crate::config::{Fault, MockConfig, RateScope};
use crate::feed::{FrameFaults, Published};
use crate::limits::{Faults, RateLimits};
use crate::tokens::TokenStore;

/// One (type, item) registration of a WebSocket connection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Registration {
    pub grp_no: String,
    pub kind: String,
    pub item: String,
    /// US registrations carry the exchange (`stex_tp`) of the symbol.
    pub stex_tp: Option<String>,
}

pub(crate) struct Shared {
    pub catalog: Arc<Catalog>,
    pub config: MockConfig,
    pub faults: Mutex<Faults>,
    pub rate: Mutex<RateLimits>,
    pub tokens: Mutex<TokenStore>,
    pub book: Mutex<Book>,
    requests: Mutex<HashMap<String, u64>>,
    processed: Mutex<HashMap<String, u64>>,
    pub ws_registrations: Mutex<HashMap<u64, Vec<Registration>>>,
    pub ws_logins: AtomicU64,
    pub ws_next_id: AtomicU64,
    /// Bumped by `drop_websockets`; every socket task watches it.
    pub ws_kill: watch::Sender<u64>,
    /// Every event of the book, for the account-wide realtime types `00` and `04`.
    pub feed: broadcast::Sender<Arc<Published>>,
    /// "00 frame never sent" (see `feed`).
    pub frame_faults: Mutex<FrameFaults>,
    /// Until when WebSocket upgrades are refused (`MockControl::drop_websockets_for`).
    pub ws_refused_until: Mutex<Option<tokio::time::Instant>>,
    /// `MockControl::push_burst` / `push_raw`, to every socket task.
    pub ws_push: broadcast::Sender<crate::ws::push::Push>,
}

/// Lock, recovering from a panic elsewhere: the simulator's state stays usable in tests.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Shared {
    pub fn new(catalog: Arc<Catalog>, config: MockConfig, book: Book) -> Shared {
        Shared {
            catalog,
            tokens: Mutex::new(TokenStore::new(config.seed, config.token_lifetime)),
            config,
            faults: Mutex::default(),
            rate: Mutex::default(),
            book: Mutex::new(book),
            requests: Mutex::default(),
            processed: Mutex::default(),
            ws_registrations: Mutex::default(),
            ws_logins: AtomicU64::new(0),
            ws_next_id: AtomicU64::new(0),
            ws_kill: watch::channel(0).0,
            // Deep enough that a session busy writing a burst does not lag behind a soak
            // test's events; a session that still lags logs what it lost (see `ws`).
            feed: broadcast::channel(16_384).0,
            frame_faults: Mutex::default(),
            ws_refused_until: Mutex::new(None),
            ws_push: broadcast::channel(16).0,
        }
    }

    pub fn count_request(&self, api_id: &str) {
        *lock(&self.requests).entry(api_id.to_string()).or_default() += 1;
    }

    pub fn count_processed(&self, api_id: &str) {
        *lock(&self.processed).entry(api_id.to_string()).or_default() += 1;
    }
}

/// A cloneable handle to steer a running simulator from a test.
#[derive(Clone)]
pub struct MockControl {
    pub(crate) shared: Arc<Shared>,
}

impl std::fmt::Debug for MockControl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MockControl").finish_non_exhaustive()
    }
}

impl MockControl {
    /// Apply `fault` to the next `times` requests carrying this api-id.
    pub fn inject(&self, api_id: &str, fault: Fault, times: u32) {
        lock(&self.shared.faults).inject(api_id, fault, times);
    }

    pub fn clear_faults(&self) {
        lock(&self.shared.faults).clear();
    }

    /// Lifetime of tokens issued from now on.
    pub fn set_token_lifetime(&self, d: Duration) {
        lock(&self.shared.tokens).set_lifetime(d);
    }

    /// Every token issued so far answers 8005 from now on.
    pub fn expire_tokens(&self) {
        lock(&self.shared.tokens).expire_all();
    }

    /// Allow at most `per_second` requests per second in `scope`; beyond it answer 1700.
    pub fn set_rate_limit(&self, scope: RateScope, per_second: u32) {
        lock(&self.shared.rate).set(scope, per_second);
    }

    /// Remove every rate limit set so far.
    pub fn clear_rate_limits(&self) {
        lock(&self.shared.rate).clear();
    }

    /// Requests received with this api-id, whatever their outcome.
    pub fn requests(&self, api_id: &str) -> u64 {
        lock(&self.shared.requests)
            .get(api_id)
            .copied()
            .unwrap_or(0)
    }

    /// Requests with this api-id that were actually processed (orders placed, ...).
    pub fn processed(&self, api_id: &str) -> u64 {
        lock(&self.shared.processed)
            .get(api_id)
            .copied()
            .unwrap_or(0)
    }

    /// Close every WebSocket connection abruptly (no close frame).
    pub fn drop_websockets(&self) {
        self.shared.ws_kill.send_modify(|g| *g += 1);
    }

    /// "WebSocket dropped for N seconds": close every WebSocket connection abruptly and
    /// answer every upgrade HTTP 503 for `outage` from now. Orders placed meanwhile still
    /// fill; their 00 and 04 frames reach nobody (Kiwoom does not replay them).
    pub fn drop_websockets_for(&self, outage: Duration) {
        *lock(&self.shared.ws_refused_until) = Some(tokio::time::Instant::now() + outage);
        tracing::info!(?outage, "fault: websockets dropped, reconnects refused");
        self.drop_websockets();
    }

    /// Whether WebSocket upgrades are refused right now (a `drop_websockets_for` outage).
    pub fn websockets_refused(&self) -> bool {
        lock(&self.shared.ws_refused_until).is_some_and(|t| tokio::time::Instant::now() < t)
    }

    /// "00 frame never sent": the next `n` order events happen in the book (fills included)
    /// but their realtime 00 frames are sent to nobody; their 04 frames still go out.
    pub fn drop_order_frames(&self, n: u64) {
        lock(&self.shared.frame_faults).next += n;
    }

    /// Like `drop_order_frames`, for each event with this probability (0 = never, 1 =
    /// always), drawn from the seed and the event's number: the same seed and the same
    /// requests drop the same frames.
    pub fn drop_order_frames_randomly(&self, probability: f64) {
        lock(&self.shared.frame_faults).probability = probability.clamp(0.0, 1.0);
    }

    /// 00 frames dropped by the two switches above so far.
    pub fn order_frames_dropped(&self) -> u64 {
        lock(&self.shared.frame_faults).dropped
    }

    /// Move the market `n` steps (see `book`): prices walk, resting limit orders the price
    /// reaches fill in parts, each fill pushed as 00 and 04. Returns the steps taken so far.
    pub fn step_market(&self, n: u64) -> u64 {
        self.shared.step_market(n)
    }

    /// The current price of a listed code (domestic first, then US), in minor units (won,
    /// 1/10000 USD): what a market order fills at now.
    pub fn price(&self, code: &str) -> Option<i64> {
        let stock = crate::market::find(code, crate::market::Venue::Krx)
            .or_else(|| crate::market::find(code, crate::market::Venue::Us))?;
        let ctx = self.shared.ctx();
        Some(lock(&self.shared.book).price(&ctx, &stock))
    }

    /// A copy of the book: orders, fills, holdings, cash.
    pub fn book(&self) -> crate::snapshot::BookSnapshot {
        crate::snapshot::BookSnapshot::of(&lock(&self.shared.book))
    }

    /// Push to every logged-in WebSocket session, as fast as its socket takes them:
    /// `fills` order-fill (`00`) frames numbered 1..=fills in `9203` (order number), to
    /// sessions that registered `00`; and `quotes` entries, `quotes_per_frame` to a frame,
    /// round robin over each session's registered stock and US-symbol types, each
    /// carrying its per-(type, item) sequence (1, 2, ...) in `13` (cumulative volume), so
    /// the newest has the highest. Fills and quote frames alternate. Returns once every
    /// session has sent its share: the frames sent, over all sessions.
    pub async fn push_burst(&self, fills: u32, quotes: u32, quotes_per_frame: u32) -> u64 {
        let (done, rx) = tokio::sync::mpsc::unbounded_channel();
        self.push(
            crate::ws::push::Push::Burst {
                fills,
                quotes,
                quotes_per_frame,
                done,
            },
            rx,
        )
        .await
    }

    /// Send `text` as one frame, exactly as given, to every logged-in WebSocket session
    /// (a malformed REAL frame, say). Returns the frames sent.
    pub async fn push_raw(&self, text: impl Into<String>) -> u64 {
        let (done, rx) = tokio::sync::mpsc::unbounded_channel();
        let text = text.into();
        self.push(crate::ws::push::Push::Raw { text, done }, rx)
            .await
    }

    async fn push(
        &self,
        push: crate::ws::push::Push,
        mut rx: tokio::sync::mpsc::UnboundedReceiver<u64>,
    ) -> u64 {
        let sessions = self.shared.ws_push.send(push).unwrap_or(0);
        let mut sent = 0;
        for _ in 0..sessions {
            // A socket that closed before taking the push never reports: stop waiting
            // after a long silence rather than hang the test.
            match tokio::time::timeout(Duration::from_secs(120), rx.recv()).await {
                Ok(Some(n)) => sent += n,
                Ok(None) | Err(_) => break,
            }
        }
        sent
    }

    /// Successful WebSocket LOGINs so far.
    pub fn ws_logins(&self) -> u64 {
        self.shared.ws_logins.load(Ordering::SeqCst)
    }

    /// The (type, item) pairs registered now, over all connections, sorted.
    pub fn ws_registrations(&self) -> Vec<(String, String)> {
        let regs = lock(&self.shared.ws_registrations);
        let mut out: Vec<(String, String)> = regs
            .values()
            .flat_map(|v| v.iter().map(|r| (r.kind.clone(), r.item.clone())))
            .collect();
        out.sort();
        out
    }
}
