//! Prices as people read them in messages: `70,050` for won, `$1.005` for dollars.

use rust_decimal::Decimal;

use crate::tick::Currency;

/// `v` with thousands separators; dollars carry a `$` and at least two decimals.
pub fn price(currency: Currency, v: Decimal) -> String {
    let v = v.normalize();
    let negative = v.is_sign_negative() && !v.is_zero();
    let text = v.abs().to_string();
    let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
    let mut grouped = String::with_capacity(int.len() + int.len() / 3);
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let sign = if negative { "-" } else { "" };
    match currency {
        Currency::Krw if frac.is_empty() => format!("{sign}{grouped}"),
        Currency::Krw => format!("{sign}{grouped}.{frac}"),
        Currency::Usd => format!("{sign}${grouped}.{frac:0<2}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn separators_and_decimals() {
        assert_eq!(price(Currency::Krw, Decimal::from(70_050)), "70,050");
        assert_eq!(price(Currency::Krw, Decimal::from(1_000_000)), "1,000,000");
        assert_eq!(price(Currency::Krw, Decimal::from(950)), "950");
        assert_eq!(price(Currency::Usd, Decimal::new(1005, 3)), "$1.005");
        assert_eq!(price(Currency::Usd, Decimal::new(2_130_400, 4)), "$213.04");
        assert_eq!(price(Currency::Usd, Decimal::new(1, 2)), "$0.01");
    }
}
