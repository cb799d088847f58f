//! The `call` tool: one read TR, its body read and validated by the generated
//! `registry::parse_request` / `validate` (as `kiwoom call` does) and sent through the
//! runtime's one call path (`call_json`), or its paging loop for `max_pages`.

use futures::StreamExt;
use kiwoom_generated::kiwoom_runtime::{Client, SafetyClass};
use kiwoom_generated::registry;
use serde_json::{Value as Json, json};

use crate::catalog::{self, Command};
use crate::error::CliError;
use crate::flags;
use crate::typed;

/// The command of `api_id`, refused unless it only reads.
pub fn command(api_id: &str, allow_orders: bool) -> Result<&'static Command, CliError> {
    let c = catalog::by_api_id(api_id).ok_or_else(|| {
        CliError::Usage(format!(
            "`{api_id}` is not the api-id of a REST TR (the `find` tool lists them)"
        ))
    })?;
    match c.safety {
        SafetyClass::Read | SafetyClass::AccountRead => Ok(c),
        SafetyClass::OrderWrite if allow_orders => Err(CliError::Refused(format!(
            "{} is an order TR: use order_prepare, then order_confirm",
            c.label()
        ))),
        SafetyClass::OrderWrite => Err(CliError::Refused(format!(
            "{} is an order TR: this server was started without --allow-orders, so it \
             places no orders",
            c.label()
        ))),
        // A token TR would put a token (a secret) in the tool's answer; the server keeps
        // its own token.
        SafetyClass::AuthWrite => Err(CliError::Refused(format!(
            "{} issues or revokes a token: not offered over MCP (the server manages its own)",
            c.label()
        ))),
    }
}

/// Call `c` with `body` (an object, or JSON text read strictly: a key given twice is
/// refused) and return the typed answer beside the wire body.
pub async fn call(
    client: &Client,
    c: &'static Command,
    body: Json,
    max_pages: Option<usize>,
) -> Result<Json, CliError> {
    let request = flags::parse(c, &body)?;
    match (max_pages, c.paging_list) {
        (Some(max), Some(_)) => {
            let mut pages =
                kiwoom_generated::registry::pages(client, request, Some(max)).map_err(|_| {
                    CliError::Usage(format!("{}: the client has no pager for it", c.label()))
                })?;
            let mut all = Vec::new();
            while let Some(page) = pages.next().await {
                let page = page.map_err(|e| kiwoom_error(c, e))?;
                let wire = serde_json::to_value(&page).map_err(std::io::Error::other)?;
                all.push(json!({"response": typed::body(c.response, &wire), "wire": wire}));
            }
            Ok(json!({
                "api_id": c.api_id,
                "name": c.korean_name,
                "pages": all,
            }))
        }
        (Some(_), None) => Err(CliError::Usage(format!(
            "{}: max_pages: this TR does not page (no cont-yn / next-key list)",
            c.label()
        ))),
        (None, _) => {
            let answer = registry::call_json(client, c.api_id, body)
                .await
                .map_err(|e| kiwoom_error(c, e))?;
            let wire = serde_json::to_value(&answer).map_err(std::io::Error::other)?;
            Ok(json!({
                "api_id": c.api_id,
                "name": c.korean_name,
                "response": typed::body(c.response, &wire),
                "wire": wire,
            }))
        }
    }
}

/// Validation errors name the field, like the CLI's.
fn kiwoom_error(c: &Command, e: kiwoom_generated::kiwoom_runtime::Error) -> CliError {
    match e {
        kiwoom_generated::kiwoom_runtime::Error::Validation(v) => flags::validation(c, v),
        e => CliError::Kiwoom(e),
    }
}
