//! Technical indicators over a paged daily chart (ka10081): SMA, EMA, RSI, MACD and
//! Bollinger bands, printed as a table of the latest days.
//!
//! ```sh
//! cargo run --example indicators                        # the bundled simulator
//! cargo run --example indicators -- --pages 10          # more history
//! cargo run --example indicators -- --mock --stock 000660
//! ```
//!
//! The indicators are a small module with tests against published worked examples
//! (`common/indicators.rs`); a charting crate (`ta`, `yata`) would do as well.

#[path = "common/indicators.rs"]
pub mod indicators;
#[path = "common/target.rs"]
pub mod target;

use futures::StreamExt;
use kiwoom_generated::domestic_chart::{AdjustedStockPriceType, StockDailyChartRequest};
use kiwoom_generated::prelude::*;
use kiwoom_mock::MockConfig;
use target::{BoxError, Connection, Target};

/// One day of the table: the close and every indicator that has enough history.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    pub date: chrono::NaiveDate,
    pub close: f64,
    pub sma20: Option<f64>,
    pub ema20: Option<f64>,
    pub rsi14: Option<f64>,
    pub macd: Option<indicators::Macd>,
    pub bands: Option<indicators::Bands>,
}

/// What the run read and computed (the example's test checks it).
#[derive(Debug)]
pub struct Summary {
    pub pages: usize,
    /// Oldest first.
    pub rows: Vec<Row>,
}

pub struct Options {
    pub target: Target,
    pub stock: String,
    pub pages: usize,
    /// How many of the latest days to print.
    pub show: usize,
}

pub async fn run(options: Options) -> Result<Summary, BoxError> {
    // The simulator serves `pages` pages of 20 rows; Kiwoom serves ~600 rows a page.
    let config = MockConfig {
        pages: 10,
        ..MockConfig::default()
    };
    let connection = Connection::open(options.target, config).await?;

    // 1. The chart, page by page (cont-yn / next-key handled by the runtime), newest first.
    let today = chrono::Utc::now()
        .with_timezone(&kiwoom_market::kst())
        .date_naive();
    let request =
        StockDailyChartRequest::new(&options.stock, today, AdjustedStockPriceType::Adjusted);
    let mut pages = connection
        .client
        .domestic()
        .chart()
        .stock_daily_chart(request)
        .max_pages(options.pages)
        .pages();
    let mut candles = Vec::new();
    let mut page_count = 0;
    while let Some(page) = pages.next().await {
        page_count += 1;
        for row in page?.body.stock_daily_chart {
            // A row without a date or close is not a candle (Kiwoom pads some pages).
            if let (Some(date), Some(close)) = (row.date, row.current_price) {
                candles.push((date, close as f64));
            }
        }
    }
    candles.reverse(); // indicators run oldest first
    println!(
        "{} daily candles of {} in {page_count} pages",
        candles.len(),
        options.stock
    );

    // 2. The indicators, each one value per day (None until its window is full).
    let closes: Vec<f64> = candles.iter().map(|(_, c)| *c).collect();
    let sma20 = indicators::sma(&closes, 20);
    let ema20 = indicators::ema(&closes, 20);
    let rsi14 = indicators::rsi(&closes, 14);
    let macd = indicators::macd(&closes, 12, 26, 9);
    let bands = indicators::bollinger(&closes, 20, 2.0);
    let rows: Vec<Row> = candles
        .iter()
        .enumerate()
        .map(|(i, (date, close))| Row {
            date: *date,
            close: *close,
            sma20: sma20[i],
            ema20: ema20[i],
            rsi14: rsi14[i],
            macd: macd[i],
            bands: bands[i],
        })
        .collect();

    // 3. The table: the latest days.
    println!(
        "{:<10} {:>9} {:>9} {:>9} {:>6} {:>8} {:>8} {:>8} {:>9} {:>9}",
        "date", "close", "SMA20", "EMA20", "RSI14", "MACD", "signal", "hist", "BB low", "BB high"
    );
    for row in rows.iter().skip(rows.len().saturating_sub(options.show)) {
        let macd = row.macd;
        println!(
            "{:<10} {:>9.0} {:>9} {:>9} {:>6} {:>8} {:>8} {:>8} {:>9} {:>9}",
            row.date.to_string(),
            row.close,
            cell(row.sma20, 0),
            cell(row.ema20, 0),
            cell(row.rsi14, 1),
            cell(macd.map(|m| m.line), 1),
            cell(macd.and_then(|m| m.signal), 1),
            cell(macd.and_then(|m| m.histogram), 1),
            cell(row.bands.map(|b| b.lower), 0),
            cell(row.bands.map(|b| b.upper), 0),
        );
    }
    connection.close().await;
    Ok(Summary {
        pages: page_count,
        rows,
    })
}

fn cell(value: Option<f64>, decimals: usize) -> String {
    value.map_or_else(|| "-".to_owned(), |v| format!("{v:.decimals$}"))
}

#[allow(dead_code)] // the example's test calls `run` and has its own entry point
#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (target, own) = Target::from_args(&args, &["--stock", "--pages", "--show"])?;
    let mut options = Options {
        target,
        stock: "005930".into(),
        pages: 5,
        show: 15,
    };
    for (flag, value) in own {
        match flag.as_str() {
            "--stock" => options.stock = value,
            "--pages" => options.pages = value.parse()?,
            _ => options.show = value.parse()?,
        }
    }
    run(options).await.map(drop)
}
