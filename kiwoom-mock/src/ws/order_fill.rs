//! The values of a realtime `00` (주문체결) entry for one book event, field by field as
//! Kiwoom documents them (spec/domestic/realtime.yaml) and as Kiwoom's own push example writes
//! them: `"905":"+매수"`, `"907":"2"`, fill fields empty until something fills,
//! `"904":"0000000"` for an original order, `"919":"0"` when nothing was refused.
//!
//! | event | 913 | 9203 / 904 | 900 / 901 | 902 | fill fields |
//! |---|---|---|---|---|---|
//! | new order accepted | 접수 | order / `0000000` | quantity / limit (0 = market) | open | empty |
//! | fill | 체결 | order / its original | order's | open after the fill | `909` fill number, `910`/`914` this fill's price, `915` this fill's quantity, `911` the order's filled total, `903` its filled amount |
//! | amend requested, confirmed | 접수, 확인 | amending order / amended one | moved quantity / new price | moved quantity (0 once filled) | empty |
//! | cancel requested, confirmed | 접수, 확인 | cancel order / cancelled one | cancelled quantity | 0 | empty |
//! | refused | 거부 | empty / original if any | as asked | 0 | empty; `919` the reason |
//!
//! `10`, `27`, `28` are the walk's current price, one tick above and the price, signed
//! against the previous close as Kiwoom signs prices.

use serde_json::{Map, Value};

use crate::book::{Action, Event, EventKind, Order, Side};
use crate::synth::hhmmss;
use crate::walk;

/// 913 주문상태.
fn status(kind: &EventKind) -> &'static str {
    match kind {
        EventKind::Accepted => "접수",
        EventKind::Filled(_) => "체결",
        EventKind::Amended | EventKind::Cancelled => "확인",
        EventKind::Rejected(_) => "거부",
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

/// A price with Kiwoom's direction sign against the previous close (`+60700`, `-60000`).
pub fn signed(price: i64, prev_close: i64) -> String {
    match price.cmp(&prev_close) {
        std::cmp::Ordering::Greater => format!("+{price}"),
        std::cmp::Ordering::Less => format!("-{price}"),
        std::cmp::Ordering::Equal => price.to_string(),
    }
}

/// Overwrite the event's facts in `values` (synthesized for every documented field); wires
/// the spec does not document for 00 are never added.
pub fn apply(values: &mut Map<String, Value>, event: &Event) {
    let order = &event.order;
    let num = |n: i64| n.to_string();
    let fill = match &event.kind {
        EventKind::Filled(f) => Some(f),
        _ => None,
    };
    let on_fill = |v: &dyn Fn(&crate::book::Fill) -> String| fill.map_or(String::new(), v);
    let open = match (&event.kind, order.action) {
        (EventKind::Rejected(_), _) | (_, Action::Cancel) => 0,
        _ => order.unfilled(),
    };
    let reason = match &event.kind {
        EventKind::Rejected(r) => r.clone(),
        _ => "0".into(),
    };
    let (ex_code, ex_name, sor) = exchange(order);
    let stock = &order.stock;
    let facts: [(&str, String); 32] = [
        ("9203", order.ord_no.clone()),
        ("9205", String::new()),
        ("9001", stock.code.clone()),
        ("912", "JJ".into()),
        ("913", status(&event.kind).into()),
        ("302", stock.name.clone()),
        ("900", num(order.qty)),
        ("901", num(order.price)),
        ("902", num(open)),
        (
            "903",
            num(if fill.is_some() {
                order.filled_amount
            } else {
                0
            }),
        ),
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
        ("908", hhmmss(fill.map_or(order.secs, |f| f.secs))),
        ("909", on_fill(&|f| f.fill_no.clone())),
        ("910", on_fill(&|f| num(f.price))),
        ("911", on_fill(&|_| num(order.filled_qty))),
        ("914", on_fill(&|f| num(f.price))),
        ("915", on_fill(&|f| num(f.qty))),
        ("10", signed(event.price, event.prev_close)),
        (
            "27",
            signed(walk::tick_up(stock, event.price), event.prev_close),
        ),
        ("28", signed(event.price, event.prev_close)),
        // The simulated account charges no fees or taxes (see `book`).
        ("938", "0".into()),
        ("939", "0".into()),
        ("919", reason),
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
    use crate::book::{Fill, Holding, Status};
    use crate::market::{Venue, find};

    fn event(side: Side, action: Action, kind: EventKind, filled: i64) -> Event {
        let order = Order {
            ord_no: "0012001".into(),
            orig_ord_no: "0000000".into(),
            stock: find("005930", Venue::Krx).unwrap(),
            side,
            action,
            qty: 10,
            price: 0,
            exchange: "KRX".into(),
            filled_qty: filled,
            filled_amount: filled * 56_000,
            status: if filled == 10 {
                Status::Filled
            } else {
                Status::Open
            },
            secs: 9 * 3600 + 40 * 60 + 22,
            closed_qty: 0,
            fill_count: u32::from(filled > 0),
        };
        Event {
            seq: 1,
            kind,
            order,
            holding: Holding::default(),
            sellable: 0,
            price: 56_000,
            prev_close: 55_000,
            net_bought: 0,
        }
    }

    fn all_wires() -> Map<String, Value> {
        [
            "9203", "9001", "913", "900", "901", "902", "903", "904", "905", "906", "907", "908",
            "909", "910", "911", "914", "915", "919", "10", "2134", "2135", "2136",
        ]
        .iter()
        .map(|w| ((*w).to_string(), Value::String("x".into())))
        .collect()
    }

    #[test]
    fn sides_statuses_and_fill_fields() {
        let mut v = all_wires();
        apply(
            &mut v,
            &event(Side::Buy, Action::New, EventKind::Accepted, 0),
        );
        assert_eq!(v["907"], "2");
        assert_eq!(v["905"], "+매수");
        assert_eq!(v["906"], "시장가");
        assert_eq!(v["913"], "접수");
        assert_eq!(v["908"], "094022");
        assert_eq!(v["919"], "0");
        assert_eq!(v["10"], "+56000");
        assert_eq!((v["909"].as_str(), v["910"].as_str()), (Some(""), Some("")));
        assert_eq!(
            (v["2134"].as_str(), v["2135"].as_str()),
            (Some("1"), Some("KRX"))
        );

        let mut v = all_wires();
        let fill = Fill {
            fill_no: "0000003".into(),
            ord_no: "0012001".into(),
            qty: 4,
            price: 56_000,
            secs: 10 * 3600,
        };
        apply(
            &mut v,
            &event(Side::Sell, Action::New, EventKind::Filled(fill), 6),
        );
        assert_eq!(
            (v["907"].as_str(), v["905"].as_str()),
            (Some("1"), Some("-매도"))
        );
        assert_eq!(v["913"], "체결");
        assert_eq!(
            (v["910"].as_str(), v["915"].as_str(), v["911"].as_str()),
            (Some("56000"), Some("4"), Some("6")),
            "this fill's price and quantity, the order's total"
        );
        assert_eq!(v["902"], "4");
        assert_eq!(v["903"], "336000");
        assert_eq!(v["909"], "0000003");
        assert_eq!(v["908"], "100000", "the fill's time");

        let mut v = all_wires();
        apply(
            &mut v,
            &event(Side::Buy, Action::Cancel, EventKind::Cancelled, 0),
        );
        assert_eq!(
            (v["905"].as_str(), v["913"].as_str(), v["902"].as_str()),
            (Some("+매수취소"), Some("확인"), Some("0"))
        );
        assert!(!v.contains_key("938"), "undocumented wires are not added");

        let mut v = all_wires();
        apply(
            &mut v,
            &event(
                Side::Buy,
                Action::New,
                EventKind::Rejected("주문가능금액이 부족합니다".into()),
                0,
            ),
        );
        assert_eq!(
            (v["913"].as_str(), v["919"].as_str()),
            (Some("거부"), Some("주문가능금액이 부족합니다"))
        );
    }
}
