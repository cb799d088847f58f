//! Sends each event the socket reader produces to the queue of the consumer that wants it:
//! a typed stream opened with `events_of::<T>()` gets the entries of its type, the session's
//! main stream gets the rest, and every stream gets the events that concern all of them
//! (gaps, SYSTEM notices, frames that were cut short, entries whose type is unreadable).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use super::delivery::{Delivery, delivery_of_unknown};
use super::events::SessionEvent;
use super::queue::{DeliveryStats, EventQueue};

#[derive(Debug, Default)]
struct Table {
    /// Realtime type -> the queue of its typed stream.
    by_type: HashMap<String, Arc<EventQueue>>,
    /// Realtime type -> how it is delivered (set when it is subscribed).
    delivery: HashMap<String, Delivery>,
}

#[derive(Debug)]
pub(crate) struct Router {
    main: Arc<EventQueue>,
    table: Mutex<Table>,
    warn_backlog: usize,
}

impl Router {
    pub(crate) fn new(warn_backlog: usize) -> Self {
        Router {
            main: Arc::new(EventQueue::new(warn_backlog)),
            table: Mutex::new(Table::default()),
            warn_backlog,
        }
    }

    fn table(&self) -> std::sync::MutexGuard<'_, Table> {
        self.table.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(crate) fn main(&self) -> Arc<EventQueue> {
        self.main.clone()
    }

    /// The queue of `kind`'s typed stream, created on first use.
    pub(crate) fn typed(&self, kind: &str) -> Arc<EventQueue> {
        self.table()
            .by_type
            .entry(kind.to_owned())
            .or_insert_with(|| Arc::new(EventQueue::new(self.warn_backlog)))
            .clone()
    }

    /// Record how `kind` is delivered. A type once lossless stays lossless: a second
    /// subscription can never make fills droppable.
    pub(crate) fn set_delivery(&self, kind: &str, delivery: Delivery) {
        let mut t = self.table();
        let slot = t.delivery.entry(kind.to_owned()).or_insert(delivery);
        if delivery == Delivery::Lossless {
            *slot = Delivery::Lossless;
        }
    }

    pub(crate) fn push(&self, event: SessionEvent) {
        let kind = match &event {
            SessionEvent::Real(item) => {
                crate::metrics::realtime_event(&item.kind);
                Some(item.kind.as_str())
            }
            SessionEvent::Malformed { kind, .. } => kind.as_deref(),
            _ => None,
        };
        let t = self.table();
        match kind {
            Some(kind) => {
                let delivery = t
                    .delivery
                    .get(kind)
                    .copied()
                    .unwrap_or_else(|| delivery_of_unknown(kind));
                let queue = t.by_type.get(kind).unwrap_or(&self.main);
                queue.push(event, delivery);
            }
            None => {
                for q in t.by_type.values() {
                    q.push(event.clone(), Delivery::Lossless);
                }
                self.main.push(event, Delivery::Lossless);
            }
        }
    }

    pub(crate) fn close(&self) {
        let t = self.table();
        for q in t.by_type.values() {
            q.close();
        }
        self.main.close();
    }

    pub(crate) fn stats(&self) -> DeliveryStats {
        let mut stats = self.main.stats();
        for q in self.table().by_type.values() {
            stats.add(q.stats());
        }
        stats
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tr::RealItem;

    fn real(kind: &str) -> SessionEvent {
        SessionEvent::Real(RealItem {
            kind: kind.into(),
            item: "005930".into(),
            ..Default::default()
        })
    }

    #[tokio::test]
    async fn typed_queues_get_their_type_and_every_notice() {
        let r = Router::new(64);
        let fills = r.typed("00");
        r.push(real("00"));
        r.push(real("0B"));
        r.push(SessionEvent::System {
            code: "R10001".into(),
            message: String::new(),
        });
        r.close();
        let mut got = Vec::new();
        while let Some(e) = fills.recv().await {
            got.push(e);
        }
        assert!(
            matches!(&got[..], [SessionEvent::Real(a), SessionEvent::System { .. }] if a.kind == "00")
        );
        let main = r.main();
        assert!(matches!(main.recv().await, Some(SessionEvent::Real(b)) if b.kind == "0B"));
        assert!(matches!(
            main.recv().await,
            Some(SessionEvent::System { .. })
        ));
        assert_eq!(main.recv().await, None);
    }

    #[test]
    fn lossless_is_sticky() {
        let r = Router::new(64);
        r.set_delivery("0B", Delivery::Lossless);
        r.set_delivery("0B", Delivery::Conflated);
        assert_eq!(r.table().delivery["0B"], Delivery::Lossless);
    }
}
