//! Runs the `credit_order` example against the simulator (so CI runs it, not only builds
//! it) and checks what it says it did: a credit buy and its repayment, the holding up and
//! back down.

#[path = "../examples/credit_order.rs"]
mod credit_order;

use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn credit_buy_then_repayment_sell_moves_the_holding_up_and_back() {
    let summary = tokio::time::timeout(
        Duration::from_secs(60),
        credit_order::run(credit_order::target::Target::Simulator),
    )
    .await
    .expect("the example finishes within a minute")
    .expect("the example runs");
    assert!(summary.buy_order.is_some(), "{summary:?}");
    assert!(summary.repay_order.is_some(), "{summary:?}");
    assert_ne!(summary.buy_order, summary.repay_order);
    assert_eq!(
        summary.after_buy.quantity,
        summary.before.quantity + 10,
        "{summary:?}"
    );
    assert_eq!(
        summary.after_repayment.quantity, summary.before.quantity,
        "{summary:?}"
    );
}
