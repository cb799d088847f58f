//! Where a generated struct keeps each field: its byte offset and its value type.
//!
//! A field table used to come with two `match`es per struct (`slot` and `view`: one arm per
//! field handing out a typed reference), about a tenth of the generated crate's compiled
//! code. A [`Place`] says the same thing as data: `slot` and `view` on `dyn Table`
//! are then one function for every struct, reading the place from the field table.
//!
//! A place is made only by the unsafe constructors below, which the table macros call in
//! the table's constant with a pointer to an uninitialised struct and the raw address of one
//! of its fields (`&raw const (*base).field`): one expression gives both the value type (the
//! pointer's) and the offset (the distance), so they cannot disagree. (A closure
//! `|s: &Struct| &s.field` beside `offset_of!` said the same, but type-checking and
//! borrow-checking ten thousand closures was a quarter of the crate's front-end time.)
//! [`Table`](super::Table) is an unsafe trait for the same reason: an implementation
//! promises that its fields' places describe `Self`.
//!
//! Not a public API: the table macros are its only callers.

use std::fmt::{self, Debug};
use std::marker::PhantomData;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::code_value::{code_opt_of, code_req_of};
use super::enum_table::CodeTable;
use super::table::{
    Keep, ListValue, Mode, ObjectValue, OptValue, ReqValue, SlotMut, SlotRef, ValuesValue, set_opt,
};
use super::wire::Wire;
use super::{Format, WireError};

/// The position and value type of one field: made only by the unsafe constructors below,
/// from the field's address, which gives its offset and its type together.
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
    /// An optional value of a `Wire` type: its `dyn` view and its reader, compiled for
    /// its type so that decoding a value is one call.
    Opt(&'static OptOps),
    /// An optional generated enum, read through its code table (one reader for all 242
    /// enums: see `code_value`).
    Code(fn(*mut u8) -> *mut dyn OptValue),
    Req(fn(*mut u8) -> *mut dyn ReqValue),
    List(fn(*mut u8) -> *mut dyn ListValue),
    Object(fn(*mut u8) -> *mut dyn ObjectValue),
    Values(fn(*mut u8) -> *mut dyn ValuesValue),
}

/// What an [`Kind::Opt`] place does with its field.
struct OptOps {
    view: fn(*mut u8) -> *mut dyn OptValue,
    /// `set_opt` for the field's type, called with a pointer to the field.
    set: unsafe fn(*mut u8, &str, &Format, Mode, Keep<'_>) -> Result<bool, WireError>,
}

/// The [`OptOps`] of one value type, a constant so that places can point to it.
struct OptOpsOf<T>(PhantomData<T>);

impl<T: OptValue + 'static> OptOpsOf<T> {
    const OPS: &'static OptOps = &OptOps {
        view: opt_of::<T>,
        set: set_opt_at::<T>,
    };
}

fn opt_of<T: OptValue + 'static>(p: *mut u8) -> *mut dyn OptValue {
    p.cast::<T>()
}

/// # Safety
/// `p` points to a `T` that nothing else references meanwhile.
unsafe fn set_opt_at<T: OptValue>(
    p: *mut u8,
    raw: &str,
    format: &Format,
    mode: Mode,
    keep: Keep<'_>,
) -> Result<bool, WireError> {
    // SAFETY: by the contract above.
    set_opt(unsafe { &mut *p.cast::<T>() }, raw, format, mode, keep)
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

/// The field's offset in the struct: the distance from `base` to `field`.
///
/// # Safety
/// `field` points to a field of the struct `base` points to.
const unsafe fn offset<S, T>(base: *const S, field: *const T) -> usize {
    // SAFETY: both pointers are in the same struct, the field at or after its start.
    unsafe { field.cast::<u8>().offset_from(base.cast::<u8>()) as usize }
}

/// The constructors, called in a constant with `base` a pointer to an uninitialised
/// struct and `field` the raw address of one of its fields (`&raw const (*base).f`): the
/// field's type is the pointer's, its offset the distance between the two. Each is unsafe
/// with the same contract: `field` points to a field of the struct `base` points to.
impl Place {
    /// An `Option<i64>` decoded from text.
    ///
    /// # Safety
    /// `field` points to a field of the struct `base` points to.
    pub const unsafe fn int<S>(base: *const S, field: *const Option<i64>) -> Place {
        Place::at(unsafe { offset(base, field) }, Kind::Int)
    }
    /// An `Option<Decimal>`.
    ///
    /// # Safety
    /// `field` points to a field of the struct `base` points to.
    pub const unsafe fn decimal<S>(base: *const S, field: *const Option<Decimal>) -> Place {
        Place::at(unsafe { offset(base, field) }, Kind::Decimal)
    }
    /// An `Option<String>`.
    ///
    /// # Safety
    /// `field` points to a field of the struct `base` points to.
    pub const unsafe fn text<S>(base: *const S, field: *const Option<String>) -> Place {
        Place::at(unsafe { offset(base, field) }, Kind::Text)
    }
    /// An `Option<NaiveDate>`.
    ///
    /// # Safety
    /// `field` points to a field of the struct `base` points to.
    pub const unsafe fn date<S>(base: *const S, field: *const Option<NaiveDate>) -> Place {
        Place::at(unsafe { offset(base, field) }, Kind::Date)
    }
    /// The envelope's `return_code` (`Option<i64>`, a JSON number).
    ///
    /// # Safety
    /// `field` points to a field of the struct `base` points to.
    pub const unsafe fn number<S>(base: *const S, field: *const Option<i64>) -> Place {
        Place::at(unsafe { offset(base, field) }, Kind::Number)
    }
    /// Any other optional value.
    ///
    /// # Safety
    /// `field` points to a field of the struct `base` points to.
    pub const unsafe fn opt<S, T: OptValue + 'static>(base: *const S, field: *const T) -> Place {
        Place::at(
            unsafe { offset(base, field) },
            Kind::Opt(OptOpsOf::<T>::OPS),
        )
    }
    /// An optional generated enum (read and written through its code table).
    ///
    /// # Safety
    /// `field` points to a field of the struct `base` points to.
    pub const unsafe fn code<S, E: CodeTable + Wire + Debug>(
        base: *const S,
        field: *const Option<E>,
    ) -> Place {
        Place::at(unsafe { offset(base, field) }, Kind::Code(code_opt_of::<E>))
    }
    /// A generated enum that must be present.
    ///
    /// # Safety
    /// `field` points to a field of the struct `base` points to.
    pub const unsafe fn req_code<S, E: CodeTable + Wire + Debug>(
        base: *const S,
        field: *const E,
    ) -> Place {
        Place::at(unsafe { offset(base, field) }, Kind::Req(code_req_of::<E>))
    }
    /// A value that must be present.
    ///
    /// # Safety
    /// `field` points to a field of the struct `base` points to.
    pub const unsafe fn req<S, T: ReqValue + 'static>(base: *const S, field: *const T) -> Place {
        Place::at(unsafe { offset(base, field) }, Kind::Req(req_of::<T>))
    }
    /// A list of rows.
    ///
    /// # Safety
    /// `field` points to a field of the struct `base` points to.
    pub const unsafe fn list<S, T: ListValue + 'static>(base: *const S, field: *const T) -> Place {
        Place::at(unsafe { offset(base, field) }, Kind::List(list_of::<T>))
    }
    /// An optional nested object.
    ///
    /// # Safety
    /// `field` points to a field of the struct `base` points to.
    pub const unsafe fn object<S, T: ObjectValue + 'static>(
        base: *const S,
        field: *const T,
    ) -> Place {
        Place::at(unsafe { offset(base, field) }, Kind::Object(object_of::<T>))
    }
    /// A list of bare values.
    ///
    /// # Safety
    /// `field` points to a field of the struct `base` points to.
    pub const unsafe fn values<S, T: ValuesValue + 'static>(
        base: *const S,
        field: *const T,
    ) -> Place {
        Place::at(unsafe { offset(base, field) }, Kind::Values(values_of::<T>))
    }

    const fn at(offset: usize, kind: Kind) -> Place {
        Place { offset, kind }
    }

    /// The field at this place of the struct at `base`, to write into.
    ///
    /// # Safety
    /// `base` points to a struct of the type this place was made for, borrowed mutably for
    /// `'a` (no other reference to it is used meanwhile).
    // `#[inline]`: the realtime decoder calls it once per value from the generated crate;
    // the call was 3% of a 0B frame's instructions (callgrind: 20.8 k → 20.3 k per frame).
    #[inline]
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
                Kind::Opt(ops) => SlotMut::Opt(&mut *(ops.view)(p)),
                Kind::Code(cast) => SlotMut::Opt(&mut *cast(p)),
                Kind::Req(cast) => SlotMut::Req(&mut *cast(p)),
                Kind::List(cast) => SlotMut::List(&mut *cast(p)),
                Kind::Object(cast) => SlotMut::Object(&mut *cast(p)),
                Kind::Values(cast) => SlotMut::Values(&mut *cast(p)),
            }
        }
    }

    /// The field holds a value read from one text (not a list or an object).
    #[inline]
    pub(super) fn holds_text(self) -> bool {
        !matches!(self.kind, Kind::List(_) | Kind::Object(_) | Kind::Values(_))
    }

    /// Read a scalar text into the field at this place of the struct at `base`:
    /// [`SlotMut::set_text`] of [`slot`](Self::slot), but a value of a `Wire` type is read
    /// by its own compiled reader in one call, not through its `dyn` view (four calls).
    ///
    /// # Safety
    /// As for [`slot`](Self::slot).
    // Always inlined: called once per realtime value (its call cost more than its match).
    #[inline(always)]
    pub(super) unsafe fn set_text(
        self,
        base: *mut u8,
        raw: &str,
        format: &Format,
        mode: Mode,
        keep: Keep<'_>,
    ) -> Result<bool, WireError> {
        // SAFETY: as in `slot`: the field at `offset` has its kind's type, for which an
        // `Opt` place's reader was made.
        unsafe {
            let p = base.add(self.offset);
            match self.kind {
                Kind::Int => set_opt(&mut *p.cast::<Option<i64>>(), raw, format, mode, keep),
                Kind::Decimal => {
                    set_opt(&mut *p.cast::<Option<Decimal>>(), raw, format, mode, keep)
                }
                Kind::Text => set_opt(&mut *p.cast::<Option<String>>(), raw, format, mode, keep),
                Kind::Date => set_opt(&mut *p.cast::<Option<NaiveDate>>(), raw, format, mode, keep),
                Kind::Opt(ops) => (ops.set)(p, raw, format, mode, keep),
                _ => self.slot(base).set_text(raw, format, mode, keep),
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
                Kind::Opt(ops) => SlotRef::Opt(&*(ops.view)(p)),
                Kind::Code(cast) => SlotRef::Opt(&*cast(p)),
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
            Kind::Code(_) => "Code",
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
/// of kind `Int`, `Decimal`, `Text`, `Date`, `Number`, `Opt`, `Code`, `Req`, `ReqCode`, `List`,
/// `Object` or `Values`. The offset and the value type come from the same tokens, which is
/// what makes the unsafe constructor's contract hold.
///
/// ```
/// use kiwoom_runtime::codec::table::Place;
/// struct Row {
///     price: Option<i64>,
///     name: Option<String>,
/// }
/// const PRICE: Place = kiwoom_runtime::__table_place!(Int, Row, price);
/// const NAME: Place = kiwoom_runtime::__table_place!(Text, Row, name);
/// # let _ = (PRICE, NAME);
/// ```
///
/// A kind that is not the field's type does not compile:
///
/// ```compile_fail,E0308
/// # use kiwoom_runtime::codec::table::Place;
/// # struct Row {
/// #     price: Option<i64>,
/// #     name: Option<String>,
/// # }
/// const NAME: Place = kiwoom_runtime::__table_place!(Int, Row, name);
/// # let _ = NAME;
/// ```
///
/// Nor does a place whose field lies in another struct than its base (the constructors'
/// contract broken by hand): the distance between two allocations is a const-evaluation
/// error.
///
/// ```compile_fail,E0080
/// # use kiwoom_runtime::codec::table::Place;
/// # struct Row {
/// #     price: Option<i64>,
/// # }
/// const PRICE: Place = {
///     let a = std::mem::MaybeUninit::<Row>::uninit();
///     let b = std::mem::MaybeUninit::<Row>::uninit();
///     unsafe { Place::int(a.as_ptr(), &raw const (*b.as_ptr()).price) }
/// };
/// # let _ = PRICE;
/// ```
#[doc(hidden)]
#[macro_export]
macro_rules! __table_place {
    // The place of a field of the struct `$base` points to (a table's shared base).
    (@at $base:ident, $kind:ident, $($field:tt)+) => {{
        let make = $crate::__table_place!(@make $kind);
        // SAFETY: the field's raw address, taken from the struct `$base` points to.
        unsafe { make($base, &raw const (*$base).$($field)+) }
    }};
    (@make Int) => { $crate::codec::table::Place::int };
    (@make Decimal) => { $crate::codec::table::Place::decimal };
    (@make Text) => { $crate::codec::table::Place::text };
    (@make Date) => { $crate::codec::table::Place::date };
    (@make Number) => { $crate::codec::table::Place::number };
    (@make Opt) => { $crate::codec::table::Place::opt };
    (@make Req) => { $crate::codec::table::Place::req };
    (@make Code) => { $crate::codec::table::Place::code };
    (@make ReqCode) => { $crate::codec::table::Place::req_code };
    (@make List) => { $crate::codec::table::Place::list };
    (@make Object) => { $crate::codec::table::Place::object };
    (@make Values) => { $crate::codec::table::Place::values };
    // One place on its own.
    ($kind:ident, $name:ty, $($field:tt)+) => {{
        let value = ::core::mem::MaybeUninit::<$name>::uninit();
        let base = value.as_ptr();
        $crate::__table_place!(@at base, $kind, $($field)+)
    }};
}
