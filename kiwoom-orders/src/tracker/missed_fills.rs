//! Which fills of one order number reconciliation adds, from the rows Kiwoom's history lists
//! under that number.
//!
//! Kiwoom's kt00009 lists one row per execution (체결번호 `cntr_no`, and that execution's
//! quantity, price and time), and the 체결번호 is the number the realtime 00 frame carried in
//! `909`. When every key involved is such a number, keys identify executions one to one:
//! the rows the journal lacks are exactly the fills it missed, each added with its own
//! number, quantity, price and time, so positions fold them where they executed and the
//! average price stays Kiwoom's to the won.
//!
//! That reading is used only when the rows are consistent with it; otherwise (a row with no
//! number, a catch-up fill already in the journal, rows that look like one row per order with
//! the order's total) the rows of the number are reconciled by quantity: the unseen rows one
//! by one when they make up exactly the missing quantity, else one catch-up fill carrying the
//! total (`Fill::cumulative_quantity`), so a late 00 frame inside it counts once.

use rust_decimal::Decimal;
use serde_json::Value;

use crate::event::Fill;
use crate::ids::OrderNo;
use crate::order::Order;
use crate::tracker::BrokerFill;

/// An execution number (`0000007`, `7`): digits only. Compared as numbers, so padding on one
/// side and not the other cannot make one execution two.
fn execution_no(fill_no: &str) -> Option<u64> {
    let s = fill_no.trim();
    (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

fn query_fill(
    row: &BrokerFill,
    fill_no: String,
    quantity: u64,
    price: Decimal,
    total: Option<u64>,
) -> Fill {
    Fill {
        order_no: row.order_no.clone(),
        fill_no,
        quantity,
        price,
        fee: None,
        tax: None,
        filled_at: row.filled_at,
        venue: None,
        cumulative_quantity: total,
    }
}

/// The rows of `order_no` the journal lacks, oldest execution first, when the rows are one
/// per execution; `None` when they cannot be read so. Read so when: every row and every fill
/// the journal has under the number carries an execution number; the journal's fills the
/// rows do not list executed after every listed one (a listing is the executions up to the
/// moment it was read; fill numbers grow with execution); and the listed quantity is covered
/// once the unseen rows are added (a row carrying an order's total under its latest fill
/// number, that fill already counted, is not).
fn by_execution<'a>(
    order: &Order,
    order_no: &OrderNo,
    rows: &[&'a BrokerFill],
) -> Option<Vec<&'a BrokerFill>> {
    let mut listed: Vec<(u64, &BrokerFill)> = rows
        .iter()
        .map(|r| Some((execution_no(&r.fill_no)?, *r)))
        .collect::<Option<_>>()?;
    // One execution listed twice (a repeated row, `7` and `0000007`) counts once.
    listed.sort_by_key(|(n, _)| *n);
    listed.dedup_by_key(|(n, _)| *n);
    let known: Vec<u64> = order
        .fill_keys
        .iter()
        .filter(|(no, _)| no == order_no)
        .map(|(_, fill_no)| execution_no(fill_no))
        .collect::<Option<_>>()?;
    let newest_listed = listed.last()?.0;
    if known
        .iter()
        .any(|n| *n < newest_listed && listed.binary_search_by_key(n, |(l, _)| *l).is_err())
    {
        return None; // an older execution the rows leave out: they are not one per execution
    }
    let mut unseen: Vec<(u64, &BrokerFill)> = listed
        .iter()
        .filter(|(n, _)| !known.contains(n))
        .copied()
        .collect();
    let listed_total: u64 = listed.iter().map(|(_, r)| r.quantity).sum();
    let adding: u64 = unseen.iter().map(|(_, r)| r.quantity).sum();
    if order.filled_of(order_no) + adding < listed_total {
        return None;
    }
    unseen.sort_by_key(|(n, r)| (r.filled_at, *n));
    Some(unseen.into_iter().map(|(_, r)| r).collect())
}

/// The fills to append for `order_no` (with the raw rows each was read from), given every
/// row the history lists under that number.
pub(super) fn missed_fills(
    order: &Order,
    order_no: &OrderNo,
    rows: &[&BrokerFill],
) -> Vec<(Fill, Value)> {
    let Some(first) = rows.first() else {
        return Vec::new();
    };
    if let Some(unseen) = by_execution(order, order_no, rows) {
        return unseen
            .into_iter()
            .map(|r| {
                (
                    query_fill(r, r.fill_no.clone(), r.quantity, r.price, None),
                    r.raw.clone(),
                )
            })
            .collect();
    }
    let total: u64 = rows.iter().map(|f| f.quantity).sum();
    let missing = total.saturating_sub(order.filled_of(order_no));
    if missing == 0 {
        return Vec::new();
    }
    let unseen: Vec<_> = rows
        .iter()
        .filter(|f| {
            !order
                .fill_keys
                .contains(&(order_no.clone(), f.fill_no.clone()))
        })
        .collect();
    if unseen.iter().map(|f| f.quantity).sum::<u64>() == missing {
        return unseen
            .iter()
            .map(|f| {
                (
                    query_fill(f, f.fill_no.clone(), f.quantity, f.price, None),
                    f.raw.clone(),
                )
            })
            .collect();
    }
    let value: Decimal = rows
        .iter()
        .map(|f| f.price * Decimal::from(f.quantity))
        .sum();
    let price = if total > 0 {
        value / Decimal::from(total)
    } else {
        first.price
    };
    let last = rows.iter().max_by_key(|f| f.filled_at).unwrap_or(first);
    let rows_raw = Value::Array(rows.iter().map(|f| f.raw.clone()).collect());
    vec![(
        query_fill(
            last,
            format!("total-{total}"),
            missing,
            price.round_dp(4),
            Some(total),
        ),
        rows_raw,
    )]
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, TimeZone, Utc};
    use rust_decimal_macros::dec;

    use super::*;
    use crate::event::EventKind;
    use crate::intent::{OrderIntent, Side};

    fn at(secs: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 2, 1, 0, 0).unwrap() + chrono::Duration::seconds(secs.into())
    }

    fn no() -> OrderNo {
        OrderNo::new("0012001").unwrap()
    }

    fn row(fill_no: &str, quantity: u64, price: i64, secs: u32) -> BrokerFill {
        BrokerFill {
            account: "8123".into(),
            order_no: no(),
            fill_no: fill_no.into(),
            stock: "005930".into(),
            side: Side::Buy,
            quantity,
            price: Decimal::from(price),
            filled_at: at(secs),
            order_quantity: 10,
            order_price: Some(dec!(70000)),
            raw: Value::Null,
        }
    }

    /// An accepted buy of 10 with these fills already journaled (fill no, quantity).
    fn order_with(fills: &[(&str, u64)]) -> Order {
        let intent = OrderIntent::buy("8123", "005930", 10, Some(dec!(70000))).unwrap();
        let mut order = Order::start(intent, at(0));
        order
            .apply(&EventKind::Accepted { order_no: no() }, at(0))
            .unwrap();
        for (fill_no, quantity) in fills {
            let fill = Fill {
                order_no: no(),
                fill_no: (*fill_no).into(),
                quantity: *quantity,
                price: dec!(70000),
                fee: None,
                tax: None,
                filled_at: at(1),
                venue: None,
                cumulative_quantity: None,
            };
            order.apply(&EventKind::Filled { fill }, at(1)).unwrap();
        }
        order
    }

    fn added(order: &Order, rows: &[BrokerFill]) -> Vec<(String, u64, Decimal, Option<u64>)> {
        let rows: Vec<&BrokerFill> = rows.iter().collect();
        missed_fills(order, &no(), &rows)
            .into_iter()
            .map(|(f, _)| (f.fill_no, f.quantity, f.price, f.cumulative_quantity))
            .collect()
    }

    #[test]
    fn execution_rows_the_journal_lacks_are_added_one_by_one_oldest_first() {
        let order = order_with(&[("0000001", 2)]);
        let rows = [
            row("0000009", 3, 69_900, 30),
            row("0000004", 1, 70_000, 20),
            row("0000001", 2, 70_000, 10),
        ];
        assert_eq!(
            added(&order, &rows),
            [
                ("0000004".into(), 1, dec!(70000), None),
                ("0000009".into(), 3, dec!(69900), None),
            ]
        );
        // All known (numbers compared as numbers): nothing.
        let order = order_with(&[("1", 2), ("4", 1), ("9", 3)]);
        assert!(added(&order, &rows).is_empty());
    }

    #[test]
    fn a_newer_execution_already_journaled_does_not_hide_an_older_missed_one() {
        // Journal: executions 1 and 9 from 00 frames (9 of 3, after the listing was read);
        // the listing: 1 and 4. Execution 4 is missing even though the number's listed total
        // (3) is below what the journal has (5).
        let order = order_with(&[("0000001", 2), ("0000009", 3)]);
        let rows = [row("0000004", 1, 70_000, 20), row("0000001", 2, 70_000, 10)];
        assert_eq!(
            added(&order, &rows),
            [("0000004".into(), 1, dec!(70000), None)]
        );
    }

    #[test]
    fn rows_that_are_not_one_per_execution_are_reconciled_by_quantity() {
        // One row per order: the total (6) under the latest fill number, whose 00 frame was
        // counted (1 of 6): a catch-up of the other 5, never 6 again.
        let order = order_with(&[("0000009", 1)]);
        let rows = [row("0000009", 6, 70_000, 30)];
        assert_eq!(
            added(&order, &rows),
            [("total-6".into(), 5, dec!(70000), Some(6))]
        );
        // The same row with an earlier execution journaled under another number: the row
        // leaves out an older execution, so it is not one per execution.
        let order = order_with(&[("0000002", 2)]);
        assert_eq!(
            added(&order, &rows),
            [("total-6".into(), 4, dec!(70000), Some(6))]
        );
        // A catch-up fill in the journal: keys no longer name executions.
        let order = order_with(&[("total-3", 3)]);
        let rows = [row("0000002", 3, 70_000, 10), row("0000005", 2, 70_100, 20)];
        assert_eq!(
            added(&order, &rows),
            [("total-5".into(), 2, dec!(70040), Some(5))]
        );
        // Rows without numbers that make up exactly what is missing: one by one.
        let order = order_with(&[]);
        let rows = [
            row("row-12001-0", 3, 70_000, 10),
            row("row-12001-1", 2, 70_100, 20),
        ];
        assert_eq!(
            added(&order, &rows),
            [
                ("row-12001-0".into(), 3, dec!(70000), None),
                ("row-12001-1".into(), 2, dec!(70100), None),
            ]
        );
    }
}
