//! Reading a request back from its wire JSON: the inverse of a request's `Serialize`, for
//! tools and scripts that hold a TR's body as JSON (`{"stk_cd":"005930","trde_tp":"3"}`).
//!
//! Values are read as Kiwoom writes them (strings; numbers are accepted as their text). An
//! undocumented enum code is kept as the enum's `Unknown` so that `validate()`, not the
//! parser, is the one place that refuses it. A value that does not parse, a missing required
//! field or a key the TR does not have is a [`ValidationError`] naming the TR and the field:
//! like a failed `validate()`, nothing has been sent.
//!
//! Duplicate keys are refused wherever this module reads JSON text: `{"ord_qty":"1",
//! "ord_qty":"500"}` would otherwise send 500. A `serde_json::Value` object has already
//! dropped the duplicate (`serde_json::from_str` and `json!` keep the last), so the text has
//! to reach this module unparsed: as a body that is a JSON *string* holding the request's
//! JSON text ([`parse_request`], hence the generated `parse_request` and `call_json`: a
//! request body is always an object, so a string body is unambiguous), through
//! [`parse_request_text`] / [`parse_json_strict`], or through a request type's
//! `Deserialize`. The error names the TR and the repeated key with its path
//! (`rows[0].stk_cd`); nothing has been sent.

use std::fmt;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use super::table::{Mode, SlotMut, Table};
use super::{Format, Wire};
use crate::{ValidationError, ValidationProblem};

/// A JSON object as `serde_json` holds it.
pub type JsonObject = serde_json::Map<String, Value>;

/// The `field` of errors about the body as a whole (not an object, unknown key).
pub const BODY: &str = "<body>";

/// A request struct, or a row or object inside one, that can be read from its wire JSON.
/// Implemented by generated code.
pub trait RequestRecord: Sized {
    fn from_json(api_id: &'static str, object: &JsonObject) -> Result<Self, ValidationError>;
}

fn invalid(
    api_id: &'static str,
    field: &'static str,
    rust_name: &'static str,
    reason: String,
) -> ValidationError {
    ValidationError {
        api_id,
        field,
        rust_name,
        problem: ValidationProblem::Invalid { reason },
    }
}

/// Read a whole request body: a JSON object, or a JSON string holding the body's JSON text,
/// which is read strictly (a key given twice, at any depth, is refused; see the module doc).
pub fn parse_request<T: RequestRecord>(
    api_id: &'static str,
    body: &Value,
) -> Result<T, ValidationError> {
    match body {
        Value::Object(object) => T::from_json(api_id, object),
        other => T::from_json(api_id, &body_object(api_id, other)?),
    }
}

/// The request object of a body that is not an object itself: a JSON string holding it.
fn body_object(api_id: &'static str, body: &Value) -> Result<JsonObject, ValidationError> {
    match body {
        Value::String(text) => text_object(api_id, text),
        other => Err(invalid(
            api_id,
            BODY,
            BODY,
            format!(
                "the request body must be a JSON object, got {}",
                kind(other)
            ),
        )),
    }
}

/// Read a whole request body from JSON text, refusing duplicate keys.
pub fn parse_request_text<T: RequestRecord>(
    api_id: &'static str,
    text: &str,
) -> Result<T, ValidationError> {
    T::from_json(api_id, &text_object(api_id, text)?)
}

/// [`parse_request`] into a table that is already there (compiled once for every TR).
#[doc(hidden)]
pub fn fill_request_body(
    api_id: &'static str,
    body: &Value,
    table: &mut dyn Table,
) -> Result<(), ValidationError> {
    match body {
        Value::Object(object) => fill_from_json(api_id, object, table),
        other => fill_from_json(api_id, &body_object(api_id, other)?, table),
    }
}

/// The object in a request's JSON text (the part of `parse_request_text` that is the same
/// for every TR).
fn text_object(api_id: &'static str, text: &str) -> Result<JsonObject, ValidationError> {
    match parse_json_strict(api_id, text)? {
        Value::Object(object) => Ok(object),
        // Not read as text a second time: a string holding a string is no request.
        other => Err(invalid(
            api_id,
            BODY,
            BODY,
            format!(
                "the request JSON text must hold a JSON object, got {}",
                kind(&other)
            ),
        )),
    }
}

/// JSON text to a `Value`, refusing a key that appears twice in one object (at any depth).
/// The error names the TR, the key and where it is; nothing has been sent.
pub fn parse_json_strict(api_id: &'static str, text: &str) -> Result<Value, ValidationError> {
    let mut de = serde_json::Deserializer::from_str(text);
    let value = StrictValue::root()
        .deserialize(&mut de)
        .and_then(|v| de.end().map(|()| v))
        .map_err(|e| invalid(api_id, BODY, BODY, format!("request JSON refused: {e}")))?;
    Ok(value)
}

/// `Deserialize` for a request type: through a `serde_json::Value` built without losing a
/// duplicate key, with the error text of the [`ValidationError`] that [`parse_request`]
/// would give.
pub fn deserialize_request<'de, D, T>(deserializer: D, api_id: &'static str) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: RequestRecord,
{
    let body = StrictValue::root()
        .deserialize(deserializer)
        .map_err(|e: D::Error| {
            de::Error::custom(invalid(
                api_id,
                BODY,
                BODY,
                format!("request JSON refused: {e}"),
            ))
        })?;
    parse_request(api_id, &body).map_err(de::Error::custom)
}

/// Builds a `Value` like `serde_json` does, but fails on a repeated key. `path` is where the
/// value sits (`""` for the body, `rows[0]`), for the error; request bodies are small, so
/// building it as we go costs nothing that matters.
struct StrictValue {
    path: String,
}

impl StrictValue {
    fn root() -> Self {
        StrictValue {
            path: String::new(),
        }
    }
    fn child(&self, key: &str) -> Self {
        let path = if self.path.is_empty() {
            key.to_owned()
        } else {
            format!("{}.{key}", self.path)
        };
        StrictValue { path }
    }
    fn element(&self, i: usize) -> Self {
        StrictValue {
            path: format!("{}[{i}]", self.path),
        }
    }
}

impl<'de> DeserializeSeed<'de> for StrictValue {
    type Value = Value;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for StrictValue {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut out = Vec::new();
        while let Some(v) = seq.next_element_seed(self.element(out.len()))? {
            out.push(v);
        }
        Ok(Value::Array(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = JsonObject::new();
        while let Some(key) = map.next_key::<String>()? {
            let value = map.next_value_seed(self.child(&key))?;
            if out.contains_key(&key) {
                let place = if self.path.is_empty() {
                    String::new()
                } else {
                    format!(" in `{}`", self.path)
                };
                return Err(de::Error::custom(format!(
                    "key `{key}` appears more than once{place}"
                )));
            }
            out.insert(key, value);
        }
        Ok(Value::Object(out))
    }
}

/// Refuse keys the struct does not have: a misspelt optional field would otherwise be
/// dropped without a word and the request sent without it.
pub fn unknown_keys(
    api_id: &'static str,
    object: &JsonObject,
    known: &[&str],
) -> Result<(), ValidationError> {
    match object.keys().find(|k| !known.contains(&k.as_str())) {
        Some(key) => Err(invalid(
            api_id,
            BODY,
            BODY,
            format!("`{key}` is not a request field of {api_id}"),
        )),
        None => Ok(()),
    }
}

/// An optional value: absent, `null`, empty (or Kiwoom's all-zero "no date") is `None`.
pub fn take<T: Wire>(
    api_id: &'static str,
    object: &JsonObject,
    field: &'static str,
    rust_name: &'static str,
    format: &Format,
) -> Result<Option<T>, ValidationError> {
    match object.get(field) {
        None => Ok(None),
        Some(value) => scalar(api_id, field, rust_name, value, format),
    }
}

/// A required value: absent or empty is [`ValidationProblem::Missing`].
pub fn take_required<T: Wire>(
    api_id: &'static str,
    object: &JsonObject,
    field: &'static str,
    rust_name: &'static str,
    format: &Format,
) -> Result<T, ValidationError> {
    take(api_id, object, field, rust_name, format)?.ok_or(ValidationError {
        api_id,
        field,
        rust_name,
        problem: ValidationProblem::Missing,
    })
}

/// A list of rows (absent or `null` is empty).
pub fn take_list<R: RequestRecord>(
    api_id: &'static str,
    object: &JsonObject,
    field: &'static str,
    rust_name: &'static str,
) -> Result<Vec<R>, ValidationError> {
    elements(api_id, object, field, rust_name)?
        .iter()
        .enumerate()
        .map(|(i, row)| match row {
            Value::Object(row) => R::from_json(api_id, row),
            other => Err(invalid(
                api_id,
                field,
                rust_name,
                format!("row {i} must be a JSON object, got {}", kind(other)),
            )),
        })
        .collect()
}

/// A list of bare values (absent or `null` is empty; empty elements are refused).
pub fn take_scalar_list<T: Wire>(
    api_id: &'static str,
    object: &JsonObject,
    field: &'static str,
    rust_name: &'static str,
    format: &Format,
) -> Result<Vec<T>, ValidationError> {
    elements(api_id, object, field, rust_name)?
        .iter()
        .enumerate()
        .map(|(i, value)| {
            scalar(api_id, field, rust_name, value, format)?
                .ok_or_else(|| invalid(api_id, field, rust_name, format!("element {i} is empty")))
        })
        .collect()
}

/// An optional nested object.
pub fn take_object<R: RequestRecord>(
    api_id: &'static str,
    object: &JsonObject,
    field: &'static str,
    rust_name: &'static str,
) -> Result<Option<R>, ValidationError> {
    match object.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(inner)) => R::from_json(api_id, inner).map(Some),
        Some(other) => Err(invalid(
            api_id,
            field,
            rust_name,
            format!("expected a JSON object, got {}", kind(other)),
        )),
    }
}

/// A required nested object.
pub fn take_required_object<R: RequestRecord>(
    api_id: &'static str,
    object: &JsonObject,
    field: &'static str,
    rust_name: &'static str,
) -> Result<R, ValidationError> {
    take_object(api_id, object, field, rust_name)?.ok_or(ValidationError {
        api_id,
        field,
        rust_name,
        problem: ValidationProblem::Missing,
    })
}

fn elements<'a>(
    api_id: &'static str,
    object: &'a JsonObject,
    field: &'static str,
    rust_name: &'static str,
) -> Result<&'a [Value], ValidationError> {
    match object.get(field) {
        None | Some(Value::Null) => Ok(&[]),
        Some(Value::Array(values)) => Ok(values),
        Some(other) => Err(invalid(
            api_id,
            field,
            rust_name,
            format!("expected a JSON array, got {}", kind(other)),
        )),
    }
}

fn scalar<T: Wire>(
    api_id: &'static str,
    field: &'static str,
    rust_name: &'static str,
    value: &Value,
    format: &Format,
) -> Result<Option<T>, ValidationError> {
    let number;
    let raw = match value {
        Value::Null => return Ok(None),
        Value::String(s) => s.trim(),
        Value::Number(n) => {
            number = n.to_string();
            number.as_str()
        }
        other => {
            return Err(invalid(
                api_id,
                field,
                rust_name,
                format!("expected a string, got {}", kind(other)),
            ));
        }
    };
    if raw.is_empty() || T::is_absent(raw) {
        return Ok(None);
    }
    T::parse(raw, format)
        .map(Some)
        .map_err(|reason| invalid(api_id, field, rust_name, format!("{reason} (got {raw:?})")))
}

/// Every generated struct reads back from its wire JSON through its field table.
impl<T: Table> RequestRecord for T {
    fn from_json(api_id: &'static str, object: &JsonObject) -> Result<Self, ValidationError> {
        let mut record = T::blank();
        fill_from_json(api_id, object, &mut record)?;
        Ok(record)
    }
}

/// Read `object` into `table` field by field, like [`take`], [`take_required`],
/// [`take_list`], [`take_scalar_list`] and [`take_object`]; a key the table does not have
/// is refused first (see [`unknown_keys`]).
fn fill_from_json(
    api_id: &'static str,
    object: &JsonObject,
    table: &mut dyn Table,
) -> Result<(), ValidationError> {
    let fields = table.fields();
    if let Some(key) = object.keys().find(|k| !fields.iter().any(|f| f.wire == *k)) {
        return Err(invalid(
            api_id,
            BODY,
            BODY,
            format!("`{key}` is not a request field of {api_id}"),
        ));
    }
    for (i, field) in fields.iter().enumerate() {
        let (wire, rust) = (field.wire, field.rust);
        let missing = || ValidationError {
            api_id,
            field: wire,
            rust_name: rust,
            problem: ValidationProblem::Missing,
        };
        match table.slot(i) {
            SlotMut::List(list) => {
                for (r, row) in elements(api_id, object, wire, rust)?.iter().enumerate() {
                    match row {
                        Value::Object(row) => fill_from_json(api_id, row, list.push_blank())?,
                        other => {
                            return Err(invalid(
                                api_id,
                                wire,
                                rust,
                                format!("row {r} must be a JSON object, got {}", kind(other)),
                            ));
                        }
                    }
                }
            }
            SlotMut::Values(values) => {
                for (e, value) in elements(api_id, object, wire, rust)?.iter().enumerate() {
                    let present = match json_text(api_id, wire, rust, value)? {
                        Some(raw) => values
                            .push(&raw, &field.format, Mode::Json)
                            .map_err(|reason| parse_error(api_id, wire, rust, &raw, reason))?,
                        None => false,
                    };
                    if !present {
                        return Err(invalid(api_id, wire, rust, format!("element {e} is empty")));
                    }
                }
            }
            SlotMut::Object(slot) => match object.get(wire) {
                None | Some(Value::Null) if field.required => return Err(missing()),
                None | Some(Value::Null) => {}
                Some(Value::Object(inner)) => fill_from_json(api_id, inner, slot.fill())?,
                Some(other) => {
                    return Err(invalid(
                        api_id,
                        wire,
                        rust,
                        format!("expected a JSON object, got {}", kind(other)),
                    ));
                }
            },
            slot => {
                let present = match object.get(wire) {
                    None => false,
                    Some(value) => match json_text(api_id, wire, rust, value)? {
                        None => false,
                        Some(raw) => slot
                            .set_text(&raw, &field.format, Mode::Json, None)
                            .map_err(|reason| parse_error(api_id, wire, rust, &raw, reason))?,
                    },
                };
                if field.required && !present {
                    return Err(missing());
                }
            }
        }
    }
    Ok(())
}

/// The text of a scalar JSON value (numbers as their text); `None` for `null`.
fn json_text<'a>(
    api_id: &'static str,
    field: &'static str,
    rust_name: &'static str,
    value: &'a Value,
) -> Result<Option<std::borrow::Cow<'a, str>>, ValidationError> {
    match value {
        Value::Null => Ok(None),
        Value::String(s) => Ok(Some(std::borrow::Cow::Borrowed(s))),
        Value::Number(n) => Ok(Some(std::borrow::Cow::Owned(n.to_string()))),
        other => Err(invalid(
            api_id,
            field,
            rust_name,
            format!("expected a string, got {}", kind(other)),
        )),
    }
}

fn parse_error(
    api_id: &'static str,
    field: &'static str,
    rust_name: &'static str,
    raw: &str,
    reason: super::WireError,
) -> ValidationError {
    let raw = raw.trim();
    invalid(api_id, field, rust_name, format!("{reason} (got {raw:?})"))
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use serde_json::json;

    fn object(value: Value) -> JsonObject {
        match value {
            Value::Object(o) => o,
            _ => unreachable!("test input is an object"),
        }
    }

    #[test]
    fn values_parse_from_strings_and_numbers() {
        let o = object(
            json!({"qty": "+0012", "n": 7, "dt": "20250502", "none": "", "zero": "00000000"}),
        );
        let f = Format::PLAIN;
        assert_eq!(take::<i64>("kt10000", &o, "qty", "q", &f), Ok(Some(12)));
        assert_eq!(take::<i64>("kt10000", &o, "n", "n", &f), Ok(Some(7)));
        assert_eq!(
            take::<NaiveDate>("ka10081", &o, "dt", "d", &f),
            Ok(NaiveDate::from_ymd_opt(2025, 5, 2))
        );
        assert_eq!(take::<String>("kt10000", &o, "none", "x", &f), Ok(None));
        assert_eq!(take::<NaiveDate>("kt10000", &o, "zero", "x", &f), Ok(None));
        assert_eq!(take::<String>("kt10000", &o, "absent", "x", &f), Ok(None));
    }

    #[test]
    fn errors_name_the_tr_field_and_raw_value() {
        let o = object(json!({"ord_qty": "12a", "flag": true}));
        let f = Format::PLAIN;
        let err = take::<i64>("kt10000", &o, "ord_qty", "order_quantity", &f).unwrap_err();
        assert_eq!(
            err.to_string(),
            "kt10000 request field `ord_qty` (order_quantity): expected a whole number (got \"12a\")"
        );
        let err = take::<String>("kt10000", &o, "flag", "flag", &f).unwrap_err();
        assert!(err.to_string().contains("expected a string, got a boolean"));
        let err = take_required::<String>("kt10000", &o, "stk_cd", "stock_code", &f).unwrap_err();
        assert_eq!(err.problem, ValidationProblem::Missing);
        let err = unknown_keys("kt10000", &o, &["ord_qty"]).unwrap_err();
        assert_eq!(err.field, BODY);
        assert!(
            err.to_string()
                .contains("`flag` is not a request field of kt10000")
        );
    }

    #[test]
    fn duplicate_keys_are_refused_at_any_depth() {
        let err = parse_json_strict(
            "kt10000",
            r#"{"ord_qty":"1","stk_cd":"005930","ord_qty":"500"}"#,
        )
        .unwrap_err();
        assert_eq!(err.api_id, "kt10000");
        assert!(
            err.to_string().contains("`ord_qty` appears more than once"),
            "{err}"
        );
        let err =
            parse_json_strict("ka10095", r#"{"rows":[{"a":"1"},{"a":"1","a":"2"}]}"#).unwrap_err();
        assert!(
            err.to_string()
                .contains("key `a` appears more than once in `rows[1]`"),
            "{err}"
        );
        let err = parse_json_strict("ka10095", r#"{"o":{"p":{"k":1,"k":2}}}"#).unwrap_err();
        assert!(err.to_string().contains("in `o.p`"), "{err}");
        // The same key in different objects is no duplicate.
        let ok = parse_json_strict("kt10000", r#"{"ord_qty":"1","n":[1,2.5,null,true]}"#).unwrap();
        assert_eq!(ok, json!({"ord_qty":"1","n":[1,2.5,null,true]}));
        assert!(parse_json_strict("ka10095", r#"{"rows":[{"a":"1"},{"a":"2"}]}"#).is_ok());
    }

    /// A record that keeps its one field, to see what `parse_request` hands on.
    #[derive(Debug)]
    struct Qty(Option<i64>);

    impl RequestRecord for Qty {
        fn from_json(api_id: &'static str, object: &JsonObject) -> Result<Self, ValidationError> {
            unknown_keys(api_id, object, &["ord_qty"])?;
            take(api_id, object, "ord_qty", "order_quantity", &Format::PLAIN).map(Qty)
        }
    }

    #[test]
    fn a_string_body_is_read_as_json_text_strictly() {
        let text = r#"{"ord_qty":"1","ord_qty":"500"}"#;
        let err = parse_request::<Qty>("kt10000", &Value::String(text.into())).unwrap_err();
        assert_eq!((err.api_id, err.field), ("kt10000", BODY));
        assert!(
            err.to_string()
                .contains("key `ord_qty` appears more than once"),
            "{err}"
        );
        // serde_json's Value keeps the last one silently: the reason a string body exists.
        let lossy: Value = serde_json::from_str(text).unwrap();
        assert_eq!(
            parse_request::<Qty>("kt10000", &lossy).unwrap().0,
            Some(500)
        );
        let one = Value::String(r#"{"ord_qty":"7"}"#.into());
        assert_eq!(parse_request::<Qty>("kt10000", &one).unwrap().0, Some(7));
        // Text that is not an object, or not JSON, is refused with the TR named.
        for bad in [r#""{\"ord_qty\":\"7\"}""#, "[1]", "{", "{} x"] {
            let err = parse_request::<Qty>("kt10000", &Value::String(bad.into())).unwrap_err();
            assert_eq!(err.api_id, "kt10000", "{bad}: {err}");
        }
    }

    #[test]
    fn lists_of_values() {
        let o = object(json!({"codes": ["005930", "000660"], "bad": "x", "holes": ["1", ""]}));
        let f = Format::PLAIN;
        assert_eq!(
            take_scalar_list::<String>("ka10095", &o, "codes", "c", &f),
            Ok(vec!["005930".to_owned(), "000660".to_owned()])
        );
        assert_eq!(
            take_scalar_list::<String>("ka10095", &o, "absent", "c", &f),
            Ok(vec![])
        );
        assert!(take_scalar_list::<String>("ka10095", &o, "bad", "c", &f).is_err());
        assert!(take_scalar_list::<String>("ka10095", &o, "holes", "c", &f).is_err());
    }
}
