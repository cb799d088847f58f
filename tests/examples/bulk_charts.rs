//! The daily charts of N stocks to one CSV file, as a batch under the rate budget, with a
//! progress bar and a summary of what failed.
//!
//! ```sh
//! cargo run --example bulk_charts                          # simulator, 20 KOSPI codes
//! cargo run --example bulk_charts -- --codes 100 --pages 2 --out charts.csv
//! KIWOOM_APP_KEY=... KIWOOM_SECRET_KEY=... cargo run --example bulk_charts -- --real --codes 800
//! ```
//!
//! The codes are the first N of the KOSPI list (ka10099, served from the response cache the
//! second time). Each code's chart (ka10081) is one batch item, `--pages` pages each
//! (600 rows a page on Kiwoom). Requests go at the client's rate (5/s on Kiwoom's real
//! server, `--rate` to change), 4 in flight; rows are written as each code completes, so the
//! file is grouped by code in completion order. `--stop-after K` cancels the batch after K
//! codes, to show what a resume would need (`summary().unfinished()`).

use std::error::Error as StdError;
use std::time::Duration;

use futures::StreamExt;
use indicatif::{ProgressBar, ProgressStyle};
use kiwoom_generated::domestic_chart::{AdjustedStockPriceType, StockDailyChartRequest};
use kiwoom_generated::domestic_stock_info::{StocksMarketType, StocksRequest};
use kiwoom_generated::kiwoom_runtime::{CacheConfig, Rate, RateLimits};
use kiwoom_generated::prelude::*;

type BoxError = Box<dyn StdError + Send + Sync>;

struct Args {
    codes: usize,
    pages: usize,
    out: String,
    rate: Option<f64>,
    stop_after: Option<usize>,
    environment: Option<Environment>,
}

fn args() -> Result<Args, BoxError> {
    let mut out = Args {
        codes: 20,
        pages: 1,
        out: "daily_charts.csv".into(),
        rate: None,
        stop_after: None,
        environment: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = || it.next().ok_or(format!("{arg} needs a value"));
        match arg.as_str() {
            "--codes" => out.codes = value()?.parse()?,
            "--pages" => out.pages = value()?.parse::<usize>()?.max(1),
            "--out" => out.out = value()?,
            "--rate" => out.rate = Some(value()?.parse()?),
            "--stop-after" => out.stop_after = Some(value()?.parse()?),
            "--mock" => out.environment = Some(Environment::Mock),
            "--real" => out.environment = Some(Environment::Real),
            other => {
                return Err(format!(
                    "unknown argument {other}; use --codes N --pages N --out FILE --rate R \
                     --stop-after K --mock --real"
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
            .app_key("bulk-example-app-key")
            .secret_key("bulk-example-secret-key"),
        (Some(env), _) => {
            let key = |name: &str| std::env::var(name).map_err(|_| format!("{name} must be set"));
            Client::builder()
                .environment(env.clone())
                .app_key(key("KIWOOM_APP_KEY")?)
                .secret_key(key("KIWOOM_SECRET_KEY")?)
        }
        (None, None) => unreachable!("the simulator starts when no environment is given"),
    };
    let builder = match args.rate {
        Some(r) => builder.rate_limits(RateLimits::real().queries(Some(Rate::per_second(r)))),
        None => builder,
    };
    let client = builder
        .response_cache(CacheConfig::reference_data())
        .build()?;

    // The first N distinct codes of the KOSPI list, page by page as needed.
    let mut codes = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut listing = client
        .domestic()
        .stock_info()
        .stocks(StocksRequest::new(StocksMarketType::Kospi))
        .items();
    while let Some(row) = listing.next().await {
        if let Some(code) = row?.code.filter(|c| seen.insert(c.clone())) {
            codes.push(code);
        }
        if codes.len() == args.codes {
            break;
        }
    }
    drop(listing);
    println!("{} codes; charts to {}", codes.len(), args.out);

    let kst = chrono::FixedOffset::east_opt(9 * 3600).expect("UTC+9");
    let today = chrono::Utc::now().with_timezone(&kst).date_naive();
    let requests = codes.iter().map(|code| {
        StockDailyChartRequest::new(code.as_str(), today, AdjustedStockPriceType::Adjusted)
    });
    let mut batch = client
        .batch(requests)
        .all_pages_up_to(args.pages)
        .concurrency(4)
        .stream();
    let cancel = batch.cancel_handle();

    let bar = ProgressBar::new(codes.len() as u64);
    bar.set_style(ProgressStyle::with_template(
        "{bar:40} {pos}/{len} codes, {elapsed} elapsed, ~{eta} left {msg}",
    )?);
    bar.enable_steady_tick(Duration::from_millis(200));

    let mut csv = csv::Writer::from_path(&args.out)?;
    csv.write_record([
        "code", "date", "open", "high", "low", "close", "volume", "value",
    ])?;
    let show = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
    let mut rows = 0usize;
    while let Some(item) = batch.next().await {
        match item.result {
            Ok(chart) => {
                for row in chart {
                    csv.write_record([
                        item.request.stock_code.clone(),
                        row.date.map(|d| d.to_string()).unwrap_or_default(),
                        show(row.open_price),
                        show(row.high_price),
                        show(row.low_price),
                        show(row.current_price),
                        show(row.trade_quantity),
                        show(row.trade_value),
                    ])?;
                    rows += 1;
                }
            }
            Err(e) => bar.println(format!("{}: {e}", item.request.stock_code)),
        }
        let p = batch.progress();
        bar.set_position(p.done() as u64);
        bar.set_message(format!("({} failed)", p.failed));
        if args.stop_after.is_some_and(|k| p.done() >= k) {
            cancel.cancel();
        }
    }
    csv.flush()?;
    bar.finish();

    let summary = batch.summary();
    println!("{summary}; {rows} rows written to {}", args.out);
    for f in &summary.failures {
        println!(
            "  failed: {} ({}, sent: {:?}): {}",
            f.request.stock_code, f.outcome, f.sent, f.message
        );
    }
    let rest = summary.unfinished();
    if !rest.is_empty() {
        let codes: Vec<&str> = rest.iter().map(|r| r.stock_code.as_str()).collect();
        println!(
            "to resume, run these {} codes again: {}",
            codes.len(),
            codes.join(" ")
        );
    }
    Ok(())
}
