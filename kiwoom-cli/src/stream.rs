//! `kiwoom stream <type> [items...]`: register a realtime type and print its events until
//! `--count` events, `--duration` seconds or the end of the session. Registration goes
//! through the runtime's session (`subscribe_raw`: groups, acks, restore after a
//! reconnect); gaps and SYSTEM notices are reported on stderr, never dropped silently.

use std::io::Write;
use std::time::Duration;

use futures::StreamExt;
use kiwoom_generated::kiwoom_runtime::ws::Refresh;
use kiwoom_generated::kiwoom_runtime::{Market, RealItem, SessionEvent, WsItem};
use serde_json::{Map, Value as Json};

use crate::catalog::{self, Stream};
use crate::error::CliError;
use crate::output::{self, Format};
use crate::profile::{self, Profile};
use crate::record::Recorder;

/// What to stream and for how long.
#[derive(Debug, Clone)]
pub struct StreamArgs {
    pub code: String,
    pub items: Vec<String>,
    pub count: Option<u64>,
    pub duration: Option<Duration>,
}

/// The realtime type, with its items checked against what REG takes for it.
pub fn resolve(args: &StreamArgs) -> Result<(&'static Stream, Vec<WsItem>), CliError> {
    let s = catalog::stream(&args.code).ok_or_else(|| {
        let known: Vec<&str> = catalog::streams().iter().map(|s| s.code).collect();
        CliError::Usage(format!(
            "`{}` is not a realtime type (one of: {})",
            args.code,
            known.join(" ")
        ))
    })?;
    let label = format!("realtime {} ({})", s.code, s.korean_name);
    let items = match s.item {
        "account" if !args.items.is_empty() => {
            return Err(CliError::Usage(format!(
                "{label} is account-wide: it takes no items"
            )));
        }
        "account" => Vec::new(),
        _ if args.items.is_empty() => {
            return Err(CliError::Usage(format!(
                "{label}: give at least one {}",
                if s.item == "us_symbol" {
                    "SYMBOL:EXCHANGE (NVDA:ND)"
                } else {
                    "code"
                }
            )));
        }
        "us_symbol" => args
            .items
            .iter()
            .map(|i| match i.split_once(':') {
                Some((symbol, exchange)) if !symbol.is_empty() && !exchange.is_empty() => {
                    Ok(WsItem::us(symbol, exchange))
                }
                _ => Err(CliError::Usage(format!(
                    "{label}: `{i}` is not SYMBOL:EXCHANGE (NVDA:ND; NA AMEX, ND NASDAQ, NY NYSE)"
                ))),
            })
            .collect::<Result<_, _>>()?,
        _ => args
            .items
            .iter()
            .map(|i| WsItem::from(i.as_str()))
            .collect(),
    };
    Ok((s, items))
}

pub async fn run(
    args: &StreamArgs,
    profile: Profile,
    format: Format,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    run_recorded(args, profile, None, format, out).await
}

/// [`run`], every frame received also appended to `record` (see `record.rs`).
pub async fn run_recorded(
    args: &StreamArgs,
    profile: Profile,
    record: Option<&std::path::PathBuf>,
    format: Format,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let (s, items) = resolve(args)?;
    // Opened before connecting: a file that cannot be written is refused up front.
    let mut recorder = record.map(|p| Recorder::open(p)).transpose()?;
    let session = profile::connect(profile).await?;
    let market = if s.market == "us" {
        Market::Us
    } else {
        Market::Domestic
    };
    let realtime = session.client.realtime(market).await?;
    let mut events = realtime.events();
    realtime
        .subscribe_raw("1", items, &[s.code], Refresh::Keep)
        .await?;
    let deadline = args.duration.map(|d| tokio::time::Instant::now() + d);
    let mut printed = 0u64;
    while args.count.is_none_or(|n| printed < n) {
        let next = match deadline {
            Some(at) => match tokio::time::timeout_at(at, events.next()).await {
                Ok(event) => event,
                Err(_) => break,
            },
            None => events.next().await,
        };
        let Some(event) = next else {
            eprintln!("the realtime session ended");
            break;
        };
        if let Some(r) = recorder.as_mut() {
            match &event {
                SessionEvent::Real(item) => r.real(item)?,
                SessionEvent::System { code, message } => r.system(code, message)?,
                _ => {}
            }
        }
        match event {
            SessionEvent::Real(item) if item.kind == s.code => {
                print_item(s, &item, format, out)?;
                printed += 1;
            }
            SessionEvent::Real(_) => {}
            SessionEvent::Gap(gap) => eprintln!("gap: {gap:?}"),
            SessionEvent::System { code, message } => eprintln!("system {code}: {message}"),
            SessionEvent::Malformed { kind, error } => {
                eprintln!("malformed entry {}: {error}", kind.unwrap_or_default())
            }
            SessionEvent::FrameTruncated { entries, delivered } => {
                eprintln!("frame truncated: {delivered} of {entries} entries delivered")
            }
            other => eprintln!("{other:?}"),
        }
    }
    realtime.close().await;
    Ok(())
}

/// One event as JSON: values keyed by their Rust names and typed by the table (numbers as
/// numbers, a direction-signed price as `{value, direction}`, a trade side as
/// `{quantity, side}`, ISO dates and times, a code as `{code, name, label}`); a value the
/// table does not know keeps its numeric id and its wire text. `kiwoom mcp` answers the same.
pub fn event_json(s: &Stream, item: &RealItem) -> Json {
    let mut values = Map::new();
    for (id, v) in &item.values {
        match s.values.iter().find(|f| f.path == id) {
            Some(f) => values.insert(f.rust.to_owned(), crate::typed::value(v, f)),
            None => values.insert(id.to_owned(), Json::String(v.to_owned())),
        };
    }
    serde_json::json!({
        "type": item.kind,
        "name": s.korean_name,
        "item": item.item,
        "values": values,
    })
}

/// One event: typed JSON ([`event_json`]) on one line, or a table line.
pub fn print_item(
    s: &Stream,
    item: &RealItem,
    format: Format,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    match format {
        Format::Json | Format::Ndjson | Format::Csv => {
            writeln!(out, "{}", event_json(s, item))?;
        }
        Format::Table => {
            let mut line = format!("{} {}", item.kind, item.item);
            for (id, v) in &item.values {
                let field = s.values.iter().find(|f| f.path == id);
                let name = field.map_or(id, |f| f.rust);
                let shown = field.map_or(v.to_owned(), |f| {
                    output::human(v.trim(), f.ty, f.sign, f.values)
                });
                line.push_str(&format!("  {name}={shown}"));
            }
            writeln!(out, "{line}")?;
        }
    }
    out.flush()
}
