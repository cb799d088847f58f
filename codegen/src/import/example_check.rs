//! Kiwoom's response examples against the table (quirks #51-#55): keys on one side only are
//! reported; a value that cannot parse under the inferred type lowers the type (integer ->
//! decimal -> text; a date or time with 14 digits -> datetime; else text), because a wrong integer would break decoding of real traffic. The
//! table stays the truth for which fields exist.

use serde_json::Value;

use crate::spec::{Field, Tr, ValueType};

use super::report::Report;
use super::values::fits;

pub fn check(tr: &mut Tr, report: &mut Report) {
    if tr.examples.response_invalid.is_some() {
        return;
    }
    let id = tr.id.clone();
    if let Some(text) = tr.examples.response.clone()
        && let Ok(Value::Object(map)) = serde_json::from_str::<Value>(&text)
        && !tr.response.is_empty()
    {
        walk_object(&id, "response", &map, &mut tr.response, report);
    }
    // REAL frames: data[].values against the realtime values.
    if let (Some(text), Some(rt)) = (tr.examples.push.clone(), tr.realtime.as_mut())
        && let Ok(frame) = serde_json::from_str::<Value>(&text)
    {
        for item in frame
            .get("data")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(Value::Object(values)) = item.get("values") {
                walk_object(&id, "values", values, &mut rt.values, report);
            }
        }
    }
}

const ENVELOPE: &[&str] = &[
    "return_code",
    "return_msg",
    "trnm",
    "returnCode",
    "returnMsg",
];

fn walk_object(
    id: &str,
    path: &str,
    map: &serde_json::Map<String, Value>,
    fields: &mut [Field],
    report: &mut Report,
) {
    for (key, value) in map {
        if path == "response" && ENVELOPE.contains(&key.as_str()) {
            continue;
        }
        let Some(field) = fields.iter_mut().find(|f| &f.wire == key) else {
            report.add(
                "example-vs-table",
                format!("{id} {path}: example key `{key}` is not in the table"),
            );
            continue;
        };
        let here = format!("{path}.{key}");
        match (value, field.ty) {
            (Value::Array(rows), ValueType::List) => {
                for row in rows {
                    if let Value::Object(row) = row {
                        walk_object(id, &here, row, &mut field.fields, report);
                    }
                }
            }
            (Value::Object(inner), ValueType::Object) => {
                walk_object(id, &here, inner, &mut field.fields, report)
            }
            (Value::String(s), ty) => lower_if_needed(id, &here, s, field, ty, report),
            (Value::Number(n), ty) => lower_if_needed(id, &here, &n.to_string(), field, ty, report),
            (other, ty) => report.add(
                "example-vs-table",
                format!("{id} {here}: example value {other} for a {ty:?} field"),
            ),
        }
    }
    let missing: Vec<&str> = fields
        .iter()
        .filter(|f| !map.contains_key(&f.wire))
        .map(|f| f.wire.as_str())
        .collect();
    if !missing.is_empty() && path == "response" {
        report.add(
            "example-vs-table",
            format!(
                "{id} {path}: table keys missing from the example: {}",
                missing.join(", ")
            ),
        );
    }
}

/// Kiwoom's request example against the finished request fields (after overrides and the
/// length rule): a value the generated `validate()` would refuse means the spec or the
/// example is wrong. The spec is fixed by rules or overrides where the example is right;
/// what remains is reported, each case with the reason the table was kept.
pub fn check_request(tr: &Tr, report: &mut Report) {
    let Some(Ok(Value::Object(map))) = tr
        .examples
        .request
        .as_deref()
        .map(serde_json::from_str::<Value>)
    else {
        return;
    };
    for (key, value) in &map {
        let Some(field) = tr.request.iter().find(|f| &f.wire == key) else {
            continue;
        };
        let Value::String(raw) = value else {
            continue;
        };
        let mut why = Vec::new();
        if !fits(field.ty, &field.codec, raw) {
            why.push(format!("not a {:?}", field.ty).to_lowercase());
        }
        if let Some(e) = &field.enumeration
            && !raw.is_empty()
            && !e.values.iter().any(|v| &v.code == raw)
        {
            let codes: Vec<&str> = e.values.iter().map(|v| v.code.as_str()).collect();
            why.push(format!("not one of the codes {}", codes.join(",")));
        }
        if let Some(max) = field.max_length
            && raw.chars().count() > max as usize
        {
            why.push(format!("longer than max_length {max}"));
        }
        if !why.is_empty() {
            report.add(
                "request-example-invalid",
                format!(
                    "{} request.{key}: example {raw:?} is {}; the table is kept",
                    tr.id,
                    why.join(", ")
                ),
            );
        }
    }
}

fn lower_if_needed(
    id: &str,
    path: &str,
    raw: &str,
    field: &mut Field,
    ty: ValueType,
    report: &mut Report,
) {
    if fits(ty, &field.codec, raw) {
        return;
    }
    let temporal = matches!(ty, ValueType::Date | ValueType::Time);
    let clock = field.wire.ends_with("tm") || field.korean.contains("시간");
    let lowered = if ty == ValueType::Integer && fits(ValueType::Decimal, &field.codec, raw) {
        ValueType::Decimal
    } else if temporal && fits(ValueType::Datetime, &field.codec, raw) {
        // A label said "date" or "time" but the example has 14 digits (au10001
        // `expires_dt`, usa06010 `cntr_tm`): a date with its time.
        ValueType::Datetime
    } else if ty == ValueType::Date && clock && fits(ValueType::Time, &field.codec, raw) {
        // Six digits in a field named a time (ka10004 `bid_req_base_tm`). Six digits alone
        // are not enough: `202605` is a month, `000000` a placeholder.
        ValueType::Time
    } else {
        ValueType::Text
    };
    if lowered == ValueType::Text {
        field.codec = Default::default();
        field.unit = field.unit.take();
        // Six digits that are no time of day: a session time past midnight (`273500`).
        if ty == ValueType::Time && raw.len() == 6 && raw.bytes().all(|b| b.is_ascii_digit()) {
            field.unit = Some(super::session_times::SESSION_TIME_UNIT.to_string());
        }
    }
    report.add(
        "type-lowered-by-example",
        format!("{id} {path}: example {raw:?} is not {ty:?}; typed {lowered:?}"),
    );
    field.ty = lowered;
}
