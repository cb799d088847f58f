//! Walk every REST and OAuth TR of the workspace spec/ against the simulator with a plain
//! HTTP client: each must answer return_code 0 with every documented (non-ghost) response
//! field present, list rows included.

use codegen::spec::{Market, Spec, Transport};
use kiwoom_mock::{MockConfig, MockServer};
use kiwoom_tests::spec_walk::{
    fix_up_order, missing_fields, needs_resting_order, request_body, setup_order,
};
use serde_json::{Map, Value, json};

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
        let (id, path, body) = setup_order(market, market_order);
        let r = self.post(path, id, body.as_object().unwrap()).await;
        assert_eq!(r["return_code"], 0, "setup order: {r}");
        r["ord_no"].as_str().unwrap().to_string()
    }
}

#[tokio::test]
async fn every_rest_tr_of_the_spec_answers_with_every_field() {
    let spec = Spec::load(&codegen::spec::workspace_spec_dir()).expect("spec/ loads");
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
        if tr.id == "au10001" {
            body.insert(
                "grant_type".into(),
                Value::String("client_credentials".into()),
            );
        }
        if tr.id == "au10002" {
            body.insert("token".into(), Value::String(w.token().await));
        }
        let resting = if needs_resting_order(tr) {
            Some(w.place(market, false).await)
        } else {
            None
        };
        fix_up_order(tr, market, &mut body, resting);
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
        missing_fields(&tr.response, r.as_object().unwrap(), "", &mut absent);
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
