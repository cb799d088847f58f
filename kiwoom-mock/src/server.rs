//! The listener. Each accepted TCP connection is served by its own hyper HTTP/1 task, so
//! that a fault can drop that connection without writing any response: the handler
//! signals the connection's kill switch and never returns; the task then drops the
//! connection future, which closes the socket.
//!
//! Bounds: at most `MockConfig::max_connections` connections are served at once (one more
//! gets an HTTP 503 with a JSON body and is closed), a client gets
//! `MockConfig::header_read_timeout` to send each request's headers, and bodies over
//! `MockConfig::max_body_bytes` are answered 413 (see `rest`).

use std::net::SocketAddr;
use std::sync::Arc;

use std::time::Duration;

use axum::Extension;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::response::Response;
use axum::routing::get;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, Semaphore, watch};
use tokio::task::{JoinHandle, JoinSet};

use crate::catalog;
use crate::config::MockConfig;
use crate::control::{MockControl, Shared};
use crate::{admin, rest, ws};

/// The kill switch of the connection a request arrived on.
#[derive(Clone)]
pub(crate) struct ConnHandle {
    kill: Arc<Notify>,
}

impl ConnHandle {
    /// Close the connection without answering. The returned future never completes: the
    /// connection task drops it together with the connection.
    pub async fn drop_unanswered(&self) -> Response {
        self.kill.notify_one();
        std::future::pending().await
    }
}

/// A running simulator on 127.0.0.1.
pub struct MockServer {
    addr: SocketAddr,
    control: MockControl,
    stop: watch::Sender<bool>,
    accept: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for MockServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MockServer")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl MockServer {
    /// Bind 127.0.0.1:0 (an ephemeral port) and serve REST and both WebSocket paths.
    pub async fn start(config: MockConfig) -> std::io::Result<MockServer> {
        Self::start_on(config, SocketAddr::from(([127, 0, 0, 1], 0))).await
    }

    /// Like `start`, on a chosen address (the binary's `--port`).
    pub async fn start_on(config: MockConfig, addr: SocketAddr) -> std::io::Result<MockServer> {
        let catalog = catalog::load(config.spec_dir.as_deref()).map_err(std::io::Error::other)?;
        let book = match &config.state_file {
            Some(path) => {
                let loaded = crate::state_file::load(path, config.seed)?;
                if loaded.is_some() {
                    tracing::info!(path = %path.display(), "book loaded from the state file");
                }
                loaded.unwrap_or_default()
            }
            None => Default::default(),
        };
        let shared = Arc::new(Shared::new(catalog, config, book));
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let mut router = Router::new()
            .route("/api/dostk/websocket", get(ws::upgrade_domestic))
            .route("/api/us/websocket", get(ws::upgrade_us));
        if shared.config.admin {
            router = router.nest("/_mock", admin::routes());
        }
        let router = router
            .fallback(rest::handle)
            .layer(DefaultBodyLimit::max(shared.config.max_body_bytes))
            .with_state(shared.clone());
        let bounds = Bounds {
            connections: Arc::new(Semaphore::new(shared.config.max_connections)),
            max_connections: shared.config.max_connections,
            header_read_timeout: shared.config.header_read_timeout,
        };
        let (stop, stop_rx) = watch::channel(false);
        if let Some(every) = shared.config.market_step_interval {
            tokio::spawn(step_on_timer(shared.clone(), every, stop_rx.clone()));
        }
        let accept = tokio::spawn(accept_loop(listener, router, bounds, stop_rx));
        Ok(MockServer {
            addr,
            control: MockControl { shared },
            stop,
            accept: Some(accept),
        })
    }

    /// `http://127.0.0.1:PORT`
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// `ws://127.0.0.1:PORT` (clients append `/api/dostk/websocket` or `/api/us/websocket`).
    pub fn ws_url(&self) -> String {
        format!("ws://{}", self.addr)
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn control(&self) -> MockControl {
        self.control.clone()
    }

    /// Stop accepting, close every connection and WebSocket, and wait for the listener.
    pub async fn shutdown(mut self) {
        self.signal_stop();
        if let Some(task) = self.accept.take() {
            let _ = task.await;
        }
    }

    fn signal_stop(&self) {
        let _ = self.stop.send(true);
        self.control.drop_websockets();
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        self.signal_stop();
    }
}

/// `MockConfig::market_step_interval`: one market step per period until the server stops.
async fn step_on_timer(shared: Arc<Shared>, every: Duration, mut stop: watch::Receiver<bool>) {
    let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => {
                shared.step_market(1);
            }
            _ = stop.changed() => break,
        }
    }
}

/// The connection limits of one server.
#[derive(Clone)]
struct Bounds {
    connections: Arc<Semaphore>,
    max_connections: usize,
    header_read_timeout: Duration,
}

/// Answer a connection over the cap with HTTP 503 and close it, without reading a request.
async fn refuse_connection(mut stream: TcpStream, max: usize) {
    let body = serde_json::json!({
        "return_code": 1,
        "return_msg": format!("동시 연결 수가 최대({max})를 초과했습니다 (simulator connection cap)"),
    })
    .to_string();
    let head = format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json;charset=UTF-8\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    );
    let written = async {
        stream.write_all(head.as_bytes()).await?;
        stream.write_all(body.as_bytes()).await?;
        stream.shutdown().await
    };
    if let Err(e) = tokio::time::timeout(Duration::from_secs(2), written).await {
        tracing::debug!(error = %e, "refusing a connection timed out");
    }
    // Read what the client sent until it closes, so that the close is not a reset that
    // could destroy the answer before the client reads it.
    let mut sink = [0u8; 4096];
    let drain = async { while matches!(stream.read(&mut sink).await, Ok(n) if n > 0) {} };
    let _ = tokio::time::timeout(Duration::from_secs(2), drain).await;
}

async fn accept_loop(
    listener: TcpListener,
    router: Router,
    bounds: Bounds,
    mut stop: watch::Receiver<bool>,
) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let stream = match accepted {
                    Ok((stream, _)) => stream,
                    Err(e) => {
                        tracing::warn!(error = %e, "accept failed");
                        continue;
                    }
                };
                let Ok(permit) = bounds.connections.clone().try_acquire_owned() else {
                    tracing::warn!(max = bounds.max_connections, "connection cap reached, answering 503");
                    connections.spawn(refuse_connection(stream, bounds.max_connections));
                    continue;
                };
                let kill = Arc::new(Notify::new());
                let service = TowerToHyperService::new(router.clone().layer(Extension(ConnHandle { kill: kill.clone() })));
                let mut stop = stop.clone();
                let header_read_timeout = bounds.header_read_timeout;
                connections.spawn(async move {
                    let _permit = permit;
                    let conn = hyper::server::conn::http1::Builder::new()
                        .timer(TokioTimer::new())
                        .header_read_timeout(header_read_timeout)
                        .serve_connection(TokioIo::new(stream), service)
                        .with_upgrades();
                    tokio::select! {
                        result = conn => {
                            match result {
                                Err(e) if e.is_timeout() => tracing::debug!("connection closed: no request headers within the header read timeout"),
                                Err(e) => tracing::debug!(error = %e, "connection ended with an error"),
                                Ok(()) => {}
                            }
                        }
                        _ = kill.notified() => tracing::debug!("connection dropped by an injected fault"),
                        _ = stop.changed() => {}
                    }
                });
            }
            _ = stop.changed() => break,
        }
        while connections.try_join_next().is_some() {}
    }
    connections.shutdown().await;
}
