// A price where the quantity goes does not compile: they are distinct types.
use kiwoom_generated::domestic_order::{BuyStockRequest, OrderVenue, TradeType};
use kiwoom_generated::kiwoom_runtime::codec::{Price, Quantity};

fn main() {
    let _ = BuyStockRequest::new(OrderVenue::Krx, "005930", Price(70_000), TradeType::Normal)
        .order_unit_price(Quantity(10));
}
