//! Secrets (app key, secret key, token) never appear in logs or Debug output. One test per
//! binary: it owns the process-wide tracing subscriber.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use kiwoom_mock::{Fault, MockConfig, MockServer};
use kiwoom_runtime::{FileTokenStore, Market};
use kiwoom_tests::runtime_support::{APP_KEY, BuyOrder, SECRET_KEY, StockInfo, local_builder};
use kiwoom_tests::scripted::{Reply, Scripted, TOKEN_ANSWER};

/// The token of the malformed au10001 answers below: never in any error or log line.
const RAW_TOKEN: &str = "RAW-TOKEN-SECRET-4b1d9e";

/// Malformed au10001 answers that carry the token: valid JSON plus trailing garbage, cut
/// short, unquoted, the token as a number, a wrong-typed `expires_dt`.
const MALFORMED: [&str; 5] = [
    r#"{"expires_dt":"29991231235959","token_type":"bearer","token":"RAW-TOKEN-SECRET-4b1d9e","return_code":0} x"#,
    r#"{"expires_dt":"29991231235959","token":"RAW-TOKEN-SECRET-4b1d9e"#,
    r#"{"token":RAW-TOKEN-SECRET-4b1d9e,"return_code":0}"#,
    r#"{"token":["RAW-TOKEN-SECRET-4b1d9e"],"expires_dt":"29991231235959","return_code":0}"#,
    r#"{"token":"RAW-TOKEN-SECRET-4b1d9e","expires_dt":{"RAW-TOKEN-SECRET-4b1d9e":1},"return_code":0}"#,
];

/// Every entry point that reads an au10001 answer, fed each malformed answer: the
/// runtime's token manager, `call_json`, the typed token request through the client and
/// `decode_response`. Returns the errors.
async fn malformed_token_answers() -> Vec<String> {
    let mut texts = Vec::new();
    for answer in MALFORMED {
        // decode_response: the generated decoder directly.
        let e = kiwoom_generated::decode_response("au10001", answer.as_bytes()).unwrap_err();
        texts.push(e.to_string());
        texts.push(format!("{e:?}"));

        // The runtime's own token manager: every au10001 answer is the malformed one.
        let server = Scripted::start_all(move |_, _| Reply::ok(answer)).await;
        let client = local_builder(&server.base_url, "ws://127.0.0.1:9")
            .build()
            .unwrap();
        let e = client.authenticate().await.unwrap_err();
        texts.push(e.to_string());
        texts.push(format!("{e:?}"));

        // call_json and the typed request: the manager gets a good token (its request has
        // no Authorization header); the au10001 sent as a TR gets the malformed answer.
        let server = Scripted::start_all(move |req, _| {
            if req.header("authorization").is_some() {
                Reply::ok(answer)
            } else {
                Reply::ok(TOKEN_ANSWER)
            }
        })
        .await;
        let client = local_builder(&server.base_url, "ws://127.0.0.1:9")
            .build()
            .unwrap();
        let body = serde_json::json!({
            "grant_type": "client_credentials",
            "appkey": APP_KEY,
            "secretkey": SECRET_KEY,
        });
        let e = kiwoom_generated::call_json(&client, "au10001", body.clone())
            .await
            .unwrap_err();
        texts.push(e.to_string());
        texts.push(format!("{e:?}"));
        let kiwoom_generated::AnyRequest::Au10001(typed) =
            kiwoom_generated::parse_request("au10001", &body).unwrap()
        else {
            panic!("au10001 parses as au10001")
        };
        let e = client.call(*typed).await.unwrap_err();
        texts.push(e.to_string());
        texts.push(format!("{e:?}"));
        assert_eq!(
            server
                .requests()
                .iter()
                .filter(|r| r.header("authorization").is_some())
                .count(),
            2,
            "both TR calls reached the server"
        );
    }
    texts
}

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
    let malformed = malformed_token_answers().await;

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
    for t in malformed {
        texts.push(("malformed au10001 answer error", t));
    }
    let secrets: Vec<&str> = [APP_KEY, SECRET_KEY, RAW_TOKEN, "4b1d9e"]
        .into_iter()
        .chain(tokens.iter().map(String::as_str))
        .collect();
    for (what, text) in &texts {
        for s in &secrets {
            assert!(!text.contains(s), "{what} contains a secret");
        }
    }
}
