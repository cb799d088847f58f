//! Walk every REST and OAuth TR of the workspace spec/ against the simulator with a plain
//! HTTP client: each must answer return_code 0 with every documented (non-ghost) response
//! field present, list rows included.

use codegen::spec::{Field, Market, Presence, RowShape, Safety, Spec, Transport, ValueType};
use kiwoom_mock::{MockConfig, MockServer};
use serde_json::{Map, Value, json};

fn sample(f: &Field, market: Market) -> Value {
    let text = match f.ty {
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

fn request_body(fields: &[Field], market: Market) -> Map<String, Value> {
    fields
        .iter()
        .filter(|f| f.required)
        .map(|f| (f.wire.clone(), sample(f, market)))
        .collect()
}

/// Every documented field of `fields` that `obj` lacks, as paths.
fn missing(fields: &[Field], obj: &Map<String, Value>, prefix: &str, out: &mut Vec<String>) {
    for f in fields.iter().filter(|f| f.presence != Presence::Ghost) {
        let path = format!("{prefix}{}", f.wire);
        match obj.get(&f.wire) {
            None => out.push(path),
            Some(Value::Array(rows))
                if f.ty == ValueType::List && f.row_shape == RowShape::Object =>
            {
                if let Some(Value::Object(row)) = rows.first() {
                    missing(&f.fields, row, &format!("{path}[0]."), out);
                }
            }
            Some(Value::Object(inner)) if f.ty == ValueType::Object => {
                missing(&f.fields, inner, &format!("{path}."), out)
            }
            Some(_) => {}
        }
    }
}

struct Walker {
    http: reqwest::Client,
    base: String,
    token: String,
}

impl Walker {
    async fn post(&self, path: &str, api_id: &str, body: &Map<String, Value>) -> Value {
        let resp = self
            .http
            .post(format!("{}{path}", self.base))
            .header("api-id", api_id)
            .header("authorization", format!("Bearer {}", self.token))
            .json(body)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{api_id}: {e}"));
        let text = resp.text().await.unwrap();
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{api_id}: not JSON ({e}): {text}"))
    }

    async fn token(&self) -> String {
        let body = json!({"grant_type": "client_credentials", "appkey": "k", "secretkey": "s"});
        let r: Value = self
            .http
            .post(format!("{}/oauth2/token", self.base))
            .header("api-id", "au10001")
            .json(&body)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        r["token"]
            .as_str()
            .expect("au10001 gives a token")
            .to_string()
    }

    /// Place an order with a valid body and return its number.
    async fn place(&self, market: Market, market_order: bool) -> String {
        let (path, id, body) = match market {
            Market::Us => (
                "/api/us/ordr",
                "ust20000",
                json!({"stex_tp": "ND", "stk_cd": "AAPL", "ord_qty": "10", "ord_uv": if market_order { "" } else { "1.0000" }, "trde_tp": if market_order { "03" } else { "00" }}),
            ),
            _ => (
                "/api/dostk/ordr",
                "kt10000",
                json!({"dmst_stex_tp": "KRX", "stk_cd": "005930", "ord_qty": "10", "ord_uv": if market_order { "" } else { "1000" }, "trde_tp": if market_order { "3" } else { "0" }}),
            ),
        };
        let r = self.post(path, id, body.as_object().unwrap()).await;
        assert_eq!(r["return_code"], 0, "setup order: {r}");
        r["ord_no"].as_str().unwrap().to_string()
    }
}

#[tokio::test]
async fn every_rest_tr_of_the_spec_answers_with_every_field() {
    let dir = codegen::spec::workspace_spec_dir();
    let spec = match Spec::load(&dir) {
        Ok(spec) => spec,
        Err(e) => {
            println!("SKIPPED: the workspace spec/ does not load yet ({e})");
            return;
        }
    };
    let server = MockServer::start(MockConfig {
        pages: 2,
        rows_per_page: 3,
        ..MockConfig::default()
    })
    .await
    .unwrap();
    let http = reqwest::Client::new();
    let mut w = Walker {
        http,
        base: server.base_url(),
        token: String::new(),
    };
    w.token = w.token().await;
    // Holdings for the sell TRs.
    w.place(Market::Domestic, true).await;
    w.place(Market::Us, true).await;

    let mut walked = 0;
    let mut failures = Vec::new();
    for (_, group, tr) in spec.trs() {
        if !matches!(tr.transport, Transport::Rest | Transport::Oauth) {
            continue;
        }
        let market = group.market;
        let mut body = request_body(&tr.request, market);
        let has = |w: &str| tr.request.iter().any(|f| f.wire == w);
        if tr.id == "au10001" {
            body.insert(
                "grant_type".into(),
                Value::String("client_credentials".into()),
            );
        }
        if tr.id == "au10002" {
            body.insert("token".into(), Value::String(w.token().await));
        }
        if tr.safety == Safety::OrderWrite {
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
            }
            if has("orig_ord_no") {
                let no = w.place(market, false).await;
                body.insert("orig_ord_no".into(), Value::String(no));
                for (wire, v) in [("mdfy_qty", "1"), ("cncl_qty", "1")] {
                    if has(wire) {
                        body.insert(wire.into(), Value::String(v.into()));
                    }
                }
                if has("mdfy_uv") {
                    body.insert(
                        "mdfy_uv".into(),
                        Value::String(
                            if market == Market::Us {
                                "1.0000"
                            } else {
                                "1000"
                            }
                            .into(),
                        ),
                    );
                }
            }
        }
        let r = w.post(&tr.path, &tr.id, &body).await;
        walked += 1;
        if r["return_code"] != 0 {
            failures.push(format!(
                "{}: {} (request {})",
                tr.id,
                r,
                Value::Object(body)
            ));
            continue;
        }
        let mut absent = Vec::new();
        missing(&tr.response, r.as_object().unwrap(), "", &mut absent);
        if !absent.is_empty() {
            failures.push(format!("{}: fields missing: {}", tr.id, absent.join(", ")));
        }
    }
    println!("walked {walked} REST/OAuth TRs of spec/");
    assert!(walked > 0, "the spec has no REST TR");
    assert!(
        failures.is_empty(),
        "{} of {walked} TRs failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
