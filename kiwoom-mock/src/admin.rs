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
//! | `POST /_mock/websockets/drop` | | `MockControl::drop_websockets` |
//! | `GET /_mock/counters/{api_id}` | | `{"api_id","requests","processed"}` |

use std::sync::Arc;

use axum::Json;
use axum::Router;
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
            "POST /_mock/websockets/drop",
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

async fn drop_websockets(State(shared): State<Arc<Shared>>) -> Response {
    control(shared).drop_websockets();
    ok()
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
}
