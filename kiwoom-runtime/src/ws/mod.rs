//! The realtime WebSocket: one session per market, LOGIN with the client's token,
//! REG/REMOVE, REAL pushes, condition search, and automatic reconnection that re-logs in
//! with a fresh token, re-registers everything and reports the gap.

mod driver;
mod events;
mod frames;
mod registry;
mod session;

use std::time::Duration;

pub use events::{ConnectionState, EventStream, Gap, SessionEvent, TypedEvent, TypedEventStream};
pub use frames::WsItem;
pub use session::RealtimeSession;

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
    /// Events kept for a slow consumer. When full, the OLDEST event is dropped and counted
    /// in `RealtimeSession::dropped()`: a trading bot wants the latest ticks, not a
    /// backlog, and the reader must never block the socket (the server would drop us).
    /// Default 4096.
    pub event_buffer: usize,
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
            event_buffer: 4096,
            reconnect_base_delay: Duration::from_millis(500),
            reconnect_max_delay: Duration::from_secs(30),
            max_reconnect_attempts: None,
            idle_timeout: Duration::from_secs(60),
            max_message_size: 16 << 20,
        }
    }
}

impl WsConfig {
    pub fn with_event_buffer(mut self, n: usize) -> Self {
        self.event_buffer = n.max(1);
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
