//! [`Wire`]: one Rust type's string form on the wire, both ways.

use std::borrow::Cow;
use std::fmt;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime, Timelike};
use rust_decimal::Decimal;

use super::Format;

/// Why a raw value did not parse; becomes the `reason` of a `DecodeError`.
pub type WireError = Cow<'static, str>;

/// A value type that Kiwoom writes as a JSON string.
pub trait Wire: Sized {
    /// Parse a raw value that is already trimmed and not empty.
    fn parse(raw: &str, format: &Format) -> Result<Self, WireError>;
    /// The value in Kiwoom's string form (numbers unpadded, scale undone, sign kept).
    fn write(&self, format: &Format) -> Cow<'_, str>;
    /// True for a raw value that means "no value" for this type (Kiwoom writes a missing
    /// date as `00000000`); it decodes to `None` like an empty string.
    fn is_absent(raw: &str) -> bool {
        let _ = raw;
        false
    }
    /// True for an enum's unknown code: requests refuse to send it.
    fn is_unknown(&self) -> bool {
        false
    }
    /// Why this value cannot be sent in a request (a zero quantity, a price of zero), if it
    /// cannot; requests refuse it before anything is sent.
    fn invalid_reason(&self) -> Option<&'static str> {
        None
    }
    /// True when `value`, parsed from `raw` (already trimmed), writes back as exactly `raw`.
    /// Decoders keep the text of values that do not (see `WireForms`); types override this
    /// with a check that does not allocate.
    fn is_canonical(raw: &str, value: &Self, format: &Format) -> bool {
        value.write(format) == raw
    }
    /// [`parse`](Self::parse) and [`is_canonical`](Self::is_canonical) of the same text in
    /// one step: what the decoders call. Numbers override it to tell the canonical form from
    /// what the parse saw, instead of reading the text a second time.
    #[inline]
    fn parse_canonical(raw: &str, format: &Format) -> Result<(Self, bool), WireError> {
        let value = Self::parse(raw, format)?;
        let canonical = Self::is_canonical(raw, &value, format);
        Ok((value, canonical))
    }
    /// True when `""` is itself a documented value of the type (an enum with the code
    /// `''`), so an empty string decodes to a value instead of `None`.
    const EMPTY_IS_A_VALUE: bool = false;
}

impl Wire for String {
    fn parse(raw: &str, _: &Format) -> Result<Self, WireError> {
        Ok(raw.to_owned())
    }
    fn is_canonical(_: &str, _: &Self, _: &Format) -> bool {
        true
    }
    fn write(&self, _: &Format) -> Cow<'_, str> {
        Cow::Borrowed(self)
    }
}

impl Wire for i64 {
    fn parse(raw: &str, _: &Format) -> Result<Self, WireError> {
        parse_integer(raw)
    }
    fn is_canonical(raw: &str, _: &Self, _: &Format) -> bool {
        plain_number(raw)
    }
    #[inline(always)]
    fn parse_canonical(raw: &str, _: &Format) -> Result<(Self, bool), WireError> {
        integer_form(raw)
    }
    fn write(&self, _: &Format) -> Cow<'_, str> {
        Cow::Owned(self.to_string())
    }
}

impl Wire for Decimal {
    fn parse(raw: &str, format: &Format) -> Result<Self, WireError> {
        parse_decimal(raw, format.scale)
    }
    fn is_canonical(raw: &str, value: &Self, format: &Format) -> bool {
        plain_number(raw) && (format.scale == 0 || value.write(format) == raw)
    }
    #[inline(always)]
    fn parse_canonical(raw: &str, format: &Format) -> Result<(Self, bool), WireError> {
        let (value, plain) = decimal_form(raw, format.scale)?;
        Ok((
            value,
            plain && (format.scale == 0 || value.write(format) == raw),
        ))
    }
    fn write(&self, format: &Format) -> Cow<'_, str> {
        Cow::Owned(write_decimal(*self, format.scale))
    }
}

impl Wire for NaiveDate {
    fn is_canonical(_: &str, _: &Self, _: &Format) -> bool {
        true
    }
    fn is_absent(raw: &str) -> bool {
        raw.len() == 8 && raw.bytes().all(|b| b == b'0')
    }
    fn parse(raw: &str, _: &Format) -> Result<Self, WireError> {
        let [y, m, d] = digit_groups(raw, &[4, 2, 2]).ok_or("expected a date YYYYMMDD")?;
        NaiveDate::from_ymd_opt(y as i32, m, d).ok_or_else(|| "no such calendar date".into())
    }
    fn write(&self, _: &Format) -> Cow<'_, str> {
        Cow::Owned(self.format("%Y%m%d").to_string())
    }
}

impl Wire for NaiveTime {
    fn is_canonical(_: &str, _: &Self, _: &Format) -> bool {
        true
    }
    fn parse(raw: &str, format: &Format) -> Result<Self, WireError> {
        if format.time_digits == 4 {
            let [h, m] = digit_groups(raw, &[2, 2]).ok_or("expected a time HHMM")?;
            NaiveTime::from_hms_opt(h, m, 0).ok_or_else(|| "no such time of day".into())
        } else {
            let [h, m, s] = digit_groups(raw, &[2, 2, 2]).ok_or("expected a time HHMMSS")?;
            NaiveTime::from_hms_opt(h, m, s).ok_or_else(|| "no such time of day".into())
        }
    }
    fn write(&self, format: &Format) -> Cow<'_, str> {
        Cow::Owned(if format.time_digits == 4 {
            format!("{:02}{:02}", self.hour(), self.minute())
        } else {
            format!("{:02}{:02}{:02}", self.hour(), self.minute(), self.second())
        })
    }
}

impl Wire for NaiveDateTime {
    fn is_canonical(_: &str, _: &Self, _: &Format) -> bool {
        true
    }
    fn is_absent(raw: &str) -> bool {
        raw.len() == 14 && raw.bytes().all(|b| b == b'0')
    }
    fn parse(raw: &str, _: &Format) -> Result<Self, WireError> {
        let [y, mo, d, h, mi, s] =
            digit_groups(raw, &[4, 2, 2, 2, 2, 2]).ok_or("expected a date-time YYYYMMDDHHMMSS")?;
        NaiveDate::from_ymd_opt(y as i32, mo, d)
            .and_then(|date| date.and_hms_opt(h, mi, s))
            .ok_or_else(|| "no such date-time".into())
    }
    fn write(&self, _: &Format) -> Cow<'_, str> {
        Cow::Owned(self.format("%Y%m%d%H%M%S").to_string())
    }
}

/// Text that must not be logged (app key, secret key, token). `Debug` prints `<redacted>`.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }
    /// The secret itself. Call only where it must be sent or stored.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Secret(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Secret(value.to_owned())
    }
}

impl Wire for Secret {
    fn is_canonical(_: &str, _: &Self, _: &Format) -> bool {
        true
    }
    fn parse(raw: &str, _: &Format) -> Result<Self, WireError> {
        Ok(Secret(raw.to_owned()))
    }
    fn write(&self, _: &Format) -> Cow<'_, str> {
        Cow::Borrowed(&self.0)
    }
}

/// A number written the way its typed value writes back: at most a single `-`, no `+`, no
/// leading zeros (`0` and `0.5` excepted), no `-0`.
/// `raw.trim()`, skipping the character-by-character scan when the text starts and ends
/// with a visible ASCII character, as nearly every value Kiwoom sends does (padding is
/// spaces; a value is trimmed on every decode).
#[inline]
pub(crate) fn trim(raw: &str) -> &str {
    let visible = |b: u8| b > b' ' && b < 0x7f;
    match raw.as_bytes() {
        [] => raw,
        [only] if visible(*only) => raw,
        [first, .., last] if visible(*first) && visible(*last) => raw,
        _ => raw.trim(),
    }
}

#[inline]
pub(crate) fn plain_number(raw: &str) -> bool {
    let (negative, body) = match raw.strip_prefix('-') {
        Some(body) => (true, body),
        None => (false, raw),
    };
    if negative && body.bytes().all(|b| b == b'0' || b == b'.') {
        return false; // `-0`, `-0.00`: the typed zero has no sign
    }
    match body.as_bytes() {
        [] | [b'+' | b'-' | b'.', ..] => false,
        [b'0'] => !negative,
        [b'0', b'.', ..] => true,
        [b'0', ..] => false,
        _ => true,
    }
}

/// Splits a leading sign off. Kiwoom writes the direction against the previous close as
/// the sign and sometimes puts it in front of a value that carries its own sign (`--1500`,
/// `+-2076560`): with two signs, the second is the value's sign.
#[inline]
fn split_sign(raw: &str) -> Result<(bool, &str), WireError> {
    let bytes = raw.as_bytes();
    let (negative, skip) = match bytes {
        [b'-' | b'+', second @ (b'-' | b'+'), ..] => (*second == b'-', 2),
        [b'-', ..] => (true, 1),
        [b'+', ..] => (false, 1),
        _ => (false, 0),
    };
    let rest = &raw[skip..];
    if rest.is_empty() {
        return Err("a sign without digits".into());
    }
    Ok((negative, rest))
}

/// `+0001234` -> 1234, `--1500` -> -1500, `-00000000196888` -> -196888.
#[inline]
pub(crate) fn parse_integer(raw: &str) -> Result<i64, WireError> {
    integer_form(raw).map(|(value, _)| value)
}

/// [`parse_integer`], and whether `raw` is the form the value writes back as
/// ([`plain_number`]), told from the sign and the first digit the parse saw.
#[inline(always)]
fn integer_form(raw: &str) -> Result<(i64, bool), WireError> {
    let (negative, digits) = split_sign(raw)?;
    let value = integer_digits(negative, digits)?;
    Ok((value, plain_form(raw, digits, value == 0)))
}

#[inline]
fn integer_digits(negative: bool, digits: &str) -> Result<i64, WireError> {
    // Up to 18 digits cannot overflow an i64: no checked arithmetic on the common path.
    if digits.len() <= 18 {
        let mut value: i64 = 0;
        for b in digits.bytes() {
            let digit = b.wrapping_sub(b'0');
            if digit > 9 {
                return Err(not_whole(b));
            }
            value = value * 10 + i64::from(digit);
        }
        return Ok(if negative { -value } else { value });
    }
    let mut value: i64 = 0;
    for b in digits.bytes() {
        if !b.is_ascii_digit() {
            return Err(not_whole(b));
        }
        value = value
            .checked_mul(10)
            .and_then(|v| v.checked_sub(i64::from(b - b'0')))
            .ok_or("number out of range")?;
    }
    if negative {
        Ok(value)
    } else {
        value
            .checked_neg()
            .ok_or_else(|| "number out of range".into())
    }
}

/// What [`plain_number`] says of a number that parsed, from the parse: `raw` is its sign
/// characters then `body` (digits, maybe one point), `zero` its value is zero. The sign is
/// plain when absent, or a single `-` before a value that is not zero; the body when it
/// does not start with a point or with a zero followed by anything but a point.
#[inline(always)]
fn plain_form(raw: &str, body: &str, zero: bool) -> bool {
    let plain_sign = match raw.len() - body.len() {
        0 => true,
        1 => raw.as_bytes()[0] == b'-' && !zero,
        _ => false,
    };
    let plain_body = !matches!(body.as_bytes(), [b'.', ..] | [b'0', b'0'..=b'9', ..]);
    plain_sign && plain_body
}

fn not_whole(b: u8) -> WireError {
    if b == b'.' {
        "expected a whole number, found a decimal point".into()
    } else {
        "expected a whole number".into()
    }
}

/// `+2.85` -> 2.85, `000000002.98` -> 2.98, `683580` with scale 2 -> 6835.80.
pub(crate) fn parse_decimal(raw: &str, scale: u8) -> Result<Decimal, WireError> {
    decimal_form(raw, scale).map(|(value, _)| value)
}

/// [`parse_decimal`], and whether `raw` is [`plain_number`] (see [`plain_form`]).
#[inline(always)]
fn decimal_form(raw: &str, scale: u8) -> Result<(Decimal, bool), WireError> {
    let (negative, body) = split_sign(raw)?;
    let value = decimal_digits(negative, body, scale)?;
    Ok((value, plain_form(raw, body, value.is_zero())))
}

#[inline(always)]
fn decimal_digits(negative: bool, body: &str, scale: u8) -> Result<Decimal, WireError> {
    // At most 19 characters hold at most 19 digits, which a u64 holds without checked
    // arithmetic: every value Kiwoom sends. The i128 loop below is for the rest.
    if body.len() <= 19 {
        let mut mantissa: u64 = 0;
        let mut fraction_digits: u32 = 0;
        let mut seen_point = false;
        let mut digits = 0u32;
        for b in body.bytes() {
            let digit = b.wrapping_sub(b'0');
            if digit <= 9 {
                mantissa = mantissa * 10 + u64::from(digit);
                digits += 1;
                fraction_digits += u32::from(seen_point);
            } else if b == b'.' && !seen_point {
                seen_point = true;
            } else {
                return Err("expected a decimal number".into());
            }
        }
        if digits == 0 {
            return Err("expected a decimal number".into());
        }
        let total_scale = fraction_digits + u32::from(scale);
        if total_scale > 28 {
            return Err("number out of range".into());
        }
        // `from_parts` drops the sign of a zero, as `-0.00` decoded before.
        return Ok(Decimal::from_parts(
            mantissa as u32,
            (mantissa >> 32) as u32,
            0,
            negative,
            total_scale,
        ));
    }
    let mut mantissa: i128 = 0;
    let mut fraction_digits: u32 = 0;
    let mut seen_point = false;
    let mut digits = 0usize;
    for b in body.bytes() {
        match b {
            b'0'..=b'9' => {
                digits += 1;
                mantissa = mantissa
                    .checked_mul(10)
                    .and_then(|m| m.checked_add(i128::from(b - b'0')))
                    .ok_or("number out of range")?;
                if seen_point {
                    fraction_digits += 1;
                }
            }
            b'.' if !seen_point => seen_point = true,
            _ => return Err("expected a decimal number".into()),
        }
    }
    if digits == 0 {
        return Err("expected a decimal number".into());
    }
    let total_scale = fraction_digits + u32::from(scale);
    if total_scale > 28 || mantissa > 79_228_162_514_264_337_593_543_950_335 {
        return Err("number out of range".into());
    }
    let value =
        Decimal::from_i128_with_scale(if negative { -mantissa } else { mantissa }, total_scale);
    Ok(value)
}

/// The inverse of [`parse_decimal`]: the scale is undone so the wire integer comes back.
pub(crate) fn write_decimal(value: Decimal, scale: u8) -> String {
    if scale == 0 {
        return value.to_string();
    }
    let mut value = value;
    let scale = u32::from(scale);
    if value.scale() < scale {
        value.rescale(scale);
    }
    let unscaled = Decimal::from_i128_with_scale(value.mantissa(), value.scale() - scale);
    unscaled.to_string()
}

/// Fixed-width all-digit groups: `20250502` with `[4, 2, 2]` -> `[2025, 5, 2]`.
fn digit_groups<const N: usize>(raw: &str, widths: &[usize; N]) -> Option<[u32; N]> {
    let mut bytes = raw.as_bytes();
    let mut out = [0u32; N];
    for (slot, &width) in out.iter_mut().zip(widths) {
        let (group, rest) = bytes.split_at_checked(width)?;
        for &b in group {
            let digit = b.wrapping_sub(b'0');
            if digit > 9 {
                return None;
            }
            *slot = *slot * 10 + u32::from(digit);
        }
        bytes = rest;
    }
    bytes.is_empty().then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(raw: &str, scale: u8) -> String {
        parse_decimal(raw, scale)
            .map(|d| d.to_string())
            .unwrap_or_else(|e| format!("error: {e}"))
    }

    #[test]
    fn integers_keep_the_sign_and_drop_padding() {
        assert_eq!(parse_integer("+0001234"), Ok(1234));
        assert_eq!(parse_integer("-78800"), Ok(-78800));
        assert_eq!(parse_integer("--1500"), Ok(-1500));
        assert_eq!(parse_integer("--19229312"), Ok(-19229312));
        assert_eq!(parse_integer("++7"), Ok(7));
        assert_eq!(parse_integer("+-2076560"), Ok(-2076560));
        assert_eq!(parse_integer("-00000000196888"), Ok(-196888));
        assert_eq!(parse_integer("000000017598258"), Ok(17598258));
        assert_eq!(parse_integer("-9223372036854775808"), Ok(i64::MIN));
    }

    #[test]
    fn saturated_volume_is_kept_as_sent() {
        assert_eq!(parse_integer("4294967295"), Ok(4_294_967_295));
    }

    #[test]
    fn integer_garbage_is_an_error() {
        assert!(parse_integer("12a").is_err());
        assert!(parse_integer("1.5").unwrap_err().contains("decimal point"));
        assert!(parse_integer("-").is_err());
        assert!(parse_integer("+-+5").is_err());
        assert!(parse_integer("9223372036854775808").is_err());
        assert!(parse_integer("1 000").is_err());
    }

    #[test]
    fn decimals_parse_with_scale() {
        assert_eq!(dec("683580", 2), "6835.80");
        assert_eq!(dec("+2.85", 0), "2.85");
        assert_eq!(dec("--96.35", 0), "-96.35");
        assert_eq!(dec("000000002.98", 0), "2.98");
        assert_eq!(dec("+198.5400", 0), "198.5400");
        assert_eq!(dec("000001500", 2), "15.00");
        assert_eq!(dec("-12", 2), "-0.12");
        assert!(dec("1.2.3", 0).starts_with("error"));
        // The u64 fast path (up to 19 characters) and the i128 loop agree at the border.
        assert_eq!(dec("-0.00", 0), "0.00");
        assert_eq!(dec("--0", 2), "0.00");
        assert_eq!(dec("9999999999999999999", 0), "9999999999999999999");
        assert_eq!(dec("99999999999999999999", 0), "99999999999999999999");
        assert_eq!(dec("-123456789.123456789", 0), "-123456789.123456789");
        assert_eq!(dec("-123456789.1234567890", 0), "-123456789.1234567890");
        assert_eq!(dec("1", 28), "0.0000000000000000000000000001");
        assert!(dec("1", 29).contains("out of range"));
        assert!(dec("0.1", 28).contains("out of range"));
        assert!(dec("", 0).starts_with("error") && dec("+", 0).starts_with("error"));
        assert!(dec(".", 0).starts_with("error"));
        assert!(dec("abc", 0).starts_with("error"));
    }

    #[test]
    fn decimals_write_back_in_wire_form() {
        let d = parse_decimal("683580", 2).unwrap();
        assert_eq!(write_decimal(d, 2), "683580");
        assert_eq!(write_decimal(Decimal::new(68358, 1), 2), "683580");
        assert_eq!(
            write_decimal(parse_decimal("-2.85", 0).unwrap(), 0),
            "-2.85"
        );
    }

    #[test]
    fn dates_and_times() {
        let f = Format::PLAIN;
        assert_eq!(
            NaiveDate::parse("20250502", &f).unwrap().write(&f),
            "20250502"
        );
        assert!(NaiveDate::parse("20251302", &f).is_err());
        assert!(NaiveDate::is_absent("00000000") && !NaiveDate::is_absent("20250101"));
        assert!(NaiveDate::parse("2025050", &f).is_err());
        assert_eq!(NaiveTime::parse("153012", &f).unwrap().write(&f), "153012");
        let hhmm = Format {
            time_digits: 4,
            ..Format::PLAIN
        };
        assert_eq!(
            NaiveTime::parse("0930", &hhmm).unwrap().write(&hhmm),
            "0930"
        );
        assert!(NaiveTime::parse("0930", &f).is_err());
        assert_eq!(
            NaiveDateTime::parse("20250502153012", &f)
                .unwrap()
                .write(&f),
            "20250502153012"
        );
    }

    #[test]
    fn secrets_do_not_debug_print() {
        assert_eq!(format!("{:?}", Secret::new("abc")), "<redacted>");
    }

    /// `parse_canonical` is `parse` then `is_canonical`, for every type that computes it
    /// in one pass, on any text of number characters (the decoders rely on it to keep the
    /// wire form of exactly the values that would not write back as they came).
    mod one_pass {
        use proptest::prelude::*;

        use crate::codec::{Directed, SidedQuantity};

        use super::*;

        fn two_passes<T: Wire>(raw: &str, format: &Format) -> Result<(T, bool), WireError> {
            let value = T::parse(raw, format)?;
            let canonical = T::is_canonical(raw, &value, format);
            Ok((value, canonical))
        }

        fn agrees<T: Wire + PartialEq + std::fmt::Debug>(raw: &str, format: &Format) {
            assert_eq!(
                T::parse_canonical(raw, format),
                two_passes::<T>(raw, format),
                "{raw:?} as {}",
                std::any::type_name::<T>()
            );
        }

        fn all(raw: &str) {
            for format in [Format::PLAIN, Format::scaled(2)] {
                agrees::<i64>(raw, &format);
                agrees::<Decimal>(raw, &format);
                agrees::<Directed<i64>>(raw, &format);
                agrees::<Directed<Decimal>>(raw, &format);
                agrees::<SidedQuantity>(raw, &format);
            }
        }

        #[test]
        fn the_forms_kiwoom_sends() {
            for raw in [
                "0",
                "-0",
                "+0",
                "00",
                "05",
                "-05",
                "5",
                "-5",
                "+5",
                "--5",
                "+-5",
                "-+5",
                "++5",
                "0.5",
                "-0.5",
                "00.5",
                ".5",
                "-.5",
                "5.",
                "-0.00",
                "0.00",
                "+2.85",
                "-20800",
                "+82",
                "000000002.98",
                "-00000000196888",
                "4294967295",
                "1234567890123456789",
                "12345678901234567890",
                "-",
                "+",
                "",
                "1a",
                "1.2.3",
            ] {
                all(raw);
            }
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(3000))]
            #[test]
            fn any_number_text(raw in "[-+]{0,3}[0-9.]{0,22}") {
                all(&raw);
            }
        }
    }
}
