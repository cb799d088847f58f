//! Pushes on demand (`MockControl::push_burst`, `MockControl::push_raw`): many REAL frames
//! as fast as a socket takes them, or one frame exactly as given, to test a client that
//! lags or meets a malformed frame.

use axum::extract::ws::{Message, WebSocket};
use codegen::spec::RealtimeItem;
use futures::SinkExt;
use futures::stream::SplitSink;
use serde_json::{Map, Value};
use tokio::sync::mpsc;

use super::frames;
use super::session::Session;
use crate::market;
use crate::synth::Synth;

/// What to push to every logged-in WebSocket session.
#[derive(Clone, Debug)]
pub(crate) enum Push {
    Burst {
        fills: u32,
        quotes: u32,
        quotes_per_frame: u32,
        /// Each session reports the frames it sent, once, whatever happens.
        done: mpsc::UnboundedSender<u64>,
    },
    Raw {
        text: String,
        done: mpsc::UnboundedSender<u64>,
    },
}

impl Push {
    fn done(&self) -> &mpsc::UnboundedSender<u64> {
        match self {
            Push::Burst { done, .. } | Push::Raw { done, .. } => done,
        }
    }
}

type Tx = SplitSink<WebSocket, Message>;

/// The KST time of day written into pushed values: 10:00:00, in trading hours, the same
/// on every run.
const PUSH_TIME: u32 = 10 * 3600;

/// Send `push` on this connection; false when the socket broke.
pub(crate) async fn send(tx: &mut Tx, session: &Session, push: &Push) -> bool {
    let mut sent = 0u64;
    let ok = if !session.logged_in {
        true
    } else {
        match push {
            Push::Raw { text, .. } => {
                let ok = tx.send(Message::Text(text.clone().into())).await.is_ok();
                sent += u64::from(ok);
                ok
            }
            Push::Burst {
                fills,
                quotes,
                quotes_per_frame,
                ..
            } => burst(tx, session, *fills, *quotes, *quotes_per_frame, &mut sent).await,
        }
    };
    let _ = push.done().send(sent);
    ok
}

/// The values of one registered (type, item), synthesized once; each pushed entry is a
/// copy with its sequence written in.
struct Template {
    kind: String,
    name: String,
    item: String,
    stex_tp: Option<String>,
    values: Map<String, Value>,
}

fn templates(session: &Session, want: impl Fn(&str, RealtimeItem) -> bool) -> Vec<Template> {
    let empty = Map::new();
    let synth = Synth::new(session.shared.config.seed, session.venue(), &empty);
    let mut out: Vec<Template> = Vec::new();
    for r in &session.regs {
        if out.iter().any(|t| t.kind == r.kind && t.item == r.item) {
            continue;
        }
        let Some((_, tr)) = session.shared.catalog.realtime.get(&r.kind) else {
            continue;
        };
        let Some(rt) = tr.realtime.as_ref() else {
            continue;
        };
        if !want(&r.kind, rt.item) {
            continue;
        }
        let code = if r.item.is_empty() { "005930" } else { &r.item };
        let stock = market::lookup(session.shared.config.seed, code, session.venue());
        out.push(Template {
            kind: r.kind.clone(),
            name: tr.korean_name.clone(),
            item: r.item.clone(),
            stex_tp: r.stex_tp.clone(),
            values: synth.realtime_values(&rt.values, &stock, 0, PUSH_TIME),
        });
    }
    out
}

fn entry(t: &Template, item: &str, overrides: &[(&str, String)]) -> Value {
    let mut values = t.values.clone();
    for (id, v) in overrides {
        values.insert((*id).to_owned(), Value::String(v.clone()));
    }
    frames::real_entry(values, &t.kind, &t.name, item, t.stex_tp.as_deref())
}

/// `fills` order fills (`00`, if registered) numbered 1..=fills in `9203` (order number),
/// interleaved with `quotes` entries over every registered stock-item type, round robin,
/// each carrying its per-(type, item) sequence in `13` (cumulative volume, which only
/// grows), `quotes_per_frame` entries to a frame.
async fn burst(
    tx: &mut Tx,
    session: &Session,
    fills: u32,
    quotes: u32,
    quotes_per_frame: u32,
    sent: &mut u64,
) -> bool {
    let fill = templates(session, |kind, _| kind == "00").pop();
    let quoted = templates(session, |kind, item| {
        kind != "00" && matches!(item, RealtimeItem::Stock | RealtimeItem::UsSymbol)
    });
    let fills = if fill.is_some() { fills } else { 0 };
    let quotes = if quoted.is_empty() { 0 } else { quotes };
    let per_frame = quotes_per_frame.max(1);
    let quote_frames = quotes.div_ceil(per_frame);
    let mut seq_of_key = vec![0u64; quoted.len()];
    let mut next_quote = 0u32;
    for step in 0..fills.max(quote_frames) {
        if let Some(t) = fill.as_ref().filter(|_| step < fills) {
            let n = step + 1;
            let code = t.values.get("9001").and_then(Value::as_str).unwrap_or("");
            let item = if t.item.is_empty() { code } else { &t.item };
            let e = entry(
                t,
                item,
                &[("9203", format!("{n:07}")), ("913", "체결".into())],
            );
            if !send_frame(tx, frames::real(vec![e]), sent).await {
                return false;
            }
        }
        if step < quote_frames {
            let mut data = Vec::new();
            while next_quote < quotes && data.len() < per_frame as usize {
                let k = next_quote as usize % quoted.len();
                seq_of_key[k] += 1;
                let t = &quoted[k];
                data.push(entry(t, &t.item, &[("13", seq_of_key[k].to_string())]));
                next_quote += 1;
            }
            if !send_frame(tx, frames::real(data), sent).await {
                return false;
            }
        }
    }
    true
}

async fn send_frame(tx: &mut Tx, frame: Value, sent: &mut u64) -> bool {
    let ok = tx
        .send(Message::Text(frame.to_string().into()))
        .await
        .is_ok();
    *sent += u64::from(ok);
    ok
}
