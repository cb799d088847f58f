//! Feeding a realtime session into the tracker: type 00 entries become frames, type 04
//! entries are compared with the journal's positions, every `Gap` triggers a reconciliation
//! (Kiwoom does not replay what was missed).

use futures::{Stream, StreamExt};
use kiwoom_runtime::SessionEvent;

use super::wire;
use crate::intent::seoul;
use crate::journal::Journal;
use crate::tracker::{Broker, ReconcileReport, Tracker, TrackerError};

/// What one session event did.
#[derive(Debug)]
pub enum Followed {
    Frame(crate::tracker::FrameOutcome),
    Reconciled(ReconcileReport),
    /// A balance frame (04) compared with the journal's position: the difference, if any
    /// (reported, never written over the journal).
    Balance(Option<crate::position::PositionDifference>),
    /// Not an order event (another type, a notice) or an entry that changes nothing.
    Skipped,
}

impl<J: Journal, B: Broker> Tracker<J, B> {
    /// Handles one event of the account's realtime session (subscribed to types 00 and 04).
    pub async fn on_session_event(
        &self,
        account: &str,
        event: SessionEvent,
    ) -> Result<Followed, TrackerError> {
        let today = chrono::Utc::now().with_timezone(&seoul()).date_naive();
        match event {
            SessionEvent::Real(item) if item.kind == "00" => {
                let raw = serde_json::to_value(&item).unwrap_or(serde_json::Value::Null);
                match wire::order_frame(&item.values, today, raw) {
                    Some(mut frame) => {
                        // The session belongs to the token's account: its frames are that
                        // account's, whatever form `9201` writes the number in (Kiwoom's
                        // 10-digit form vs the 8 digits the orders are recorded under).
                        frame.account = account.to_owned();
                        Ok(Followed::Frame(self.on_frame(frame).await?))
                    }
                    None => Ok(Followed::Skipped),
                }
            }
            SessionEvent::Real(item) if item.kind == "04" => {
                let raw = serde_json::to_value(&item).unwrap_or(serde_json::Value::Null);
                match wire::balance_frame(&item.values, raw) {
                    Some(mut frame) => {
                        frame.account = account.to_owned();
                        Ok(Followed::Balance(self.on_balance(&frame).await?))
                    }
                    None => Ok(Followed::Skipped),
                }
            }
            SessionEvent::Gap(gap) => {
                tracing::info!(?gap, "realtime gap: reconciling orders with Kiwoom");
                Ok(Followed::Reconciled(self.reconcile(account, today).await?))
            }
            _ => Ok(Followed::Skipped),
        }
    }

    /// Follows a session's events until the stream ends. Errors are logged and the loop goes
    /// on: one unreadable frame must not stop the tracking of every other order, and the
    /// next reconciliation repairs what it missed.
    pub async fn follow(&self, account: &str, events: impl Stream<Item = SessionEvent>) {
        self.follow_inner(account, events, None).await
    }

    /// [`follow`](Self::follow), and a reconciliation every `every` as well. A 00 frame
    /// Kiwoom never sent (or that was lost without the connection dropping) leaves no gap
    /// to notice: only a reconciliation finds its fill. Reconciliations run on this task,
    /// between events, like those after a gap.
    pub async fn follow_reconciling(
        &self,
        account: &str,
        events: impl Stream<Item = SessionEvent>,
        every: std::time::Duration,
    ) {
        self.follow_inner(account, events, Some(every)).await
    }

    async fn follow_inner(
        &self,
        account: &str,
        events: impl Stream<Item = SessionEvent>,
        every: Option<std::time::Duration>,
    ) {
        let mut events = std::pin::pin!(events);
        let mut timer = every.map(|every| {
            let start = tokio::time::Instant::now() + every;
            let mut t = tokio::time::interval_at(start, every);
            t.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            t
        });
        loop {
            let periodic = async {
                match timer.as_mut() {
                    Some(t) => {
                        t.tick().await;
                    }
                    None => std::future::pending::<()>().await,
                }
            };
            tokio::select! {
                event = events.next() => {
                    let Some(event) = event else { break };
                    if let Err(error) = self.on_session_event(account, event).await {
                        tracing::warn!(%error, "realtime order event not recorded; the next reconciliation will repair it");
                    }
                }
                () = periodic => {
                    let today = chrono::Utc::now().with_timezone(&seoul()).date_naive();
                    if let Err(error) = self.reconcile(account, today).await {
                        tracing::warn!(%error, "periodic reconciliation failed; the next one retries");
                    }
                }
            }
        }
    }
}
