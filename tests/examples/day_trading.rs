//! Day trading: the opening-range breakout of `common/strategy.rs` (the type `backtest`
//! replays) on realtime trades (0B), its orders sent and followed through the order tracker
//! (a SQLite journal, 00/04 frames), each checked against the market rules before it
//! leaves, and flat before the close.
//!
//! ```sh
//! cargo run --example day_trading                          # the simulator, a day in seconds
//! cargo run --example day_trading -- --record day.ndjson   # keep the prices for `backtest --ticks`
//! cargo run --example day_trading -- --mock                # Kiwoom's mock server, in real time
//! ```
//!
//! Against the simulator the day runs fast: the simulator's market takes one step per
//! simulated minute, every `--step-ms` (15) milliseconds, from 09:00 KST, and the strategy's
//! clock follows those minutes. Against Kiwoom the clock is the wall clock and the run ends
//! at the 15:20 closing auction; `--real` places orders only with `--allow-real-orders`.

#[path = "common/strategy.rs"]
pub mod strategy;
#[path = "common/target.rs"]
pub mod target;

use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use futures::StreamExt;
use kiwoom_generated::prelude::*;
use kiwoom_generated::realtime::{Balance, OrderFill, StockTrade};
use kiwoom_market::{DomesticOrderType, InstrumentKind, MarketRules, OrderRequest, Venue};
use kiwoom_mock::MockConfig;
use kiwoom_orders::{
    Journal, KiwoomBroker, Ledger, Order, OrderIntent, OrderState, SqliteJournal, Tracker,
};
use rust_decimal::Decimal;
use strategy::{OpeningRangeBreakout, Params, Side, Signal};
use target::{BoxError, Connection, Target};

pub struct Options {
    pub target: Target,
    pub stock: String,
    pub seed: u64,
    /// Real milliseconds per simulated minute (simulator only).
    pub step_ms: u64,
    pub record: Option<std::path::PathBuf>,
}

/// What the day ended with (the example's test checks it).
#[derive(Debug)]
pub struct Summary {
    pub prices_seen: usize,
    pub orders: Vec<Order>,
    /// Orders the market rules refused before sending (none expected).
    pub refused: usize,
    pub position_at_end: i64,
    pub realized_pnl: Decimal,
    /// The strategy clock's time (KST) of the last order sent.
    pub last_order_at: Option<NaiveTime>,
}

/// The strategy's "now": the wall clock, or the simulated day's minute.
#[derive(Clone)]
enum Clock {
    Wall,
    Simulated {
        open: DateTime<Utc>,
        minutes: Arc<AtomicI64>,
    },
}

impl Clock {
    fn now(&self) -> DateTime<Utc> {
        match self {
            Clock::Wall => Utc::now(),
            Clock::Simulated { open, minutes } => {
                *open + chrono::Duration::minutes(minutes.load(Ordering::Relaxed))
            }
        }
    }
}

/// The trading day the strategy's clock plays against the simulator (a Wednesday the KRX
/// calendar lists as open): the session and the market rules are judged on it, whatever
/// day the host is on (a weekend included).
const SIMULATED_DAY: (i32, u32, u32) = (2026, 12, 2);

pub async fn run(options: Options) -> Result<Summary, BoxError> {
    let (y, m, d) = SIMULATED_DAY;
    let open_kst = NaiveDate::from_ymd_opt(y, m, d)
        .and_then(|d| d.and_hms_opt(9, 0, 0))
        .ok_or("date")?;
    // The simulator's clock stands at 09:00 of today (Seoul): the order journal dates the
    // 00 frames it follows by the host's date, so the simulator's orders must carry it too.
    // Its market walks the same ticks for a seed whatever the day (only the start differs).
    // Its 0B ticks come every 5 ms.
    let today = Utc::now().with_timezone(&kiwoom_market::kst()).date_naive();
    let config = MockConfig {
        realtime_interval: Duration::from_millis(5),
        ..MockConfig::default()
            .with_seed(options.seed)
            .with_clock(today.and_hms_opt(9, 0, 0).ok_or("09:00")?)
    };
    let connection = Connection::open(options.target, config).await?;
    let client = connection.client.clone();
    let account = connection.account().await?;

    // 1. The order tracker: a journal, a broker over the client, the account's 00/04.
    let dir = tempfile::tempdir()?;
    let ledger = Ledger::new(SqliteJournal::open(dir.path().join("orders.db")).await?);
    let tracker = Arc::new(Tracker::new(
        ledger.clone(),
        KiwoomBroker::new(client.clone(), account.as_str()),
    ));
    let trading_day = today;
    tracker.reconcile(&account, trading_day).await?;
    let session = client.realtime(Market::Domestic).await?;
    session.subscribe_account::<OrderFill>().await?;
    session.subscribe_account::<Balance>().await?;
    {
        let (tracker, events, account) = (tracker.clone(), session.events(), account.clone());
        tokio::spawn(async move { tracker.follow(&account, events).await });
    }
    let mut trades = session.events_of::<StockTrade>();
    session
        .subscribe::<StockTrade>([options.stock.as_str()])
        .await?;
    let mut record = match &options.record {
        Some(path) => Some(std::io::BufWriter::new(std::fs::File::create(path)?)),
        None => None,
    };

    // 2. The clock, started once everything listens: a simulated day driven here (one
    //    market step a minute), or the wall clock.
    let clock = match &connection.simulator {
        Some(sim) => {
            let open = open_kst
                .and_local_timezone(kiwoom_market::kst())
                .single()
                .ok_or("KST")?
                .with_timezone(&Utc);
            let minutes = Arc::new(AtomicI64::new(0));
            // The first step opens the day: until its market walks, the simulator streams
            // noise around the previous close instead of the walk's price.
            sim.control().step_market(1);
            let (control, tick, m) = (sim.control(), options.step_ms, minutes.clone());
            tokio::spawn(async move {
                for minute in 1..=390 {
                    tokio::time::sleep(Duration::from_millis(tick)).await;
                    control.step_market(1);
                    m.store(minute, Ordering::Relaxed);
                }
            });
            Clock::Simulated { open, minutes }
        }
        None => Clock::Wall,
    };
    if !strategy::continuous_session(clock.now()) && matches!(clock, Clock::Wall) {
        println!("the KRX continuous session is not open now: nothing to trade");
    }

    // 3. Trade: each 0B price goes to the strategy; its orders go out through the tracker.
    let rules = MarketRules::default();
    let close_auction = NaiveTime::from_hms_opt(15, 20, 0).ok_or("time")?;
    let mut strategy = OpeningRangeBreakout::new(Params::default());
    let mut pending: Option<(Order, Signal, DateTime<Utc>)> = None;
    let (mut prices_seen, mut refused, mut last_order_at) = (0, 0, None);
    while let Some(event) = trades.next().await {
        let now = clock.now();
        if now.with_timezone(&kiwoom_market::kst()).time() >= close_auction {
            break;
        }
        let trade = match event {
            Ok(TypedEvent::Real(trade)) => trade,
            Ok(TypedEvent::Gap(gap)) => {
                println!("connection restored after {} attempts", gap.attempts);
                continue;
            }
            Ok(TypedEvent::System { .. }) => continue,
            Err(e) => {
                println!("undecodable tick: {e}");
                continue;
            }
        };
        let Some(price) = trade.current_price.map(|p| p.value()) else {
            continue;
        };
        prices_seen += 1;
        if let Some(out) = record.as_mut() {
            serde_json::to_writer(&mut *out, &serde_json::json!({ "at": now, "price": price }))?;
            out.write_all(b"\n")?;
        }

        // An order out: tell the strategy once the journal says it is done. A limit the
        // price ran away from before it arrived rests; after 10 minutes it is cancelled and
        // the strategy decides again on what filled.
        if let Some((order, signal, sent_at)) = &pending {
            let order = ledger.order(order.id()).await?.ok_or("order gone")?;
            if order.state.is_terminal() {
                let average = order.average_fill_price().unwrap_or_default();
                let average = i64::try_from(average.round()).unwrap_or(price);
                strategy.on_done(signal.side, order.filled_quantity, average);
                pending = None;
            } else if now - *sent_at >= chrono::Duration::minutes(10)
                && matches!(
                    order.state,
                    OrderState::Accepted | OrderState::PartiallyFilled | OrderState::Amended
                )
            {
                println!("cancelling {}: not filled after 10 minutes", order.id());
                // Refused when it filled meanwhile: the next price sees it done.
                if let Err(e) = tracker.cancel(order.id(), None).await {
                    println!("cancel refused: {e}");
                }
            }
        }

        let Some(signal) = strategy.on_price(now, price) else {
            continue;
        };
        // The market rules at the strategy's instant: tick grid, session, holidays.
        let side = match signal.side {
            Side::Buy => kiwoom_market::Side::Buy,
            Side::Sell => kiwoom_market::Side::Sell,
        };
        let check = OrderRequest::new(
            Venue::Krx,
            side,
            DomesticOrderType::Limit,
            Decimal::from(signal.quantity),
            now,
        )
        .instrument(InstrumentKind::Stock)
        .price(Decimal::from(signal.limit));
        if let Err(violation) = rules.check(&check) {
            println!("refused before sending: {violation}");
            refused += 1;
            strategy.on_done(signal.side, 0, price);
            continue;
        }
        if !options.target.may_place_orders() {
            println!(
                "would {:?} {} at {} ({})",
                signal.side, signal.quantity, signal.limit, signal.reason
            );
            strategy.on_done(signal.side, signal.quantity, price);
            continue;
        }
        let limit = Some(Decimal::from(signal.limit));
        let intent = match signal.side {
            Side::Buy => OrderIntent::buy(&account, &options.stock, signal.quantity, limit)?,
            Side::Sell => OrderIntent::sell(&account, &options.stock, signal.quantity, limit)?,
        };
        let at = now.with_timezone(&kiwoom_market::kst()).time();
        println!(
            "{} price {price}: {:?} {} at {} ({})",
            at.format("%H:%M"),
            signal.side,
            signal.quantity,
            signal.limit,
            signal.reason
        );
        let order = tracker.submit(intent).await?;
        last_order_at = Some(at);
        pending = Some((order, signal, now));
    }
    session.close().await;
    println!(
        "opening range (low, high) {:?}; the strategy thinks it holds {} shares",
        strategy.range(),
        strategy.position()
    );

    // 4. The day's end: reconcile once more, then what the journal holds.
    tokio::time::sleep(Duration::from_millis(200)).await;
    tracker.reconcile(&account, trading_day).await?;
    let position = ledger.position(&account, &options.stock).await?;
    let (position_at_end, realized_pnl) =
        position.map_or((0, Decimal::ZERO), |p| (p.quantity, p.realized_pnl));
    let orders = ledger
        .journal()
        .orders(&kiwoom_orders::OrderFilter::default().account(&account))
        .await?;
    println!(
        "{prices_seen} prices, {} orders, {position_at_end} shares held at the end, realized P&L {realized_pnl} won",
        orders.len()
    );
    connection.close().await;
    Ok(Summary {
        prices_seen,
        orders,
        refused,
        position_at_end,
        realized_pnl,
        last_order_at,
    })
}

#[allow(dead_code)] // the example's test calls `run` and has its own entry point
#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let own = ["--stock", "--seed", "--step-ms", "--record"];
    let (target, values) = Target::from_args(&args, &own)?;
    let mut options = Options {
        target,
        stock: "005930".into(),
        seed: 3,
        step_ms: 15,
        record: None,
    };
    for (flag, value) in values {
        match flag.as_str() {
            "--stock" => options.stock = value,
            "--seed" => options.seed = value.parse()?,
            "--step-ms" => options.step_ms = value.parse()?,
            _ => options.record = Some(value.into()),
        }
    }
    run(options).await.map(drop)
}
