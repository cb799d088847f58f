//! REST and OAuth: one handler for every POST path, dispatching on the `api-id` header.
//! OAuth calls may omit the header (Kiwoom accepts that; kwcli and other clients rely on it):
//! the path names the TR.
//!
//! Order of checks, as a request meets them: body size (HTTP 413); injected fault; `api-id`
//! missing (1501), unknown (1505) or not served at this path (1504); rate limits (1700); JSON
//! body (1517); OAuth checks or the bearer token (1513-1516, 8005); required fields (1511) and
//! formats (1517); stock codes (1902, 1903); then processing.

mod account;
mod answer;
mod auth;
mod codes;
mod listing;
mod orders;
mod validate;

use std::sync::Arc;

use axum::Extension;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use codegen::spec::{Paging, Transport};
use serde_json::{Map, Value};

pub use answer::Answer;

use crate::api_error::ApiError;
use crate::config::Fault;
use crate::control::{Shared, lock};
use crate::det::Det;
use crate::market::Venue;
use crate::paging;
use crate::server::ConnHandle;
use crate::synth::{PageSpec, Synth};

fn header<'a>(headers: &'a HeaderMap, name: &str) -> &'a str {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .unwrap_or("")
}

/// The TR a request names: its `api-id` header, or for an OAuth path without one, the path's
/// TR.
fn api_id_of(shared: &Shared, path: &str, headers: &HeaderMap) -> String {
    let given = header(headers, "api-id");
    if given.is_empty() {
        if let Some(id) = shared.catalog.oauth_by_path.get(path) {
            return id.clone();
        }
    }
    given.to_string()
}

/// A body over `MockConfig::max_body_bytes`: HTTP 413, nothing processed.
fn too_large(api_id: &str, limit: usize) -> Response {
    let reason = format!("요청 본문이 최대 크기({limit}바이트)를 초과했습니다");
    let body = serde_json::json!({
        "return_code": 2,
        "return_msg": format!("입력 값 오류입니다[1517:입력 값 형식이 올바르지 않습니다. 파라미터=body 실패사유= {reason}]"),
    });
    let mut resp = (StatusCode::PAYLOAD_TOO_LARGE, body.to_string()).into_response();
    set_headers(resp.headers_mut(), api_id, false, "", 0);
    resp
}

pub(crate) async fn handle(
    State(shared): State<Arc<Shared>>,
    Extension(conn): Extension<ConnHandle>,
    uri: Uri,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let api_id = api_id_of(&shared, uri.path(), &headers);
    shared.count_request(&api_id);
    let body = match body {
        Ok(body) => body,
        Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            tracing::debug!(api_id, "request body over the size cap");
            return too_large(&api_id, shared.config.max_body_bytes);
        }
        Err(rejection) => return rejection.into_response(),
    };
    let fault = lock(&shared.faults).take(&api_id);
    tracing::debug!(api_id, path = uri.path(), ?fault, "request");
    match &fault {
        Some(Fault::Status(code)) => {
            let status = StatusCode::from_u16(*code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            return (
                status,
                status.canonical_reason().unwrap_or("error").to_string(),
            )
                .into_response();
        }
        Some(Fault::CloseBeforeProcessing) => return conn.drop_unanswered().await,
        Some(Fault::RateLimited) => {
            let limit = "5";
            return error_response(
                &api_id,
                &ApiError::code(&shared.catalog, 1700, &[limit, &api_id]),
            );
        }
        Some(Fault::TokenInvalid) => {
            return error_response(&api_id, &ApiError::code(&shared.catalog, 8005, &[]));
        }
        _ => {}
    }
    // Processed before any delay: with `Latency` an order is placed even when the client
    // gives up before the answer comes ("placed, answer lost").
    let result = process(&shared, &api_id, uri.path(), &headers, &body);
    if let Some(Fault::Latency(d)) = &fault {
        tokio::time::sleep(*d).await;
    }
    match fault {
        Some(Fault::CloseAfterProcessing) => conn.drop_unanswered().await,
        Some(Fault::MalformedJson) => {
            let full = match &result {
                Ok(answer) => envelope(answer).to_string(),
                Err(e) => e.body().to_string(),
            };
            // Cut mid-document: a client must report a decode error, not guess.
            let cut: String = full.chars().take(full.chars().count() / 2).collect();
            let mut resp = (StatusCode::OK, cut).into_response();
            set_headers(resp.headers_mut(), &api_id, false, "", 0);
            resp
        }
        _ => match result {
            Ok(answer) => {
                let mut resp = (StatusCode::OK, envelope(&answer).to_string()).into_response();
                set_headers(
                    resp.headers_mut(),
                    &api_id,
                    answer.cont_yn,
                    &answer.next_key,
                    answer.resp_cnt,
                );
                resp
            }
            Err(e) => error_response(&api_id, &e),
        },
    }
}

fn envelope(answer: &Answer) -> Value {
    let mut body = answer.body.clone();
    body.insert("return_code".into(), Value::from(0));
    body.insert(
        "return_msg".into(),
        Value::String(answer.return_msg.clone()),
    );
    Value::Object(body)
}

fn error_response(api_id: &str, e: &ApiError) -> Response {
    let mut resp = (e.status, e.body().to_string()).into_response();
    set_headers(resp.headers_mut(), api_id, false, "", 0);
    resp
}

fn set_headers(h: &mut HeaderMap, api_id: &str, cont_yn: bool, next_key: &str, resp_cnt: usize) {
    let value = |s: &str| HeaderValue::from_str(s).unwrap_or_else(|_| HeaderValue::from_static(""));
    h.insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_static("application/json;charset=UTF-8"),
    );
    h.insert("api-id", value(api_id));
    h.insert(
        "cont-yn",
        HeaderValue::from_static(if cont_yn { "Y" } else { "N" }),
    );
    h.insert("next-key", value(next_key));
    h.insert("resp-cnt", value(&resp_cnt.to_string()));
    h.insert("user-data", HeaderValue::from_static(""));
}

fn process(
    shared: &Shared,
    api_id: &str,
    path: &str,
    headers: &HeaderMap,
    raw: &[u8],
) -> Result<Answer, ApiError> {
    let catalog = &shared.catalog;
    if api_id.is_empty() {
        return Err(ApiError::code(catalog, 1501, &[]));
    }
    let Some(entry) = catalog.rest.get(api_id).cloned() else {
        return Err(ApiError::code(catalog, 1505, &[api_id]));
    };
    if entry.tr.path != path {
        return Err(ApiError::code(catalog, 1504, &[api_id, path]));
    }
    if let Err(exceeded) = lock(&shared.rate).check(api_id, path) {
        return Err(ApiError::code(
            catalog,
            1700,
            &[&exceeded.per_second.to_string(), api_id],
        ));
    }
    let body: Map<String, Value> = if raw.iter().all(u8::is_ascii_whitespace) {
        Map::new()
    } else {
        match serde_json::from_slice::<Value>(raw) {
            Ok(Value::Object(m)) => m,
            _ => {
                return Err(ApiError::code(
                    catalog,
                    1517,
                    &["body", "JSON 객체가 아닙니다"],
                ));
            }
        }
    };
    if entry.tr.transport == Transport::Oauth {
        auth::precheck(shared, api_id, &body)?;
    } else {
        auth::check_bearer(shared, headers)?;
    }
    validate::check(catalog, &entry.tr, &body)?;
    codes::check(catalog, Venue::of(entry.market), &body)?;
    let answer = if entry.tr.transport == Transport::Oauth {
        auth::handle(shared, &entry, &body)
    } else if orders::is_order(api_id) {
        orders::handle(shared, &entry, &body)
    } else if account::is_stateful(api_id) {
        let cont = account::Continue {
            asked: header(headers, "cont-yn").eq_ignore_ascii_case("y"),
            key: header(headers, "next-key"),
        };
        account::handle(shared, &entry, &body, &cont)
    } else {
        synthesized(shared, &entry, headers, &body)
    };
    // Order rejects were processed too (the exchange saw them); input errors were not.
    if answer.is_ok() || answer.as_ref().is_err_and(|e| e.return_code == 20) {
        shared.count_processed(api_id);
    }
    answer
}

/// Any other TR: a body synthesized from the spec, paged through `cont-yn`/`next-key`.
fn synthesized(
    shared: &Shared,
    entry: &crate::catalog::RestTr,
    headers: &HeaderMap,
    body: &Map<String, Value>,
) -> Result<Answer, ApiError> {
    let cfg = &shared.config;
    let tr = &entry.tr;
    let venue = Venue::of(entry.market);
    let synth = Synth::new(cfg.seed, venue, body).at(crate::clock::now(cfg));
    let det = Det::new(
        cfg.seed,
        &[&tr.id, &serde_json::to_string(body).unwrap_or_default()],
    );
    let Paging::Header { list } = &tr.paging else {
        let out = synth.object(&tr.response, &synth.top_row(), &det, None, true);
        return Ok(Answer::single(out, "정상적으로 처리되었습니다"));
    };
    let asked_next = header(headers, "cont-yn").eq_ignore_ascii_case("y");
    let key = header(headers, "next-key");
    let page = if asked_next && !key.is_empty() {
        paging::page_of(key).ok_or_else(|| {
            ApiError::code(
                &shared.catalog,
                1517,
                &["next-key", "연속조회키가 올바르지 않습니다"],
            )
        })?
    } else {
        0
    };
    let rows = if page < cfg.pages {
        u64::from(cfg.rows_per_page)
    } else {
        0
    };
    let spec = PageSpec {
        list,
        start: u64::from(page) * u64::from(cfg.rows_per_page),
        count: rows,
    };
    let out = synth.object(&tr.response, &synth.top_row(), &det, Some(spec), true);
    let more = page + 1 < cfg.pages;
    let next_key = if more {
        paging::next_key(
            &synth.primary.code,
            &synth.anchor.format("%Y%m%d").to_string(),
            page + 1,
        )
    } else {
        String::new()
    };
    Ok(Answer {
        body: out,
        return_msg: "정상적으로 처리되었습니다".into(),
        cont_yn: more,
        next_key,
        resp_cnt: rows as usize,
    })
}
