//! The values of a realtime `04` (잔고) entry after a book event: the account's position in
//! the event's stock, as Kiwoom's push example writes it (`930` 보유수량, `931` 매입단가,
//! `932` 총매입가, `933` 주문가능수량, `945` 당일순매수량, `946` 2 = buy / 1 = sell of the
//! event, prices signed against the previous close). A position sold out reads 0 held.
//! Realized profit fields (`950`, `990`, `991`, `8019`) stay 0: the simulator tracks no
//! realized P&L (and charges no fees).

use serde_json::{Map, Value};

use super::order_fill::signed;
use crate::book::{Event, Side};
use crate::walk;

/// Overwrite the event's position facts in `values`; undocumented wires are not added.
pub fn apply(values: &mut Map<String, Value>, event: &Event) {
    let h = &event.holding;
    let stock = &event.order.stock;
    let (price, prev) = (event.price, event.prev_close);
    let facts: [(&str, String); 19] = [
        ("9001", stock.code.clone()),
        ("917", "00".into()),
        ("916", "00000000".into()),
        ("302", stock.name.clone()),
        ("10", signed(price, prev)),
        ("930", h.qty.to_string()),
        ("931", h.avg_price().to_string()),
        ("932", h.cost.to_string()),
        ("933", event.sellable.max(0).to_string()),
        ("945", event.net_bought.to_string()),
        (
            "946",
            match event.order.side {
                Side::Sell => "1",
                Side::Buy => "2",
            }
            .into(),
        ),
        ("950", "0".into()),
        ("27", signed(walk::tick_up(stock, price), prev)),
        ("28", signed(price, prev)),
        ("307", prev.to_string()),
        ("8019", "0.00".into()),
        ("990", "0".into()),
        ("991", "0.00".into()),
        ("918", "00000000".into()),
    ];
    for (wire, v) in facts {
        if values.contains_key(wire) {
            values.insert(wire.to_string(), Value::String(v));
        }
    }
}
