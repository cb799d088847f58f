//! Writing a number the way a field's codec says: sign, scale (x100 integers), decimals,
//! zero padding (`000000017598258`, `-00000100`).

use codegen::spec::{Field, Sign, ValueType};

/// A signed decimal number: `mantissa * 10^-frac`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Num {
    pub mantissa: i64,
    pub frac: u8,
}

impl Num {
    pub fn int(v: i64) -> Num {
        Num {
            mantissa: v,
            frac: 0,
        }
    }

    /// The same value with exactly `digits` fraction digits (truncating).
    pub fn with_frac(self, digits: u8) -> i64 {
        let mut m = self.mantissa;
        let mut f = self.frac;
        while f < digits {
            m = m.saturating_mul(10);
            f += 1;
        }
        while f > digits {
            m /= 10;
            f -= 1;
        }
        m
    }
}

/// Render `n` for field `f`. `sign` is the sign character the value carries when the codec
/// documents one (a direction for prices, the value's own sign for changes); a negative value
/// always keeps its minus.
pub fn render(f: &Field, n: Num, direction: Option<char>) -> String {
    let body = match (f.ty, f.codec.scale) {
        (ValueType::Integer, Some(scale)) => n.with_frac(scale).abs().to_string(),
        (ValueType::Decimal, _) => {
            let d = f
                .codec
                .decimals
                .unwrap_or(if n.frac > 0 { n.frac } else { 2 });
            let m = n.with_frac(d).unsigned_abs();
            if d == 0 {
                m.to_string()
            } else {
                let p = 10u64.pow(u32::from(d));
                format!("{}.{:0width$}", m / p, m % p, width = usize::from(d))
            }
        }
        _ => n.with_frac(0).abs().to_string(),
    };
    let negative = n.mantissa < 0;
    // Zero-padded values never carry a `+` or a direction (captures: kt00018 `cur_prc`
    // "000000260000" above its previous close, CNSRREQ "10":"000075000" with sign 5); only a
    // negative value keeps its minus ("-00000100").
    if f.codec.zero_pad.is_some() {
        return pad(f, if negative { "-" } else { "" }, &body);
    }
    let sign = match f.codec.sign {
        Sign::Value => {
            if negative {
                "-"
            } else if n.mantissa > 0 {
                "+"
            } else {
                ""
            }
        }
        // A direction against the previous close, or a trade's side (`+` bought, `-` sold):
        // the sign the caller decided, not the value's own.
        Sign::Direction | Sign::Side => match direction {
            Some('+') => "+",
            Some('-') => "-",
            _ if negative => "-",
            _ => "",
        },
        // No sign documented: the value's own minus only.
        _ => {
            if negative {
                "-"
            } else {
                ""
            }
        }
    };
    pad(f, sign, &body)
}

/// Left zero padding to `codec.zero_pad` characters, the sign included.
pub fn pad(f: &Field, sign: &str, body: &str) -> String {
    match f.codec.zero_pad {
        Some(width) if sign.len() + body.len() < usize::from(width) => {
            let zeros = usize::from(width) - sign.len() - body.len();
            format!("{sign}{}{body}", "0".repeat(zeros))
        }
        _ => format!("{sign}{body}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use codegen::spec::Codec;

    fn field(ty: ValueType, codec: Codec) -> Field {
        Field {
            wire: "x".into(),
            korean: "x".into(),
            rust: "x".into(),
            ty,
            required: false,
            presence: Default::default(),
            max_length: None,
            description: String::new(),
            unit: None,
            codec,
            role: None,
            enumeration: None,
            row_shape: Default::default(),
            fields: vec![],
        }
    }

    #[test]
    fn codecs() {
        let padded = field(
            ValueType::Integer,
            Codec {
                zero_pad: Some(15),
                ..Default::default()
            },
        );
        assert_eq!(
            render(&padded, Num::int(17_598_258), None),
            "000000017598258"
        );
        let signed = field(
            ValueType::Integer,
            Codec {
                sign: Sign::Value,
                scale: Some(2),
                zero_pad: Some(9),
                ..Default::default()
            },
        );
        assert_eq!(
            render(
                &signed,
                Num {
                    mantissa: -1,
                    frac: 0
                },
                None
            ),
            "-00000100"
        );
        let dir = field(
            ValueType::Integer,
            Codec {
                sign: Sign::Direction,
                ..Default::default()
            },
        );
        assert_eq!(render(&dir, Num::int(78_800), Some('-')), "-78800");
        assert_eq!(render(&dir, Num::int(78_800), None), "78800");
        let usd = field(
            ValueType::Decimal,
            Codec {
                sign: Sign::Direction,
                decimals: Some(4),
                ..Default::default()
            },
        );
        assert_eq!(
            render(
                &usd,
                Num {
                    mantissa: 1_985_400,
                    frac: 4
                },
                Some('+')
            ),
            "+198.5400"
        );
        let rate = field(
            ValueType::Decimal,
            Codec {
                decimals: Some(2),
                zero_pad: Some(12),
                ..Default::default()
            },
        );
        assert_eq!(
            render(
                &rate,
                Num {
                    mantissa: 298,
                    frac: 2
                },
                None
            ),
            "000000002.98"
        );
    }
}
