//! Orders tell the truth: an order is `Ok` only when Kiwoom confirms it with return_code 0
//! and an order number. Answers are scripted (tests/src/scripted.rs); the order goes
//! through the generated kt10000 via `call_json`, exactly as a typed call would.

use kiwoom_runtime::{Error, RequestSent};
use kiwoom_tests::runtime_support::local_builder;
use kiwoom_tests::scripted::{Reply, Scripted};
use serde_json::json;

fn buy() -> serde_json::Value {
    json!({"dmst_stex_tp":"KRX","stk_cd":"005930","ord_qty":"1","ord_uv":"70000","trde_tp":"0"})
}

async fn order_answered(
    body: &'static str,
) -> (Result<kiwoom_generated::AnyResponse, Error>, usize) {
    let server = Scripted::start(move |_, _| Reply::ok(body)).await;
    let client = local_builder(&server.base_url, "ws://127.0.0.1:9")
        .build()
        .unwrap();
    let result = kiwoom_generated::call_json(&client, "kt10000", buy()).await;
    (result, server.requests().len())
}

#[tokio::test]
async fn accepted_but_undecodable_says_accepted_with_the_order_number() {
    let (result, sent) = order_answered(
        r#"{"ord_no":"0000123","dmst_stex_tp":{"unexpected":"object"},"return_code":0,"return_msg":"매수주문이 완료되었습니다"}"#,
    )
    .await;
    let err = result.unwrap_err();
    let Error::OrderAcceptedUndecodable {
        order_number,
        order,
        decode,
    } = &err
    else {
        panic!("expected OrderAcceptedUndecodable, got {err}");
    };
    assert_eq!(order_number.as_deref(), Some("0000123"));
    assert_eq!(order.api_id, "kt10000");
    assert_eq!(
        order.stock_code.as_ref().map(|c| c.to_string()).as_deref(),
        Some("005930")
    );
    assert_eq!(decode.field, "dmst_stex_tp");
    let text = err.to_string();
    assert!(
        text.contains("ACCEPTED") && text.contains("0000123"),
        "{text}"
    );
    assert_eq!(err.request_sent(), RequestSent::Yes);
    assert!(!err.is_retryable());
    assert_eq!(sent, 1, "never resent");
}

#[tokio::test]
async fn an_empty_or_null_return_code_answer_is_outcome_unknown_never_ok() {
    for body in [
        "{}",
        r#"{"return_code":null}"#,
        r#"{"ord_no":"0000124","return_code":null}"#,
        r#"{"ord_no":"0000125"}"#,
    ] {
        let (result, sent) = order_answered(body).await;
        let err = result.expect_err(body);
        let Error::OutcomeUnknown { order, cause } = &err else {
            panic!("{body}: expected OutcomeUnknown, got {err}");
        };
        assert_eq!(
            order.stock_code.as_ref().map(|c| c.to_string()).as_deref(),
            Some("005930"),
            "{body}"
        );
        let Error::Unconfirmed { raw, reason, .. } = &**cause else {
            panic!("{body}: cause {cause}");
        };
        assert_eq!(raw, body, "the raw answer is kept");
        assert!(reason.contains("return_code"), "{reason}");
        assert_eq!(err.request_sent(), RequestSent::Maybe);
        assert_eq!(sent, 1, "{body}: never resent");
    }
}

#[tokio::test]
async fn return_code_0_without_an_order_number_is_outcome_unknown() {
    for body in [
        r#"{"return_code":0,"return_msg":"ok"}"#,
        r#"{"ord_no":"","return_code":0}"#,
        r#"{"ord_no":"  ","dmst_stex_tp":"KRX","return_code":0}"#,
    ] {
        let (result, _) = order_answered(body).await;
        let err = result.expect_err(body);
        assert!(err.is_outcome_unknown(), "{body}: {err}");
        assert!(err.to_string().contains("no order number"), "{err}");
    }
}

#[tokio::test]
async fn a_confirmed_order_is_ok() {
    let (result, sent) = order_answered(
        r#"{"ord_no":"0000126","dmst_stex_tp":"KRX","return_code":0,"return_msg":"ok"}"#,
    )
    .await;
    result.expect("return_code 0 with an order number is a placed order");
    assert_eq!(sent, 1);
}

#[tokio::test]
async fn a_currency_exchange_needs_no_order_number_but_a_return_code() {
    // ust31302 is an order TR whose response has no order-number field (its summary's
    // action is `Other`): return_code 0 confirms it; a missing one does not.
    let exchange = serde_json::json!({"exch_tp": "1", "fc_exmn_amt": "100000"});
    let server = Scripted::start(|_, n| {
        Reply::ok(if n == 0 {
            r#"{"return_code":0,"return_msg":"ok"}"#
        } else {
            r#"{"return_msg":"?"}"#
        })
    })
    .await;
    let client = local_builder(&server.base_url, "ws://127.0.0.1:9")
        .build()
        .unwrap();
    kiwoom_generated::call_json(&client, "ust31302", exchange.clone())
        .await
        .expect("confirmed by return_code 0");
    let err = kiwoom_generated::call_json(&client, "ust31302", exchange)
        .await
        .unwrap_err();
    assert!(err.is_outcome_unknown(), "{err}");
}
