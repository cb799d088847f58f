//! The tools `kiwoom mcp` lists: names, what each does (the text an agent reads to choose
//! one) and its input schema. Order tools are listed only with `--allow-orders`.

use std::sync::Arc;

use rmcp::model::{JsonObject, Tool, ToolAnnotations};
use serde_json::{Value as Json, json};

pub const FIND: &str = "find";
pub const DESCRIBE: &str = "describe";
pub const CALL: &str = "call";
pub const REALTIME_SNAPSHOT: &str = "realtime_snapshot";
pub const ORDER_PREPARE: &str = "order_prepare";
pub const ORDER_CONFIRM: &str = "order_confirm";

/// The order tools, refused (and not listed) without `--allow-orders`.
pub const ORDER_TOOLS: [&str; 2] = [ORDER_PREPARE, ORDER_CONFIRM];

/// Every tool this server offers.
pub fn list(allow_orders: bool) -> Vec<Tool> {
    let mut tools = vec![
        tool(
            FIND,
            "Find Kiwoom REST TRs by words in English or Korean (api-id, name, group, field \
             labels; every word must match). Returns api-id, command path, Korean name, safety \
             (read, account_read, order_write, auth_write) and the paged list if any.",
            json!({
                "type": "object",
                "properties": {
                    "query": {"type": "string", "description": "Words, space-separated: `daily chart`, `일봉`, `unfilled orders`"},
                    "limit": {"type": "integer", "minimum": 1, "maximum": 400, "description": "At most this many results (default 50)"}
                },
                "required": ["query"]
            }),
            read_only(),
        ),
        tool(
            DESCRIBE,
            "Describe one TR: its request fields (wire names, types, units, required, enum codes \
             with names and Korean labels), response fields, paging and safety. Use it before \
             `call` to build the body.",
            json!({
                "type": "object",
                "properties": {
                    "tr": {"type": "string", "description": "An api-id (ka10081) or a command path (domestic chart stock-daily-chart)"}
                },
                "required": ["tr"]
            }),
            read_only(),
        ),
        tool(
            CALL,
            "Call a read TR (safety read or account_read) with its request body as Kiwoom writes \
             it (wire field names and values: {\"stk_cd\":\"005930\"}). The body is validated \
             against the spec before anything is sent. The answer is `response` (fields by their \
             Rust names, typed: numbers, prices with their direction, dates, codes with labels) \
             and `wire` (the body as Kiwoom sent it). Orders are not accepted here.",
            json!({
                "type": "object",
                "properties": {
                    "api_id": {"type": "string", "description": "The TR: ka10001"},
                    "body": {"type": ["object", "string"], "description": "The request body with wire names, as an object or as JSON text"},
                    "max_pages": {"type": "integer", "minimum": 1, "maximum": 50, "description": "For a paged TR: follow cont-yn/next-key for up to this many pages (default: one call)"}
                },
                "required": ["api_id"]
            }),
            read_only(),
        ),
        tool(
            REALTIME_SNAPSHOT,
            "Register a realtime type for a short while and return the events received: stop \
             after `count` events or `seconds` seconds, whichever comes first (at most 60 s). \
             Types: 0B trades, 0D order book, 00 order fills (account-wide, no items) ...",
            json!({
                "type": "object",
                "properties": {
                    "type": {"type": "string", "description": "The realtime type: 0B, 0D, 00, FE ..."},
                    "items": {"type": "array", "items": {"type": "string"}, "description": "Stock or sector codes; US symbols as SYMBOL:EXCHANGE (NVDA:ND); none for account-wide types"},
                    "count": {"type": "integer", "minimum": 1, "maximum": 1000, "description": "Stop after this many events"},
                    "seconds": {"type": "integer", "minimum": 1, "maximum": 60, "description": "Stop after this many seconds (default and maximum 60)"}
                },
                "required": ["type"]
            }),
            read_only(),
        ),
    ];
    if allow_orders {
        tools.push(tool(
            ORDER_PREPARE,
            "Step 1 of 2 of an order TR (buy, sell, amend, cancel): validate the request and \
             return it as it would be sent, with a one-time `confirmation_token`. Nothing is \
             sent. `client_order_id` is yours (unique per order): it makes the confirm \
             idempotent. Show the prepared order to the user before confirming.",
            json!({
                "type": "object",
                "properties": {
                    "api_id": {"type": "string", "description": "The order TR: kt10000 (buy), kt10001 (sell), kt10002 (amend), kt10003 (cancel) ..."},
                    "body": {"type": ["object", "string"], "description": "The request body with wire names: {\"dmst_stex_tp\":\"KRX\",\"stk_cd\":\"005930\",\"ord_qty\":\"1\",\"ord_uv\":\"70000\",\"trde_tp\":\"0\"}"},
                    "client_order_id": {"type": "string", "minLength": 1, "maxLength": 64, "description": "Your id for this order, unique per order"}
                },
                "required": ["api_id", "body", "client_order_id"]
            }),
            ToolAnnotations::new().read_only(false).destructive(false).idempotent(true),
        ));
        tools.push(tool(
            ORDER_CONFIRM,
            "Step 2 of 2: send the order prepared under `client_order_id`, exactly as prepared. \
             The order is sent at most once: confirming again returns the first answer. If the \
             answer was lost, the status is `outcome_unknown`: the order may have been placed \
             and is never resent; check the unfilled and filled orders (ka10075, ka10076).",
            json!({
                "type": "object",
                "properties": {
                    "client_order_id": {"type": "string", "minLength": 1, "maxLength": 64},
                    "confirmation_token": {"type": "string", "description": "The token order_prepare returned"}
                },
                "required": ["client_order_id", "confirmation_token"]
            }),
            ToolAnnotations::new().read_only(false).destructive(true).idempotent(true),
        ));
    }
    tools
}

fn read_only() -> ToolAnnotations {
    ToolAnnotations::new().read_only(true)
}

fn tool(
    name: &'static str,
    description: &'static str,
    schema: Json,
    hints: ToolAnnotations,
) -> Tool {
    let schema: JsonObject = match schema {
        Json::Object(map) => map,
        // The schemas above are object literals.
        _ => JsonObject::new(),
    };
    let mut t = Tool::new(name, description, Arc::new(schema));
    t.annotations = Some(hints.open_world(true));
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_tools_are_listed_only_when_allowed() {
        let names = |allow| -> Vec<String> {
            list(allow)
                .into_iter()
                .map(|t| t.name.into_owned())
                .collect()
        };
        assert!(
            ORDER_TOOLS
                .iter()
                .all(|o| !names(false).iter().any(|n| n == o))
        );
        assert!(
            ORDER_TOOLS
                .iter()
                .all(|o| names(true).iter().any(|n| n == o))
        );
        for t in list(true) {
            assert_eq!(
                t.input_schema.get("type"),
                Some(&json!("object")),
                "{}",
                t.name
            );
        }
    }
}
