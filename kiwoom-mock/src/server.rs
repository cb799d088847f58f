//! The listener. Each accepted TCP connection is served by its own hyper HTTP/1 task, so
//! that a fault can drop that connection without writing any response: the handler
//! signals the connection's kill switch and never returns; the task then drops the
//! connection future, which closes the socket.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Extension;
use axum::Router;
use axum::response::Response;
use axum::routing::get;
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::{Notify, watch};
use tokio::task::{JoinHandle, JoinSet};

use crate::catalog;
use crate::config::MockConfig;
use crate::control::{MockControl, Shared};
use crate::{rest, ws};

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
        let shared = Arc::new(Shared::new(catalog, config));
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let router = Router::new()
            .route("/api/dostk/websocket", get(ws::upgrade_domestic))
            .route("/api/us/websocket", get(ws::upgrade_us))
            .fallback(rest::handle)
            .with_state(shared.clone());
        let (stop, stop_rx) = watch::channel(false);
        let accept = tokio::spawn(accept_loop(listener, router, stop_rx));
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

async fn accept_loop(listener: TcpListener, router: Router, mut stop: watch::Receiver<bool>) {
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
                let kill = Arc::new(Notify::new());
                let service = TowerToHyperService::new(router.clone().layer(Extension(ConnHandle { kill: kill.clone() })));
                let mut stop = stop.clone();
                connections.spawn(async move {
                    let conn = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .with_upgrades();
                    tokio::select! {
                        result = conn => {
                            if let Err(e) = result {
                                tracing::debug!(error = %e, "connection ended with an error");
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
