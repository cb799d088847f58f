//! The WebSocket endpoints `/api/dostk/websocket` and `/api/us/websocket`.
//!
//! The server sends `{"trnm":"PING"}` every `MockConfig::ping_interval`; a client that has not
//! echoed any PING within `MockConfig::ping_echo_timeout` of one is disconnected (a close
//! frame, then the socket is dropped), as the live server drops clients that do not echo.

mod balance;
mod condition;
mod frames;
mod order_fill;
pub(crate) mod push;
mod session;

use std::sync::Arc;

use axum::extract::State;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use codegen::spec::Market;
use futures::{FutureExt, SinkExt, StreamExt};
use serde_json::Value;
use tokio::sync::broadcast;
use tokio::time::{Instant, MissedTickBehavior, interval, interval_at, sleep_until};

use crate::control::Shared;
use session::Session;

pub(crate) async fn upgrade_domestic(
    State(shared): State<Arc<Shared>>,
    ws: WebSocketUpgrade,
) -> Response {
    upgrade(shared, ws, Market::Domestic)
}

pub(crate) async fn upgrade_us(
    State(shared): State<Arc<Shared>>,
    ws: WebSocketUpgrade,
) -> Response {
    upgrade(shared, ws, Market::Us)
}

/// Upgrade, unless a `drop_websockets_for` outage is on: then HTTP 503, no socket.
fn upgrade(shared: Arc<Shared>, ws: WebSocketUpgrade, market: Market) -> Response {
    let refused = crate::control::MockControl {
        shared: shared.clone(),
    }
    .websockets_refused();
    if refused {
        tracing::debug!("websocket upgrade refused: outage");
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            "websocket outage (simulator fault)",
        )
            .into_response();
    }
    ws.on_upgrade(move |socket| run(shared, socket, market))
}

async fn send(tx: &mut Tx, frame: &Value) -> bool {
    tx.send(Message::Text(frame.to_string().into()))
        .await
        .is_ok()
}

type Tx = futures::stream::SplitSink<WebSocket, Message>;

/// Handle one incoming WebSocket message; false when the socket is to be closed.
async fn on_incoming(
    session: &mut Session,
    tx: &mut Tx,
    incoming: Option<Result<Message, axum::Error>>,
) -> bool {
    let text = match incoming {
        Some(Ok(Message::Text(t))) => t.to_string(),
        Some(Ok(Message::Binary(b))) => String::from_utf8_lossy(&b).into_owned(),
        Some(Ok(Message::Ping(_) | Message::Pong(_))) => return true,
        Some(Ok(Message::Close(_))) | Some(Err(_)) | None => return false,
    };
    let reply = session.on_text(&text);
    let mut ok = true;
    for frame in &reply.frames {
        ok &= send(tx, frame).await;
    }
    if reply.close {
        let _ = tx.send(Message::Close(None)).await;
        return false;
    }
    ok
}

async fn run(shared: Arc<Shared>, socket: WebSocket, market: Market) {
    let mut session = Session::new(shared.clone(), market);
    let (mut tx, mut rx) = socket.split();
    let mut kill = shared.ws_kill.subscribe();
    kill.borrow_and_update();
    let mut feed = shared.feed.subscribe();
    let mut pushes = shared.ws_push.subscribe();
    let mut ping = interval(shared.config.ping_interval);
    ping.set_missed_tick_behavior(MissedTickBehavior::Delay);
    ping.tick().await;
    // The first REAL frame one period after the connection opens, not at once: a client
    // that registers right after LOGIN must not race an immediate tick.
    let period = shared.config.realtime_interval;
    let mut real = interval_at(Instant::now() + period, period);
    real.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let echo_window = shared.config.ping_echo_timeout;
    // When the oldest PING not yet echoed must have been echoed by.
    let mut echo_due: Option<Instant> = None;
    loop {
        tokio::select! {
            _ = kill.changed() => {
                // Abrupt: no close frame, the socket is simply dropped.
                tracing::debug!(id = session.id, "websocket dropped by control");
                break;
            }
            incoming = rx.next() => {
                if !on_incoming(&mut session, &mut tx, incoming).await {
                    break;
                }
                if session.take_ping_echo() {
                    echo_due = None;
                }
            }
            _ = ping.tick() => {
                if !send(&mut tx, &frames::ping()).await {
                    break;
                }
                echo_due.get_or_insert_with(|| Instant::now() + echo_window);
            }
            _ = sleep_until(echo_due.unwrap_or_else(Instant::now)), if echo_due.is_some() => {
                // Frames that already arrived count: a busy socket task must not drop a
                // client whose echo is waiting to be read.
                let mut open = true;
                while let Some(incoming) = rx.next().now_or_never() {
                    open = on_incoming(&mut session, &mut tx, incoming).await;
                    if !open {
                        break;
                    }
                }
                if !open {
                    break;
                }
                if session.take_ping_echo() {
                    echo_due = None;
                } else {
                    tracing::info!(id = session.id, window = ?echo_window, "no PING echo in time: disconnecting the client");
                    let _ = tx.send(Message::Close(None)).await;
                    break;
                }
            }
            _ = real.tick(), if session.logged_in => {
                if let Some(frame) = session.realtime_frame() {
                    if !send(&mut tx, &frame).await {
                        break;
                    }
                }
            }
            push = pushes.recv() => {
                if let Ok(push) = push {
                    if !push::send(&mut tx, &session, &push).await {
                        break;
                    }
                }
            }
            event = feed.recv() => {
                match event {
                    Ok(published) => {
                        let mut ok = true;
                        for frame in session.event_frames(&published) {
                            ok &= send(&mut tx, &frame).await;
                        }
                        if !ok {
                            break;
                        }
                    }
                    Err(broadcast::error::RecvError::Lagged(missed)) => {
                        tracing::warn!(id = session.id, missed, "websocket session lagged: order events lost");
                    }
                    Err(broadcast::error::RecvError::Closed) => {}
                }
            }
        }
    }
    session.unpublish();
}
