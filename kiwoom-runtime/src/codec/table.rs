//! Generated structs as data: a static field table per struct and one accessor, read by the
//! decoders, the encoder, `validate()` and the request reader in this module's siblings.
//!
//! A generated struct says *what* it holds ([`Table::fields`]: wire name, Rust name, format,
//! presence, length limit) and *where* (each field's [`Place`]: its offset and value type,
//! from which `slot(i)` / `view(i)` on `dyn Table` hand out a typed reference to field `i`).
//! Everything that acts on fields (decode, re-encode with the kept wire forms, validation,
//! reading a request from JSON) is written once here, against those references, instead of
//! being unrolled per field in 200,000 lines of generated code. The common value types have
//! their own variants ([`SlotMut::Int`], ...) so the hot decode path calls no virtual
//! function for them; the rest go through small `dyn` traits implemented once per value
//! type.
//!
//! Not a public API: generated code is its only caller. `#[doc(hidden)]` at the re-export.

use std::any::Any;
use std::borrow::Cow;
use std::fmt::Debug;

use chrono::NaiveDate;
use rust_decimal::Decimal;

pub use super::place::Place;
use super::wire::trim;
use super::{Extra, Format, Wire, WireError, WireForms};

/// One field of a generated struct; its index in [`Table::fields`] is its slot number.
#[derive(Debug, Clone, Copy)]
pub struct Field {
    /// Kiwoom's key (`cur_prc`) or realtime value id (`10`).
    pub wire: &'static str,
    /// The Rust field name, for errors that name it.
    pub rust: &'static str,
    pub format: Format,
    /// Requests: must be given. Responses: must be present (`presence: required`).
    pub required: bool,
    /// Requests: the documented maximum length in characters of the wire form (0 = none).
    pub max_length: u16,
    /// Where the struct keeps the value, and its type.
    pub place: Place,
    /// [`short_id`] of `wire`.
    pub short_id: u32,
}

impl Field {
    /// An optional field with no codec facts beyond its type, kept at `place`.
    pub const fn new(wire: &'static str, rust: &'static str, place: Place) -> Field {
        Field {
            wire,
            rust,
            format: Format::PLAIN,
            required: false,
            max_length: 0,
            place,
            short_id: short_id(wire.as_bytes()),
        }
    }

    /// The field's wire name is `key`. A realtime value id (one to four bytes) is compared
    /// as one integer, its [`short_id`]: the decoder looks up 40 or more per 0B entry, and
    /// a byte loop was a tenth of the entry's decode.
    #[inline(always)]
    pub fn is_named(&self, key: &str, key_id: u32) -> bool {
        self.wire.len() == key.len()
            && if key_id != 0 {
                self.short_id == key_id
            } else {
                self.wire == key
            }
    }

    /// Read `raw` into this field of the struct at `base` (`Place::set_text`, with the
    /// field's format).
    ///
    /// # Safety
    /// `base` points to the struct whose table this field is in, borrowed mutably.
    #[inline(always)]
    unsafe fn set_text_at(
        &self,
        base: *mut u8,
        raw: &str,
        mode: Mode,
        keep: Keep<'_>,
    ) -> Result<bool, WireError> {
        // SAFETY: the caller's contract is `Place::set_text`'s.
        unsafe { self.place.set_text(base, raw, &self.format, mode, keep) }
    }

    /// A field that must be given (requests) or present (responses).
    pub const fn required(self) -> Field {
        Field {
            required: true,
            ..self
        }
    }

    /// At most `max` characters on the wire (requests).
    pub const fn max(self, max: u16) -> Field {
        Field {
            max_length: max,
            ..self
        }
    }

    /// Codec facts beyond the type (scale, saturation, ...).
    pub const fn format(self, format: Format) -> Field {
        Field { format, ..self }
    }
}

/// A wire name of one to four bytes as one integer (its bytes, little-endian); 0 for any
/// other length. Two names of the same length have the same id only if they are equal.
#[inline(always)]
pub const fn short_id(wire: &[u8]) -> u32 {
    match *wire {
        [a] => a as u32,
        [a, b] => a as u32 | (b as u32) << 8,
        [a, b, c] => a as u32 | (b as u32) << 8 | (c as u32) << 16,
        [a, b, c, d] => a as u32 | (b as u32) << 8 | (c as u32) << 16 | (d as u32) << 24,
        _ => 0,
    }
}

/// A generated request, response, row or object struct, described as data.
///
/// # Safety
/// The [`Place`] of every field in [`fields`](Self::fields) describes a field of `Self`
/// (the table macros build them from the struct's own fields).
pub unsafe trait Table: 'static {
    /// The struct's name, for `Debug`.
    fn type_name(&self) -> &'static str;
    /// The fields, in slot order.
    fn fields(&self) -> &'static [Field];
    /// Decoded records: where unknown keys and kept wire forms go. Requests have none.
    fn rest(&mut self) -> Option<Rest<'_>> {
        None
    }
    /// Decoded records: the unknown keys and wire forms kept by [`rest`](Self::rest).
    fn kept(&self) -> Option<(&Extra, &WireForms)> {
        None
    }
    /// Condition-search requests: the frame's `trnm`, written first and not a field.
    fn trnm(&self) -> Option<&'static str> {
        None
    }
    /// Rows that Kiwoom sends as arrays of positional values (`row_shape: array`).
    fn array_rows(&self) -> bool {
        false
    }
    /// A value to decode into: optional fields `None`, lists empty, required fields a
    /// placeholder that decoding overwrites (or reports missing).
    fn blank() -> Self
    where
        Self: Sized;
}

impl dyn Table {
    /// Field `i` of [`fields`](Table::fields), to write into.
    pub fn slot(&mut self, i: usize) -> SlotMut<'_> {
        let place = self.fields()[i].place;
        // SAFETY: `Table`'s contract: the place describes a field of the struct behind
        // `self`, which is borrowed mutably for the result's lifetime.
        unsafe { place.slot((self as *mut dyn Table).cast::<u8>()) }
    }

    /// [`SlotMut::set_text`] of field `i`, with the field's own reader where it has one
    /// (`Place::set_text`).
    #[inline]
    pub fn set_text(
        &mut self,
        i: usize,
        raw: &str,
        mode: Mode,
        keep: Keep<'_>,
    ) -> Result<bool, WireError> {
        let field = &self.fields()[i];
        // SAFETY: as in `slot`.
        unsafe { field.set_text_at((self as *mut dyn Table).cast::<u8>(), raw, mode, keep) }
    }

    /// Field `i` of [`fields`](Table::fields), to read.
    pub fn view(&self, i: usize) -> SlotRef<'_> {
        let place = self.fields()[i].place;
        // SAFETY: as in `slot`, borrowed shared.
        unsafe { place.view((self as *const dyn Table).cast::<u8>()) }
    }
}

/// [`SlotMut::set_text`] of field `i` of a table of a known type, with the field's own
/// reader where it has one (`Place::set_text`): the realtime decoder's per-value call.
#[inline(always)]
pub fn set_text_of<T: Table>(
    table: &mut T,
    i: usize,
    raw: &str,
    mode: Mode,
    keep: Keep<'_>,
) -> Result<bool, WireError> {
    let field = &table.fields()[i];
    // SAFETY: as in `<dyn Table>::slot`.
    unsafe { field.set_text_at((table as *mut T).cast::<u8>(), raw, mode, keep) }
}

/// The unknown keys and kept wire forms of a decoded record.
pub struct Rest<'a> {
    pub extra: &'a mut Extra,
    pub forms: &'a mut WireForms,
}

/// A typed reference to one field, to write into.
pub enum SlotMut<'a> {
    Int(&'a mut Option<i64>),
    Decimal(&'a mut Option<Decimal>),
    Text(&'a mut Option<String>),
    Date(&'a mut Option<NaiveDate>),
    /// Any other optional value type.
    Opt(&'a mut dyn OptValue),
    /// A value that must be present (requests' required fields, a few response fields).
    Req(&'a mut dyn ReqValue),
    /// The envelope's `return_code`, a JSON number.
    Number(&'a mut Option<i64>),
    /// A list of rows.
    List(&'a mut dyn ListValue),
    /// An optional nested object.
    Object(&'a mut dyn ObjectValue),
    /// A list of bare values.
    Values(&'a mut dyn ValuesValue),
}

/// A typed reference to one field, to read.
pub enum SlotRef<'a> {
    Opt(&'a dyn OptValue),
    Req(&'a dyn ReqValue),
    Number(Option<i64>),
    List(&'a dyn ListValue),
    Object(&'a dyn ObjectValue),
    Values(&'a dyn ValuesValue),
}

/// How a decoder treats empty text. REST bodies honour an enum whose code is `""`;
/// realtime values and requests read from JSON never did, and still do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Record,
    Realtime,
    Json,
}

/// Where to keep a value's wire text: the record's forms and the field's slot.
pub type Keep<'a> = Option<(&'a mut WireForms, u16)>;

/// The text a value is read from (JSON trims all whitespace, Kiwoom's bodies their padding)
/// and whether it is blank: empty, unless `""` is a value of the type in a REST record.
#[inline(always)]
pub(super) fn read_text(raw: &str, mode: Mode, empty_is_a_value: bool) -> (&str, bool) {
    let trimmed = match mode {
        Mode::Json => raw.trim(),
        _ => trim(raw),
    };
    let empty_is_none = mode != Mode::Record || !empty_is_a_value;
    (trimmed, trimmed.is_empty() && empty_is_none)
}

/// Read `raw` into an optional value: blank (and the type's "no value" sentinel) is `None`,
/// text that does not parse is the reason (the value is then unchanged); the wire text is
/// kept when the typed value would not write it back.
///
/// One body for both uses: `V = Option<i64>` etc. (the common kinds, statically dispatched
/// and inlined on the decode path) and `V = dyn OptValue` (enums and the rarer types,
/// compiled once).
#[inline(always)]
pub fn set_opt<V: OptValue + ?Sized>(
    dst: &mut V,
    raw: &str,
    format: &Format,
    mode: Mode,
    keep: Keep<'_>,
) -> Result<bool, WireError> {
    // Blank in every mode but a REST record of a type with a `""` code: the dozen or more
    // `""` values of every 0B entry take this shortcut (same result as the general path).
    if raw.is_empty() && (mode != Mode::Record || !dst.empty_is_a_value()) {
        dst.clear();
        if let Some((forms, slot)) = keep {
            forms.keep_empty(slot);
        }
        return Ok(false);
    }
    let (trimmed, blank) = read_text(raw, mode, dst.empty_is_a_value());
    let (present, canonical) = if blank || dst.is_absent(trimmed) {
        dst.clear();
        (false, false)
    } else {
        // The untrimmed text is canonical when it is the trimmed one and that is.
        (
            true,
            dst.parse_from(trimmed, format)? && raw.len() == trimmed.len(),
        )
    };
    if let Some((forms, slot)) = keep {
        if !canonical {
            forms.keep(slot, raw);
        }
    }
    Ok(present)
}

/// The text to write for an optional value: its kept wire form while it still holds the
/// value decoded from it, else its canonical form; `None` writes nothing.
#[inline]
#[allow(clippy::manual_map)] // `Option::map` would be one more function per value type
pub fn text_opt<'a, T: Wire + PartialEq>(
    value: &'a Option<T>,
    format: &Format,
    forms: Option<(&'a WireForms, u16)>,
) -> Option<Cow<'a, str>> {
    if let Some((forms, slot)) = forms {
        if !forms.is_empty() {
            if let Some(raw) = forms.text_for(slot, value.as_ref(), format) {
                return Some(raw);
            }
        }
    }
    match value {
        Some(value) => Some(value.write(format)),
        None => None,
    }
}

/// An optional value of any [`Wire`] type, behind a `dyn`. Reading one is [`set_opt`];
/// the value's type only answers the questions below.
pub trait OptValue {
    /// `""` is a documented value of the type (an enum with the code `""`).
    fn empty_is_a_value(&self) -> bool;
    /// `trimmed` is the type's "no value" sentinel (`00000000` for a date).
    fn is_absent(&self, trimmed: &str) -> bool;
    /// Parse `trimmed` (not blank) into the value; on error the value is unchanged.
    /// `Ok(true)` when the value writes back exactly as `trimmed` (no wire form to keep).
    fn parse_from(&mut self, trimmed: &str, format: &Format) -> Result<bool, WireError>;
    /// The text to write (see [`text_opt`]).
    fn text<'a>(
        &'a self,
        format: &Format,
        forms: Option<(&'a WireForms, u16)>,
    ) -> Option<Cow<'a, str>>;
    /// The value, for validation; `None` when absent.
    fn checked(&self) -> Option<&dyn Checked>;
    /// Make the value absent (`null` on the wire).
    fn clear(&mut self);
    /// The value as `Debug` prints it (`Some(..)` / `None`).
    fn debug(&self) -> &dyn Debug;
    /// The same type and an equal value.
    fn same(&self, other: &dyn OptValue) -> bool;
    fn as_any(&self) -> &dyn Any;
}

impl<T: Wire + PartialEq + Debug + 'static> OptValue for Option<T> {
    fn empty_is_a_value(&self) -> bool {
        T::EMPTY_IS_A_VALUE
    }
    fn is_absent(&self, trimmed: &str) -> bool {
        T::is_absent(trimmed)
    }
    #[inline(always)]
    fn parse_from(&mut self, trimmed: &str, format: &Format) -> Result<bool, WireError> {
        let (value, canonical) = T::parse_canonical(trimmed, format)?;
        *self = Some(value);
        Ok(canonical)
    }
    fn text<'a>(
        &'a self,
        format: &Format,
        forms: Option<(&'a WireForms, u16)>,
    ) -> Option<Cow<'a, str>> {
        text_opt(self, format, forms)
    }
    fn checked(&self) -> Option<&dyn Checked> {
        match self {
            Some(value) => Some(value),
            None => None,
        }
    }
    fn clear(&mut self) {
        *self = None;
    }
    fn debug(&self) -> &dyn Debug {
        self
    }
    fn same(&self, other: &dyn OptValue) -> bool {
        other.as_any().downcast_ref::<Self>() == Some(self)
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// A value that is always there (not an `Option`), behind a `dyn`.
pub trait ReqValue {
    /// Read `raw`; `Ok(false)` (the field keeps its placeholder) when it is blank.
    fn set(
        &mut self,
        raw: &str,
        format: &Format,
        mode: Mode,
        keep: Keep<'_>,
    ) -> Result<bool, WireError>;
    fn text<'a>(&'a self, format: &Format, forms: Option<(&'a WireForms, u16)>) -> Cow<'a, str>;
    fn checked(&self) -> &dyn Checked;
    fn debug(&self) -> &dyn Debug;
    /// The same type and an equal value.
    fn same(&self, other: &dyn ReqValue) -> bool;
    fn as_any(&self) -> &dyn Any;
}

impl<T: Wire + PartialEq + Debug + 'static> ReqValue for T {
    fn set(
        &mut self,
        raw: &str,
        format: &Format,
        mode: Mode,
        keep: Keep<'_>,
    ) -> Result<bool, WireError> {
        let mut value = None;
        let present = set_opt(&mut value, raw, format, mode, keep)?;
        if let Some(value) = value {
            *self = value;
        }
        Ok(present)
    }
    fn text<'a>(&'a self, format: &Format, forms: Option<(&'a WireForms, u16)>) -> Cow<'a, str> {
        if let Some((forms, slot)) = forms {
            if let Some(raw) = forms.text_for(slot, Some(self), format) {
                return raw;
            }
        }
        self.write(format)
    }
    fn checked(&self) -> &dyn Checked {
        self
    }
    fn debug(&self) -> &dyn Debug {
        self
    }
    fn same(&self, other: &dyn ReqValue) -> bool {
        other.as_any().downcast_ref::<Self>() == Some(self)
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// What `validate()` asks of a present value.
pub trait Checked {
    fn wire(&self, format: &Format) -> Cow<'_, str>;
    fn is_unknown(&self) -> bool;
    fn invalid_reason(&self) -> Option<&'static str>;
}

impl<T: Wire> Checked for T {
    fn wire(&self, format: &Format) -> Cow<'_, str> {
        self.write(format)
    }
    fn is_unknown(&self) -> bool {
        Wire::is_unknown(self)
    }
    fn invalid_reason(&self) -> Option<&'static str> {
        Wire::invalid_reason(self)
    }
}

/// A list of rows (`Vec<R>`), behind a `dyn`.
pub trait ListValue {
    /// Append a blank row and hand it out to be decoded into.
    fn push_blank(&mut self) -> &mut dyn Table;
    fn clear(&mut self);
    fn len(&self) -> usize;
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    fn row(&self, i: usize) -> &dyn Table;
    /// Drop the rows from `len` on (a row handed out by `push_blank` that was not sent).
    fn truncate(&mut self, len: usize);
}

impl<R: Table> ListValue for Vec<R> {
    fn push_blank(&mut self) -> &mut dyn Table {
        self.push(R::blank());
        let last = self.len() - 1;
        &mut self[last]
    }
    fn clear(&mut self) {
        Vec::clear(self)
    }
    fn len(&self) -> usize {
        Vec::len(self)
    }
    fn row(&self, i: usize) -> &dyn Table {
        &self[i]
    }
    fn truncate(&mut self, len: usize) {
        Vec::truncate(self, len)
    }
}

/// An optional nested object (`Option<R>`), behind a `dyn`.
pub trait ObjectValue {
    /// Make the object present (blank) and hand it out to be decoded into.
    fn fill(&mut self) -> &mut dyn Table;
    fn clear(&mut self);
    fn get(&self) -> Option<&dyn Table>;
}

impl<R: Table> ObjectValue for Option<R> {
    fn fill(&mut self) -> &mut dyn Table {
        self.insert(R::blank())
    }
    fn clear(&mut self) {
        *self = None;
    }
    fn get(&self) -> Option<&dyn Table> {
        match self {
            Some(row) => Some(row),
            None => None,
        }
    }
}

/// A list of bare values (`Vec<T>`), behind a `dyn`.
pub trait ValuesValue {
    /// Append the value `raw` (not `null`); `Ok(false)`, nothing appended, when it is the
    /// type's "no value" (or, read from JSON, blank): a position must not vanish, so the
    /// caller refuses it.
    fn push(&mut self, raw: &str, format: &Format, mode: Mode) -> Result<bool, WireError>;
    fn clear(&mut self);
    fn len(&self) -> usize;
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    fn text(&self, i: usize, format: &Format) -> Cow<'_, str>;
    fn debug(&self) -> &dyn Debug;
    /// The same value type and equal values.
    fn same(&self, other: &dyn ValuesValue) -> bool;
    fn as_any(&self) -> &dyn Any;
}

impl<T: Wire + PartialEq + Debug + 'static> ValuesValue for Vec<T> {
    fn push(&mut self, raw: &str, format: &Format, mode: Mode) -> Result<bool, WireError> {
        // Elements of bare-value arrays keep `""` when decoded: a position must not vanish.
        let (trimmed, _) = read_text(raw, mode, false);
        if (mode == Mode::Json && trimmed.is_empty()) || T::is_absent(trimmed) {
            return Ok(false);
        }
        Vec::push(self, T::parse(trimmed, format)?);
        Ok(true)
    }
    fn clear(&mut self) {
        Vec::clear(self)
    }
    fn len(&self) -> usize {
        Vec::len(self)
    }
    fn text(&self, i: usize, format: &Format) -> Cow<'_, str> {
        self[i].write(format)
    }
    fn debug(&self) -> &dyn Debug {
        self
    }
    fn same(&self, other: &dyn ValuesValue) -> bool {
        other.as_any().downcast_ref::<Self>() == Some(self)
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

impl SlotMut<'_> {
    /// Make a scalar slot absent (`null`); a required value keeps its placeholder.
    #[inline]
    pub fn clear(self) {
        match self {
            SlotMut::Int(v) | SlotMut::Number(v) => *v = None,
            SlotMut::Decimal(v) => *v = None,
            SlotMut::Text(v) => *v = None,
            SlotMut::Date(v) => *v = None,
            SlotMut::Opt(v) => v.clear(),
            SlotMut::List(v) => v.truncate(0),
            SlotMut::Object(v) => v.clear(),
            SlotMut::Values(v) => v.clear(),
            SlotMut::Req(_) => {}
        }
    }

    /// Read a scalar text into this slot (not lists or objects); `Ok(true)` when present.
    /// Always inlined: called once per value, its call cost more than the match.
    #[inline(always)]
    pub fn set_text(
        self,
        raw: &str,
        format: &Format,
        mode: Mode,
        keep: Keep<'_>,
    ) -> Result<bool, WireError> {
        // A blank value takes `set_opt`'s shortcut (required values and codes read it
        // through `set_opt` or `read_code`, with the same result).
        match self {
            SlotMut::Int(v) => set_opt(v, raw, format, mode, keep),
            SlotMut::Decimal(v) => set_opt(v, raw, format, mode, keep),
            SlotMut::Text(v) => set_opt(v, raw, format, mode, keep),
            SlotMut::Date(v) => set_opt(v, raw, format, mode, keep),
            SlotMut::Opt(v) => set_opt(v, raw, format, mode, keep),
            SlotMut::Req(v) => v.set(raw, format, mode, keep),
            SlotMut::Number(v) => set_opt(v, raw, format, mode, None),
            SlotMut::List(_) | SlotMut::Object(_) | SlotMut::Values(_) => {
                Err("expected a list or object, found a value".into())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// A field named `wire` (its place is never used here).
    fn named(wire: &'static str) -> Field {
        struct Row {
            value: Option<i64>,
        }
        Field::new(wire, "value", crate::__table_place!(Int, Row, value))
    }

    #[test]
    fn value_ids_match_exactly() {
        let ids = [
            "", "1", "10", "01", "1\0", "\0", "9081", "9018", "90810", "290", "2900", "가",
        ];
        for wire in ids {
            let field = named(wire);
            for key in ids {
                assert_eq!(
                    field.is_named(key, short_id(key.as_bytes())),
                    wire == key,
                    "{wire:?} {key:?}"
                );
            }
        }
    }

    /// `set_opt`'s shortcut for `""` gives what the general path gives a blank text (`" "`
    /// takes that path): absent, the value cleared, `""` kept to write back.
    #[test]
    fn an_empty_text_reads_as_a_blank_one() {
        use crate::codec::Directed;
        fn check<T: Wire + PartialEq + Debug + Clone + 'static>(start: T) {
            for mode in [Mode::Record, Mode::Realtime, Mode::Json] {
                let mut results = Vec::new();
                for raw in ["", " "] {
                    let mut value = Some(start.clone());
                    let mut forms = WireForms::default();
                    let present =
                        set_opt(&mut value, raw, &Format::PLAIN, mode, Some((&mut forms, 3)));
                    let text = text_opt(&value, &Format::PLAIN, Some((&forms, 3)));
                    results.push((present.ok(), value.is_none(), text.map(|t| t.into_owned())));
                }
                // Absent and cleared either way; `""` writes back as `""`.
                assert_eq!(results[0].0, Some(false), "{mode:?}");
                assert!(results[0].1, "{mode:?}");
                assert_eq!(results[0].0, results[1].0, "{mode:?}");
                assert_eq!(results[0].1, results[1].1, "{mode:?}");
                assert_eq!(results[0].2.as_deref(), Some(""), "{mode:?}");
            }
        }
        check(5i64);
        check(Directed::<i64>::parse("-5", &Format::PLAIN).unwrap());
        check(String::from("x"));
    }

    proptest! {
        #[test]
        fn any_two_names(wire in "[0-9a-z\0]{0,6}", key in "[0-9a-z\0]{0,6}") {
            let field = named(Box::leak(wire.clone().into_boxed_str()));
            prop_assert_eq!(field.is_named(&key, short_id(key.as_bytes())), wire == key);
        }
    }
}
