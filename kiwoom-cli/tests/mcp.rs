//! `kiwoom mcp` driven as an agent's MCP client drives it: the real binary spawned on the
//! simulator profile, rmcp's client over the child's stdin/stdout (initialize, list tools,
//! call tools). Read-only by default; with `--allow-orders`, an order goes through
//! order_prepare / order_confirm and is placed exactly once however often it is confirmed.

use rmcp::model::{CallToolRequestParams, CallToolResult};
use rmcp::service::RunningService;
use rmcp::transport::TokioChildProcess;
use rmcp::{RoleClient, ServiceExt};
use serde_json::{Value, json};

/// The key the simulator profile logs in with: it must never reach a tool's answer.
const SIMULATOR_KEY: &str = "kiwoom-cli-simulator";

type Client = RunningService<RoleClient, ()>;

/// `kiwoom --profile simulator mcp [extra]`, with the keys, profile variables and the
/// user's configuration kept out.
async fn start(extra: &[&str]) -> Client {
    let config = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("mcp-config-{}", std::process::id()));
    let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_kiwoom"));
    cmd.args(["--profile", "simulator", "mcp"])
        .args(extra)
        .env("KIWOOM_CONFIG_DIR", &config)
        .env("HOME", &config)
        .env("XDG_CONFIG_HOME", &config)
        .env_remove("KIWOOM_APP_KEY")
        .env_remove("KIWOOM_SECRET_KEY")
        .env_remove("KIWOOM_PROFILE")
        .env_remove("KIWOOM_SIMULATOR_URL")
        .env_remove("RUST_LOG");
    let transport = TokioChildProcess::new(cmd).expect("kiwoom mcp starts");
    ().serve(transport).await.expect("the MCP handshake")
}

/// Call `tool`; the answer's structured content and whether it is an error.
async fn call(client: &Client, tool: &'static str, args: Value) -> (Value, bool) {
    let Value::Object(args) = args else {
        panic!("arguments are an object")
    };
    let result: CallToolResult = client
        .call_tool(CallToolRequestParams::new(tool).with_arguments(args))
        .await
        .unwrap_or_else(|e| panic!("{tool}: the call failed at the protocol level: {e}"));
    let text = serde_json::to_string(&result).expect("serializable");
    assert!(
        !text.contains(SIMULATOR_KEY),
        "{tool}: a key in the answer: {text}"
    );
    let value = result
        .structured_content
        .unwrap_or_else(|| panic!("{tool}: no structured content: {text}"));
    (value, result.is_error == Some(true))
}

async fn ok(client: &Client, tool: &'static str, args: Value) -> Value {
    let (value, is_error) = call(client, tool, args).await;
    assert!(!is_error, "{tool} failed: {value}");
    value
}

/// A refusal whose message carries every one of `words`.
async fn refused(client: &Client, tool: &'static str, args: Value, words: &[&str]) -> Value {
    let (value, is_error) = call(client, tool, args).await;
    assert!(is_error, "{tool} was not refused: {value}");
    let message = value["error"].as_str().unwrap_or_default();
    for w in words {
        assert!(message.contains(w), "{tool}: no {w:?} in {message:?}");
    }
    value
}

async fn tool_names(client: &Client) -> Vec<String> {
    let mut names: Vec<String> = client
        .list_all_tools()
        .await
        .expect("tools/list")
        .into_iter()
        .map(|t| t.name.into_owned())
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn read_only_server_catalog_reads_and_realtime() {
    let client = start(&[]).await;
    let server = client.peer_info().expect("initialized");
    assert_eq!(
        server.server_info.as_ref().map(|i| i.name.as_str()),
        Some("kiwoom")
    );
    assert_eq!(
        tool_names(&client).await,
        ["call", "describe", "find", "realtime_snapshot"]
    );

    // The catalog: the CLI's own find and describe.
    let found = ok(&client, "find", json!({"query": "unfilled orders"})).await;
    assert!(
        found["trs"]
            .as_array()
            .expect("a list")
            .iter()
            .any(|t| t["api_id"] == "ka10075" && t["order"] == false),
        "{found}"
    );
    let described = ok(&client, "describe", json!({"tr": "ka10001"})).await;
    assert_eq!(described["safety"], "read");
    assert!(
        described["flags"]
            .as_array()
            .expect("flags")
            .iter()
            .any(|f| f["wire"] == "stk_cd" && f["required"] == true),
        "{described}"
    );
    refused(&client, "describe", json!({"tr": "kx99999"}), &["kx99999"]).await;

    // A read TR: validated, sent to the simulator, answered typed beside the wire body.
    let info = ok(
        &client,
        "call",
        json!({"api_id": "ka10001", "body": {"stk_cd": "005930"}}),
    )
    .await;
    assert_eq!(info["wire"]["stk_cd"], "005930", "{info}");
    let response = &info["response"];
    assert_eq!(response["stock_code"], "005930", "{info}");
    let price = &response["current_price"];
    assert!(price["value"].as_i64().is_some_and(|p| p > 0), "{price}");
    assert!(
        ["up", "down", "unchanged"].contains(&price["direction"].as_str().unwrap_or("")),
        "{price}"
    );
    let wire_price = info["wire"]["cur_prc"].as_str().expect("wire text");
    assert_eq!(
        wire_price
            .trim_start_matches(['+', '-'])
            .parse::<i64>()
            .ok(),
        price["value"].as_i64(),
        "typed and wire prices agree"
    );

    // A paged TR through the runtime's paging loop: two pages of daily candles, typed.
    let chart = ok(
        &client,
        "call",
        json!({"api_id": "ka10081", "max_pages": 2,
               "body": {"stk_cd": "005930", "base_dt": "20250908", "upd_stkpc_tp": "1"}}),
    )
    .await;
    let pages = chart["pages"].as_array().expect("pages");
    assert_eq!(pages.len(), 2, "{chart}");
    for page in pages {
        let rows = page["wire"]["stk_dt_pole_chart_qry"]
            .as_array()
            .expect("rows");
        assert!(!rows.is_empty(), "{page}");
        let typed_rows = page["response"].as_object().expect("typed").values();
        let typed_rows: Vec<&Value> = typed_rows.filter(|v| v.is_array()).collect();
        assert_eq!(typed_rows.len(), 1, "the list, under its Rust name");
        assert_eq!(typed_rows[0].as_array().map(Vec::len), Some(rows.len()));
        let first = &typed_rows[0][0];
        assert!(
            first["date"]
                .as_str()
                .is_some_and(|d| d.len() == 10 && d.as_bytes()[4] == b'-'),
            "an ISO date: {first}"
        );
    }
    refused(
        &client,
        "call",
        json!({"api_id": "ka10001", "max_pages": 2, "body": {"stk_cd": "005930"}}),
        &["does not page"],
    )
    .await;

    // Validation before sending names the field; nothing is sent.
    refused(
        &client,
        "call",
        json!({"api_id": "ka10001", "body": {}}),
        &["ka10001", "stk_cd", "nothing was sent"],
    )
    .await;
    // The JSON text form is read strictly, like `kiwoom call --json`.
    refused(
        &client,
        "call",
        json!({"api_id": "ka10001", "body": r#"{"stk_cd":"005930","stk_cd":"000660"}"#}),
        &["ka10001"],
    )
    .await;

    // A realtime snapshot of three trades.
    let snap = ok(
        &client,
        "realtime_snapshot",
        json!({"type": "0B", "items": ["005930"], "count": 3, "seconds": 30}),
    )
    .await;
    assert_eq!(snap["count"], 3, "{snap}");
    assert_eq!(snap["complete"], true, "{snap}");
    let events = snap["events"].as_array().expect("events");
    assert_eq!(events.len(), 3);
    for e in events {
        assert_eq!(e["type"], "0B");
        assert_eq!(e["item"], "005930");
        assert!(
            e["values"].as_object().is_some_and(|v| !v.is_empty()),
            "{e}"
        );
    }
    refused(
        &client,
        "realtime_snapshot",
        json!({"type": "ZZ", "count": 1}),
        &["ZZ", "not a realtime type"],
    )
    .await;

    // Orders: neither the order tools nor `call` place one without --allow-orders.
    let buy = json!({"dmst_stex_tp": "KRX", "stk_cd": "005930", "ord_qty": "1", "ord_uv": "50000", "trde_tp": "0"});
    refused(
        &client,
        "order_prepare",
        json!({"api_id": "kt10000", "body": buy, "client_order_id": "x-1"}),
        &["--allow-orders"],
    )
    .await;
    refused(
        &client,
        "order_confirm",
        json!({"client_order_id": "x-1", "confirmation_token": "anything"}),
        &["--allow-orders"],
    )
    .await;
    refused(
        &client,
        "call",
        json!({"api_id": "kt10000", "body": buy}),
        &["kt10000", "--allow-orders"],
    )
    .await;
    // Token TRs would put a token in the answer: not offered.
    refused(
        &client,
        "call",
        json!({"api_id": "au10001", "body": {}}),
        &["au10001", "token"],
    )
    .await;
    client.cancel().await.expect("closed");
}

/// The unfilled orders of 005930 on the simulator: their order numbers.
async fn unfilled(client: &Client) -> Vec<String> {
    let answer = ok(
        client,
        "call",
        json!({"api_id": "ka10075", "body": {"all_stk_tp": "1", "trde_tp": "0", "stk_cd": "005930", "stex_tp": "0"}}),
    )
    .await;
    answer["wire"]["oso"]
        .as_array()
        .map(|rows| {
            rows.iter()
                .filter_map(|r| r["ord_no"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn an_order_is_prepared_then_placed_exactly_once() {
    let client = start(&["--allow-orders"]).await;
    assert_eq!(
        tool_names(&client).await,
        [
            "call",
            "describe",
            "find",
            "order_confirm",
            "order_prepare",
            "realtime_snapshot"
        ]
    );

    // A limit buy 10% under the current price (a multiple of 1,000 is on every tick
    // size): it rests unfilled, so the unfilled list shows whether it was placed.
    let info = ok(
        &client,
        "call",
        json!({"api_id": "ka10001", "body": {"stk_cd": "005930"}}),
    )
    .await;
    let price = info["response"]["current_price"]["value"]
        .as_i64()
        .expect("a price");
    let limit = price * 9 / 10 / 1000 * 1000;
    let before = unfilled(&client).await;
    let buy = json!({"dmst_stex_tp": "KRX", "stk_cd": "005930", "ord_qty": "1", "ord_uv": limit.to_string(), "trde_tp": "0"});

    // A bad order is refused at prepare, naming the field.
    let mut bad = buy.clone();
    bad["ord_qty"] = json!("0");
    refused(
        &client,
        "order_prepare",
        json!({"api_id": "kt10000", "body": bad, "client_order_id": "bad-1"}),
        &["kt10000", "ord_qty"],
    )
    .await;
    // Reads are not prepared as orders.
    refused(
        &client,
        "order_prepare",
        json!({"api_id": "ka10001", "body": {"stk_cd": "005930"}, "client_order_id": "r-1"}),
        &["not an order TR"],
    )
    .await;

    // Step 1: the validated request and a token; nothing sent.
    let prepared = ok(
        &client,
        "order_prepare",
        json!({"api_id": "kt10000", "body": buy, "client_order_id": "agent-order-1"}),
    )
    .await;
    assert_eq!(prepared["status"], "prepared");
    assert_eq!(prepared["sent"], false);
    assert_eq!(prepared["body"], buy, "shown exactly as it will be sent");
    let token = prepared["confirmation_token"]
        .as_str()
        .expect("a token")
        .to_owned();
    assert!(token.len() >= 32, "{token}");
    assert_eq!(unfilled(&client).await, before, "prepare sent nothing");

    // A wrong token sends nothing.
    refused(
        &client,
        "order_confirm",
        json!({"client_order_id": "agent-order-1", "confirmation_token": "0000"}),
        &["token"],
    )
    .await;
    assert_eq!(
        unfilled(&client).await,
        before,
        "a wrong token sent nothing"
    );

    // Step 2, twice at once (an agent retrying): one order.
    let confirm = json!({"client_order_id": "agent-order-1", "confirmation_token": token});
    let (a, b) = tokio::join!(
        call(&client, "order_confirm", confirm.clone()),
        call(&client, "order_confirm", confirm.clone())
    );
    let placed: Vec<&Value> = [&a, &b]
        .into_iter()
        .filter(|(v, is_error)| !is_error && v["status"] == "placed")
        .map(|(v, _)| v)
        .collect();
    assert!(!placed.is_empty(), "no confirm placed it: {a:?} {b:?}");
    let sent_now: Vec<&&Value> = placed
        .iter()
        .filter(|v| v["repeated_confirm"] == false)
        .collect();
    assert_eq!(sent_now.len(), 1, "exactly one confirm sent: {a:?} {b:?}");
    let order_number = sent_now[0]["order_number"]
        .as_str()
        .expect("an order number")
        .to_owned();
    // The other one either saw it in flight or got the same answer.
    for (v, is_error) in [&a, &b] {
        if *is_error {
            assert!(
                v["error"].as_str().unwrap_or("").contains("not sent again"),
                "{v}"
            );
        } else {
            assert_eq!(v["order_number"], order_number.as_str(), "{v}");
        }
    }

    // A third confirm, later: the first answer again, not a second order.
    let again = ok(&client, "order_confirm", confirm).await;
    assert_eq!(again["status"], "placed");
    assert_eq!(again["repeated_confirm"], true);
    assert_eq!(again["order_number"], order_number.as_str());

    let after = unfilled(&client).await;
    let new: Vec<&String> = after.iter().filter(|n| !before.contains(n)).collect();
    assert_eq!(new, [&order_number], "exactly one new unfilled order");

    // The used id cannot carry another order.
    refused(
        &client,
        "order_prepare",
        json!({"api_id": "kt10000", "body": buy, "client_order_id": "agent-order-1"}),
        &["agent-order-1", "already used"],
    )
    .await;
    client.cancel().await.expect("closed");
}
