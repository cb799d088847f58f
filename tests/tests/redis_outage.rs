//! A Redis outage in the middle of a run degrades as documented (`kiwoom_redis::OutagePolicy`):
//! local pacing at the configured rate (never unlimited), or refusal with nothing sent; and
//! shared pacing resumes when Redis is back. The test starts its own redis-server on a free
//! loopback port so it can stop and restart it; it runs where the shared Redis of the tests
//! is configured (`KIWOOM_TEST_REDIS_URL`), which is where redis-server is installed.

use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use futures::future::join_all;
use kiwoom_mock::{MockConfig, MockServer, RateScope};
use kiwoom_redis::{OutagePolicy, RedisRateLimiter, RedisTokenStore};
use kiwoom_runtime::{Client, Error, Rate, RateLimits, RequestSent};
use kiwoom_tests::runtime_support::{StockInfo, local_builder, redis_url_or_skip, unique_prefix};

const LIMIT: u32 = 20;

struct RedisServer {
    port: u16,
    child: Child,
}

impl RedisServer {
    fn start(port: u16) -> RedisServer {
        let child = Command::new("redis-server")
            .args([
                "--port",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server is installed (.ci/run installs it)");
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "redis-server did not start");
            std::thread::sleep(Duration::from_millis(20));
        }
        RedisServer { port, child }
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    fn stop(mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn client(m: &MockServer, url: &str, prefix: &str, policy: OutagePolicy) -> Client {
    let redis = kiwoom_redis::connect(url).await.unwrap();
    local_builder(&m.base_url(), &m.ws_url())
        .token_store(Arc::new(RedisTokenStore::new(redis.clone()).prefix(prefix)))
        .rate_limiter(Arc::new(
            RedisRateLimiter::new(
                redis,
                RateLimits::unlimited().queries(Some(Rate::per_second(f64::from(LIMIT)))),
            )
            .prefix(prefix)
            .outage_policy(policy),
        ))
        .build()
        .unwrap()
}

/// Calls from 4 tasks for `for_how_long`; (successes, failures, calls per second).
async fn run(c: &Client, for_how_long: Duration) -> (usize, usize, f64) {
    let ok = Arc::new(AtomicUsize::new(0));
    let failed = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    join_all((0..4).map(|_| {
        let (c, ok, failed) = (c.clone(), ok.clone(), failed.clone());
        tokio::spawn(async move {
            while started.elapsed() < for_how_long {
                match c.call(StockInfo::new("005930")).await {
                    Ok(_) => ok.fetch_add(1, Ordering::Relaxed),
                    Err(_) => failed.fetch_add(1, Ordering::Relaxed),
                };
            }
        })
    }))
    .await;
    let ok = ok.load(Ordering::Relaxed);
    (
        ok,
        failed.load(Ordering::Relaxed),
        ok as f64 / started.elapsed().as_secs_f64(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redis_restart_mid_run_falls_back_to_local_pacing_then_shares_again() {
    if redis_url_or_skip().is_none() {
        return;
    }
    let m = MockServer::start(MockConfig::default()).await.unwrap();
    m.control().set_rate_limit(RateScope::Global, LIMIT);
    let port = free_port();
    let redis = RedisServer::start(port);
    let url = redis.url();
    let prefix = unique_prefix("outage");
    let c = client(&m, &url, &prefix, OutagePolicy::LocalPacing).await;

    let (ok_before, failed_before, rate_before) = run(&c, Duration::from_secs(2)).await;
    redis.stop();
    let (ok_down, failed_down, rate_down) = run(&c, Duration::from_secs(2)).await;
    let redis = RedisServer::start(port);
    let (ok_after, failed_after, rate_after) = run(&c, Duration::from_secs(3)).await;
    println!(
        "limit {LIMIT}/s: before {ok_before} ok ({rate_before:.1}/s), Redis down {ok_down} ok \
         ({rate_down:.1}/s), after restart {ok_after} ok ({rate_after:.1}/s); failures \
         {failed_before}/{failed_down}/{failed_after}; 1700 answers {}",
        m.control().requests("ka10001") - m.control().processed("ka10001")
    );
    assert_eq!((failed_before, failed_down, failed_after), (0, 0, 0));
    assert!(ok_down > 0, "calls go on while Redis is down");
    assert!(
        rate_down <= f64::from(LIMIT) * 1.1,
        "paced locally, never unlimited: {rate_down:.1}/s"
    );
    assert!(ok_after > 0);
    // Shared pacing is back: the bucket key exists again in the restarted (empty) server.
    let mut conn = kiwoom_redis::connect(&url).await.unwrap();
    let keys: Vec<String> = kiwoom_redis::redis::cmd("KEYS")
        .arg(format!("{prefix}:rate:*"))
        .query_async(&mut conn)
        .await
        .unwrap();
    assert!(!keys.is_empty(), "the limiter writes to Redis again");
    drop(redis);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_the_fail_policy_an_outage_refuses_calls_and_sends_nothing() {
    if redis_url_or_skip().is_none() {
        return;
    }
    let m = MockServer::start(MockConfig::default()).await.unwrap();
    let redis = RedisServer::start(free_port());
    let c = client(&m, &redis.url(), &unique_prefix("fail"), OutagePolicy::Fail).await;
    c.call(StockInfo::new("005930")).await.unwrap();
    redis.stop();
    let sent_before = m.control().requests("ka10001");
    let err = c.call(StockInfo::new("005930")).await.unwrap_err();
    assert!(matches!(err, Error::RateLimiter(_)), "{err}");
    assert_eq!(err.request_sent(), RequestSent::No);
    assert_eq!(m.control().requests("ka10001"), sent_before, "nothing sent");
}
