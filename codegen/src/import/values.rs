//! Does a wire string parse under a value type? Shared by the example check in the importer
//! and by the capture sanity test. Empty strings are "absent" and fit every type.

use crate::spec::{Codec, ValueType};

pub fn fits(ty: ValueType, codec: &Codec, raw: &str) -> bool {
    let s = raw.trim();
    if s.is_empty() {
        return true;
    }
    match ty {
        ValueType::Integer => number(s, false) || (codec.scale.is_some() && number(s, true)),
        ValueType::Decimal => number(s, true),
        ValueType::Date => digits(s, 8),
        // A time of day: hours past 23 (US session times in KST, `273500`) do not fit.
        ValueType::Time => digits(s, 6) && s[..2] < *"24" && s[2..4] < *"60" && s[4..] < *"60",
        ValueType::Datetime => digits(s, 14),
        ValueType::Text | ValueType::Enum | ValueType::List | ValueType::Object => true,
    }
}

fn digits(s: &str, n: usize) -> bool {
    s.len() == n && s.bytes().all(|b| b.is_ascii_digit())
}

/// Up to two leading signs (`--19229312`, `+-5`), digits, and for decimals one point.
fn number(s: &str, decimal: bool) -> bool {
    let body = s.trim_start_matches(['+', '-']);
    if s.len() - body.len() > 2 || body.is_empty() {
        return false;
    }
    let mut parts = body.splitn(2, '.');
    let int = parts.next().unwrap_or("");
    match parts.next() {
        None => !int.is_empty() && int.bytes().all(|b| b.is_ascii_digit()),
        Some(frac) => {
            decimal
                && (!int.is_empty() || !frac.is_empty())
                && int.bytes().all(|b| b.is_ascii_digit())
                && frac.bytes().all(|b| b.is_ascii_digit())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_take_padding_and_signs_but_not_points() {
        let c = Codec::default();
        for ok in [
            "000000017598258",
            "-00000000196888",
            "--19229312",
            "+41500",
            "",
        ] {
            assert!(fits(ValueType::Integer, &c, ok), "{ok}");
        }
        for bad in ["0.00", "-0.00", "1,000", "abc", "---1"] {
            assert!(!fits(ValueType::Integer, &c, bad), "{bad}");
        }
        assert!(fits(ValueType::Decimal, &c, "-0.00"));
        assert!(fits(ValueType::Decimal, &c, "000000.1602"));
        assert!(!fits(ValueType::Date, &c, "2025-01-01"));
        assert!(fits(ValueType::Time, &c, "235959"));
        assert!(!fits(ValueType::Time, &c, "273500"));
        assert!(!fits(ValueType::Time, &c, "126000"));
    }
}
