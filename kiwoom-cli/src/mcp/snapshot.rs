//! The `realtime_snapshot` tool: register a realtime type on the server's session, collect
//! `count` events or `seconds` of them, close. The type and items are checked by the
//! `stream` command's own `resolve`; registration is the runtime's (`subscribe_raw`).

use std::time::Duration;

use futures::StreamExt;
use kiwoom_generated::kiwoom_runtime::ws::Refresh;
use kiwoom_generated::kiwoom_runtime::{Client, Market, SessionEvent};
use serde_json::{Value as Json, json};

use crate::error::CliError;
use crate::stream::{self, StreamArgs};

/// A tool call must end: without `seconds`, a snapshot waits at most this long.
pub const MAX_SECONDS: u64 = 60;
pub const MAX_COUNT: u64 = 1000;

pub async fn snapshot(
    client: &Client,
    code: String,
    items: Vec<String>,
    count: Option<u64>,
    seconds: Option<u64>,
) -> Result<Json, CliError> {
    let count = count.map(|n| n.clamp(1, MAX_COUNT));
    let seconds = seconds.unwrap_or(MAX_SECONDS).clamp(1, MAX_SECONDS);
    let (s, items) = stream::resolve(&StreamArgs {
        code,
        items,
        count,
        duration: Some(Duration::from_secs(seconds)),
    })?;
    let market = if s.market == "us" {
        Market::Us
    } else {
        Market::Domestic
    };
    let realtime = client.realtime(market).await?;
    let mut session_events = realtime.events();
    let registered = realtime
        .subscribe_raw("1", items, &[s.code], Refresh::Keep)
        .await;
    if let Err(e) = registered {
        realtime.close().await;
        return Err(e.into());
    }
    let deadline = tokio::time::Instant::now() + Duration::from_secs(seconds);
    let mut events = Vec::new();
    // Gaps, SYSTEM notices and malformed entries: reported, never dropped silently.
    let mut notices = Vec::new();
    let mut ended = None;
    while count.is_none_or(|n| (events.len() as u64) < n) {
        let next = match tokio::time::timeout_at(deadline, session_events.next()).await {
            Ok(next) => next,
            Err(_) => break,
        };
        let Some(event) = next else {
            ended = Some("the realtime session ended");
            break;
        };
        match event {
            SessionEvent::Real(item) if item.kind == s.code => {
                events.push(stream::event_json(s, &item))
            }
            SessionEvent::Real(_) => {}
            SessionEvent::Gap(gap) => notices.push(format!("gap: {gap:?}")),
            SessionEvent::System { code, message } => {
                notices.push(format!("system {code}: {message}"))
            }
            SessionEvent::Malformed { kind, error } => notices.push(format!(
                "malformed entry {}: {error}",
                kind.unwrap_or_default()
            )),
            SessionEvent::FrameTruncated { entries, delivered } => notices.push(format!(
                "frame truncated: {delivered} of {entries} entries delivered"
            )),
            other => notices.push(format!("{other:?}")),
        }
    }
    realtime.close().await;
    let complete = count.is_some_and(|n| events.len() as u64 >= n);
    Ok(json!({
        "type": s.code,
        "name": s.korean_name,
        "count": events.len(),
        // Whether `count` events arrived (false when time ran out first).
        "complete": complete,
        "ended": ended,
        "events": events,
        "notices": notices,
    }))
}
