//! Decoding machinery: one pass over the JSON with `serde_json`, keys matched by generated
//! code, values parsed from borrowed text, unknown keys kept, errors with a full path.
//!
//! `#[serde(flatten)]` would buffer every body through an intermediate representation; the
//! visitors here match keys directly instead.

use std::borrow::Cow;
use std::cell::Cell;
use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};

use super::{Format, Wire, WireForms};
use crate::DecodeError;
use crate::auth::redact;

/// Keys of a response object that the spec does not list, kept with their values so that
/// nothing the server sends is lost and re-encoding writes them back.
pub type Extra = BTreeMap<String, serde_json::Value>;

/// Raw values in errors are cut to this many characters.
const RAW_LIMIT: usize = 200;

/// Where the decoder is: the TR, the wire path, and the slot that holds the first failure.
///
/// serde's error type cannot carry our structured error, so the innermost failing visitor
/// stores the [`DecodeError`] here and returns a plain serde error that unwinds the parse.
pub struct Ctx<'a> {
    api_id: &'a str,
    path: Path<'a>,
    failure: &'a Cell<Option<DecodeError>>,
}

#[derive(Clone, Copy)]
enum Path<'a> {
    Root,
    Key(&'a Path<'a>, &'a str),
    Index(&'a Path<'a>, usize),
}

impl fmt::Display for Path<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Path::Root => Ok(()),
            Path::Key(Path::Root, key) => f.write_str(key),
            Path::Key(parent, key) => write!(f, "{parent}.{key}"),
            Path::Index(parent, index) => write!(f, "{parent}[{index}]"),
        }
    }
}

impl<'a> Ctx<'a> {
    /// The context of a whole body.
    pub fn root(api_id: &'a str, failure: &'a Cell<Option<DecodeError>>) -> Self {
        Ctx {
            api_id,
            path: Path::Root,
            failure,
        }
    }

    /// The context of a member of this object.
    pub fn key<'b>(&'b self, key: &'b str) -> Ctx<'b> {
        Ctx {
            api_id: self.api_id,
            path: Path::Key(&self.path, key),
            failure: self.failure,
        }
    }

    /// The context of an element of this array.
    pub fn index(&self, index: usize) -> Ctx<'_> {
        Ctx {
            api_id: self.api_id,
            path: Path::Index(&self.path, index),
            failure: self.failure,
        }
    }

    /// The structured error for a value at this path.
    pub fn error(&self, raw: &str, reason: impl Into<String>) -> DecodeError {
        let path = self.path.to_string();
        // A secret field's value, or any value of an OAuth answer, never enters an error.
        let secret = redact::is_oauth_tr(self.api_id) || redact::is_secret_key(&path);
        let (raw, reason) = if secret {
            // serde's reasons quote the offending value (`invalid type: integer `123``).
            let raw = if raw.is_empty() { "" } else { redact::REDACTED };
            (raw.to_owned(), redact::redact_quoted(&reason.into()))
        } else {
            (truncate(&redact::redact_secret_values(raw)), reason.into())
        };
        DecodeError {
            api_id: self.api_id.to_owned(),
            field: if path.is_empty() {
                "<body>".to_owned()
            } else {
                path
            },
            raw,
            reason,
        }
    }

    /// Record a failure at this path (unless a deeper one is already recorded) and return
    /// the serde error that stops the parse.
    pub fn fail<E: de::Error>(&self, raw: &str, reason: impl Into<String>) -> E {
        self.record(|| self.error(raw, reason));
        E::custom("kiwoom decode error")
    }

    /// Record a failure that `serde_json` itself reported below this path.
    fn note<E: de::Error>(&self, error: E) -> E {
        self.record(|| self.error("", error.to_string()));
        error
    }

    /// Record an error built elsewhere (realtime entries) and return the serde error.
    pub(super) fn store<E: de::Error>(&self, error: DecodeError) -> E {
        self.record(|| error);
        E::custom("kiwoom decode error")
    }

    fn record(&self, make: impl FnOnce() -> DecodeError) {
        let previous = self.failure.take();
        self.failure.set(Some(previous.unwrap_or_else(make)));
    }
}

/// Cut to [`RAW_LIMIT`] characters. Callers redact first: a cut can split a key from its
/// value, and the value would then no longer be recognised.
fn truncate(raw: &str) -> String {
    match raw.char_indices().nth(RAW_LIMIT) {
        Some((cut, _)) => raw[..cut].to_owned(),
        None => raw.to_owned(),
    }
}

/// A generated response, row or object struct.
pub trait Record: Sized {
    /// Decode from a JSON object, matching keys; unknown keys go to the struct's extras.
    fn decode_map<'de, A: MapAccess<'de>>(map: A, ctx: &Ctx<'_>) -> Result<Self, A::Error>;

    /// Decode from a JSON array of positional values (rows with `row_shape: array`).
    fn decode_seq<'de, A: SeqAccess<'de>>(seq: A, ctx: &Ctx<'_>) -> Result<Self, A::Error> {
        let _ = seq;
        Err(ctx.fail("<array>", "expected an object, found an array"))
    }
}

/// Decode a whole body into `R`; the error names the TR, the path and the raw value.
pub fn decode_body<R: Record>(api_id: &str, body: &[u8]) -> Result<R, DecodeError> {
    // UTF-8 checked once for the whole body: `serde_json` reading a `str` then skips the
    // check on every string, which was a sixth of the decoding time.
    let text = std::str::from_utf8(body).map_err(|e| {
        body_error(
            api_id,
            body,
            format!("the body is not UTF-8 (byte {})", e.valid_up_to()),
        )
    })?;
    let failure = Cell::new(None);
    let ctx = Ctx::root(api_id, &failure);
    let mut de = serde_json::Deserializer::from_str(text);
    let result = RecordSeed::<R>::new(&ctx)
        .deserialize(&mut de)
        .and_then(|record| de.end().map(|()| record));
    result.map_err(|error| {
        failure.take().unwrap_or_else(|| {
            let reason = if redact::is_oauth_tr(api_id) {
                redact::redact_quoted(&error.to_string())
            } else {
                error.to_string()
            };
            body_error(api_id, body, reason)
        })
    })
}

/// An error about the body as a whole (not JSON, not UTF-8), its raw text redacted and cut.
fn body_error(api_id: &str, body: &[u8], reason: String) -> DecodeError {
    DecodeError {
        api_id: api_id.to_owned(),
        field: "<body>".to_owned(),
        raw: truncate(&redact::redact_body(api_id, &String::from_utf8_lossy(body))),
        reason,
    }
}

/// The next key of an object, borrowed from the input when it has no escapes.
pub fn next_key<'de, A: MapAccess<'de>>(map: &mut A) -> Result<Option<Cow<'de, str>>, A::Error> {
    map.next_key_seed(KeySeed)
}

struct KeySeed;

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Cow<'de, str>;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed {
    type Value = Cow<'de, str>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object key")
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v))
    }
}

/// Decode the value of `key` as a scalar; empty, blank, null or missing is `None`.
pub fn field<'de, A: MapAccess<'de>, T: Wire>(
    map: &mut A,
    ctx: &Ctx<'_>,
    key: &str,
    format: &Format,
) -> Result<Option<T>, A::Error> {
    map.next_value_seed(ScalarSeed::<T> {
        ctx: &ctx.key(key),
        format,
        keep_empty: false,
        forms: None,
        marker: PhantomData,
    })
}

/// Decode the value of `key` as a list of records (`null` or `""` is an empty list).
pub fn list<'de, A: MapAccess<'de>, R: Record>(
    map: &mut A,
    ctx: &Ctx<'_>,
    key: &str,
) -> Result<Vec<R>, A::Error> {
    map.next_value_seed(ListSeed::<R> {
        ctx: &ctx.key(key),
        marker: PhantomData,
    })
}

/// Decode the value of `key` as a nested object (`null` or `""` is `None`).
pub fn object<'de, A: MapAccess<'de>, R: Record>(
    map: &mut A,
    ctx: &Ctx<'_>,
    key: &str,
) -> Result<Option<R>, A::Error> {
    map.next_value_seed(ObjectSeed::<R> {
        ctx: &ctx.key(key),
        marker: PhantomData,
    })
}

/// Decode the value of `key` as an array of bare values (`["005930", "000660"]`).
pub fn scalar_list<'de, A: MapAccess<'de>, T: Wire>(
    map: &mut A,
    ctx: &Ctx<'_>,
    key: &str,
    format: &Format,
) -> Result<Vec<T>, A::Error> {
    map.next_value_seed(ScalarListSeed::<T> {
        ctx: &ctx.key(key),
        format,
        marker: PhantomData,
    })
}

/// The next positional value of an array row; `None` when the row is shorter.
pub fn element<'de, A: SeqAccess<'de>, T: Wire>(
    seq: &mut A,
    ctx: &Ctx<'_>,
    index: usize,
    format: &Format,
) -> Result<Option<T>, A::Error> {
    let seed = ScalarSeed::<T> {
        ctx: &ctx.index(index),
        format,
        keep_empty: false,
        forms: None,
        marker: PhantomData,
    };
    Ok(seq.next_element_seed(seed)?.flatten())
}

/// Keep an unknown key and its value.
pub fn put_extra_value<'de, A: MapAccess<'de>>(
    map: &mut A,
    extra: &mut Extra,
    key: Cow<'de, str>,
) -> Result<(), A::Error> {
    let value: serde_json::Value = map.next_value()?;
    extra.insert(key.into_owned(), value);
    Ok(())
}

/// Keep the positions of an array row beyond the documented ones, keyed by position.
pub fn rest_elements<'de, A: SeqAccess<'de>>(
    seq: &mut A,
    extra: &mut Extra,
    mut index: usize,
) -> Result<(), A::Error> {
    while let Some(value) = seq.next_element::<serde_json::Value>()? {
        extra.insert(index.to_string(), value);
        index += 1;
    }
    Ok(())
}

/// A field the spec says is always sent: missing or empty is an error naming it.
pub fn require<T, E: de::Error>(value: Option<T>, ctx: &Ctx<'_>, key: &str) -> Result<T, E> {
    match value {
        Some(value) => Ok(value),
        None => Err(ctx.key(key).fail("", "required field is missing or empty")),
    }
}

struct ScalarSeed<'c, T> {
    ctx: &'c Ctx<'c>,
    format: &'c Format,
    /// Elements of bare-value arrays keep `""` (a position must not vanish).
    keep_empty: bool,
    /// Where to keep the wire text of a value that would not re-encode the same way.
    forms: Option<(&'c mut WireForms, u16)>,
    marker: PhantomData<T>,
}

impl<T: Wire> ScalarSeed<'_, T> {
    /// Accept a string value, keeping its text when the typed value would not write it back.
    fn accept_str<E: de::Error>(self, raw: &str) -> Result<Option<T>, E> {
        let value = self.accept(raw)?;
        if let Some((forms, slot)) = self.forms {
            if !super::forms::canonical(raw, value.as_ref(), self.format) {
                forms.keep(slot, raw);
            }
        }
        Ok(value)
    }
}

impl WireForms {
    /// Decode the value of `key` (the record's field in `slot`) like [`field`], keeping its
    /// wire text when the typed value would not write it back (`""`, `00000000`, `+1234`,
    /// padding).
    pub fn value<'de, A: MapAccess<'de>, T: Wire>(
        &mut self,
        map: &mut A,
        ctx: &Ctx<'_>,
        slot: u16,
        key: &'static str,
        format: &Format,
    ) -> Result<Option<T>, A::Error> {
        map.next_value_seed(ScalarSeed::<T> {
            ctx: &ctx.key(key),
            format,
            keep_empty: false,
            forms: Some((self, slot)),
            marker: PhantomData,
        })
    }
}

impl<T: Wire> ScalarSeed<'_, T> {
    fn accept<E: de::Error>(&self, raw: &str) -> Result<Option<T>, E> {
        let trimmed = super::wire::trim(raw);
        if (trimmed.is_empty() && !self.keep_empty && !T::EMPTY_IS_A_VALUE) || T::is_absent(trimmed)
        {
            return Ok(None);
        }
        match T::parse(trimmed, self.format) {
            Ok(value) => Ok(Some(value)),
            Err(reason) => Err(self.ctx.fail(raw, reason)),
        }
    }
}

impl<'de, T: Wire> DeserializeSeed<'de> for ScalarSeed<'_, T> {
    type Value = Option<T>;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        let ctx = self.ctx;
        d.deserialize_any(self).map_err(|e| ctx.note(e))
    }
}

impl<'de, T: Wire> Visitor<'de> for ScalarSeed<'_, T> {
    type Value = Option<T>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string value")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        self.accept_str(v)
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        self.accept(&v.to_string())
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        self.accept(&v.to_string())
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        self.accept(&v.to_string())
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        self.accept(if v { "true" } else { "false" })
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_map<A: MapAccess<'de>>(self, _: A) -> Result<Self::Value, A::Error> {
        Err(self
            .ctx
            .fail("<object>", "expected a string, found an object"))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, _: A) -> Result<Self::Value, A::Error> {
        Err(self
            .ctx
            .fail("<array>", "expected a string, found an array"))
    }
}

struct RecordSeed<'c, R> {
    ctx: &'c Ctx<'c>,
    marker: PhantomData<R>,
}

impl<'c, R> RecordSeed<'c, R> {
    fn new(ctx: &'c Ctx<'c>) -> Self {
        RecordSeed {
            ctx,
            marker: PhantomData,
        }
    }
}

impl<'de, R: Record> DeserializeSeed<'de> for RecordSeed<'_, R> {
    type Value = R;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<R, D::Error> {
        let ctx = self.ctx;
        d.deserialize_any(self).map_err(|e| ctx.note(e))
    }
}

impl<'de, R: Record> Visitor<'de> for RecordSeed<'_, R> {
    type Value = R;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object")
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<R, A::Error> {
        R::decode_map(map, self.ctx)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<R, A::Error> {
        R::decode_seq(seq, self.ctx)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<R, E> {
        Err(self.ctx.fail(v, "expected an object, found a string"))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<R, E> {
        Err(self
            .ctx
            .fail(&v.to_string(), "expected an object, found a number"))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<R, E> {
        Err(self
            .ctx
            .fail(&v.to_string(), "expected an object, found a number"))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<R, E> {
        Err(self
            .ctx
            .fail(&v.to_string(), "expected an object, found a number"))
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<R, E> {
        Err(self
            .ctx
            .fail(&v.to_string(), "expected an object, found a boolean"))
    }
    fn visit_unit<E: de::Error>(self) -> Result<R, E> {
        Err(self.ctx.fail("null", "expected an object, found null"))
    }
}

struct ObjectSeed<'c, R> {
    ctx: &'c Ctx<'c>,
    marker: PhantomData<R>,
}

impl<'de, R: Record> DeserializeSeed<'de> for ObjectSeed<'_, R> {
    type Value = Option<R>;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        let ctx = self.ctx;
        d.deserialize_any(self).map_err(|e| ctx.note(e))
    }
}

impl<'de, R: Record> Visitor<'de> for ObjectSeed<'_, R> {
    type Value = Option<R>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object")
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        R::decode_map(map, self.ctx).map(Some)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        if v.trim().is_empty() {
            Ok(None)
        } else {
            Err(self.ctx.fail(v, "expected an object, found a string"))
        }
    }
    fn visit_seq<A: SeqAccess<'de>>(self, _: A) -> Result<Self::Value, A::Error> {
        Err(self
            .ctx
            .fail("<array>", "expected an object, found an array"))
    }
}

struct ListSeed<'c, R> {
    ctx: &'c Ctx<'c>,
    marker: PhantomData<R>,
}

impl<'de, R: Record> DeserializeSeed<'de> for ListSeed<'_, R> {
    type Value = Vec<R>;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        let ctx = self.ctx;
        d.deserialize_any(self).map_err(|e| ctx.note(e))
    }
}

impl<'de, R: Record> Visitor<'de> for ListSeed<'_, R> {
    type Value = Vec<R>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of rows")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut rows = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
        loop {
            let ctx = self.ctx.index(rows.len());
            match seq.next_element_seed(RecordSeed::<R>::new(&ctx))? {
                Some(row) => rows.push(row),
                None => return Ok(rows),
            }
        }
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Vec::new())
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        if v.trim().is_empty() {
            Ok(Vec::new())
        } else {
            Err(self.ctx.fail(v, "expected an array, found a string"))
        }
    }
    fn visit_map<A: MapAccess<'de>>(self, _: A) -> Result<Self::Value, A::Error> {
        Err(self
            .ctx
            .fail("<object>", "expected an array, found an object"))
    }
}

struct ScalarListSeed<'c, T> {
    ctx: &'c Ctx<'c>,
    format: &'c Format,
    marker: PhantomData<T>,
}

impl<'de, T: Wire> DeserializeSeed<'de> for ScalarListSeed<'_, T> {
    type Value = Vec<T>;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        let ctx = self.ctx;
        d.deserialize_any(self).map_err(|e| ctx.note(e))
    }
}

impl<'de, T: Wire> Visitor<'de> for ScalarListSeed<'_, T> {
    type Value = Vec<T>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of values")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut values = Vec::new();
        loop {
            let ctx = self.ctx.index(values.len());
            let seed = ScalarSeed::<T> {
                ctx: &ctx,
                format: self.format,
                keep_empty: true,
                forms: None,
                marker: PhantomData,
            };
            match seq.next_element_seed(seed)? {
                Some(Some(value)) => values.push(value),
                Some(None) => return Err(ctx.fail("null", "expected a value, found null")),
                None => return Ok(values),
            }
        }
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Vec::new())
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        if v.trim().is_empty() {
            Ok(Vec::new())
        } else {
            Err(self.ctx.fail(v, "expected an array, found a string"))
        }
    }
    fn visit_map<A: MapAccess<'de>>(self, _: A) -> Result<Self::Value, A::Error> {
        Err(self
            .ctx
            .fail("<object>", "expected an array, found an object"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::PLAIN;

    /// A hand-written record in the shape generated code has.
    #[derive(Debug)]
    struct Row {
        price: Option<i64>,
        rows: Vec<Row>,
        extra: Extra,
    }

    impl Record for Row {
        fn decode_map<'de, A: MapAccess<'de>>(mut map: A, ctx: &Ctx<'_>) -> Result<Self, A::Error> {
            let (mut price, mut rows, mut extra) = (None, Vec::new(), Extra::new());
            while let Some(key) = next_key(&mut map)? {
                match &*key {
                    "price" => price = field(&mut map, ctx, "price", PLAIN)?,
                    "rows" => rows = list(&mut map, ctx, "rows")?,
                    _ => put_extra_value(&mut map, &mut extra, key)?,
                }
            }
            Ok(Row { price, rows, extra })
        }
    }

    #[test]
    fn empty_and_padded_values_are_none_or_trimmed() {
        let row: Row =
            decode_body("t", br#"{"price":"  ","rows":[{"price":" +0001234 "}]}"#).unwrap();
        assert_eq!(row.price, None);
        assert_eq!(row.rows[0].price, Some(1234));
    }

    #[test]
    fn garbage_names_path_and_raw_value() {
        let err = decode_body::<Row>("ka10081", br#"{"rows":[{"price":"1"},{"price":"12x"}]}"#)
            .unwrap_err();
        assert_eq!(
            (err.api_id.as_str(), err.field.as_str(), err.raw.as_str()),
            ("ka10081", "rows[1].price", "12x")
        );
        let err = decode_body::<Row>("t", br#"{"rows":[{"price":{"a":1}}]}"#).unwrap_err();
        assert_eq!(err.field, "rows[0].price");
        let err = decode_body::<Row>("t", br#"{"price":"1""#).unwrap_err();
        assert_eq!(err.field, "<body>");
    }

    #[test]
    fn a_body_that_is_not_utf8_is_an_error_naming_the_body() {
        let err = decode_body::<Row>("ka10081", b"{\"price\":\"1\xff\"}").unwrap_err();
        assert_eq!(err.field, "<body>");
        assert!(err.reason.contains("not UTF-8 (byte 11)"), "{}", err.reason);
    }

    #[test]
    fn padding_of_any_kind_is_trimmed_the_fast_way_or_the_full_way() {
        for (raw, want) in [
            ("\"7\"", Some(7)),
            ("\" 7\"", Some(7)),
            ("\"7 \"", Some(7)),
            ("\"\u{3000}+00070\u{3000}\"", Some(70)),
            ("\"\\t70\"", Some(70)),
            ("\"\"", None),
        ] {
            let body = format!("{{\"price\":{raw}}}");
            let row: Row = decode_body("t", body.as_bytes()).unwrap();
            assert_eq!(row.price, want, "{raw}");
        }
    }

    #[test]
    fn unknown_keys_are_kept() {
        let row: Row = decode_body("t", br#"{"new":{"x":["1"]},"price":"5"}"#).unwrap();
        assert_eq!(row.extra["new"], serde_json::json!({"x": ["1"]}));
    }
}
