//! Request checks before anything is processed: required fields (1511), then format,
//! length and enumerated codes (1517), each naming the wire field. Where Kiwoom's own request
//! example sends what the field table refuses, `example_decisions` widens the table.

use codegen::spec::{Field, Tr, ValueType};
use serde_json::{Map, Value};

use crate::api_error::ApiError;
use crate::catalog::Catalog;
use crate::example_decisions;

fn is_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

fn unsigned(s: &str) -> &str {
    s.strip_prefix(['+', '-']).unwrap_or(s)
}

/// Why a present value is malformed, if it is.
fn format_problem(f: &Field, s: &str) -> Option<String> {
    // Dates, times and coded values have their own exact format; their documented lengths are
    // sometimes wrong (a date of length 3, 5-character codes of length 4), so only free values
    // are held to max_length.
    let free = matches!(
        f.ty,
        ValueType::Text | ValueType::Integer | ValueType::Decimal
    );
    if let Some(max) = f.max_length.filter(|_| free) {
        if max > 0 && s.chars().count() > max as usize {
            return Some(format!("최대 길이({max})를 초과했습니다"));
        }
    }
    match f.ty {
        ValueType::Integer if !is_digits(unsigned(s)) => Some("숫자 형식이 아닙니다".into()),
        ValueType::Decimal => {
            let body = unsigned(s);
            let ok = match body.split_once('.') {
                Some((i, d)) => is_digits(i) && is_digits(d),
                None => is_digits(body),
            };
            (!ok).then(|| "숫자 형식이 아닙니다".into())
        }
        ValueType::Date
            if chrono::NaiveDate::parse_from_str(s, "%Y%m%d").is_err() || s.len() != 8 =>
        {
            Some("날짜 형식(YYYYMMDD)이 아닙니다".into())
        }
        ValueType::Time if !(is_digits(s) && (s.len() == 6 || s.len() == 4)) => {
            Some("시간 형식(HHMMSS)이 아닙니다".into())
        }
        ValueType::Datetime if !(is_digits(s) && s.len() == 14) => {
            Some("일시 형식(YYYYMMDDHHMMSS)이 아닙니다".into())
        }
        ValueType::Enum => {
            let codes = f.enumeration.as_ref()?;
            let known = codes
                .values
                .iter()
                .any(|v| v.code == s || v.code.trim() == s.trim());
            (!known).then(|| format!("허용되지 않는 값입니다({s})"))
        }
        _ => None,
    }
}

pub fn check(catalog: &Catalog, tr: &Tr, body: &Map<String, Value>) -> Result<(), ApiError> {
    for f in &tr.request {
        let missing = match body.get(&f.wire) {
            None | Some(Value::Null) => true,
            Some(Value::String(s)) => s.trim().is_empty(),
            Some(Value::Array(a)) => a.is_empty(),
            Some(_) => false,
        };
        if missing {
            if f.required && !example_decisions::accepts_empty(&tr.id, &f.wire) {
                return Err(ApiError::code(catalog, 1511, &[&f.wire]));
            }
            continue;
        }
        match (&body[&f.wire], f.ty) {
            (Value::String(s), ValueType::Enum)
                if example_decisions::accepts_code(&tr.id, &f.wire, s) => {}
            (Value::String(s), _) => {
                if let Some(reason) = format_problem(f, s) {
                    return Err(ApiError::code(catalog, 1517, &[&f.wire, &reason]));
                }
            }
            (Value::Array(_), ValueType::List) | (Value::Object(_), ValueType::Object) => {}
            _ => {
                return Err(ApiError::code(
                    catalog,
                    1517,
                    &[&f.wire, "값은 문자열이어야 합니다"],
                ));
            }
        }
    }
    Ok(())
}
