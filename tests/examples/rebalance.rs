//! Portfolio rebalancing: read the holdings (kt00018), compute the orders that bring each
//! stock to its target weight of the account's value, prices on each instrument's tick grid,
//! and print them. A dry run unless `--execute` is given.
//!
//! ```sh
//! cargo run --example rebalance                    # the simulator: a plan, nothing sent
//! cargo run --example rebalance -- --execute       # the simulator: the plan sent, then re-read
//! cargo run --example rebalance -- --real          # the plan for your real account, nothing sent
//! cargo run --example rebalance -- --real --execute --allow-real-orders
//! ```
//!
//! Against the simulator the account first buys a starting portfolio (100 Samsung
//! Electronics, 200 NAVER) so there is something to rebalance. Orders are limits at the
//! current price rounded onto the grid away from it (buys up, sells down), so they cross
//! now; an ETF's grid is 5 won, a stock's depends on its price (kiwoom-market's tables).
//! Sells are listed first: they free the cash the buys need.

#[path = "common/target.rs"]
pub mod target;

use kiwoom_generated::domestic_account::{
    AccountEvaluationBalanceQueryType, AccountEvaluationBalanceRequest, KrxOrNxt,
};
use kiwoom_generated::domestic_order::{BuyStockRequest, OrderVenue, SellStockRequest, TradeType};
use kiwoom_generated::domestic_stock_info::StockInfoRequest;
use kiwoom_generated::prelude::*;
use kiwoom_market::{InstrumentKind, Rounding};
use kiwoom_mock::MockConfig;
use rust_decimal::Decimal;
use target::{BoxError, Connection, Target};

/// The portfolio to reach: (code, kind, weight of the account's value). The rest is cash.
pub const TARGETS: &[(&str, InstrumentKind, f64)] = &[
    ("005930", InstrumentKind::Stock, 0.40),
    ("000660", InstrumentKind::Stock, 0.30),
    ("069500", InstrumentKind::Etf, 0.20),
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    Buy,
    Sell,
}

#[derive(Clone, Debug, PartialEq)]
pub struct PlannedOrder {
    pub stock: String,
    pub kind: InstrumentKind,
    pub side: Side,
    pub quantity: u64,
    pub price: i64,
}

/// The account as kt00018 shows it: value (cash + holdings) and (code, quantity, price).
#[derive(Clone, Debug, Default)]
pub struct Holdings {
    pub value: i64,
    pub rows: Vec<(String, i64, i64)>,
}

#[derive(Debug)]
pub struct Summary {
    pub before: Holdings,
    pub plan: Vec<PlannedOrder>,
    pub sent: usize,
    /// The holdings read again after the orders (equal to `before` in a dry run).
    pub after: Holdings,
}

pub async fn run(target: Target, execute: bool) -> Result<Summary, BoxError> {
    let connection = Connection::open(target, MockConfig::default()).await?;
    let client = &connection.client;
    if connection.simulator.is_some() {
        for (stock, quantity) in [("005930", 100), ("035420", 200)] {
            let order = BuyStockRequest::new(
                OrderVenue::Krx,
                stock,
                Quantity(quantity),
                TradeType::Market,
            );
            client.domestic().order().buy_stock(order).await?;
        }
        println!("starting portfolio bought: 100 x 005930, 200 x 035420");
    }

    let before = holdings(client).await?;
    print_holdings("before", &before);
    let plan = plan(client, &before).await?;
    for o in &plan {
        println!(
            "plan: {:?} {} x {} at {} won",
            o.side, o.quantity, o.stock, o.price
        );
    }

    let mut sent = 0;
    if !execute || !target.may_place_orders() {
        println!("dry run: nothing sent (--execute sends; --real also needs --allow-real-orders)");
    } else {
        for o in &plan {
            let (quantity, price) = (Quantity(o.quantity), Price(o.price));
            let answer = match o.side {
                Side::Sell => {
                    let r = SellStockRequest::new(
                        OrderVenue::Krx,
                        o.stock.as_str(),
                        quantity,
                        TradeType::Normal,
                    );
                    client
                        .domestic()
                        .order()
                        .sell_stock(r.order_unit_price(price))
                        .await?
                        .order_number
                }
                Side::Buy => {
                    let r = BuyStockRequest::new(
                        OrderVenue::Krx,
                        o.stock.as_str(),
                        quantity,
                        TradeType::Normal,
                    );
                    client
                        .domestic()
                        .order()
                        .buy_stock(r.order_unit_price(price))
                        .await?
                        .order_number
                }
            };
            println!(
                "sent: {:?} {} x {}: order {answer:?}",
                o.side, o.quantity, o.stock
            );
            sent += 1;
        }
    }
    let after = holdings(client).await?;
    print_holdings("after", &after);
    connection.close().await;
    Ok(Summary {
        before,
        plan,
        sent,
        after,
    })
}

/// The orders that move each holding to its target weight; stocks held but not targeted
/// are sold. Whole shares only, rounded toward zero, so the plan never spends more than
/// the account has.
async fn plan(client: &Client, now: &Holdings) -> Result<Vec<PlannedOrder>, BoxError> {
    let held = |code: &str| now.rows.iter().find(|(c, _, _)| c == code);
    let mut wanted: Vec<(String, InstrumentKind, f64)> = TARGETS
        .iter()
        .map(|(c, k, w)| (c.to_string(), *k, *w))
        .collect();
    for (code, _, _) in &now.rows {
        if !wanted.iter().any(|(c, _, _)| c == code) {
            // Not in the targets: weight 0 (its kind only matters for the grid; the
            // unknown-kind grid accepts any valid domestic price).
            wanted.push((code.clone(), InstrumentKind::DomesticUnknown, 0.0));
        }
    }
    let mut plan = Vec::new();
    for (code, kind, weight) in wanted {
        let (quantity, price) = match held(&code) {
            Some((_, q, p)) => (*q, *p),
            None => (0, current_price(client, &code).await?),
        };
        if price <= 0 {
            return Err(format!("no price for {code}").into());
        }
        let goal = (now.value as f64 * weight / price as f64).floor() as i64;
        let change = goal - quantity;
        let side = if change > 0 { Side::Buy } else { Side::Sell };
        let rounding = if side == Side::Buy {
            Rounding::Up
        } else {
            Rounding::Down
        };
        let grid = kiwoom_market::round_price(kind, Decimal::from(price), rounding);
        if change != 0 {
            plan.push(PlannedOrder {
                stock: code,
                kind,
                side,
                quantity: change.unsigned_abs(),
                price: i64::try_from(grid)?,
            });
        }
    }
    plan.sort_by_key(|o| o.side == Side::Buy); // sells first
    Ok(plan)
}

async fn holdings(client: &Client) -> Result<Holdings, BoxError> {
    let request = AccountEvaluationBalanceRequest::new(
        AccountEvaluationBalanceQueryType::Aggregated,
        KrxOrNxt::Krx,
    );
    let answer = client
        .domestic()
        .account()
        .account_evaluation_balance(request)
        .await?;
    let rows = answer
        .account_evaluation_balance_individual_total
        .iter()
        .filter_map(|r| {
            // Codes come as `A005930`.
            let code = r.stock_code.as_deref()?.trim_start_matches('A').to_owned();
            let price = r.current_price.map(|p| p.value())?;
            Some((code, r.holding_quantity.unwrap_or_default(), price))
        })
        .filter(|(_, quantity, _)| *quantity > 0)
        .collect();
    Ok(Holdings {
        value: answer.estimated_deposited_asset_amount.unwrap_or_default(),
        rows,
    })
}

async fn current_price(client: &Client, code: &str) -> Result<i64, BoxError> {
    let info = client
        .domestic()
        .stock_info()
        .stock_info(StockInfoRequest::new(code))
        .await?;
    Ok(info.current_price.map(|p| p.value()).unwrap_or_default())
}

fn print_holdings(when: &str, h: &Holdings) {
    println!("{when}: account value {} won", h.value);
    for (code, quantity, price) in &h.rows {
        let weight = (quantity * price) as f64 / h.value.max(1) as f64;
        println!(
            "  {code}: {quantity} at {price} won, {:.1}%",
            weight * 100.0
        );
    }
}

#[allow(dead_code)] // the example's test calls `run` and has its own entry point
#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let execute = args.iter().any(|a| a == "--execute");
    args.retain(|a| a != "--execute");
    let (target, _) = Target::from_args(&args, &[])?;
    run(target, execute).await.map(drop)
}
