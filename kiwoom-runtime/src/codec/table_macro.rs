//! `record_table!`, `request_table!` and `realtime_table!`: a generated struct's field
//! table, one row per field, from which they write the struct's [`Table`](super::Table)
//! impl (field list with each field's [`Place`](super::table::Place), blank value), its
//! `Serialize`, `Debug` and `PartialEq` and, as asked, its `TrResponse` or `Deserialize`.
//! The generated crate states each struct's fields once; no code is written per field.
//!
//! A row is `rust_name: Kind("wire_name")`, then what differs from the plain field:
//! `.max(20)`, `.format(codec::Format::scaled(2))`, `.required()`. The kind says where the
//! decoder writes the value (see [`SlotMut`](super::SlotMut)) and, checked at compile time,
//! the field's type:
//!
//! | kind | field type | blank |
//! |---|---|---|
//! | `Int`, `Decimal`, `Text`, `Date` | `Option<i64>`, `Option<Decimal>`, `Option<String>`, `Option<NaiveDate>` | `None` |
//! | `Code` | `Option<E>` of a generated enum `E` | `None` |
//! | `Opt` | any other `Option<T: Wire>` | `None` |
//! | `Req` | a value that must be present (required, implied) | `Default::default()` |
//! | `ReqCode` | a generated enum that must be present (required, implied) | `from_code("")` |
//! | `Number` | the envelope's `return_code` (`Option<i64>`, a JSON number) | `None` |
//! | `List`, `Values` | `Vec` of rows or of bare values | empty |
//! | `Object` | an optional nested struct | `None` |
//!
//! The syntax is a Rust struct expression so that rustfmt lays the table out one row per
//! line. Options after it:
//!
//! - `record_table!(Row { .. })`: a decoded record (keeps unknown keys and wire forms in
//!   its `extra` / `forms` fields; `extra_fields()`); `, response` adds `TrResponse`;
//!   `, default` implements `Default` as the blank value (every field empty);
//!   `, array_rows` marks rows sent as arrays of positional values;
//! - `request_table!(Request { .. })`: a request; `, from_json = "ka10081"` adds the
//!   `Deserialize` that reads it back from wire JSON (errors name that TR);
//!   `, trnm = "CNSRREQ"` writes the frame's `trnm` first (condition-search commands);
//! - `realtime_table!(Trade { .. })`: a realtime type's values (the struct keeps its own
//!   derives and its item, name and unknown values outside the table).
//!
//! Not a public API: generated code is its only caller.

/// See the [module documentation](crate::codec::table_macro).
#[doc(hidden)]
#[macro_export]
macro_rules! record_table {
    ($name:ident { $($field:ident: $kind:ident($wire:literal) $(.$m:ident($($arg:expr)?))*),* $(,)? } $(, $opt:ident $(= $val:literal)?)* $(,)?) => {
        impl $name {
            /// Keys the server sent that the spec does not list, with their values.
            pub fn extra_fields(&self) -> &$crate::codec::Extra {
                &self.extra
            }
        }
        // SAFETY: every field's place is made by `__table_place!` from this struct's field.
        unsafe impl $crate::codec::Table for $name {
            $crate::__table_items!($name $($field: $kind($wire) $(.$m($($arg)?))*),*);
            fn blank() -> Self {
                Self {
                    $($field: $crate::__table_blank!($kind),)*
                    extra: ::std::default::Default::default(),
                    forms: ::std::default::Default::default(),
                }
            }
            fn rest(&mut self) -> ::std::option::Option<$crate::codec::table::Rest<'_>> {
                Some($crate::codec::table::Rest {
                    extra: &mut self.extra,
                    forms: &mut self.forms,
                })
            }
            fn kept(&self) -> ::std::option::Option<(&$crate::codec::Extra, &$crate::codec::WireForms)> {
                Some((&self.extra, &self.forms))
            }
            $($crate::__table_option!(item $name, $opt $(= $val)?);)*
        }
        $crate::__table_serialize!($name);
        $crate::__table_std!($name);
        $($crate::__table_option!(impl $name, $opt $(= $val)?);)*
    };
}

/// See the [module documentation](crate::codec::table_macro).
#[doc(hidden)]
#[macro_export]
macro_rules! request_table {
    ($name:ident { $($field:ident: $kind:ident($wire:literal) $(.$m:ident($($arg:expr)?))*),* $(,)? } $(, $opt:ident $(= $val:literal)?)* $(,)?) => {
        // SAFETY: every field's place is made by `__table_place!` from this struct's field.
        unsafe impl $crate::codec::Table for $name {
            $crate::__table_items!($name $($field: $kind($wire) $(.$m($($arg)?))*),*);
            fn blank() -> Self {
                Self {
                    $($field: $crate::__table_blank!($kind),)*
                }
            }
            $($crate::__table_option!(item $name, $opt $(= $val)?);)*
        }
        $crate::__table_serialize!($name);
        $crate::__table_std!($name);
        $($crate::__table_option!(impl $name, $opt $(= $val)?);)*
    };
}

/// See the [module documentation](crate::codec::table_macro).
#[doc(hidden)]
#[macro_export]
macro_rules! realtime_table {
    ($name:ident { $($field:ident: $kind:ident($wire:literal) $(.$m:ident($($arg:expr)?))*),* $(,)? } $(,)?) => {
        // SAFETY: every field's place is made by `__table_place!` from this struct's field.
        unsafe impl $crate::codec::Table for $name {
            $crate::__table_items!($name $($field: $kind($wire) $(.$m($($arg)?))*),*);
            fn blank() -> Self {
                ::std::default::Default::default()
            }
        }
    };
}

/// `type_name` and `fields` of a table: each field's facts and its `Place`.
#[doc(hidden)]
#[macro_export]
macro_rules! __table_items {
    ($name:ident $($field:ident: $kind:ident($wire:literal) $(.$m:ident($($arg:expr)?))*),*) => {
        fn type_name(&self) -> &'static str {
            stringify!($name)
        }
        fn fields(&self) -> &'static [$crate::codec::Field] {
            // The places are the fields' addresses in a struct that is never initialised.
            const FIELDS: &[$crate::codec::Field] = {
                let value = ::core::mem::MaybeUninit::<$name>::uninit();
                let base = value.as_ptr();
                &[$(
                    $crate::__table_required!($kind, $crate::codec::Field::new(
                        $wire,
                        stringify!($field),
                        $crate::__table_place!(@at base, $kind, $field),
                    ))
                        $(.$m($($arg)?))*
                ),*]
            };
            FIELDS
        }
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __table_required {
    (Req, $e:expr) => {
        $e.required()
    };
    (ReqCode, $e:expr) => {
        $e.required()
    };
    ($kind:ident, $e:expr) => {
        $e
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __table_blank {
    (Req) => {
        ::std::default::Default::default()
    };
    (ReqCode) => {
        $crate::codec::CodeTable::from_code("")
    };
    (List) => {
        ::std::vec::Vec::new()
    };
    (Values) => {
        ::std::vec::Vec::new()
    };
    ($kind:ident) => {
        ::std::option::Option::None
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __table_serialize {
    ($name:ident) => {
        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(
                &self,
                serializer: S,
            ) -> ::std::result::Result<S::Ok, S::Error> {
                $crate::codec::serialize_table(self, serializer)
            }
        }
    };
}

/// `Debug` and `PartialEq` through the table (one compiled function each for all structs,
/// instead of a derive's per-field code in every struct).
#[doc(hidden)]
#[macro_export]
macro_rules! __table_std {
    ($name:ident) => {
        impl ::std::fmt::Debug for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                $crate::codec::debug_table(self, f)
            }
        }
        impl ::std::cmp::PartialEq for $name {
            fn eq(&self, other: &Self) -> bool {
                $crate::codec::eq_table(self, other)
            }
        }
    };
}

/// A struct-level option: `item` writes inside the `Table` impl, `impl` after it.
#[doc(hidden)]
#[macro_export]
macro_rules! __table_option {
    (item $name:ident, array_rows) => {
        fn array_rows(&self) -> bool {
            true
        }
    };
    (item $name:ident, trnm = $trnm:literal) => {
        fn trnm(&self) -> ::std::option::Option<&'static str> {
            Some($trnm)
        }
    };
    (impl $name:ident, response) => {
        impl $crate::TrResponse for $name {
            // Inline: compiled where a caller decodes this type, not for every response
            // type in the generated crate (the registry decodes into blank tables).
            #[inline]
            fn decode(
                api_id: &'static str,
                body: &[u8],
            ) -> ::std::result::Result<Self, $crate::DecodeError> {
                $crate::codec::decode_body(api_id, body)
            }
        }
    };
    (impl $name:ident, from_json = $api_id:literal) => {
        /// Reads the wire JSON (values as strings, enum codes, dates `YYYYMMDD`). Unknown
        /// enum codes are kept; `validate()` refuses them before anything is sent.
        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::std::result::Result<Self, D::Error> {
                $crate::codec::deserialize_request(deserializer, $api_id)
            }
        }
    };
    // `Default` is the blank value (a derive would be a second function building it).
    (impl $name:ident, default) => {
        impl ::std::default::Default for $name {
            fn default() -> Self {
                <Self as $crate::codec::Table>::blank()
            }
        }
    };
    // Each option writes on one side only; an unknown option matches no arm.
    (item $name:ident, default) => {};
    (item $name:ident, response) => {};
    (item $name:ident, from_json = $api_id:literal) => {};
    (impl $name:ident, array_rows) => {};
    (impl $name:ident, trnm = $trnm:literal) => {};
}
