//! Runs the `indicators` example against the simulator and checks its table; the
//! indicator module's own tests (published worked examples) run here too.

#[path = "../examples/indicators.rs"]
mod example;

use std::time::Duration;

use example::{Options, indicators, target::Target};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_example_pages_the_chart_and_computes_every_indicator() {
    let options = Options {
        target: Target::Simulator,
        stock: "005930".into(),
        pages: 4,
        show: 5,
    };
    let summary = tokio::time::timeout(Duration::from_secs(60), example::run(options))
        .await
        .expect("the example finishes within a minute")
        .expect("the example runs");
    // The simulator serves 20 rows a page: four pages, eighty days, oldest first.
    assert_eq!(summary.pages, 4);
    assert_eq!(summary.rows.len(), 80);
    assert!(summary.rows.windows(2).all(|w| w[0].date < w[1].date));
    let closes: Vec<f64> = summary.rows.iter().map(|r| r.close).collect();
    let last = summary.rows.last().expect("rows");
    // Every indicator has its window by the last day, and agrees with the module.
    let mean20 = closes[60..].iter().sum::<f64>() / 20.0;
    assert!((last.sma20.expect("sma") - mean20).abs() < 1e-6);
    assert_eq!(last.ema20, indicators::ema(&closes, 20)[79]);
    let rsi = last.rsi14.expect("rsi");
    assert!((0.0..=100.0).contains(&rsi));
    let macd = last.macd.expect("macd");
    assert!(macd.signal.is_some() && macd.histogram.is_some());
    let bands = last.bands.expect("bands");
    assert!(bands.lower <= bands.middle && bands.middle <= bands.upper);
    assert_eq!(bands.middle, last.sma20.expect("sma"));
    // And nothing before its window: the 19th day has no 20-day average.
    assert_eq!(summary.rows[18].sma20, None);
    assert!(summary.rows[19].sma20.is_some());
}
