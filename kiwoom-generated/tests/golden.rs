//! Compiles the generator's golden output for the hand-written fixture spec
//! (`codegen/tests/fixtures/generate/basic.golden`) and exercises it: a golden that no
//! longer builds, or behaves differently, fails here.

#[path = "../../codegen/tests/fixtures/generate/basic.golden/kiwoom-generated/src/lib.rs"]
// The golden is a whole crate mounted as a module: this test uses only part of its API.
#[allow(dead_code, unused_imports)]
mod golden;

use golden::domestic_chart::{AdjustedPriceType, StockDailyChartRequest};
use golden::domestic_order::{DomesticExchange, MarketType, StockBuyOrderRequest};
use kiwoom_runtime::codec::{Price, Quantity};
use kiwoom_runtime::{PagedRequest, TrRequest, ValidationProblem};

#[test]
fn paged_chart_decodes_with_signs_scale_and_unknown_codes() {
    let body = br#"{"stk_cd":"005930","stk_dt_pole_chart_qry":[{"cur_prc":"-70100","trde_qty":"4294967295","dt":"20250908","pred_pre":"--600","trde_tern_rt":"+16","pred_pre_sig":"5","new_key":"x"}],"return_code":0,"return_msg":"ok","later":1}"#;
    let response = match golden::decode_response("ka10081", body).expect("decodes") {
        golden::AnyResponse::Ka10081(r) => r,
        other => panic!("wrong variant {other:?}"),
    };
    let rows = StockDailyChartRequest::into_items(*response.clone());
    assert_eq!(rows.len(), 1);
    let row = &rows[0];
    let price = row.current_price.expect("price");
    assert_eq!(
        (price.value(), price.direction()),
        (70100, kiwoom_runtime::codec::Direction::Down)
    );
    assert_eq!(row.volume, Some(4_294_967_295));
    assert_eq!(row.change_from_previous, Some(-600));
    assert_eq!(
        row.turnover_rate.map(|d| d.to_string()),
        Some("0.16".to_owned())
    );
    assert_eq!(row.change_sign.as_ref().map(|s| s.as_str()), Some("5"));
    assert!(row.extra_fields().contains_key("new_key"));
    assert!(response.extra_fields().contains_key("later"));
    let json = serde_json::to_value(&*response).unwrap();
    // Decoded values re-encode exactly as they came (WireForms).
    assert_eq!(json["stk_dt_pole_chart_qry"][0]["trde_tern_rt"], "+16");
    assert_eq!(json["stk_dt_pole_chart_qry"][0]["pred_pre"], "--600");
    assert_eq!(json["return_code"], 0);
}

#[test]
fn decode_errors_name_the_path_and_raw_value() {
    let body = br#"{"stk_dt_pole_chart_qry":[{"cur_prc":"1"},{"cur_prc":"12x"}]}"#;
    let err = golden::decode_response("ka10081", body).unwrap_err();
    assert_eq!(err.api_id, "ka10081");
    assert_eq!(err.field, "stk_dt_pole_chart_qry[1].cur_prc");
    assert_eq!(err.raw, "12x");
}

#[test]
fn required_response_field_missing_is_an_error() {
    let err =
        golden::decode_response("au10001", br#"{"token_type":"bearer","token":"t"}"#).unwrap_err();
    assert_eq!(err.field, "expires_dt");
}

#[test]
fn order_request_validates_and_serializes_wire_strings() {
    let request = StockBuyOrderRequest::new(
        DomesticExchange::Krx,
        "005930",
        Quantity(10),
        MarketType::Limit,
    )
    .order_price(Price(70000));
    request.validate().expect("valid");
    let json = serde_json::to_string(&request).unwrap();
    assert_eq!(
        json,
        r#"{"dmst_stex_tp":"KRX","stk_cd":"005930","ord_qty":"10","ord_uv":"70000","trde_tp":"0"}"#
    );
    let summary = request.order_summary().expect("orders have a summary");
    assert_eq!(summary.action, Some(kiwoom_runtime::OrderAction::Buy));
    assert_eq!(summary.quantity, Some(Quantity(10)));
    assert_eq!(summary.price, Some(rust_decimal::Decimal::from(70000)));
    assert!(<StockBuyOrderRequest as TrRequest>::INFO.safety.is_order());

    let unknown = StockBuyOrderRequest::new(
        DomesticExchange::from_code("XYZ"),
        "005930",
        Quantity(1),
        MarketType::Market,
    );
    let err = unknown.validate().unwrap_err();
    assert_eq!((err.field, err.rust_name), ("dmst_stex_tp", "exchange"));
    assert_eq!(
        err.problem,
        ValidationProblem::UnknownCode {
            code: "XYZ".to_owned()
        }
    );

    let empty =
        StockBuyOrderRequest::new(DomesticExchange::Krx, "", Quantity(1), MarketType::Market);
    assert_eq!(
        empty.validate().unwrap_err().problem,
        ValidationProblem::Missing
    );
}

#[test]
fn enums_round_trip_every_code_and_keep_unknown_ones() {
    for code in AdjustedPriceType::values() {
        assert_eq!(AdjustedPriceType::from_code(code).as_str(), *code);
    }
    assert_eq!(MarketType::from_code("Unknown"), MarketType::UnknownValue);
    let other: AdjustedPriceType = "7".parse().unwrap();
    assert_eq!(other.as_str(), "7");
    assert!(other.korean().is_none());
}

#[test]
fn condition_search_array_rows_and_realtime_push() {
    let list = golden::decode_response(
        "ka10171",
        br#"{"trnm":"CNSRLST","return_code":0,"data":[["0","A"],["1","B","extra"]]}"#,
    )
    .unwrap();
    let json = serde_json::to_value(&list).unwrap();
    assert_eq!(json["data"][1], serde_json::json!(["1", "B", "extra"]));
    let request = golden::domestic_condition_search::ConditionSearchListRequest::default();
    assert_eq!(
        serde_json::to_string(&request).unwrap(),
        r#"{"trnm":"CNSRLST"}"#
    );

    let push = br#"{"trnm":"REAL","data":[{"values":{"20":"165208","10":"-20800","99":"x"},"type":"0B","name":"n","item":"005930"},{"values":{},"type":"ZZ","name":"","item":""}]}"#;
    let frame = golden::registry::decode_push("0B", push).unwrap();
    match &frame.data[0] {
        golden::realtime::RealtimeEvent::StockExecution(e) => {
            let price = e.current_price.expect("price");
            assert_eq!(
                (price.value(), price.direction()),
                (20800, kiwoom_runtime::codec::Direction::Down)
            );
            assert_eq!(e.extra_values().get("99").map(String::as_str), Some("x"));
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        frame.data[1],
        golden::realtime::RealtimeEvent::Unknown(_)
    ));
    let bad = br#"{"trnm":"REAL","data":[{"values":{"10":"abc"},"type":"0B"}]}"#;
    assert_eq!(
        golden::registry::decode_push("0B", bad).unwrap_err().field,
        "data[0].values.10"
    );
}

#[test]
fn secrets_do_not_show_in_debug() {
    let request =
        golden::oauth_token::IssueRequest::new("client_credentials", "my-app-key", "my-secret");
    let debug = format!("{request:?}");
    assert!(
        !debug.contains("my-app-key") && !debug.contains("my-secret"),
        "{debug}"
    );
}

#[test]
fn the_golden_request_is_the_one_the_client_sends() {
    let date = chrono::NaiveDate::from_ymd_opt(2025, 9, 8).unwrap();
    let request = StockDailyChartRequest::new("005930", date, AdjustedPriceType::Adjusted);
    assert_eq!(
        serde_json::to_string(&request).unwrap(),
        r#"{"stk_cd":"005930","base_dt":"20250908","upd_stkpc_tp":"1"}"#
    );
}
