//! The `authorization: Bearer <token>` header (1513-1516, 8005) and the OAuth TRs:
//! au10001 issues a token (8011/8012 grant type, 8020 missing keys, 8001 wrong keys),
//! au10002 revokes one.

use axum::http::HeaderMap;
use serde_json::{Map, Value};

use super::answer::{Answer, text};
use crate::api_error::ApiError;
use crate::catalog::RestTr;
use crate::control::{Shared, lock};
use crate::det::Det;
use crate::market::Venue;
use crate::synth::Synth;

/// Check the bearer token of a REST request.
pub fn check_bearer(shared: &Shared, headers: &HeaderMap) -> Result<(), ApiError> {
    let catalog = &shared.catalog;
    let Some(value) = headers.get(http::header::AUTHORIZATION) else {
        return Err(ApiError::code(catalog, 1513, &[]));
    };
    let Ok(value) = value.to_str() else {
        return Err(ApiError::code(catalog, 1514, &[]));
    };
    let value = value.trim();
    let (scheme, token) = match value.split_once(' ') {
        Some(parts) => parts,
        None if value.eq_ignore_ascii_case("bearer") => {
            return Err(ApiError::code(catalog, 1516, &[]));
        }
        None => return Err(ApiError::code(catalog, 1514, &[])),
    };
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(ApiError::code(catalog, 1515, &[]));
    }
    let token = token.trim();
    if token.is_empty() {
        return Err(ApiError::code(catalog, 1516, &[]));
    }
    if !lock(&shared.tokens).is_valid(token) {
        return Err(ApiError::code(catalog, 8005, &[]));
    }
    Ok(())
}

fn check_keys(shared: &Shared, body: &Map<String, Value>) -> Result<(), ApiError> {
    let catalog = &shared.catalog;
    let (app, secret) = (text(body, "appkey"), text(body, "secretkey"));
    if app.is_empty() || secret.is_empty() {
        return Err(ApiError::code(catalog, 8020, &[]));
    }
    let matches =
        |expected: &Option<String>, given: &str| expected.as_deref().is_none_or(|e| e == given);
    if !matches(&shared.config.app_key, app) || !matches(&shared.config.secret_key, secret) {
        return Err(ApiError::code(catalog, 8001, &[]));
    }
    Ok(())
}

/// Checks au10001/au10002 make before the generic field checks, with OAuth's own codes.
pub fn precheck(shared: &Shared, id: &str, body: &Map<String, Value>) -> Result<(), ApiError> {
    let catalog = &shared.catalog;
    match id {
        "au10001" => {
            let grant = text(body, "grant_type");
            if grant.is_empty() {
                return Err(ApiError::code(catalog, 8011, &[]));
            }
            if grant != "client_credentials" {
                return Err(ApiError::code(catalog, 8012, &[]));
            }
            check_keys(shared, body)
        }
        "au10002" => {
            check_keys(shared, body)?;
            if text(body, "token").is_empty() {
                return Err(ApiError::code(catalog, 8016, &[]));
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

pub fn handle(
    shared: &Shared,
    entry: &RestTr,
    body: &Map<String, Value>,
) -> Result<Answer, ApiError> {
    let tr = &entry.tr;
    let synth =
        Synth::new(shared.config.seed, Venue::Krx, body).at(crate::clock::now(&shared.config));
    let det = Det::new(shared.config.seed, &[&tr.id]);
    let mut out = synth.object(&tr.response, &synth.top_row(), &det, None, false);
    match tr.id.as_str() {
        "au10001" => {
            let issued = lock(&shared.tokens).issue();
            // Inserted even if a spec omits them: no client can work without a token.
            out.insert("expires_dt".into(), Value::String(issued.expires_dt));
            out.insert("token_type".into(), Value::String("Bearer".into()));
            out.insert("token".into(), Value::String(issued.token));
        }
        "au10002" if !lock(&shared.tokens).revoke(text(body, "token")) => {
            return Err(ApiError::code(&shared.catalog, 8005, &[]));
        }
        _ => {}
    }
    Ok(Answer::single(out, "정상적으로 처리되었습니다"))
}
