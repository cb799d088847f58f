//! Client overhead per request, against the simulator on loopback, compared in the same
//! run with a bare reqwest POST of the same body and headers to the same endpoint.
//!
//! Both sides use the same reqwest settings (timeouts, `tcp_nodelay`, user agent), the
//! same body and the same headers. Two pairs, each like for like:
//! - `client_raw` (a response type that keeps the body, i.e. only the runtime's own work:
//!   serialize, token, limiter, headers, envelope check) against `bare_reqwest_bytes`
//!   (read the body bytes, the least any caller does);
//! - `client_value` (decodes into a `serde_json::Value`) against `bare_reqwest_decode`
//!   (the same decode).
//!
//! After the criterion groups, an interleaved loop (so drift on a shared machine hits every
//! side alike) prints the means and the ratios, including `client_value` / bare bytes.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use kiwoom_mock::{MockConfig, MockServer};
use kiwoom_runtime::return_code::Envelope;
use kiwoom_runtime::{
    Client, DecodeError, Environment, RateLimits, SafetyClass, TrInfo, TrRequest, TrResponse,
    ValidationError,
};
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
struct StockInfo {
    stk_cd: String,
}

#[derive(Debug, Serialize)]
#[serde(transparent)]
struct Json(serde_json::Value);

impl TrResponse for Json {
    fn decode(api_id: &'static str, body: &[u8]) -> Result<Self, DecodeError> {
        serde_json::from_slice(body)
            .map(Json)
            .map_err(|e| DecodeError {
                api_id: api_id.into(),
                field: "<body>".into(),
                raw: String::new(),
                reason: e.to_string(),
            })
    }
}

/// The body as received: the cheapest response a TR type can have.
#[derive(Debug, Serialize)]
struct Raw(Vec<u8>);

impl TrResponse for Raw {
    fn decode(_api_id: &'static str, body: &[u8]) -> Result<Self, DecodeError> {
        Ok(Raw(body.to_vec()))
    }
}

/// The same TR as [`StockInfo`], answered as [`Raw`].
#[derive(Debug, Clone, Serialize)]
#[serde(transparent)]
struct StockInfoRaw(StockInfo);

impl TrRequest for StockInfoRaw {
    const INFO: TrInfo = StockInfo::INFO;
    type Response = Raw;
    fn validate(&self) -> Result<(), ValidationError> {
        Ok(())
    }
}

impl TrRequest for StockInfo {
    const INFO: TrInfo = TrInfo {
        api_id: "ka10001",
        korean_name: "주식기본정보요청",
        path: "/api/dostk/stkinfo",
        safety: SafetyClass::Read,
    };
    type Response = Json;
    fn validate(&self) -> Result<(), ValidationError> {
        Ok(())
    }
}

struct Setup {
    _mock: MockServer,
    client: Client,
    bare: reqwest::Client,
    url: String,
    bearer: String,
}

async fn setup() -> Setup {
    let mock = MockServer::start(MockConfig::default())
        .await
        .expect("simulator");
    let client = Client::builder()
        .environment(Environment::Custom {
            base_url: mock.base_url(),
            ws_url: mock.ws_url(),
        })
        .app_key("bench-app-key")
        .secret_key("bench-secret-key")
        .rate_limits(RateLimits::unlimited())
        .build()
        .unwrap();
    client.authenticate().await.unwrap();
    // Same settings as the client's own reqwest::Client (see `ClientBuilder::build`).
    let bare = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .connect_timeout(Duration::from_secs(5))
        .pool_idle_timeout(Duration::from_secs(60))
        .tcp_nodelay(true)
        .user_agent(concat!("kiwoom-rs/", env!("CARGO_PKG_VERSION")))
        .build()
        .unwrap();
    let token: serde_json::Value = bare
        .post(format!("{}/oauth2/token", mock.base_url()))
        .header("api-id", "au10001")
        .header("content-type", "application/json;charset=UTF-8")
        .body(r#"{"grant_type":"client_credentials","appkey":"bench-app-key","secretkey":"bench-secret-key"}"#)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let bearer = format!("Bearer {}", token["token"].as_str().unwrap());
    let url = format!("{}/api/dostk/stkinfo", mock.base_url());
    Setup {
        _mock: mock,
        client,
        bare,
        url,
        bearer,
    }
}

fn request() -> StockInfo {
    StockInfo {
        stk_cd: "005930".into(),
    }
}

async fn via_client_value(s: &Setup) {
    let r = s.client.call(request()).await.unwrap();
    black_box(r);
}

async fn via_client_raw(s: &Setup) {
    let r = s.client.call(StockInfoRaw(request())).await.unwrap();
    black_box(r);
}

async fn via_bare(s: &Setup, decode: bool) {
    let body = serde_json::to_vec(&request()).unwrap();
    let resp = s
        .bare
        .post(&s.url)
        .header("api-id", "ka10001")
        .header("authorization", &s.bearer)
        .header("content-type", "application/json;charset=UTF-8")
        .body(body)
        .send()
        .await
        .unwrap();
    let bytes = resp.bytes().await.unwrap();
    if decode {
        let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(v["return_code"], 0);
        black_box(v);
    } else {
        black_box(bytes);
    }
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let s = rt.block_on(setup());
    let mut g = c.benchmark_group("ka10001_loopback");
    g.bench_function("client_raw", |b| {
        b.to_async(&rt).iter(|| via_client_raw(&s))
    });
    g.bench_function("bare_reqwest_bytes", |b| {
        b.to_async(&rt).iter(|| via_bare(&s, false))
    });
    g.bench_function("client_value", |b| {
        b.to_async(&rt).iter(|| via_client_value(&s))
    });
    g.bench_function("bare_reqwest_decode", |b| {
        b.to_async(&rt).iter(|| via_bare(&s, true))
    });
    g.finish();

    // What the envelope check and a Value decode cost on this very body, without I/O.
    let body = rt.block_on(async {
        s.bare
            .post(&s.url)
            .header("api-id", "ka10001")
            .header("authorization", &s.bearer)
            .header("content-type", "application/json;charset=UTF-8")
            .body(serde_json::to_vec(&request()).unwrap())
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap()
    });
    println!("answer body: {} bytes", body.len());
    let mut g = c.benchmark_group("ka10001_decode_only");
    g.bench_function("envelope", |b| {
        b.iter(|| {
            let e: Envelope = serde_json::from_slice(black_box(&body)).unwrap();
            black_box(e)
        })
    });
    g.bench_function("value", |b| {
        b.iter(|| {
            let v: serde_json::Value = serde_json::from_slice(black_box(&body)).unwrap();
            black_box(v)
        })
    });
    g.finish();

    // Interleaved in short blocks, so drift on a shared machine hits every side alike.
    let rounds = 40;
    let per_round = 100;
    let mut t = [Duration::ZERO; 4];
    let mut cpu = [Duration::ZERO; 4];
    rt.block_on(async {
        for _ in 0..rounds {
            for (i, total) in t.iter_mut().enumerate() {
                let cpu_start = process_cpu_time();
                let start = Instant::now();
                for _ in 0..per_round {
                    match i {
                        0 => via_client_raw(&s).await,
                        1 => via_bare(&s, false).await,
                        2 => via_client_value(&s).await,
                        _ => via_bare(&s, true).await,
                    }
                }
                *total += start.elapsed();
                cpu[i] += process_cpu_time().saturating_sub(cpu_start);
            }
        }
    });
    let n = (rounds * per_round) as f64;
    let us = |d: Duration| d.as_secs_f64() * 1e6 / n;
    let ratio = |a: Duration, b: Duration| a.as_secs_f64() / b.as_secs_f64();
    println!(
        "interleaved mean per request (us): client_raw {:.1}, bare_bytes {:.1}, client_value {:.1}, bare_decode {:.1}",
        us(t[0]),
        us(t[1]),
        us(t[2]),
        us(t[3])
    );
    println!(
        "ratios: client_raw/bare_bytes {:.3}, client_value/bare_decode {:.3}, client_value/bare_bytes {:.3}",
        ratio(t[0], t[1]),
        ratio(t[2], t[3]),
        ratio(t[2], t[1])
    );
    // CPU time of every thread of this process (client, simulator and runtime alike), per
    // request: unlike wall time, barely moved by other processes on a shared machine. The
    // simulator's share is the same on every side, so differences are client-side work.
    if cpu[1] > Duration::ZERO {
        println!(
            "interleaved CPU per request (us, client + simulator): client_raw {:.1}, bare_bytes {:.1}, client_value {:.1}, bare_decode {:.1}; client_raw - bare_bytes = {:.1} us",
            us(cpu[0]),
            us(cpu[1]),
            us(cpu[2]),
            us(cpu[3]),
            us(cpu[0]) - us(cpu[1])
        );
    }
}

/// Time on CPU of all threads of this process, from `/proc/self/task/*/schedstat` (Linux,
/// nanoseconds); zero where that is not available.
fn process_cpu_time() -> Duration {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return Duration::ZERO;
    };
    let ns: u64 = tasks
        .filter_map(|t| std::fs::read_to_string(t.ok()?.path().join("schedstat")).ok())
        .filter_map(|s| s.split_whitespace().next()?.parse::<u64>().ok())
        .sum();
    Duration::from_nanos(ns)
}

criterion_group!(benches, bench);
criterion_main!(benches);
