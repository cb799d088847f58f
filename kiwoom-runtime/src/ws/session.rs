//! The caller's handle on a realtime session.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use futures::stream::BoxStream;
use futures::{Stream, TryStreamExt};
use serde_json::Value;
use tokio::sync::{broadcast, mpsc, oneshot, watch};

use super::driver::{Cmd, Driver};
use super::events::{ConnectionState, EventStream, RealtimeStream, SessionEvent};
use super::frames::{self, WsItem};
use super::queue::DeliveryStats;
use super::registry::Registry;
use super::router::Router;
use super::subscribe::{FIRST_SESSION_GROUP, Refresh};
use crate::client::Client;
use crate::error::Error;
use crate::return_code::Envelope;
use crate::tr::{DecodeError, Market, RealtimeType, TrInfo, TrResponse, WsCommand};

/// One market's WebSocket session. Dropping it (or `close()`) ends the connection; the
/// event streams then end too.
///
/// ```no_run
/// use futures::StreamExt;
/// use kiwoom_runtime::ws::TypedEvent;
/// use kiwoom_runtime::{AccountRealtimeType, ItemRealtimeType, Market};
///
/// // `StockTrade` and `OrderFill` are `kiwoom_generated::realtime` types.
/// async fn run<StockTrade: ItemRealtimeType, OrderFill: AccountRealtimeType>(
///     client: kiwoom_runtime::Client,
/// ) -> Result<(), kiwoom_runtime::Error> {
///     let session = client.realtime(Market::Domestic).await?;
///     let mut fills = session.events_of::<OrderFill>(); // every fill, in order
///     session.subscribe_account::<OrderFill>().await?;
///     session.subscribe::<StockTrade>(["005930", "000660"]).await?; // newest per stock
///     while let Some(event) = fills.next().await {
///         match event {
///             Ok(TypedEvent::Real(fill)) => { /* book it */ }
///             Ok(TypedEvent::Gap(gap)) => { /* reconcile over REST */ }
///             Ok(TypedEvent::System { .. }) => {}
///             Err(e) => eprintln!("{e}"), // one entry did not decode; the stream goes on
///         }
///     }
///     Ok(())
/// }
/// ```
#[derive(Debug)]
pub struct RealtimeSession {
    pub(super) market: Market,
    pub(super) cmd_tx: mpsc::Sender<Cmd>,
    pub(super) router: Arc<Router>,
    pub(super) registry: Arc<Mutex<Registry>>,
    /// Held while a typed subscription plans groups and waits for its REGs, so two
    /// subscriptions never place items into the same free slots.
    pub(super) placing: tokio::sync::Mutex<()>,
    state: watch::Receiver<ConnectionState>,
    changes: broadcast::Sender<ConnectionState>,
    ack_timeout: std::time::Duration,
}

impl Client {
    /// Open the WebSocket of `market` and LOGIN (with one token replacement if the server
    /// refuses the token). Returns once logged in.
    pub async fn realtime(&self, market: Market) -> Result<RealtimeSession, Error> {
        let inner = &self.inner;
        let path = match market {
            Market::Domestic => "/api/dostk/websocket",
            Market::Us => "/api/us/websocket",
        };
        let config = inner.ws.clone();
        let router = Arc::new(Router::new(config.lossless_backlog_warning));
        let registry = Arc::new(Mutex::new(Registry::default()));
        let (state_tx, state_rx) = watch::channel(ConnectionState::Connecting);
        let (changes, _) = broadcast::channel(64);
        let (cmd_tx, cmd_rx) = mpsc::channel(64);
        let ack_timeout = config.ack_timeout;
        let driver = Driver::new(
            self.clone(),
            market,
            format!("{}{path}", inner.ws_url),
            config,
            router.clone(),
            registry.clone(),
            state_tx,
            changes.clone(),
            cmd_rx,
        );
        let ws = match driver.connect_and_login(None).await {
            Ok(ws) => ws,
            Err((_, Some(stale))) => driver
                .connect_and_login(Some(stale))
                .await
                .map_err(|(e, _)| e)?,
            Err((e, None)) => return Err(e),
        };
        driver.set_state(ConnectionState::Connected);
        tokio::spawn(driver.run(ws));
        Ok(RealtimeSession {
            market,
            cmd_tx,
            router,
            registry,
            placing: tokio::sync::Mutex::new(()),
            state: state_rx,
            changes,
            ack_timeout,
        })
    }
}

impl RealtimeSession {
    pub fn market(&self) -> Market {
        self.market
    }

    /// Register realtime types by id for items in group `grp_no` (REG), for tools that
    /// walk types by id. Applications use [`subscribe`](Self::subscribe) and
    /// [`subscribe_account`](Self::subscribe_account), which know each type's market,
    /// item kind and delivery, and place items into groups themselves. Types registered
    /// only here are delivered losslessly: the session cannot tell market data from
    /// account events by an id alone. At most 100 items per group, and groups from 1000
    /// up (the session's own): refused before sending. Restored automatically after a
    /// reconnect.
    pub async fn subscribe_raw<I>(
        &self,
        grp_no: &str,
        items: I,
        types: &[&str],
        refresh: Refresh,
    ) -> Result<(), Error>
    where
        I: IntoIterator,
        I::Item: Into<WsItem>,
    {
        if grp_no
            .trim()
            .parse::<u16>()
            .is_ok_and(|g| g >= FIRST_SESSION_GROUP)
        {
            return Err(Error::Config(format!(
                "group {grp_no}: numbers from {FIRST_SESSION_GROUP} up are allocated by the session"
            )));
        }
        let items: Vec<WsItem> = items.into_iter().map(Into::into).collect();
        let types: Vec<String> = types.iter().map(|t| (*t).to_owned()).collect();
        self.reg(false, grp_no.to_owned(), items, types, refresh.keeps())
            .await
    }

    /// Remove registrations by id (REMOVE); see [`subscribe_raw`](Self::subscribe_raw).
    pub async fn unsubscribe_raw<I>(
        &self,
        grp_no: &str,
        items: I,
        types: &[&str],
    ) -> Result<(), Error>
    where
        I: IntoIterator,
        I::Item: Into<WsItem>,
    {
        let items: Vec<WsItem> = items.into_iter().map(Into::into).collect();
        let types: Vec<String> = types.iter().map(|t| (*t).to_owned()).collect();
        self.reg(true, grp_no.to_owned(), items, types, true).await
    }

    pub(super) async fn reg(
        &self,
        remove: bool,
        grp_no: String,
        items: Vec<WsItem>,
        types: Vec<String>,
        refresh: bool,
    ) -> Result<(), Error> {
        let (reply, rx) = oneshot::channel();
        self.send(Cmd::Reg {
            remove,
            grp_no,
            refresh,
            items,
            types,
            reply,
        })
        .await?;
        self.wait(rx).await?
    }

    /// Send a condition-search command (CNSRLST, CNSRREQ, CNSRCLR, G-prefixed for the US)
    /// and decode its answer. A realtime search (`search_type` 1) is restored after a
    /// reconnect until cleared.
    pub async fn command<C: WsCommand>(&self, command: C) -> Result<C::Reply, Error> {
        let frame = self.frame_of(&command)?;
        let value = self.command_value::<C>(frame).await?;
        decode_reply::<C>(&value)
    }

    /// Like `command`, following the body-level `cont_yn` / `next_key` continuation of
    /// CNSRREQ until the last page (or a repeated `next_key`), all pages collected.
    pub async fn command_all<C: WsCommand>(&self, command: C) -> Result<Vec<C::Reply>, Error> {
        self.command_pages(command).try_collect().await
    }

    /// The pages of a one-shot condition search (CNSRREQ with `search_type` 0) as they
    /// come: each page is requested when the previous one has been taken, following the
    /// body-level `cont_yn` / `next_key` until the last page (or a repeated `next_key`).
    /// An error ends the stream.
    pub fn command_pages<C: WsCommand>(
        &self,
        command: C,
    ) -> impl Stream<Item = Result<C::Reply, Error>> + Send + '_ {
        let first = self.frame_of(&command).map(|frame| (frame, HashSet::new()));
        futures::stream::unfold(Some(first), move |state| async move {
            let (mut frame, mut seen) = match state? {
                Ok(next) => next,
                Err(e) => return Some((Err(e), None)),
            };
            let value = match self.command_value::<C>(frame.clone()).await {
                Ok(v) => v,
                Err(e) => return Some((Err(e), None)),
            };
            let reply = match decode_reply::<C>(&value) {
                Ok(r) => r,
                Err(e) => return Some((Err(e), None)),
            };
            let more = value
                .get("cont_yn")
                .and_then(Value::as_str)
                .is_some_and(|c| c.eq_ignore_ascii_case("y"));
            let key = value
                .get("next_key")
                .and_then(Value::as_str)
                .map(str::trim)
                .unwrap_or("")
                .to_owned();
            if !more || key.is_empty() {
                return Some((Ok(reply), None));
            }
            if !seen.insert(key.clone()) {
                tracing::warn!(trnm = C::TRNM, next_key = %key, "server repeated a next_key; stopping");
                return Some((Ok(reply), None));
            }
            if let Some(obj) = frame.as_object_mut() {
                obj.insert("cont_yn".into(), Value::String("Y".into()));
                obj.insert("next_key".into(), Value::String(key));
            }
            Some((Ok(reply), Some(Ok((frame, seen)))))
        })
    }

    fn frame_of<C: WsCommand>(&self, command: &C) -> Result<Value, Error> {
        if C::MARKET != self.market {
            return Err(Error::Config(format!(
                "{} belongs to the {:?} session, not {:?}",
                C::TRNM,
                C::MARKET,
                self.market
            )));
        }
        let mut frame = serde_json::to_value(command)
            .map_err(|e| Error::Config(format!("{}: cannot serialize: {e}", C::INFO.api_id)))?;
        if let Some(obj) = frame.as_object_mut() {
            obj.entry("trnm")
                .or_insert_with(|| Value::String(C::TRNM.into()));
        }
        Ok(frame)
    }

    async fn command_value<C: WsCommand>(&self, frame: Value) -> Result<Value, Error> {
        let (reply, rx) = oneshot::channel();
        let seq = frames::seq_of(&frame);
        self.send(Cmd::Command {
            trnm: C::TRNM.to_owned(),
            seq,
            frame,
            reply,
        })
        .await?;
        self.wait(rx).await?
    }

    async fn send(&self, cmd: Cmd) -> Result<(), Error> {
        self.cmd_tx
            .send(cmd)
            .await
            .map_err(|_| Error::WebSocket("session closed".into()))
    }

    async fn wait<R>(&self, rx: oneshot::Receiver<R>) -> Result<R, Error> {
        // The driver times answers out itself; this guards against a driver that died.
        match tokio::time::timeout(self.ack_timeout + std::time::Duration::from_secs(1), rx).await {
            Ok(Ok(r)) => Ok(r),
            Ok(Err(_)) => Err(Error::WebSocket("session closed before the answer".into())),
            Err(_) => Err(Error::WebSocket("no answer within the ack timeout".into())),
        }
    }

    /// The session's events (REAL entries, gaps, SYSTEM notices, entries that did not
    /// arrive intact), except the types taken by [`events_of`](Self::events_of). Single
    /// consumer: every call returns a stream over the same queue. `.typed::<RealtimeEvent>()`
    /// decodes them into the generated enum.
    pub fn events(&self) -> EventStream {
        EventStream::new(self.router.main())
    }

    /// The events of realtime type `T` alone, decoded, plus every gap and notice. From this
    /// call on, entries of `T` go to this stream instead of [`events`](Self::events); open
    /// it before subscribing so none is missed. Calling it again for the same `T` returns
    /// another handle on the same queue (each event goes to one of them).
    pub fn events_of<T: RealtimeType>(&self) -> RealtimeStream<T> {
        RealtimeStream::new(self.router.typed(T::TYPE))
    }

    /// The next event of [`events`](Self::events), or None once the session has ended.
    pub async fn next_event(&self) -> Option<SessionEvent> {
        self.router.main().recv().await
    }

    /// What the event queues hold and have conflated (all streams together).
    pub fn delivery_stats(&self) -> DeliveryStats {
        self.router.stats()
    }

    /// Market-data values replaced by a newer one of the same (type, item) before the
    /// consumer read them. Account and control events are never dropped.
    pub fn conflated(&self) -> u64 {
        self.router.stats().conflated_total
    }

    pub fn state(&self) -> ConnectionState {
        *self.state.borrow()
    }

    /// Every state change from now on (none are coalesced unless the reader falls 64 behind).
    pub fn state_changes(&self) -> BoxStream<'static, ConnectionState> {
        let rx = self.changes.subscribe();
        Box::pin(futures::stream::unfold(rx, |mut rx| async move {
            loop {
                match rx.recv().await {
                    Ok(s) => return Some((s, rx)),
                    Err(broadcast::error::RecvError::Lagged(_)) => continue,
                    Err(broadcast::error::RecvError::Closed) => return None,
                }
            }
        }))
    }

    /// Close the connection; the event stream ends.
    pub async fn close(self) {
        let _ = self.cmd_tx.send(Cmd::Close).await;
    }
}

fn decode_reply<C: WsCommand>(value: &Value) -> Result<C::Reply, Error> {
    let info: &TrInfo = &C::INFO;
    let env = Envelope::of_value(value).map_err(|e| {
        Error::Decode(DecodeError {
            api_id: info.api_id.to_owned(),
            field: "return_code".into(),
            raw: value
                .get("return_code")
                .map(Value::to_string)
                .unwrap_or_default(),
            reason: format!("unreadable answer envelope: {e}"),
        })
    })?;
    if !env.is_success() {
        return Err(env.into_api_error(info.api_id));
    }
    let bytes = serde_json::to_vec(value).map_err(|e| Error::WebSocket(e.to_string()))?;
    C::Reply::decode(info.api_id, &bytes).map_err(Error::Decode)
}
