//! The user's view of the journal: append through it, watch order and position updates as
//! streams, and ask it for open orders, a day's fills and positions.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use chrono::NaiveDate;
use futures::Stream;
use tokio::sync::broadcast;

use crate::error::JournalError;
use crate::event::{EventKind, NewEvent, OrderEvent};
use crate::ids::ClientOrderId;
use crate::journal::{AppendOutcome, FillRecord, Journal, OrderFilter};
use crate::order::Order;
use crate::position::Position;

/// An order changed: the event and the order's snapshot after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderUpdate {
    pub event: OrderEvent,
    pub order: Order,
}

/// A fill changed a position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PositionUpdate {
    /// Sequence number of the fill event.
    pub seq: i64,
    pub position: Position,
}

/// Events fetched per query when a slow consumer catches up from the journal.
const CATCH_UP_BATCH: usize = 256;

/// A journal with live updates. Cheap to clone.
///
/// Updates of appends made through this ledger are pushed to every stream. A consumer that
/// falls more than the channel capacity behind is not cut off and loses nothing: its stream
/// re-reads the missed events from the journal (there, the order snapshot is the order's
/// current one rather than the one right after the event) and then goes on live.
pub struct Ledger<J> {
    inner: Arc<Inner<J>>,
}

impl<J> Clone for Ledger<J> {
    fn clone(&self) -> Self {
        Self {
            inner: Arc::clone(&self.inner),
        }
    }
}

struct Inner<J> {
    journal: J,
    /// Appends and publication run one at a time so updates go out in sequence order.
    append: tokio::sync::Mutex<()>,
    /// The last published sequence number, read together with subscribing.
    published: Mutex<i64>,
    orders: broadcast::Sender<OrderUpdate>,
    positions: broadcast::Sender<PositionUpdate>,
}

impl<J: Journal> Inner<J> {
    /// One append, then its updates, one at a time in sequence order.
    async fn record(&self, event: NewEvent) -> Result<AppendOutcome, JournalError> {
        let _serial = self.append.lock().await;
        let kind = event.kind.name();
        let outcome = self.journal.append(event).await?;
        crate::metrics::count_append(kind, &outcome);
        if let AppendOutcome::Appended {
            event,
            order,
            position,
        } = &outcome
        {
            let mut published = self.published.lock().unwrap_or_else(|p| p.into_inner());
            // A send fails only when nobody listens, which is fine.
            let _ = self.orders.send(OrderUpdate {
                event: event.clone(),
                order: order.clone(),
            });
            if let Some(position) = position {
                let _ = self.positions.send(PositionUpdate {
                    seq: event.seq,
                    position: position.clone(),
                });
            }
            *published = event.seq;
        }
        Ok(outcome)
    }
}

impl<J: Journal> Ledger<J> {
    pub fn new(journal: J) -> Self {
        Self::with_capacity(journal, 1024)
    }

    /// `capacity` updates are buffered per stream before a slow consumer catches up from the
    /// journal instead.
    pub fn with_capacity(journal: J, capacity: usize) -> Self {
        let capacity = capacity.max(1);
        Self {
            inner: Arc::new(Inner {
                journal,
                append: tokio::sync::Mutex::new(()),
                published: Mutex::new(0),
                orders: broadcast::channel(capacity).0,
                positions: broadcast::channel(capacity).0,
            }),
        }
    }

    pub fn journal(&self) -> &J {
        &self.inner.journal
    }

    /// Appends an event and publishes what it changed.
    ///
    /// The append and its publication run in a task of their own: a caller that stops
    /// waiting (a timeout, an aborted task) cannot leave an event committed in the journal
    /// but never published, which a stream that is not lagging would never see. The event is
    /// then recorded and published all the same; only its outcome goes unread.
    pub async fn record(&self, event: NewEvent) -> Result<AppendOutcome, JournalError> {
        let inner = Arc::clone(&self.inner);
        match tokio::spawn(async move { inner.record(event).await }).await {
            Ok(outcome) => outcome,
            Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
            Err(e) => Err(JournalError::Worker(format!("append task: {e}"))),
        }
    }

    /// Every order update from now on.
    pub fn order_updates(
        &self,
    ) -> impl Stream<Item = Result<OrderUpdate, JournalError>> + Send + 'static {
        let (rx, cursor) = {
            let published = self
                .inner
                .published
                .lock()
                .unwrap_or_else(|p| p.into_inner());
            (self.inner.orders.subscribe(), *published)
        };
        updates(
            self.clone(),
            rx,
            cursor,
            |u: &OrderUpdate| u.event.seq,
            catch_up_orders,
        )
    }

    /// Every position change (one per fill) from now on.
    pub fn position_updates(
        &self,
    ) -> impl Stream<Item = Result<PositionUpdate, JournalError>> + Send + 'static {
        let (rx, cursor) = {
            let published = self
                .inner
                .published
                .lock()
                .unwrap_or_else(|p| p.into_inner());
            (self.inner.positions.subscribe(), *published)
        };
        updates(
            self.clone(),
            rx,
            cursor,
            |u: &PositionUpdate| u.seq,
            catch_up_positions,
        )
    }

    pub async fn order(&self, id: &ClientOrderId) -> Result<Option<Order>, JournalError> {
        self.inner.journal.order(id).await
    }

    /// Orders of `account` that may still trade, including those whose outcome is unknown.
    pub async fn open_orders(&self, account: &str) -> Result<Vec<Order>, JournalError> {
        self.inner
            .journal
            .orders(&OrderFilter::open().account(account))
            .await
    }

    /// The fills of one trading day (Seoul date) in `account`, in the order recorded.
    pub async fn fills_of_day(
        &self,
        account: &str,
        trade_date: NaiveDate,
    ) -> Result<Vec<FillRecord>, JournalError> {
        self.inner.journal.fills(Some(account), trade_date).await
    }

    pub async fn position(
        &self,
        account: &str,
        stock: &str,
    ) -> Result<Option<Position>, JournalError> {
        self.inner.journal.position(account, stock).await
    }

    pub async fn positions(&self, account: &str) -> Result<Vec<Position>, JournalError> {
        self.inner.journal.positions(account).await
    }
}

type CatchUp<J, T> = for<'a> fn(
    &'a Ledger<J>,
    Vec<OrderEvent>,
) -> futures::future::BoxFuture<'a, Result<Vec<T>, JournalError>>;

struct StreamState<J, T> {
    ledger: Ledger<J>,
    rx: broadcast::Receiver<T>,
    /// Sequence number of the last update delivered (or the start point).
    cursor: i64,
    backlog: VecDeque<T>,
    seq_of: fn(&T) -> i64,
    catch_up: CatchUp<J, T>,
    /// Set while the journal is read after a lag.
    lagging: bool,
}

fn updates<J: Journal, T: Clone + Send + 'static>(
    ledger: Ledger<J>,
    rx: broadcast::Receiver<T>,
    cursor: i64,
    seq_of: fn(&T) -> i64,
    catch_up: CatchUp<J, T>,
) -> impl Stream<Item = Result<T, JournalError>> + Send + 'static {
    let state = StreamState {
        ledger,
        rx,
        cursor,
        backlog: VecDeque::new(),
        seq_of,
        catch_up,
        lagging: false,
    };
    futures::stream::unfold(state, |mut s| async move {
        loop {
            if let Some(item) = s.backlog.pop_front() {
                s.cursor = (s.seq_of)(&item);
                return Some((Ok(item), s));
            }
            if s.lagging {
                let events = match s
                    .ledger
                    .inner
                    .journal
                    .events_after(s.cursor, CATCH_UP_BATCH)
                    .await
                {
                    Ok(events) => events,
                    Err(e) => return Some((Err(e), s)),
                };
                if events.is_empty() {
                    s.lagging = false;
                    continue;
                }
                let last = events.last().map_or(s.cursor, |e| e.seq);
                match (s.catch_up)(&s.ledger, events).await {
                    Ok(items) => s.backlog.extend(items),
                    Err(e) => return Some((Err(e), s)),
                }
                // Events that make no update (for positions: not fills) still move the cursor.
                if s.backlog.is_empty() {
                    s.cursor = last;
                }
                continue;
            }
            match s.rx.recv().await {
                Ok(item) if (s.seq_of)(&item) <= s.cursor => continue, // already read from the journal
                Ok(item) => {
                    s.cursor = (s.seq_of)(&item);
                    return Some((Ok(item), s));
                }
                Err(broadcast::error::RecvError::Lagged(missed)) => {
                    tracing::debug!(
                        missed,
                        after = s.cursor,
                        "slow update consumer catches up from the journal"
                    );
                    s.lagging = true;
                }
                Err(broadcast::error::RecvError::Closed) => return None,
            }
        }
    })
}

fn catch_up_orders<J: Journal>(
    ledger: &Ledger<J>,
    events: Vec<OrderEvent>,
) -> futures::future::BoxFuture<'_, Result<Vec<OrderUpdate>, JournalError>> {
    Box::pin(async move {
        let mut out = Vec::with_capacity(events.len());
        for event in events {
            let order = ledger.inner.journal.order(&event.client_order_id).await?;
            let order =
                order.ok_or_else(|| JournalError::UnknownOrder(event.client_order_id.clone()))?;
            out.push(OrderUpdate { event, order });
        }
        Ok(out)
    })
}

fn catch_up_positions<J: Journal>(
    ledger: &Ledger<J>,
    events: Vec<OrderEvent>,
) -> futures::future::BoxFuture<'_, Result<Vec<PositionUpdate>, JournalError>> {
    Box::pin(async move {
        let mut out = Vec::new();
        for event in events
            .into_iter()
            .filter(|e| matches!(e.kind, EventKind::Filled { .. }))
        {
            let journal = &ledger.inner.journal;
            let order = journal.order(&event.client_order_id).await?;
            let order =
                order.ok_or_else(|| JournalError::UnknownOrder(event.client_order_id.clone()))?;
            if let Some(position) = journal
                .position(&order.intent.account, &order.intent.stock)
                .await?
            {
                out.push(PositionUpdate {
                    seq: event.seq,
                    position,
                });
            }
        }
        Ok(out)
    })
}
