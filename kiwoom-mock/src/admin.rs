//! The admin endpoints, under `/_mock/` (no Kiwoom path starts with `/_`): the standalone
//! server's faults, rate limits and counters, for clients that are not in-process tests.
//! The same switches as `MockControl`, with the text syntax of `switches`. JSON in and out;
//! a bad request is HTTP 400 with `{"error": "..."}`.
//!
//! | method and path | body | effect |
//! |---|---|---|
//! | `GET /_mock` | | this list, as JSON |
//! | `POST /_mock/faults` | `{"api_id":"kt10000","fault":"latency:3000","times":1}` | `MockControl::inject` |
//! | `DELETE /_mock/faults` | | `MockControl::clear_faults` |
//! | `POST /_mock/rate-limits` | `{"scope":"api:ka10081","per_second":5}` | `MockControl::set_rate_limit` |
//! | `DELETE /_mock/rate-limits` | | `MockControl::clear_rate_limits` |
//! | `POST /_mock/tokens/expire` | | `MockControl::expire_tokens` |
//! | `POST /_mock/websockets/drop` | none, or `{"seconds":5}` | `MockControl::drop_websockets` / `drop_websockets_for` |
//! | `POST /_mock/market/step` | `{"steps":10}` (default 1) | `MockControl::step_market`; answers `{"steps": total}` |
//! | `GET /_mock/market/{code}` | | `{"code","price","steps"}` (`MockControl::price`) |
//! | `POST /_mock/order-frames/drop` | `{"next":3}` and/or `{"probability":0.1}` | `MockControl::drop_order_frames` / `drop_order_frames_randomly` |
//! | `GET /_mock/order-frames/dropped` | | `{"dropped": n}` |
//! | `GET /_mock/counters/{api_id}` | | `{"api_id","requests","processed"}` |

use std::sync::Arc;
use std::time::Duration;

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::config::{Fault, RateScope};
use crate::control::{MockControl, Shared};

fn control(shared: Arc<Shared>) -> MockControl {
    MockControl { shared }
}

fn bad_request(error: impl std::fmt::Display) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Json(json!({ "error": error.to_string() })),
    )
        .into_response()
}

fn ok() -> Response {
    Json(json!({ "ok": true })).into_response()
}

#[derive(Deserialize)]
struct FaultBody {
    api_id: String,
    fault: String,
    #[serde(default = "one")]
    times: u32,
}

fn one() -> u32 {
    1
}

#[derive(Deserialize)]
struct RateBody {
    scope: String,
    per_second: u32,
}

async fn index() -> Json<Value> {
    Json(json!({
        "endpoints": [
            "POST /_mock/faults {\"api_id\",\"fault\",\"times\"}",
            "DELETE /_mock/faults",
            "POST /_mock/rate-limits {\"scope\",\"per_second\"}",
            "DELETE /_mock/rate-limits",
            "POST /_mock/tokens/expire",
            "POST /_mock/websockets/drop [{\"seconds\"}]",
            "POST /_mock/market/step {\"steps\"}",
            "GET /_mock/market/{code}",
            "POST /_mock/order-frames/drop {\"next\",\"probability\"}",
            "GET /_mock/order-frames/dropped",
            "GET /_mock/counters/{api_id}",
        ],
        "faults": ["latency:<ms>", "status:<code>", "close-before-processing",
                   "close-after-processing", "malformed-json", "rate-limited", "token-invalid"],
        "scopes": ["global", "api:<api-id>", "path:</url/path>"],
    }))
}

async fn add_fault(
    State(shared): State<Arc<Shared>>,
    body: Result<Json<FaultBody>, JsonRejection>,
) -> Response {
    let body = match body {
        Ok(Json(body)) => body,
        Err(e) => {
            return bad_request(format!(
                "{e}; expected {{\"api_id\", \"fault\", \"times\"}}"
            ));
        }
    };
    match body.fault.parse::<Fault>() {
        Ok(fault) if !body.api_id.trim().is_empty() => {
            tracing::info!(
                api_id = body.api_id,
                ?fault,
                times = body.times,
                "fault injected"
            );
            control(shared).inject(body.api_id.trim(), fault, body.times);
            ok()
        }
        Ok(_) => bad_request("api_id is empty"),
        Err(e) => bad_request(e),
    }
}

async fn clear_faults(State(shared): State<Arc<Shared>>) -> Response {
    control(shared).clear_faults();
    ok()
}

async fn set_rate(
    State(shared): State<Arc<Shared>>,
    body: Result<Json<RateBody>, JsonRejection>,
) -> Response {
    let body = match body {
        Ok(Json(body)) => body,
        Err(e) => return bad_request(format!("{e}; expected {{\"scope\", \"per_second\"}}")),
    };
    match body.scope.parse::<RateScope>() {
        Ok(scope) => {
            tracing::info!(?scope, per_second = body.per_second, "rate limit set");
            control(shared).set_rate_limit(scope, body.per_second);
            ok()
        }
        Err(e) => bad_request(e),
    }
}

async fn clear_rates(State(shared): State<Arc<Shared>>) -> Response {
    control(shared).clear_rate_limits();
    ok()
}

async fn expire_tokens(State(shared): State<Arc<Shared>>) -> Response {
    control(shared).expire_tokens();
    ok()
}

#[derive(Deserialize, Default)]
struct OutageBody {
    seconds: Option<f64>,
}

/// An optional JSON body: an empty one is the default.
fn optional<T: serde::de::DeserializeOwned + Default>(
    raw: &[u8],
    expected: &str,
) -> Result<T, String> {
    if raw.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    serde_json::from_slice(raw).map_err(|e| format!("{e}; expected {expected}"))
}

async fn drop_websockets(State(shared): State<Arc<Shared>>, raw: Bytes) -> Response {
    let body: OutageBody = match optional(&raw, "{\"seconds\"} or nothing") {
        Ok(b) => b,
        Err(e) => return bad_request(e),
    };
    match body.seconds {
        Some(s) if s.is_finite() && s >= 0.0 => {
            control(shared).drop_websockets_for(Duration::from_secs_f64(s));
        }
        Some(s) => return bad_request(format!("seconds {s} is not a duration")),
        None => control(shared).drop_websockets(),
    }
    ok()
}

#[derive(Deserialize)]
struct StepBody {
    #[serde(default = "one_step")]
    steps: u64,
}

impl Default for StepBody {
    fn default() -> Self {
        StepBody { steps: 1 }
    }
}

fn one_step() -> u64 {
    1
}

async fn step_market(State(shared): State<Arc<Shared>>, raw: Bytes) -> Response {
    let body: StepBody = match optional(&raw, "{\"steps\"}") {
        Ok(b) => b,
        Err(e) => return bad_request(e),
    };
    let total = control(shared).step_market(body.steps);
    Json(json!({ "steps": total })).into_response()
}

async fn price(State(shared): State<Arc<Shared>>, Path(code): Path<String>) -> Response {
    let c = control(shared);
    match c.price(&code) {
        Some(price) => {
            Json(json!({ "code": code, "price": price, "steps": c.book().steps })).into_response()
        }
        None => (
            StatusCode::NOT_FOUND,
            Json(json!({ "error": format!("unknown code {code}") })),
        )
            .into_response(),
    }
}

#[derive(Deserialize, Default)]
struct DropFramesBody {
    next: Option<u64>,
    probability: Option<f64>,
}

async fn drop_order_frames(State(shared): State<Arc<Shared>>, raw: Bytes) -> Response {
    let body: DropFramesBody = match optional(&raw, "{\"next\", \"probability\"}") {
        Ok(b) => b,
        Err(e) => return bad_request(e),
    };
    if body.next.is_none() && body.probability.is_none() {
        return bad_request("expected {\"next\": n} and/or {\"probability\": p}");
    }
    let c = control(shared);
    if let Some(p) = body.probability {
        if !(0.0..=1.0).contains(&p) {
            return bad_request(format!("probability {p} is not within 0..=1"));
        }
        c.drop_order_frames_randomly(p);
    }
    if let Some(n) = body.next {
        c.drop_order_frames(n);
    }
    tracing::info!(next = ?body.next, probability = ?body.probability, "fault: 00 frames dropped");
    ok()
}

async fn dropped_order_frames(State(shared): State<Arc<Shared>>) -> Json<Value> {
    Json(json!({ "dropped": control(shared).order_frames_dropped() }))
}

async fn counters(State(shared): State<Arc<Shared>>, Path(api_id): Path<String>) -> Json<Value> {
    let c = control(shared);
    Json(json!({
        "api_id": api_id,
        "requests": c.requests(&api_id),
        "processed": c.processed(&api_id),
    }))
}

pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/", get(index))
        .route("/faults", post(add_fault).delete(clear_faults))
        .route("/rate-limits", post(set_rate).delete(clear_rates))
        .route("/tokens/expire", post(expire_tokens))
        .route("/websockets/drop", post(drop_websockets))
        .route("/counters/{api_id}", get(counters))
        .route("/market/step", post(step_market))
        .route("/market/{code}", get(price))
        .route("/order-frames/drop", post(drop_order_frames))
        .route("/order-frames/dropped", get(dropped_order_frames))
}
