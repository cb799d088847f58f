//! The rmcp handler: lists the tools and runs a call. One session (client and, on the
//! simulator profile, the simulator) serves every call, so an order placed by one call is
//! seen by the next read; it starts on the first call that needs Kiwoom, so the catalog
//! works without keys.

use std::sync::Arc;

use kiwoom_generated::kiwoom_runtime::Client;
use kiwoom_generated::registry;
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, Implementation, JsonObject,
    ListToolsResult, PaginatedRequestParams, ServerCapabilities, ServerConfig,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer, ServerHandler};
use serde_json::{Value as Json, json};
use tokio::sync::{Mutex, OnceCell};

use super::orders::{Confirm, Orders, Outcome};
use super::{catalog, read, snapshot, tools};
use crate::error::CliError;
use crate::profile::{self, Profile, Session};
use crate::typed;

#[derive(Clone)]
pub struct KiwoomMcp {
    profile: Profile,
    allow_orders: bool,
    connected: Arc<OnceCell<Connected>>,
    orders: Arc<Mutex<Orders>>,
}

/// The client every call uses, and the session (the in-process simulator) it needs alive.
struct Connected {
    client: Client,
    _session: Option<Session>,
}

impl KiwoomMcp {
    pub fn new(profile: Profile, allow_orders: bool) -> Self {
        KiwoomMcp {
            profile,
            allow_orders,
            connected: Arc::new(OnceCell::new()),
            orders: Arc::new(Mutex::new(Orders::default())),
        }
    }

    /// A server whose calls go through `client` (tests: a simulator they control).
    #[cfg(test)]
    fn with_client(client: Client, allow_orders: bool) -> Self {
        let server = KiwoomMcp::new(Profile::Simulator, allow_orders);
        let connected = Connected {
            client,
            _session: None,
        };
        if server.connected.set(connected).is_err() {
            unreachable!("a new server is not connected yet");
        }
        server
    }

    async fn client(&self) -> Result<Client, CliError> {
        let connected = self
            .connected
            .get_or_try_init(|| async {
                let session = profile::connect(self.profile).await?;
                Ok::<_, CliError>(Connected {
                    client: session.client.clone(),
                    _session: Some(session),
                })
            })
            .await?;
        Ok(connected.client.clone())
    }

    async fn run(&self, name: &str, args: &JsonObject) -> Result<Json, CliError> {
        if tools::ORDER_TOOLS.contains(&name) && !self.allow_orders {
            return Err(CliError::Refused(format!(
                "{name}: this server was started without --allow-orders, so it places no \
                 orders (start it as `kiwoom mcp --allow-orders`)"
            )));
        }
        match name {
            tools::FIND => catalog::find(&text(args, "query")?, number(args, "limit")?),
            tools::DESCRIBE => catalog::describe(&text(args, "tr")?),
            tools::CALL => {
                let c = read::command(&text(args, "api_id")?, self.allow_orders)?;
                let body = args.get("body").cloned().unwrap_or_else(|| json!({}));
                read::call(&self.client().await?, c, body, number(args, "max_pages")?).await
            }
            tools::REALTIME_SNAPSHOT => {
                let items = match args.get("items") {
                    None | Some(Json::Null) => Vec::new(),
                    Some(Json::Array(items)) => items
                        .iter()
                        .map(|i| i.as_str().map(str::to_owned))
                        .collect::<Option<_>>()
                        .ok_or_else(|| usage("`items` must be an array of strings"))?,
                    Some(_) => return Err(usage("`items` must be an array of strings")),
                };
                let count = number(args, "count")?.map(|n| n as u64);
                let seconds = number(args, "seconds")?.map(|n| n as u64);
                // Checked before connecting, so a bad type costs no session.
                let code = text(args, "type")?;
                crate::stream::resolve(&crate::stream::StreamArgs {
                    code: code.clone(),
                    items: items.clone(),
                    count,
                    duration: None,
                })?;
                snapshot::snapshot(&self.client().await?, code, items, count, seconds).await
            }
            tools::ORDER_PREPARE => self.prepare(args).await,
            tools::ORDER_CONFIRM => self.confirm(args).await,
            other => Err(usage(&format!("no tool `{other}`"))),
        }
    }

    /// Validate an order and hand out its one-time token; nothing is sent.
    async fn prepare(&self, args: &JsonObject) -> Result<Json, CliError> {
        let id = client_order_id(args)?;
        let api_id = text(args, "api_id")?;
        let c = crate::catalog::by_api_id(&api_id)
            .filter(|c| c.is_order())
            .ok_or_else(|| {
                usage(&format!(
                    "`{api_id}` is not an order TR (the `find` tool marks them order_write; \
                     reads go through `call`)"
                ))
            })?;
        let body = args.get("body").cloned().unwrap_or_else(|| json!({}));
        let request = crate::flags::parse(c, &body)?;
        // What is shown is what will be sent: the typed request written back.
        let body = serde_json::to_value(&request).map_err(std::io::Error::other)?;
        let token = self
            .orders
            .lock()
            .await
            .prepare(&id, c.api_id, body.clone(), || {
                uuid::Uuid::new_v4().simple().to_string()
            })
            .map_err(|r| CliError::Refused(r.to_string()))?;
        Ok(json!({
            "status": "prepared",
            "client_order_id": id,
            "api_id": c.api_id,
            "name": c.korean_name,
            "profile": profile_name(self.profile),
            "body": body,
            "confirmation_token": token,
            "sent": false,
            "next": "nothing was sent: show this order to the user, then call order_confirm \
                     with client_order_id and confirmation_token to send it (once)",
        }))
    }

    /// Send a prepared order once; a repeated confirm returns the first outcome.
    async fn confirm(&self, args: &JsonObject) -> Result<Json, CliError> {
        let id = client_order_id(args)?;
        let token = text(args, "confirmation_token")?;
        // Connected before the confirm is taken: a session that cannot start sends nothing
        // and leaves the order prepared.
        let client = self.client().await?;
        let step = self
            .orders
            .lock()
            .await
            .confirm(&id, &token)
            .map_err(|r| CliError::Refused(r.to_string()))?;
        match step {
            Confirm::Send { api_id, body } => {
                // The send runs in its own task: a cancelled tool call must not stop it
                // halfway and leave the order neither sent nor known.
                let orders = self.orders.clone();
                let task_id = id.clone();
                let sent = tokio::spawn(async move {
                    let outcome = send(&client, api_id, body).await;
                    orders.lock().await.finish(&task_id, outcome.clone());
                    outcome
                })
                .await;
                let outcome = sent
                    .unwrap_or_else(|e| Outcome::Unknown(format!("the sending task stopped: {e}")));
                outcome_json(&id, api_id, &outcome, false)
            }
            Confirm::Done { api_id, outcome } => outcome_json(&id, api_id, &outcome, true),
            Confirm::InFlight => Err(CliError::Refused(format!(
                "order `{id}` is being sent by another confirm right now; it is not sent \
                 again: confirm again in a moment to read its outcome"
            ))),
        }
    }
}

/// Send one order through the runtime's one call path (which never resends an order that
/// may have reached Kiwoom).
async fn send(client: &Client, api_id: &'static str, body: Json) -> Outcome {
    match registry::call_json(client, api_id, body).await {
        Ok(answer) => match serde_json::to_value(&answer) {
            Ok(wire) => Outcome::Placed(wire),
            Err(e) => Outcome::Unknown(format!("the answer could not be written back: {e}")),
        },
        Err(e) if e.is_outcome_unknown() => Outcome::Unknown(e.to_string()),
        Err(e) => Outcome::Rejected(e.to_string()),
    }
}

/// A confirm's answer. `repeated`: this confirm did not send; it reports the first one's.
fn outcome_json(
    id: &str,
    api_id: &str,
    outcome: &Outcome,
    repeated: bool,
) -> Result<Json, CliError> {
    match outcome {
        Outcome::Placed(wire) => {
            let c = crate::catalog::by_api_id(api_id);
            Ok(json!({
                "status": "placed",
                "client_order_id": id,
                "order_number": wire.get("ord_no"),
                "repeated_confirm": repeated,
                "response": c.map_or_else(|| wire.clone(), |c| typed::body(c.response, wire)),
                "wire": wire,
            }))
        }
        Outcome::Rejected(e) => Err(CliError::Refused(format!(
            "order `{id}` was not placed: {e}{}",
            if repeated {
                " (reported again, not resent)"
            } else {
                ""
            }
        ))),
        Outcome::Unknown(e) => Err(CliError::OutcomeUnknown(format!(
            "order `{id}`: OUTCOME UNKNOWN, it may have been placed: {e}. It was not resent \
             and never will be under this id; check the unfilled and filled orders (ka10075, \
             ka10076) before placing it again under a new client order id"
        ))),
    }
}

fn profile_name(p: Profile) -> &'static str {
    match p {
        Profile::Simulator => "simulator",
        Profile::Mock => "mock",
        Profile::Real => "real",
    }
}

fn usage(message: &str) -> CliError {
    CliError::Usage(message.to_owned())
}

fn text(args: &JsonObject, key: &str) -> Result<String, CliError> {
    match args.get(key) {
        Some(Json::String(s)) if !s.trim().is_empty() => Ok(s.trim().to_owned()),
        _ => Err(usage(&format!("`{key}` is required (a non-empty string)"))),
    }
}

fn number(args: &JsonObject, key: &str) -> Result<Option<usize>, CliError> {
    match args.get(key) {
        None | Some(Json::Null) => Ok(None),
        Some(v) => v
            .as_u64()
            .filter(|n| *n >= 1)
            .map(|n| Some(n as usize))
            .ok_or_else(|| usage(&format!("`{key}` must be a whole number of at least 1"))),
    }
}

fn client_order_id(args: &JsonObject) -> Result<String, CliError> {
    let id = text(args, "client_order_id")?;
    if id.len() > 64 || id.chars().any(char::is_control) {
        return Err(usage(
            "`client_order_id` must be at most 64 characters, without control characters",
        ));
    }
    Ok(id)
}

/// A refused or failed call as the tool's error result: what the agent reads.
fn error_result(e: &CliError) -> CallToolResult {
    let status = match e {
        CliError::OutcomeUnknown(_) => "outcome_unknown",
        CliError::Flag { .. } | CliError::Refused(_) | CliError::Usage(_) => "refused",
        _ => "failed",
    };
    CallToolResult::structured_error(json!({"status": status, "error": e.to_string()}))
}

impl ServerHandler for KiwoomMcp {
    fn get_info(&self) -> ServerConfig {
        let orders = if self.allow_orders {
            "Orders: order_prepare validates an order and returns a one-time token (nothing \
             sent); order_confirm sends it, once per client_order_id."
        } else {
            "Read-only: started without --allow-orders, so no order tools."
        };
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(Implementation::new("kiwoom", env!("CARGO_PKG_VERSION")))
            .with_instructions(format!(
                "Kiwoom Securities REST API (키움증권), profile `{}`. Find a TR with `find`, read \
                 its fields with `describe`, call a read TR with `call` (wire field names), \
                 sample realtime data with `realtime_snapshot`. {orders}",
                profile_name(self.profile)
            ))
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        Ok(ListToolsResult::with_all_items(tools::list(
            self.allow_orders,
        )))
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let args = request.arguments.unwrap_or_default();
        let result = match self.run(&request.name, &args).await {
            Ok(value) => CallToolResult::structured(value),
            Err(e) => {
                tracing::debug!(tool = %request.name, error = %e, "tool call refused or failed");
                error_result(&e)
            }
        };
        Ok(result.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kiwoom_generated::kiwoom_runtime::Environment;
    use kiwoom_mock::{Fault, MockConfig, MockServer};

    fn args(v: Json) -> JsonObject {
        match v {
            Json::Object(map) => map,
            _ => unreachable!("object literals"),
        }
    }

    /// An order whose answer is lost after the simulator placed it: reported as outcome
    /// unknown, and a confirm repeated afterwards reports it again without resending.
    #[tokio::test]
    async fn an_order_whose_answer_was_lost_is_outcome_unknown_and_never_resent() {
        let sim = MockServer::start(MockConfig::default())
            .await
            .expect("simulator");
        let client = Client::builder()
            .environment(Environment::Custom {
                base_url: sim.base_url(),
                ws_url: sim.ws_url(),
            })
            .app_key("test-app-key")
            .secret_key("test-secret-key")
            .build()
            .expect("client");
        let server = KiwoomMcp::with_client(client, true);
        let body =
            json!({"dmst_stex_tp": "KRX", "stk_cd": "005930", "ord_qty": "1", "trde_tp": "3"});
        let prepared = server
            .run(
                tools::ORDER_PREPARE,
                &args(json!({"api_id": "kt10000", "body": body, "client_order_id": "lost-1"})),
            )
            .await
            .expect("prepared");
        let token = prepared["confirmation_token"].clone();
        assert_eq!(
            sim.control().processed("kt10000"),
            0,
            "prepare sends nothing"
        );

        sim.control()
            .inject("kt10000", Fault::CloseAfterProcessing, 1);
        let confirm = args(json!({"client_order_id": "lost-1", "confirmation_token": token}));
        for attempt in 0..2 {
            match server.run(tools::ORDER_CONFIRM, &confirm).await {
                Err(e @ CliError::OutcomeUnknown(_)) => {
                    let text = e.to_string();
                    assert!(
                        text.contains("OUTCOME UNKNOWN") && text.contains("not resent"),
                        "{text}"
                    );
                    assert!(
                        !text.contains("test-secret-key") && !text.contains("test-app-key"),
                        "{text}"
                    );
                    assert_eq!(
                        error_result(&e).structured_content.expect("structured")["status"],
                        "outcome_unknown"
                    );
                }
                other => panic!("confirm {attempt}: not outcome unknown: {other:?}"),
            }
        }
        // Placed once by the first confirm; the fault was used up, so a resend would have
        // been answered and counted.
        assert_eq!(sim.control().processed("kt10000"), 1);
        assert_eq!(sim.control().requests("kt10000"), 1);
    }
}
