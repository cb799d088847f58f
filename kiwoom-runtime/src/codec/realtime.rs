//! REAL frames: `{"trnm":"REAL","data":[{"type":"0B","name":..,"item":..,"values":{"10":..}}]}`.
//!
//! Kiwoom writes `values` before `type` inside an entry, so an entry is first read into a
//! borrowed [`RawEntry`] and only then turned into the typed event for its type.

use std::borrow::Cow;
use std::cell::Cell;
use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

use serde::Serialize;
use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde::ser::{SerializeMap, Serializer};

use super::decode::{Ctx, Extra, Record, decode_body, field, next_key, put_extra_value};
use super::encode::{put_extra, put_opt};
use super::{Format, Wire};
use crate::{DecodeError, RealItem, TrResponse};

/// One entry of a REAL frame's `data`, borrowed from the input where possible.
#[derive(Debug, Default)]
pub struct RawEntry<'a> {
    pub kind: Cow<'a, str>,
    pub name: Cow<'a, str>,
    pub item: Cow<'a, str>,
    /// `values` in wire order: numeric id and raw value.
    pub values: Vec<(Cow<'a, str>, Cow<'a, str>)>,
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
            values: item
                .values
                .iter()
                .map(|(k, v)| (Cow::Borrowed(k.as_str()), Cow::Borrowed(v.as_str())))
                .collect(),
            extra: item.extra.clone(),
        }
    }
}

/// A typed realtime event: generated code implements it for `RealtimeEvent`.
pub trait RealEntry: Sized {
    fn from_entry(entry: RawEntry<'_>, ctx: &Ctx<'_>) -> Result<Self, DecodeError>;
}

/// Decode an entry that the runtime's WebSocket session already parsed.
pub fn decode_real_item<E: RealEntry>(item: &RealItem) -> Result<E, DecodeError> {
    let failure = Cell::new(None);
    let ctx = Ctx::root(&item.kind, &failure);
    E::from_entry(RawEntry::from_item(item), &ctx)
}

/// Parse one realtime value; empty is `None`, garbage is an error naming the id.
pub fn real_value<T: Wire>(
    ctx: &Ctx<'_>,
    id: &str,
    raw: &str,
    format: &Format,
) -> Result<Option<T>, DecodeError> {
    let trimmed = super::wire::trim(raw);
    if trimmed.is_empty() || T::is_absent(trimmed) {
        return Ok(None);
    }
    T::parse(trimmed, format)
        .map(Some)
        .map_err(|reason| ctx.key(id).error(raw, reason))
}

impl super::WireForms {
    /// Decode realtime value `id` (the event's field in `slot`) like [`real_value`],
    /// keeping its wire text when the typed value would not write it back.
    pub fn real_value<T: Wire>(
        &mut self,
        ctx: &Ctx<'_>,
        slot: u16,
        id: &str,
        raw: &str,
        format: &Format,
    ) -> Result<Option<T>, DecodeError> {
        let value = real_value(ctx, id, raw, format)?;
        self.keep_unless_canonical(slot, raw, value.as_ref(), format);
        Ok(value)
    }
}

/// The number of a realtime value id (`"10"` -> 10) for the generated decoders to match on;
/// `None` for anything that is not a plain number (`"010"`, `"x"`), which then lands in
/// the entry's extra values under its own text.
#[inline]
pub fn realtime_id(id: &str) -> Option<u32> {
    let bytes = id.as_bytes();
    if bytes.is_empty() || bytes.len() > 9 || (bytes[0] == b'0' && bytes.len() > 1) {
        return None;
    }
    let mut n = 0u32;
    for &b in bytes {
        if !b.is_ascii_digit() {
            return None;
        }
        n = n * 10 + u32::from(b - b'0');
    }
    Some(n)
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

impl<E: RealEntry> Record for RealFrame<E> {
    fn decode_map<'de, A: MapAccess<'de>>(mut map: A, ctx: &Ctx<'_>) -> Result<Self, A::Error> {
        let mut frame = RealFrame {
            trnm: None,
            data: Vec::new(),
            extra: Extra::new(),
        };
        while let Some(key) = next_key(&mut map)? {
            match &*key {
                "trnm" => frame.trnm = field(&mut map, ctx, "trnm", &Format::PLAIN)?,
                "data" => {
                    frame.data = map.next_value_seed(EntriesSeed::<E> {
                        ctx: &ctx.key("data"),
                        marker: PhantomData,
                    })?
                }
                _ => put_extra_value(&mut map, &mut frame.extra, key)?,
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
        decode_body(api_id, body)
    }
}

/// Values of one typed entry, ready to serialize as the `values` object.
#[derive(Default)]
pub struct RealValues<'a>(Vec<(&'a str, Cow<'a, str>)>);

impl<'a> RealValues<'a> {
    pub fn put<T: Wire>(&mut self, id: &'a str, value: &'a Option<T>, format: &Format) {
        if let Some(value) = value {
            self.0.push((id, value.write(format)));
        }
    }

    /// Like [`put`](Self::put), but writes the kept wire text (`""`, `+82`) while the value
    /// is still the one decoded from it, so a decoded entry re-encodes as it came.
    pub fn put_kept<T: Wire + PartialEq>(
        &mut self,
        forms: &'a super::WireForms,
        slot: u16,
        id: &'a str,
        value: &'a Option<T>,
        format: &Format,
    ) {
        match forms.text_for(slot, value.as_ref(), format) {
            Some(raw) => self.0.push((id, raw)),
            None => self.put(id, value, format),
        }
    }

    /// Values whose id the spec does not list.
    pub fn extend(&mut self, extra: &'a BTreeMap<String, String>) {
        self.0.extend(
            extra
                .iter()
                .map(|(k, v)| (k.as_str(), Cow::Borrowed(v.as_str()))),
        );
    }
}

impl Serialize for RealValues<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.iter().map(|(k, v)| (*k, &**v)))
    }
}

/// Serialize one typed entry in the wire shape.
pub fn serialize_real_entry<S: Serializer>(
    serializer: S,
    kind: &str,
    name: &str,
    item: &str,
    values: &RealValues<'_>,
    extra: &Extra,
) -> Result<S::Ok, S::Error> {
    let mut map = serializer.serialize_map(None)?;
    map.serialize_entry("values", values)?;
    map.serialize_entry("type", kind)?;
    map.serialize_entry("name", name)?;
    map.serialize_entry("item", item)?;
    put_extra(&mut map, extra)?;
    map.end()
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
        while let Some(key) = next_key(&mut map)? {
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
                    entry.values = map.next_value_seed(ValuesSeed {
                        ctx: &self.ctx.key("values"),
                    })?
                }
                _ => put_extra_value(&mut map, &mut entry.extra, key)?,
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
        while let Some(key) = next_key(&mut map)? {
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
