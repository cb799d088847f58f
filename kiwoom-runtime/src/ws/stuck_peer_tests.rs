//! A WebSocket peer that stops reading: the session's sends (here the PING echo) time out,
//! the connection counts as dead, and the session reconnects and reports the gap. Before
//! the send timeout, the echo blocked forever and the session hung.
//!
//! The peer is a hand-made WebSocket server (the simulator always reads); the token comes
//! from the simulator's REST side.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use futures::{SinkExt, StreamExt};
use tokio::net::TcpListener;
use tokio_tungstenite::tungstenite::Message;

use crate::ws::{SessionEvent, WsConfig};
use crate::{Client, Environment, Market, RateLimits};

/// Accept connections: answer LOGIN, then never read again and flood the client with
/// 1 MiB PINGs, whose echoes fill the socket buffers. Counts LOGINs.
async fn stuck_peer(listener: TcpListener, logins: Arc<AtomicU32>) {
    loop {
        let Ok((tcp, _)) = listener.accept().await else {
            return;
        };
        let logins = logins.clone();
        tokio::spawn(async move {
            let Ok(ws) = tokio_tungstenite::accept_async(tcp).await else {
                return;
            };
            let (mut tx, mut rx) = ws.split();
            match rx.next().await {
                Some(Ok(Message::Text(t))) if t.contains("LOGIN") => {}
                _ => return,
            }
            logins.fetch_add(1, Ordering::SeqCst);
            let ok = r#"{"trnm":"LOGIN","return_code":0,"return_msg":""}"#;
            if tx.send(Message::text(ok)).await.is_err() {
                return;
            }
            let ping = format!(r#"{{"trnm":"PING","pad":"{}"}}"#, "x".repeat(1 << 20));
            for _ in 0..256 {
                if tx.send(Message::text(ping.clone())).await.is_err() {
                    return;
                }
            }
            // Keep the socket open (and unread) until the test ends.
            std::future::pending::<()>().await;
            drop(rx);
        });
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_peer_that_stops_reading_is_a_dead_connection() {
    let rest = kiwoom_mock::MockServer::start(kiwoom_mock::MockConfig::default())
        .await
        .expect("simulator starts");
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let ws_url = format!("ws://{}", listener.local_addr().unwrap());
    let logins = Arc::new(AtomicU32::new(0));
    tokio::spawn(stuck_peer(listener, logins.clone()));

    let send_timeout = Duration::from_millis(500);
    let client = Client::builder()
        .environment(Environment::Custom {
            base_url: rest.base_url(),
            ws_url,
        })
        .app_key("APPKEY-stuck-peer")
        .secret_key("SECRET-stuck-peer")
        .rate_limits(RateLimits::unlimited())
        .websocket(
            WsConfig::default()
                .with_send_timeout(send_timeout)
                .with_reconnect_delays(Duration::from_millis(20), Duration::from_millis(100))
                // Only the send timeout may end the connection in this test.
                .with_idle_timeout(Duration::from_secs(600)),
        )
        .build()
        .unwrap();
    let session = client.realtime(Market::Domestic).await.expect("logged in");
    let started = Instant::now();
    let gap = tokio::time::timeout(Duration::from_secs(20), async {
        loop {
            if let Some(SessionEvent::Gap(gap)) = session.next_event().await {
                return gap;
            }
        }
    })
    .await
    .expect("the session reconnects instead of hanging");
    let took = started.elapsed();
    assert!(logins.load(Ordering::SeqCst) >= 2, "logged in again");
    assert!(gap.resubscribed);
    // Filling the buffers takes a moment; past that, one send timeout and a reconnect.
    assert!(took >= send_timeout, "ended by the send timeout: {took:?}");
    assert!(took < Duration::from_secs(15), "took {took:?}");
    println!("stuck peer detected and replaced in {took:?}");
}
