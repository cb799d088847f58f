//! Client overhead per request, against the simulator on loopback, compared in the same
//! run with a bare reqwest POST of the same body and headers to the same endpoint.
//!
//! Baselines: `bare_reqwest_decode` parses the body into a `serde_json::Value` as the
//! client's test type does (like for like); `bare_reqwest_bytes` only reads the bytes.
//! After the criterion groups, an interleaved loop prints the ratio client / bare.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use kiwoom_mock::{MockConfig, MockServer};
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
    // Same settings as the client's own reqwest::Client.
    let bare = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .connect_timeout(Duration::from_secs(5))
        .tcp_nodelay(true)
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

async fn via_client(s: &Setup) {
    let r = s.client.call(request()).await.unwrap();
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
    g.bench_function("kiwoom_client", |b| b.to_async(&rt).iter(|| via_client(&s)));
    g.bench_function("bare_reqwest_decode", |b| {
        b.to_async(&rt).iter(|| via_bare(&s, true))
    });
    g.bench_function("bare_reqwest_bytes", |b| {
        b.to_async(&rt).iter(|| via_bare(&s, false))
    });
    g.finish();

    // Interleaved, so drift on a shared machine hits both sides alike.
    let rounds = 20;
    let per_round = 200;
    let (mut client_t, mut bare_t, mut bytes_t) = (Duration::ZERO, Duration::ZERO, Duration::ZERO);
    rt.block_on(async {
        for _ in 0..rounds {
            let t = Instant::now();
            for _ in 0..per_round {
                via_client(&s).await;
            }
            client_t += t.elapsed();
            let t = Instant::now();
            for _ in 0..per_round {
                via_bare(&s, true).await;
            }
            bare_t += t.elapsed();
            let t = Instant::now();
            for _ in 0..per_round {
                via_bare(&s, false).await;
            }
            bytes_t += t.elapsed();
        }
    });
    let n = (rounds * per_round) as f64;
    let us = |d: Duration| d.as_secs_f64() * 1e6 / n;
    println!(
        "interleaved mean per request: client {:.1} us, bare+decode {:.1} us, bare bytes {:.1} us; ratio client/bare+decode = {:.3}, client/bare bytes = {:.3}",
        us(client_t),
        us(bare_t),
        us(bytes_t),
        client_t.as_secs_f64() / bare_t.as_secs_f64(),
        client_t.as_secs_f64() / bytes_t.as_secs_f64()
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
