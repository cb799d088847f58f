//! The realtime WebSocket: one session per market, LOGIN with the client's token,
//! REG/REMOVE, REAL pushes, condition search, and automatic reconnection that re-logs in
//! with a fresh token, re-registers everything and reports the gap.

mod delivery;
mod driver;
mod events;
mod frames;
mod queue;
mod registry;
mod router;
mod session;
#[cfg(test)]
mod stuck_peer_tests;
mod subscribe;
mod typed;

use std::time::Duration;

pub use delivery::{Delivery, LOSSLESS_TYPES, delivery_of};
pub use events::{
    ConnectionState, EventStream, Gap, RealtimeStream, SessionEvent, TypedEvent, TypedEventStream,
};
pub use frames::WsItem;
pub use queue::{DeliveryStats, RealtimeKey};
pub use session::RealtimeSession;
pub use subscribe::{GroupNo, Refresh};

/// Kiwoom's limit of items in one registration group (REG answers 105118 beyond it).
pub const MAX_ITEMS_PER_GROUP: usize = 100;

/// WebSocket settings.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct WsConfig {
    /// Connect + LOGIN acknowledgement. Default 10 s.
    pub handshake_timeout: Duration,
    /// Wait for a REG / REMOVE / condition-search answer. Default 10 s.
    pub ack_timeout: Duration,
    /// Account and control events (fills, balances, condition hits, gaps, notices) are
    /// never dropped, however far the consumer lags: a WARN is logged each time their
    /// backlog reaches this many times a power of two. Market data needs no such limit:
    /// it is conflated to the newest value per (type, item). Default 4096.
    pub lossless_backlog_warning: usize,
    /// Sending one frame (the PING echo included) longer than this means the peer stopped
    /// reading: the connection is treated as dead and the session reconnects. Default 10 s.
    pub send_timeout: Duration,
    /// Entries of one REAL frame that are read; the rest are skipped (never held in
    /// memory) and reported as `SessionEvent::FrameTruncated`. Default 5,000 (Kiwoom
    /// allows 100 items per group, so a genuine frame holds far fewer).
    pub max_entries_per_frame: usize,
    /// Reconnect backoff: first delay, doubling up to `reconnect_max_delay`, with jitter.
    pub reconnect_base_delay: Duration,
    pub reconnect_max_delay: Duration,
    /// Give up after this many consecutive failed reconnects (`None`: never give up).
    pub max_reconnect_attempts: Option<u32>,
    /// No frame at all (Kiwoom PINGs regularly) for this long means a dead connection.
    /// Default 60 s.
    pub idle_timeout: Duration,
    /// Largest message accepted. Default 16 MiB (0D frames exceed 1 MiB).
    pub max_message_size: usize,
}

impl Default for WsConfig {
    fn default() -> Self {
        WsConfig {
            handshake_timeout: Duration::from_secs(10),
            ack_timeout: Duration::from_secs(10),
            lossless_backlog_warning: 4096,
            send_timeout: Duration::from_secs(10),
            max_entries_per_frame: 5_000,
            reconnect_base_delay: Duration::from_millis(500),
            reconnect_max_delay: Duration::from_secs(30),
            max_reconnect_attempts: None,
            idle_timeout: Duration::from_secs(60),
            max_message_size: 16 << 20,
        }
    }
}

impl WsConfig {
    pub fn with_lossless_backlog_warning(mut self, n: usize) -> Self {
        self.lossless_backlog_warning = n.max(1);
        self
    }
    pub fn with_send_timeout(mut self, d: Duration) -> Self {
        self.send_timeout = d;
        self
    }
    pub fn with_max_entries_per_frame(mut self, n: usize) -> Self {
        self.max_entries_per_frame = n.max(1);
        self
    }
    pub fn with_reconnect_delays(mut self, base: Duration, max: Duration) -> Self {
        self.reconnect_base_delay = base;
        self.reconnect_max_delay = max.max(base);
        self
    }
    pub fn with_max_reconnect_attempts(mut self, n: Option<u32>) -> Self {
        self.max_reconnect_attempts = n;
        self
    }
    pub fn with_idle_timeout(mut self, d: Duration) -> Self {
        self.idle_timeout = d;
        self
    }
    pub fn with_handshake_timeout(mut self, d: Duration) -> Self {
        self.handshake_timeout = d;
        self
    }
    pub fn with_ack_timeout(mut self, d: Duration) -> Self {
        self.ack_timeout = d;
        self
    }
}
