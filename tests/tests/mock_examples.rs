//! Kiwoom's own documented request example of every REST and OAuth TR (spec/**/*.yaml,
//! `examples.request`), sent as written to the simulator with a plain HTTP client: each must
//! answer return_code 0 with every documented response field, or be listed in `EXCEPTIONS`
//! with the reason and the answer it gets instead.
//!
//! What the test changes in an example, and only that: an amend or cancel example names an
//! order of Kiwoom's account (`orig_ord_no`), replaced by the number of a resting order placed
//! for the same stock; au10002's example token, replaced by a token the simulator issued. The
//! account is prepared as a client would: holdings for the sell examples.
//! Where an example sends what its field table refuses, the simulator's decisions are in
//! `kiwoom_mock::example_decisions`.

use codegen::spec::{Market, Spec, Transport};
use kiwoom_mock::{MockConfig, MockServer};
use kiwoom_tests::spec_walk::missing_fields;
use serde_json::{Map, Value, json};

/// Examples that cannot answer 0, with the 4-digit code they get and why.
const EXCEPTIONS: &[(&str, &str, &str)] = &[(
    "usa26410",
    "[1903:",
    "Kiwoom's example asks for `NDVA` on NASDAQ, a typo of `NVDA`: no such symbol, so the \
     simulator refuses it as the live server refuses an unknown code",
)];

struct Client {
    http: reqwest::Client,
    base: String,
    token: String,
}

impl Client {
    async fn post(&self, path: &str, api_id: &str, body: &Map<String, Value>) -> Value {
        let mut req = self
            .http
            .post(format!("{}{path}", self.base))
            .header("api-id", api_id)
            .json(body);
        if !path.starts_with("/oauth2/") {
            req = req.header("authorization", format!("Bearer {}", self.token));
        }
        let text = req
            .send()
            .await
            .unwrap_or_else(|e| panic!("{api_id}: {e}"))
            .text()
            .await
            .unwrap();
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{api_id}: not JSON ({e}): {text}"))
    }

    /// A token from au10001 called the way kwcli calls it: without an `api-id` header.
    async fn issue_without_api_id(&self) -> String {
        let r: Value = self
            .http
            .post(format!("{}/oauth2/token", self.base))
            .json(&json!({"grant_type": "client_credentials", "appkey": "k", "secretkey": "s"}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(r["return_code"], 0, "au10001 without api-id: {r}");
        r["token"].as_str().expect("a token").to_string()
    }

    /// A buy: ust20000, kt50000 for the gold spot market (codes `M...`), else kt10000.
    async fn order(&self, market: Market, body: Value) -> String {
        let gold = body["stk_cd"].as_str().is_some_and(|c| c.starts_with('M'));
        let (path, id) = match market {
            Market::Us => ("/api/us/ordr", "ust20000"),
            _ if gold => ("/api/dostk/ordr", "kt50000"),
            _ => ("/api/dostk/ordr", "kt10000"),
        };
        let r = self.post(path, id, body.as_object().unwrap()).await;
        assert_eq!(r["return_code"], 0, "setup order {body}: {r}");
        r["ord_no"].as_str().unwrap().to_string()
    }

    /// A limit buy far below the market, which rests, for an amend or cancel example.
    async fn resting_order(&self, market: Market, code: &str, exchange: &str) -> String {
        let body = match market {
            Market::Us => json!({"stex_tp": exchange, "stk_cd": code, "ord_qty": "10",
                                 "ord_uv": "1.0000", "trde_tp": "00"}),
            _ if code.starts_with('M') => json!({"stk_cd": code, "ord_qty": "10",
                                                  "ord_uv": "100000", "trde_tp": "00"}),
            _ => json!({"dmst_stex_tp": "KRX", "stk_cd": code, "ord_qty": "10",
                        "ord_uv": "1000", "trde_tp": "0"}),
        };
        self.order(market, body).await
    }
}

fn text<'a>(body: &'a Map<String, Value>, wire: &str) -> &'a str {
    body.get(wire).and_then(Value::as_str).unwrap_or("")
}

#[tokio::test]
async fn every_documented_request_example_is_answered() {
    let spec = Spec::load(&codegen::spec::workspace_spec_dir()).expect("spec/ loads");
    let server = MockServer::start(MockConfig {
        pages: 2,
        rows_per_page: 3,
        ..MockConfig::default()
    })
    .await
    .unwrap();
    let mut client = Client {
        http: reqwest::Client::new(),
        base: server.base_url(),
        token: String::new(),
    };
    client.token = client.issue_without_api_id().await;

    // Holdings for the sell examples (kt10001, kt10007, kt50001, ust20001).
    for (market, body) in [
        (
            Market::Domestic,
            json!({"dmst_stex_tp": "KRX", "stk_cd": "005930", "ord_qty": "20", "trde_tp": "3"}),
        ),
        (
            Market::Domestic,
            json!({"stk_cd": "M04020000", "ord_qty": "5", "ord_uv": "300000", "trde_tp": "00"}),
        ),
        (
            Market::Us,
            json!({"stex_tp": "ND", "stk_cd": "NVDA", "ord_qty": "20", "trde_tp": "03"}),
        ),
    ] {
        client.order(market, body).await;
    }

    let mut answered = 0;
    let mut failures = Vec::new();
    let mut excepted = Vec::new();
    for (_, group, tr) in spec.trs() {
        if !matches!(tr.transport, Transport::Rest | Transport::Oauth) {
            continue;
        }
        let example = tr
            .examples
            .request
            .as_deref()
            .unwrap_or_else(|| panic!("{} has no request example", tr.id));
        let mut body: Map<String, Value> = serde_json::from_str(example)
            .unwrap_or_else(|e| panic!("{}: example is not a JSON object ({e})", tr.id));
        if body.contains_key("orig_ord_no") {
            let code = text(&body, "stk_cd").to_string();
            let exchange = text(&body, "stex_tp").to_string();
            let resting = client.resting_order(group.market, &code, &exchange).await;
            body.insert("orig_ord_no".into(), Value::String(resting));
        }
        if tr.id == "au10002" {
            let fresh = client.issue_without_api_id().await;
            body.insert("token".into(), Value::String(fresh));
        }
        let r = client.post(&tr.path, &tr.id, &body).await;
        if let Some((_, code, reason)) = EXCEPTIONS.iter().find(|(id, _, _)| *id == tr.id) {
            let msg = r["return_msg"].as_str().unwrap_or("");
            assert!(
                r["return_code"] != 0 && msg.contains(code),
                "{} is listed as an exception ({reason}) but answered {r}",
                tr.id
            );
            excepted.push(tr.id.clone());
            continue;
        }
        if r["return_code"] != 0 {
            failures.push(format!("{}: {r} (example {example})", tr.id));
            continue;
        }
        let mut absent = Vec::new();
        missing_fields(&tr.response, r.as_object().unwrap(), "", &mut absent);
        if !absent.is_empty() {
            failures.push(format!("{}: fields missing: {}", tr.id, absent.join(", ")));
            continue;
        }
        answered += 1;
    }
    println!(
        "{answered} examples answered with return_code 0 and every field; {} listed exceptions: {}",
        excepted.len(),
        excepted.join(", ")
    );
    assert!(
        failures.is_empty(),
        "{} examples failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(
        excepted.len(),
        EXCEPTIONS.len(),
        "every exception is still a TR"
    );
    assert!(answered > 300, "only {answered} examples walked");
}
