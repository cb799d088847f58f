//! Runs the `rebalance` example against the simulator, dry and executed, and checks what it
//! says: a plan on the tick grid that sends nothing in a dry run, and, executed, holdings at
//! their target weights.

#[path = "../examples/rebalance.rs"]
mod rebalance;

use std::time::Duration;

use kiwoom_market::{Decimal, is_valid_price};
use rebalance::{Side, TARGETS, target::Target};

async fn run(execute: bool) -> rebalance::Summary {
    tokio::time::timeout(
        Duration::from_secs(60),
        rebalance::run(Target::Simulator, execute),
    )
    .await
    .expect("the example finishes within a minute")
    .expect("the example runs")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dry_run_plans_on_the_grid_and_sends_nothing() {
    let summary = run(false).await;
    assert_eq!(summary.sent, 0);
    assert_eq!(summary.before.rows, summary.after.rows, "nothing changed");
    // NAVER is not a target: all of it sold; the three targets bought.
    let naver = summary
        .plan
        .iter()
        .find(|o| o.stock == "035420")
        .expect("NAVER sold");
    assert_eq!((naver.side, naver.quantity), (Side::Sell, 200));
    for (code, _, _) in TARGETS {
        assert!(
            summary
                .plan
                .iter()
                .any(|o| o.stock == *code && o.side == Side::Buy),
            "{code}"
        );
    }
    assert_eq!(summary.plan[0].side, Side::Sell, "sells first");
    for o in &summary.plan {
        assert!(is_valid_price(o.kind, Decimal::from(o.price)), "{o:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn executed_the_holdings_reach_their_target_weights() {
    let summary = run(true).await;
    assert_eq!(summary.sent, summary.plan.len());
    let after = &summary.after;
    assert!(
        !after.rows.iter().any(|(c, _, _)| c == "035420"),
        "NAVER gone"
    );
    for (code, _, weight) in TARGETS {
        let (_, quantity, price) = after.rows.iter().find(|(c, _, _)| c == code).expect("held");
        let actual = (quantity * price) as f64 / after.value as f64;
        // Whole shares: within one share's price of the target.
        assert!(
            (actual - weight).abs() <= *price as f64 / after.value as f64 + 1e-9,
            "{code}: {actual} vs {weight}"
        );
    }
}
