//! Daily price limits (가격제한폭, 상한가/하한가).
//!
//! **Use the exchange's own numbers.** ka10001 (주식기본정보요청) answers `upl_pric` (상한가) and
//! `lst_pric` (하한가) for the day; [`PriceLimits::from_kiwoom`] reads them. The computed
//! limits ([`PriceLimits::computed`]) are a fallback for when those are not at hand, and they
//! are right only for the ordinary case:
//!
//! - KOSPI/KOSDAQ stocks, ETFs, ETNs: ±30% of the base price (since 2015-06-15). The amount is
//!   base × 0.3 with the part below the tick of the *base price's* band cut off (절사), so
//!   both limits are base ± that amount (KRX regulation portal, 기준가격/가격제한폭: base 9,940
//!   → amount 2,980 → 12,920 / 6,960).
//! - KONEX stocks: ±15%.
//!
//! Known exceptions the fallback does not know about, for which only ka10001 is right:
//! ELWs (no limit: [`PriceLimits::computed`] answers `None`), issues in liquidation trading
//! (정리매매, no limit), subscription warrants and rights (신주인수권증서·증권, no limit),
//! leveraged ETFs/ETNs (the rate times the leverage, e.g. ±60% for a 2x product), a listing
//! day (the base price comes from an auction), and the day of a corporate action (the base
//! price is adjusted: ex-dividend, split, rights). The base price itself is normally the
//! previous close; the caller supplies it.

use rust_decimal::Decimal;

use crate::kinds::InstrumentKind;
use crate::tick::Grid;

/// The lowest and highest price an order may carry today (both inclusive).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PriceLimits {
    pub lower: Decimal,
    pub upper: Decimal,
}

/// A ka10001 limit price that is not a number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field} is not a price: {value:?}")]
pub struct LimitParseError {
    pub field: &'static str,
    pub value: String,
}

fn parse_signed(field: &'static str, value: &str) -> Result<Decimal, LimitParseError> {
    // Kiwoom prefixes prices with the direction against the previous close (`+72800`,
    // `-39200`); the sign is not part of the value.
    let bare = value.trim().trim_start_matches(['+', '-']);
    bare.parse::<Decimal>()
        .ok()
        .filter(|v| *v > Decimal::ZERO)
        .ok_or_else(|| LimitParseError {
            field,
            value: value.to_string(),
        })
}

impl PriceLimits {
    pub fn new(lower: Decimal, upper: Decimal) -> PriceLimits {
        PriceLimits { lower, upper }
    }

    /// The limits from ka10001's `upl_pric` (상한가) and `lst_pric` (하한가), as Kiwoom writes
    /// them (with a direction sign).
    pub fn from_kiwoom(upl_pric: &str, lst_pric: &str) -> Result<PriceLimits, LimitParseError> {
        Ok(PriceLimits {
            upper: parse_signed("upl_pric", upl_pric)?,
            lower: parse_signed("lst_pric", lst_pric)?,
        })
    }

    /// The fallback: the ordinary limits of `kind` around `base` (see the module docs for
    /// what it does not know). `None` when the kind has no daily limit (ELW) or is not a
    /// domestic instrument.
    pub fn computed(kind: InstrumentKind, base: Decimal) -> Option<PriceLimits> {
        let rate = limit_rate(kind)?;
        Some(band_around(kind, base, rate))
    }

    /// Whether `price` is within the limits (inclusive).
    pub fn contains(&self, price: Decimal) -> bool {
        self.lower <= price && price <= self.upper
    }
}

/// The daily limit rate of `kind` in the ordinary case.
pub fn limit_rate(kind: InstrumentKind) -> Option<Decimal> {
    match kind {
        InstrumentKind::Stock
        | InstrumentKind::Etf
        | InstrumentKind::Etn
        | InstrumentKind::DomesticUnknown => Some(Decimal::new(30, 2)),
        InstrumentKind::KonexStock => Some(Decimal::new(15, 2)),
        InstrumentKind::Elw | InstrumentKind::UsStock => None,
    }
}

/// `base` ± (base × rate, cut down to the tick of the base price's band): KRX's rule for the
/// daily limits, reused for the ±10% band of the after-hours single-price session.
pub fn band_around(kind: InstrumentKind, base: Decimal, rate: Decimal) -> PriceLimits {
    // For an unknown domestic kind the stock tick is the coarser one: the narrower band.
    let tick = Grid::of(kind).max_tick_at(base);
    let amount = ((base * rate) / tick).floor() * tick;
    PriceLimits {
        lower: (base - amount).normalize(),
        upper: (base + amount).normalize(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn krx_worked_example() {
        let l = PriceLimits::computed(InstrumentKind::Stock, Decimal::from(9_940)).unwrap();
        assert_eq!(
            l,
            PriceLimits::new(Decimal::from(6_960), Decimal::from(12_920))
        );
        assert!(!l.contains(Decimal::from(12_922)));
    }

    #[test]
    fn kiwoom_signs_are_directions() {
        let l = PriceLimits::from_kiwoom("+72800", "-39200").unwrap();
        assert_eq!(
            l,
            PriceLimits::new(Decimal::from(39_200), Decimal::from(72_800))
        );
        assert!(PriceLimits::from_kiwoom("", "-1").is_err());
        assert_eq!(
            PriceLimits::computed(InstrumentKind::Elw, Decimal::from(500)),
            None
        );
    }
}
