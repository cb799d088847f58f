//! Requests by api-id from JSON: every official REST/OAuth request example in spec/ reads
//! into its typed request and passes `validate()`; bad bodies and ids are refused, naming
//! the TR and the field, before anything is sent.

use codegen::spec::{Spec, Transport, workspace_spec_dir};
use kiwoom_generated::domestic_order::BuyStockRequest;
use kiwoom_generated::kiwoom_runtime::ValidationProblem;
use kiwoom_generated::kiwoom_runtime::codec::{Price, Quantity};
use kiwoom_generated::{Client, Environment, Error, call_json, parse_request};
use serde_json::{Value, json};

/// `TR field `wire` = value: problem`, with the raw value from the example when it has one.
fn describe(api_id: &str, body: &Value, e: &kiwoom_generated::ValidationError) -> String {
    let raw = body
        .get(e.field)
        .map(|v| v.to_string())
        .unwrap_or_else(|| "(absent)".to_owned());
    format!("{api_id} field `{}` = {raw}: {}", e.field, e.problem)
}

/// Request examples that fail because the spec disagrees with Kiwoom's own example (a code
/// missing from an enum, a field marked required that the example leaves empty). Reported
/// for the spec; the test fails when one of these starts to pass, so the list cannot go
/// stale.
const KNOWN_SPEC_PROBLEMS: &[(&str, &str)] = &[
    ("kt50030", "mrkt_deal_tp"), // "1" not among the documented codes ("5")
    ("kt50075", "mrkt_deal_tp"), // same
    ("ka50079", "tic_scope"),    // required, example sends ""
    ("ka50080", "tic_scope"),    // required, example sends ""
    ("ka10017", "trde_qty_tp"),  // "0000" not among the documented codes
    ("ka10018", "trde_qty_tp"),  // same
    ("ka10019", "trde_qty_tp"),  // same
    ("ust21132", "base_dt"),     // required, example sends ""
    ("ust21180", "strt_dt"),     // required, example sends ""
    ("ust21630", "fc_krw_tp"),   // required, example sends ""
    ("ust31302", "fc_exmn_amt"), // required, example sends ""
    ("usa24140", "sort_tp"),     // "0" not among the documented codes
    ("usa24141", "sort_tp"),     // same
];

#[test]
fn every_rest_request_example_parses_and_validates() {
    let spec = Spec::load(&workspace_spec_dir()).expect("spec loads");
    let mut failures = Vec::new();
    let mut checked = 0;
    for (_, _, tr) in spec.trs() {
        if !matches!(tr.transport, Transport::Rest | Transport::Oauth) {
            continue;
        }
        let Some(example) = &tr.examples.request else {
            continue;
        };
        checked += 1;
        let body: Value = serde_json::from_str(example).expect("examples are valid JSON");
        let request = match parse_request(&tr.id, &body) {
            Ok(request) => request,
            Err(e) => {
                failures.push(format!("parse: {}", describe(&tr.id, &body, &e)));
                continue;
            }
        };
        assert_eq!(request.api_id(), tr.id);
        if let Err(e) = request.validate() {
            failures.push(format!("validate: {}", describe(&tr.id, &body, &e)));
        }
    }
    for (api_id, field) in KNOWN_SPEC_PROBLEMS {
        let prefix = format!("{api_id} field `{field}`");
        match failures.iter().position(|f| f.contains(&prefix)) {
            Some(i) => println!("known spec problem: {}", failures.remove(i)),
            None => failures.push(format!(
                "{api_id}: listed as a known spec problem at `{field}` but it no longer fails; remove it"
            )),
        }
    }
    println!(
        "{checked} request examples checked, {} failed",
        failures.len()
    );
    assert!(checked > 250, "only {checked} request examples found");
    assert!(
        failures.is_empty(),
        "{} of {checked} request examples failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn deserialize_reads_the_wire_form_and_keeps_unknown_codes_for_validate() {
    let request: BuyStockRequest = serde_json::from_str(
        r#"{"dmst_stex_tp":"KRX","stk_cd":"005930","ord_qty":"10","ord_uv":"70000","trde_tp":"0"}"#,
    )
    .expect("reads");
    assert_eq!(request.order_quantity, Quantity(10));
    assert_eq!(request.order_unit_price, Some(Price(70000)));
    assert_eq!(request.trade_type.as_str(), "0");
    // Back to the same wire form.
    assert_eq!(
        serde_json::to_value(&request).unwrap(),
        json!({"dmst_stex_tp":"KRX","stk_cd":"005930","ord_qty":"10","ord_uv":"70000","trde_tp":"0"})
    );

    let body = json!({"dmst_stex_tp":"XYZ","stk_cd":"005930","ord_qty":"1","trde_tp":"3"});
    let request = parse_request("kt10000", &body).expect("an unknown code is kept");
    let err = request.validate().unwrap_err();
    assert_eq!((err.api_id, err.field), ("kt10000", "dmst_stex_tp"));
    assert_eq!(
        err.problem,
        ValidationProblem::UnknownCode {
            code: "XYZ".to_owned()
        }
    );
}

#[test]
fn bad_bodies_name_the_tr_and_field() {
    let err = parse_request(
        "kt10000",
        &json!({"dmst_stex_tp":"KRX","stk_cd":"005930","ord_qty":"1주","trde_tp":"3"}),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "kt10000 request field `ord_qty` (order_quantity): expected a whole number (got \"1주\")"
    );
    let err =
        parse_request("kt10000", &json!({"dmst_stex_tp":"KRX","stk_cd":"005930"})).unwrap_err();
    assert_eq!(err.field, "ord_qty");
    assert_eq!(err.problem, ValidationProblem::Missing);
    let err = parse_request(
        "ka10081",
        &json!({"stk_cd":"005930","base_dt":"2025-05-02","upd_stkpc_tp":"1"}),
    )
    .unwrap_err();
    assert_eq!(err.field, "base_dt");
    let err = parse_request(
        "kt10000",
        &json!({"dmst_stex_tp":"KRX","stk_cd":"005930","ord_qty":"1","trde_tp":"3","qty":"1"}),
    )
    .unwrap_err();
    assert!(
        err.to_string()
            .contains("`qty` is not a request field of kt10000")
    );
    let err = parse_request("kt10000", &json!(["not", "an", "object"])).unwrap_err();
    assert!(err.to_string().contains("must be a JSON object"));
}

#[test]
fn unknown_and_websocket_api_ids_are_refused() {
    let err = parse_request("ka99999", &json!({})).unwrap_err();
    assert_eq!(err.field, "api-id");
    assert!(err.to_string().contains("unknown api-id `ka99999`"));
    let err = parse_request("ka10171", &json!({})).unwrap_err();
    assert_eq!(err.api_id, "ka10171");
    assert!(err.to_string().contains("WebSocket"));
}

#[test]
fn every_rest_tr_is_dispatched() {
    let rest: Vec<_> = kiwoom_generated::registry::trs()
        .into_iter()
        .filter(|info| !info.path.ends_with("/websocket"))
        .collect();
    assert!(rest.len() > 250);
    for info in rest {
        // `{}` is a valid body only for TRs without required fields; either way the api-id
        // must be known (a missing field is the error, never the api-id).
        match parse_request(info.api_id, &json!({})) {
            Ok(request) => assert_eq!(request.api_id(), info.api_id),
            Err(e) => assert_ne!(e.field, "api-id", "{}: {e}", info.api_id),
        }
    }
}

#[tokio::test]
async fn call_json_refuses_bad_input_before_sending() {
    // Port 9 on loopback: if anything were sent, the error would be a transport error.
    let client = Client::builder()
        .environment(Environment::Custom {
            base_url: "http://127.0.0.1:9".to_owned(),
            ws_url: "ws://127.0.0.1:9".to_owned(),
        })
        .app_key("app-key")
        .secret_key("secret-key")
        .build()
        .expect("client builds");
    let err = call_json(&client, "ka99999", json!({})).await.unwrap_err();
    assert!(
        matches!(err, Error::Validation(ref v) if v.field == "api-id"),
        "{err}"
    );
    let err = call_json(&client, "kt10000", json!({"stk_cd": "005930"}))
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Validation(ref v) if v.api_id == "kt10000" && v.field == "dmst_stex_tp"),
        "{err}"
    );
    // Parsed, but refused by validate(): the unknown exchange code never leaves the client.
    let err = call_json(
        &client,
        "kt10000",
        json!({"dmst_stex_tp":"XYZ","stk_cd":"005930","ord_qty":"1","trde_tp":"3"}),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(err, Error::Validation(ref v) if matches!(v.problem, ValidationProblem::UnknownCode { .. })),
        "{err}"
    );
}
