//! Condition search over the WebSocket: CNSRLST (list), CNSRREQ (search_type 0 one-shot with
//! body-level `cont_yn`/`next_key` paging; search_type 1 realtime registration whose hits
//! arrive as REAL type `02`), CNSRCLR (stop). The US socket takes the `G`-prefixed names and
//! pushes type `S2` with `stexTp`.

use codegen::spec::{Market, Paging};
use serde_json::{Map, Value, json};

use super::frames;
use super::session::{Session, kst_secs};
use crate::det::Det;
use crate::market;
use crate::paging;
use crate::synth::{PageSpec, Synth};

/// The saved conditions every account has in the simulator: (seq, name).
pub const CONDITIONS: &[(&str, &str)] = &[
    ("0", "골든크로스"),
    ("1", "거래량 급증"),
    ("2", "52주 신고가"),
];

pub fn handle(s: &mut Session, trnm: &str, msg: &Value) -> Option<Vec<Value>> {
    let base = match s.market {
        Market::Us => trnm.strip_prefix('G')?,
        _ => trnm,
    };
    let reply = match base {
        "CNSRLST" => list(trnm),
        "CNSRREQ" => request(s, trnm, msg),
        "CNSRCLR" => clear(s, trnm, msg),
        _ => return None,
    };
    Some(vec![reply])
}

fn list(trnm: &str) -> Value {
    let data: Vec<Value> = CONDITIONS
        .iter()
        .map(|(seq, name)| json!([seq, name]))
        .collect();
    json!({ "trnm": trnm, "return_code": 0, "return_msg": "", "data": data })
}

fn seq_of(msg: &Value) -> String {
    msg.get("seq")
        .and_then(Value::as_str)
        .unwrap_or("")
        .trim()
        .to_string()
}

fn request(s: &mut Session, trnm: &str, msg: &Value) -> Value {
    let seq = seq_of(msg);
    if !CONDITIONS.iter().any(|(c, _)| *c == seq) {
        return frames::error(
            trnm,
            100_003,
            &format!("조건검색식이 존재하지 않습니다(seq={seq})"),
        );
    }
    let realtime = msg.get("search_type").and_then(Value::as_str) == Some("1");
    let tr = s
        .shared
        .catalog
        .condition(s.market, trnm, Some(realtime))
        .cloned();
    let request = msg.as_object().cloned().unwrap_or_default();
    let cfg = &s.shared.config;
    let synth = Synth::new(cfg.seed, s.venue(), &request).at(crate::clock::now(cfg));
    let det = Det::new(cfg.seed, &[trnm, &seq]);
    let list_field = tr.as_ref().and_then(|tr| {
        let name = match &tr.paging {
            Paging::Body { list } | Paging::Header { list } => list.as_str(),
            Paging::None => "data",
        };
        tr.response.iter().find(|f| f.wire == name)
    });
    let mut out = Map::new();
    out.insert("trnm".into(), Value::String(trnm.to_string()));
    out.insert("seq".into(), Value::String(seq.clone()));
    if realtime {
        if !s.conditions.contains(&seq) {
            s.conditions.push(seq.clone());
        }
        let data = match list_field {
            Some(f) => synth.list(f, 0, 3, &det),
            None => Value::Array(
                synth
                    .table()
                    .iter()
                    .take(3)
                    .map(|st| json!({ "jmcode": st.code }))
                    .collect(),
            ),
        };
        out.insert("return_code".into(), Value::from(0));
        out.insert("return_msg".into(), Value::String(String::new()));
        out.insert("data".into(), data);
        return Value::Object(out);
    }
    let wants_next = msg.get("cont_yn").and_then(Value::as_str) == Some("Y");
    let key = msg.get("next_key").and_then(Value::as_str).unwrap_or("");
    let page = if wants_next && !key.is_empty() {
        match paging::page_of(key) {
            Some(p) => p,
            None => {
                return frames::error(trnm, 100_004, "연속조회키가 올바르지 않습니다(next_key)");
            }
        }
    } else {
        0
    };
    let rows = if page < cfg.pages {
        u64::from(cfg.rows_per_page)
    } else {
        0
    };
    let start = u64::from(page) * u64::from(cfg.rows_per_page);
    let more = page + 1 < cfg.pages;
    let data = match list_field {
        Some(f) => synth
            .object(
                std::slice::from_ref(f),
                &synth.top_row(),
                &det,
                Some(PageSpec {
                    list: &f.wire,
                    start,
                    count: rows,
                }),
                false,
            )
            .remove(&f.wire)
            .unwrap_or(Value::Array(Vec::new())),
        None => Value::Array(Vec::new()),
    };
    out.insert(
        "cont_yn".into(),
        Value::String(if more { "Y" } else { "N" }.into()),
    );
    let next = if more {
        paging::next_key(&format!("{seq:0>6}"), "20250428", page + 1)
    } else {
        String::new()
    };
    out.insert("next_key".into(), Value::String(next));
    out.insert("return_code".into(), Value::from(0));
    out.insert("return_msg".into(), Value::String(String::new()));
    out.insert("data".into(), data);
    Value::Object(out)
}

fn clear(s: &mut Session, trnm: &str, msg: &Value) -> Value {
    let seq = seq_of(msg);
    s.conditions.retain(|c| *c != seq);
    json!({ "trnm": trnm, "seq": seq, "return_code": 0, "return_msg": "" })
}

/// This tick's REAL entries for the realtime conditions: one hit per registered condition,
/// alternating insert (I) and delete (D).
pub fn hits(s: &Session) -> Vec<Value> {
    if s.conditions.is_empty() {
        return Vec::new();
    }
    let trnm = if s.market == Market::Us {
        "GCNSRREQ"
    } else {
        "CNSRREQ"
    };
    let realtime = s
        .shared
        .catalog
        .condition(s.market, trnm, Some(true))
        .and_then(|tr| tr.realtime.clone());
    // Without a realtime part in the spec, the documented hit shape (FIDs 841, 9001, 843,
    // 20, 907; type 02, or S2 on the US socket) is used as is.
    let kind = realtime
        .as_ref()
        .map_or(if s.market == Market::Us { "S2" } else { "02" }, |rt| {
            rt.kind.as_str()
        });
    let empty = Map::new();
    let synth =
        Synth::new(s.shared.config.seed, s.venue(), &empty).at(crate::clock::now(&s.shared.config));
    let table = synth.table();
    s.conditions
        .iter()
        .enumerate()
        .map(|(i, seq)| {
            let stock = &table[((s.tick + i as u64) % table.len() as u64) as usize];
            let secs = kst_secs(&s.shared);
            let mut values = match &realtime {
                Some(rt) => synth.realtime_values(&rt.values, stock, s.tick, secs),
                None => Map::new(),
            };
            let insert = if (s.tick / table.len() as u64) % 2 == 0 {
                "I"
            } else {
                "D"
            };
            let facts = [
                ("841", seq.clone()),
                ("9001", stock.code.clone()),
                ("843", insert.to_string()),
                ("20", crate::synth::hhmmss(secs)),
                ("907", "2".to_string()),
            ];
            for (wire, v) in facts {
                if realtime.is_none() || values.contains_key(wire) {
                    values.insert(wire.to_string(), Value::String(v));
                }
            }
            let stex = (stock.venue == market::Venue::Us).then_some(stock.exchange.as_str());
            frames::real_entry(values, kind, "조건검색", &stock.code, stex)
        })
        .collect()
}
