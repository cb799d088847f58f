//! Stock codes in a request must name a listed instrument (see `universe`), as live: an
//! unknown code is refused before anything is processed with Kiwoom's documented
//! `1902 종목 정보가 없습니다. 입력한 종목코드 값을 확인바랍니다. 종목코드=<code>`, or, for a
//! US symbol asked on an exchange that does not list it, `1903 ... 거래소구분=<ex>,
//! 종목코드=<code>`. Both come back in the input-error class (return_code 2, HTTP 200) like
//! every other input check. No live capture of this answer exists; the codes and texts are
//! those of Kiwoom's error table (spec/errors.yaml).
//!
//! Checked: `stk_cd` and `jmcode` when non-empty. Some US ranking TRs take a JSON list of
//! `{stex_tp, stk_cd}` inside the `stk_cd` string (Kiwoom's own examples do); each entry of
//! it is checked.

use serde_json::{Map, Value};

use super::answer::text;
use crate::api_error::ApiError;
use crate::catalog::Catalog;
use crate::market::{self, Venue};

const CODE_FIELDS: [&str; 2] = ["stk_cd", "jmcode"];

/// US exchange codes a request may name for one symbol; ranking filters (`0`, `1`, `%`) are
/// not an exchange and do not restrict the lookup.
fn us_exchange(s: &str) -> Option<&str> {
    matches!(s, "ND" | "NY" | "NA").then_some(s)
}

fn check_one(
    catalog: &Catalog,
    venue: Venue,
    code: &str,
    exchange: Option<&str>,
) -> Result<(), ApiError> {
    let code = code.trim();
    if code.is_empty() {
        return Ok(());
    }
    match market::find(code, venue) {
        None => Err(match exchange {
            Some(ex) => ApiError::code(catalog, 1903, &[ex, code]),
            None => ApiError::code(catalog, 1902, &[code]),
        }),
        Some(stock) => match exchange {
            Some(ex) if venue == Venue::Us && stock.exchange != ex => {
                Err(ApiError::code(catalog, 1903, &[ex, code]))
            }
            _ => Ok(()),
        },
    }
}

/// Refuse a request naming an instrument the simulator does not list.
pub fn check(catalog: &Catalog, venue: Venue, body: &Map<String, Value>) -> Result<(), ApiError> {
    let exchange = match venue {
        Venue::Us => us_exchange(text(body, "stex_tp")),
        Venue::Krx => None,
    };
    for wire in CODE_FIELDS {
        let value = text(body, wire);
        if venue == Venue::Us && value.starts_with('[') {
            let Ok(Value::Array(entries)) = serde_json::from_str::<Value>(value) else {
                return Err(ApiError::code(
                    catalog,
                    1517,
                    &[wire, "종목 목록(JSON)이 올바르지 않습니다"],
                ));
            };
            for entry in &entries {
                let code = entry.get("stk_cd").and_then(Value::as_str).unwrap_or("");
                let ex = entry
                    .get("stex_tp")
                    .and_then(Value::as_str)
                    .and_then(us_exchange);
                check_one(catalog, venue, code, ex)?;
            }
            continue;
        }
        check_one(catalog, venue, value, exchange)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn body(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn known_codes_pass_and_unknown_ones_name_the_code() {
        let c = Catalog::default();
        for ok in [
            "005930",
            "A005930",
            "005930_NX",
            "069500",
            "57JBHH",
            "M04020000",
            "",
        ] {
            check(&c, Venue::Krx, &body(json!({ "stk_cd": ok }))).unwrap();
        }
        let e = check(&c, Venue::Krx, &body(json!({"stk_cd": "999999"}))).unwrap_err();
        assert_eq!(e.return_code, 2);
        assert_eq!(
            e.return_msg,
            "입력 값 오류입니다[1902:종목 정보가 없습니다. 입력한 종목코드 값을 확인바랍니다. 종목코드=999999]"
        );
        assert!(check(&c, Venue::Krx, &body(json!({"stk_cd": "samsung"}))).is_err());
        check(
            &c,
            Venue::Us,
            &body(json!({"stex_tp": "ND", "stk_cd": "AAPL"})),
        )
        .unwrap();
        check(
            &c,
            Venue::Us,
            &body(json!({"stex_tp": "0", "stk_cd": "KO"})),
        )
        .unwrap();
        let e = check(
            &c,
            Venue::Us,
            &body(json!({"stex_tp": "NY", "stk_cd": "AAPL"})),
        )
        .unwrap_err();
        assert!(
            e.return_msg.contains("[1903:")
                && e.return_msg.ends_with("거래소구분=NY, 종목코드=AAPL]")
        );
        let e = check(
            &c,
            Venue::Us,
            &body(json!({"stex_tp": "ND", "stk_cd": "NDVA"})),
        )
        .unwrap_err();
        assert!(e.return_msg.contains("[1903:"), "{}", e.return_msg);
        let list = r#"[{"stex_tp":"NY","stk_cd":"BA"},{"stex_tp":"ND","stk_cd":"AMGN"}]"#;
        check(
            &c,
            Venue::Us,
            &body(json!({"stex_tp": "0", "stk_cd": list})),
        )
        .unwrap();
        let bad = r#"[{"stex_tp":"ND","stk_cd":"BA"}]"#;
        assert!(check(&c, Venue::Us, &body(json!({"stex_tp": "0", "stk_cd": bad}))).is_err());
    }
}
