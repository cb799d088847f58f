//! Bounds and input checks on the REST path: a maximum answer size enforced while reading,
//! header-bound values that must be visible ASCII, and duplicate JSON keys refused (in a
//! request type's `Deserialize` and in body text given to `call_json`).

use futures::StreamExt;
use kiwoom_runtime::{Error, RequestSent};
use kiwoom_tests::runtime_support::{BuyOrder, DailyChart, StockInfo, local_builder};
use kiwoom_tests::scripted::{Reply, Scripted};
use serde_json::Value;

fn big_answer(bytes: usize) -> String {
    format!(r#"{{"return_code":0,"pad":"{}"}}"#, "x".repeat(bytes))
}

#[tokio::test]
async fn an_answer_over_the_cap_is_an_error_naming_tr_and_size() {
    let body = big_answer(300_000);
    let server = Scripted::start(move |_, _| Reply::ok(&body)).await;
    let client = local_builder(&server.base_url, "ws://127.0.0.1:9")
        .max_response_bytes(64 * 1024)
        .build()
        .unwrap();
    let err = client.call(StockInfo::new("005930")).await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::BodyTooLarge {
                api_id: "ka10001",
                limit: 65536,
                ..
            }
        ),
        "{err}"
    );
    assert!(
        err.to_string().contains("ka10001") && err.to_string().contains("65536"),
        "{err}"
    );
    assert_eq!(server.requests().len(), 1, "not resent");

    // For an order the answer was lost: outcome unknown, with the order.
    let err = client
        .call(BuyOrder::limit("005930", 1, 70000))
        .await
        .unwrap_err();
    let Error::OutcomeUnknown { cause, .. } = &err else {
        panic!("{err}")
    };
    assert!(
        matches!(
            **cause,
            Error::BodyTooLarge {
                api_id: "kt10000",
                ..
            }
        ),
        "{cause}"
    );

    // Under the cap, the same client reads it.
    let small = Scripted::start(|_, _| Reply::ok(&big_answer(1000))).await;
    let client = local_builder(&small.base_url, "ws://127.0.0.1:9")
        .max_response_bytes(64 * 1024)
        .build()
        .unwrap();
    client.call(StockInfo::new("005930")).await.unwrap();
}

#[tokio::test]
async fn header_values_must_be_visible_ascii_nothing_sent() {
    let server = Scripted::start(|_, _| Reply::ok(r#"{"return_code":0}"#)).await;
    let client = local_builder(&server.base_url, "ws://127.0.0.1:9")
        .build()
        .unwrap();
    for key in ["다음키", "abc\r\nx-evil: 1", "tab\there", "nul\0"] {
        let mut pages = client
            .call(DailyChart::new("005930"))
            .resume_from(key)
            .pages();
        let err = pages.next().await.unwrap().unwrap_err();
        let Error::Validation(v) = &err else {
            panic!("{key:?}: {err}")
        };
        assert_eq!((v.api_id, v.field), ("ka10081", "next-key"), "{err}");
        assert_eq!(err.request_sent(), RequestSent::No);
    }
    assert_eq!(server.requests().len(), 0, "nothing sent");
    // A plain key goes out as is.
    let mut pages = client
        .call(DailyChart::new("005930"))
        .resume_from("20250101-key_01")
        .pages();
    pages.next().await.unwrap().unwrap();
    assert_eq!(
        server.requests()[0].header("next-key"),
        Some("20250101-key_01")
    );
}

#[test]
fn duplicate_keys_in_request_json_are_refused() {
    // The request types' Deserialize (what `serde_json::from_str` of a request uses) sees
    // the text, so it can refuse a key given twice instead of keeping the last.
    let text =
        r#"{"dmst_stex_tp":"KRX","stk_cd":"005930","ord_qty":"1","ord_qty":"500","trde_tp":"3"}"#;
    let parsed: serde_json::Value = serde_json::from_str(text).unwrap();
    let kiwoom_generated::AnyRequest::Kt10000(typed) =
        kiwoom_generated::parse_request("kt10000", &parsed).unwrap()
    else {
        panic!("kt10000 parses as kt10000")
    };
    // serde_json's own Value keeps the last `ord_qty` silently...
    assert_eq!(parsed["ord_qty"], "500");
    // ...the request type refuses the text.
    let err = deserialize_like(&*typed, text).unwrap_err().to_string();
    assert!(
        err.contains("kt10000") && err.contains("ord_qty") && err.contains("more than once"),
        "{err}"
    );
}

/// `call_json` (and the registry's `parse_request`) read a body given as JSON text (a
/// `Value::String`) strictly: a key given twice, at any depth, is refused naming the TR and
/// the key, before anything (not even au10001) reaches the listener. The same text without
/// the duplicate goes out, so the listener does see what is sent.
#[tokio::test]
async fn call_json_refuses_duplicate_keys_in_body_text_nothing_sent() {
    let server = Scripted::start(|_, _| Reply::ok(r#"{"ord_no":"0000001","return_code":0}"#)).await;
    let client = local_builder(&server.base_url, "ws://127.0.0.1:9")
        .build()
        .unwrap();
    let cases = [
        (
            r#"{"dmst_stex_tp":"KRX","stk_cd":"005930","ord_qty":"1","ord_qty":"500","trde_tp":"3"}"#,
            "key `ord_qty` appears more than once",
        ),
        (
            r#"{"dmst_stex_tp":"KRX","stk_cd":"005930","ord_qty":"1","trde_tp":"3","x":[{"k":1,"k":2}]}"#,
            "key `k` appears more than once in `x[0]`",
        ),
    ];
    for (text, says) in cases {
        let err = kiwoom_generated::call_json(&client, "kt10000", Value::String(text.into()))
            .await
            .unwrap_err();
        let Error::Validation(v) = &err else {
            panic!("{text}: {err}")
        };
        assert_eq!(v.api_id, "kt10000", "{err}");
        assert!(err.to_string().contains(says), "{err}");
        assert_eq!(err.request_sent(), RequestSent::No);
    }
    assert_eq!(server.requests().len(), 0, "nothing reached the listener");

    let one = r#"{"dmst_stex_tp":"KRX","stk_cd":"005930","ord_qty":"1","trde_tp":"3"}"#;
    kiwoom_generated::call_json(&client, "kt10000", Value::String(one.into()))
        .await
        .expect("the text without the duplicate is sent");
    let orders: Vec<_> = server
        .requests()
        .into_iter()
        .filter(|r| r.path == "/api/dostk/ordr")
        .collect();
    assert_eq!(orders.len(), 1);
    let sent: Value = serde_json::from_str(&orders[0].body).unwrap();
    assert_eq!(sent["ord_qty"], "1");
}

/// Deserialize `text` as the same request type as `_example`.
fn deserialize_like<T: serde::de::DeserializeOwned>(
    _example: &T,
    text: &str,
) -> Result<(), serde_json::Error> {
    serde_json::from_str::<T>(text).map(|_| ())
}
