//! The values of a realtime `00` (주문체결) entry for one order event, field by field as
//! Kiwoom documents them (spec/domestic/realtime.yaml) and as Kiwoom's own push example writes
//! them: `"905":"+매수"`, `"907":"2"`, fill fields empty until something fills,
//! `"904":"0000000"` for an original order.

use serde_json::{Map, Value};

use crate::book::{Action, Order, Side, Status};
use crate::synth::hhmmss;

/// 913 주문상태: 접수 (accepted), 체결 (filled), 확인 (a cancel or amend confirmed).
fn status(order: &Order) -> &'static str {
    match (order.action, order.status) {
        (Action::Cancel, _) => "확인",
        (_, Status::Filled) => "체결",
        (_, Status::Open) => "접수",
        (_, Status::Closed) => "확인",
    }
}

/// 905 주문구분: `+` for buys and `-` for sells (영웅문's red and blue), then the side and
/// what was asked: `+매수`, `-매도`, `+매수정정`, `-매도취소`.
fn order_kind(order: &Order) -> String {
    let (sign, side) = match order.side {
        Side::Buy => ('+', "매수"),
        Side::Sell => ('-', "매도"),
    };
    let what = match order.action {
        Action::New => "",
        Action::Amend => "정정",
        Action::Cancel => "취소",
    };
    format!("{sign}{side}{what}")
}

/// 2134/2135 거래소구분 and 2136 SOR여부 from the exchange the order named.
fn exchange(order: &Order) -> (&'static str, &'static str, &'static str) {
    match order.exchange.as_str() {
        "NXT" => ("2", "NXT", "N"),
        "SOR" => ("0", "통합", "Y"),
        _ => ("1", "KRX", "N"),
    }
}

/// The fill number of an order's (single) fill: stable, 7 digits like the order number.
fn fill_no(order: &Order) -> String {
    let n: u64 = order.ord_no.parse().unwrap_or(0);
    format!("{:07}", (n * 7 + 3) % 10_000_000)
}

/// Overwrite the order's facts in `values` (synthesized for every documented field); wires
/// the spec does not document for 00 are never added.
pub fn apply(values: &mut Map<String, Value>, order: &Order) {
    let filled = order.filled_qty > 0 && order.action != Action::Cancel;
    let num = |n: i64| n.to_string();
    let when_filled = |v: String| if filled { v } else { String::new() };
    let (ex_code, ex_name, sor) = exchange(order);
    let facts: [(&str, String); 29] = [
        ("9203", order.ord_no.clone()),
        ("9205", String::new()),
        ("9001", order.stock.code.clone()),
        ("912", "JJ".into()),
        ("913", status(order).into()),
        ("302", order.stock.name.clone()),
        ("900", num(order.qty)),
        ("901", num(order.price)),
        (
            "902",
            num(if order.action == Action::Cancel {
                0
            } else {
                order.unfilled()
            }),
        ),
        ("903", num(order.filled_qty * order.fill_price)),
        ("904", order.orig_ord_no.clone()),
        ("905", order_kind(order)),
        (
            "906",
            if order.price == 0 {
                "시장가"
            } else {
                "보통"
            }
            .into(),
        ),
        (
            "907",
            match order.side {
                Side::Sell => "1",
                Side::Buy => "2",
            }
            .into(),
        ),
        ("908", hhmmss(order.secs)),
        ("909", when_filled(fill_no(order))),
        ("910", when_filled(num(order.fill_price))),
        ("911", when_filled(num(order.filled_qty))),
        ("914", when_filled(num(order.fill_price))),
        ("915", when_filled(num(order.filled_qty))),
        // The simulated account charges no fees or taxes (see `book`).
        ("938", "0".into()),
        ("939", "0".into()),
        ("919", "0".into()),
        ("922", "00".into()),
        ("923", "00000000".into()),
        ("10010", String::new()),
        ("2134", ex_code.into()),
        ("2135", ex_name.into()),
        ("2136", sor.into()),
    ];
    for (wire, v) in facts {
        if values.contains_key(wire) {
            values.insert(wire.to_string(), Value::String(v));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::market::{Venue, find};

    fn order(side: Side, action: Action, status: Status, filled: i64) -> Order {
        Order {
            ord_no: "0012001".into(),
            orig_ord_no: "0000000".into(),
            stock: find("005930", Venue::Krx).unwrap(),
            side,
            action,
            qty: 10,
            price: 0,
            exchange: "KRX".into(),
            filled_qty: filled,
            fill_price: if filled > 0 { 56_000 } else { 0 },
            status,
            secs: 9 * 3600 + 40 * 60 + 22,
            closed_qty: 0,
        }
    }

    fn all_wires() -> Map<String, Value> {
        [
            "9203", "9001", "913", "900", "901", "902", "903", "904", "905", "906", "907", "908",
            "909", "910", "911", "2134", "2135", "2136",
        ]
        .iter()
        .map(|w| ((*w).to_string(), Value::String("x".into())))
        .collect()
    }

    #[test]
    fn sides_statuses_and_fill_fields() {
        let mut v = all_wires();
        apply(&mut v, &order(Side::Buy, Action::New, Status::Open, 0));
        assert_eq!(v["907"], "2");
        assert_eq!(v["905"], "+매수");
        assert_eq!(v["906"], "시장가");
        assert_eq!(v["913"], "접수");
        assert_eq!(v["908"], "094022");
        assert_eq!((v["909"].as_str(), v["910"].as_str()), (Some(""), Some("")));
        assert_eq!(
            (v["2134"].as_str(), v["2135"].as_str()),
            (Some("1"), Some("KRX"))
        );

        let mut v = all_wires();
        apply(&mut v, &order(Side::Sell, Action::New, Status::Filled, 10));
        assert_eq!(
            (v["907"].as_str(), v["905"].as_str()),
            (Some("1"), Some("-매도"))
        );
        assert_eq!(v["913"], "체결");
        assert_eq!(
            (v["910"].as_str(), v["911"].as_str()),
            (Some("56000"), Some("10"))
        );
        assert_eq!(v["903"], "560000");
        assert_eq!(v["909"].as_str().unwrap().len(), 7);

        let mut v = all_wires();
        apply(&mut v, &order(Side::Buy, Action::Cancel, Status::Open, 0));
        assert_eq!(
            (v["905"].as_str(), v["913"].as_str()),
            (Some("+매수취소"), Some("확인"))
        );
        assert!(!v.contains_key("938"), "undocumented wires are not added");
    }
}
