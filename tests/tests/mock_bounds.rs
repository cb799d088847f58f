//! Faults that are real and the simulator's bounds, with plain HTTP/TCP clients: a late
//! answer whose order was placed anyway, the body-size cap, the header-read timeout, the
//! connection cap, and the `/_mock/` admin endpoints that steer a standalone server.

use std::time::{Duration, Instant};

use kiwoom_mock::{Fault, MockConfig, MockServer, fixture_spec_dir};
use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

fn config() -> MockConfig {
    MockConfig {
        spec_dir: Some(fixture_spec_dir()),
        ..MockConfig::default()
    }
}

async fn token(http: &reqwest::Client, base: &str) -> String {
    let r: Value = http
        .post(format!("{base}/oauth2/token"))
        .header("api-id", "au10001")
        .json(&json!({"grant_type": "client_credentials", "appkey": "a", "secretkey": "b"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    r["token"].as_str().unwrap().to_string()
}

async fn post(
    http: &reqwest::Client,
    base: &str,
    token: &str,
    path: &str,
    api_id: &str,
    body: Value,
) -> reqwest::Result<reqwest::Response> {
    http.post(format!("{base}{path}"))
        .header("api-id", api_id)
        .header("authorization", format!("Bearer {token}"))
        .json(&body)
        .send()
        .await
}

#[tokio::test]
async fn a_late_answer_still_places_the_order() {
    let server = MockServer::start(config()).await.unwrap();
    let control = server.control();
    let base = server.base_url();
    let http = reqwest::Client::new();
    let token = token(&http, &base).await;
    control.inject("kt10000", Fault::Latency(Duration::from_secs(3)), 1);

    let impatient = reqwest::Client::builder()
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let order = json!({"dmst_stex_tp": "KRX", "stk_cd": "005930", "ord_qty": "7", "trde_tp": "3"});
    let started = Instant::now();
    let err = post(
        &impatient,
        &base,
        &token,
        "/api/dostk/ordr",
        "kt10000",
        order,
    )
    .await
    .expect_err("the client gives up before the answer");
    assert!(err.is_timeout(), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(2));

    // The client has gone; the order is in the book all the same ("placed, answer lost").
    assert_eq!(control.processed("kt10000"), 1);
    let fills: Value = post(
        &http,
        &base,
        &token,
        "/api/dostk/acnt",
        "ka10076",
        json!({"qry_tp": "0", "sell_tp": "0", "stex_tp": "0"}),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let rows = fills["cntr"].as_array().unwrap();
    assert_eq!(rows.len(), 1, "{fills}");
    assert_eq!(rows[0]["cntr_qty"], "7");
}

#[tokio::test]
async fn a_body_over_the_cap_is_refused_unprocessed() {
    let server = MockServer::start(MockConfig {
        max_body_bytes: 1024,
        ..config()
    })
    .await
    .unwrap();
    let base = server.base_url();
    let http = reqwest::Client::new();
    let token = token(&http, &base).await;
    let padding = "x".repeat(4096);
    let resp = post(
        &http,
        &base,
        &token,
        "/api/dostk/stkinfo",
        "ka10001",
        json!({"stk_cd": "005930", "pad": padding}),
    )
    .await
    .unwrap();
    assert_eq!(resp.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["return_code"], 2);
    let msg = body["return_msg"].as_str().unwrap();
    assert!(
        msg.contains("[1517:") && msg.contains("파라미터=body") && msg.contains("1024"),
        "{msg}"
    );
    let control = server.control();
    assert_eq!(
        (control.requests("ka10001"), control.processed("ka10001")),
        (1, 0)
    );
    // A normal body on the same server is served.
    let ok: Value = post(
        &http,
        &base,
        &token,
        "/api/dostk/stkinfo",
        "ka10001",
        json!({"stk_cd": "005930"}),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(ok["return_code"], 0);
}

/// Read until the server closes the socket; the bytes read.
async fn read_to_close(tcp: &mut TcpStream, within: Duration) -> Vec<u8> {
    let mut received = Vec::new();
    tokio::time::timeout(within, tcp.read_to_end(&mut received))
        .await
        .expect("the server closes the connection in time")
        .ok();
    received
}

#[tokio::test]
async fn slow_headers_and_idle_connections_are_cut() {
    let server = MockServer::start(MockConfig {
        header_read_timeout: Duration::from_millis(300),
        ..config()
    })
    .await
    .unwrap();
    // Half a request, never finished (slowloris).
    let mut slow = TcpStream::connect(server.local_addr()).await.unwrap();
    slow.write_all(b"POST /api/dostk/stkinfo HTTP/1.1\r\nhost: 127.0.0.1\r\napi-id: ka10001\r\n")
        .await
        .unwrap();
    let started = Instant::now();
    let received = read_to_close(&mut slow, Duration::from_secs(3)).await;
    assert!(
        received.is_empty(),
        "{}",
        String::from_utf8_lossy(&received)
    );
    assert!(started.elapsed() >= Duration::from_millis(250));
    // A connection that never sends anything.
    let mut idle = TcpStream::connect(server.local_addr()).await.unwrap();
    let started = Instant::now();
    read_to_close(&mut idle, Duration::from_secs(3)).await;
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(server.control().requests("ka10001"), 0);
}

#[tokio::test]
async fn connections_over_the_cap_get_a_clear_503() {
    let server = MockServer::start(MockConfig {
        max_connections: 2,
        ..config()
    })
    .await
    .unwrap();
    let held: Vec<TcpStream> =
        futures::future::join_all((0..2).map(|_| TcpStream::connect(server.local_addr())))
            .await
            .into_iter()
            .map(Result::unwrap)
            .collect();
    tokio::time::sleep(Duration::from_millis(100)).await;

    let mut third = TcpStream::connect(server.local_addr()).await.unwrap();
    third
        .write_all(b"POST /oauth2/token HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-length: 2\r\n\r\n{}")
        .await
        .unwrap();
    let answer =
        String::from_utf8(read_to_close(&mut third, Duration::from_secs(5)).await).unwrap();
    assert!(answer.starts_with("HTTP/1.1 503 "), "{answer}");
    let body: Value = serde_json::from_str(answer.split("\r\n\r\n").nth(1).unwrap()).unwrap();
    assert!(
        body["return_msg"].as_str().unwrap().contains("(2)"),
        "{body}"
    );
    assert_eq!(server.control().requests("au10001"), 0, "never read");

    // Freed slots serve again.
    drop(held);
    let http = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let r = http
            .post(format!("{}/oauth2/token", server.base_url()))
            .json(&json!({"grant_type": "client_credentials", "appkey": "a", "secretkey": "b"}))
            .send()
            .await
            .unwrap();
        if r.status() == StatusCode::OK {
            break;
        }
        assert!(Instant::now() < deadline, "slots never freed");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn the_admin_endpoints_steer_faults_limits_and_counters() {
    let server = MockServer::start(config()).await.unwrap();
    let base = server.base_url();
    let http = reqwest::Client::new();
    let token = token(&http, &base).await;
    let admin =
        |method: reqwest::Method, path: &str| http.request(method, format!("{base}/_mock{path}"));
    let quote = || {
        post(
            &http,
            &base,
            &token,
            "/api/dostk/stkinfo",
            "ka10001",
            json!({"stk_cd": "005930"}),
        )
    };

    let index: Value = admin(reqwest::Method::GET, "")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(index["faults"].as_array().unwrap().len() >= 7, "{index}");

    let r = admin(reqwest::Method::POST, "/faults")
        .json(&json!({"api_id": "ka10001", "fault": "status:503", "times": 2}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        quote().await.unwrap().status(),
        StatusCode::SERVICE_UNAVAILABLE
    );
    assert_eq!(
        admin(reqwest::Method::DELETE, "/faults")
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    assert_eq!(quote().await.unwrap().status(), StatusCode::OK, "cleared");

    let r = admin(reqwest::Method::POST, "/rate-limits")
        .json(&json!({"scope": "api:ka10001", "per_second": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(quote().await.unwrap().status(), StatusCode::OK);
    let limited = quote().await.unwrap();
    assert_eq!(limited.status(), StatusCode::TOO_MANY_REQUESTS);
    let limited: Value = limited.json().await.unwrap();
    assert!(limited["return_msg"].as_str().unwrap().contains("[1700:"));
    admin(reqwest::Method::DELETE, "/rate-limits")
        .send()
        .await
        .unwrap();
    assert_eq!(quote().await.unwrap().status(), StatusCode::OK);

    let counters: Value = admin(reqwest::Method::GET, "/counters/ka10001")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        counters,
        json!({"api_id": "ka10001", "requests": 5, "processed": 3})
    );

    admin(reqwest::Method::POST, "/tokens/expire")
        .send()
        .await
        .unwrap();
    let expired: Value = quote().await.unwrap().json().await.unwrap();
    assert!(expired["return_msg"].as_str().unwrap().contains("[8005:"));

    // Bad switches are refused with the syntax expected.
    let bad = admin(reqwest::Method::POST, "/faults")
        .json(&json!({"api_id": "ka10001", "fault": "explode"}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    let bad: Value = bad.json().await.unwrap();
    assert!(
        bad["error"].as_str().unwrap().contains("latency:<ms>"),
        "{bad}"
    );
    let bad = admin(reqwest::Method::POST, "/rate-limits")
        .json(&json!({"scope": "chart", "per_second": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);

    // Switched off, the path is not served (it falls to the REST handler: no api-id).
    let quiet = MockServer::start(MockConfig {
        admin: false,
        ..config()
    })
    .await
    .unwrap();
    let r: Value = http
        .post(format!("{}/_mock/faults", quiet.base_url()))
        .json(&json!({"api_id": "ka10001", "fault": "status:503"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(r["return_msg"].as_str().unwrap().contains("[1501:"), "{r}");
}
