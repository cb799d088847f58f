//! Runs the `day_trading` example against the simulator (a trading day in seconds) and
//! checks what it says: orders through the tracker, none refused by the market rules, all
//! on the tick grid, the last one before the closing auction, flat at the end.

#[path = "../examples/day_trading.rs"]
mod day_trading;

use std::time::Duration;

use day_trading::{Options, target::Target};
use kiwoom_market::{Decimal, InstrumentKind, is_valid_price};
use kiwoom_orders::OrderState;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_example_trades_through_the_tracker_and_is_flat_before_the_close() {
    let options = Options {
        target: Target::Simulator,
        stock: "005930".into(),
        seed: 3,
        step_ms: 15,
        record: None,
    };
    let summary = tokio::time::timeout(Duration::from_secs(90), day_trading::run(options))
        .await
        .expect("the day ends within 90 s")
        .expect("the example runs");
    println!(
        "{} prices, {} orders, P&L {}",
        summary.prices_seen,
        summary.orders.len(),
        summary.realized_pnl
    );
    for order in &summary.orders {
        println!(
            "{} {:?} {} {}/{} at {:?}",
            order.id(),
            order.intent.side,
            order.state,
            order.filled_quantity,
            order.intent.quantity,
            order.average_fill_price()
        );
    }
    assert!(summary.prices_seen > 300, "0B ticks all day");
    assert!(
        !summary.orders.is_empty(),
        "seed 3 breaks out at 09:32 and stays above the range"
    );
    assert_eq!(summary.refused, 0);
    // Marketable limits fill at once; one the price ran away from is cancelled after
    // ten minutes (possible on a loaded machine), never left open.
    for order in &summary.orders {
        assert!(
            matches!(order.state, OrderState::Filled | OrderState::Cancelled),
            "{order:?}"
        );
        let price = order.intent.price.expect("limit orders only");
        assert!(
            is_valid_price(InstrumentKind::Stock, price),
            "{price} on the grid"
        );
    }
    let last = summary.last_order_at.expect("orders");
    assert!(last < chrono::NaiveTime::from_hms_opt(15, 20, 0).expect("time"));
    assert_eq!(summary.position_at_end, 0, "flat before the close");
    // Filled buys and sells of the same quantity; the realized P&L is their difference.
    let value = |side| -> Decimal {
        summary
            .orders
            .iter()
            .filter(|o| o.intent.side == side)
            .map(|o| o.average_fill_price().unwrap_or_default() * Decimal::from(o.filled_quantity))
            .sum()
    };
    let pnl = value(kiwoom_orders::Side::Sell) - value(kiwoom_orders::Side::Buy);
    assert_eq!(pnl, summary.realized_pnl);
}
