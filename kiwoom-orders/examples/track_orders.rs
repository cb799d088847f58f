//! Order tracking end to end against the embedded simulator: a journal (SQLite), a tracker
//! sending through the generated client, realtime fills (00) and balances (04) followed,
//! orders placed, amended and cancelled, positions printed.
//!
//! ```sh
//! cargo run -p kiwoom-orders --example track_orders
//! ```
//!
//! Nothing leaves this machine: the simulator listens on a loopback port. Against Kiwoom,
//! build the client with your keys and `Environment::Real` (or `Mock`) instead.

use std::error::Error;
use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use kiwoom_generated::realtime::{Balance, OrderFill};
use kiwoom_mock::{MockConfig, MockServer};
use kiwoom_orders::{
    Journal, KiwoomBroker, Ledger, Order, OrderIntent, OrderState, Position, SqliteJournal, Tracker,
};
use kiwoom_runtime::{Client, Environment, Market};
use rust_decimal::Decimal;

const ACCOUNT: &str = "81234567";
const STOCK: &str = "005930";

/// What the run ended with (the example's test checks it).
pub struct Summary {
    pub orders: Vec<Order>,
    pub positions: Vec<Position>,
    /// Position differences the final reconciliation reported (none expected).
    pub differences: usize,
}

/// Waits until the order reaches one of `states` (its realtime frames arrive on their own
/// task), up to a few seconds.
async fn until<J: kiwoom_orders::Journal, B: kiwoom_orders::Broker>(
    tracker: &Tracker<J, B>,
    order: &Order,
    states: &[OrderState],
) -> Result<Order, Box<dyn Error>> {
    for _ in 0..100 {
        let now = tracker
            .ledger()
            .order(order.id())
            .await?
            .ok_or("order gone")?;
        if states.contains(&now.state) {
            return Ok(now);
        }
        tokio::time::sleep(Duration::from_millis(30)).await;
    }
    Err(format!("{} never reached {states:?}", order.id()).into())
}

pub async fn run() -> Result<Summary, Box<dyn Error>> {
    // 1. The simulator, and a client pointed at it.
    let server = MockServer::start(MockConfig::default()).await?;
    let client = Client::builder()
        .environment(Environment::Custom {
            base_url: server.base_url(),
            ws_url: server.ws_url(),
        })
        .app_key("EXAMPLE-APP-KEY-0000")
        .secret_key("EXAMPLE-SECRET-KEY-0000")
        .build()?;

    // 2. The journal (a SQLite file) and the tracker.
    let dir = tempfile::tempdir()?;
    let journal = SqliteJournal::open(dir.path().join("orders.db")).await?;
    let ledger = Ledger::new(journal);
    let tracker = Arc::new(Tracker::new(
        ledger.clone(),
        KiwoomBroker::new(client.clone(), ACCOUNT),
    ));
    let today = chrono::Utc::now()
        .with_timezone(&kiwoom_orders::intent::seoul())
        .date_naive();
    // Orders left open by a previous run (none here: a fresh journal).
    tracker.reconcile(ACCOUNT, today).await?;

    // 3. Watch: every order update and every position change, printed as it comes.
    let mut updates = Box::pin(ledger.order_updates());
    tokio::spawn(async move {
        while let Some(Ok(u)) = updates.next().await {
            let o = &u.order;
            println!(
                "  [order] {:<28} {:<16} {:>2}/{:<2} filled  ({} from {})",
                o.id(),
                o.state,
                o.filled_quantity,
                o.intent.quantity,
                u.event.kind.name(),
                u.event.source.as_str()
            );
        }
    });
    let mut positions = Box::pin(ledger.position_updates());
    tokio::spawn(async move {
        while let Some(Ok(p)) = positions.next().await {
            let p = p.position;
            println!(
                "  [position] {} {:>3} shares at {} (realized {})",
                p.stock, p.quantity, p.average_price, p.realized_pnl
            );
        }
    });

    // 4. Realtime: order fills (00) and balances (04) of the account; a gap reconciles.
    let session = client.realtime(Market::Domestic).await?;
    session.subscribe_account::<OrderFill>().await?;
    session.subscribe_account::<Balance>().await?;
    {
        let tracker = tracker.clone();
        let events = session.events();
        tokio::spawn(async move { tracker.follow(ACCOUNT, events).await });
    }

    // 5. Orders.
    println!("buy 10 {STOCK} at the market");
    let bought = tracker
        .submit(OrderIntent::buy(ACCOUNT, STOCK, 10, None)?)
        .await?;
    let bought = until(&tracker, &bought, &[OrderState::Filled]).await?;
    let price = bought.average_fill_price().ok_or("no fill price")?;
    println!("filled at {price}");

    // A limit buy well below the market rests; amend it, then cancel it.
    let low = (price * Decimal::new(8, 1) / Decimal::from(100)).floor() * Decimal::from(100);
    println!(
        "buy 5 at {low} (rests), amend to {}, cancel",
        low + Decimal::from(100)
    );
    let resting = tracker
        .submit(OrderIntent::buy(ACCOUNT, STOCK, 5, Some(low))?)
        .await?;
    tracker
        .amend(resting.id(), None, Some(low + Decimal::from(100)))
        .await?;
    tracker.cancel(resting.id(), None).await?;

    println!("sell 4 at the market");
    let sold = tracker
        .submit(OrderIntent::sell(ACCOUNT, STOCK, 4, None)?)
        .await?;
    until(&tracker, &sold, &[OrderState::Filled]).await?;

    // 6. Make sure nothing was missed, then show what the journal knows.
    let report = tracker.reconcile(ACCOUNT, today).await?;
    println!(
        "reconciled: {} fills added, {} position differences",
        report.fills_added,
        report.differences.len()
    );
    let open = tracker.ledger().open_orders(ACCOUNT).await?;
    println!("open orders: {}", open.len());
    for fill in tracker.ledger().fills_of_day(ACCOUNT, today).await? {
        println!(
            "fill {} #{}: {:?} {} x {}",
            fill.fill.order_no, fill.fill.fill_no, fill.side, fill.fill.quantity, fill.fill.price
        );
    }
    let positions = tracker.ledger().positions(ACCOUNT).await?;
    for p in &positions {
        println!(
            "position {}: {} shares, average {}, realized {}",
            p.stock, p.quantity, p.average_price, p.realized_pnl
        );
    }
    let orders = tracker
        .ledger()
        .journal()
        .orders(&kiwoom_orders::OrderFilter::default().account(ACCOUNT))
        .await?;
    session.close().await;
    Ok(Summary {
        orders,
        positions,
        differences: report.differences.len(),
    })
}

#[allow(dead_code)] // the example's test calls `run` and has its own entry point
#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    run().await.map(drop)
}
