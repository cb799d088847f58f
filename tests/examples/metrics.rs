//! The runtime's metrics on a Prometheus endpoint, while a client works.
//!
//! ```sh
//! cargo run --example metrics                        # simulator, prints one scrape and exits
//! cargo run --example metrics -- --serve-secs 300    # keeps serving for Prometheus to scrape
//! cargo run --example metrics -- --listen 0.0.0.0:9000
//! KIWOOM_APP_KEY=... KIWOOM_SECRET_KEY=... cargo run --example metrics -- --mock
//! ```
//!
//! The runtime records through the `metrics` facade and installs nothing; this example picks
//! metrics-exporter-prometheus, which serves `GET /metrics` on the listen address
//! (127.0.0.1:9000 by default). The metrics are listed in the README ("Metrics, response cache
//! and batch calls"). No order is placed.

use std::error::Error as StdError;
use std::net::SocketAddr;
use std::time::Duration;

use futures::StreamExt;
use kiwoom_generated::domestic_stock_info::{StockInfoRequest, StocksMarketType, StocksRequest};
use kiwoom_generated::kiwoom_runtime::{CacheConfig, metrics};
use kiwoom_generated::prelude::*;
use kiwoom_generated::realtime::StockTrade;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder};

type BoxError = Box<dyn StdError + Send + Sync>;

const CODES: [&str; 3] = ["005930", "000660", "035720"];

struct Args {
    listen: SocketAddr,
    serve_secs: u64,
    environment: Option<Environment>,
}

fn args() -> Result<Args, BoxError> {
    let mut out = Args {
        listen: "127.0.0.1:9000".parse()?,
        serve_secs: 0,
        environment: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = || it.next().ok_or(format!("{arg} needs a value"));
        match arg.as_str() {
            "--listen" => out.listen = value()?.parse()?,
            "--serve-secs" => out.serve_secs = value()?.parse()?,
            "--mock" => out.environment = Some(Environment::Mock),
            "--real" => out.environment = Some(Environment::Real),
            other => {
                return Err(format!(
                    "unknown argument {other}; use --listen, --serve-secs, --mock, --real"
                )
                .into());
            }
        }
    }
    Ok(out)
}

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let args = args()?;

    // 1. Install an exporter (any `metrics` recorder would do), then describe the metrics.
    //    Histograms get buckets fit for API latencies and limiter waits (seconds).
    PrometheusBuilder::new()
        .with_http_listener(args.listen)
        .set_buckets_for_metric(
            Matcher::Suffix("_seconds".into()),
            &[
                0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
            ],
        )?
        .install()?;
    metrics::describe();
    println!("metrics on http://{}/metrics", args.listen);

    // 2. A client, against the simulator in this process unless --mock / --real.
    let simulator = match args.environment {
        None => Some(kiwoom_mock::MockServer::start(Default::default()).await?),
        Some(_) => None,
    };
    let builder = match (&args.environment, &simulator) {
        (None, Some(sim)) => Client::builder()
            .environment(Environment::Custom {
                base_url: sim.base_url(),
                ws_url: sim.ws_url(),
            })
            .app_key("metrics-example-app-key")
            .secret_key("metrics-example-secret-key"),
        (Some(env), _) => {
            let key = |name: &str| std::env::var(name).map_err(|_| format!("{name} must be set"));
            Client::builder()
                .environment(env.clone())
                .app_key(key("KIWOOM_APP_KEY")?)
                .secret_key(key("KIWOOM_SECRET_KEY")?)
        }
        (None, None) => unreachable!("the simulator starts when no environment is given"),
    };
    let client = builder
        .response_cache(CacheConfig::reference_data())
        .build()?;

    // 3. Some work: queries (the limiter paces them), a reference list twice (the second
    //    from the cache), and a realtime subscription.
    let stock_info = client.domestic().stock_info();
    for code in CODES {
        let info = stock_info.stock_info(StockInfoRequest::new(code)).await?;
        println!("{code} {}", info.stock_name.unwrap_or_default());
    }
    for _ in 0..2 {
        let stocks = stock_info
            .stocks(StocksRequest::new(StocksMarketType::Kospi))
            .send()
            .await?;
        println!("KOSPI list: {} stocks (first page)", stocks.list.len());
    }
    let session = client.realtime(Market::Domestic).await?;
    let mut trades = session.events_of::<StockTrade>();
    session.subscribe::<StockTrade>(CODES).await?;
    let mut received = 0;
    let _ = tokio::time::timeout(Duration::from_secs(3), async {
        while trades.next().await.is_some() {
            received += 1;
        }
    })
    .await;
    println!("{received} realtime trades in 3 s");

    // 4. What Prometheus would scrape: the runtime's lines.
    let scrape = reqwest::get(format!("http://{}/metrics", args.listen))
        .await?
        .text()
        .await?;
    println!("\n--- GET /metrics (kiwoom_ lines) ---");
    for line in scrape.lines().filter(|l| l.contains("kiwoom_")) {
        println!("{line}");
    }

    if args.serve_secs > 0 {
        println!(
            "\nserving for {} s; the realtime session keeps counting",
            args.serve_secs
        );
        let drain = tokio::spawn(async move { while trades.next().await.is_some() {} });
        tokio::time::sleep(Duration::from_secs(args.serve_secs)).await;
        drain.abort();
    }
    Ok(())
}
