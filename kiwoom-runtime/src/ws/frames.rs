//! WebSocket frames as Kiwoom sends and expects them.

use serde::Serialize;
use serde_json::Value;

use crate::tr::{Market, RealItem};

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
    Real(Vec<RealItem>),
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

pub(crate) fn seq_of(v: &Value) -> Option<String> {
    match v.get("seq")? {
        Value::String(s) => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

pub(crate) fn parse(text: &str) -> Incoming {
    if text.trim() == "PING" {
        return Incoming::Ping;
    }
    let mut value: Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => return Incoming::Unreadable(format!("not JSON: {e}")),
    };
    let trnm = value
        .get("trnm")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_owned();
    match trnm.as_str() {
        "PING" => Incoming::Ping,
        "REAL" => match value.get_mut("data").map(Value::take) {
            Some(data) => match serde_json::from_value::<Vec<RealItem>>(data) {
                Ok(items) => Incoming::Real(items),
                Err(e) => Incoming::Unreadable(format!("REAL data: {e}")),
            },
            None => Incoming::Unreadable("REAL frame without data".into()),
        },
        "SYSTEM" => {
            let field = |k: &str| match value.get(k) {
                Some(Value::String(s)) => s.clone(),
                Some(other) => other.to_string(),
                None => String::new(),
            };
            Incoming::System {
                code: field("code"),
                message: field("message"),
            }
        }
        _ => Incoming::Reply {
            seq: seq_of(&value),
            trnm,
            value,
        },
    }
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
        let Incoming::Real(items) = parse(real) else {
            panic!("REAL")
        };
        assert_eq!(items[0].kind, "0A");
        assert_eq!(items[0].values["10"], "+41500");
        assert_eq!(items[0].extra["stexTp"], "K");
        let sys =
            r#"{"trnm":"SYSTEM","code":"R10001","message":"동일한 App key로 접속이 되었습니다."}"#;
        assert!(matches!(parse(sys), Incoming::System { code, .. } if code == "R10001"));
        assert!(matches!(parse(r#"{"trnm":"PING","x":1}"#), Incoming::Ping));
        assert!(matches!(parse("PING"), Incoming::Ping));
        let err = r#"{"trnm":"","return_code":100002,"return_msg":"필수 파라미터가 누락되어 있습니다(parameter=trnm)"}"#;
        assert!(matches!(parse(err), Incoming::Reply { trnm, .. } if trnm.is_empty()));
        let cnsr = r#"{"trnm":"CNSRREQ","seq":"2  ","return_code":0,"data":[]}"#;
        assert!(matches!(parse(cnsr), Incoming::Reply { seq: Some(s), .. } if s == "2"));
    }
}
