//! Order inputs as distinct types, so the values a caller could swap do not compile swapped.
//!
//! An order request's quantity and price were both `i64`, its stock code and original order
//! number both `String`: `new(venue, stock, price, quantity)` compiled with the two numbers
//! swapped. Each is its own type here, chosen by the spec's field role (`role: quantity`,
//! `role: price`, ...), and requests check them before anything is sent (a quantity or
//! price of zero is refused with the TR and field named).

use std::borrow::Cow;
use std::fmt;

use rust_decimal::Decimal;

use super::{Format, Wire, WireError};

/// A number of shares: `Quantity(10)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Quantity(pub u64);

impl Quantity {
    pub fn get(self) -> u64 {
        self.0
    }
}

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl Wire for Quantity {
    fn invalid_reason(&self) -> Option<&'static str> {
        (self.0 == 0).then_some("an order quantity must be at least 1")
    }
    fn parse(raw: &str, _: &Format) -> Result<Self, WireError> {
        let value = super::wire::parse_integer(raw)?;
        u64::try_from(value)
            .map(Quantity)
            .map_err(|_| "a quantity cannot be negative".into())
    }
    fn write(&self, _: &Format) -> Cow<'_, str> {
        Cow::Owned(self.0.to_string())
    }
    fn is_canonical(raw: &str, _: &Self, _: &Format) -> bool {
        super::wire::plain_number(raw)
    }
}

/// A limit or stop price: `Price(70_000)` won, or `Price(dec!(187.25))` dollars for US
/// orders (`Price<Decimal>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Price<T = i64>(pub T);

impl<T: Copy> Price<T> {
    pub fn get(self) -> T {
        self.0
    }
}

impl<T: fmt::Display> fmt::Display for Price<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl Price<i64> {
    /// True for a price above zero (Kiwoom refuses zero and negative limit prices).
    pub fn is_positive(&self) -> bool {
        self.0 > 0
    }
}

impl Price<Decimal> {
    pub fn is_positive(&self) -> bool {
        self.0 > Decimal::ZERO
    }
}

impl<T: Wire + PartialOrd + Default> Wire for Price<T> {
    fn invalid_reason(&self) -> Option<&'static str> {
        (self.0 <= T::default()).then_some("a price must be more than zero")
    }
    fn parse(raw: &str, format: &Format) -> Result<Self, WireError> {
        T::parse(raw, format).map(Price)
    }
    fn write(&self, format: &Format) -> Cow<'_, str> {
        self.0.write(format)
    }
    fn is_canonical(raw: &str, value: &Self, format: &Format) -> bool {
        T::is_canonical(raw, &value.0, format)
    }
}

/// A stock code as requests take it: `005930`, with Kiwoom's venue suffix where wanted
/// (`005930_NX` for NXT, `005930_AL` for the combined book). Kiwoom's account inquiries
/// write codes with a one-letter market prefix (`A005930`; `J` ELW, `Q` ETN); converting
/// such a code drops the prefix, so a code read from kt00018 can be ordered as is.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct StockCode(String);

impl StockCode {
    pub fn new(code: impl AsRef<str>) -> Self {
        let code = code.as_ref().trim();
        let bytes = code.as_bytes();
        // `A005930` (7 characters, or 10 with a `_NX` suffix): drop the market letter.
        let base_len = code.find('_').unwrap_or(code.len());
        let prefixed = base_len == 7
            && matches!(bytes.first(), Some(b'A' | b'J' | b'Q'))
            && bytes[1..base_len].iter().all(u8::is_ascii_alphanumeric);
        StockCode(if prefixed {
            code[1..].to_owned()
        } else {
            code.to_owned()
        })
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The code without a venue suffix: `005930` for `005930_NX`.
    pub fn base(&self) -> &str {
        self.0.split('_').next().unwrap_or(&self.0)
    }
}

impl fmt::Display for StockCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for StockCode {
    fn from(code: &str) -> Self {
        StockCode::new(code)
    }
}

impl From<String> for StockCode {
    fn from(code: String) -> Self {
        StockCode::new(code)
    }
}

impl From<&String> for StockCode {
    fn from(code: &String) -> Self {
        StockCode::new(code)
    }
}

impl Wire for StockCode {
    fn parse(raw: &str, _: &Format) -> Result<Self, WireError> {
        Ok(StockCode(raw.to_owned()))
    }
    fn write(&self, _: &Format) -> Cow<'_, str> {
        Cow::Borrowed(&self.0)
    }
    fn is_canonical(_: &str, _: &Self, _: &Format) -> bool {
        true
    }
}

/// An order number Kiwoom assigned (`0000018`; US orders `000000282`). Kept as text: the
/// leading zeros are part of it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct OrderNumber(String);

impl OrderNumber {
    pub fn new(number: impl Into<String>) -> Self {
        OrderNumber(number.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for OrderNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for OrderNumber {
    fn from(number: &str) -> Self {
        OrderNumber(number.to_owned())
    }
}

impl From<String> for OrderNumber {
    fn from(number: String) -> Self {
        OrderNumber(number)
    }
}

impl From<&OrderNumber> for OrderNumber {
    fn from(number: &OrderNumber) -> Self {
        number.clone()
    }
}

impl Wire for OrderNumber {
    fn parse(raw: &str, _: &Format) -> Result<Self, WireError> {
        Ok(OrderNumber(raw.to_owned()))
    }
    fn write(&self, _: &Format) -> Cow<'_, str> {
        Cow::Borrowed(&self.0)
    }
    fn is_canonical(_: &str, _: &Self, _: &Format) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stock_codes_drop_the_market_prefix_and_keep_venues() {
        assert_eq!(StockCode::from("A005930").as_str(), "005930");
        assert_eq!(StockCode::from("005930").as_str(), "005930");
        assert_eq!(StockCode::from("005930_NX").as_str(), "005930_NX");
        assert_eq!(StockCode::from("A005930_NX").as_str(), "005930_NX");
        assert_eq!(StockCode::from("Q500001").as_str(), "500001");
        assert_eq!(StockCode::from("005930_AL").base(), "005930");
        // Not a prefixed code: left alone.
        assert_eq!(StockCode::from("AAPL").as_str(), "AAPL");
    }

    #[test]
    fn quantities_are_never_negative() {
        let f = Format::PLAIN;
        assert_eq!(Quantity::parse("000010", &f).unwrap(), Quantity(10));
        assert!(Quantity::parse("-1", &f).is_err());
        assert_eq!(Quantity(3).write(&f), "3");
    }
}
