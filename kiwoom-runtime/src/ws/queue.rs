//! The buffer between the socket reader and one consumer: lossless for account and control
//! events, conflated per (type, item) for market data.
//!
//! The reader never waits for the consumer. Waiting would stop the PING echo, Kiwoom would
//! drop the connection, and since Kiwoom does not replay, the fills pushed meanwhile would
//! be lost anyway: back-pressure cannot make a realtime feed lossless. So lossless events
//! are kept however many there are (counted: backlog and peak are readable), and market
//! data is bounded by conflation: at most one undelivered value per (type, item), which
//! is at most the number of registrations.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use tokio::sync::Notify;

use super::delivery::Delivery;
use super::events::SessionEvent;
use crate::tr::RealItem;

/// One conflation key: a realtime type and the item it was pushed for.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RealtimeKey {
    /// `0B`.
    pub kind: String,
    /// `005930` (for US symbols the `jmcode`).
    pub item: String,
}

/// What the session's event buffers hold and have conflated, for monitoring.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeliveryStats {
    /// Market-data values replaced by a newer value of the same (type, item) before the
    /// consumer read them.
    pub conflated_total: u64,
    /// The same, per (type, item).
    pub conflated: BTreeMap<RealtimeKey, u64>,
    /// Lossless events (account, condition search, gaps, notices, errors) waiting now.
    pub lossless_backlog: usize,
    /// The most lossless events that ever waited at once (summed over the session's
    /// streams: each stream's own peak).
    pub lossless_peak: usize,
    /// Market-data keys holding an undelivered value now.
    pub market_backlog: usize,
}

impl DeliveryStats {
    pub(crate) fn add(&mut self, other: DeliveryStats) {
        self.conflated_total += other.conflated_total;
        for (k, n) in other.conflated {
            *self.conflated.entry(k).or_default() += n;
        }
        self.lossless_backlog += other.lossless_backlog;
        self.lossless_peak += other.lossless_peak;
        self.market_backlog += other.market_backlog;
    }
}

/// A place in the delivery order: an event, or "the newest value of this key".
enum Slot {
    Event(SessionEvent),
    Latest(RealtimeKey),
}

#[derive(Default)]
struct Inner {
    slots: VecDeque<Slot>,
    /// The newest undelivered value of each key that has a `Slot::Latest` waiting.
    latest: HashMap<RealtimeKey, RealItem>,
    lossless_backlog: usize,
    lossless_peak: usize,
    conflated: HashMap<RealtimeKey, u64>,
    conflated_total: u64,
}

#[derive(Debug)]
pub(crate) struct EventQueue {
    inner: Mutex<Inner>,
    notify: Notify,
    closed: AtomicBool,
    /// Log a warning each time the lossless backlog doubles past this.
    warn_backlog: usize,
}

// Events never read leave the process-wide backlog gauge with their queue.
impl Drop for Inner {
    fn drop(&mut self) {
        crate::metrics::realtime_backlog(-(self.lossless_backlog as f64));
    }
}

impl std::fmt::Debug for Inner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Inner")
            .field("slots", &self.slots.len())
            .field("lossless_backlog", &self.lossless_backlog)
            .field("conflated_total", &self.conflated_total)
            .finish_non_exhaustive()
    }
}

impl EventQueue {
    pub(crate) fn new(warn_backlog: usize) -> Self {
        EventQueue {
            inner: Mutex::new(Inner::default()),
            notify: Notify::new(),
            closed: AtomicBool::new(false),
            warn_backlog: warn_backlog.max(1),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Queue an event: REAL entries of a `Conflated` type replace the undelivered value of
    /// their (type, item); everything else is appended.
    pub(crate) fn push(&self, event: SessionEvent, delivery: Delivery) {
        {
            let mut q = self.lock();
            match event {
                SessionEvent::Real(item) if delivery == Delivery::Conflated => {
                    let key = RealtimeKey {
                        kind: item.kind.clone(),
                        item: item.item.clone(),
                    };
                    if let Some(older) = q.latest.get_mut(&key) {
                        *older = item;
                        q.conflated_total += 1;
                        crate::metrics::realtime_conflated(&key.kind);
                        *q.conflated.entry(key).or_default() += 1;
                    } else {
                        q.latest.insert(key.clone(), item);
                        q.slots.push_back(Slot::Latest(key));
                    }
                }
                event => {
                    q.slots.push_back(Slot::Event(event));
                    q.lossless_backlog += 1;
                    crate::metrics::realtime_backlog(1.0);
                    if q.lossless_backlog > q.lossless_peak {
                        q.lossless_peak = q.lossless_backlog;
                        let n = q.lossless_backlog;
                        if n >= self.warn_backlog
                            && (n / self.warn_backlog).is_power_of_two()
                            && n % self.warn_backlog == 0
                        {
                            tracing::warn!(
                                backlog = n,
                                "realtime consumer lags: account/control events are kept, never dropped"
                            );
                        }
                    }
                }
            }
        }
        self.notify.notify_one();
    }

    pub(crate) fn close(&self) {
        self.closed.store(true, Ordering::Release);
        self.notify.notify_waiters();
        self.notify.notify_one();
    }

    fn pop(&self) -> Option<SessionEvent> {
        let mut q = self.lock();
        loop {
            match q.slots.pop_front()? {
                Slot::Event(e) => {
                    q.lossless_backlog -= 1;
                    crate::metrics::realtime_backlog(-1.0);
                    return Some(e);
                }
                Slot::Latest(key) => {
                    if let Some(item) = q.latest.remove(&key) {
                        return Some(SessionEvent::Real(item));
                    }
                }
            }
        }
    }

    /// The next event, or None once the queue is closed and empty.
    pub(crate) async fn recv(&self) -> Option<SessionEvent> {
        loop {
            let notified = self.notify.notified();
            if let Some(e) = self.pop() {
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

    pub(crate) fn stats(&self) -> DeliveryStats {
        let q = self.lock();
        DeliveryStats {
            conflated_total: q.conflated_total,
            conflated: q.conflated.iter().map(|(k, n)| (k.clone(), *n)).collect(),
            lossless_backlog: q.lossless_backlog,
            lossless_peak: q.lossless_peak,
            market_backlog: q.latest.len(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ws::Gap;
    use std::time::SystemTime;

    fn real(kind: &str, item: &str, n: u32) -> SessionEvent {
        let mut values = crate::RealValues::new();
        values.push("10", &n.to_string());
        SessionEvent::Real(RealItem {
            kind: kind.into(),
            item: item.into(),
            values,
            ..Default::default()
        })
    }

    fn gap() -> SessionEvent {
        SessionEvent::Gap(Gap {
            since: SystemTime::UNIX_EPOCH,
            until: SystemTime::UNIX_EPOCH,
            attempts: 1,
            resubscribed: true,
        })
    }

    #[tokio::test]
    async fn market_data_keeps_the_newest_per_key_lossless_keeps_all_in_order() {
        let q = EventQueue::new(4096);
        for n in 0..1000 {
            q.push(real("00", "005930", n), Delivery::Lossless);
            q.push(real("0B", "005930", n), Delivery::Conflated);
            q.push(real("0B", "000660", n), Delivery::Conflated);
        }
        q.push(gap(), Delivery::Lossless);
        let stats = q.stats();
        assert_eq!(stats.conflated_total, 2 * 999);
        let key = RealtimeKey {
            kind: "0B".into(),
            item: "005930".into(),
        };
        assert_eq!(stats.conflated[&key], 999);
        assert_eq!(stats.lossless_backlog, 1001);
        assert_eq!(stats.market_backlog, 2);

        let mut fills = Vec::new();
        let mut quotes = Vec::new();
        let mut gaps = 0;
        q.close();
        while let Some(e) = q.recv().await {
            match e {
                SessionEvent::Real(r) if r.kind == "00" => fills.push(r.values["10"].to_owned()),
                SessionEvent::Real(r) => quotes.push((r.item, r.values["10"].to_owned())),
                SessionEvent::Gap(_) => gaps += 1,
                other => panic!("{other:?}"),
            }
        }
        let expected: Vec<String> = (0..1000).map(|n| n.to_string()).collect();
        assert_eq!(fills, expected, "every fill, in order");
        assert_eq!(
            quotes,
            vec![
                ("005930".to_owned(), "999".to_owned()),
                ("000660".to_owned(), "999".to_owned())
            ],
            "the newest quote of each stock, where its first undelivered one stood"
        );
        assert_eq!(gaps, 1);
        assert_eq!(q.stats().lossless_backlog, 0);
        assert_eq!(q.stats().lossless_peak, 1001);
    }

    #[tokio::test]
    async fn a_consumer_that_keeps_up_sees_every_quote() {
        let q = EventQueue::new(16);
        for n in 0..10 {
            q.push(real("0B", "005930", n), Delivery::Conflated);
            let Some(SessionEvent::Real(r)) = q.recv().await else {
                panic!("an event")
            };
            assert_eq!(&r.values["10"], n.to_string());
        }
        assert_eq!(q.stats().conflated_total, 0);
    }

    #[tokio::test]
    async fn close_ends_a_waiting_consumer() {
        let q = std::sync::Arc::new(EventQueue::new(16));
        let waiter = tokio::spawn({
            let q = q.clone();
            async move { q.recv().await }
        });
        tokio::task::yield_now().await;
        q.close();
        assert_eq!(waiter.await.unwrap(), None);
    }
}
