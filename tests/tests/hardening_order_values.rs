//! Issue 9: bad order values went out unchecked (quantity 0 or negative, a negative price,
//! a limit order without a price) and cost a round trip and a rate-limit slot before Kiwoom
//! refused them. Each is refused before sending, naming the TR and the field; the listener
//! sees nothing. A good order on the same client does reach it, so "nothing sent" is
//! observed, not assumed.

use kiwoom_runtime::market_rules::{Checks, MarketRules, OrderRules};
use kiwoom_runtime::{Error, RequestSent};
use kiwoom_tests::runtime_support::local_builder;
use kiwoom_tests::scripted::{Reply, Scripted};
use serde_json::{Value, json};

const PLACED: &str = r#"{"ord_no":"0000001","return_code":0,"return_msg":"ok"}"#;

/// A kt10000 body with `fields` replacing or adding to a valid market buy of 1 share.
fn buy(fields: Value) -> Value {
    let mut body = json!({"dmst_stex_tp":"KRX","stk_cd":"005930","ord_qty":"1","trde_tp":"3"});
    for (k, v) in fields.as_object().unwrap() {
        body[k] = v.clone();
    }
    body
}

#[tokio::test]
async fn zero_or_negative_quantities_and_prices_are_refused_nothing_sent() {
    let server = Scripted::start(|_, _| Reply::ok(PLACED)).await;
    // A `Custom` URL: market rules are off, so validate() alone must refuse these.
    let client = local_builder(&server.base_url, "ws://127.0.0.1:9")
        .build()
        .unwrap();
    let cases = [
        (json!({"ord_qty":"0"}), "ord_qty"),
        (json!({"ord_qty":"-5"}), "ord_qty"),
        (json!({"ord_uv":"0","trde_tp":"0"}), "ord_uv"),
        (json!({"ord_uv":"-70000","trde_tp":"0"}), "ord_uv"),
    ];
    for (fields, field) in cases {
        let body = buy(fields);
        let err = kiwoom_generated::call_json(&client, "kt10000", body.clone())
            .await
            .unwrap_err();
        let Error::Validation(v) = &err else {
            panic!("{body}: {err}")
        };
        assert_eq!((v.api_id, v.field), ("kt10000", field), "{body}: {err}");
        assert_eq!(err.request_sent(), RequestSent::No, "{body}");
    }
    assert_eq!(server.requests().len(), 0, "nothing sent, not even au10001");

    kiwoom_generated::call_json(&client, "kt10000", buy(json!({})))
        .await
        .expect("a good order goes out");
    assert_eq!(
        server
            .requests()
            .iter()
            .filter(|r| r.path == "/api/dostk/ordr")
            .count(),
        1
    );
}

#[tokio::test]
async fn a_limit_order_without_a_price_is_refused_nothing_sent() {
    let server = Scripted::start(|_, _| Reply::ok(PLACED)).await;
    // Only the shape rules, so the host's clock and calendar cannot decide this test.
    let shape_only = Checks {
        shape: true,
        ..Checks::NONE
    };
    let client = local_builder(&server.base_url, "ws://127.0.0.1:9")
        .market_rules(Some(OrderRules::new(
            MarketRules::default().with_checks(shape_only),
        )))
        .build()
        .unwrap();
    for body in [
        buy(json!({"trde_tp":"0"})),
        buy(json!({"trde_tp":"0","ord_uv":""})),
    ] {
        let err = kiwoom_generated::call_json(&client, "kt10000", body.clone())
            .await
            .unwrap_err();
        assert!(
            matches!(
                err,
                Error::MarketRule {
                    api_id: "kt10000",
                    ..
                }
            ),
            "{body}: {err}"
        );
        assert!(err.to_string().contains("ord_uv"), "{err}");
        assert_eq!(err.request_sent(), RequestSent::No);
    }
    assert_eq!(server.requests().len(), 0, "nothing sent");

    kiwoom_generated::call_json(
        &client,
        "kt10000",
        buy(json!({"trde_tp":"0","ord_uv":"70000"})),
    )
    .await
    .expect("a limit order with its price goes out");
    let sent: Vec<_> = server
        .requests()
        .into_iter()
        .filter(|r| r.path == "/api/dostk/ordr")
        .collect();
    assert_eq!(sent.len(), 1);
}
