//! Where a generated struct keeps each field: its byte offset and its value type.
//!
//! A field table used to come with two `match`es per struct (`slot` and `view`: one arm per
//! field handing out a typed reference), about a tenth of the generated crate's compiled
//! code. A [`Place`] says the same thing as data: `slot` and `view` on `dyn Table`
//! are then one function for every struct, reading the place from the field table.
//!
//! A place is made only by the unsafe constructors below, which the table macros call with
//! `offset_of!(Struct, field)` and a closure `|s: &Struct| &s.field` written from the same
//! tokens: the closure fixes the value type, so the offset and the type cannot disagree.
//! [`Table`](super::Table) is an unsafe trait for the same reason: an implementation
//! promises that its fields' places describe `Self`.
//!
//! Not a public API: the table macros are its only callers.

use std::fmt;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::table::{ListValue, ObjectValue, OptValue, ReqValue, SlotMut, SlotRef, ValuesValue};

/// The position and value type of one field: made only by the unsafe constructors below,
/// from `offset_of!` and the field's type together.
#[derive(Clone, Copy)]
pub struct Place {
    offset: usize,
    kind: Kind,
}

/// The value type. The common ones are named; the others carry the function that turns a
/// pointer to the field into the `dyn` view of its type (one small function per value
/// type, shared by every struct holding one).
#[derive(Clone, Copy)]
enum Kind {
    Int,
    Decimal,
    Text,
    Date,
    Number,
    Opt(fn(*mut u8) -> *mut dyn OptValue),
    Req(fn(*mut u8) -> *mut dyn ReqValue),
    List(fn(*mut u8) -> *mut dyn ListValue),
    Object(fn(*mut u8) -> *mut dyn ObjectValue),
    Values(fn(*mut u8) -> *mut dyn ValuesValue),
}

fn opt_of<T: OptValue + 'static>(p: *mut u8) -> *mut dyn OptValue {
    p.cast::<T>()
}
fn req_of<T: ReqValue + 'static>(p: *mut u8) -> *mut dyn ReqValue {
    p.cast::<T>()
}
fn list_of<T: ListValue + 'static>(p: *mut u8) -> *mut dyn ListValue {
    p.cast::<T>()
}
fn object_of<T: ObjectValue + 'static>(p: *mut u8) -> *mut dyn ObjectValue {
    p.cast::<T>()
}
fn values_of<T: ValuesValue + 'static>(p: *mut u8) -> *mut dyn ValuesValue {
    p.cast::<T>()
}

/// The constructors. `_field` is never called: it only names the field's type. Each is
/// unsafe with the same contract: `offset` is `offset_of!(S, f)` for the field `f` that
/// `_field` returns.
impl Place {
    /// An `Option<i64>` decoded from text.
    ///
    /// # Safety
    /// `offset` is the offset in `S` of the field `_field` returns.
    pub const unsafe fn int<S>(offset: usize, _field: fn(&S) -> &Option<i64>) -> Place {
        Place::at(offset, Kind::Int)
    }
    /// An `Option<Decimal>`.
    ///
    /// # Safety
    /// `offset` is the offset in `S` of the field `_field` returns.
    pub const unsafe fn decimal<S>(offset: usize, _field: fn(&S) -> &Option<Decimal>) -> Place {
        Place::at(offset, Kind::Decimal)
    }
    /// An `Option<String>`.
    ///
    /// # Safety
    /// `offset` is the offset in `S` of the field `_field` returns.
    pub const unsafe fn text<S>(offset: usize, _field: fn(&S) -> &Option<String>) -> Place {
        Place::at(offset, Kind::Text)
    }
    /// An `Option<NaiveDate>`.
    ///
    /// # Safety
    /// `offset` is the offset in `S` of the field `_field` returns.
    pub const unsafe fn date<S>(offset: usize, _field: fn(&S) -> &Option<NaiveDate>) -> Place {
        Place::at(offset, Kind::Date)
    }
    /// The envelope's `return_code` (`Option<i64>`, a JSON number).
    ///
    /// # Safety
    /// `offset` is the offset in `S` of the field `_field` returns.
    pub const unsafe fn number<S>(offset: usize, _field: fn(&S) -> &Option<i64>) -> Place {
        Place::at(offset, Kind::Number)
    }
    /// Any other optional value.
    ///
    /// # Safety
    /// `offset` is the offset in `S` of the field `_field` returns.
    pub const unsafe fn opt<S, T: OptValue + 'static>(
        offset: usize,
        _field: fn(&S) -> &T,
    ) -> Place {
        Place::at(offset, Kind::Opt(opt_of::<T>))
    }
    /// A value that must be present.
    ///
    /// # Safety
    /// `offset` is the offset in `S` of the field `_field` returns.
    pub const unsafe fn req<S, T: ReqValue + 'static>(
        offset: usize,
        _field: fn(&S) -> &T,
    ) -> Place {
        Place::at(offset, Kind::Req(req_of::<T>))
    }
    /// A list of rows.
    ///
    /// # Safety
    /// `offset` is the offset in `S` of the field `_field` returns.
    pub const unsafe fn list<S, T: ListValue + 'static>(
        offset: usize,
        _field: fn(&S) -> &T,
    ) -> Place {
        Place::at(offset, Kind::List(list_of::<T>))
    }
    /// An optional nested object.
    ///
    /// # Safety
    /// `offset` is the offset in `S` of the field `_field` returns.
    pub const unsafe fn object<S, T: ObjectValue + 'static>(
        offset: usize,
        _field: fn(&S) -> &T,
    ) -> Place {
        Place::at(offset, Kind::Object(object_of::<T>))
    }
    /// A list of bare values.
    ///
    /// # Safety
    /// `offset` is the offset in `S` of the field `_field` returns.
    pub const unsafe fn values<S, T: ValuesValue + 'static>(
        offset: usize,
        _field: fn(&S) -> &T,
    ) -> Place {
        Place::at(offset, Kind::Values(values_of::<T>))
    }

    const fn at(offset: usize, kind: Kind) -> Place {
        Place { offset, kind }
    }

    /// The field at this place of the struct at `base`, to write into.
    ///
    /// # Safety
    /// `base` points to a struct of the type this place was made for, borrowed mutably for
    /// `'a` (no other reference to it is used meanwhile).
    pub(super) unsafe fn slot<'a>(self, base: *mut u8) -> SlotMut<'a> {
        // SAFETY: by the constructors' contract the field of this type lies at `offset`
        // inside the struct `base` points to, which the caller lends us for `'a`.
        unsafe {
            let p = base.add(self.offset);
            match self.kind {
                Kind::Int => SlotMut::Int(&mut *p.cast()),
                Kind::Decimal => SlotMut::Decimal(&mut *p.cast()),
                Kind::Text => SlotMut::Text(&mut *p.cast()),
                Kind::Date => SlotMut::Date(&mut *p.cast()),
                Kind::Number => SlotMut::Number(&mut *p.cast()),
                Kind::Opt(cast) => SlotMut::Opt(&mut *cast(p)),
                Kind::Req(cast) => SlotMut::Req(&mut *cast(p)),
                Kind::List(cast) => SlotMut::List(&mut *cast(p)),
                Kind::Object(cast) => SlotMut::Object(&mut *cast(p)),
                Kind::Values(cast) => SlotMut::Values(&mut *cast(p)),
            }
        }
    }

    /// The field at this place of the struct at `base`, to read.
    ///
    /// # Safety
    /// `base` points to a struct of the type this place was made for, borrowed for `'a`.
    pub(super) unsafe fn view<'a>(self, base: *const u8) -> SlotRef<'a> {
        // SAFETY: as in `slot`; the pointers made mutable for the casts are only read.
        unsafe {
            let p = base.add(self.offset).cast_mut();
            match self.kind {
                Kind::Int => SlotRef::Opt(&*p.cast::<Option<i64>>()),
                Kind::Decimal => SlotRef::Opt(&*p.cast::<Option<Decimal>>()),
                Kind::Text => SlotRef::Opt(&*p.cast::<Option<String>>()),
                Kind::Date => SlotRef::Opt(&*p.cast::<Option<NaiveDate>>()),
                Kind::Number => SlotRef::Number(*p.cast::<Option<i64>>()),
                Kind::Opt(cast) => SlotRef::Opt(&*cast(p)),
                Kind::Req(cast) => SlotRef::Req(&*cast(p)),
                Kind::List(cast) => SlotRef::List(&*cast(p)),
                Kind::Object(cast) => SlotRef::Object(&*cast(p)),
                Kind::Values(cast) => SlotRef::Values(&*cast(p)),
            }
        }
    }

    fn kind_name(&self) -> &'static str {
        match self.kind {
            Kind::Int => "Int",
            Kind::Decimal => "Decimal",
            Kind::Text => "Text",
            Kind::Date => "Date",
            Kind::Number => "Number",
            Kind::Opt(_) => "Opt",
            Kind::Req(_) => "Req",
            Kind::List(_) => "List",
            Kind::Object(_) => "Object",
            Kind::Values(_) => "Values",
        }
    }
}

impl fmt::Debug for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}@{}", self.kind_name(), self.offset)
    }
}

/// The [`Place`] of `$Struct`'s field `$field` (a field name or a path such as `0.price`),
/// of kind `Int`, `Decimal`, `Text`, `Date`, `Number`, `Opt`, `Req`, `ReqCode`, `List`,
/// `Object` or `Values`. The offset and the value type come from the same tokens, which is
/// what makes the unsafe constructor's contract hold.
#[doc(hidden)]
#[macro_export]
macro_rules! __table_place {
    ($kind:ident, $name:ty, $($field:tt)+) => {{
        let offset = ::core::mem::offset_of!($name, $($field)+);
        let field: fn(&$name) -> &_ = |s| &s.$($field)+;
        let make = $crate::__table_place!(@make $kind);
        // SAFETY: `offset` and `field` name the same field of the same struct.
        unsafe { make(offset, field) }
    }};
    (@make Int) => { $crate::codec::table::Place::int };
    (@make Decimal) => { $crate::codec::table::Place::decimal };
    (@make Text) => { $crate::codec::table::Place::text };
    (@make Date) => { $crate::codec::table::Place::date };
    (@make Number) => { $crate::codec::table::Place::number };
    (@make Opt) => { $crate::codec::table::Place::opt };
    (@make Req) => { $crate::codec::table::Place::req };
    (@make ReqCode) => { $crate::codec::table::Place::req };
    (@make List) => { $crate::codec::table::Place::list };
    (@make Object) => { $crate::codec::table::Place::object };
    (@make Values) => { $crate::codec::table::Place::values };
}
