//! Secrets (app key, secret key, token) never appear in logs or Debug output. One test per
//! binary: it owns the process-wide tracing subscriber.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use kiwoom_mock::{Fault, MockConfig, MockServer};
use kiwoom_runtime::{FileTokenStore, Market};
use kiwoom_tests::runtime_support::{APP_KEY, BuyOrder, SECRET_KEY, StockInfo, local_builder};

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn secrets_never_reach_logs_or_debug_output() {
    let capture = Capture::default();
    let writer = capture.clone();
    // Everything at TRACE, the `log` records of dependencies included (tracing-log), except:
    // - the simulator, which runs in this process and logs what it receives;
    // - tungstenite at trace, which dumps raw frames (the server's received LOGIN frame,
    //   and the client's own outgoing frames): keep it at debug or below in production.
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(
            "trace,kiwoom_mock=off,tungstenite=debug,tokio_tungstenite=debug",
        ))
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .try_init()
        .expect("first subscriber in this test binary");

    let m = MockServer::start(MockConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store_path = dir.path().join("tokens.json");
    let builder = local_builder(&m.base_url(), &m.ws_url())
        .token_store(Arc::new(FileTokenStore::new(&store_path)));
    let builder_debug = format!("{builder:?}");
    let client = builder.timeout(Duration::from_millis(400)).build().unwrap();

    // Issue, call, fail in several ways, refresh, log in to the WebSocket.
    client.call(StockInfo::new("005930")).await.unwrap();
    let mut errors = Vec::new();
    errors.push(client.call(StockInfo::new("")).await.unwrap_err());
    m.control().inject("ka10001", Fault::TokenInvalid, 2);
    errors.push(client.call(StockInfo::new("005930")).await.unwrap_err());
    m.control()
        .inject("kt10000", Fault::Latency(Duration::from_millis(800)), 1);
    errors.push(
        client
            .call(BuyOrder::limit("005930", 1, 70000))
            .await
            .unwrap_err(),
    );
    m.control().inject("ka10001", Fault::MalformedJson, 1);
    errors.push(client.call(StockInfo::new("005930")).await.unwrap_err());
    let session = client.realtime(Market::Domestic).await.unwrap();
    session
        .subscribe_raw("1", ["005930"], &["0B"], kiwoom_runtime::ws::Refresh::Keep)
        .await
        .unwrap();
    let session_debug = format!("{session:?}");
    session.close().await;
    tokio::time::sleep(Duration::from_millis(900)).await;

    // The tokens the server issued, read back from the store file.
    let stored: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&store_path).unwrap()).unwrap();
    let tokens: Vec<String> = stored["tokens"]
        .as_object()
        .unwrap()
        .values()
        .map(|e| e["token"].as_str().unwrap().to_owned())
        .collect();
    assert!(!tokens.is_empty());

    let logs = String::from_utf8(capture.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("kiwoom_request"),
        "the capture works: {} bytes",
        logs.len()
    );
    assert!(logs.contains("token issued"));
    let mut texts = vec![
        ("logs", logs),
        ("client Debug", format!("{client:?}")),
        ("builder Debug", builder_debug),
        ("session Debug", session_debug),
    ];
    for e in &errors {
        texts.push(("error Display", e.to_string()));
        texts.push(("error Debug", format!("{e:?}")));
    }
    let secrets: Vec<&str> = [APP_KEY, SECRET_KEY]
        .into_iter()
        .chain(tokens.iter().map(String::as_str))
        .collect();
    for (what, text) in &texts {
        for s in &secrets {
            assert!(!text.contains(s), "{what} contains a secret");
        }
    }
}
