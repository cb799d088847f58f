//! The frames the simulator sends, in the live server's shapes (captures): acks carry
//! `trnm`, `return_code`, `return_msg`; REAL frames put `data` before `trnm` and `values`
//! before `type`/`name`/`item`.

use serde_json::{Map, Value, json};

pub fn ack(trnm: &str) -> Value {
    json!({ "trnm": trnm, "return_code": 0, "return_msg": "" })
}

pub fn login_ok() -> Value {
    json!({ "trnm": "LOGIN", "return_code": 0, "return_msg": "", "sor_yn": "Y" })
}

/// LOGIN refused: the token's problem is embedded as `[CODE=8005 ...]`, the way live
/// failures carry it (the numeric return_code is the simulator's own choice).
pub fn login_failed() -> Value {
    json!({
        "trnm": "LOGIN",
        "return_code": 100013,
        "return_msg": "인증에 실패했습니다[CODE=8005:Token이 유효하지 않습니다]"
    })
}

/// Any command before a successful LOGIN (simulator-specific code).
pub fn not_logged_in(trnm: &str) -> Value {
    json!({ "trnm": trnm, "return_code": 100013, "return_msg": "로그인 후 사용할 수 있습니다[CODE=8005:Token이 유효하지 않습니다]" })
}

pub fn system_notice() -> Value {
    json!({ "trnm": "SYSTEM", "code": "R10000", "message": "모의 서버에 접속되었습니다" })
}

pub fn ping() -> Value {
    json!({ "trnm": "PING" })
}

/// A frame without `trnm` (captured: return_code 100002).
pub fn missing_trnm() -> Value {
    json!({ "trnm": "", "return_code": 100002, "return_msg": "필수 파라미터가 누락되어 있습니다(parameter=trnm)" })
}

pub fn error(trnm: &str, code: i64, msg: &str) -> Value {
    json!({ "trnm": trnm, "return_code": code, "return_msg": msg })
}

/// More than 100 items in one group (captured text and code).
pub fn too_many_in_group() -> Value {
    error(
        "REG",
        105_118,
        "실시간 항목 등록에 실패했습니다. 등록 종목이 그룹번호에 등록할 수 있는 허용 개수(100)를 초과했습니다",
    )
}

/// More than 100 items on one connection (captured text and code).
pub fn too_many_in_total() -> Value {
    error(
        "REG",
        105_115,
        "실시간 항목 등록에 실패했습니다. 등록 종목이 허용 개수(100)를 초과했습니다",
    )
}

/// One entry of a REAL frame's `data`.
pub fn real_entry(
    values: Map<String, Value>,
    kind: &str,
    name: &str,
    item: &str,
    stex_tp: Option<&str>,
) -> Value {
    let mut entry = Map::new();
    entry.insert("values".into(), Value::Object(values));
    entry.insert("type".into(), Value::String(kind.to_string()));
    entry.insert("name".into(), Value::String(name.to_string()));
    entry.insert("item".into(), Value::String(item.to_string()));
    if let Some(stex) = stex_tp {
        entry.insert("stexTp".into(), Value::String(stex.to_string()));
    }
    Value::Object(entry)
}

pub fn real(data: Vec<Value>) -> Value {
    let mut frame = Map::new();
    frame.insert("data".into(), Value::Array(data));
    frame.insert("trnm".into(), Value::String("REAL".into()));
    Value::Object(frame)
}
