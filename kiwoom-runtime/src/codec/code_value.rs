//! Fields of a generated enum type (`Option<Enum>` and required `Enum`) seen through the
//! enum's code table.
//!
//! An enum's wire form is its code, so everything the codec does with such a field (read
//! it, say whether the text was canonical, write it back with its kept wire form, compare
//! two of them) needs of the enum only `from_code` and its position in the code table.
//! [`CodeOpt`] and [`CodeReq`] are the fields' [`OptValue`] / [`ReqValue`] for the 242
//! enums: each method reads or writes the code and hands it to a function compiled once.
//! Through the generic impls for any [`Wire`](super::Wire) type, each enum compiled about
//! fifteen functions of its own (parsing, canonical form, kept forms, equality), a fifth
//! of the generated crate's LLVM IR.

use std::any::Any;
use std::borrow::Cow;
use std::fmt::Debug;

use super::enum_table::CodeTable;
use super::forms::FormValue;
use super::table::{Checked, Keep, Mode, OptValue, ReqValue, read_text};
use super::wire::trim;
use super::{Format, PLAIN, UnknownValue, Wire, WireError, WireForms};

/// An optional enum field, as the codec sees it (same layout as `Option<E>`).
#[repr(transparent)]
pub(super) struct CodeOpt<E>(Option<E>);

/// A required enum field, as the codec sees it (same layout as `E`).
#[repr(transparent)]
pub(super) struct CodeReq<E>(E);

/// What the place of an enum field casts to. The casts are sound: both wrappers are
/// `repr(transparent)` over the field's type.
pub(super) fn code_opt_of<E: CodeTable + Wire + Debug>(p: *mut u8) -> *mut dyn OptValue {
    p.cast::<CodeOpt<E>>()
}
pub(super) fn code_req_of<E: CodeTable + Wire + Debug>(p: *mut u8) -> *mut dyn ReqValue {
    p.cast::<CodeReq<E>>()
}

/// A value's position in its code table, or the unknown code it kept: equal keys are
/// equal values (what the enums' derived `PartialEq` says).
type Key<'a> = Result<usize, &'a UnknownValue>;

// `match`, not `Option::map`: that would be one more function per enum.
#[allow(clippy::manual_map)]
impl<E: CodeTable> CodeOpt<E> {
    fn code(&self) -> Option<&str> {
        match &self.0 {
            Some(value) => Some(value.code()),
            None => None,
        }
    }
    fn key(&self) -> Option<Key<'_>> {
        match &self.0 {
            Some(value) => Some(value.index()),
            None => None,
        }
    }
}

impl<E: CodeTable + Wire + Debug> OptValue for CodeOpt<E> {
    fn empty_is_a_value(&self) -> bool {
        E::EMPTY_IS_A_VALUE
    }
    fn is_absent(&self, _: &str) -> bool {
        false
    }
    fn parse_from(&mut self, trimmed: &str, _: &Format) -> Result<bool, WireError> {
        self.0 = Some(E::from_code(trimmed));
        Ok(self.code() == Some(trimmed))
    }
    fn text<'a>(&'a self, _: &Format, forms: Option<(&'a WireForms, u16)>) -> Option<Cow<'a, str>> {
        code_text(self.code(), E::EMPTY_IS_A_VALUE, forms)
    }
    fn checked(&self) -> Option<&dyn Checked> {
        match &self.0 {
            Some(value) => Some(value),
            None => None,
        }
    }
    fn clear(&mut self) {
        self.0 = None;
    }
    fn debug(&self) -> &dyn Debug {
        &self.0
    }
    fn same(&self, other: &dyn OptValue) -> bool {
        match other.as_any().downcast_ref::<Self>() {
            Some(other) => self.key() == other.key(),
            None => false,
        }
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

impl<E: CodeTable + Wire + Debug> ReqValue for CodeReq<E> {
    fn set(
        &mut self,
        raw: &str,
        _: &Format,
        mode: Mode,
        keep: Keep<'_>,
    ) -> Result<bool, WireError> {
        match read_code(raw, mode, E::EMPTY_IS_A_VALUE, keep) {
            Some(code) => {
                self.0 = E::from_code(code);
                Ok(true)
            }
            None => Ok(false),
        }
    }
    fn text<'a>(&'a self, _: &Format, forms: Option<(&'a WireForms, u16)>) -> Cow<'a, str> {
        match code_text(Some(self.0.code()), E::EMPTY_IS_A_VALUE, forms) {
            Some(text) => text,
            None => Cow::Borrowed(self.0.code()),
        }
    }
    fn checked(&self) -> &dyn Checked {
        &self.0
    }
    fn debug(&self) -> &dyn Debug {
        &self.0
    }
    fn same(&self, other: &dyn ReqValue) -> bool {
        match other.as_any().downcast_ref::<Self>() {
            Some(other) => self.0.index() == other.0.index(),
            None => false,
        }
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// [`set_opt`](super::table::set_opt) for an enum: the code to store (the trimmed text),
/// or `None` when the value is blank; the wire text is kept unless it is the code itself.
fn read_code<'r>(
    raw: &'r str,
    mode: Mode,
    empty_is_a_value: bool,
    keep: Keep<'_>,
) -> Option<&'r str> {
    let (trimmed, blank) = read_text(raw, mode, empty_is_a_value);
    let present = !blank;
    if let Some((forms, slot)) = keep {
        // A code writes back as itself, so the text is canonical when nothing was trimmed.
        if !(present && raw.len() == trimmed.len()) {
            forms.keep(slot, raw);
        }
    }
    present.then_some(trimmed)
}

/// The text to write for an enum field holding `code`: its kept wire form while that
/// still decodes to the same code, else the code; `None` writes nothing.
fn code_text<'a>(
    code: Option<&'a str>,
    empty_is_a_value: bool,
    forms: Option<(&'a WireForms, u16)>,
) -> Option<Cow<'a, str>> {
    if let Some((forms, slot)) = forms {
        if !forms.is_empty() {
            let value = CodeForm {
                code,
                empty_is_a_value,
            };
            if let Some(raw) = forms.text_of(slot, &value, PLAIN) {
                return Some(raw);
            }
        }
    }
    code.map(Cow::Borrowed)
}

/// An enum value as its code, for [`WireForms::text_of`].
struct CodeForm<'a> {
    code: Option<&'a str>,
    empty_is_a_value: bool,
}

impl FormValue for CodeForm<'_> {
    fn write(&self, _: &Format) -> Option<Cow<'_, str>> {
        self.code.map(Cow::Borrowed)
    }
    /// What the decoder reads from `raw` (`from_code` of the trimmed text, `None` when
    /// blank) is this value exactly when the trimmed text is its code.
    fn decodes_from(&self, raw: &str, _: &Format) -> bool {
        let trimmed = trim(raw);
        let decoded = (!trimmed.is_empty() || self.empty_is_a_value).then_some(trimmed);
        decoded == self.code
    }
}

#[cfg(test)]
#[allow(dead_code)] // the table macros' helpers the tests do not call
mod tests {
    //! The enum paths against the generic ones they replace: the same struct twice, its
    //! enum fields once as `Code` / `ReqCode` and once as `Opt` / `Req` (the impls for any
    //! `Wire` type), fed the same texts in every mode.

    use super::super::table::{Mode, SlotMut, SlotRef};
    use super::super::{Extra, PLAIN, Table, UnknownValue, WireForms};

    #[derive(Debug, Clone, PartialEq, Eq, Hash)]
    #[non_exhaustive]
    enum Side {
        Buy,
        Sell,
        Unknown(UnknownValue),
    }
    crate::code_table!(match Side {
        Buy => ("1", "매수"),
        Sell => ("2", "매도"),
    });

    /// The blank of a `Req` field (a `ReqCode` field's blank is `from_code("")`).
    impl Default for Side {
        fn default() -> Self {
            Side::from_code("")
        }
    }

    /// An enum with the code `""`.
    #[derive(Debug, Clone, PartialEq, Eq, Hash)]
    #[non_exhaustive]
    enum Market {
        All,
        Kospi,
        Unknown(UnknownValue),
    }
    crate::code_table!(
        match Market {
            All => ("", "전체"),
            Kospi => ("0", "코스피"),
        },
        empty_is_a_value
    );

    #[derive(Clone)]
    struct ByCode {
        side: Option<Side>,
        market: Option<Market>,
        kind: Side,
        extra: Extra,
        forms: WireForms,
    }
    crate::record_table!(ByCode {
        side: Code("side"),
        market: Code("market"),
        kind: ReqCode("kind")
    });

    #[derive(Clone)]
    struct ByWire {
        side: Option<Side>,
        market: Option<Market>,
        kind: Side,
        extra: Extra,
        forms: WireForms,
    }
    crate::record_table!(ByWire {
        side: Opt("side"),
        market: Opt("market"),
        kind: Req("kind")
    });

    const TEXTS: &[&str] = &["1", "2", " 2", "2 ", "", "  ", "9", " 9", "0", "+1", "전체"];

    /// What one field holds after reading `raw`: the value as `Debug` prints it, whether it
    /// was present, and the text it writes back with its kept form.
    fn read(table: &mut dyn Table, i: usize, raw: &str, mode: Mode) -> (String, bool, String) {
        let mut forms = WireForms::default();
        let present = table
            .slot(i)
            .set_text(raw, PLAIN, mode, Some((&mut forms, i as u16)))
            .expect("codes always parse");
        let (value, text) = match table.view(i) {
            SlotRef::Opt(v) => (
                format!("{:?}", v.debug()),
                format!("{:?}", v.text(PLAIN, Some((&forms, i as u16)))),
            ),
            SlotRef::Req(v) => (
                format!("{:?}", v.debug()),
                format!("{:?}", v.text(PLAIN, Some((&forms, i as u16)))),
            ),
            _ => unreachable!("enum fields"),
        };
        (value, present, text)
    }

    #[test]
    fn codes_read_and_write_back_as_through_the_generic_impls() {
        for mode in [Mode::Record, Mode::Realtime, Mode::Json] {
            for raw in TEXTS {
                for i in 0..3 {
                    let mut by_code = ByCode::blank();
                    let mut by_wire = ByWire::blank();
                    assert_eq!(
                        read(&mut by_code, i, raw, mode),
                        read(&mut by_wire, i, raw, mode),
                        "field {i}, {raw:?}, {mode:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn a_changed_code_writes_itself_not_the_kept_form() {
        let mut forms = WireForms::default();
        let mut by_code = ByCode::blank();
        let present = (&mut by_code as &mut dyn Table)
            .slot(0)
            .set_text(" 2", PLAIN, Mode::Record, Some((&mut forms, 0)))
            .unwrap();
        assert!(present);
        assert_eq!(by_code.side, Some(Side::Sell));
        let text = |t: &ByCode, forms: &WireForms| match (t as &dyn Table).view(0) {
            SlotRef::Opt(v) => v.text(PLAIN, Some((forms, 0))).map(|t| t.into_owned()),
            _ => unreachable!(),
        };
        assert_eq!(text(&by_code, &forms).as_deref(), Some(" 2"));
        by_code.side = Some(Side::Buy);
        assert_eq!(text(&by_code, &forms).as_deref(), Some("1"));
        by_code.side = None;
        assert_eq!(text(&by_code, &forms), None);
    }

    #[test]
    fn equality_and_debug_match_the_derives() {
        let values = [
            None,
            Some(Side::Buy),
            Some(Side::Sell),
            Some(Side::from_code("9")),
            Some(Side::from_code("8")),
        ];
        for a in &values {
            for b in &values {
                let mut x = ByCode::blank();
                let mut y = ByCode::blank();
                x.side = a.clone();
                y.side = b.clone();
                x.kind = b.clone().unwrap_or(Side::Buy);
                y.kind = a.clone().unwrap_or(Side::Buy);
                assert_eq!(x == y, a == b, "{a:?} {b:?}");
                let SlotMut::Opt(v) = (&mut x as &mut dyn Table).slot(0) else {
                    unreachable!()
                };
                assert_eq!(format!("{:?}", v.debug()), format!("{a:?}"));
            }
        }
    }
}
