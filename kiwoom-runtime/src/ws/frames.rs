//! WebSocket frames as Kiwoom sends and expects them.

use std::borrow::Cow;
use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::tr::{DecodeError, Market, RealItem};

/// A registered item: a domestic stock code (`"005930"`, empty for account-wide types), or
/// a US instrument, which travels as an object.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(untagged)]
pub enum WsItem {
    Code(String),
    Us { jmcode: String, stex_tp: String },
}

impl WsItem {
    pub fn us(jmcode: impl Into<String>, stex_tp: impl Into<String>) -> Self {
        WsItem::Us {
            jmcode: jmcode.into(),
            stex_tp: stex_tp.into(),
        }
    }

    pub(crate) fn fits(&self, market: Market) -> bool {
        matches!(
            (self, market),
            (WsItem::Code(_), Market::Domestic) | (WsItem::Us { .. }, Market::Us)
        )
    }
}

impl From<&str> for WsItem {
    fn from(s: &str) -> Self {
        WsItem::Code(s.to_owned())
    }
}

impl From<String> for WsItem {
    fn from(s: String) -> Self {
        WsItem::Code(s)
    }
}

#[derive(Serialize)]
struct RegData<'a> {
    item: &'a [WsItem],
    #[serde(rename = "type")]
    types: &'a [String],
}

#[derive(Serialize)]
struct RegFrame<'a> {
    trnm: &'static str,
    grp_no: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    refresh: Option<&'static str>,
    data: [RegData<'a>; 1],
}

/// `{"trnm":"REG","grp_no":"1","refresh":"1","data":[{"item":[..],"type":[..]}]}`;
/// REMOVE carries no `refresh`.
pub(crate) fn reg_frame(
    remove: bool,
    grp_no: &str,
    refresh: bool,
    items: &[WsItem],
    types: &[String],
) -> String {
    let frame = RegFrame {
        trnm: if remove { "REMOVE" } else { "REG" },
        grp_no,
        refresh: (!remove).then_some(if refresh { "1" } else { "0" }),
        data: [RegData { item: items, types }],
    };
    serde_json::to_string(&frame).expect("REG frames always serialize")
}

pub(crate) fn login_frame(token: &str) -> String {
    serde_json::json!({ "trnm": "LOGIN", "token": token }).to_string()
}

/// A parsed incoming text frame.
pub(crate) enum Incoming {
    Ping,
    Real(RealEntries),
    System {
        code: String,
        message: String,
    },
    /// Any answer (LOGIN, REG, REMOVE, CNSR*, an error frame with an empty `trnm`).
    Reply {
        trnm: String,
        seq: Option<String>,
        value: Value,
    },
    Unreadable(String),
}

/// An entry of a REAL frame that could not be read: its `type` when readable, and why.
#[derive(Debug)]
pub(crate) struct BadEntry {
    pub kind: Option<String>,
    pub error: DecodeError,
}

/// The entries of one REAL frame, each read on its own so one bad entry costs only itself,
/// and at most `max_entries` of them kept.
#[derive(Debug, Default)]
pub(crate) struct RealEntries {
    pub entries: Vec<Result<RealItem, BadEntry>>,
    /// Entries in the frame, the skipped ones included.
    pub total: usize,
}

pub(crate) fn seq_of(v: &Value) -> Option<String> {
    match v.get("seq")? {
        Value::String(s) => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Only the `trnm` of a frame; everything else (a REAL frame's large `data` above all) is
/// skipped without being built in memory.
#[derive(Deserialize)]
struct Probe {
    #[serde(default)]
    trnm: Option<Value>,
}

/// Parse a frame. REAL frames are read entry by entry, keeping at most `max_entries`.
pub(crate) fn parse(text: &str, max_entries: usize) -> Incoming {
    if text.trim() == "PING" {
        return Incoming::Ping;
    }
    // A REAL frame (nearly all the traffic) in one pass of the codec's scanner, the one
    // `decode_response` uses, each entry's values kept in wire order in two allocations;
    // anything the scanner declines (an escape, a number where text is expected, a bad
    // entry) and every other frame is read below, as before.
    if let Some((items, total)) = crate::codec::scan_real_items(text, max_entries) {
        return Incoming::Real(RealEntries {
            entries: items.into_iter().map(Ok).collect(),
            total,
        });
    }
    let trnm = match serde_json::from_str::<Probe>(text) {
        Ok(Probe {
            trnm: Some(Value::String(t)),
        }) => t,
        Ok(_) => String::new(),
        Err(e) => return Incoming::Unreadable(format!("not a JSON object: {e}")),
    };
    if trnm == "REAL" {
        let mut de = serde_json::Deserializer::from_str(text);
        return match (RealFrameSeed { max_entries }).deserialize(&mut de) {
            Ok(Some(entries)) => Incoming::Real(entries),
            Ok(None) => Incoming::Unreadable("REAL frame without data".into()),
            Err(e) => Incoming::Unreadable(format!("REAL data: {e}")),
        };
    }
    if trnm == "PING" {
        return Incoming::Ping;
    }
    let value: Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => return Incoming::Unreadable(format!("not JSON: {e}")),
    };
    if trnm == "SYSTEM" {
        let field = |k: &str| match value.get(k) {
            Some(Value::String(s)) => s.clone(),
            Some(other) => other.to_string(),
            None => String::new(),
        };
        return Incoming::System {
            code: field("code"),
            message: field("message"),
        };
    }
    Incoming::Reply {
        seq: seq_of(&value),
        trnm,
        value,
    }
}

/// A REAL frame: its `data` read by [`EntriesSeed`], every other key skipped.
struct RealFrameSeed {
    max_entries: usize,
}

impl<'de> DeserializeSeed<'de> for RealFrameSeed {
    type Value = Option<RealEntries>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for RealFrameSeed {
    type Value = Option<RealEntries>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a REAL frame object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut entries = None;
        while let Some(key) = map.next_key::<Cow<'de, str>>()? {
            if key == "data" {
                entries = Some(map.next_value_seed(EntriesSeed {
                    max_entries: self.max_entries,
                })?);
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(entries)
    }
}

struct EntriesSeed {
    max_entries: usize,
}

impl<'de> DeserializeSeed<'de> for EntriesSeed {
    type Value = RealEntries;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for EntriesSeed {
    type Value = RealEntries;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of realtime entries")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut out = RealEntries::default();
        loop {
            if out.total < self.max_entries {
                let Some(value) = seq.next_element::<Value>()? else {
                    return Ok(out);
                };
                out.entries.push(real_item(out.total, value));
            } else if seq.next_element::<IgnoredAny>()?.is_none() {
                return Ok(out);
            }
            out.total += 1;
        }
    }
}

/// At most this many characters of a bad value go into an error.
const RAW_LIMIT: usize = 200;

fn clip(v: &Value) -> String {
    let text = match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    match text.char_indices().nth(RAW_LIMIT) {
        Some((at, _)) => format!("{}...", &text[..at]),
        None => text,
    }
}

/// Text of a scalar, taken by value: strings as they are, numbers as written, null as
/// empty; anything else is handed back.
fn scalar_text(v: Value) -> Result<String, Value> {
    match v {
        Value::String(s) => Ok(s),
        Value::Number(n) => Ok(n.to_string()),
        Value::Null => Ok(String::new()),
        other => Err(other),
    }
}

/// Read one entry of `data`, leniently for scalars (a number where text is expected is
/// kept as written) and strictly for shape (an object where a value belongs is an error
/// naming its path). Nothing is allocated for the error path of a good entry.
fn real_item(index: usize, value: Value) -> Result<RealItem, BadEntry> {
    let fail = |kind: Option<String>, at: &str, raw: &Value, reason: &str| BadEntry {
        error: DecodeError {
            api_id: kind.clone().unwrap_or_else(|| "REAL".into()),
            field: format!("data[{index}]{at}"),
            raw: clip(raw),
            reason: reason.to_owned(),
        },
        kind,
    };
    let Value::Object(mut obj) = value else {
        return Err(fail(None, "", &value, "an entry must be an object"));
    };
    let kind = match obj.remove("type") {
        Some(Value::String(t)) if !t.trim().is_empty() => t,
        Some(other) => return Err(fail(None, ".type", &other, "not a realtime type")),
        None => return Err(fail(None, ".type", &Value::Null, "missing")),
    };
    let mut text_of = |key: &str| match obj.remove(key) {
        None => Ok(String::new()),
        Some(v) => scalar_text(v)
            .map_err(|v| fail(Some(kind.clone()), &format!(".{key}"), &v, "expected text")),
    };
    let name = text_of("name")?;
    let registered = text_of("item")?;
    let mut item = RealItem {
        kind,
        name,
        item: registered,
        ..RealItem::default()
    };
    match obj.remove("values") {
        None | Some(Value::Null) => {}
        Some(Value::Object(values)) => {
            for (id, v) in values {
                match scalar_text(v) {
                    Ok(text) => item.values.push(&id, &text),
                    Err(v) => {
                        let at = format!(".values.{id}");
                        return Err(fail(Some(item.kind), &at, &v, "expected a text value"));
                    }
                }
            }
        }
        Some(other) => {
            return Err(fail(
                Some(item.kind),
                ".values",
                &other,
                "expected an object of values",
            ));
        }
    }
    item.extra = obj.into_iter().collect();
    Ok(item)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reg_frames_use_arrays_and_us_objects() {
        let f = reg_frame(false, "1", true, &["005930".into()], &["0B".into()]);
        assert_eq!(
            f,
            r#"{"trnm":"REG","grp_no":"1","refresh":"1","data":[{"item":["005930"],"type":["0B"]}]}"#
        );
        let f = reg_frame(true, "2", true, &[WsItem::us("NVDA", "ND")], &["FT".into()]);
        assert_eq!(
            f,
            r#"{"trnm":"REMOVE","grp_no":"2","data":[{"item":[{"jmcode":"NVDA","stex_tp":"ND"}],"type":["FT"]}]}"#
        );
    }

    #[test]
    fn parses_captured_frames() {
        let real = r#"{"data":[{"values":{"10":"+41500","4294":"1"},"type":"0A","name":"주식시세","item":"00088K","stexTp":"K"}],"trnm":"REAL"}"#;
        let Incoming::Real(real) = parse(real, 100) else {
            panic!("REAL")
        };
        let items: Vec<RealItem> = real.entries.into_iter().map(Result::unwrap).collect();
        assert_eq!(items[0].kind, "0A");
        assert_eq!(&items[0].values["10"], "+41500");
        assert_eq!(items[0].extra["stexTp"], "K");
        let sys =
            r#"{"trnm":"SYSTEM","code":"R10001","message":"동일한 App key로 접속이 되었습니다."}"#;
        assert!(matches!(parse(sys, 100), Incoming::System { code, .. } if code == "R10001"));
        assert!(matches!(
            parse(r#"{"trnm":"PING","x":1}"#, 100),
            Incoming::Ping
        ));
        assert!(matches!(parse("PING", 100), Incoming::Ping));
        let err = r#"{"trnm":"","return_code":100002,"return_msg":"필수 파라미터가 누락되어 있습니다(parameter=trnm)"}"#;
        assert!(matches!(parse(err, 100), Incoming::Reply { trnm, .. } if trnm.is_empty()));
        let cnsr = r#"{"trnm":"CNSRREQ","seq":"2  ","return_code":0,"data":[]}"#;
        assert!(matches!(parse(cnsr, 100), Incoming::Reply { seq: Some(s), .. } if s == "2"));
    }

    #[test]
    fn a_malformed_entry_costs_only_itself() {
        let frame = r#"{"data":[
            {"values":{"10":"+100"},"type":"0B","name":"주식체결","item":"005930"},
            {"values":{"10":{"nested":true}},"type":"0B","item":"000660"},
            {"values":{"10":123,"11":null},"type":"0B","item":"035720"},
            "not an entry",
            {"values":{},"item":"000100"}
        ],"trnm":"REAL"}"#;
        let Incoming::Real(real) = parse(frame, 100) else {
            panic!("REAL")
        };
        assert_eq!(real.total, 5);
        let (good, bad): (Vec<_>, Vec<_>) = real.entries.into_iter().partition(Result::is_ok);
        let good: Vec<RealItem> = good.into_iter().map(Result::unwrap).collect();
        assert_eq!(good.len(), 2);
        assert_eq!(&good[1].values["10"], "123", "a number is kept as written");
        assert_eq!(&good[1].values["11"], "");
        let bad: Vec<BadEntry> = bad.into_iter().map(Result::unwrap_err).collect();
        assert_eq!(bad.len(), 3);
        assert_eq!(bad[0].kind.as_deref(), Some("0B"));
        assert_eq!(bad[0].error.field, "data[1].values.10");
        assert_eq!(bad[1].kind, None);
        assert_eq!(bad[1].error.field, "data[3]");
        assert_eq!(bad[2].error.field, "data[4].type");
    }

    /// The REAL frame as `serde_json` reads it (the path for what the scanner declines).
    fn by_serde(text: &str, max_entries: usize) -> RealEntries {
        let mut de = serde_json::Deserializer::from_str(text);
        (RealFrameSeed { max_entries })
            .deserialize(&mut de)
            .unwrap()
            .unwrap()
    }

    /// Frames the scanner reads give the entries `serde_json` gives, values in wire order;
    /// a frame it declines (an escape, a number value) still parses, through serde.
    #[test]
    fn scanned_real_frames_match_serde() {
        let many: String = (100..220).map(|id| format!(r#","{id}":"v{id}""#)).collect();
        let frames = [
            r#"{"trnm":"REAL","data":[{"type":"0B","name":"주식체결","item":"005930","values":{"20":"165208","10":"-20800","851":"","15":"+82"}}]}"#.to_owned(),
            r#"{"data":[{"values":{"10":"+41500","4294":"1"},"type":"0A","name":"주식시세","item":"00088K","stexTp":"K"},{"values":{},"type":"0B"}],"trnm":"REAL"}"#.to_owned(),
            r#" { "trnm" : "REAL" , "data" : [ { "values" : { "10" : "1" , "11" : "2" } , "type" : "0D" } ] , "x" : [1, {"y": null}] } "#.to_owned(),
            format!(r#"{{"trnm":"REAL","data":[{{"type":"0B","values":{{"1":"a"{many}}}}}]}}"#),
            r#"{"trnm":"REAL","data":[{"type":"0B","values":{"10":"a\"b"}}]}"#.to_owned(),
            r#"{"trnm":"REAL","data":[{"type":"0B","values":{"10":123}}]}"#.to_owned(),
        ];
        for (n, text) in frames.iter().enumerate() {
            let scanned = crate::codec::scan_real_items(text, 100);
            assert_eq!(scanned.is_some(), n < 4, "{text}");
            let Incoming::Real(parsed) = parse(text, 100) else {
                panic!("REAL: {text}")
            };
            let serde = by_serde(text, 100);
            assert_eq!(parsed.total, serde.total);
            let ok = |e: RealEntries| -> Vec<RealItem> {
                e.entries.into_iter().map(Result::unwrap).collect()
            };
            let (parsed, serde) = (ok(parsed), ok(serde));
            assert_eq!(parsed, serde, "{text}");
            if n == 0 {
                let ids: Vec<&str> = parsed[0].values.keys().collect();
                assert_eq!(ids, ["20", "10", "851", "15"], "wire order");
            }
        }
        // Not REAL, or no data: left to the serde path.
        for text in [
            r#"{"trnm":"REG","data":[]}"#,
            r#"{"trnm":"REAL"}"#,
            r#"{"trnm":"REAL","data":[{"values":{}}]}"#,
        ] {
            assert!(crate::codec::scan_real_items(text, 100).is_none(), "{text}");
        }
    }

    #[test]
    fn entries_beyond_the_bound_are_counted_not_kept() {
        let entry = r#"{"values":{"10":"1"},"type":"0B","item":"005930"}"#;
        let frame = format!(
            r#"{{"data":[{}],"trnm":"REAL"}}"#,
            vec![entry; 1000].join(",")
        );
        let Incoming::Real(real) = parse(&frame, 10) else {
            panic!("REAL")
        };
        assert_eq!(real.total, 1000);
        assert_eq!(real.entries.len(), 10);
    }
}
