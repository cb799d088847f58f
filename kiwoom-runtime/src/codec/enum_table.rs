//! Generated enums as data: each enum is its definition plus one table of
//! `Variant => (code, Korean label)`; [`code_table!`](crate::code_table) turns that table into
//! the enum's methods and trait impls, so the generated crate does not repeat them per enum.

use super::UnknownValue;

/// An enum of Kiwoom codes: the documented codes in the spec's order, their Korean labels,
/// and the position of a value in that order.
///
/// Implemented by [`code_table!`](crate::code_table) for every generated enum; the enums'
/// own `as_str`, `from_code`, `korean` and `values` are thin wrappers over it, so code written
/// against one enum keeps working, and code generic over all of them can take `T: CodeTable`.
pub trait CodeTable: Sized + Clone + 'static {
    /// Every documented code, in the spec's order.
    const CODES: &'static [&'static str];
    /// Kiwoom's Korean label of each code, in the same order as [`CODES`](Self::CODES).
    const LABELS: &'static [&'static str];
    /// The documented variants, in the same order as [`CODES`](Self::CODES).
    const VARIANTS: &'static [Self];

    /// The position of this value in [`CODES`](Self::CODES), or the raw code it kept when
    /// the spec does not document it.
    fn index(&self) -> Result<usize, &UnknownValue>;

    /// The value of a wire code; undocumented codes keep the raw code.
    fn from_code(code: &str) -> Self;

    /// The code as sent on the wire.
    fn code(&self) -> &str {
        code_at(Self::CODES, self.index())
    }

    /// Kiwoom's Korean label; `None` for an undocumented code.
    fn label(&self) -> Option<&'static str> {
        label_at(Self::LABELS, self.index())
    }

    /// The variant at a position of [`CODES`](Self::CODES), if there is one.
    fn from_index(index: usize) -> Option<Self> {
        Self::VARIANTS.get(index).cloned()
    }
}

// `code` and `label` of every enum, compiled once (`CodeTable`'s methods only pass their
// tables in).
fn code_at<'a>(codes: &'static [&'static str], index: Result<usize, &'a UnknownValue>) -> &'a str {
    match index {
        Ok(i) => codes[i],
        Err(unknown) => unknown.as_str(),
    }
}

fn label_at(
    labels: &'static [&'static str],
    index: Result<usize, &UnknownValue>,
) -> Option<&'static str> {
    match index {
        Ok(i) => Some(labels[i]),
        Err(_) => None,
    }
}

/// Implements [`CodeTable`](crate::codec::CodeTable), the inherent `values`, `as_str`,
/// `from_code` and `korean`, `FromStr`, `Display` and [`Wire`](crate::codec::Wire) for an enum
/// of Kiwoom codes whose last variant is `Unknown(codec::UnknownValue)`.
///
/// ```
/// use kiwoom_runtime::codec::{self, CodeTable};
///
/// #[derive(Debug, Clone, PartialEq, Eq, Hash)]
/// #[non_exhaustive]
/// pub enum Market {
///     /// 코스피 (`0`)
///     Kospi,
///     /// 코스닥 (`10`)
///     Kosdaq,
///     /// A code this version does not document, kept exactly as received.
///     Unknown(codec::UnknownValue),
/// }
/// codec::code_table!(match Market {
///     Kospi => ("0", "코스피"),
///     Kosdaq => ("10", "코스닥"),
/// });
///
/// assert_eq!(Market::from_code("10"), Market::Kosdaq);
/// assert_eq!(Market::Kospi.korean(), Some("코스피"));
/// assert_eq!(Market::from_code("7").as_str(), "7");
/// assert_eq!(Market::values(), ["0", "10"]);
/// assert_eq!(Market::from_index(1), Some(Market::Kosdaq));
/// ```
///
/// The table is written as a `match` from variant to `(code, Korean label)` so that rustfmt
/// lays it out one row per line. Add `, empty_is_a_value` after it when `""` is one of the
/// codes, so an empty string decodes to that variant instead of `None`.
#[macro_export]
macro_rules! code_table {
    (match $name:ident { $($variant:ident => ($code:literal, $label:literal)),+ $(,)? }) => {
        $crate::code_table!(@impl $name, false, { $($variant => $code, $label;)+ });
    };
    (match $name:ident { $($variant:ident => ($code:literal, $label:literal)),+ $(,)? }, empty_is_a_value) => {
        $crate::code_table!(@impl $name, true, { $($variant => $code, $label;)+ });
    };
    (@impl $name:ident, $empty:literal, { $($variant:ident => $code:literal, $label:literal;)+ }) => {
        impl $crate::codec::CodeTable for $name {
            const CODES: &'static [&'static str] = &[$($code),+];
            const LABELS: &'static [&'static str] = &[$($label),+];
            const VARIANTS: &'static [Self] = &[$(Self::$variant),+];

            fn index(&self) -> ::std::result::Result<usize, &$crate::codec::UnknownValue> {
                // A fieldless twin of the enum numbers the variants in table order.
                #[allow(non_camel_case_types, clippy::enum_variant_names)]
                enum Position {
                    $($variant),+
                }
                match self {
                    $(Self::$variant => Ok(Position::$variant as usize),)+
                    Self::Unknown(value) => Err(value),
                }
            }

            // A `match` on the literals: a length switch and a compare, several times
            // faster than scanning the table (measured on a 21-code enum).
            fn from_code(code: &str) -> Self {
                match code {
                    $($code => Self::$variant,)+
                    other => Self::Unknown($crate::codec::UnknownValue::new(other)),
                }
            }
        }

        impl $name {
            /// Every documented code, in the spec's order.
            pub fn values() -> &'static [&'static str] {
                <Self as $crate::codec::CodeTable>::CODES
            }

            /// The code as sent on the wire.
            pub fn as_str(&self) -> &str {
                $crate::codec::CodeTable::code(self)
            }

            /// The variant of a wire code; undocumented codes become `Unknown`.
            pub fn from_code(code: &str) -> Self {
                <Self as $crate::codec::CodeTable>::from_code(code)
            }

            /// Kiwoom's Korean label of the code.
            pub fn korean(&self) -> Option<&'static str> {
                $crate::codec::CodeTable::label(self)
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = ::std::convert::Infallible;
            fn from_str(code: &str) -> ::std::result::Result<Self, Self::Err> {
                Ok(Self::from_code(code))
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl $crate::codec::Wire for $name {
            fn parse(
                raw: &str,
                _: &$crate::codec::Format,
            ) -> ::std::result::Result<Self, $crate::codec::WireError> {
                Ok(Self::from_code(raw))
            }
            fn write(&self, _: &$crate::codec::Format) -> ::std::borrow::Cow<'_, str> {
                ::std::borrow::Cow::Borrowed(self.as_str())
            }
            fn is_unknown(&self) -> bool {
                matches!(self, Self::Unknown(_))
            }
            const EMPTY_IS_A_VALUE: bool = $empty;
        }
    };
}
