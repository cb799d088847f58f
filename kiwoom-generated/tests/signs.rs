//! Kiwoom's sign on a price is its direction against the previous close, not arithmetic:
//! a direction-signed field decodes into a magnitude and a direction, an arithmetic field
//! into a signed number, and both re-encode to the bytes they came from.

use kiwoom_generated::domestic_stock_info::StockInfoResponse;
use kiwoom_generated::kiwoom_runtime::TrResponse;
use kiwoom_generated::kiwoom_runtime::codec::Direction;

fn decode(year_low: &str, change: &str) -> StockInfoResponse {
    let body = format!(
        r#"{{"stk_cd":"005930","oyr_lwst":"{year_low}","pred_pre":"{change}","return_code":0,"return_msg":"ok"}}"#
    );
    StockInfoResponse::decode("ka10001", body.as_bytes()).expect("decodes")
}

fn reencoded(r: &StockInfoResponse, key: &str) -> String {
    let v = serde_json::to_value(r).expect("encodes");
    v[key].as_str().expect("a string").to_owned()
}

#[test]
fn direction_signed_and_arithmetic_fields_decode_and_reencode_exactly() {
    let cases = [
        ("-40100", 40_100, Direction::Down, -40_100),
        ("+41500", 41_500, Direction::Up, 41_500),
        ("40100", 40_100, Direction::Unchanged, 40_100),
        ("--1500", 1_500, Direction::Down, -1_500),
    ];
    for (raw, magnitude, direction, arithmetic) in cases {
        let r = decode(raw, raw);
        let low = r.year_lowest.expect("year low");
        assert_eq!(
            (low.value(), low.direction()),
            (magnitude, direction),
            "{raw}"
        );
        assert!(low.value() >= 0, "a price is never negative: {raw}");
        let change: i64 = r.previous_day_change.expect("change");
        assert_eq!(change, arithmetic, "{raw}");
        assert_eq!(
            reencoded(&r, "oyr_lwst"),
            raw,
            "price {raw} re-encodes as sent"
        );
        assert_eq!(
            reencoded(&r, "pred_pre"),
            raw,
            "change {raw} re-encodes as sent"
        );
    }
}

#[test]
fn sentinels_reencode_as_sent() {
    let body = br#"{"stk_cd":"005930","oyr_lwst":"","pred_pre":"   ","return_code":0}"#;
    let r = StockInfoResponse::decode("ka10001", body).expect("decodes");
    assert_eq!((r.year_lowest, r.previous_day_change), (None, None));
    let v = serde_json::to_value(&r).expect("encodes");
    assert_eq!(v["oyr_lwst"], "");
    assert_eq!(v["pred_pre"], "   ");
}

#[test]
fn a_changed_value_is_written_in_canonical_form() {
    let mut r = decode("+41500", "+500");
    r.previous_day_change = Some(-700);
    assert_eq!(reencoded(&r, "pred_pre"), "-700");
    assert_eq!(reencoded(&r, "oyr_lwst"), "+41500");
}
