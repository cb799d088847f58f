//! Token lifecycle without storms, and a token file that heals and is shared: against the
//! simulator (kiwoom-mock) and scripted answers. The two-process test runs this test
//! binary again as child processes.

use std::sync::Arc;
use std::time::Duration;

use futures::future::join_all;
use kiwoom_mock::{Fault, MockConfig, MockServer};
use kiwoom_runtime::{Error, FileTokenStore, StoredToken, TokenStore};
use kiwoom_tests::runtime_support::{StockInfo, local_builder};
use kiwoom_tests::scripted::{Reply, Scripted};

async fn mock() -> MockServer {
    MockServer::start(MockConfig::default())
        .await
        .expect("mock starts")
}

async fn concurrent_calls(c: &kiwoom_runtime::Client, n: usize) {
    let results = join_all((0..n).map(|_| {
        let c = c.clone();
        tokio::spawn(async move { c.call(StockInfo::new("005930")).await })
    }))
    .await;
    for r in results {
        r.unwrap().unwrap();
    }
}

#[tokio::test]
async fn hundred_concurrent_calls_with_a_60s_token_and_the_default_margin_issue_one() {
    let m = mock().await;
    m.control().set_token_lifetime(Duration::from_secs(60));
    let c = local_builder(&m.base_url(), &m.ws_url()).build().unwrap();
    concurrent_calls(&c, 100).await;
    concurrent_calls(&c, 100).await;
    assert_eq!(
        m.control().requests("au10001"),
        1,
        "one token for 200 calls"
    );
    assert_eq!(m.control().processed("ka10001"), 200);
}

#[tokio::test]
async fn a_host_clock_ten_minutes_ahead_does_not_storm() {
    let m = mock().await;
    // Tokens live 6 minutes: on a clock 10 minutes ahead each looks expired on arrival.
    m.control().set_token_lifetime(Duration::from_secs(360));
    let c = local_builder(&m.base_url(), &m.ws_url())
        .wall_clock_offset(chrono::Duration::minutes(10))
        .build()
        .unwrap();
    concurrent_calls(&c, 50).await;
    for _ in 0..20 {
        c.call(StockInfo::new("005930")).await.unwrap();
    }
    let issues = m.control().requests("au10001");
    assert_eq!(
        issues, 1,
        "judged on the server's clock: {issues} issues for 70 calls"
    );
}

#[tokio::test]
async fn a_failed_refresh_keeps_using_the_valid_token() {
    let m = mock().await;
    // 8 s tokens, margin 4 s -> 2 s: due for refresh after ~6 s, valid until ~8 s.
    m.control().set_token_lifetime(Duration::from_secs(8));
    let c = local_builder(&m.base_url(), &m.ws_url())
        .refresh_margin(Duration::from_secs(4))
        .build()
        .unwrap();
    c.authenticate().await.unwrap();
    tokio::time::sleep(Duration::from_millis(6300)).await;
    m.control().inject("au10001", Fault::Status(500), 100);
    for _ in 0..20 {
        c.call(StockInfo::new("005930"))
            .await
            .expect("the current token is still valid");
    }
    concurrent_calls(&c, 20).await;
    let issues = m.control().requests("au10001");
    assert_eq!(issues, 2, "one failed refresh, then backoff: {issues}");
    assert_eq!(m.control().processed("ka10001"), 40);
}

#[tokio::test]
async fn a_past_or_malformed_expires_dt_is_one_error_not_a_loop() {
    for expires in ["20000101000000", "not-a-date", ""] {
        let answer = format!(
            r#"{{"expires_dt":"{expires}","token_type":"bearer","token":"tok-1","return_code":0}}"#
        );
        let server = Scripted::start_all(move |_, _| Reply::ok(&answer)).await;
        let c = local_builder(&server.base_url, "ws://127.0.0.1:9")
            .build()
            .unwrap();
        let mut errors = Vec::new();
        for _ in 0..30 {
            errors.push(c.call(StockInfo::new("005930")).await.unwrap_err());
        }
        concurrent_calls_fail(&c, 30).await;
        let issues = server
            .requests()
            .iter()
            .filter(|r| r.path == "/oauth2/token")
            .count();
        assert_eq!(issues, 1, "{expires:?}: {issues} au10001 for 60 calls");
        assert!(
            errors.iter().all(|e| matches!(e, Error::Auth { .. })),
            "{errors:?}"
        );
        assert!(
            errors[0].to_string().contains("expires_dt")
                || errors[0].to_string().contains("expired"),
            "{}",
            errors[0]
        );
        assert!(
            errors[1].to_string().contains("next attempt"),
            "{}",
            errors[1]
        );
        assert!(
            !server.requests().iter().any(|r| r.path != "/oauth2/token"),
            "no TR sent"
        );
    }
}

async fn concurrent_calls_fail(c: &kiwoom_runtime::Client, n: usize) {
    let results = join_all((0..n).map(|_| {
        let c = c.clone();
        tokio::spawn(async move { c.call(StockInfo::new("005930")).await })
    }))
    .await;
    assert!(results.into_iter().all(|r| r.unwrap().is_err()));
}

#[test]
fn eight_threads_saving_through_separate_store_values_never_fail() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tokens.json");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let errors: usize = std::thread::scope(|s| {
        let handles: Vec<_> = (0..8)
            .map(|t| {
                let (path, rt) = (path.clone(), &rt);
                s.spawn(move || {
                    let store = FileTokenStore::new(&path);
                    (0..200)
                        .filter(|i| {
                            let token = StoredToken {
                                token: format!("tok-{t}-{i}").into(),
                                expires_at: chrono::Utc::now() + chrono::Duration::hours(1),
                                issued_at: None,
                                credential_fingerprint: "fp".into(),
                            };
                            rt.block_on(store.save(&format!("key-{t}"), &token))
                                .is_err()
                        })
                        .count()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).sum()
    });
    assert_eq!(errors, 0);
    let store = FileTokenStore::new(&path);
    for t in 0..8 {
        let back = rt.block_on(store.load(&format!("key-{t}"))).unwrap();
        assert!(back.is_some(), "every thread's last token is in the file");
    }
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[tokio::test]
async fn a_corrupt_token_file_is_ignored_and_replaced_by_the_next_issue() {
    let m = mock().await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tokens.json");
    for garbage in [&b"{\"tokens\": {\"x\""[..], b"", b"\x00\x01garbage", b"[]"] {
        std::fs::write(&path, garbage).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        }
        let c = local_builder(&m.base_url(), &m.ws_url())
            .token_store(Arc::new(FileTokenStore::new(&path)))
            .build()
            .unwrap();
        c.call(StockInfo::new("005930"))
            .await
            .expect("the next call succeeds");
        let text: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        assert_eq!(
            text["tokens"].as_object().unwrap().len(),
            1,
            "the file was repaired"
        );
    }
    // A directory where the file should be: calls still work (the token is kept in memory).
    std::fs::remove_file(&path).unwrap();
    std::fs::create_dir(&path).unwrap();
    let c = local_builder(&m.base_url(), &m.ws_url())
        .token_store(Arc::new(FileTokenStore::new(&path)))
        .build()
        .unwrap();
    c.call(StockInfo::new("005930")).await.unwrap();
}

/// Issue 9: the temp file was `.{name}.{pid}.tmp`, written through whatever sat at that
/// name; a symlink planted there sent the tokens to its target (and the rename then left the
/// store's path a symlink). Temp names are now random and opened O_EXCL|O_NOFOLLOW.
#[cfg(unix)]
#[tokio::test]
async fn a_symlink_planted_at_the_old_temp_name_is_not_followed() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("elsewhere");
    std::fs::write(&target, "keep me").unwrap();
    let path = dir.path().join("tokens.json");
    let planted = dir
        .path()
        .join(format!(".tokens.json.{}.tmp", std::process::id()));
    std::os::unix::fs::symlink(&target, &planted).unwrap();
    let store = FileTokenStore::new(&path);
    let token = StoredToken {
        token: "planted-symlink-token".into(),
        expires_at: chrono::Utc::now() + chrono::Duration::hours(1),
        issued_at: None,
        credential_fingerprint: "fp".into(),
    };
    store.save("k", &token).await.unwrap();
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "keep me");
    let meta = std::fs::symlink_metadata(&path).unwrap();
    assert!(
        meta.file_type().is_file(),
        "the store's path is a plain file"
    );
    assert!(
        store.load("k").await.unwrap().is_some(),
        "saved at the path itself"
    );
}

const CHILD_ENV: &str = "KIWOOM_TEST_TOKEN_CHILD";

/// Two OS processes, one token file, one app key: one au10001.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_sharing_a_token_file_issue_one_token() {
    let m = mock().await;
    // A slow au10001 makes the two processes overlap while one of them issues.
    m.control()
        .inject("au10001", Fault::Latency(Duration::from_millis(500)), 1);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tokens.json");
    let exe = std::env::current_exe().unwrap();
    let children: Vec<_> = (0..2)
        .map(|_| {
            std::process::Command::new(&exe)
                .args([
                    "--ignored",
                    "--exact",
                    "child_calls_through_the_token_file",
                    "--nocapture",
                ])
                .env(CHILD_ENV, format!("{}|{}", m.base_url(), path.display()))
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let outputs = tokio::task::spawn_blocking(move || {
        children
            .into_iter()
            .map(|c| c.wait_with_output().unwrap())
            .collect::<Vec<_>>()
    })
    .await
    .unwrap();
    for o in &outputs {
        assert!(
            o.status.success() && String::from_utf8_lossy(&o.stdout).contains("CHILD-OK"),
            "child failed: {}\n{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
    }
    assert_eq!(
        m.control().requests("au10001"),
        1,
        "two processes, one token"
    );
    assert_eq!(m.control().processed("ka10001"), 2);
}

#[tokio::test]
#[ignore = "child process of two_processes_sharing_a_token_file_issue_one_token"]
async fn child_calls_through_the_token_file() {
    let config = std::env::var(CHILD_ENV).expect("run by the parent test");
    let (base_url, path) = config.split_once('|').unwrap();
    let c = local_builder(base_url, "ws://127.0.0.1:9")
        .token_store(Arc::new(FileTokenStore::new(path)))
        .build()
        .unwrap();
    c.call(StockInfo::new("005930")).await.unwrap();
    println!("CHILD-OK");
}
