//! One WebSocket connection's protocol state: LOGIN, REG/REMOVE, condition search, and the
//! REAL frames its registrations produce. Pure (text in, frames out) so the socket loop in
//! `mod.rs` only moves frames.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use codegen::spec::{Market, RealtimeItem, Tr};
use serde_json::{Map, Value};

use super::{balance, condition, frames, order_fill};
use crate::control::{Registration, Shared, lock};
use crate::feed::Published;
use crate::market::{self, Venue};
use crate::synth::Synth;

/// Items allowed in one group, and on one connection (live limits, captured).
const MAX_ITEMS: usize = 100;

pub struct Session {
    pub shared: Arc<Shared>,
    pub id: u64,
    pub market: Market,
    pub logged_in: bool,
    pub regs: Vec<Registration>,
    /// Condition seqs registered for realtime hits (search_type 1).
    pub conditions: Vec<String>,
    pub tick: u64,
    /// A PING echo arrived since `take_ping_echo` was last asked.
    ping_echoed: bool,
}

/// What to send after a client frame, and whether to close the socket afterwards.
pub struct Reply {
    pub frames: Vec<Value>,
    pub close: bool,
}

impl Reply {
    fn one(v: Value) -> Reply {
        Reply {
            frames: vec![v],
            close: false,
        }
    }
}

fn text<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

fn strings(v: Option<&Value>) -> Vec<Value> {
    match v {
        Some(Value::Array(a)) => a.clone(),
        Some(Value::String(s)) => vec![Value::String(s.clone())],
        _ => Vec::new(),
    }
}

/// KST seconds since midnight of the session's simulator clock.
pub(crate) fn kst_secs(shared: &Shared) -> u32 {
    crate::clock::secs(&shared.config)
}

impl Session {
    pub fn new(shared: Arc<Shared>, market: Market) -> Session {
        let id = shared.ws_next_id.fetch_add(1, Ordering::SeqCst);
        Session {
            shared,
            id,
            market,
            logged_in: false,
            regs: Vec::new(),
            conditions: Vec::new(),
            tick: 0,
            ping_echoed: false,
        }
    }

    /// Whether the client echoed a PING since the last call.
    pub fn take_ping_echo(&mut self) -> bool {
        std::mem::take(&mut self.ping_echoed)
    }

    pub fn venue(&self) -> Venue {
        Venue::of(self.market)
    }

    pub fn on_text(&mut self, raw: &str) -> Reply {
        let msg: Value = match serde_json::from_str(raw) {
            Ok(v @ Value::Object(_)) => v,
            _ => return Reply::one(frames::missing_trnm()),
        };
        let trnm = text(&msg, "trnm").to_string();
        if trnm.is_empty() {
            return Reply::one(frames::missing_trnm());
        }
        if trnm == "PING" {
            // The client's echo of our PING: nothing to answer.
            self.ping_echoed = true;
            return Reply {
                frames: Vec::new(),
                close: false,
            };
        }
        if trnm == "LOGIN" {
            return self.login(&msg);
        }
        if !self.logged_in {
            return Reply::one(frames::not_logged_in(&trnm));
        }
        match trnm.as_str() {
            "REG" => Reply::one(self.register(&msg)),
            "REMOVE" => Reply::one(self.remove(&msg)),
            _ => match condition::handle(self, &trnm, &msg) {
                Some(frames) => Reply {
                    frames,
                    close: false,
                },
                None => Reply::one(frames::error(
                    &trnm,
                    100_001,
                    &format!("지원하지 않는 서비스입니다(trnm={trnm})"),
                )),
            },
        }
    }

    fn login(&mut self, msg: &Value) -> Reply {
        let token = text(msg, "token");
        if !lock(&self.shared.tokens).is_valid(token) {
            return Reply {
                frames: vec![frames::login_failed()],
                close: true,
            };
        }
        self.logged_in = true;
        self.shared.ws_logins.fetch_add(1, Ordering::SeqCst);
        let mut out = Vec::new();
        if self.shared.config.system_frame_before_login {
            out.push(frames::system_notice());
        }
        out.push(frames::login_ok());
        Reply {
            frames: out,
            close: false,
        }
    }

    fn realtime_tr(&self, kind: &str) -> Option<Arc<Tr>> {
        self.shared
            .catalog
            .realtime
            .get(kind)
            .filter(|(m, _)| *m == self.market)
            .map(|(_, tr)| tr.clone())
    }

    /// The (item, stex_tp) pairs of one REG/REMOVE data entry.
    fn items(&self, entry: &Value) -> Vec<(String, Option<String>)> {
        strings(entry.get("item"))
            .iter()
            .map(|item| match item {
                Value::Object(o) => (
                    o.get("jmcode")
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .to_string(),
                    o.get("stex_tp").and_then(Value::as_str).map(str::to_string),
                ),
                other => (other.as_str().unwrap_or("").to_string(), None),
            })
            .collect()
    }

    fn register(&mut self, msg: &Value) -> Value {
        let grp = text(msg, "grp_no").to_string();
        let refresh = text(msg, "refresh");
        let mut next: Vec<Registration> = if refresh == "0" {
            self.regs
                .iter()
                .filter(|r| r.grp_no != grp)
                .cloned()
                .collect()
        } else {
            self.regs.clone()
        };
        for entry in strings(msg.get("data")) {
            let mut items = self.items(&entry);
            for kind in strings(entry.get("type")) {
                let kind = kind.as_str().unwrap_or("").to_string();
                let Some(tr) = self.realtime_tr(&kind) else {
                    return frames::error(
                        "REG",
                        105_100,
                        &format!(
                            "실시간 항목 등록에 실패했습니다. 지원하지 않는 실시간 항목입니다(type={kind})"
                        ),
                    );
                };
                let account_wide = tr
                    .realtime
                    .as_ref()
                    .is_some_and(|r| r.item == RealtimeItem::Account);
                if account_wide && items.is_empty() {
                    items.push((String::new(), None));
                }
                for (item, stex) in &items {
                    let reg = Registration {
                        grp_no: grp.clone(),
                        kind: kind.clone(),
                        item: item.clone(),
                        stex_tp: stex.clone(),
                    };
                    if !next.contains(&reg) {
                        next.push(reg);
                    }
                }
            }
        }
        let distinct = |regs: &mut dyn Iterator<Item = &Registration>| {
            regs.map(|r| r.item.as_str()).collect::<BTreeSet<_>>().len()
        };
        if distinct(&mut next.iter().filter(|r| r.grp_no == grp)) > MAX_ITEMS {
            return frames::too_many_in_group();
        }
        if distinct(&mut next.iter()) > MAX_ITEMS {
            return frames::too_many_in_total();
        }
        self.regs = next;
        self.publish();
        frames::ack("REG")
    }

    fn remove(&mut self, msg: &Value) -> Value {
        let grp = text(msg, "grp_no").to_string();
        for entry in strings(msg.get("data")) {
            let items: Vec<String> = self.items(&entry).into_iter().map(|(i, _)| i).collect();
            let kinds: Vec<String> = strings(entry.get("type"))
                .iter()
                .filter_map(|k| k.as_str().map(str::to_string))
                .collect();
            self.regs.retain(|r| {
                let hit = r.grp_no == grp
                    && kinds.contains(&r.kind)
                    && (items.is_empty() || items.contains(&r.item));
                !hit
            });
        }
        self.publish();
        frames::ack("REMOVE")
    }

    fn publish(&self) {
        lock(&self.shared.ws_registrations).insert(self.id, self.regs.clone());
    }

    pub fn unpublish(&self) {
        lock(&self.shared.ws_registrations).remove(&self.id);
    }

    /// One REAL frame with a fresh value set for every registered (type, item), `00` and
    /// condition-search hits excepted (those push on events). `None` when nothing is registered.
    pub fn realtime_frame(&mut self) -> Option<Value> {
        self.tick += 1;
        let mut seen = BTreeSet::new();
        let empty = Map::new();
        let synth = Synth::new(self.shared.config.seed, self.venue(), &empty)
            .at(crate::clock::now(&self.shared.config));
        let mut data = Vec::new();
        for r in &self.regs {
            if !seen.insert((r.kind.clone(), r.item.clone())) {
                continue;
            }
            let Some(tr) = self.realtime_tr(&r.kind) else {
                continue;
            };
            let Some(rt) = tr.realtime.as_ref() else {
                continue;
            };
            // Condition-search hits have their own pushes, and `00` (order fill) and `04`
            // (balance) report the book's events as they happen; every other type,
            // account-wide ones (0s market hours, 1h VI) included, streams at the
            // configured rate.
            if rt.item == RealtimeItem::ConditionSearch || rt.kind == "00" || rt.kind == "04" {
                continue;
            }
            let stock = market::lookup(self.shared.config.seed, &r.item, self.venue());
            let secs = kst_secs(&self.shared);
            // Once the market walk moves (stepped), quotes stream its price, the one orders
            // fill at; an unstepped market keeps the small noise around the day's close.
            let walked = {
                let book = lock(&self.shared.book);
                (book.walk.steps > 0).then(|| book.price(&self.shared.ctx(), &stock))
            };
            let values = match walked {
                Some(live) => synth.realtime_values_at(&rt.values, &stock, live, self.tick, secs),
                None => synth.realtime_values(&rt.values, &stock, self.tick, secs),
            };
            data.push(frames::real_entry(
                values,
                &rt.kind,
                &tr.korean_name,
                &r.item,
                r.stex_tp.as_deref(),
            ));
        }
        data.extend(condition::hits(self));
        (!data.is_empty()).then(|| frames::real(data))
    }

    /// The frames of one book event for this connection: a `00` (order fill) frame if it
    /// registered 00 and the frame is not dropped by a fault, then a `04` (balance) frame if
    /// it registered 04. Account-wide: whatever item was registered, the entry names the
    /// order's stock, as Kiwoom's examples do.
    pub fn event_frames(&self, published: &Published) -> Vec<Value> {
        let event = &published.event;
        if event.order.stock.venue != self.venue() {
            return Vec::new();
        }
        let empty = Map::new();
        let synth = Synth::new(self.shared.config.seed, self.venue(), &empty)
            .at(crate::clock::now(&self.shared.config));
        let mut out = Vec::new();
        for kind in ["00", "04"] {
            if kind == "00" && !published.send_00 {
                continue;
            }
            if !self.regs.iter().any(|r| r.kind == kind) {
                continue;
            }
            let Some(tr) = self.realtime_tr(kind) else {
                continue;
            };
            let Some(rt) = tr.realtime.as_ref() else {
                continue;
            };
            let mut values =
                synth.realtime_values(&rt.values, &event.order.stock, 0, event.order.secs);
            if kind == "00" {
                order_fill::apply(&mut values, event);
            } else {
                balance::apply(&mut values, event);
            }
            out.push(frames::real(vec![frames::real_entry(
                values,
                kind,
                &tr.korean_name,
                &event.order.stock.code,
                None,
            )]));
        }
        out
    }
}
