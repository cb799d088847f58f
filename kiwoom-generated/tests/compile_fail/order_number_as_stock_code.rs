// An order number from an earlier answer is not a stock code.
use kiwoom_generated::domestic_order::{CancelStockOrderRequest, OrderVenue};
use kiwoom_generated::kiwoom_runtime::codec::{OrderNumber, Quantity, StockCode};

fn main() {
    let placed = OrderNumber::new("0000018");
    let stock = StockCode::new("005930");
    let _ = CancelStockOrderRequest::new(OrderVenue::Krx, stock, placed, Quantity(1));
}
