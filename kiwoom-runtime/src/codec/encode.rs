//! Encoding back to Kiwoom's wire form: every value a string, wire key names, `None` left out.

use serde::Serialize;
use serde::ser::{SerializeMap, SerializeSeq, Serializer};

use super::decode::slot_no;
use super::table::{ListValue, SlotRef, Table, ValuesValue};
use super::{Extra, Format, Wire};

/// Write `key: "<wire form>"`.
pub fn put<M: SerializeMap, T: Wire>(
    map: &mut M,
    key: &str,
    value: &T,
    format: &Format,
) -> Result<(), M::Error> {
    map.serialize_entry(key, &*value.write(format))
}

/// Write `key: "<wire form>"` when the value is present.
pub fn put_opt<M: SerializeMap, T: Wire>(
    map: &mut M,
    key: &str,
    value: &Option<T>,
    format: &Format,
) -> Result<(), M::Error> {
    match value {
        Some(value) => put(map, key, value, format),
        None => Ok(()),
    }
}

/// Write a JSON number (the envelope's `return_code` is the one value Kiwoom sends as one).
pub fn put_number<M: SerializeMap>(
    map: &mut M,
    key: &str,
    value: Option<i64>,
) -> Result<(), M::Error> {
    match value {
        Some(value) => map.serialize_entry(key, &value),
        None => Ok(()),
    }
}

/// Write a list of rows.
pub fn put_list<M: SerializeMap, R: Serialize>(
    map: &mut M,
    key: &str,
    rows: &[R],
) -> Result<(), M::Error> {
    map.serialize_entry(key, rows)
}

/// Write a nested object when present.
pub fn put_object<M: SerializeMap, R: Serialize>(
    map: &mut M,
    key: &str,
    value: Option<&R>,
) -> Result<(), M::Error> {
    match value {
        Some(value) => map.serialize_entry(key, value),
        None => Ok(()),
    }
}

/// Write an array of bare values.
pub fn put_scalar_list<M: SerializeMap, T: Wire>(
    map: &mut M,
    key: &str,
    values: &[T],
    format: &Format,
) -> Result<(), M::Error> {
    map.serialize_entry(key, &ScalarList { values, format })
}

/// Write back the keys the spec does not list.
pub fn put_extra<M: SerializeMap>(map: &mut M, extra: &Extra) -> Result<(), M::Error> {
    extra
        .iter()
        .try_for_each(|(key, value)| map.serialize_entry(key, value))
}

/// Write one position of an array row (`""` for an absent value keeps later positions).
pub fn push<S: SerializeSeq, T: Wire>(
    seq: &mut S,
    value: Option<&T>,
    format: &Format,
) -> Result<(), S::Error> {
    match value {
        Some(value) => seq.serialize_element(&*value.write(format)),
        None => seq.serialize_element(""),
    }
}

/// Write back the positions of an array row beyond the documented ones.
pub fn push_extra<S: SerializeSeq>(seq: &mut S, extra: &Extra) -> Result<(), S::Error> {
    let mut rest: Vec<(usize, &serde_json::Value)> = extra
        .iter()
        .filter_map(|(key, value)| key.parse().ok().map(|index| (index, value)))
        .collect();
    rest.sort_by_key(|(index, _)| *index);
    rest.into_iter()
        .try_for_each(|(_, value)| seq.serialize_element(value))
}

struct ScalarList<'a, T> {
    values: &'a [T],
    format: &'a Format,
}

impl<T: Wire> Serialize for ScalarList<'_, T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.values.iter().map(|value| value.write(self.format)))
    }
}

/// `Serialize` of a generated struct, from its field table: wire names, values in wire
/// form (a decoded record writes each kept wire form back while the field still holds the
/// value decoded from it), absent values left out, unknown keys written back last.
pub fn serialize_table<S: Serializer>(table: &dyn Table, serializer: S) -> Result<S::Ok, S::Error> {
    if table.array_rows() {
        return serialize_row(table, serializer);
    }
    let (extra, forms) = match table.kept() {
        Some((extra, forms)) => (Some(extra), Some(forms)),
        None => (None, None),
    };
    let mut map = serializer.serialize_map(None)?;
    if let Some(trnm) = table.trnm() {
        map.serialize_entry("trnm", trnm)?;
    }
    for (i, field) in table.fields().iter().enumerate() {
        let wire = field.wire;
        let kept = forms.map(|forms| (forms, slot_no(i)));
        match table.view(i) {
            SlotRef::Opt(value) => {
                if let Some(text) = value.text(&field.format, kept) {
                    map.serialize_entry(wire, &*text)?;
                }
            }
            SlotRef::Req(value) => map.serialize_entry(wire, &*value.text(&field.format, kept))?,
            SlotRef::Number(value) => put_number(&mut map, wire, value)?,
            SlotRef::List(rows) => {
                // An empty list is written only when it was received (decoded records).
                let sent = kept.is_some_and(|(forms, slot)| forms.get(slot).is_some());
                if !rows.is_empty() || sent || forms.is_none() {
                    map.serialize_entry(wire, &Rows(rows))?;
                }
            }
            SlotRef::Object(object) => {
                if let Some(object) = object.get() {
                    map.serialize_entry(wire, &TableRef(object))?;
                }
            }
            SlotRef::Values(values) => {
                let sent = kept.is_some_and(|(forms, slot)| forms.get(slot).is_some());
                if !values.is_empty() || sent || forms.is_none() {
                    map.serialize_entry(
                        wire,
                        &ValueList {
                            values,
                            format: &field.format,
                        },
                    )?;
                }
            }
        }
    }
    if let Some(extra) = extra {
        put_extra(&mut map, extra)?;
    }
    map.end()
}

/// An array-shaped row: every position in order (`""` for an absent value keeps the later
/// positions), then the positions beyond the documented ones.
fn serialize_row<S: Serializer>(table: &dyn Table, serializer: S) -> Result<S::Ok, S::Error> {
    let mut seq = serializer.serialize_seq(None)?;
    for (i, field) in table.fields().iter().enumerate() {
        match table.view(i) {
            SlotRef::Opt(value) => {
                seq.serialize_element(&*value.text(&field.format, None).unwrap_or_default())?
            }
            SlotRef::Req(value) => seq.serialize_element(&*value.text(&field.format, None))?,
            SlotRef::Number(value) => match value {
                Some(value) => seq.serialize_element(&*value.to_string())?,
                None => seq.serialize_element("")?,
            },
            SlotRef::List(_) | SlotRef::Object(_) | SlotRef::Values(_) => {
                seq.serialize_element("")?
            }
        }
    }
    if let Some((extra, _)) = table.kept() {
        push_extra(&mut seq, extra)?;
    }
    seq.end()
}

/// A nested record, serialized through its table.
/// A generated struct written as JSON into `out` (a request's body).
#[doc(hidden)]
pub fn write_table_json(table: &dyn Table, out: &mut Vec<u8>) -> Result<(), serde_json::Error> {
    serde_json::to_writer(out, &TableRef(table))
}

struct TableRef<'a>(&'a dyn Table);

impl Serialize for TableRef<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serialize_table(self.0, serializer)
    }
}

struct Rows<'a>(&'a dyn ListValue);

impl Serialize for Rows<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq((0..self.0.len()).map(|i| TableRef(self.0.row(i))))
    }
}

struct ValueList<'a> {
    values: &'a dyn ValuesValue,
    format: &'a Format,
}

impl Serialize for ValueList<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq((0..self.values.len()).map(|i| self.values.text(i, self.format)))
    }
}
