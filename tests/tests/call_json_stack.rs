//! `call_json` dispatches over every TR of every enabled feature. Its future must stay small
//! however many TRs are enabled: a tool or bot that awaits it on an ordinary thread (2 MiB in
//! Rust, less in many runtimes) must not overflow the stack, in a debug build either. Awaiting
//! every arm inline once made its poll frame 1.8 MB with all features on (this test crate
//! enables them all).

use std::time::Duration;

use codegen::spec::Market;
use kiwoom_generated::call_json;
use kiwoom_mock::{MockConfig, MockServer};
use kiwoom_tests::runtime_support::local_builder;
use kiwoom_tests::spec_walk::setup_order;
use serde_json::json;

/// Far below a thread's default 2 MiB, far above what one call needs.
const SMALL_STACK: usize = 256 * 1024;

#[test]
fn call_json_runs_on_a_small_stack_with_every_feature_on() {
    let outer = tokio::runtime::Runtime::new().unwrap();
    let server = outer
        .block_on(MockServer::start(MockConfig::default()))
        .expect("simulator starts");
    let (base, ws) = (server.base_url(), server.ws_url());
    let answers = std::thread::Builder::new()
        .name("small-stack".into())
        .stack_size(SMALL_STACK)
        .spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async {
                let client = local_builder(&base, &ws)
                    .timeout(Duration::from_secs(10))
                    .build()
                    .unwrap();
                let quote = call_json(&client, "ka10001", json!({"stk_cd": "005930"}))
                    .await
                    .expect("ka10001");
                let (id, _, body) = setup_order(Market::Domestic, true);
                let order = call_json(&client, id, body).await.expect("kt10000");
                (quote.api_id(), order.api_id())
            })
        })
        .unwrap()
        .join()
        .expect("the small-stack thread finished");
    assert_eq!(answers, ("ka10001", "kt10000"));
}
