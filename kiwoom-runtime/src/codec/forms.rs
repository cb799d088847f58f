//! Lossless re-encoding: the exact wire text of values whose typed form would not write
//! back the same way.
//!
//! A typed value is what a program wants (`None` for Kiwoom's `"00000000"` date, `1234` for
//! `"+0001234"`), but a record that is decoded and encoded again must not lose what the
//! server sent: a key that decoded to `None` from `""`, spaces or `00000000` must come back
//! with that text, not vanish. So the decoder keeps, per record, the raw text of each value
//! that is not in its canonical form, and the encoder writes that text back as long as the
//! field still holds the value it decoded to. Canonical values (most of them) cost nothing.

use std::fmt;

use std::borrow::Cow;

use serde::ser::SerializeMap;

use super::{Format, Wire};

/// How a kept value was written, when its typed form would write it differently.
#[derive(Clone)]
enum Kept {
    /// A positive number Kiwoom wrote with an explicit `+` (`+41500`, `+2.85`).
    Plus,
    /// Any other text: `""`, spaces, `00000000`, padding, doubled signs.
    Raw(Box<str>),
}

/// Raw wire text of a record's non-canonical values, keyed by the field's slot: its
/// position among the record's fields, fixed by the code generator.
///
/// It is presentation, not data: two records with equal fields are equal whatever their
/// wire forms, and `Debug` prints only how many forms are kept.
///
/// The two forms nearly every record has cost no allocation: a `+` on a positive number
/// (`+41500`, every up-tick price and change rate) and an empty string (`""`, a dozen per
/// realtime entry) are one bit each for the first 64 slots. Anything else, and any slot
/// past 64, goes to a list. The whole is 40 bytes: an inline buffer once made records so
/// large that the futures holding many of them overflowed a debug-build thread's stack.
#[derive(Clone, Default)]
pub struct WireForms {
    plus: u64,
    empty: u64,
    other: Vec<(u16, Kept)>,
}

/// A kept form, borrowed.
enum Form<'a> {
    Plus,
    Text(&'a str),
}

/// Bit of a slot in the masks, when it has one.
fn bit(slot: u16) -> Option<u64> {
    (slot < 64).then(|| 1u64 << slot)
}

impl WireForms {
    /// Remember `raw` as the wire text of the field in `slot`.
    pub fn keep(&mut self, slot: u16, raw: &str) {
        let plus = matches!(raw.strip_prefix('+'),
            Some(rest) if super::wire::plain_number(rest) && !rest.starts_with('-') && rest != "0");
        match bit(slot) {
            Some(bit) if plus => self.plus |= bit,
            Some(bit) if raw.is_empty() => self.empty |= bit,
            _ => self.other.push((
                slot,
                if plus {
                    Kept::Plus
                } else {
                    Kept::Raw(raw.into())
                },
            )),
        }
    }

    /// Remember that the field in `slot` was sent as `""` (what [`keep`](Self::keep) does
    /// for an empty text, without looking at it).
    #[inline]
    pub fn keep_empty(&mut self, slot: u16) {
        match bit(slot) {
            Some(bit) => self.empty |= bit,
            None => self.other.push((slot, Kept::Raw("".into()))),
        }
    }

    /// The kept form of the field in `slot`: `+` on a positive number, or the whole text.
    fn find(&self, slot: u16) -> Option<Form<'_>> {
        if let Some(bit) = bit(slot) {
            if self.plus & bit != 0 {
                return Some(Form::Plus);
            }
            if self.empty & bit != 0 {
                return Some(Form::Text(""));
            }
        }
        self.other
            .iter()
            .find(|(s, _)| *s == slot)
            .map(|(_, kept)| match kept {
                Kept::Plus => Form::Plus,
                Kept::Raw(raw) => Form::Text(raw),
            })
    }

    /// Whether a wire form is kept for the field in `slot`: `+` for an explicit plus sign,
    /// else the whole wire text.
    pub fn get(&self, slot: u16) -> Option<&str> {
        self.find(slot).map(|form| match form {
            Form::Plus => "+",
            Form::Text(text) => text,
        })
    }

    /// Forget every kept form.
    pub fn clear(&mut self) {
        self.plus = 0;
        self.empty = 0;
        self.other.clear();
    }

    pub fn is_empty(&self) -> bool {
        self.plus == 0 && self.empty == 0 && self.other.is_empty()
    }

    /// The text to write for the field in `slot` holding `value`: the kept wire text while
    /// it still decodes to `value` (for a `+` form: while the value is still positive), else
    /// `None` (write the canonical form, or nothing for `None`).
    pub fn text_for<'a, T: Wire + PartialEq>(
        &'a self,
        slot: u16,
        value: Option<&'a T>,
        format: &Format,
    ) -> Option<Cow<'a, str>> {
        self.text_of(slot, &value, format)
    }

    /// [`text_for`](Self::text_for), compiled once: the value's type only writes it and
    /// says whether a raw text decodes to it.
    pub(super) fn text_of<'a>(
        &'a self,
        slot: u16,
        value: &(dyn FormValue + 'a),
        format: &Format,
    ) -> Option<Cow<'a, str>> {
        match self.find(slot)? {
            Form::Plus => {
                let text = value.write(format)?;
                (!text.starts_with('-') && text != "0").then(|| Cow::Owned(format!("+{text}")))
            }
            Form::Text(raw) => value
                .decodes_from(raw, format)
                .then_some(Cow::Borrowed(raw)),
        }
    }

    /// How many wire forms are kept.
    fn len(&self) -> usize {
        (self.plus.count_ones() + self.empty.count_ones()) as usize + self.other.len()
    }
}

impl PartialEq for WireForms {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl fmt::Debug for WireForms {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "WireForms({})", self.len())
    }
}

/// How the decoder reads a raw value (blank and sentinels are `None`).
fn decode_raw<T: Wire>(raw: &str, format: &Format) -> Result<Option<T>, ()> {
    let trimmed = super::wire::trim(raw);
    if (trimmed.is_empty() && !T::EMPTY_IS_A_VALUE) || T::is_absent(trimmed) {
        return Ok(None);
    }
    match T::parse(trimmed, format) {
        Ok(value) => Ok(Some(value)),
        Err(_) => Err(()),
    }
}

/// What [`WireForms::text_of`] asks of a value (`Option<&T>`, `None` when absent).
pub(super) trait FormValue {
    /// The value's own wire text; `None` when absent.
    fn write(&self, format: &Format) -> Option<Cow<'_, str>>;
    /// `raw` decodes to this value (both absent counts).
    fn decodes_from(&self, raw: &str, format: &Format) -> bool;
}

impl<T: Wire + PartialEq> FormValue for Option<&T> {
    #[allow(clippy::manual_map)] // `Option::map` would be one more function per value type
    fn write(&self, format: &Format) -> Option<Cow<'_, str>> {
        match self {
            Some(value) => Some(value.write(format)),
            None => None,
        }
    }
    fn decodes_from(&self, raw: &str, format: &Format) -> bool {
        matches!(decode_raw::<T>(raw, format), Ok(decoded) if decoded.as_ref() == *self)
    }
}

/// True when the decoded value writes back exactly as `raw`.
pub(super) fn canonical<T: Wire>(raw: &str, value: Option<&T>, format: &Format) -> bool {
    match value {
        None => false,
        Some(value) => {
            raw.len() == super::wire::trim(raw).len() && T::is_canonical(raw, value, format)
        }
    }
}

impl WireForms {
    /// Write `key` (the record's field in `slot`) when present, or its kept sentinel (`""`,
    /// `00000000`) when it decoded to `None`.
    pub fn put<M: SerializeMap, T: Wire + PartialEq>(
        &self,
        map: &mut M,
        slot: u16,
        key: &str,
        value: Option<&T>,
        format: &Format,
    ) -> Result<(), M::Error> {
        if !self.is_empty() {
            if let Some(raw) = self.text_for(slot, value, format) {
                return map.serialize_entry(key, &*raw);
            }
        }
        match value {
            Some(value) => map.serialize_entry(key, &*value.write(format)),
            None => Ok(()),
        }
    }

    /// Keep `raw` as the wire text of the field in `slot` when `value` (decoded from it)
    /// would not write it back: for decoders that read the raw text themselves (realtime).
    pub fn keep_unless_canonical<T: Wire>(
        &mut self,
        slot: u16,
        raw: &str,
        value: Option<&T>,
        format: &Format,
    ) {
        if !canonical(raw, value, format) {
            self.keep(slot, raw);
        }
    }

    /// Note that the list in `slot` was sent, and empty: an empty list re-encodes only
    /// when it was.
    pub fn list_sent<T>(&mut self, slot: u16, list: &[T]) {
        if list.is_empty() {
            self.keep(slot, EMPTY_LIST);
        }
    }

    /// Write a list of rows: a non-empty one always, an empty one only when it was received.
    pub fn put_list<M: SerializeMap, R: serde::Serialize>(
        &self,
        map: &mut M,
        slot: u16,
        key: &str,
        rows: &[R],
    ) -> Result<(), M::Error> {
        if rows.is_empty() && self.get(slot) != Some(EMPTY_LIST) {
            return Ok(());
        }
        map.serialize_entry(key, rows)
    }
}

/// The marker kept for a list key that was present but empty.
pub(super) const EMPTY_LIST: &str = "[]";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::PLAIN;

    /// Slots below 64 keep `+` and `""` as bits, the rest in the list: both write back alike.
    #[test]
    fn forms_write_back_in_bit_and_list_slots() {
        for slot in [0u16, 63, 64, 200] {
            let mut forms = WireForms::default();
            forms.keep(slot, "+41500");
            forms.keep(slot + 1, "");
            forms.keep(slot + 2, "00041500");
            assert_eq!(forms.len(), 3, "slot {slot}");
            let v = 41500i64;
            assert_eq!(
                forms.text_for(slot, Some(&v), PLAIN).as_deref(),
                Some("+41500")
            );
            assert_eq!(
                forms.text_for::<i64>(slot + 1, None, PLAIN).as_deref(),
                Some("")
            );
            assert_eq!(
                forms.text_for(slot + 2, Some(&v), PLAIN).as_deref(),
                Some("00041500")
            );
            // A changed value writes its own form; a slot never kept has none.
            assert_eq!(forms.text_for(slot + 2, Some(&1i64), PLAIN), None);
            assert_eq!(forms.text_for(slot, Some(&-5i64), PLAIN), None);
            assert_eq!(forms.get(slot + 3), None);
        }
    }
}
