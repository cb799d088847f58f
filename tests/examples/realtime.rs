//! Realtime: trades (0B) and order books (0D) of several stocks plus the account's order
//! fills (00) and balances (04), printed as they arrive, through a dropped connection.
//!
//! ```sh
//! cargo run --example realtime                         # the simulator, 6 seconds
//! cargo run --example realtime -- --seconds 20 --stocks 005930,000660
//! cargo run --example realtime -- --mock               # Kiwoom's mock server (listens only)
//! ```
//!
//! Against the simulator the example also places two small market buys (so 00 and 04
//! frames come) and has the simulator drop every WebSocket for a second halfway: the
//! session reconnects by itself, logs in again, restores every registration and reports
//! the outage as a `Gap` (what was missed in between is not replayed: reconcile orders
//! after a gap, as `day_trading` does through the order tracker). Against Kiwoom it only
//! listens: the 00/04 frames are those of orders placed elsewhere.

#[path = "common/target.rs"]
pub mod target;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use futures::StreamExt;
use kiwoom_generated::domestic_order::{BuyStockRequest, OrderVenue, TradeType};
use kiwoom_generated::prelude::*;
use kiwoom_generated::realtime::{Balance, OrderFill, StockOrderBookDepth, StockTrade};
use kiwoom_mock::MockConfig;
use target::{BoxError, Connection, Target};

pub struct Options {
    pub target: Target,
    pub stocks: Vec<String>,
    pub seconds: u64,
}

/// What arrived (the example's test checks it).
#[derive(Debug, Default)]
pub struct Summary {
    pub trades: BTreeMap<String, usize>,
    pub order_books: BTreeMap<String, usize>,
    pub fills: usize,
    pub balances: usize,
    /// Each outage: how long, and whether every registration was restored.
    pub gaps: Vec<(Duration, bool)>,
    pub trades_after_gap: usize,
    pub fills_after_gap: usize,
}

pub async fn run(options: Options) -> Result<Summary, BoxError> {
    let config = MockConfig {
        realtime_interval: Duration::from_millis(100),
        ..MockConfig::default()
    };
    let connection = Connection::open(options.target, config).await?;
    let client = &connection.client;

    // 1. One session; a typed stream per realtime type, each registered.
    let session = client.realtime(Market::Domestic).await?;
    let mut trades = session.events_of::<StockTrade>();
    let mut books = session.events_of::<StockOrderBookDepth>();
    let mut fills = session.events_of::<OrderFill>();
    let mut balances = session.events_of::<Balance>();
    let stocks: Vec<&str> = options.stocks.iter().map(String::as_str).collect();
    session.subscribe::<StockTrade>(stocks.clone()).await?;
    session.subscribe::<StockOrderBookDepth>(stocks).await?;
    session.subscribe_account::<OrderFill>().await?;
    session.subscribe_account::<Balance>().await?;

    // 2. What the simulator does meanwhile: a buy, the connection dropped, another buy.
    let start = Instant::now();
    let seconds = options.seconds as f64;
    // Each step: not before its time, and the second buy not before the session has
    // reconnected (a buy while disconnected would fill unseen: Kiwoom does not replay the
    // 00/04 events missed in a gap either).
    let mut script: Vec<(f64, Wait, Step)> = Vec::new();
    if let Some(sim) = &connection.simulator {
        script = vec![
            (seconds * 0.2, Wait::Time, Step::Buy),
            (seconds * 0.4, Wait::Time, Step::Drop(sim.control())),
            (seconds * 0.75, Wait::Reconnected, Step::Buy),
        ];
    }

    // 3. Print everything as it comes, until the time is up and the script has run (on a
    // slow machine the reconnect can take longer than planned; at most three times as long).
    let mut summary = Summary::default();
    let now = tokio::time::Instant::now;
    let mut until = now() + Duration::from_secs(options.seconds);
    let hard_stop = now() + Duration::from_secs(options.seconds * 3);
    let mut tick = tokio::time::interval(Duration::from_millis(50));
    let at = |start: Instant| format!("{:>6.2}s", start.elapsed().as_secs_f64());
    loop {
        tokio::select! {
            _ = tokio::time::sleep_until(until) => {
                if script.is_empty() || now() >= hard_stop {
                    break;
                }
                until = now() + Duration::from_millis(100);
            }
            _ = tick.tick() => {
                while script.first().is_some_and(|(when, wait, _)| {
                    start.elapsed().as_secs_f64() >= *when
                        && (*wait == Wait::Time || !summary.gaps.is_empty())
                }) {
                    let (_, _, step) = script.remove(0);
                    step.run(client, options.stocks[0].as_str()).await?;
                    // Leave a second for the step's events to arrive.
                    until = until.max(now() + Duration::from_secs(1));
                }
            }
            Some(event) = trades.next() => match event? {
                TypedEvent::Real(t) => {
                    *summary.trades.entry(t.item.clone()).or_default() += 1;
                    summary.trades_after_gap += usize::from(!summary.gaps.is_empty());
                    let price = t.current_price.map(|p| p.value()).unwrap_or_default();
                    println!("{} 0B {} {price} won", at(start), t.item);
                }
                TypedEvent::Gap(gap) => {
                    let lasted = gap.until.duration_since(gap.since).unwrap_or_default();
                    println!(
                        "{} GAP: disconnected for {:.1}s, {} reconnect attempts, registrations restored: {}",
                        at(start), lasted.as_secs_f64(), gap.attempts, gap.resubscribed
                    );
                    summary.gaps.push((lasted, gap.resubscribed));
                }
                TypedEvent::System { code, message } => println!("{} notice {code}: {message}", at(start)),
            },
            Some(event) = books.next() => if let TypedEvent::Real(b) = event? {
                *summary.order_books.entry(b.item.clone()).or_default() += 1;
                let best = |p: Option<Directed<i64>>| p.map(|p| p.value()).unwrap_or_default();
                println!("{} 0D {} bid {} / ask {}", at(start), b.item, best(b.bid_price_1), best(b.ask_price_1));
            },
            Some(event) = fills.next() => if let TypedEvent::Real(f) = event? {
                summary.fills += 1;
                summary.fills_after_gap += usize::from(!summary.gaps.is_empty());
                println!(
                    "{} 00 order {} {:?}: {} x {} filled at {}",
                    at(start),
                    f.order_number.unwrap_or_default(),
                    f.order_status,
                    f.item,
                    f.order_quantity.unwrap_or_default(),
                    f.execution_price.map_or("-".into(), |p| p.to_string()),
                );
            },
            Some(event) = balances.next() => if let TypedEvent::Real(b) = event? {
                summary.balances += 1;
                println!(
                    "{} 04 {} held {} at {} won",
                    at(start),
                    b.item,
                    b.holding_quantity.unwrap_or_default(),
                    b.purchase_unit_price.unwrap_or_default()
                );
            },
        }
    }
    session.close().await;
    println!(
        "trades {:?}, order books {:?}, fills {}, balances {}, gaps {}",
        summary.trades,
        summary.order_books,
        summary.fills,
        summary.balances,
        summary.gaps.len()
    );
    connection.close().await;
    Ok(summary)
}

/// What a scripted step waits for besides its time.
#[derive(PartialEq)]
enum Wait {
    Time,
    Reconnected,
}

/// A scripted action against the simulator.
enum Step {
    Buy,
    Drop(kiwoom_mock::MockControl),
}

impl Step {
    async fn run(self, client: &Client, stock: &str) -> Result<(), BoxError> {
        match self {
            Step::Buy => {
                let order =
                    BuyStockRequest::new(OrderVenue::Krx, stock, Quantity(1), TradeType::Market);
                let placed = client.domestic().order().buy_stock(order).await?;
                println!(
                    "-- bought 1 {stock} at the market: order {:?}",
                    placed.order_number
                );
            }
            Step::Drop(control) => {
                println!("-- the simulator drops every WebSocket and refuses reconnects for 1 s");
                control.drop_websockets_for(Duration::from_secs(1));
            }
        }
        Ok(())
    }
}

#[allow(dead_code)] // the example's test calls `run` and has its own entry point
#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (target, values) = Target::from_args(&args, &["--stocks", "--seconds"])?;
    let mut options = Options {
        target,
        stocks: ["005930", "000660", "035420"].map(String::from).to_vec(),
        seconds: 6,
    };
    for (flag, value) in values {
        match flag.as_str() {
            "--stocks" => options.stocks = value.split(',').map(String::from).collect(),
            _ => options.seconds = value.parse()?,
        }
    }
    run(options).await.map(drop)
}
