//! The README's main command: one whole trading flow, step by step.
//!
//! ```sh
//! cargo run --example quickstart              # against the bundled simulator, no credentials
//! KIWOOM_APP_KEY=... KIWOOM_SECRET_KEY=... cargo run --example quickstart -- --mock
//! KIWOOM_APP_KEY=... KIWOOM_SECRET_KEY=... cargo run --example quickstart -- --real
//! ```
//!
//! With `--real` the buy order is skipped unless `--allow-real-orders` is given too: a
//! quickstart must never spend real money by accident.

use std::error::Error as StdError;
use std::time::{Duration, Instant};

use futures::StreamExt;
use kiwoom_generated::domestic_account::{
    SellBuyType, StockType, UnfilledOrdersRequest, VenueFilter,
};
use kiwoom_generated::domestic_chart::{AdjustedStockPriceType, StockDailyChartRequest};
use kiwoom_generated::domestic_order::{BuyStockRequest, OrderVenue, TradeType};
use kiwoom_generated::domestic_stock_info::StockInfoRequest;
use kiwoom_generated::kiwoom_runtime::Market;
use kiwoom_generated::kiwoom_runtime::ws::TypedEvent;
use kiwoom_generated::prelude::*;
use kiwoom_generated::realtime::StockTrade;

const STOCK: &str = "005930";

type BoxError = Box<dyn StdError + Send + Sync>;

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let target = Target::from_args(&args)?;

    // Without credentials, the simulator runs in this process on a loopback port.
    let simulator = match target {
        Target::Simulator => Some(kiwoom_mock::MockServer::start(Default::default()).await?),
        _ => None,
    };
    let client = build_client(&target, simulator.as_ref())?;

    step(1, "issue a token (au10001)");
    client.authenticate().await?;
    let expires = client.token_expires_at().await?;
    println!(
        "   token valid until {} (KST)",
        expires.with_timezone(&kst())
    );

    step(2, "stock info (ka10001)");
    let info = client
        .domestic()
        .stock_info()
        .stock_info(StockInfoRequest::new(STOCK))
        .await?;
    let name = info.stock_name.clone().unwrap_or_default();
    // Prices carry their direction against the previous close beside the value.
    let price = info.current_price.unwrap_or_default();
    println!(
        "   {STOCK} {name}: current price {} won ({:?}), year high {}, year low {}",
        price.value(),
        price.direction(),
        show(info.year_highest),
        show(info.year_lowest),
    );

    step(3, "daily chart (ka10081), paging with cont-yn / next-key");
    let today = chrono::Utc::now().with_timezone(&kst()).date_naive();
    let request = StockDailyChartRequest::new(STOCK, today, AdjustedStockPriceType::Adjusted);
    let mut pages = client
        .domestic()
        .chart()
        .stock_daily_chart(request)
        .max_pages(5)
        .pages();
    let mut rows = 0usize;
    let mut number = 0usize;
    while let Some(page) = pages.next().await {
        let page = page?;
        number += 1;
        let candles = &page.body.stock_daily_chart;
        rows += candles.len();
        let newest = candles.first().and_then(|c| c.date);
        let oldest = candles.last().and_then(|c| c.date);
        println!(
            "   page {number}: {} rows, {} .. {}{}",
            candles.len(),
            show(oldest),
            show(newest),
            if page.cont_yn {
                ", more follow"
            } else {
                ", last page"
            },
        );
    }
    println!("   {rows} daily candles in {number} pages");

    step(4, "buy order (kt10000)");
    if target.may_place_orders() {
        // A limit order a few ticks under the market rests in the book, so it shows up in
        // the unfilled-orders inquiry of the next step.
        let limit = (price.value() - 500).max(100);
        let order = BuyStockRequest::new(OrderVenue::Krx, STOCK, Quantity(1), TradeType::Normal)
            .order_unit_price(Price(limit));
        match client.domestic().order().buy_stock(order).await {
            Ok(placed) => println!(
                "   order {} accepted: buy 1 x {STOCK} at {limit} won ({})",
                show(placed.order_number.clone()),
                placed.return_msg.clone().unwrap_or_default(),
            ),
            Err(Error::OutcomeUnknown { .. }) => {
                println!("   the answer was lost: check the order book before trying again");
            }
            Err(other) => return Err(other.into()),
        }
    } else {
        println!("   skipped: --real places orders only with --allow-real-orders");
    }

    step(5, "unfilled orders (ka10075)");
    let unfilled = client
        .domestic()
        .account()
        .unfilled_orders(UnfilledOrdersRequest::new(
            StockType::All,
            SellBuyType::All,
            VenueFilter::Krx,
        ))
        .await?;
    if unfilled.unfilled.is_empty() {
        println!("   no unfilled orders");
    }
    for order in &unfilled.unfilled {
        println!(
            "   order {}: {} {} x {} at {} won, {} unfilled",
            show(order.order_number.clone()),
            show(order.trade_type.clone()),
            show(order.stock_name.clone()),
            show(order.order_quantity),
            show(order.order_price),
            show(order.unfilled_quantity),
        );
    }

    step(6, "realtime trades (0B) for a few seconds");
    let session = client.realtime(Market::Domestic).await?;
    // Typed: the session knows 0B is a stock-level type on the domestic socket, picks the
    // group number, and delivers its events on their own stream.
    let mut events = session.events_of::<StockTrade>();
    session.subscribe::<StockTrade>([STOCK]).await?;
    let until = Instant::now() + Duration::from_secs(3);
    let mut ticks = 0usize;
    while let Ok(Some(event)) = tokio::time::timeout_at(until.into(), events.next()).await {
        match event {
            Ok(TypedEvent::Real(trade)) => {
                ticks += 1;
                // The trade quantity's sign is the side that took liquidity, kept apart.
                let size = trade
                    .trade_quantity
                    .map(|q| format!("{} ({:?})", q.value(), q.aggressor()))
                    .unwrap_or_else(|| "-".into());
                println!(
                    "   tick {ticks}: {} {} won ({:?}), change {} ({}%), size {size}",
                    show(trade.execution_time),
                    show(trade.current_price),
                    trade.current_price.map(|p| p.direction()),
                    show(trade.previous_day_change),
                    show(trade.fluctuation_rate),
                );
            }
            Ok(TypedEvent::Gap(gap)) => {
                println!(
                    "   connection lost and restored: ticks missed ({} attempts)",
                    gap.attempts
                );
            }
            Ok(TypedEvent::System { code, message }) => {
                println!("   server notice {code}: {message}")
            }
            Err(error) => println!("   undecodable tick: {error}"),
        }
    }
    session.close().await;
    println!("   {ticks} ticks received");

    println!("\ndone.");
    if let Some(simulator) = simulator {
        simulator.shutdown().await;
    }
    Ok(())
}

enum Target {
    Simulator,
    KiwoomMock,
    KiwoomReal { allow_orders: bool },
}

impl Target {
    fn from_args(args: &[String]) -> Result<Target, BoxError> {
        let has = |flag: &str| args.iter().any(|a| a == flag);
        if let Some(unknown) = args
            .iter()
            .find(|a| !matches!(a.as_str(), "--mock" | "--real" | "--allow-real-orders"))
        {
            return Err(format!(
                "unknown argument {unknown}; use --mock, --real, --allow-real-orders"
            )
            .into());
        }
        match (has("--mock"), has("--real")) {
            (false, false) => Ok(Target::Simulator),
            (true, false) => Ok(Target::KiwoomMock),
            (false, true) => Ok(Target::KiwoomReal {
                allow_orders: has("--allow-real-orders"),
            }),
            (true, true) => Err("choose one of --mock and --real".into()),
        }
    }

    fn may_place_orders(&self) -> bool {
        !matches!(
            self,
            Target::KiwoomReal {
                allow_orders: false
            }
        )
    }
}

fn build_client(
    target: &Target,
    simulator: Option<&kiwoom_mock::MockServer>,
) -> Result<Client, BoxError> {
    let builder = Client::builder();
    let builder = match (target, simulator) {
        (Target::Simulator, Some(sim)) => {
            println!(
                "Kiwoom simulator running at {} (no credentials needed)",
                sim.base_url()
            );
            builder
                .environment(Environment::Custom {
                    base_url: sim.base_url(),
                    ws_url: sim.ws_url(),
                })
                .app_key("quickstart-app-key")
                .secret_key("quickstart-secret-key")
        }
        (target, _) => {
            let key = |name: &str| {
                std::env::var(name).map_err(|_| format!("{name} must be set for --mock / --real"))
            };
            let environment = match target {
                Target::KiwoomMock => Environment::Mock,
                _ => Environment::Real,
            };
            println!("Talking to Kiwoom ({environment:?})");
            builder
                .environment(environment)
                .app_key(key("KIWOOM_APP_KEY")?)
                .secret_key(key("KIWOOM_SECRET_KEY")?)
        }
    };
    Ok(builder.build()?)
}

fn step(n: u32, what: &str) {
    println!("\n[{n}/6] {what}");
}

fn kst() -> chrono::FixedOffset {
    chrono::FixedOffset::east_opt(9 * 3600).expect("UTC+9 is a valid offset")
}

/// Kiwoom's sign on a price is its direction against the previous close.
fn show<T: std::fmt::Display>(value: Option<T>) -> String {
    value.map_or_else(|| "-".to_owned(), |v| v.to_string())
}
