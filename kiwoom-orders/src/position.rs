//! Positions derived from fills, and their comparison with what Kiwoom reports.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::intent::Side;

/// What the account holds of one stock, computed from the journal's fills only.
///
/// `average_price` is the volume-weighted price of the open quantity, without fees (as
/// Kiwoom shows it). `realized_pnl` is the profit of the closed quantity at that average,
/// net of every fee and tax paid on this stock, so it is what the trading actually earned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Position {
    pub account: String,
    pub stock: String,
    /// Signed: positive long, negative short (credit sale).
    pub quantity: i64,
    pub average_price: Decimal,
    pub realized_pnl: Decimal,
    pub fees: Decimal,
    pub taxes: Decimal,
    pub fill_count: u64,
    pub last_fill_at: Option<DateTime<Utc>>,
}

impl Position {
    pub fn flat(account: impl Into<String>, stock: impl Into<String>) -> Self {
        Self {
            account: account.into(),
            stock: stock.into(),
            quantity: 0,
            average_price: Decimal::ZERO,
            realized_pnl: Decimal::ZERO,
            fees: Decimal::ZERO,
            taxes: Decimal::ZERO,
            fill_count: 0,
            last_fill_at: None,
        }
    }

    /// Adds one fill. Quantities are bounded by the order quantity (at most `i64::MAX`).
    pub fn apply_fill(
        &mut self,
        side: Side,
        quantity: u64,
        price: Decimal,
        fee: Option<Decimal>,
        tax: Option<Decimal>,
        at: DateTime<Utc>,
    ) {
        let signed = side.sign() * i64::try_from(quantity).unwrap_or(i64::MAX);
        let costs = fee.unwrap_or_default() + tax.unwrap_or_default();
        self.fees += fee.unwrap_or_default();
        self.taxes += tax.unwrap_or_default();
        self.realized_pnl -= costs;
        self.fill_count += 1;
        self.last_fill_at = Some(self.last_fill_at.map_or(at, |last| last.max(at)));

        if self.quantity == 0 || self.quantity.signum() == signed.signum() {
            // Opening or adding: the average moves toward the fill price.
            let old = Decimal::from(self.quantity.unsigned_abs());
            let add = Decimal::from(quantity);
            self.average_price = (self.average_price * old + price * add) / (old + add);
            self.quantity += signed;
            return;
        }
        // Reducing, possibly through zero to the other side.
        let closed = self.quantity.unsigned_abs().min(quantity);
        let direction = Decimal::from(self.quantity.signum());
        self.realized_pnl += (price - self.average_price) * Decimal::from(closed) * direction;
        self.quantity += signed;
        if self.quantity == 0 {
            self.average_price = Decimal::ZERO;
        } else if self.quantity.signum() == signed.signum() {
            // Flipped: what is left was opened at this fill's price.
            self.average_price = price;
        }
    }

    /// Compares with the broker's figures (kt00018 holdings, realtime 04 balance). A
    /// difference is reported to the caller, never written over the journal's own figures:
    /// the journal says what the fills add up to, the broker what it holds, and a gap
    /// between them is news.
    pub fn compare(
        &self,
        broker: &BrokerPosition,
        price_tolerance: Decimal,
    ) -> Option<PositionDifference> {
        let quantity_differs = broker.quantity != self.quantity;
        let price_differs = match broker.average_price {
            Some(theirs) if self.quantity != 0 => {
                (theirs - self.average_price).abs() > price_tolerance
            }
            _ => false,
        };
        (quantity_differs || price_differs).then(|| PositionDifference {
            account: self.account.clone(),
            stock: self.stock.clone(),
            journal_quantity: self.quantity,
            broker_quantity: broker.quantity,
            journal_average_price: self.average_price,
            broker_average_price: broker.average_price,
        })
    }
}

/// A position as Kiwoom reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BrokerPosition {
    pub quantity: i64,
    pub average_price: Option<Decimal>,
}

/// The journal and Kiwoom disagree about a position.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PositionDifference {
    pub account: String,
    pub stock: String,
    pub journal_quantity: i64,
    pub broker_quantity: i64,
    pub journal_average_price: Decimal,
    pub broker_average_price: Option<Decimal>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn at() -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000, 0).unwrap()
    }

    #[test]
    fn buys_average_and_a_sell_realizes_net_of_costs() {
        let mut p = Position::flat("5555", "005930");
        p.apply_fill(Side::Buy, 10, dec!(70000), Some(dec!(100)), None, at());
        p.apply_fill(Side::Buy, 30, dec!(71000), Some(dec!(300)), None, at());
        assert_eq!(p.quantity, 40);
        assert_eq!(p.average_price, dec!(70750));
        p.apply_fill(
            Side::Sell,
            15,
            dec!(72000),
            Some(dec!(150)),
            Some(dec!(2000)),
            at(),
        );
        assert_eq!(p.quantity, 25);
        assert_eq!(
            p.average_price,
            dec!(70750),
            "selling does not move the average"
        );
        // (72000 - 70750) * 15 = 18750, minus 100 + 300 + 150 fees and 2000 tax.
        assert_eq!(p.realized_pnl, dec!(16200));
        assert_eq!((p.fees, p.taxes, p.fill_count), (dec!(550), dec!(2000), 3));
    }

    #[test]
    fn selling_everything_resets_the_average_and_selling_more_flips() {
        let mut p = Position::flat("5555", "000660");
        p.apply_fill(Side::Buy, 5, dec!(100), None, None, at());
        p.apply_fill(Side::Sell, 5, dec!(90), None, None, at());
        assert_eq!(
            (p.quantity, p.average_price, p.realized_pnl),
            (0, Decimal::ZERO, dec!(-50))
        );
        p.apply_fill(Side::Buy, 2, dec!(100), None, None, at());
        p.apply_fill(Side::Sell, 5, dec!(110), None, None, at());
        assert_eq!((p.quantity, p.average_price), (-3, dec!(110)));
        assert_eq!(p.realized_pnl, dec!(-30));
        p.apply_fill(Side::Buy, 3, dec!(100), None, None, at());
        assert_eq!(
            (p.quantity, p.realized_pnl),
            (0, dec!(0)),
            "short closed 10 below"
        );
    }

    #[test]
    fn differences_are_reported_not_absorbed() {
        let mut p = Position::flat("5555", "005930");
        p.apply_fill(Side::Buy, 10, dec!(70000), None, None, at());
        let same = BrokerPosition {
            quantity: 10,
            average_price: Some(dec!(70000.4)),
        };
        assert_eq!(p.compare(&same, dec!(1)), None);
        let short = BrokerPosition {
            quantity: 9,
            average_price: None,
        };
        let diff = p.compare(&short, dec!(1)).expect("a quantity difference");
        assert_eq!((diff.journal_quantity, diff.broker_quantity), (10, 9));
        assert_eq!(p.quantity, 10, "the journal's figure stays");
        let price = BrokerPosition {
            quantity: 10,
            average_price: Some(dec!(70100)),
        };
        assert!(p.compare(&price, dec!(1)).is_some());
    }
}
