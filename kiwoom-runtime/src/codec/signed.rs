//! Values whose leading sign on the wire is not arithmetic.
//!
//! Kiwoom writes a price as `"-40100"` when it is 40,100 won and below the previous close,
//! `"+41500"` when above, `"40100"` when unchanged. Read as a signed integer that is a
//! negative price, and every P&L, VWAP or position value computed from it is wrong. So a
//! field whose spec says `sign: direction` decodes into [`Directed`]: the magnitude (never
//! negative) and the [`Direction`]. A trade quantity whose sign is the side that took
//! liquidity (`sign: side`, 0B 거래량 `"+82"`/`"-82"`) decodes into [`SidedQuantity`].
//!
//! Both keep the exact sign form they arrived with, so re-encoding writes the same bytes:
//! `"-40100"`, `"+41500"`, `"40100"`, and the doubled forms (`"--1500"`) Kiwoom sometimes
//! sends, whose first sign is the direction.

use std::borrow::Cow;
use std::fmt;

use rust_decimal::Decimal;

use super::{Format, Wire, WireError};

/// A price's direction against the previous close, as Kiwoom's sign says it.
///
/// Kiwoom's separate 1–5 sign fields (`PriceChangeSign`) also say limit-up and limit-down;
/// the sign on a price cannot, so those arrive as `Up`/`Down` here. The enum is
/// `#[non_exhaustive]` to leave room for them where a field carries them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Direction {
    /// `+`: above the previous close.
    Up,
    /// `-`: below the previous close.
    Down,
    /// No sign: unchanged (보합).
    Unchanged,
}

/// The sign characters a value arrived with, kept so it re-encodes byte for byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum SignForm {
    #[default]
    None,
    Plus,
    Minus,
    /// `++`, `+-`, `-+`, `--`: Kiwoom's doubled signs (first = direction).
    Double(bool, bool),
}

impl SignForm {
    /// Split the leading sign characters off `raw`.
    #[inline]
    fn split(raw: &str) -> (SignForm, &str) {
        let b = raw.as_bytes();
        let plus = |c: u8| c == b'+';
        match b {
            [a @ (b'+' | b'-'), c @ (b'+' | b'-'), ..] => {
                (SignForm::Double(plus(*a), plus(*c)), &raw[2..])
            }
            [b'+', ..] => (SignForm::Plus, &raw[1..]),
            [b'-', ..] => (SignForm::Minus, &raw[1..]),
            _ => (SignForm::None, raw),
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            SignForm::None => "",
            SignForm::Plus => "+",
            SignForm::Minus => "-",
            SignForm::Double(true, true) => "++",
            SignForm::Double(true, false) => "+-",
            SignForm::Double(false, true) => "-+",
            SignForm::Double(false, false) => "--",
        }
    }

    fn direction(self) -> Direction {
        match self {
            SignForm::None => Direction::Unchanged,
            SignForm::Plus | SignForm::Double(true, _) => Direction::Up,
            SignForm::Minus | SignForm::Double(false, _) => Direction::Down,
        }
    }

    fn of(direction: Direction) -> SignForm {
        match direction {
            Direction::Up => SignForm::Plus,
            Direction::Down => SignForm::Minus,
            Direction::Unchanged => SignForm::None,
        }
    }
}

/// A magnitude type a sign can be put in front of: `i64` (won, shares) or `Decimal` (USD,
/// index points).
pub trait Magnitude: Wire + Copy + PartialOrd + Default + fmt::Display {
    /// The value without its sign.
    fn magnitude(self) -> Self;
}
impl Magnitude for i64 {
    fn magnitude(self) -> Self {
        self.saturating_abs()
    }
}
impl Magnitude for Decimal {
    fn magnitude(self) -> Self {
        self.abs()
    }
}

/// A price (or index level) whose wire sign is its direction against the previous close.
///
/// ```
/// use kiwoom_runtime::codec::{Directed, Direction, Wire, Format};
/// let open = Directed::<i64>::parse("-40100", &Format::PLAIN).unwrap();
/// assert_eq!(open.value(), 40_100);              // the price a trader reads
/// assert_eq!(open.direction(), Direction::Down); // below yesterday's close
/// assert_eq!(open.to_string(), "40100");
/// assert_eq!(open.write(&Format::PLAIN), "-40100"); // re-encodes as it came
/// ```
///
/// The magnitude is read with [`value`](Self::value) rather than through `Deref`: a price
/// is not a smart pointer, and an explicit call keeps `price > 70_000` from compiling
/// into a comparison of something else.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Directed<T> {
    value: T,
    sign: SignForm,
}

impl<T: Magnitude> Directed<T> {
    /// A value with its direction (for tests, simulators and re-encoding); a negative
    /// `value` is taken as its magnitude.
    pub fn new(value: T, direction: Direction) -> Self {
        Directed {
            value: value.magnitude(),
            sign: SignForm::of(direction),
        }
    }

    /// The magnitude: the price a trader reads, never negative.
    pub fn value(&self) -> T {
        self.value
    }

    /// Up, down or unchanged against the previous close.
    pub fn direction(&self) -> Direction {
        self.sign.direction()
    }
}

/// Unsigned digits as an integer writes them (no leading zeros but `0`).
fn plain_digits(digits: &str) -> bool {
    super::wire::plain_number(digits) && !digits.starts_with('-')
}

impl<T: fmt::Debug> fmt::Debug for Directed<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?} {:?}", self.value, self.sign.direction())
    }
}

/// Prints the plain number, as a trader reads it.
impl<T: fmt::Display> fmt::Display for Directed<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.value.fmt(f)
    }
}

impl From<Directed<i64>> for i64 {
    fn from(d: Directed<i64>) -> i64 {
        d.value
    }
}

impl From<Directed<Decimal>> for Decimal {
    fn from(d: Directed<Decimal>) -> Decimal {
        d.value
    }
}

impl<T: Magnitude> Wire for Directed<T> {
    fn parse(raw: &str, format: &Format) -> Result<Self, WireError> {
        Self::parse_canonical(raw, format).map(|(value, _)| value)
    }

    /// Canonical when the digits after the sign are (the sign is kept as it came).
    #[inline(always)]
    fn parse_canonical(raw: &str, format: &Format) -> Result<(Self, bool), WireError> {
        let (sign, digits) = SignForm::split(raw);
        if digits.is_empty() {
            return Err("a sign without digits".into());
        }
        if digits.starts_with(['+', '-']) {
            return Err("more than two signs".into());
        }
        let (value, canonical) = T::parse_canonical(digits, format)?;
        Ok((Directed { value, sign }, canonical))
    }

    fn is_canonical(raw: &str, value: &Self, format: &Format) -> bool {
        let digits = &raw[value.sign.as_str().len()..];
        T::is_canonical(digits, &value.value, format)
    }

    fn write(&self, format: &Format) -> Cow<'_, str> {
        match self.sign {
            SignForm::None => self.value.write(format),
            sign => Cow::Owned(format!("{}{}", sign.as_str(), self.value.write(format))),
        }
    }
}

/// Which side took liquidity in a trade: the sign of 0B 거래량.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Aggressor {
    /// `+`: an aggressive buyer lifted the offer (매수체결).
    Buyer,
    /// `-`: an aggressive seller hit the bid (매도체결).
    Seller,
    /// No sign: Kiwoom did not say.
    Unknown,
}

/// A trade quantity and the side that took liquidity (`"+82"`: 82 shares, buyer-initiated).
///
/// ```
/// use kiwoom_runtime::codec::{SidedQuantity, Aggressor, Wire, Format};
/// let q = SidedQuantity::parse("-82", &Format::PLAIN).unwrap();
/// assert_eq!((q.value(), q.aggressor()), (82, Aggressor::Seller));
/// assert_eq!(q.write(&Format::PLAIN), "-82");
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct SidedQuantity {
    quantity: i64,
    sign: SignForm,
}

impl SidedQuantity {
    pub fn new(quantity: u32, aggressor: Aggressor) -> Self {
        SidedQuantity {
            quantity: i64::from(quantity),
            sign: match aggressor {
                Aggressor::Buyer => SignForm::Plus,
                Aggressor::Seller => SignForm::Minus,
                Aggressor::Unknown => SignForm::None,
            },
        }
    }

    /// The number of shares traded, never negative.
    pub fn value(&self) -> i64 {
        self.quantity
    }

    pub fn aggressor(&self) -> Aggressor {
        match self.sign.direction() {
            Direction::Up => Aggressor::Buyer,
            Direction::Down => Aggressor::Seller,
            Direction::Unchanged => Aggressor::Unknown,
        }
    }
}

impl fmt::Debug for SidedQuantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {:?}", self.quantity, self.aggressor())
    }
}

impl fmt::Display for SidedQuantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.quantity.fmt(f)
    }
}

impl Wire for SidedQuantity {
    fn parse(raw: &str, format: &Format) -> Result<Self, WireError> {
        Self::parse_canonical(raw, format).map(|(value, _)| value)
    }

    /// As [`Directed`]: the digits after the sign, which carry no sign of their own.
    #[inline]
    fn parse_canonical(raw: &str, format: &Format) -> Result<(Self, bool), WireError> {
        let (d, canonical) = Directed::<i64>::parse_canonical(raw, format)?;
        let quantity = SidedQuantity {
            quantity: d.value,
            sign: d.sign,
        };
        Ok((quantity, canonical))
    }

    fn is_canonical(raw: &str, value: &Self, _: &Format) -> bool {
        plain_digits(&raw[value.sign.as_str().len()..])
    }

    fn write(&self, format: &Format) -> Cow<'_, str> {
        Directed {
            value: self.quantity,
            sign: self.sign,
        }
        .write(format)
        .into_owned()
        .into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const F: Format = Format::PLAIN;

    #[test]
    fn direction_signed_prices_are_magnitudes_and_round_trip() {
        for (raw, value, direction) in [
            ("-40100", 40_100, Direction::Down),
            ("+41500", 41_500, Direction::Up),
            ("40100", 40_100, Direction::Unchanged),
            ("--1500", 1_500, Direction::Down),
            ("+-2076560", 2_076_560, Direction::Up),
        ] {
            let d = Directed::<i64>::parse(raw, &F).unwrap();
            assert_eq!((d.value(), d.direction()), (value, direction), "{raw}");
            assert_eq!(d.write(&F), raw);
            assert!(d.value() >= 0);
        }
        let usd = Directed::<Decimal>::parse("-198.5400", &F).unwrap();
        assert_eq!(usd.value().to_string(), "198.5400");
        assert_eq!(usd.write(&F), "-198.5400");
    }

    #[test]
    fn garbage_is_an_error() {
        for raw in ["-", "+-", "---5", "12a", "-1.5"] {
            assert!(Directed::<i64>::parse(raw, &F).is_err(), "{raw}");
        }
    }

    #[test]
    fn built_values_take_the_magnitude() {
        let d = Directed::new(-70_000i64, Direction::Down);
        assert_eq!(
            (d.value(), d.write(&F).into_owned()),
            (70_000, "-70000".into())
        );
        let d = Directed::new(Decimal::new(-12345, 2), Direction::Up);
        assert_eq!(d.write(&F), "+123.45");
    }

    #[test]
    fn trade_quantity_sign_is_the_aggressor() {
        let q = SidedQuantity::parse("+82", &F).unwrap();
        assert_eq!((q.value(), q.aggressor()), (82, Aggressor::Buyer));
        assert_eq!(q.write(&F), "+82");
        assert_eq!(SidedQuantity::new(5, Aggressor::Seller).write(&F), "-5");
    }
}
