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
    /// A positive number Kiwoom wrote with an explicit `+` (`+41500`, `+2.85`): the most
    /// common case, kept without copying the text.
    Plus,
    /// Any other text: `""`, spaces, `00000000`, padding, doubled signs.
    Raw(Box<str>),
}

/// Raw wire text of a record's non-canonical values, keyed by wire name.
///
/// It is presentation, not data: two records with equal fields are equal whatever their
/// wire forms, and `Debug` prints only how many forms are kept.
#[derive(Clone, Default)]
// A plain `Vec` (24 bytes, no allocation until a form is kept): an inline buffer would grow
// every record, and the futures that hold many of them (the registry's `call_json`)
// overflowed the 2 MiB stack of a debug-build thread.
pub struct WireForms(Vec<(&'static str, Kept)>);

impl WireForms {
    /// Remember `raw` as the wire text of `key`.
    pub fn keep(&mut self, key: &'static str, raw: &str) {
        let kept = match raw.strip_prefix('+') {
            Some(rest)
                if super::wire::plain_number(rest) && !rest.starts_with('-') && rest != "0" =>
            {
                Kept::Plus
            }
            _ => Kept::Raw(raw.into()),
        };
        if self.0.is_empty() {
            // A chart row keeps one or two forms, a realtime entry a dozen empty values.
            self.0.reserve(4);
        }
        self.0.push((key, kept));
    }

    fn find(&self, key: &str) -> Option<&Kept> {
        self.0
            .iter()
            .find(|(k, _)| std::ptr::eq(*k, key) || *k == key)
            .map(|(_, kept)| kept)
    }

    /// Whether a wire form is kept for `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.find(key).map(|kept| match kept {
            Kept::Plus => "+",
            Kept::Raw(raw) => &**raw,
        })
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The text to write for `key` holding `value`: the kept wire text while it still
    /// decodes to `value` (for a `+` form: while the value is still positive), else `None`
    /// (write the canonical form, or nothing for `None`).
    pub fn text_for<'a, T: Wire + PartialEq>(
        &'a self,
        key: &str,
        value: Option<&'a T>,
        format: &Format,
    ) -> Option<Cow<'a, str>> {
        match (self.find(key)?, value) {
            (Kept::Plus, Some(value)) => {
                let text = value.write(format);
                (!text.starts_with('-') && text != "0").then(|| Cow::Owned(format!("+{text}")))
            }
            (Kept::Plus, None) => None,
            (Kept::Raw(raw), value) => match (value, decode_raw::<T>(raw, format)) {
                (None, Ok(None)) => Some(Cow::Borrowed(&**raw)),
                (Some(value), Ok(Some(decoded))) if *value == decoded => {
                    Some(Cow::Borrowed(&**raw))
                }
                _ => None,
            },
        }
    }
}

impl PartialEq for WireForms {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl fmt::Debug for WireForms {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "WireForms({})", self.0.len())
    }
}

/// How the decoder reads a raw value (blank and sentinels are `None`).
fn decode_raw<T: Wire>(raw: &str, format: &Format) -> Result<Option<T>, ()> {
    let trimmed = raw.trim();
    if (trimmed.is_empty() && !T::EMPTY_IS_A_VALUE) || T::is_absent(trimmed) {
        return Ok(None);
    }
    T::parse(trimmed, format).map(Some).map_err(|_| ())
}

/// True when the decoded value writes back exactly as `raw`.
pub(super) fn canonical<T: Wire>(raw: &str, value: Option<&T>, format: &Format) -> bool {
    match value {
        None => false,
        Some(value) => raw.len() == raw.trim().len() && T::is_canonical(raw, value, format),
    }
}

/// Write `key` when present, or its kept sentinel (`""`, `00000000`) when it decoded to `None`.
pub fn put_kept<M: SerializeMap, T: Wire + PartialEq>(
    map: &mut M,
    forms: &WireForms,
    key: &str,
    value: Option<&T>,
    format: &Format,
) -> Result<(), M::Error> {
    if !forms.is_empty() {
        if let Some(raw) = forms.text_for(key, value, format) {
            return map.serialize_entry(key, &*raw);
        }
    }
    match value {
        Some(value) => map.serialize_entry(key, &*value.write(format)),
        None => Ok(()),
    }
}

/// Keep `raw` as the wire text of `key` when `value` (decoded from it) would not write it
/// back: for decoders that read the raw text themselves (realtime values).
pub fn keep_form<T: Wire>(
    forms: &mut WireForms,
    key: &'static str,
    raw: &str,
    value: Option<&T>,
    format: &Format,
) {
    if !canonical(raw, value, format) {
        forms.keep(key, raw);
    }
}

/// The marker kept for a list key that was present but empty.
const EMPTY_LIST: &str = "[]";

/// Note that list `key` was sent, and empty: an empty list re-encodes only when it was.
pub fn keep_empty_list<T>(forms: &mut WireForms, key: &'static str, list: &[T]) {
    if list.is_empty() {
        forms.keep(key, EMPTY_LIST);
    }
}

/// Write a list of rows: a non-empty one always, an empty one only when it was received.
pub fn put_list_kept<M: SerializeMap, R: serde::Serialize>(
    map: &mut M,
    forms: &WireForms,
    key: &str,
    rows: &[R],
) -> Result<(), M::Error> {
    if rows.is_empty() && forms.get(key) != Some(EMPTY_LIST) {
        return Ok(());
    }
    map.serialize_entry(key, rows)
}
