//! A backtest of the opening-range breakout that `day_trading` runs live (the same type,
//! `common/strategy.rs`), offline: one trading day of prices replayed through it, then its
//! trades, P&L and maximum drawdown.
//!
//! ```sh
//! cargo run --example backtest                          # the simulator's seeded market, seed 7
//! cargo run --example backtest -- --seed 11 --stock 000660
//! cargo run --example backtest -- --write-ticks day.ndjson   # keep the day's prices
//! cargo run --example backtest -- --ticks day.ndjson    # replay a recorded day (NDJSON)
//! ```
//!
//! The prices come from the simulator's market walk (seeded: the same seed gives the same
//! day, so the same P&L), stepped in this process with no client and no request, one step a
//! minute from 09:00 to 15:30 KST; or from an NDJSON file of `{"at": ..., "price": ...}`
//! lines (`day_trading --record` writes one from live 0B ticks). Fills follow the
//! simulator's rule for a limit that crosses on arrival: all of it, at the current price.
//! No fees or taxes are charged (add Kiwoom's schedule for a real estimate).

#[path = "common/strategy.rs"]
pub mod strategy;

use std::io::{BufRead, Write};

use chrono::{DateTime, NaiveDate, Utc};
use kiwoom_mock::{MockConfig, MockServer};
use serde::{Deserialize, Serialize};
use strategy::{OpeningRangeBreakout, Params, Side};

pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// One price at one instant: what the strategy sees, live (0B) or replayed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Tick {
    pub at: DateTime<Utc>,
    pub price: i64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Trade {
    pub at: DateTime<Utc>,
    pub side: Side,
    pub quantity: u64,
    pub price: i64,
    pub reason: &'static str,
}

/// The backtest's result (the example's test runs it twice and compares).
#[derive(Clone, Debug, PartialEq)]
pub struct Summary {
    pub ticks: usize,
    pub trades: Vec<Trade>,
    /// Realized profit in won (flat at the end, so all of it).
    pub pnl: i64,
    /// The largest fall of marked-to-market equity from a previous high, in won.
    pub max_drawdown: i64,
    pub position_at_end: u64,
}

/// The simulator's seeded market for one day: a walk step a minute, 09:00 to 15:30 KST.
/// The server is started for its market only; nothing connects to it.
pub async fn simulated_day(seed: u64, stock: &str, day: NaiveDate) -> Result<Vec<Tick>, BoxError> {
    let open = day.and_hms_opt(9, 0, 0).ok_or("09:00")?;
    let server = MockServer::start(MockConfig::default().with_seed(seed).with_clock(open)).await?;
    let control = server.control();
    let mut ticks = Vec::new();
    for minute in 0..=390 {
        // Step m + 1 is minute m, as in `day_trading` (the first step opens the day).
        control.step_market(1);
        let price = control.price(stock).ok_or("a listed stock")?;
        let kst = open + chrono::Duration::minutes(minute);
        let at = kst.and_local_timezone(kiwoom_market::kst()).single();
        ticks.push(Tick {
            at: at.ok_or("a KST instant")?.with_timezone(&Utc),
            price,
        });
    }
    server.shutdown().await;
    Ok(ticks)
}

pub fn write_ndjson(path: &std::path::Path, ticks: &[Tick]) -> Result<(), BoxError> {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
    for tick in ticks {
        serde_json::to_writer(&mut out, tick)?;
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok(())
}

pub fn read_ndjson(path: &std::path::Path) -> Result<Vec<Tick>, BoxError> {
    let file = std::io::BufReader::new(std::fs::File::open(path)?);
    let mut ticks = Vec::new();
    for (n, line) in file.lines().enumerate() {
        let line = line?;
        if !line.trim().is_empty() {
            let tick = serde_json::from_str(&line).map_err(|e| format!("line {}: {e}", n + 1))?;
            ticks.push(tick);
        }
    }
    Ok(ticks)
}

/// Replays `ticks` through the strategy: each signal fills at once at the tick's price.
pub fn replay(ticks: &[Tick], params: Params) -> Summary {
    let mut strategy = OpeningRangeBreakout::new(params);
    let (mut cash, mut trades) = (0i64, Vec::new());
    let (mut peak, mut max_drawdown) = (0i64, 0i64);
    for tick in ticks {
        if let Some(signal) = strategy.on_price(tick.at, tick.price) {
            // A limit that crosses fills at the market's price (the simulator's rule).
            let crosses = match signal.side {
                Side::Buy => signal.limit >= tick.price,
                Side::Sell => signal.limit <= tick.price,
            };
            let filled = if crosses { signal.quantity } else { 0 };
            let value = tick.price * filled as i64;
            cash += if signal.side == Side::Buy {
                -value
            } else {
                value
            };
            strategy.on_done(signal.side, filled, tick.price);
            trades.push(Trade {
                at: tick.at,
                side: signal.side,
                quantity: filled,
                price: tick.price,
                reason: signal.reason,
            });
        }
        let equity = cash + strategy.position() as i64 * tick.price;
        peak = peak.max(equity);
        max_drawdown = max_drawdown.max(peak - equity);
    }
    Summary {
        ticks: ticks.len(),
        trades,
        pnl: cash,
        max_drawdown,
        position_at_end: strategy.position(),
    }
}

pub fn print(summary: &Summary) {
    for t in &summary.trades {
        println!(
            "{} {:?} {} at {} won  ({})",
            t.at.with_timezone(&kiwoom_market::kst()).format("%H:%M"),
            t.side,
            t.quantity,
            t.price,
            t.reason
        );
    }
    println!(
        "{} prices, {} trades, P&L {} won, max drawdown {} won, {} shares held at the end",
        summary.ticks,
        summary.trades.len(),
        summary.pnl,
        summary.max_drawdown,
        summary.position_at_end
    );
}

#[allow(dead_code)] // the example's test calls the functions above
#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let mut args = std::env::args().skip(1);
    let (mut seed, mut stock) = (7u64, "005930".to_owned());
    let (mut from, mut write) = (None, None);
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--seed" => seed = value()?.parse()?,
            "--stock" => stock = value()?,
            "--ticks" => from = Some(std::path::PathBuf::from(value()?)),
            "--write-ticks" => write = Some(std::path::PathBuf::from(value()?)),
            other => return Err(format!("unknown argument {other}").into()),
        }
    }
    let ticks = match &from {
        Some(path) => read_ndjson(path)?,
        None => {
            let day = NaiveDate::from_ymd_opt(2026, 12, 2).ok_or("date")?;
            println!("the simulator's market for {stock} on {day}, seed {seed}");
            simulated_day(seed, &stock, day).await?
        }
    };
    if let Some(path) = &write {
        write_ndjson(path, &ticks)?;
    }
    print(&replay(&ticks, Params::default()));
    Ok(())
}
