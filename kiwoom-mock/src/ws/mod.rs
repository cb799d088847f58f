//! The WebSocket endpoints `/api/dostk/websocket` and `/api/us/websocket`.

mod condition;
mod frames;
pub(crate) mod push;
mod session;

use std::sync::Arc;

use axum::extract::State;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::response::Response;
use codegen::spec::Market;
use futures::{SinkExt, StreamExt};
use serde_json::Value;
use tokio::time::{MissedTickBehavior, interval};

use crate::control::Shared;
use session::Session;

pub(crate) async fn upgrade_domestic(
    State(shared): State<Arc<Shared>>,
    ws: WebSocketUpgrade,
) -> Response {
    ws.on_upgrade(move |socket| run(shared, socket, Market::Domestic))
}

pub(crate) async fn upgrade_us(
    State(shared): State<Arc<Shared>>,
    ws: WebSocketUpgrade,
) -> Response {
    ws.on_upgrade(move |socket| run(shared, socket, Market::Us))
}

async fn send(tx: &mut futures::stream::SplitSink<WebSocket, Message>, frame: &Value) -> bool {
    tx.send(Message::Text(frame.to_string().into()))
        .await
        .is_ok()
}

async fn run(shared: Arc<Shared>, socket: WebSocket, market: Market) {
    let mut session = Session::new(shared.clone(), market);
    let (mut tx, mut rx) = socket.split();
    let mut kill = shared.ws_kill.subscribe();
    kill.borrow_and_update();
    let mut orders = shared.order_events.subscribe();
    let mut pushes = shared.ws_push.subscribe();
    let mut ping = interval(shared.config.ping_interval);
    ping.set_missed_tick_behavior(MissedTickBehavior::Delay);
    ping.tick().await;
    let mut real = interval(shared.config.realtime_interval);
    real.set_missed_tick_behavior(MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = kill.changed() => {
                // Abrupt: no close frame, the socket is simply dropped.
                tracing::debug!(id = session.id, "websocket dropped by control");
                break;
            }
            incoming = rx.next() => {
                let text = match incoming {
                    Some(Ok(Message::Text(t))) => t.to_string(),
                    Some(Ok(Message::Binary(b))) => String::from_utf8_lossy(&b).into_owned(),
                    Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
                    Some(Ok(Message::Close(_))) | Some(Err(_)) | None => break,
                };
                let reply = session.on_text(&text);
                let mut ok = true;
                for frame in &reply.frames {
                    ok &= send(&mut tx, frame).await;
                }
                if reply.close {
                    let _ = tx.send(Message::Close(None)).await;
                    break;
                }
                if !ok {
                    break;
                }
            }
            _ = ping.tick() => {
                if !send(&mut tx, &frames::ping()).await {
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
            event = orders.recv() => {
                if let Ok(order) = event {
                    if let Some(frame) = session.order_frame(&order) {
                        if !send(&mut tx, &frame).await {
                            break;
                        }
                    }
                }
            }
        }
    }
    session.unpublish();
}
