//! Runs the `track_orders` example's body (so CI runs the example, not only builds it) and
//! checks what it ended with.

#![cfg(feature = "kiwoom")]

#[path = "../examples/track_orders.rs"]
mod track_orders;

use kiwoom_orders::OrderState;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_example_places_amends_cancels_and_ends_with_the_right_position() {
    let summary = track_orders::run().await.expect("the example runs");
    let states: Vec<OrderState> = summary.orders.iter().map(|o| o.state).collect();
    assert_eq!(
        states,
        [
            OrderState::Filled,
            OrderState::Cancelled,
            OrderState::Filled
        ],
        "market buy, amended then cancelled limit buy, market sell"
    );
    let resting = &summary.orders[1];
    assert!(
        resting.amended && resting.cancelled_quantity == 5,
        "{resting:?}"
    );
    assert_eq!(summary.positions.len(), 1);
    assert_eq!(summary.positions[0].quantity, 10 - 4);
    assert_eq!(
        summary.differences, 0,
        "the journal agrees with Kiwoom's holdings"
    );
}
