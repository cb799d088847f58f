//! Decoding a body into a generated struct: the fast scanner ([`super::scan`]) first, and
//! `serde_json` driving the same field tables when the scanner declines (escapes it does
//! not take, a syntax error, shapes it does not read). Both keep unknown keys, keep wire
//! forms, and fail with the TR, the path and the raw value; a failure always takes the
//! `serde_json` path, so error texts are `serde_json`'s own wherever they were before.
//!
//! `#[serde(flatten)]` would buffer every body through an intermediate representation; the
//! visitors here match keys against the field table directly instead.

use std::cell::Cell;
use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};

use super::table::{Field, ListValue, Mode, ObjectValue, SlotMut, Table, ValuesValue};
use super::{Format, WireForms};
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
    pub(super) fn note<E: de::Error>(&self, error: E) -> E {
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

/// A type [`decode_body`] can produce: every generated struct (through its [`Table`]) and
/// the REAL frame.
pub trait Body: Sized {
    /// Decode a whole body that is already known to be UTF-8.
    fn decode_text(api_id: &str, text: &str) -> Result<Self, DecodeError>;
}

impl<T: Table> Body for T {
    fn decode_text(api_id: &str, text: &str) -> Result<Self, DecodeError> {
        let mut record = T::blank();
        // A `match`, not `?`: this function is compiled once per response type.
        match decode_table(api_id, text, &mut record) {
            Ok(()) => Ok(record),
            Err(e) => Err(e),
        }
    }
}

/// Decode `text` into a blank `table`: the scanner, or `serde_json` when the scanner
/// declines (it may have written part of the table first: that part is cleared).
fn decode_table(api_id: &str, text: &str, table: &mut dyn Table) -> Result<(), DecodeError> {
    if super::scan::decode_record(text, table) {
        return Ok(());
    }
    clear_table(table);
    decode_table_with_serde(api_id, text, table)
}

/// Make a table blank again where decoding writes: optional values `None`, lists empty,
/// unknown keys and wire forms forgotten. Required values keep what they hold: decoding
/// overwrites them, or reports them missing.
fn clear_table(table: &mut dyn Table) {
    for i in 0..table.fields().len() {
        match table.slot(i) {
            SlotMut::Int(v) | SlotMut::Number(v) => *v = None,
            SlotMut::Decimal(v) => *v = None,
            SlotMut::Text(v) => *v = None,
            SlotMut::Date(v) => *v = None,
            SlotMut::Opt(v) => v.clear(),
            SlotMut::Req(_) => {}
            SlotMut::List(v) => v.clear(),
            SlotMut::Object(v) => v.clear(),
            SlotMut::Values(v) => v.clear(),
        }
    }
    if let Some(rest) = table.rest() {
        rest.extra.clear();
        rest.forms.clear();
    }
}

/// The fallback of every table's decode, compiled once: `serde_json` driving the table.
fn decode_table_with_serde(
    api_id: &str,
    text: &str,
    table: &mut dyn Table,
) -> Result<(), DecodeError> {
    decode_with_serde(api_id, text, |ctx, de| {
        TableSeed { ctx, table }.deserialize(de)
    })
}

/// Decode a whole body into `R`; the error names the TR, the path and the raw value.
pub fn decode_body<R: Body>(api_id: &str, body: &[u8]) -> Result<R, DecodeError> {
    R::decode_text(api_id, body_text(api_id, body)?)
}

/// [`decode_body`] into a blank table that is already there: the registry's decoding of
/// every REST TR and condition-search reply, compiled once, not once per response type.
pub fn decode_body_into(
    api_id: &str,
    body: &[u8],
    table: &mut dyn Table,
) -> Result<(), DecodeError> {
    decode_table(api_id, body_text(api_id, body)?, table)
}

/// The body as text. UTF-8 is checked once for the whole body: `serde_json` reading a
/// `str` then skips the check on every string, which was a sixth of the decoding time.
/// The check is `simdutf8`'s (16 or 32 bytes at a step; the standard library's was a
/// thirtieth of a 0B frame's decode), with the standard one only to say where a bad body
/// goes wrong.
fn body_text<'b>(api_id: &str, body: &'b [u8]) -> Result<&'b str, DecodeError> {
    if let Ok(text) = simdutf8::basic::from_utf8(body) {
        return Ok(text);
    }
    std::str::from_utf8(body).map_err(|e| {
        body_error(
            api_id,
            body,
            format!("the body is not UTF-8 (byte {})", e.valid_up_to()),
        )
    })
}

/// Run `seed` over `text` with `serde_json`, turning a failure into the recorded
/// [`DecodeError`] (or a body error for syntax).
pub(super) fn decode_with_serde<'t, T>(
    api_id: &str,
    text: &'t str,
    seed: impl FnOnce(
        &Ctx<'_>,
        &mut serde_json::Deserializer<serde_json::de::StrRead<'t>>,
    ) -> Result<T, serde_json::Error>,
) -> Result<T, DecodeError> {
    let failure = Cell::new(None);
    let ctx = Ctx::root(api_id, &failure);
    let mut de = serde_json::Deserializer::from_str(text);
    let result = seed(&ctx, &mut de).and_then(|value| de.end().map(|()| value));
    result.map_err(|error| {
        failure.take().unwrap_or_else(|| {
            let reason = if redact::is_oauth_tr(api_id) {
                redact::redact_quoted(&error.to_string())
            } else {
                error.to_string()
            };
            body_error(api_id, text.as_bytes(), reason)
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

/// The field of `fields` whose wire name is `key`: [`find_field_by`] with `==`.
#[inline]
pub(super) fn find_field(fields: &[Field], key: &str, hint: &mut usize) -> Option<usize> {
    find_field_by(fields, hint, |field| field.wire == key)
}

/// The field of `fields` that `is_key` accepts. Kiwoom sends keys in the documented order,
/// so the field after the previous match is tried first (`hint`); a miss scans.
#[inline(always)]
pub(super) fn find_field_by(
    fields: &[Field],
    hint: &mut usize,
    is_key: impl Fn(&Field) -> bool,
) -> Option<usize> {
    if let Some(field) = fields.get(*hint) {
        if is_key(field) {
            *hint += 1;
            return Some(*hint - 1);
        }
    }
    let i = fields.iter().position(is_key)?;
    *hint = i + 1;
    Some(i)
}

/// Slot number of field `i` in the record's `WireForms`.
#[inline]
pub(super) fn slot_no(i: usize) -> u16 {
    u16::try_from(i).unwrap_or(u16::MAX)
}

/// Decode a JSON object into `table`, matching keys against its field table.
fn decode_map<'de, A: MapAccess<'de>>(
    mut map: A,
    ctx: &Ctx<'_>,
    table: &mut dyn Table,
) -> Result<(), A::Error> {
    let fields = table.fields();
    let mut extra = Extra::new();
    let mut forms = WireForms::default();
    let mut required_seen = Vec::new();
    let mut hint = 0;
    while let Some(key) = map.next_key_seed(KeySeed)? {
        let Some(i) = find_field(fields, &key, &mut hint) else {
            let value: serde_json::Value = map.next_value()?;
            extra.insert(key.into_owned(), value);
            continue;
        };
        let field = &fields[i];
        let ctx = ctx.key(field.wire);
        match table.slot(i) {
            SlotMut::List(list) => {
                map.next_value_seed(ListSeed {
                    ctx: &ctx,
                    list: &mut *list,
                })?;
                if list.is_empty() {
                    forms.keep(slot_no(i), super::forms::EMPTY_LIST);
                }
            }
            SlotMut::Object(object) => map.next_value_seed(ObjectSeed { ctx: &ctx, object })?,
            SlotMut::Values(values) => {
                map.next_value_seed(ValuesSeed {
                    ctx: &ctx,
                    values: &mut *values,
                    format: &field.format,
                })?;
                if values.is_empty() {
                    forms.keep(slot_no(i), super::forms::EMPTY_LIST);
                }
            }
            slot => {
                let present = map.next_value_seed(ValueSeed {
                    ctx: &ctx,
                    slot,
                    format: &field.format,
                    forms: Some((&mut forms, slot_no(i))),
                })?;
                if present && field.required {
                    required_seen.push(i);
                }
            }
        }
    }
    check_required(fields, &required_seen, ctx)?;
    if let Some(rest) = table.rest() {
        *rest.extra = extra;
        *rest.forms = forms;
    }
    Ok(())
}

/// A required field that never got a value is an error naming it.
fn check_required<E: de::Error>(fields: &[Field], seen: &[usize], ctx: &Ctx<'_>) -> Result<(), E> {
    for (i, field) in fields.iter().enumerate() {
        if field.required && !seen.contains(&i) {
            return Err(ctx
                .key(field.wire)
                .fail("", "required field is missing or empty"));
        }
    }
    Ok(())
}

/// Decode a JSON array of positional values (rows with `row_shape: array`).
fn decode_seq<'de, A: SeqAccess<'de>>(
    mut seq: A,
    ctx: &Ctx<'_>,
    table: &mut dyn Table,
) -> Result<(), A::Error> {
    let fields = table.fields();
    let mut required_seen = Vec::new();
    for (i, field) in fields.iter().enumerate() {
        let ctx = ctx.index(i);
        let present = seq.next_element_seed(ValueSeed {
            ctx: &ctx,
            slot: table.slot(i),
            format: &field.format,
            forms: None,
        })?;
        if present == Some(true) {
            required_seen.push(i);
        }
    }
    check_required(fields, &required_seen, ctx)?;
    let mut extra = Extra::new();
    let mut index = fields.len();
    while let Some(value) = seq.next_element::<serde_json::Value>()? {
        extra.insert(index.to_string(), value);
        index += 1;
    }
    if let Some(rest) = table.rest() {
        *rest.extra = extra;
    }
    Ok(())
}

/// An object key, borrowed from the input when it has no escapes.
pub(super) struct KeySeed;

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = std::borrow::Cow<'de, str>;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed {
    type Value = std::borrow::Cow<'de, str>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object key")
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(std::borrow::Cow::Borrowed(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(std::borrow::Cow::Owned(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
        Ok(std::borrow::Cow::Owned(v))
    }
}

/// One scalar value into a slot: empty, blank, null or missing is absent. Strings keep
/// their wire text in `forms` when the typed value would not write them back.
struct ValueSeed<'c, 's> {
    ctx: &'c Ctx<'c>,
    slot: SlotMut<'s>,
    format: &'c Format,
    forms: Option<(&'c mut WireForms, u16)>,
}

impl ValueSeed<'_, '_> {
    fn accept<E: de::Error>(self, raw: &str, keep: bool) -> Result<bool, E> {
        let ctx = self.ctx;
        let keep = if keep { self.forms } else { None };
        self.slot
            .set_text(raw, self.format, Mode::Record, keep)
            .map_err(|reason| ctx.fail(raw, reason))
    }
}

impl<'de> DeserializeSeed<'de> for ValueSeed<'_, '_> {
    type Value = bool;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        let ctx = self.ctx;
        d.deserialize_any(self).map_err(|e| ctx.note(e))
    }
}

impl<'de> Visitor<'de> for ValueSeed<'_, '_> {
    type Value = bool;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string value")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<bool, E> {
        self.accept(v, true)
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<bool, E> {
        self.accept(&v.to_string(), false)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<bool, E> {
        self.accept(&v.to_string(), false)
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<bool, E> {
        self.accept(&v.to_string(), false)
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<bool, E> {
        self.accept(if v { "true" } else { "false" }, false)
    }
    fn visit_unit<E: de::Error>(self) -> Result<bool, E> {
        self.slot.clear();
        Ok(false)
    }
    fn visit_none<E: de::Error>(self) -> Result<bool, E> {
        self.slot.clear();
        Ok(false)
    }
    fn visit_map<A: MapAccess<'de>>(self, _: A) -> Result<bool, A::Error> {
        Err(self
            .ctx
            .fail("<object>", "expected a string, found an object"))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, _: A) -> Result<bool, A::Error> {
        Err(self
            .ctx
            .fail("<array>", "expected a string, found an array"))
    }
}

/// A whole record: an object, or an array for array-shaped rows.
struct TableSeed<'c, 't> {
    ctx: &'c Ctx<'c>,
    table: &'t mut dyn Table,
}

impl<'de> DeserializeSeed<'de> for TableSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        let ctx = self.ctx;
        d.deserialize_any(self).map_err(|e| ctx.note(e))
    }
}

impl<'de> Visitor<'de> for TableSeed<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object")
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<(), A::Error> {
        decode_map(map, self.ctx, self.table)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<(), A::Error> {
        if self.table.array_rows() {
            decode_seq(seq, self.ctx, self.table)
        } else {
            Err(self
                .ctx
                .fail("<array>", "expected an object, found an array"))
        }
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<(), E> {
        Err(self.ctx.fail(v, "expected an object, found a string"))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<(), E> {
        Err(self
            .ctx
            .fail(&v.to_string(), "expected an object, found a number"))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<(), E> {
        Err(self
            .ctx
            .fail(&v.to_string(), "expected an object, found a number"))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<(), E> {
        Err(self
            .ctx
            .fail(&v.to_string(), "expected an object, found a number"))
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<(), E> {
        Err(self
            .ctx
            .fail(&v.to_string(), "expected an object, found a boolean"))
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Err(self.ctx.fail("null", "expected an object, found null"))
    }
}

/// An optional nested object (`null` or `""` is `None`).
struct ObjectSeed<'c, 't> {
    ctx: &'c Ctx<'c>,
    object: &'t mut dyn ObjectValue,
}

impl<'de> DeserializeSeed<'de> for ObjectSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        let ctx = self.ctx;
        d.deserialize_any(self).map_err(|e| ctx.note(e))
    }
}

impl<'de> Visitor<'de> for ObjectSeed<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object")
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<(), A::Error> {
        decode_map(map, self.ctx, self.object.fill())
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.object.clear();
        Ok(())
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<(), E> {
        if v.trim().is_empty() {
            self.object.clear();
            Ok(())
        } else {
            Err(self.ctx.fail(v, "expected an object, found a string"))
        }
    }
    fn visit_seq<A: SeqAccess<'de>>(self, _: A) -> Result<(), A::Error> {
        Err(self
            .ctx
            .fail("<array>", "expected an object, found an array"))
    }
}

/// A list of rows (`null` or `""` is an empty list).
struct ListSeed<'c, 't> {
    ctx: &'c Ctx<'c>,
    list: &'t mut dyn ListValue,
}

impl<'de> DeserializeSeed<'de> for ListSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        let ctx = self.ctx;
        d.deserialize_any(self).map_err(|e| ctx.note(e))
    }
}

impl<'de> Visitor<'de> for ListSeed<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of rows")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        self.list.truncate(0);
        loop {
            let index = self.list.len();
            let ctx = self.ctx.index(index);
            let row = self.list.push_blank();
            if seq
                .next_element_seed(TableSeed {
                    ctx: &ctx,
                    table: row,
                })?
                .is_none()
            {
                self.list.truncate(index);
                return Ok(());
            }
        }
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.list.truncate(0);
        Ok(())
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<(), E> {
        if v.trim().is_empty() {
            self.list.truncate(0);
            Ok(())
        } else {
            Err(self.ctx.fail(v, "expected an array, found a string"))
        }
    }
    fn visit_map<A: MapAccess<'de>>(self, _: A) -> Result<(), A::Error> {
        Err(self
            .ctx
            .fail("<object>", "expected an array, found an object"))
    }
}

/// A list of bare values (`["005930", "000660"]`; `null` or `""` is empty).
struct ValuesSeed<'c, 't> {
    ctx: &'c Ctx<'c>,
    values: &'t mut dyn ValuesValue,
    format: &'c Format,
}

impl<'de> DeserializeSeed<'de> for ValuesSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        let ctx = self.ctx;
        d.deserialize_any(self).map_err(|e| ctx.note(e))
    }
}

impl<'de> Visitor<'de> for ValuesSeed<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of values")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        self.values.clear();
        loop {
            let ctx = self.ctx.index(self.values.len());
            let seed = ElementSeed {
                ctx: &ctx,
                values: &mut *self.values,
                format: self.format,
            };
            match seq.next_element_seed(seed)? {
                Some(true) => {}
                Some(false) => return Err(ctx.fail("null", "expected a value, found null")),
                None => return Ok(()),
            }
        }
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.values.clear();
        Ok(())
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<(), E> {
        if v.trim().is_empty() {
            self.values.clear();
            Ok(())
        } else {
            Err(self.ctx.fail(v, "expected an array, found a string"))
        }
    }
    fn visit_map<A: MapAccess<'de>>(self, _: A) -> Result<(), A::Error> {
        Err(self
            .ctx
            .fail("<object>", "expected an array, found an object"))
    }
}

/// One element of a bare-value list; `false` when it is `null` or the type's "no value".
struct ElementSeed<'c, 't> {
    ctx: &'c Ctx<'c>,
    values: &'t mut dyn ValuesValue,
    format: &'c Format,
}

impl ElementSeed<'_, '_> {
    fn accept<E: de::Error>(self, raw: &str) -> Result<bool, E> {
        self.values
            .push(raw, self.format, Mode::Record)
            .map_err(|reason| self.ctx.fail(raw, reason))
    }
}

impl<'de> DeserializeSeed<'de> for ElementSeed<'_, '_> {
    type Value = bool;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        let ctx = self.ctx;
        d.deserialize_any(self).map_err(|e| ctx.note(e))
    }
}

impl<'de> Visitor<'de> for ElementSeed<'_, '_> {
    type Value = bool;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string value")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<bool, E> {
        self.accept(v)
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<bool, E> {
        self.accept(&v.to_string())
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<bool, E> {
        self.accept(&v.to_string())
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<bool, E> {
        self.accept(&v.to_string())
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<bool, E> {
        self.accept(if v { "true" } else { "false" })
    }
    fn visit_unit<E: de::Error>(self) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_map<A: MapAccess<'de>>(self, _: A) -> Result<bool, A::Error> {
        Err(self
            .ctx
            .fail("<object>", "expected a string, found an object"))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, _: A) -> Result<bool, A::Error> {
        Err(self
            .ctx
            .fail("<array>", "expected a string, found an array"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::table::Rest;

    /// A hand-written record in the shape generated code has.
    #[derive(Debug, Default, PartialEq)]
    struct Row {
        price: Option<i64>,
        rows: Vec<Row>,
        extra: Extra,
        forms: WireForms,
    }

    // SAFETY: the places are made by `__table_place!` from `Row`'s fields.
    unsafe impl Table for Row {
        fn type_name(&self) -> &'static str {
            "Row"
        }
        fn fields(&self) -> &'static [Field] {
            const FIELDS: &[Field] = &[
                Field::new("price", "price", crate::__table_place!(Int, Row, price)),
                Field::new("rows", "rows", crate::__table_place!(List, Row, rows)),
            ];
            FIELDS
        }
        fn rest(&mut self) -> Option<Rest<'_>> {
            Some(Rest {
                extra: &mut self.extra,
                forms: &mut self.forms,
            })
        }
        fn kept(&self) -> Option<(&Extra, &WireForms)> {
            Some((&self.extra, &self.forms))
        }
        fn blank() -> Self {
            Row::default()
        }
    }

    /// The same body through `serde_json` alone (what the scanner falls back to).
    fn by_serde(body: &str) -> Result<Row, DecodeError> {
        let mut row = Row::default();
        decode_with_serde("t", body, |ctx, de| {
            TableSeed {
                ctx,
                table: &mut row,
            }
            .deserialize(de)
        })?;
        Ok(row)
    }

    /// What the scanner may have written before declining is gone before the fallback:
    /// values, rows, unknown keys and kept wire forms.
    #[test]
    fn a_cleared_table_is_blank() {
        let mut row = Row::default();
        let body = r#"{"price":"+7","rows":[{"price":"5"}],"new":"1"}"#;
        assert!(super::super::scan::decode_record(body, &mut row));
        assert_ne!(row, Row::default());
        clear_table(&mut row);
        assert_eq!(row, Row::default());
    }

    /// The scanner and `serde_json` agree on values, extras and wire forms, and the scanner
    /// declines what it does not take (escapes, fractions, errors).
    #[test]
    fn scanner_and_serde_agree() {
        for (body, scanned) in [
            (
                r#"{"price":"+0001234","rows":[{"price":"5","x":[1,{"y":null}]}],"z":1.5}"#,
                true,
            ),
            (r#" { "rows" : [ ] , "price" : null } "#, true),
            (r#"{"price":12,"rows":"","k":"\u00e9"}"#, false),
            (r#"{"price":"1","rows":null,"k":"한글"}"#, true),
            // The scanner writes a value and a row, then declines at the escape: the
            // fallback's record is serde's alone (no second row).
            (
                r#"{"price":"+7","rows":[{"price":"5"}],"n":"1","k":"\u00e9"}"#,
                false,
            ),
            (r#"{"price":1.5}"#, false),
            (r#"{"price":-0}"#, false),
            (r#"{"price":"1",}"#, false),
            (r#"{"price":"1"} x"#, false),
            (r#"{"price":"12x"}"#, false),
        ] {
            let mut row = Row::default();
            assert_eq!(
                super::super::scan::decode_record(body, &mut row),
                scanned,
                "{body}"
            );
            let via_serde = by_serde(body);
            let via_body = decode_body::<Row>("t", body.as_bytes());
            match (via_serde, via_body) {
                (Ok(a), Ok(b)) => {
                    assert_eq!(
                        (a.price, a.rows.len(), &a.extra),
                        (b.price, b.rows.len(), &b.extra),
                        "{body}"
                    );
                    let (ja, jb) = (
                        serde_json::to_string(&TableJson(&a)).unwrap(),
                        serde_json::to_string(&TableJson(&b)).unwrap(),
                    );
                    assert_eq!(ja, jb, "{body}");
                    if scanned {
                        assert_eq!(row.price, b.price, "{body}");
                    }
                }
                (Err(a), Err(b)) => assert_eq!(a, b, "{body}"),
                (a, b) => panic!("{body}: serde {a:?} vs body {b:?}"),
            }
        }
    }

    struct TableJson<'a>(&'a Row);

    impl serde::Serialize for TableJson<'_> {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            crate::codec::serialize_table(self.0, s)
        }
    }

    #[test]
    fn re_encodes_plus_signs_and_unknown_keys() {
        let row: Row = decode_body("t", br#"{"price":"+5","rows":[],"new":[1]}"#).unwrap();
        assert_eq!(
            serde_json::to_string(&TableJson(&row)).unwrap(),
            r#"{"price":"+5","rows":[],"new":[1]}"#
        );
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
