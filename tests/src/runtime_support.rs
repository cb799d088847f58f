//! Hand-written TR types for the runtime tests, so they do not depend on the generated
//! crate: a ka10001-like query, a ka10081-like paged query and a kt10000 order, each
//! decoding its body with `serde_json`.

use std::time::Duration;

use kiwoom_runtime::codec::Quantity;
use kiwoom_runtime::{
    Client, ClientBuilder, DecodeError, Environment, OrderAction, OrderSummary, PagedRequest,
    RateLimits, RetryPolicy, SafetyClass, TrInfo, TrRequest, TrResponse, ValidationError,
    ValidationProblem,
};
use serde::Serialize;
use serde_json::Value;

pub const APP_KEY: &str = "APPKEY-test-9f1c2b7e4d";
pub const SECRET_KEY: &str = "SECRETKEY-test-51d0a8c3e6";

/// Any JSON body.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(transparent)]
pub struct Json(pub Value);

impl TrResponse for Json {
    fn decode(api_id: &'static str, body: &[u8]) -> Result<Self, DecodeError> {
        serde_json::from_slice(body)
            .map(Json)
            .map_err(|e| DecodeError {
                api_id: api_id.to_owned(),
                field: "<body>".into(),
                raw: String::from_utf8_lossy(body).chars().take(200).collect(),
                reason: e.to_string(),
            })
    }
}

fn required(
    api_id: &'static str,
    field: &'static str,
    rust_name: &'static str,
    v: &str,
) -> Result<(), ValidationError> {
    if v.trim().is_empty() {
        return Err(ValidationError {
            api_id,
            field,
            rust_name,
            problem: ValidationProblem::Missing,
        });
    }
    Ok(())
}

/// ka10001-like: 주식기본정보요청.
#[derive(Debug, Clone, Serialize)]
pub struct StockInfo {
    pub stk_cd: String,
}

impl StockInfo {
    pub fn new(code: &str) -> Self {
        StockInfo {
            stk_cd: code.into(),
        }
    }
}

impl TrRequest for StockInfo {
    const INFO: TrInfo = TrInfo {
        api_id: "ka10001",
        korean_name: "주식기본정보요청",
        path: "/api/dostk/stkinfo",
        safety: SafetyClass::Read,
    };
    type Response = Json;
    fn validate(&self) -> Result<(), ValidationError> {
        required(Self::INFO.api_id, "stk_cd", "stock_code", &self.stk_cd)
    }
}

/// ka10081-like: 주식일봉차트조회요청, paged through `cont-yn` / `next-key`.
#[derive(Debug, Clone, Serialize)]
pub struct DailyChart {
    pub stk_cd: String,
    pub base_dt: String,
    pub upd_stkpc_tp: String,
}

impl DailyChart {
    pub fn new(code: &str) -> Self {
        DailyChart {
            stk_cd: code.into(),
            base_dt: "20250905".into(),
            upd_stkpc_tp: "1".into(),
        }
    }
}

impl TrRequest for DailyChart {
    const INFO: TrInfo = TrInfo {
        api_id: "ka10081",
        korean_name: "주식일봉차트조회요청",
        path: "/api/dostk/chart",
        safety: SafetyClass::Read,
    };
    type Response = Json;
    fn validate(&self) -> Result<(), ValidationError> {
        required(Self::INFO.api_id, "stk_cd", "stock_code", &self.stk_cd)?;
        required(Self::INFO.api_id, "base_dt", "base_date", &self.base_dt)
    }
}

impl PagedRequest for DailyChart {
    type Item = Value;
    fn into_items(page: Json) -> Vec<Value> {
        match page.0 {
            Value::Object(mut m) => match m.remove("stk_dt_pole_chart_qry") {
                Some(Value::Array(rows)) => rows,
                _ => Vec::new(),
            },
            _ => Vec::new(),
        }
    }
}

/// kt10000-like: 주식 매수주문. An order: never resent once it may have been sent.
#[derive(Debug, Clone, Serialize)]
pub struct BuyOrder {
    pub dmst_stex_tp: String,
    pub stk_cd: String,
    pub ord_qty: String,
    pub ord_uv: String,
    pub trde_tp: String,
    pub cond_uv: String,
}

impl BuyOrder {
    pub fn limit(code: &str, qty: u32, price: u32) -> Self {
        BuyOrder {
            dmst_stex_tp: "KRX".into(),
            stk_cd: code.into(),
            ord_qty: qty.to_string(),
            ord_uv: price.to_string(),
            trde_tp: "0".into(),
            cond_uv: String::new(),
        }
    }
}

impl TrRequest for BuyOrder {
    const INFO: TrInfo = TrInfo {
        api_id: "kt10000",
        korean_name: "주식 매수주문",
        path: "/api/dostk/ordr",
        safety: SafetyClass::OrderWrite,
    };
    type Response = Json;
    fn validate(&self) -> Result<(), ValidationError> {
        required(Self::INFO.api_id, "stk_cd", "stock_code", &self.stk_cd)?;
        required(
            Self::INFO.api_id,
            "ord_qty",
            "order_quantity",
            &self.ord_qty,
        )
    }
    fn order_summary(&self) -> Option<OrderSummary> {
        Some(OrderSummary {
            api_id: Self::INFO.api_id,
            action: Some(OrderAction::Buy),
            stock_code: Some(self.stk_cd.as_str().into()),
            quantity: self.ord_qty.parse().ok().map(Quantity),
            ..Default::default()
        })
    }
}

/// A builder pointed at a local server, with no client-side rate limit and short backoffs
/// (tests that need limits or timeouts set them).
pub fn local_builder(base_url: &str, ws_url: &str) -> ClientBuilder {
    Client::builder()
        .environment(Environment::Custom {
            base_url: base_url.into(),
            ws_url: ws_url.into(),
        })
        .app_key(APP_KEY)
        .secret_key(SECRET_KEY)
        .timeout(Duration::from_secs(5))
        .rate_limits(RateLimits::unlimited())
        .retry_policy(
            RetryPolicy::default()
                .with_delays(Duration::from_millis(20), Duration::from_millis(200)),
        )
}

/// The Redis URL of the tests (`KIWOOM_TEST_REDIS_URL`). When unset the test is skipped
/// (say so and return `None`), except under CI (`CI=true`), where that is a failure.
pub fn redis_url_or_skip() -> Option<String> {
    match std::env::var("KIWOOM_TEST_REDIS_URL") {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ => {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "KIWOOM_TEST_REDIS_URL not set under CI: start PostgreSQL and Redis as .ci/run does"
            );
            println!("skipped: KIWOOM_TEST_REDIS_URL not set");
            None
        }
    }
}

/// A key prefix no other test run shares.
pub fn unique_prefix(what: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!("kiwoom-test:{what}:{}:{nanos}", std::process::id())
}
