//! The `kiwoom-mock` binary with its fault and rate-limit flags, as a client in another
//! process or language uses it.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use kiwoom_mock::fixture_spec_dir;
use serde_json::{Value, json};

/// The child process, killed when the test ends however it ends.
struct Standalone(Child);

impl Drop for Standalone {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Start the binary on a free port and return it with its base URL (read from its log).
fn start(args: &[&str]) -> (Standalone, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kiwoom-mock"))
        .args(["--port", "0", "--spec-dir"])
        .arg(fixture_spec_dir())
        .args(args)
        .env("RUST_LOG", "info")
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the binary starts");
    let stdout = child.stdout.take().unwrap();
    let child = Standalone(child);
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(at) = line.find("http://127.0.0.1:") {
                let url: String = line[at..]
                    .chars()
                    .take_while(|c| !c.is_whitespace())
                    .collect();
                let _ = tx.send(url);
            }
        }
    });
    let base = rx
        .recv_timeout(Duration::from_secs(60))
        .expect("the binary logs its URL");
    (child, base)
}

#[tokio::test]
async fn flags_set_faults_and_rate_limits() {
    let (_child, base) = start(&[
        "--rate-limit",
        "api:ka10001=1",
        "--fault",
        "kt10000=status:503*1",
    ]);
    let http = reqwest::Client::new();
    let r: Value = http
        .post(format!("{base}/oauth2/token"))
        .json(&json!({"grant_type": "client_credentials", "appkey": "a", "secretkey": "b"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = r["token"].as_str().expect("a token").to_string();
    let call = |path: &'static str, api_id: &'static str, body: Value| {
        http.post(format!("{base}{path}"))
            .header("api-id", api_id)
            .header("authorization", format!("Bearer {token}"))
            .json(&body)
            .send()
    };
    let first = call("/api/dostk/stkinfo", "ka10001", json!({"stk_cd": "005930"}))
        .await
        .unwrap();
    assert_eq!(first.status(), 200);
    let second = call("/api/dostk/stkinfo", "ka10001", json!({"stk_cd": "005930"}))
        .await
        .unwrap();
    assert_eq!(second.status(), 429, "--rate-limit api:ka10001=1");
    let order = json!({"dmst_stex_tp": "KRX", "stk_cd": "005930", "ord_qty": "1", "trde_tp": "3"});
    let faulted = call("/api/dostk/ordr", "kt10000", order.clone())
        .await
        .unwrap();
    assert_eq!(faulted.status(), 503, "--fault kt10000=status:503*1");
    let placed: Value = call("/api/dostk/ordr", "kt10000", order)
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(placed["return_code"], 0, "the fault is used up: {placed}");
    let counters: Value = http
        .get(format!("{base}/_mock/counters/kt10000"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        (
            counters["requests"].as_u64(),
            counters["processed"].as_u64()
        ),
        (Some(2), Some(1))
    );
}

#[tokio::test]
async fn flags_step_the_market_keep_the_book_and_drop_00_frames() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("book.json");
    let file_arg = file.to_str().unwrap();
    let (child, base) = start(&[
        "--market-step-ms",
        "20",
        "--state-file",
        file_arg,
        "--drop-order-frames",
        "2",
    ]);
    let http = reqwest::Client::new();
    let r: Value = http
        .post(format!("{base}/oauth2/token"))
        .json(&json!({"grant_type": "client_credentials", "appkey": "a", "secretkey": "b"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = r["token"].as_str().expect("a token").to_string();
    let placed: Value = http
        .post(format!("{base}/api/dostk/ordr"))
        .header("api-id", "kt10000")
        .header("authorization", format!("Bearer {token}"))
        .json(&json!({"dmst_stex_tp": "KRX", "stk_cd": "005930", "ord_qty": "1", "trde_tp": "3"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(placed["return_code"], 0, "{placed}");
    let get = |path: &str| {
        let url = format!("{base}/_mock{path}");
        let http = http.clone();
        async move {
            http.get(url)
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()
        }
    };
    assert_eq!(
        get("/order-frames/dropped").await["dropped"],
        2,
        "--drop-order-frames 2"
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    let steps = get("/market/005930").await["steps"].as_u64().unwrap();
    assert!(steps >= 3, "--market-step-ms 20: {steps} steps");
    drop(child);
    let saved = std::fs::read_to_string(&file).expect("--state-file written");
    assert!(
        saved.contains(placed["ord_no"].as_str().unwrap()),
        "{saved}"
    );
}

#[test]
fn bad_flags_are_refused_with_the_syntax() {
    let out = Command::new(env!("CARGO_BIN_EXE_kiwoom-mock"))
        .args(["--port", "0", "--fault", "kt10000=explode"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("unknown fault `explode`"), "{err}");
}
