//! [`RealValues`]: the values of one REAL entry, as received, in two allocations.

use std::fmt;
use std::ops::Index;

use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, Serializer};

/// The `values` of a REAL entry: numeric field id (`"10"` = current price) to raw text, in
/// the order Kiwoom sent them.
///
/// A 0B entry carries some 45 values. Held as a map, each cost two allocations and a tree
/// node before the typed decode read them back; here the ids and values are one string
/// and their ends one vector, so the session keeps an entry in two allocations, and the
/// typed decode walks the values in wire order, the order its field table expects.
///
/// ```
/// use kiwoom_runtime::RealValues;
/// let values: RealValues = [("10", "-20800"), ("15", "+82")].into_iter().collect();
/// assert_eq!(values.get("10"), Some("-20800"));
/// assert_eq!(&values["15"], "+82");
/// assert_eq!(values.iter().map(|(id, _)| id).collect::<Vec<_>>(), ["10", "15"]);
/// ```
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct RealValues {
    /// Every id and value, one after the other.
    text: String,
    /// Where each id and each value of `text` ends: ids at even positions.
    ends: Vec<usize>,
}

impl RealValues {
    pub fn new() -> Self {
        Self::default()
    }

    /// Room for `pairs` values holding `bytes` bytes of ids and values together.
    pub fn with_capacity(pairs: usize, bytes: usize) -> Self {
        RealValues {
            text: String::with_capacity(bytes),
            ends: Vec::with_capacity(pairs * 2),
        }
    }

    /// How many values (an id sent twice counts twice).
    pub fn len(&self) -> usize {
        self.ends.len() / 2
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// The value of `id`; the last one when Kiwoom sent the id twice.
    pub fn get(&self, id: &str) -> Option<&str> {
        self.iter().rev().find(|(k, _)| *k == id).map(|(_, v)| v)
    }

    pub fn contains_key(&self, id: &str) -> bool {
        self.iter().any(|(k, _)| k == id)
    }

    /// Each id and value, in the order received.
    pub fn iter(&self) -> Iter<'_> {
        Iter {
            values: self,
            front: 0,
            back: self.len(),
        }
    }

    /// Each id, in the order received.
    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &str> + '_ {
        self.iter().map(|(id, _)| id)
    }

    /// Append a value as received, even when its id is already there (see [`get`](Self::get)).
    pub fn push(&mut self, id: &str, value: &str) {
        self.text.push_str(id);
        self.ends.push(self.text.len());
        self.text.push_str(value);
        self.ends.push(self.text.len());
    }

    /// Set the value of `id`, as a map would: an id already there gets the new value (every
    /// earlier one dropped), a new id is appended.
    pub fn insert(&mut self, id: &str, value: &str) {
        if !self.contains_key(id) {
            return self.push(id, value);
        }
        let mut rebuilt = RealValues::with_capacity(self.len(), self.text.len() + value.len());
        let mut set = false;
        for (k, v) in self.iter().rev() {
            if k != id {
                rebuilt.push(k, v);
            } else if !set {
                rebuilt.push(k, value);
                set = true;
            }
        }
        // Built back to front: put the pairs back in wire order (the last `id` keeps its
        // position).
        let mut out = RealValues::with_capacity(rebuilt.len(), rebuilt.text.len());
        for (k, v) in rebuilt.iter().rev() {
            out.push(k, v);
        }
        *self = out;
    }

    /// Piece `k` of `text` (ids at even `k`).
    #[inline]
    fn piece(&self, k: usize) -> &str {
        let start = if k == 0 { 0 } else { self.ends[k - 1] };
        &self.text[start..self.ends[k]]
    }
}

/// The ids and values of a [`RealValues`], in the order received.
#[derive(Clone)]
pub struct Iter<'a> {
    values: &'a RealValues,
    front: usize,
    back: usize,
}

impl<'a> Iterator for Iter<'a> {
    type Item = (&'a str, &'a str);
    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        if self.front == self.back {
            return None;
        }
        let k = self.front * 2;
        self.front += 1;
        Some((self.values.piece(k), self.values.piece(k + 1)))
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.back - self.front;
        (n, Some(n))
    }
}

impl DoubleEndedIterator for Iter<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        if self.front == self.back {
            return None;
        }
        self.back -= 1;
        let k = self.back * 2;
        Some((self.values.piece(k), self.values.piece(k + 1)))
    }
}

impl ExactSizeIterator for Iter<'_> {}

impl<'a> IntoIterator for &'a RealValues {
    type Item = (&'a str, &'a str);
    type IntoIter = Iter<'a>;
    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}

/// Owned ids and values, in the order received (each copied out of the shared text).
impl IntoIterator for RealValues {
    type Item = (String, String);
    type IntoIter = std::vec::IntoIter<(String, String)>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
            .map(|(id, value)| (id.to_owned(), value.to_owned()))
            .collect::<Vec<_>>()
            .into_iter()
    }
}

/// `values["10"]`: the value of an id that must be there (panics otherwise, like a map).
impl Index<&str> for RealValues {
    type Output = str;
    fn index(&self, id: &str) -> &str {
        self.get(id)
            .unwrap_or_else(|| panic!("no value with id {id:?} in this realtime entry"))
    }
}

/// Map-like: an id given twice keeps the last value (see [`RealValues::insert`]).
impl<K: AsRef<str>, V: AsRef<str>> FromIterator<(K, V)> for RealValues {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        let mut out = RealValues::new();
        for (id, value) in iter {
            out.insert(id.as_ref(), value.as_ref());
        }
        out
    }
}

/// Map-like, as [`RealValues::insert`].
impl<K: AsRef<str>, V: AsRef<str>> Extend<(K, V)> for RealValues {
    fn extend<I: IntoIterator<Item = (K, V)>>(&mut self, iter: I) {
        for (id, value) in iter {
            self.insert(id.as_ref(), value.as_ref());
        }
    }
}

impl fmt::Debug for RealValues {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

/// A JSON object of the values, in the order received.
impl Serialize for RealValues {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.len()))?;
        for (id, value) in self {
            map.serialize_entry(id, value)?;
        }
        map.end()
    }
}

/// A JSON object of string values, kept in its order (a repeated id kept as sent).
impl<'de> Deserialize<'de> for RealValues {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ValuesVisitor;
        impl<'de> Visitor<'de> for ValuesVisitor {
            type Value = RealValues;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object of realtime values")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RealValues, A::Error> {
                let mut out = RealValues::new();
                while let Some((id, value)) = map.next_entry::<String, String>()? {
                    out.push(&id, &value);
                }
                Ok(out)
            }
        }
        deserializer.deserialize_map(ValuesVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_keep_wire_order_and_read_like_a_map() {
        let mut v = RealValues::new();
        v.push("20", "165208");
        v.push("10", "-20800");
        v.push("851", "");
        v.push("10", "-20900");
        assert_eq!(v.len(), 4);
        assert_eq!(v.get("10"), Some("-20900"), "the last one sent");
        assert_eq!(v.get("851"), Some(""));
        assert_eq!(v.get("9"), None);
        assert_eq!(&v["20"], "165208");
        assert_eq!(
            v.keys().collect::<Vec<_>>(),
            ["20", "10", "851", "10"],
            "as received"
        );
        assert_eq!(v.iter().next_back(), Some(("10", "-20900")));
        let json = serde_json::to_string(&v).unwrap();
        assert_eq!(
            json,
            r#"{"20":"165208","10":"-20800","851":"","10":"-20900"}"#
        );
        let back: RealValues = serde_json::from_str(&json).unwrap();
        assert_eq!(back, v);
        assert_eq!(
            format!("{v:?}"),
            r#"{"20": "165208", "10": "-20800", "851": "", "10": "-20900"}"#
        );
    }

    #[test]
    fn insert_replaces_like_a_map() {
        let mut v: RealValues = [("20", "1"), ("10", "2"), ("20", "3")]
            .into_iter()
            .collect();
        assert_eq!(v.iter().collect::<Vec<_>>(), [("20", "3"), ("10", "2")]);
        v.push("10", "4");
        v.insert("10", "5");
        assert_eq!(v.iter().collect::<Vec<_>>(), [("20", "3"), ("10", "5")]);
        v.extend([("9", ""), ("20", "6")]);
        assert_eq!(v.len(), 3);
        assert_eq!(v.get("20"), Some("6"));
        let owned: Vec<(String, String)> = v.clone().into_iter().collect();
        assert_eq!(owned[0], ("20".to_owned(), "6".to_owned()));
        assert!(v.contains_key("9") && !v.is_empty());
        assert!(serde_json::from_str::<RealValues>(r#"{"10":1}"#).is_err());
    }
}
