//! The task that owns one market's WebSocket: it logs in, serves commands, answers PINGs,
//! pushes events, and reconnects (fresh token, re-registration, gap event) when the
//! connection is lost.

use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use futures::{SinkExt, StreamExt};
use secrecy::ExposeSecret;
use serde_json::Value;
use tokio::net::TcpStream;
use tokio::sync::{broadcast, mpsc, oneshot, watch};
use tokio::time::{Instant, sleep_until, timeout_at};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream, connect_async_with_config};

use super::WsConfig;
use super::events::{ConnectionState, Gap, SessionEvent};
use super::frames::{self, Incoming, RealEntries, WsItem};
use super::registry::Registry;
use super::router::Router;
use crate::client::Client;
use crate::error::Error;
use crate::retry::exponential_jitter;
use crate::return_code::Envelope;
use crate::tr::{Market, ValidationError, ValidationProblem};

type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

pub(crate) enum Cmd {
    Reg {
        remove: bool,
        grp_no: String,
        refresh: bool,
        items: Vec<WsItem>,
        types: Vec<String>,
        reply: oneshot::Sender<Result<(), Error>>,
    },
    /// A condition-search frame; the reply frame is returned as is.
    Command {
        trnm: String,
        seq: Option<String>,
        frame: Value,
        reply: oneshot::Sender<Result<Value, Error>>,
    },
    Close,
}

enum PendingKind {
    Reg {
        remove: bool,
        grp_no: String,
        refresh: bool,
        items: Vec<WsItem>,
        types: Vec<String>,
        reply: oneshot::Sender<Result<(), Error>>,
    },
    Command {
        frame: Value,
        reply: oneshot::Sender<Result<Value, Error>>,
    },
}

struct Pending {
    trnm: String,
    seq: Option<String>,
    deadline: Instant,
    kind: PendingKind,
}

impl Pending {
    fn is_abandoned(&self) -> bool {
        match &self.kind {
            PendingKind::Reg { reply, .. } => reply.is_closed(),
            PendingKind::Command { reply, .. } => reply.is_closed(),
        }
    }

    fn fail(self, e: Error) {
        match self.kind {
            PendingKind::Reg { reply, .. } => drop(reply.send(Err(e))),
            PendingKind::Command { reply, .. } => drop(reply.send(Err(e))),
        }
    }
}

/// Why serving a connection stopped.
enum Ended {
    Closed,
    Lost(String),
}

pub(crate) struct Driver {
    pub(crate) client: Client,
    pub(crate) market: Market,
    pub(crate) url: String,
    pub(crate) config: WsConfig,
    pub(crate) router: Arc<Router>,
    pub(crate) state: watch::Sender<ConnectionState>,
    pub(crate) changes: broadcast::Sender<ConnectionState>,
    pub(crate) cmd_rx: mpsc::Receiver<Cmd>,
    /// Shared with the session, which plans group placement from it.
    registry: Arc<Mutex<Registry>>,
    pending: Vec<Pending>,
}

impl Driver {
    #[allow(clippy::too_many_arguments)] // plain wiring, called once
    pub(crate) fn new(
        client: Client,
        market: Market,
        url: String,
        config: WsConfig,
        router: Arc<Router>,
        registry: Arc<Mutex<Registry>>,
        state: watch::Sender<ConnectionState>,
        changes: broadcast::Sender<ConnectionState>,
        cmd_rx: mpsc::Receiver<Cmd>,
    ) -> Self {
        Driver {
            client,
            market,
            url,
            config,
            router,
            state,
            changes,
            cmd_rx,
            registry,
            pending: Vec::new(),
        }
    }

    pub(crate) fn set_state(&self, s: ConnectionState) {
        self.state.send_replace(s);
        let _ = self.changes.send(s);
        tracing::debug!(market = ?self.market, state = ?s, "websocket state");
    }

    /// Connect and LOGIN. `stale` is the generation of a token the server just refused:
    /// it is replaced first. On a token refusal the error carries that token's generation.
    pub(crate) async fn connect_and_login(
        &self,
        stale: Option<u64>,
    ) -> Result<Ws, (Error, Option<u64>)> {
        let auth = &self.client.inner.auth;
        let token = match stale {
            Some(g) => auth.replace_rejected(g).await,
            None => auth.token().await,
        }
        .map_err(|e| (e, None))?;
        let deadline = Instant::now() + self.config.handshake_timeout;
        let ws_config = WebSocketConfig::default()
            .max_message_size(Some(self.config.max_message_size))
            .max_frame_size(Some(self.config.max_message_size));
        let url = &self.url;
        // Boxed: the TLS/handshake future is some hundred kilobytes in a debug build, too
        // much to sit inline in every caller's future.
        let (mut ws, _) = timeout_at(
            deadline,
            Box::pin(connect_async_with_config(
                url.as_str(),
                Some(ws_config),
                true,
            )),
        )
        .await
        .map_err(|_| {
            (
                Error::WebSocket(format!("connect to {url} timed out")),
                None,
            )
        })?
        .map_err(|e| (Error::WebSocket(format!("connect to {url}: {e}")), None))?;
        let login = Message::text(frames::login_frame(token.secret().expose_secret()));
        send_by(&mut ws, login, deadline)
            .await
            .map_err(|e| (Error::WebSocket(format!("sending LOGIN: {e}")), None))?;
        // SYSTEM notices and PINGs may come before the LOGIN answer (seen on production).
        loop {
            let msg = match timeout_at(deadline, ws.next()).await {
                Err(_) => {
                    return Err((
                        Error::WebSocket("no LOGIN answer within the handshake timeout".into()),
                        None,
                    ));
                }
                Ok(None) | Ok(Some(Err(_))) | Ok(Some(Ok(Message::Close(_)))) => {
                    return Err((
                        Error::WebSocket("connection closed during LOGIN".into()),
                        None,
                    ));
                }
                Ok(Some(Ok(m))) => m,
            };
            let Some(text) = text_of(&msg) else { continue };
            match frames::parse(text, self.config.max_entries_per_frame) {
                Incoming::Ping => {
                    send_by(&mut ws, msg, deadline)
                        .await
                        .map_err(|e| (Error::WebSocket(format!("echoing PING: {e}")), None))?;
                }
                Incoming::System { code, message } => {
                    self.router.push(SessionEvent::System { code, message })
                }
                Incoming::Reply { trnm, value, .. } if trnm == "LOGIN" => {
                    let env = Envelope::of_value(&value).map_err(|e| {
                        (
                            Error::WebSocket(format!("unreadable LOGIN answer: {e}")),
                            None,
                        )
                    })?;
                    if env.is_success() {
                        tracing::info!(market = ?self.market, "websocket logged in");
                        return Ok(ws);
                    }
                    let rejected = env
                        .error_code()
                        .is_token_invalid()
                        .then_some(token.generation);
                    return Err((env.into_api_error("LOGIN"), rejected));
                }
                _ => tracing::debug!("frame before the LOGIN answer ignored"),
            }
        }
    }

    /// Serve connections until the session is closed or reconnection gives up.
    pub(crate) async fn run(mut self, ws: Ws) {
        let mut ws = ws;
        loop {
            let why = match self.serve(&mut ws).await {
                Ended::Closed => break,
                Ended::Lost(why) => why,
            };
            let since = SystemTime::now();
            tracing::warn!(market = ?self.market, reason = %why, "websocket connection lost; reconnecting");
            crate::metrics::ws_disconnected(self.market);
            for p in self.pending.drain(..) {
                p.fail(Error::WebSocket(format!(
                    "connection lost before the answer ({why}); it may have been sent"
                )));
            }
            match self.reconnect().await {
                Some((new_ws, attempts)) => {
                    ws = new_ws;
                    let mut held = Vec::new();
                    let resubscribed = self.restore(&mut ws, &mut held).await;
                    // Connected before the gap is seen, so a consumer that reacts to the
                    // gap (a REST snapshot, a new subscription) finds the session usable.
                    self.set_state(ConnectionState::Connected);
                    crate::metrics::ws_gap(self.market, since.elapsed().unwrap_or_default());
                    self.router.push(SessionEvent::Gap(Gap {
                        since,
                        until: SystemTime::now(),
                        attempts,
                        resubscribed,
                    }));
                    for e in held {
                        self.router.push(e);
                    }
                }
                None => break,
            }
        }
        for p in self.pending.drain(..) {
            p.fail(Error::WebSocket("session closed".into()));
        }
        self.set_state(ConnectionState::Closed);
        self.router.close();
    }

    /// Returns the new connection and how many attempts it took, or None to stop.
    async fn reconnect(&mut self) -> Option<(Ws, u32)> {
        let mut stale = None;
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            if self
                .config
                .max_reconnect_attempts
                .is_some_and(|m| attempt > m)
            {
                tracing::error!(market = ?self.market, "websocket reconnection gave up");
                return None;
            }
            self.set_state(ConnectionState::Reconnecting { attempt });
            let wake = Instant::now()
                + exponential_jitter(
                    self.config.reconnect_base_delay,
                    self.config.reconnect_max_delay,
                    attempt,
                );
            // Keep answering the caller while waiting: nothing can be sent now.
            loop {
                tokio::select! {
                    _ = sleep_until(wake) => break,
                    cmd = self.cmd_rx.recv() => match cmd {
                        None | Some(Cmd::Close) => return None,
                        Some(c) => refuse(c, "reconnecting; not sent"),
                    },
                }
            }
            match self.connect_and_login(stale).await {
                Ok(ws) => return Some((ws, attempt)),
                Err((e, rejected)) => {
                    tracing::warn!(attempt, error = %e, "websocket reconnect failed");
                    stale = rejected;
                }
            }
        }
    }

    /// Re-send every registration and realtime condition search. Events that arrive
    /// meanwhile are held so the gap event comes first.
    async fn restore(&mut self, ws: &mut Ws, held: &mut Vec<SessionEvent>) -> bool {
        let mut all_ok = true;
        let replay = lock(&self.registry).replay();
        for (grp_no, items, types) in replay {
            let frame = frames::reg_frame(false, &grp_no, true, &items, &types);
            match self.send_and_wait(ws, frame, "REG", None, held).await {
                Ok(v) if Envelope::of_value(&v).is_ok_and(|e| e.is_success()) => {}
                other => {
                    tracing::warn!(grp_no, ?types, answer = ?other.map(|v| v.to_string()), "re-registration failed");
                    all_ok = false;
                }
            }
        }
        let conditions: Vec<(String, String, Value)> = lock(&self.registry)
            .conditions()
            .map(|(t, s, v)| (t.to_owned(), s.to_owned(), v.clone()))
            .collect();
        for (trnm, seq, frame) in conditions {
            match self
                .send_and_wait(ws, frame.to_string(), &trnm, Some(&seq), held)
                .await
            {
                Ok(v) if Envelope::of_value(&v).is_ok_and(|e| e.is_success()) => {}
                other => {
                    tracing::warn!(trnm, seq, answer = ?other.map(|v| v.to_string()), "condition search not restored");
                    all_ok = false;
                }
            }
        }
        all_ok
    }

    async fn send_and_wait(
        &self,
        ws: &mut Ws,
        frame: String,
        trnm: &str,
        seq: Option<&str>,
        held: &mut Vec<SessionEvent>,
    ) -> Result<Value, Error> {
        self.send(ws, Message::text(frame))
            .await
            .map_err(Error::WebSocket)?;
        let deadline = Instant::now() + self.config.ack_timeout;
        loop {
            let msg = match timeout_at(deadline, ws.next()).await {
                Err(_) => return Err(Error::WebSocket(format!("no {trnm} answer"))),
                Ok(None) | Ok(Some(Err(_))) | Ok(Some(Ok(Message::Close(_)))) => {
                    return Err(Error::WebSocket("connection closed".into()));
                }
                Ok(Some(Ok(m))) => m,
            };
            let Some(text) = text_of(&msg) else { continue };
            match frames::parse(text, self.config.max_entries_per_frame) {
                Incoming::Ping => self.send(ws, msg).await.map_err(Error::WebSocket)?,
                Incoming::Real(real) => held.extend(real_events(real)),
                Incoming::System { code, message } => {
                    held.push(SessionEvent::System { code, message })
                }
                Incoming::Reply {
                    trnm: t,
                    seq: s,
                    value,
                } if t == trnm && (seq.is_none() || s.as_deref() == seq) => {
                    return Ok(value);
                }
                Incoming::Reply { trnm: t, value, .. } if t.is_empty() => return Ok(value),
                _ => {}
            }
        }
    }

    async fn serve(&mut self, ws: &mut Ws) -> Ended {
        let mut last_frame = Instant::now();
        loop {
            let now = Instant::now();
            self.expire_pending(now);
            let idle_at = last_frame + self.config.idle_timeout;
            let wake = self
                .pending
                .iter()
                .map(|p| p.deadline)
                .min()
                .map_or(idle_at, |d| d.min(idle_at));
            tokio::select! {
                msg = ws.next() => {
                    last_frame = Instant::now();
                    match msg {
                        None => return Ended::Lost("connection closed".into()),
                        Some(Err(e)) => return Ended::Lost(e.to_string()),
                        Some(Ok(Message::Close(frame))) => return Ended::Lost(format!("closed by the server: {frame:?}")),
                        Some(Ok(m)) => {
                            if let Err(e) = self.on_message(ws, m).await {
                                return Ended::Lost(e);
                            }
                        }
                    }
                }
                cmd = self.cmd_rx.recv() => match cmd {
                    None | Some(Cmd::Close) => {
                        let _ = tokio::time::timeout(self.config.send_timeout, ws.close(None)).await;
                        return Ended::Closed;
                    }
                    Some(c) => {
                        if let Err(e) = self.send_cmd(ws, c).await {
                            return Ended::Lost(e);
                        }
                    }
                },
                _ = sleep_until(wake) => {
                    if Instant::now() >= idle_at {
                        return Ended::Lost(format!("no frame for {:?}", self.config.idle_timeout));
                    }
                }
            }
        }
    }

    fn expire_pending(&mut self, now: Instant) {
        let mut i = 0;
        while i < self.pending.len() {
            if self.pending[i].deadline <= now || self.pending[i].is_abandoned() {
                let p = self.pending.remove(i);
                let trnm = p.trnm.clone();
                p.fail(Error::WebSocket(format!(
                    "no {trnm} answer within the ack timeout; it may have been applied"
                )));
            } else {
                i += 1;
            }
        }
    }

    async fn on_message(&mut self, ws: &mut Ws, msg: Message) -> Result<(), String> {
        let Some(text) = text_of(&msg) else {
            return Ok(());
        };
        match frames::parse(text, self.config.max_entries_per_frame) {
            Incoming::Ping => self
                .send(ws, msg)
                .await
                .map_err(|e| format!("echoing PING: {e}"))?,
            Incoming::Real(real) => {
                for event in real_events(real) {
                    self.router.push(event);
                }
            }
            Incoming::System { code, message } => {
                tracing::warn!(code, message, "websocket SYSTEM notice");
                self.router.push(SessionEvent::System { code, message });
            }
            Incoming::Reply { trnm, seq, value } => self.resolve(&trnm, seq.as_deref(), value),
            Incoming::Unreadable(why) => tracing::warn!(why, "unreadable websocket frame skipped"),
        }
        Ok(())
    }

    /// Hand an answer to the oldest request it can belong to. An error frame with an
    /// empty `trnm` (100002) goes to the oldest request.
    fn resolve(&mut self, trnm: &str, seq: Option<&str>, value: Value) {
        let found = self.pending.iter().position(|p| {
            !p.is_abandoned()
                && (trnm.is_empty()
                    || (p.trnm == trnm
                        && (p.seq.is_none() || seq.is_none() || p.seq.as_deref() == seq)))
        });
        let Some(i) = found else {
            tracing::debug!(trnm, "answer with no waiting request");
            return;
        };
        let p = self.pending.remove(i);
        // An unreadable envelope is a refusal, never a success.
        let env = Envelope::of_value(&value);
        let accepted = !trnm.is_empty() && env.as_ref().is_ok_and(Envelope::is_success);
        match p.kind {
            PendingKind::Reg {
                remove,
                grp_no,
                refresh,
                items,
                types,
                reply,
            } => {
                let api_id = if remove { "REMOVE" } else { "REG" };
                let result = if accepted {
                    if remove {
                        lock(&self.registry).apply_remove(&grp_no, &items, &types);
                    } else {
                        lock(&self.registry).apply_reg(&grp_no, refresh, &items, &types);
                    }
                    Ok(())
                } else {
                    Err(match env {
                        Ok(env) => env.into_api_error(api_id),
                        Err(e) => Error::WebSocket(format!("unreadable {api_id} answer: {e}")),
                    })
                };
                let _ = reply.send(result);
            }
            PendingKind::Command { frame, reply } => {
                if accepted {
                    lock(&self.registry).apply_command(&p.trnm, p.seq.as_deref(), &frame);
                }
                let _ = reply.send(Ok(value));
            }
        }
    }

    async fn send_cmd(&mut self, ws: &mut Ws, cmd: Cmd) -> Result<(), String> {
        let deadline = Instant::now() + self.config.ack_timeout;
        match cmd {
            Cmd::Close => Ok(()),
            Cmd::Reg {
                remove,
                grp_no,
                refresh,
                items,
                types,
                reply,
            } => {
                let invalid = |reason: String| ValidationError {
                    api_id: if remove { "REMOVE" } else { "REG" },
                    field: "item",
                    rust_name: "items",
                    problem: ValidationProblem::Invalid { reason },
                };
                if let Some(bad) = items.iter().find(|i| !i.fits(self.market)) {
                    let _ = reply.send(Err(invalid(format!(
                        "{bad:?} is not an item of the {:?} market",
                        self.market
                    ))
                    .into()));
                    return Ok(());
                }
                if !remove {
                    let checked = lock(&self.registry).check_reg(&grp_no, refresh, &items);
                    if let Err(reason) = checked {
                        let _ = reply.send(Err(invalid(reason).into()));
                        return Ok(());
                    }
                }
                let frame = frames::reg_frame(remove, &grp_no, refresh, &items, &types);
                self.send(ws, Message::text(frame)).await?;
                let trnm = if remove { "REMOVE" } else { "REG" }.to_owned();
                self.pending.push(Pending {
                    trnm,
                    seq: None,
                    deadline,
                    kind: PendingKind::Reg {
                        remove,
                        grp_no,
                        refresh,
                        items,
                        types,
                        reply,
                    },
                });
                Ok(())
            }
            Cmd::Command {
                trnm,
                seq,
                frame,
                reply,
            } => {
                self.send(ws, Message::text(frame.to_string())).await?;
                self.pending.push(Pending {
                    trnm,
                    seq,
                    deadline,
                    kind: PendingKind::Command { frame, reply },
                });
                Ok(())
            }
        }
    }
}

impl Driver {
    /// Send one frame within `send_timeout`. A peer that stops reading fills the socket
    /// buffers and would block a plain `send` forever (the PING echo included); past the
    /// timeout the connection counts as dead and the session reconnects.
    async fn send(&self, ws: &mut Ws, msg: Message) -> Result<(), String> {
        send_by(ws, msg, Instant::now() + self.config.send_timeout).await
    }
}

async fn send_by(ws: &mut Ws, msg: Message, deadline: Instant) -> Result<(), String> {
    match timeout_at(deadline, ws.send(msg)).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err("send timed out: the peer stopped reading".into()),
    }
}

/// The events of one REAL frame: its good entries, one `Malformed` per bad entry, and a
/// `FrameTruncated` when entries were skipped over the bound.
fn real_events(real: RealEntries) -> impl Iterator<Item = SessionEvent> {
    let RealEntries { entries, total } = real;
    let kept = entries.len();
    if total > kept {
        crate::metrics::realtime_skipped(total - kept);
        tracing::warn!(
            entries = total,
            kept,
            "REAL frame over max_entries_per_frame; the rest skipped"
        );
    }
    entries
        .into_iter()
        .map(|entry| match entry {
            Ok(item) => SessionEvent::Real(item),
            Err(bad) => {
                tracing::warn!(error = %bad.error, "malformed REAL entry");
                crate::metrics::realtime_malformed(bad.kind.as_deref());
                SessionEvent::Malformed {
                    kind: bad.kind,
                    error: bad.error,
                }
            }
        })
        .chain((total > kept).then_some(SessionEvent::FrameTruncated {
            entries: total,
            delivered: kept,
        }))
}

pub(crate) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn refuse(cmd: Cmd, why: &str) {
    match cmd {
        Cmd::Reg { reply, .. } => drop(reply.send(Err(Error::WebSocket(why.into())))),
        Cmd::Command { reply, .. } => drop(reply.send(Err(Error::WebSocket(why.into())))),
        Cmd::Close => {}
    }
}

fn text_of(msg: &Message) -> Option<&str> {
    match msg {
        Message::Text(t) => Some(t.as_str()),
        Message::Binary(b) => std::str::from_utf8(b).ok(),
        _ => None,
    }
}
