//! Runs the `backtest` example's pieces against the simulator's seeded market: the same
//! seed gives the same trades and P&L, a recorded NDJSON day replays to the same result,
//! and the strategy ends the day flat.

#[path = "../examples/backtest.rs"]
mod backtest;

use std::time::Duration;

use backtest::strategy::{Params, Side};
use chrono::NaiveDate;

async fn day(seed: u64) -> Vec<backtest::Tick> {
    let date = NaiveDate::from_ymd_opt(2026, 12, 2).expect("date");
    tokio::time::timeout(
        Duration::from_secs(60),
        backtest::simulated_day(seed, "005930", date),
    )
    .await
    .expect("a simulated day within a minute")
    .expect("the simulator's market")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_seed_gives_the_same_pnl_and_a_recorded_day_replays_alike() {
    let first = backtest::replay(&day(7).await, Params::default());
    let second = backtest::replay(&day(7).await, Params::default());
    backtest::print(&first);
    assert_eq!(first, second, "deterministic for a seed");
    assert_eq!(first.ticks, 391, "09:00 to 15:30, a price a minute");
    assert!(!first.trades.is_empty(), "seed 7 breaks out: {first:?}");
    assert_eq!(first.position_at_end, 0, "flat at the end");
    // Every buy is matched by sells; the P&L is the sells minus the buys.
    let signed: i64 = first
        .trades
        .iter()
        .map(|t| {
            let value = t.price * t.quantity as i64;
            if t.side == Side::Buy { -value } else { value }
        })
        .sum();
    assert_eq!(signed, first.pnl);
    assert!(first.max_drawdown >= 0);
    // The last sell happens before the closing auction (15:20 KST).
    let last = first.trades.last().expect("trades");
    let kst = last.at.with_timezone(&kiwoom_market::kst()).time();
    assert!(
        kst < chrono::NaiveTime::from_hms_opt(15, 20, 0).expect("time"),
        "{kst}"
    );

    // The same day written as NDJSON and read back replays to the same result.
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("day.ndjson");
    backtest::write_ndjson(&path, &day(7).await).expect("written");
    let replayed = backtest::replay(
        &backtest::read_ndjson(&path).expect("read"),
        Params::default(),
    );
    assert_eq!(replayed, first);

    // Another seed is another day.
    assert_ne!(day(8).await, day(7).await);
}
