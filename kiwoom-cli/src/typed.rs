//! Wire values as typed JSON, for `kiwoom mcp` answers and `kiwoom stream` events: keys
//! are the fields' Rust names, numbers are JSON numbers, a price whose sign is its
//! direction is `{value, direction}`, a trade side is `{quantity, side}`, dates and times
//! are ISO text, a code is `{code, name, label}`. The meaning comes from the generated
//! table (`catalog::Field`: type and sign), the same one the CLI's table output reads; an
//! MCP answer carries the wire body beside it, unchanged.

use serde_json::{Map, Number, Value as Json, json};

use crate::catalog::Field;

/// `body` (a wire object) with every field the table knows typed and renamed; keys it does
/// not know are kept under their wire names.
pub fn body(fields: &[Field], body: &Json) -> Json {
    let Json::Object(map) = body else {
        return body.clone();
    };
    object(fields, "", map)
}

/// One object: top-level fields (`prefix` empty) or a row of list `prefix` (`oso[].`).
fn object(fields: &[Field], prefix: &str, map: &Map<String, Json>) -> Json {
    let mut typed = Map::new();
    for (wire, v) in map {
        let path = format!("{prefix}{wire}");
        let field = fields.iter().find(|f| f.path == path);
        let name = field.map_or(wire.as_str(), |f| f.rust).to_owned();
        let value = match (v, field) {
            (Json::Array(rows), _) => {
                let row_prefix = format!("{path}[].");
                Json::Array(
                    rows.iter()
                        .map(|row| match row {
                            Json::Object(r) => object(fields, &row_prefix, r),
                            other => other.clone(),
                        })
                        .collect(),
                )
            }
            (Json::String(text), Some(f)) => value(text, f),
            (other, _) => other.clone(),
        };
        typed.insert(name, value);
    }
    Json::Object(typed)
}

/// One wire value by its field's type and sign; text that does not read as its type is
/// returned as it is (trimmed), never dropped.
pub fn value(text: &str, f: &Field) -> Json {
    let text = text.trim();
    if text.is_empty() {
        return Json::Null;
    }
    let typed = match f.ty {
        "integer" | "decimal" => number(text, f.ty == "integer", f.sign),
        "date" => date(text),
        "time" => time(text),
        "datetime" if text.len() == 14 => match (date(&text[..8]), time(&text[8..])) {
            (Some(Json::String(d)), Some(Json::String(t))) => Some(json!(format!("{d}T{t}"))),
            _ => None,
        },
        "enum" => Some(match f.values.iter().find(|v| v.code == text) {
            Some(v) => json!({"code": v.code, "name": v.name, "label": v.korean}),
            None => json!({"code": text}),
        }),
        _ => None,
    };
    typed.unwrap_or_else(|| json!(text))
}

/// Kiwoom's number text: signs first (doubled ones too: `--1500`, `+-2076560`), zero-padded
/// digits, maybe a fraction. A direction or side is the first sign; a value's own sign is
/// the last one (the CLI's table output reads them the same way).
fn number(text: &str, integer: bool, sign: &str) -> Option<Json> {
    let digits = text.trim_start_matches(['+', '-']);
    let signs = &text[..text.len() - digits.len()];
    let magnitude: Json = if integer {
        json!(digits.parse::<i64>().ok()?)
    } else {
        if !digits.chars().all(|c| c.is_ascii_digit() || c == '.') {
            return None;
        }
        Json::Number(Number::from_f64(digits.parse::<f64>().ok()?)?)
    };
    let first = signs.chars().next();
    Some(match sign {
        "direction" => json!({
            "value": magnitude,
            "direction": match first { Some('+') => "up", Some('-') => "down", _ => "unchanged" },
        }),
        "side" => json!({
            "quantity": magnitude,
            "side": match first { Some('+') => "buy", Some('-') => "sell", _ => "unknown" },
        }),
        _ if signs.ends_with('-') => negate(magnitude)?,
        _ => magnitude,
    })
}

fn negate(v: Json) -> Option<Json> {
    match v {
        Json::Number(n) if n.is_i64() => Some(json!(-n.as_i64()?)),
        Json::Number(n) => Some(Json::Number(Number::from_f64(-n.as_f64()?)?)),
        other => Some(other),
    }
}

fn date(text: &str) -> Option<Json> {
    if text == "00000000" {
        return Some(Json::Null);
    }
    let d = chrono::NaiveDate::parse_from_str(text, "%Y%m%d").ok()?;
    Some(json!(d.format("%Y-%m-%d").to_string()))
}

fn time(text: &str) -> Option<Json> {
    let t = chrono::NaiveTime::parse_from_str(text, "%H%M%S").ok()?;
    Some(json!(t.format("%H:%M:%S").to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Value;

    fn field(
        path: &'static str,
        rust: &'static str,
        ty: &'static str,
        sign: &'static str,
    ) -> Field {
        Field {
            path,
            rust,
            korean: "",
            unit: None,
            ty,
            sign,
            values: &[],
        }
    }

    #[test]
    fn numbers_directions_sides_dates_and_codes() {
        const CODES: &[Value] = &[Value {
            code: "2",
            name: "buy",
            korean: "매수",
        }];
        let fields = [
            field("cur_prc", "current_price", "integer", "direction"),
            field("pred_pre", "change", "integer", "value"),
            field("flu_rt", "rate", "decimal", "value"),
            field("dt", "date", "date", ""),
            field("oso", "unfilled", "list", ""),
            field("oso[].qty", "quantity", "integer", "side"),
            Field {
                values: CODES,
                ..field("oso[].tp", "kind", "enum", "")
            },
        ];
        let wire = json!({
            "cur_prc": "-0040100", "pred_pre": "+-1500", "flu_rt": "-3.61",
            "dt": "20250908", "return_code": 0,
            "oso": [{"qty": "+82", "tp": "2"}, {"qty": "-5", "tp": "9"}],
        });
        assert_eq!(
            body(&fields, &wire),
            json!({
                "current_price": {"value": 40100, "direction": "down"},
                "change": -1500, "rate": -3.61, "date": "2025-09-08", "return_code": 0,
                "unfilled": [
                    {"quantity": {"quantity": 82, "side": "buy"}, "kind": {"code": "2", "name": "buy", "label": "매수"}},
                    {"quantity": {"quantity": 5, "side": "sell"}, "kind": {"code": "9"}},
                ],
            })
        );
    }

    #[test]
    fn text_that_is_not_its_type_is_kept() {
        let f = field("x", "x", "integer", "");
        assert_eq!(value(" 12a ", &f), json!("12a"));
        assert_eq!(value("  ", &f), Json::Null);
    }
}
