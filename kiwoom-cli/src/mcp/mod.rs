//! `kiwoom mcp`: the CLI's catalog, read TRs and realtime snapshots as tools of a Model
//! Context Protocol server on stdio, for AI agents. Orders are tools only when the server
//! was started with `--allow-orders`, and each one is sent only by a second call carrying
//! the one-time token the first (dry-run) call returned. See design/cli.md.
//!
//! - `tools`: the tool list (names, descriptions, input schemas);
//! - `server`: the rmcp handler: one session per server, tool calls dispatched;
//! - `catalog`: `find` / `describe` through the CLI's own catalog code;
//! - `read`: the generic call of a read TR, validated like `kiwoom call`;
//! - `typed`: a response's wire text as typed JSON (numbers, directions, dates, codes);
//! - `snapshot`: N events or T seconds of a realtime type;
//! - `orders`: prepare / confirm, keyed by the client order id, never sent twice.

mod catalog;
mod orders;
mod read;
mod server;
mod snapshot;
mod tools;

use rmcp::ServiceExt;

use crate::error::CliError;
use crate::profile::Profile;

/// Serve MCP on stdin/stdout until the client closes its end.
pub async fn serve(profile: Profile, allow_orders: bool) -> Result<(), CliError> {
    tracing::info!(?profile, allow_orders, "kiwoom mcp: serving on stdio");
    let service = server::KiwoomMcp::new(profile, allow_orders)
        .serve(rmcp::transport::stdio())
        .await
        // Both are failures of stdin/stdout: nothing was sent to Kiwoom.
        .map_err(|e| CliError::Output(std::io::Error::other(format!("MCP handshake: {e}"))))?;
    let reason = service
        .waiting()
        .await
        .map_err(|e| CliError::Output(std::io::Error::other(format!("MCP server: {e}"))))?;
    tracing::info!(?reason, "kiwoom mcp: done");
    Ok(())
}
