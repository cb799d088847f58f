//! Encoding back to Kiwoom's wire form: every value a string, wire key names, `None` left out.

use serde::Serialize;
use serde::ser::{SerializeMap, SerializeSeq, Serializer};

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
