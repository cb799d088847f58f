//! REAL frames: `{"trnm":"REAL","data":[{"type":"0B","name":..,"item":..,"values":{"10":..}}]}`.
//!
//! An entry's keys come in any order (frames captured from the server have `values` first,
//! Kiwoom's documented examples `type` first), so an entry's values are first held as they
//! came ([`RawValues`]: borrowed pairs, the validated text of the `values` object, or the
//! session's map) and decoded into the typed event for its type once the type is known,
//! straight from the borrowed text into the typed fields by the value id.

use std::borrow::Cow;
use std::cell::Cell;
use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

use serde::Serialize;
use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde::ser::{SerializeMap, Serializer};

use super::decode::{Body, Ctx, Extra, KeySeed, decode_with_serde, find_field_by, slot_no};
use super::encode::{put_extra, put_opt};
use super::scan::Scanner;
use super::table::{Field, Mode, SlotRef, Table, short_id};
use super::{Format, WireError, WireForms};
use crate::{DecodeError, RealItem, RealValues, TrResponse};

/// The `values` of one entry, as received.
#[derive(Debug)]
pub enum RawValues<'a> {
    /// The text of the `values` object, already checked by the scanner: string values
    /// without escapes.
    Text(&'a str),
    /// Id and raw value pairs in wire order, borrowed (the scanner's, read once).
    Slice(&'a [(&'a str, &'a str)]),
    /// Id and raw value pairs in wire order.
    Pairs(Vec<(Cow<'a, str>, Cow<'a, str>)>),
    /// An entry the runtime's WebSocket session already read.
    Item(&'a RealValues),
}

impl Default for RawValues<'_> {
    fn default() -> Self {
        RawValues::Pairs(Vec::new())
    }
}

impl<'a> RawValues<'a> {
    /// Each id and raw value, in wire order.
    pub fn for_each<E>(&self, mut f: impl FnMut(&str, &str) -> Result<(), E>) -> Result<(), E> {
        match self {
            RawValues::Text(text) => {
                let mut s = Scanner::new(text);
                // Checked when scanned: `{` then `"id":"value"` pairs.
                if s.eat(b'{').is_some() && s.peek() != Some(b'}') {
                    while let (Some(id), Some(()), Some(raw)) =
                        (s.string(), s.eat(b':'), s.string())
                    {
                        f(id, raw)?;
                        if s.eat(b',').is_none() {
                            break;
                        }
                    }
                }
                Ok(())
            }
            RawValues::Slice(pairs) => pairs.iter().try_for_each(|(id, raw)| f(id, raw)),
            RawValues::Pairs(pairs) => pairs.iter().try_for_each(|(id, raw)| f(id, raw)),
            RawValues::Item(values) => values.iter().try_for_each(|(id, raw)| f(id, raw)),
        }
    }

    /// The values as the session keeps them, in the order received.
    pub fn to_values(&self) -> RealValues {
        let mut values = RealValues::new();
        let _ = self.for_each::<()>(|id, raw| {
            values.push(id, raw);
            Ok(())
        });
        values
    }
}

/// One entry of a REAL frame's `data`, borrowed from the input where possible.
#[derive(Debug, Default)]
pub struct RawEntry<'a> {
    pub kind: Cow<'a, str>,
    pub name: Cow<'a, str>,
    pub item: Cow<'a, str>,
    pub values: RawValues<'a>,
    /// Other keys of the entry (US frames add `stexTp`).
    pub extra: Extra,
}

impl<'a> RawEntry<'a> {
    /// Borrow an entry that the runtime's WebSocket session already parsed.
    pub fn from_item(item: &'a RealItem) -> Self {
        RawEntry {
            kind: Cow::Borrowed(&item.kind),
            name: Cow::Borrowed(&item.name),
            item: Cow::Borrowed(&item.item),
            values: RawValues::Item(&item.values),
            extra: item.extra.clone(),
        }
    }

    /// The entry as the session's [`RealItem`] (for a type this version does not know).
    pub fn into_item(self) -> RealItem {
        RealItem {
            values: self.values.to_values(),
            kind: self.kind.into_owned(),
            name: self.name.into_owned(),
            item: self.item.into_owned(),
            extra: self.extra.into_iter().collect(),
        }
    }
}

/// A typed realtime event: generated code implements it for `RealtimeEvent`; every
/// realtime type gets it from its [`RealTable`].
pub trait RealEntry: Sized {
    fn from_entry(entry: RawEntry<'_>, ctx: &Ctx<'_>) -> Result<Self, DecodeError>;

    /// The event decoded in its box (a realtime type is a kilobyte or so: built on the
    /// stack and then moved, the copy was a twentieth of a 0B frame's decode).
    fn boxed_from_entry(entry: RawEntry<'_>, ctx: &Ctx<'_>) -> Result<Box<Self>, DecodeError> {
        Self::from_entry(entry, ctx).map(Box::new)
    }
}

/// A generated realtime type: its values as a field table (wire names are the value ids),
/// plus the entry's parts that are not values.
pub trait RealTable: Table + Default + crate::RealtimeType {
    fn parts(&mut self) -> RealParts<'_>;
    fn parts_ref(&self) -> RealPartsRef<'_>;
}

/// The parts of a realtime event besides its values, to fill.
pub struct RealParts<'a> {
    pub item: &'a mut String,
    pub name: &'a mut String,
    pub extra_values: &'a mut BTreeMap<String, String>,
    pub extra: &'a mut Extra,
    pub forms: &'a mut WireForms,
}

/// The parts of a realtime event besides its values, to write.
pub struct RealPartsRef<'a> {
    pub item: &'a str,
    pub name: &'a str,
    pub extra_values: &'a BTreeMap<String, String>,
    pub extra: &'a Extra,
    pub forms: &'a WireForms,
}

impl<T: RealTable> RealEntry for T {
    fn from_entry(entry: RawEntry<'_>, ctx: &Ctx<'_>) -> Result<Self, DecodeError> {
        let mut event = T::default();
        fill_event(&mut event, entry, ctx)?;
        Ok(event)
    }

    fn boxed_from_entry(entry: RawEntry<'_>, ctx: &Ctx<'_>) -> Result<Box<Self>, DecodeError> {
        let mut event = Box::<T>::default();
        fill_event(&mut *event, entry, ctx)?;
        Ok(event)
    }
}

/// A blank event filled from its entry.
#[inline(always)]
fn fill_event<T: RealTable>(
    event: &mut T,
    entry: RawEntry<'_>,
    ctx: &Ctx<'_>,
) -> Result<(), DecodeError> {
    decode_values(event, &entry.values, ctx)?;
    let parts = event.parts();
    *parts.item = entry.item.into_owned();
    *parts.name = entry.name.into_owned();
    *parts.extra = entry.extra;
    Ok(())
}

/// Each value into its field by id; ids the table does not list into the extra values.
fn decode_values<T: RealTable>(
    event: &mut T,
    values: &RawValues<'_>,
    ctx: &Ctx<'_>,
) -> Result<(), DecodeError> {
    let fields = event.fields();
    let mut forms = WireForms::default();
    let mut extra_values = BTreeMap::new();
    let mut hint = 0;
    // The same call in each arm, not one closure: a closure called from several places
    // was not inlined, and its calls cost a tenth of the decode (callgrind).
    let error = |id: &str, raw: &str, reason| ctx.key("values").key(id).error(raw, reason);
    match values {
        // The scanner's pairs (every entry the scanner reads).
        RawValues::Slice(pairs) => {
            for (id, raw) in pairs.iter() {
                put_value(
                    event,
                    fields,
                    &mut hint,
                    &mut forms,
                    &mut extra_values,
                    id,
                    raw,
                )
                .map_err(|reason| error(id, raw, reason))?;
            }
        }
        // The session's entries.
        RawValues::Item(values) => {
            for (id, raw) in values.iter() {
                put_value(
                    event,
                    fields,
                    &mut hint,
                    &mut forms,
                    &mut extra_values,
                    id,
                    raw,
                )
                .map_err(|reason| error(id, raw, reason))?;
            }
        }
        other => other.for_each(|id, raw| {
            put_value(
                event,
                fields,
                &mut hint,
                &mut forms,
                &mut extra_values,
                id,
                raw,
            )
            .map_err(|reason| error(id, raw, reason))
        })?,
    }
    // Only what was found moves in: replacing the event's empty map would drop it (an
    // iterator's walk even when empty).
    let parts = event.parts();
    if !forms.is_empty() {
        *parts.forms = forms;
    }
    if !extra_values.is_empty() {
        *parts.extra_values = extra_values;
    }
    Ok(())
}

/// One value by its id: into the field the id names (the one after the previous match is
/// tried first: Kiwoom sends values in the documented order), or into the extra values.
#[inline(always)]
fn put_value<T: RealTable>(
    event: &mut T,
    fields: &'static [Field],
    hint: &mut usize,
    forms: &mut WireForms,
    extra_values: &mut BTreeMap<String, String>,
    id: &str,
    raw: &str,
) -> Result<(), WireError> {
    let Some(i) = find_value_field(fields, id, hint) else {
        extra_values.insert(id.to_owned(), raw.to_owned());
        return Ok(());
    };
    super::table::set_text_of(event, i, raw, Mode::Realtime, Some((forms, slot_no(i)))).map(drop)
}

/// The field of `fields` whose value id is `id`, the id compared as one integer
/// ([`Field::is_named`]).
#[inline(always)]
fn find_value_field(fields: &[Field], id: &str, hint: &mut usize) -> Option<usize> {
    let id_code = short_id(id.as_bytes());
    find_field_by(fields, hint, |field| field.is_named(id, id_code))
}

/// `Serialize` of a realtime type: `values` (kept wire forms written back), then `type`,
/// `name`, `item` and the entry's other keys.
pub fn serialize_real<T: RealTable, S: Serializer>(
    event: &T,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    let parts = event.parts_ref();
    let mut values: Vec<(&str, Cow<'_, str>)> = Vec::new();
    for (i, field) in event.fields().iter().enumerate() {
        let text = match <dyn Table>::view(event, i) {
            SlotRef::Opt(value) => value.text(&field.format, Some((parts.forms, slot_no(i)))),
            SlotRef::Req(value) => Some(value.text(&field.format, Some((parts.forms, slot_no(i))))),
            _ => None,
        };
        if let Some(text) = text {
            values.push((field.wire, text));
        }
    }
    values.extend(
        parts
            .extra_values
            .iter()
            .map(|(k, v)| (k.as_str(), Cow::Borrowed(v.as_str()))),
    );
    let mut map = serializer.serialize_map(None)?;
    map.serialize_entry("values", &ValuesOut(&values))?;
    map.serialize_entry("type", <T as crate::RealtimeType>::TYPE)?;
    map.serialize_entry("name", parts.name)?;
    map.serialize_entry("item", parts.item)?;
    put_extra(&mut map, parts.extra)?;
    map.end()
}

struct ValuesOut<'a>(&'a [(&'a str, Cow<'a, str>)]);

impl Serialize for ValuesOut<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.iter().map(|(k, v)| (*k, &**v)))
    }
}

/// Decode an entry that the runtime's WebSocket session already parsed.
pub fn decode_real_item<E: RealEntry>(item: &RealItem) -> Result<E, DecodeError> {
    let failure = Cell::new(None);
    let ctx = Ctx::root(&item.kind, &failure);
    E::from_entry(RawEntry::from_item(item), &ctx)
}

/// A whole REAL frame with typed entries.
#[derive(Debug, Clone, PartialEq)]
pub struct RealFrame<E> {
    /// `REAL`.
    pub trnm: Option<String>,
    pub data: Vec<E>,
    extra: Extra,
}

impl<E> RealFrame<E> {
    /// Keys of the frame other than `trnm` and `data`.
    pub fn extra_fields(&self) -> &Extra {
        &self.extra
    }
}

impl<E: RealEntry> Body for RealFrame<E> {
    fn decode_text(api_id: &str, text: &str) -> Result<Self, DecodeError> {
        if let Some(frame) = scan_frame(api_id, text) {
            return Ok(frame);
        }
        decode_with_serde(api_id, text, |ctx, de| {
            FrameSeed::<E> {
                ctx,
                marker: PhantomData,
            }
            .deserialize(de)
        })
    }
}

/// The frame by the scanner; `None` (left to `serde_json`) for anything it declines, or
/// an entry that does not decode (`serde_json` then reports it with its path).
fn scan_frame<E: RealEntry>(api_id: &str, text: &str) -> Option<RealFrame<E>> {
    let failure = Cell::new(None);
    let root = Ctx::root(api_id, &failure);
    let data = root.key("data");
    let mut frame = RealFrame {
        trnm: None,
        data: Vec::new(),
        extra: Extra::new(),
    };
    // An entry's values, read once into borrowed pairs (a real 0B entry has 45).
    let mut pairs = Pairs::new();
    let mut s = Scanner::new(text);
    s.eat(b'{')?;
    if s.peek()? == b'}' {
        s.eat(b'}')?;
        return s.end().then_some(frame);
    }
    loop {
        s.ws();
        let (key, skip) = match s.rest() {
            [b'"', b't', b'r', b'n', b'm', b'"', ..] => (FrameKey::Trnm, 6),
            [b'"', b'd', b'a', b't', b'a', b'"', ..] => (FrameKey::Data, 6),
            _ => (FrameKey::Other(s.string()?), 0),
        };
        s.skip(skip);
        s.expect(b':')?;
        match key {
            FrameKey::Trnm => {
                let raw = s.string()?;
                let trimmed = super::wire::trim(raw);
                frame.trnm = (!trimmed.is_empty()).then(|| trimmed.to_owned());
            }
            FrameKey::Data => {
                s.eat(b'[')?;
                if s.peek()? == b']' {
                    s.eat(b']')?;
                } else {
                    loop {
                        let entry = scan_entry(&mut s, &mut pairs)?;
                        let ctx = data.index(frame.data.len());
                        frame.data.push(E::from_entry(entry, &ctx).ok()?);
                        match s.peek()? {
                            b',' => s.eat(b',')?,
                            _ => {
                                s.eat(b']')?;
                                break;
                            }
                        }
                    }
                }
            }
            FrameKey::Other(key) => {
                let value = s.extra_value()?;
                frame.extra.insert(key.to_owned(), value);
            }
        }
        match s.peek()? {
            b',' => s.eat(b',')?,
            _ => {
                s.eat(b'}')?;
                break;
            }
        }
    }
    s.end().then_some(frame)
}

/// Values an entry can hold in the scanner's buffer; more are read again from their text.
pub(super) const PAIRS: usize = 96;

/// An entry's values as the scanner read them (borrowed id and raw value, in wire order).
pub(super) type Pairs<'a> = arrayvec::ArrayVec<(&'a str, &'a str), PAIRS>;

/// A key of a frame object.
enum FrameKey<'a> {
    Trnm,
    Data,
    Other(&'a str),
}

/// A key of an entry object.
enum EntryKey<'a> {
    Type,
    Name,
    Item,
    Values,
    Other(&'a str),
}

/// One entry object; its `values` read into `pairs` (or kept as their checked text when
/// there are more than the buffer holds).
pub(super) fn scan_entry<'a, 'p>(
    s: &mut Scanner<'a>,
    pairs: &'p mut Pairs<'a>,
) -> Option<RawEntry<'p>>
where
    'a: 'p,
{
    let mut entry = RawEntry::default();
    // The values read: in `pairs`, or their text when the buffer was too small.
    let mut values: Option<Result<(), &'a str>> = None;
    s.eat(b'{')?;
    if s.peek()? != b'}' {
        loop {
            // The keys Kiwoom writes, told by their bytes (a match on the key's text after
            // finding its end cost a tenth of the entry's scan).
            s.ws();
            let (key, skip) = match s.rest() {
                [b'"', b't', b'y', b'p', b'e', b'"', ..] => (EntryKey::Type, 6),
                [b'"', b'n', b'a', b'm', b'e', b'"', ..] => (EntryKey::Name, 6),
                [b'"', b'i', b't', b'e', b'm', b'"', ..] => (EntryKey::Item, 6),
                [b'"', b'v', b'a', b'l', b'u', b'e', b's', b'"', ..] => (EntryKey::Values, 8),
                _ => (EntryKey::Other(s.string()?), 0),
            };
            s.skip(skip);
            s.expect(b':')?;
            match key {
                EntryKey::Type => entry.kind = Cow::Borrowed(s.string()?),
                EntryKey::Name => entry.name = Cow::Borrowed(s.string()?),
                EntryKey::Item => entry.item = Cow::Borrowed(s.string()?),
                EntryKey::Values => {
                    s.ws();
                    let start = s.position();
                    let fits = s.string_pairs(pairs)?;
                    values = Some(if fits { Ok(()) } else { Err(s.since(start)) });
                }
                EntryKey::Other(key) => {
                    let value = s.extra_value()?;
                    entry.extra.insert(key.to_owned(), value);
                }
            }
            match s.peek()? {
                b',' => s.eat(b',')?,
                _ => break,
            }
        }
    }
    s.eat(b'}')?;
    entry.values = match values {
        Some(Ok(())) => RawValues::Slice(pairs),
        Some(Err(text)) => RawValues::Text(text),
        None => RawValues::default(),
    };
    Some(entry)
}

/// The serde path of a whole frame.
struct FrameSeed<'c, E> {
    ctx: &'c Ctx<'c>,
    marker: PhantomData<E>,
}

impl<'de, E: RealEntry> DeserializeSeed<'de> for FrameSeed<'_, E> {
    type Value = RealFrame<E>;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        let ctx = self.ctx;
        d.deserialize_any(self).map_err(|e| ctx.note(e))
    }
}

impl<'de, E: RealEntry> Visitor<'de> for FrameSeed<'_, E> {
    type Value = RealFrame<E>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, _: A) -> Result<Self::Value, A::Error> {
        Err(self
            .ctx
            .fail("<array>", "expected an object, found an array"))
    }
    fn visit_str<E2: de::Error>(self, v: &str) -> Result<Self::Value, E2> {
        Err(self.ctx.fail(v, "expected an object, found a string"))
    }
    fn visit_i64<E2: de::Error>(self, v: i64) -> Result<Self::Value, E2> {
        Err(self
            .ctx
            .fail(&v.to_string(), "expected an object, found a number"))
    }
    fn visit_u64<E2: de::Error>(self, v: u64) -> Result<Self::Value, E2> {
        Err(self
            .ctx
            .fail(&v.to_string(), "expected an object, found a number"))
    }
    fn visit_f64<E2: de::Error>(self, v: f64) -> Result<Self::Value, E2> {
        Err(self
            .ctx
            .fail(&v.to_string(), "expected an object, found a number"))
    }
    fn visit_bool<E2: de::Error>(self, v: bool) -> Result<Self::Value, E2> {
        Err(self
            .ctx
            .fail(&v.to_string(), "expected an object, found a boolean"))
    }
    fn visit_unit<E2: de::Error>(self) -> Result<Self::Value, E2> {
        Err(self.ctx.fail("null", "expected an object, found null"))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let ctx = self.ctx;
        let mut frame = RealFrame {
            trnm: None,
            data: Vec::new(),
            extra: Extra::new(),
        };
        while let Some(key) = map.next_key_seed(KeySeed)? {
            match &*key {
                "trnm" => {
                    let text = map.next_value_seed(TextSeed {
                        ctx: &ctx.key("trnm"),
                    })?;
                    let trimmed = super::wire::trim(&text);
                    frame.trnm = (!trimmed.is_empty()).then(|| trimmed.to_owned());
                }
                "data" => {
                    frame.data = map.next_value_seed(EntriesSeed::<E> {
                        ctx: &ctx.key("data"),
                        marker: PhantomData,
                    })?
                }
                _ => {
                    let value: serde_json::Value = map.next_value()?;
                    frame.extra.insert(key.into_owned(), value);
                }
            }
        }
        Ok(frame)
    }
}

impl<E: RealEntry + Serialize> Serialize for RealFrame<E> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        put_opt(&mut map, "trnm", &self.trnm, &Format::PLAIN)?;
        map.serialize_entry("data", &self.data)?;
        put_extra(&mut map, &self.extra)?;
        map.end()
    }
}

impl<E: RealEntry + Serialize + Send + 'static> TrResponse for RealFrame<E> {
    fn decode(api_id: &'static str, body: &[u8]) -> Result<Self, DecodeError> {
        super::decode_body(api_id, body)
    }
}

struct EntriesSeed<'c, E> {
    ctx: &'c Ctx<'c>,
    marker: PhantomData<E>,
}

impl<'de, E: RealEntry> DeserializeSeed<'de> for EntriesSeed<'_, E> {
    type Value = Vec<E>;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de, E: RealEntry> Visitor<'de> for EntriesSeed<'_, E> {
    type Value = Vec<E>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of realtime entries")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut out = Vec::new();
        loop {
            let ctx = self.ctx.index(out.len());
            match seq.next_element_seed(EntrySeed { ctx: &ctx })? {
                Some(raw) => out.push(E::from_entry(raw, &ctx).map_err(|e| ctx.store(e))?),
                None => return Ok(out),
            }
        }
    }
    fn visit_unit<E2: de::Error>(self) -> Result<Self::Value, E2> {
        Ok(Vec::new())
    }
    fn visit_str<E2: de::Error>(self, v: &str) -> Result<Self::Value, E2> {
        Err(self.ctx.fail(v, "expected an array of realtime entries"))
    }
    fn visit_map<A: MapAccess<'de>>(self, _: A) -> Result<Self::Value, A::Error> {
        Err(self
            .ctx
            .fail("<object>", "expected an array of realtime entries"))
    }
}

struct EntrySeed<'c> {
    ctx: &'c Ctx<'c>,
}

impl<'de> DeserializeSeed<'de> for EntrySeed<'_> {
    type Value = RawEntry<'de>;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for EntrySeed<'_> {
    type Value = RawEntry<'de>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a realtime entry object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut entry = RawEntry::default();
        while let Some(key) = map.next_key_seed(KeySeed)? {
            match &*key {
                "type" => {
                    entry.kind = map.next_value_seed(TextSeed {
                        ctx: &self.ctx.key("type"),
                    })?
                }
                "name" => {
                    entry.name = map.next_value_seed(TextSeed {
                        ctx: &self.ctx.key("name"),
                    })?
                }
                "item" => {
                    entry.item = map.next_value_seed(TextSeed {
                        ctx: &self.ctx.key("item"),
                    })?
                }
                "values" => {
                    entry.values = RawValues::Pairs(map.next_value_seed(ValuesSeed {
                        ctx: &self.ctx.key("values"),
                    })?)
                }
                _ => {
                    let value: serde_json::Value = map.next_value()?;
                    entry.extra.insert(key.into_owned(), value);
                }
            }
        }
        Ok(entry)
    }
}

struct ValuesSeed<'c> {
    ctx: &'c Ctx<'c>,
}

impl<'de> DeserializeSeed<'de> for ValuesSeed<'_> {
    type Value = Vec<(Cow<'de, str>, Cow<'de, str>)>;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for ValuesSeed<'_> {
    type Value = Vec<(Cow<'de, str>, Cow<'de, str>)>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a values object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut values = Vec::with_capacity(map.size_hint().unwrap_or(32));
        while let Some(key) = map.next_key_seed(KeySeed)? {
            let value = map.next_value_seed(TextSeed {
                ctx: &self.ctx.key(&key),
            })?;
            values.push((key, value));
        }
        Ok(values)
    }
}

/// A string (or a number, written as text), borrowed when possible.
struct TextSeed<'c> {
    ctx: &'c Ctx<'c>,
}

impl<'de> DeserializeSeed<'de> for TextSeed<'_> {
    type Value = Cow<'de, str>;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for TextSeed<'_> {
    type Value = Cow<'de, str>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string")
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v.to_owned()))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v.to_string()))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v.to_string()))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v.to_string()))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(""))
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A realtime type in the shape generated code has: value `10` (price), `20` (time).
    #[derive(Debug, Default, Clone, PartialEq)]
    struct Trade {
        item: String,
        name: String,
        price: Option<i64>,
        time: Option<String>,
        extra_values: BTreeMap<String, String>,
        extra: Extra,
        forms: WireForms,
    }

    crate::realtime_table!(Trade {
        price: Int("10"),
        time: Text("20")
    });

    impl crate::RealtimeType for Trade {
        const TYPE: &'static str = "0B";
        const KOREAN_NAME: &'static str = "주식체결";
        const MARKET: crate::Market = crate::Market::Domestic;
        const ITEM: crate::RealtimeItemKind = crate::RealtimeItemKind::Stock;
        fn decode_item(item: &RealItem) -> Result<Self, DecodeError> {
            decode_real_item(item)
        }
    }

    impl RealTable for Trade {
        fn parts(&mut self) -> RealParts<'_> {
            RealParts {
                item: &mut self.item,
                name: &mut self.name,
                extra_values: &mut self.extra_values,
                extra: &mut self.extra,
                forms: &mut self.forms,
            }
        }
        fn parts_ref(&self) -> RealPartsRef<'_> {
            RealPartsRef {
                item: &self.item,
                name: &self.name,
                extra_values: &self.extra_values,
                extra: &self.extra,
                forms: &self.forms,
            }
        }
    }

    impl Serialize for Trade {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            serialize_real(self, serializer)
        }
    }

    fn by_serde(text: &str) -> Result<RealFrame<Trade>, DecodeError> {
        decode_with_serde("0B", text, |ctx, de| {
            FrameSeed::<Trade> {
                ctx,
                marker: PhantomData,
            }
            .deserialize(de)
        })
    }

    /// Scanned (values read once, or read again from their text past the buffer), and
    /// declined to `serde_json` (an escape, a bad value): the same events, bytes and errors.
    #[test]
    fn scanned_frames_match_serde() {
        let many: String = (100..100 + PAIRS + 4)
            .map(|id| format!(r#","{id}":"x""#))
            .collect();
        let frames = [
            r#"{"trnm":"REAL","data":[{"values":{"20":"090000","10":"+41500","99":""},"type":"0B","name":"주식체결","item":"005930","stexTp":"K"}]}"#.to_owned(),
            format!(r#"{{"trnm":"REAL","data":[{{"values":{{"10":"-5"{many}}},"type":"0B","name":"n","item":"i"}}]}}"#),
            // Keys that begin as the known ones do (told by their bytes), and whitespace.
            r#" { "trnmx" : 1 , "trnm" : "REAL" , "dat":[], "data" : [ { "types" : "x" , "type" : "0B" , "name2" : "m" , "name" : "n" , "item" : "i" , "items" : "j" , "values" : { "10" : "7" } , "valuesx" : { } } ] } "#.to_owned(),
            r#"{"trnm":"REAL","data":[{"values":{"10":"1","20":"a\"b"},"type":"0B","name":"n","item":"i"}]}"#.to_owned(),
            r#"{"trnm":"REAL","data":[{"values":{"10":"1x"},"type":"0B","name":"n","item":"i"}]}"#.to_owned(),
            // An escaped key (`10`) and an escaped backslash closing a value: plain quotes,
            // but not the plain form.
            r#"{"trnm":"REAL","data":[{"values":{"1\u0030":"7","20":"a"},"type":"0B","name":"n","item":"i"}]}"#.to_owned(),
            r#"{"trnm":"REAL","data":[{"values":{"10":"7","20":"a\\"},"type":"0B","name":"n","item":"i"}]}"#.to_owned(),
        ];
        for (n, text) in frames.iter().enumerate() {
            let scanned = scan_frame::<Trade>("0B", text);
            assert_eq!(scanned.is_some(), n < 3, "{text}");
            let serde = by_serde(text);
            let body: Result<RealFrame<Trade>, _> =
                super::super::decode_body("0B", text.as_bytes());
            match (serde, body) {
                (Ok(a), Ok(b)) => {
                    assert_eq!(a, b, "{text}");
                    assert_eq!(a.data[0].extra_values, b.data[0].extra_values);
                    let json = serde_json::to_string(&b).unwrap();
                    assert_eq!(json, serde_json::to_string(&a).unwrap());
                    if n == 0 {
                        assert!(json.contains(r#""10":"+41500""#) && json.contains(r#""99":"""#));
                    }
                }
                (Err(a), Err(b)) => {
                    assert_eq!(a, b);
                    assert_eq!(b.field, "data[0].values.10");
                }
                (a, b) => panic!("{text}: serde {a:?} vs body {b:?}"),
            }
        }
    }

    /// Any `values` object, written plainly as Kiwoom does or with whitespace, escapes,
    /// control characters, a stray or missing comma, long values across the scanner's
    /// 64-byte blocks, more pairs than its buffer: whatever the scanner accepts is what
    /// `serde_json` reads (events, extra values and bytes written back), it never accepts
    /// what `serde_json` rejects, and it accepts every plain form.
    mod generated_frames {
        use super::*;
        use proptest::prelude::*;

        const KEYS: [&str; 6] = ["10", "20", "99", "7", "1234", r"1\u0030"];
        const VALUES: [&str; 13] = [
            "",
            "5",
            "-5",
            "+41500",
            "1x",
            "090000",
            r#"a\"b"#,
            r"a\\",
            "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
            "한글",
            "\u{1}",
            "\t",
            " 7 ",
        ];
        const GAPS: [&str; 4] = ["", "", " ", "\n"];

        /// Values that are not strings (`serde_json` reads a number as its text).
        const BARE: [&str; 4] = ["5", "null", "true", "{}"];

        /// One pair: key, value (now and then not a string), and the gaps before the key,
        /// around `:` and after the value.
        fn pair() -> impl Strategy<Value = String> {
            (
                0..KEYS.len(),
                0..VALUES.len() + BARE.len(),
                [0..GAPS.len(), 0..GAPS.len(), 0..GAPS.len(), 0..GAPS.len()],
            )
                .prop_map(|(k, v, g)| {
                    let value = match VALUES.get(v) {
                        Some(text) => format!(r#""{text}""#),
                        None => BARE[v - VALUES.len()].to_owned(),
                    };
                    let (key, gaps) = (KEYS[k], g.map(|g| GAPS[g]));
                    format!(
                        r#"{}"{key}"{}:{}{value}{}"#,
                        gaps[0], gaps[1], gaps[2], gaps[3]
                    )
                })
        }

        fn values() -> impl Strategy<Value = String> {
            (
                prop::collection::vec(pair(), 0..8),
                0..20usize,
                0..20usize,
                0..GAPS.len(),
            )
                .prop_map(|(pairs, odd, many, gap)| {
                    let mut text = format!("{{{}", GAPS[gap]);
                    for (i, pair) in pairs.iter().enumerate() {
                        if i > 0 {
                            // Now and then a doubled or a missing comma.
                            text.push_str(match (odd, i) {
                                (0, 1) => ",,",
                                (1, 1) => "",
                                _ => ",",
                            });
                        }
                        text.push_str(pair);
                    }
                    if many == 0 {
                        // More than the scanner's buffer holds.
                        for id in 0..PAIRS + 3 {
                            text.push_str(if pairs.is_empty() && id == 0 { "" } else { "," });
                            text.push_str(&format!(r#""{}":"{id}""#, 2000 + id));
                        }
                    }
                    if odd == 2 && !pairs.is_empty() {
                        text.push(','); // a trailing comma
                    }
                    text.push('}');
                    text
                })
        }

        /// Kiwoom's form: strings only, nothing between, nothing escaped.
        fn plain(values: &str) -> bool {
            !values.contains([' ', '\\', '\n', '\t', '\u{1}'])
                && !values.contains(",,")
                && !values.contains(":5")
                && !values.contains(":null")
                && !values.contains(":true")
                && !values.contains(":{")
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(2000))]
            #[test]
            fn scanner_agrees_with_serde(values in values(), item_len in 0..70usize, values_first: bool) {
                let item = "i".repeat(item_len);
                let text = if values_first {
                    format!(r#"{{"trnm":"REAL","data":[{{"values":{values},"type":"0B","name":"n","item":"{item}"}}]}}"#)
                } else {
                    format!(r#"{{"trnm":"REAL","data":[{{"type":"0B","name":"n","item":"{item}","values":{values}}}]}}"#)
                };
                let scanned = scan_frame::<Trade>("0B", &text);
                match (scanned, by_serde(&text)) {
                    (Some(a), Ok(b)) => {
                        prop_assert_eq!(&a, &b);
                        prop_assert_eq!(&a.data[0].extra_values, &b.data[0].extra_values);
                        prop_assert_eq!(
                            serde_json::to_string(&a).unwrap(),
                            serde_json::to_string(&b).unwrap()
                        );
                    }
                    (Some(a), Err(e)) => prop_assert!(false, "scanner accepted {text}: {a:?}; serde: {e}"),
                    (None, Ok(_)) => prop_assert!(!plain(&values), "declined a plain frame {text}"),
                    (None, Err(_)) => {}
                }
            }
        }
    }
}
