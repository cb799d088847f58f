//! Positions derived from fills, and their comparison with what Kiwoom reports.

use chrono::{DateTime, SubsecRound, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::event::Fill;
use crate::intent::Side;

/// Where a fill stands in Kiwoom's execution order: its fill time (00 `908`, kt00009
/// `cntr_tm`), then its fill number (`909` / `cntr_no`) read as a number, since the times
/// are whole seconds and several fills share one. A moving average depends on the order of
/// buys and sells, and Kiwoom folds them in this order, not in the order the journal
/// happens to learn of them (a dropped 00 frame is found later by reconciliation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ExecutionKey {
    /// To the microsecond, as both databases store it, so a key read back from the fills
    /// table equals the one computed at append time.
    pub at: DateTime<Utc>,
    /// The fill number; `u64::MAX` when it is not a number (a reconciliation's catch-up
    /// `total-N`, a numberless row keyed `row-<order no>-<n>`): after every numbered fill of
    /// its time.
    pub number: u64,
}

impl ExecutionKey {
    pub fn of(fill: &Fill) -> Self {
        let digits = fill.fill_no.trim();
        let number = if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
            // Leading zeros pad the number (`0000007`); more than 19 digits saturate.
            digits.parse().unwrap_or(u64::MAX - 1)
        } else {
            u64::MAX
        };
        Self {
            at: fill.filled_at.trunc_subsecs(6),
            number,
        }
    }
}

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
    /// The execution key of the latest fill folded in (execution order). A fill that comes
    /// before it makes the journal fold the position again from all its fills; `None` in a
    /// snapshot written before this field existed (then the first fill refolds).
    #[serde(default)]
    pub last_execution: Option<ExecutionKey>,
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
            last_execution: None,
        }
    }

    /// True when a fill with this key can be applied on top (it executed after every fill
    /// already folded in, or ties with the latest: then recording order decides, as in
    /// [`Position::from_fills`]). False when the position must be folded again from all its
    /// fills: the fill executed earlier, or the snapshot predates execution keys.
    pub fn follows(&self, key: &ExecutionKey) -> bool {
        match &self.last_execution {
            Some(last) => key >= last,
            None => self.fill_count == 0,
        }
    }

    /// Adds one fill of `side` and remembers its execution key.
    pub fn apply(&mut self, side: Side, fill: &Fill) {
        let key = ExecutionKey::of(fill);
        self.apply_fill(
            side,
            fill.quantity,
            fill.price,
            fill.fee,
            fill.tax,
            fill.filled_at,
        );
        self.last_execution = Some(self.last_execution.map_or(key, |last| last.max(key)));
    }

    /// The position folded from all its fills in execution order (key, then the journal
    /// sequence `seq` of the recording event for equal keys), as Kiwoom computes it.
    pub fn from_fills(
        account: impl Into<String>,
        stock: impl Into<String>,
        mut fills: Vec<(i64, Side, Fill)>,
    ) -> Self {
        fills.sort_by_cached_key(|(seq, _, fill)| (ExecutionKey::of(fill), *seq));
        let mut p = Self::flat(account, stock);
        for (_, side, fill) in &fills {
            p.apply(*side, fill);
        }
        p
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

    fn fill(no: &str, quantity: u64, price: Decimal, secs: i64) -> Fill {
        Fill {
            order_no: crate::ids::OrderNo::new("1").unwrap(),
            fill_no: no.into(),
            quantity,
            price,
            fee: None,
            tax: None,
            filled_at: DateTime::from_timestamp(1_800_000_000 + secs, 0).unwrap(),
            venue: None,
            cumulative_quantity: None,
        }
    }

    #[test]
    fn execution_keys_order_by_time_then_fill_number_as_a_number() {
        let key = |no: &str, secs| ExecutionKey::of(&fill(no, 1, dec!(1), secs));
        assert!(
            key("0000009", 0) < key("10", 0),
            "9 before 10, zeros are padding"
        );
        assert!(key("10", 0) < key("2", 1), "the time comes first");
        assert!(
            key("99", 0) < key("total-5", 0),
            "a catch-up after its second's fills"
        );
        assert!(key("total-5", 0) < key("1", 1));
    }

    #[test]
    fn a_late_fill_is_folded_in_execution_order() {
        // Executed: buy 10 @100 (t1), buy 10 @200 (t2), sell 5 (t3) -> 15 @150.
        // Recorded: t1, t3, then t2: applied on top it would give 15 @166.67.
        let fills = vec![
            (1, Side::Buy, fill("1", 10, dec!(100), 1)),
            (2, Side::Sell, fill("3", 5, dec!(180), 3)),
            (3, Side::Buy, fill("2", 10, dec!(200), 2)),
        ];
        let mut on_top = Position::flat("5555", "005930");
        for (_, side, f) in &fills {
            assert_eq!(
                on_top.follows(&ExecutionKey::of(f)),
                f.fill_no != "2",
                "only the late fill asks for a refold"
            );
            on_top.apply(*side, f);
        }
        let p = Position::from_fills("5555", "005930", fills.clone());
        assert_eq!((p.quantity, p.average_price), (15, dec!(150)));
        // (180 - 150) * 5 realized, not (180 - 100) * 5.
        assert_eq!(p.realized_pnl, dec!(150));
        assert_ne!(on_top.average_price, p.average_price);
        assert_eq!(p.last_execution, Some(ExecutionKey::of(&fills[1].2)));
        assert_eq!(
            (p.fill_count, p.last_fill_at),
            (3, Some(fills[1].2.filled_at))
        );
    }

    #[test]
    fn a_snapshot_without_execution_keys_loads_and_refolds_once() {
        let mut p = Position::flat("5555", "005930");
        p.apply_fill(Side::Buy, 1, dec!(1), None, None, at());
        let mut json = serde_json::to_value(&p).unwrap();
        json.as_object_mut().unwrap().remove("last_execution");
        let old: Position = serde_json::from_value(json).unwrap();
        assert_eq!(old.last_execution, None);
        assert!(!old.follows(&ExecutionKey::of(&fill("9", 1, dec!(1), 99))));
        assert!(
            Position::flat("5555", "005930").follows(&ExecutionKey::of(&fill("9", 1, dec!(1), 0)))
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
