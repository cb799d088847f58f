//! Requests synthesized from `spec/`, for the tests that walk every TR: one valid body per
//! TR, built from the field types (first documented code of an enum, a date for a date, ...),
//! plus the order-specific fix-ups a stateful market needs (a market order so that sells have
//! holdings, the number of a resting order for amendments and cancellations).

use codegen::spec::{Field, Market, Presence, RowShape, Safety, Tr, ValueType};
use serde_json::{Map, Value, json};

/// A value of `f`'s type that its spec accepts.
pub fn sample(f: &Field, market: Market) -> Value {
    let text = match f.ty {
        // The simulator refuses a symbol asked on an exchange that does not list it (1903):
        // AAPL, the sample symbol, is on NASDAQ.
        ValueType::Enum
            if market == Market::Us
                && f.wire == "stex_tp"
                && f.enumeration
                    .as_ref()
                    .is_some_and(|e| e.values.iter().any(|v| v.code == "ND")) =>
        {
            "ND".into()
        }
        ValueType::Enum => f
            .enumeration
            .as_ref()
            .and_then(|e| e.values.first())
            .map_or("0".into(), |v| v.code.clone()),
        ValueType::Date => "20250428".into(),
        ValueType::Time => "153000".into(),
        ValueType::Datetime => "20250428153000".into(),
        ValueType::Integer | ValueType::Decimal => "1".into(),
        ValueType::List => {
            let row: Map<String, Value> = f
                .fields
                .iter()
                .map(|c| (c.wire.clone(), sample(c, market)))
                .collect();
            return json!([row]);
        }
        ValueType::Object => {
            return Value::Object(
                f.fields
                    .iter()
                    .map(|c| (c.wire.clone(), sample(c, market)))
                    .collect(),
            );
        }
        ValueType::Text if f.wire == "stk_cd" || f.wire.ends_with("stk_cd") => {
            if market == Market::Us {
                "AAPL".into()
            } else {
                "005930".into()
            }
        }
        ValueType::Text => "1".into(),
    };
    let text: String = match f.max_length {
        Some(n)
            if n > 0
                && matches!(
                    f.ty,
                    ValueType::Text | ValueType::Integer | ValueType::Decimal
                ) =>
        {
            text.chars().take(n as usize).collect()
        }
        _ => text,
    };
    Value::String(text)
}

/// The required fields of a request, each with a sample value.
pub fn request_body(fields: &[Field], market: Market) -> Map<String, Value> {
    fields
        .iter()
        .filter(|f| f.required)
        .map(|f| (f.wire.clone(), sample(f, market)))
        .collect()
}

/// Does this order TR act on an earlier order (amend, cancel)?
pub fn needs_resting_order(tr: &Tr) -> bool {
    tr.safety == Safety::OrderWrite && tr.request.iter().any(|f| f.wire == "orig_ord_no")
}

/// The api-id, path and body of an order that places `10` shares: a market order (it fills,
/// so later sells have holdings) or a limit order far below the market (it rests, so later
/// amendments and cancellations have something to act on).
pub fn setup_order(market: Market, market_order: bool) -> (&'static str, &'static str, Value) {
    match market {
        Market::Us => (
            "ust20000",
            "/api/us/ordr",
            json!({"stex_tp": "ND", "stk_cd": "AAPL", "ord_qty": "10",
                   "ord_uv": if market_order { "" } else { "1.0000" },
                   "trde_tp": if market_order { "03" } else { "00" }}),
        ),
        _ => (
            "kt10000",
            "/api/dostk/ordr",
            json!({"dmst_stex_tp": "KRX", "stk_cd": "005930", "ord_qty": "10",
                   "ord_uv": if market_order { "" } else { "1000" },
                   "trde_tp": if market_order { "3" } else { "0" }}),
        ),
    }
}

/// Make an order TR's body executable in the simulator's market: market orders where the TR
/// has them, and `resting_order_no` for TRs that act on an earlier order.
pub fn fix_up_order(
    tr: &Tr,
    market: Market,
    body: &mut Map<String, Value>,
    resting_order_no: Option<String>,
) {
    if tr.safety != Safety::OrderWrite {
        return;
    }
    let has = |w: &str| tr.request.iter().any(|f| f.wire == w);
    let codes: Vec<String> = tr
        .request
        .iter()
        .find(|f| f.wire == "trde_tp")
        .and_then(|f| f.enumeration.as_ref())
        .map(|e| e.values.iter().map(|v| v.code.clone()).collect())
        .unwrap_or_default();
    let market_code = if market == Market::Us { "03" } else { "3" };
    if codes.iter().any(|c| c == market_code) || codes.is_empty() && has("trde_tp") {
        body.insert("trde_tp".into(), Value::String(market_code.into()));
        body.remove("ord_uv");
    } else if has("ord_uv") && !body.contains_key("ord_uv") {
        // Limit orders only (the gold spot market): a limit needs its price.
        let price = if market == Market::Us {
            "1.0000"
        } else {
            "1000"
        };
        body.insert("ord_uv".into(), Value::String(price.into()));
    }
    if let Some(no) = resting_order_no {
        body.insert("orig_ord_no".into(), Value::String(no));
        for (wire, v) in [("mdfy_qty", "1"), ("cncl_qty", "1")] {
            if has(wire) {
                body.insert(wire.into(), Value::String(v.into()));
            }
        }
        if has("mdfy_uv") {
            let price = if market == Market::Us {
                "1.0000"
            } else {
                "1000"
            };
            body.insert("mdfy_uv".into(), Value::String(price.into()));
        }
    }
}

/// Every documented field of `fields` that `obj` lacks, as paths.
pub fn missing_fields(
    fields: &[Field],
    obj: &Map<String, Value>,
    prefix: &str,
    out: &mut Vec<String>,
) {
    for f in fields.iter().filter(|f| f.presence != Presence::Ghost) {
        let path = format!("{prefix}{}", f.wire);
        match obj.get(&f.wire) {
            None => out.push(path),
            Some(Value::Array(rows))
                if f.ty == ValueType::List && f.row_shape == RowShape::Object =>
            {
                if let Some(Value::Object(row)) = rows.first() {
                    missing_fields(&f.fields, row, &format!("{path}[0]."), out);
                }
            }
            Some(Value::Object(inner)) if f.ty == ValueType::Object => {
                missing_fields(&f.fields, inner, &format!("{path}."), out)
            }
            Some(_) => {}
        }
    }
}
