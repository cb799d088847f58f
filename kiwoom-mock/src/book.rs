//! The simulated account: cash, holdings and orders, with these fill rules:
//!
//! * a market order (domestic trde_tp 3, 13, 23, 6, 16, 26, 7; US 03, 36, 37) fills at once,
//!   in full, at the current price;
//! * a limit buy fills at once at the current price when its limit >= the current price,
//!   a limit sell when its limit <= the current price;
//! * otherwise the order stays unfilled (prices do not move) until amended or cancelled;
//! * an amend moves the given quantity (0 = all that is unfilled) of an unfilled order to a
//!   new order at the new price, which the same rules may fill at once; a cancel removes the
//!   given quantity (0 = all) from an unfilled order. Both get a new order number.
//!
//! Buys need cash (current or limit price x quantity, unfilled buys reserve theirs); sells
//! need holdings not already offered. No fees or taxes are charged.

use std::collections::BTreeMap;

use crate::market::{Stock, Venue};
use crate::synth::order_no;

/// Cash the account starts with: 100,000,000 won and 100,000 USD (in 1/10000 USD).
pub const START_WON: i64 = 100_000_000;
pub const START_USD: i64 = 100_000 * 10_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    Buy,
    Sell,
}

/// What a client asked for, which produced this order (or this event of it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    New,
    Amend,
    Cancel,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// Accepted, (partly) unfilled.
    Open,
    Filled,
    /// Cancelled or amended away with nothing left.
    Closed,
}

#[derive(Clone, Debug)]
pub struct Order {
    pub ord_no: String,
    /// All zeros (`0000000`, US `000000000`) for an original order.
    pub orig_ord_no: String,
    pub stock: Stock,
    pub side: Side,
    pub action: Action,
    pub qty: i64,
    /// Limit price (minor units); 0 for a market order.
    pub price: i64,
    pub exchange: String,
    pub filled_qty: i64,
    pub fill_price: i64,
    pub status: Status,
    /// KST seconds since midnight when accepted.
    pub secs: u32,
    /// Quantity cancelled or moved to an amending order.
    pub closed_qty: i64,
}

impl Order {
    pub fn unfilled(&self) -> i64 {
        self.qty - self.filled_qty - self.closed_qty
    }

    fn reserved_cash(&self) -> i64 {
        if self.side == Side::Buy && self.status == Status::Open {
            self.unfilled() * self.price
        } else {
            0
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Holding {
    pub stock: Option<Stock>,
    pub qty: i64,
    /// Total purchase cost of `qty` (minor units).
    pub cost: i64,
}

impl Holding {
    pub fn avg_price(&self) -> i64 {
        if self.qty == 0 {
            0
        } else {
            self.cost / self.qty
        }
    }
}

#[derive(Debug)]
pub struct Book {
    pub cash_won: i64,
    pub cash_usd: i64,
    pub holdings: BTreeMap<(bool, String), Holding>,
    pub orders: Vec<Order>,
    next_no: u64,
}

/// A new order as a request describes it.
pub struct NewOrder {
    pub stock: Stock,
    pub side: Side,
    pub qty: i64,
    pub price: i64,
    pub is_market: bool,
    pub exchange: String,
    pub secs: u32,
}

fn key(stock: &Stock) -> (bool, String) {
    (stock.venue == Venue::Us, stock.code.clone())
}

impl Default for Book {
    fn default() -> Self {
        Book {
            cash_won: START_WON,
            cash_usd: START_USD,
            holdings: BTreeMap::new(),
            orders: Vec::new(),
            next_no: 0,
        }
    }
}

impl Book {
    /// The next order number, as the venue writes it: 7 digits domestic, 9 digits US.
    fn next_ord_no(&mut self, venue: Venue) -> String {
        self.next_no += 1;
        order_no(venue, 12_000 + self.next_no as i64)
    }

    fn cash(&self, venue: Venue) -> i64 {
        match venue {
            Venue::Krx => self.cash_won,
            Venue::Us => self.cash_usd,
        }
    }

    fn cash_mut(&mut self, venue: Venue) -> &mut i64 {
        match venue {
            Venue::Krx => &mut self.cash_won,
            Venue::Us => &mut self.cash_usd,
        }
    }

    /// Cash free for new buys: cash minus what unfilled buys reserve.
    pub fn orderable(&self, venue: Venue) -> i64 {
        let reserved: i64 = self
            .orders
            .iter()
            .filter(|o| o.stock.venue == venue)
            .map(Order::reserved_cash)
            .sum();
        self.cash(venue) - reserved
    }

    /// Shares that can still be sold: held minus offered by unfilled sells.
    pub fn sellable(&self, stock: &Stock) -> i64 {
        let held = self.holdings.get(&key(stock)).map_or(0, |h| h.qty);
        let offered: i64 = self
            .orders
            .iter()
            .filter(|o| {
                o.side == Side::Sell && o.status == Status::Open && o.stock.code == stock.code
            })
            .map(Order::unfilled)
            .sum();
        held - offered
    }

    pub fn find(&self, ord_no: &str) -> Option<&Order> {
        self.orders.iter().find(|o| o.ord_no == ord_no)
    }

    pub fn place(&mut self, new: NewOrder, current: i64) -> Result<Order, String> {
        if new.qty <= 0 {
            return Err("주문수량이 올바르지 않습니다".into());
        }
        let venue = new.stock.venue;
        match new.side {
            Side::Buy => {
                let per_share = if new.is_market { current } else { new.price };
                if per_share.saturating_mul(new.qty) > self.orderable(venue) {
                    return Err("주문가능금액이 부족합니다".into());
                }
            }
            Side::Sell => {
                if new.qty > self.sellable(&new.stock) {
                    return Err("매도가능수량이 부족합니다".into());
                }
            }
        }
        let order = Order {
            ord_no: self.next_ord_no(venue),
            orig_ord_no: order_no(venue, 0),
            stock: new.stock,
            side: new.side,
            action: Action::New,
            qty: new.qty,
            price: if new.is_market { 0 } else { new.price },
            exchange: new.exchange,
            filled_qty: 0,
            fill_price: 0,
            status: Status::Open,
            secs: new.secs,
            closed_qty: 0,
        };
        self.orders.push(order);
        let idx = self.orders.len() - 1;
        self.try_fill(idx, current);
        Ok(self.orders[idx].clone())
    }

    fn try_fill(&mut self, idx: usize, current: i64) {
        let o = &self.orders[idx];
        let crosses = o.price == 0
            || match o.side {
                Side::Buy => o.price >= current,
                Side::Sell => o.price <= current,
            };
        if !crosses || o.status != Status::Open {
            return;
        }
        let qty = o.unfilled();
        let amount = qty * current;
        let (side, venue, k, stock) = (o.side, o.stock.venue, key(&o.stock), o.stock.clone());
        let holding = self.holdings.entry(k.clone()).or_default();
        holding.stock = Some(stock);
        match side {
            Side::Buy => {
                holding.qty += qty;
                holding.cost += amount;
                *self.cash_mut(venue) -= amount;
            }
            Side::Sell => {
                let cost_out = if holding.qty == 0 {
                    0
                } else {
                    holding.cost * qty / holding.qty
                };
                holding.qty -= qty;
                holding.cost -= cost_out;
                if holding.qty == 0 {
                    self.holdings.remove(&k);
                }
                *self.cash_mut(venue) += amount;
            }
        }
        let o = &mut self.orders[idx];
        o.filled_qty += qty;
        o.fill_price = current;
        o.status = Status::Filled;
    }

    fn open_index(&self, orig: &str, stock: &Stock) -> Result<usize, String> {
        self.orders
            .iter()
            .position(|o| {
                o.ord_no == orig && o.stock.code == stock.code && o.status == Status::Open
            })
            .ok_or_else(|| format!("정정/취소 가능한 원주문이 없습니다(원주문번호={orig})"))
    }

    /// Amend `qty` (0 = all unfilled) of order `orig` to `price`. Returns the new order.
    pub fn amend(
        &mut self,
        orig: &str,
        stock: &Stock,
        qty: i64,
        price: i64,
        current: i64,
        secs: u32,
    ) -> Result<Order, String> {
        let idx = self.open_index(orig, stock)?;
        let left = self.orders[idx].unfilled();
        let moved = if qty <= 0 || qty > left { left } else { qty };
        if self.orders[idx].side == Side::Buy {
            let extra = moved * price - moved * self.orders[idx].price;
            if extra > self.orderable(stock.venue) {
                return Err("주문가능금액이 부족합니다".into());
            }
        }
        let base = self.orders[idx].clone();
        let o = &mut self.orders[idx];
        o.closed_qty += moved;
        if o.unfilled() == 0 {
            o.status = if o.filled_qty > 0 {
                Status::Filled
            } else {
                Status::Closed
            };
        }
        let order = Order {
            ord_no: self.next_ord_no(stock.venue),
            orig_ord_no: base.ord_no,
            action: Action::Amend,
            qty: moved,
            price,
            filled_qty: 0,
            fill_price: 0,
            status: Status::Open,
            secs,
            closed_qty: 0,
            ..base
        };
        self.orders.push(order);
        let new_idx = self.orders.len() - 1;
        self.try_fill(new_idx, current);
        Ok(self.orders[new_idx].clone())
    }

    /// Cancel `qty` (0 = all unfilled) of order `orig`. Returns (cancel order number, quantity).
    pub fn cancel(&mut self, orig: &str, stock: &Stock, qty: i64) -> Result<(String, i64), String> {
        let idx = self.open_index(orig, stock)?;
        let left = self.orders[idx].unfilled();
        let cancelled = if qty <= 0 || qty > left { left } else { qty };
        let o = &mut self.orders[idx];
        o.closed_qty += cancelled;
        if o.unfilled() == 0 {
            o.status = if o.filled_qty > 0 {
                Status::Filled
            } else {
                Status::Closed
            };
        }
        Ok((self.next_ord_no(stock.venue), cancelled))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::market::find;

    fn order(stock: &Stock, side: Side, qty: i64, price: i64, is_market: bool) -> NewOrder {
        NewOrder {
            stock: stock.clone(),
            side,
            qty,
            price,
            is_market,
            exchange: "KRX".into(),
            secs: 0,
        }
    }

    #[test]
    fn fill_rules_and_cash() {
        let mut b = Book::default();
        let s = find("005930", Venue::Krx).unwrap();
        let filled = b.place(order(&s, Side::Buy, 10, 0, true), 50_000).unwrap();
        assert_eq!(filled.status, Status::Filled);
        assert_eq!(b.cash_won, START_WON - 500_000);
        assert_eq!(b.holdings[&(false, "005930".into())].qty, 10);
        let resting = b
            .place(order(&s, Side::Buy, 5, 40_000, false), 50_000)
            .unwrap();
        assert_eq!(resting.status, Status::Open);
        assert_eq!(b.orderable(Venue::Krx), START_WON - 500_000 - 200_000);
        let amended = b.amend(&resting.ord_no, &s, 0, 50_000, 50_000, 0).unwrap();
        assert_eq!(amended.status, Status::Filled);
        assert_eq!(b.find(&resting.ord_no).unwrap().status, Status::Closed);
        assert_eq!(b.holdings[&(false, "005930".into())].qty, 15);
        assert!(b.place(order(&s, Side::Sell, 16, 0, true), 50_000).is_err());
        let ask = b
            .place(order(&s, Side::Sell, 5, 60_000, false), 50_000)
            .unwrap();
        assert_eq!(ask.status, Status::Open);
        assert!(
            b.place(order(&s, Side::Sell, 11, 0, true), 50_000).is_err(),
            "5 of 15 are offered"
        );
        let (_, n) = b.cancel(&ask.ord_no, &s, 0).unwrap();
        assert_eq!(n, 5);
        assert!(b.cancel(&ask.ord_no, &s, 0).is_err());
        assert_eq!(filled.ord_no.len(), 7);
        assert_eq!(filled.orig_ord_no, "0000000");
        let aapl = find("AAPL", Venue::Us).unwrap();
        let us = b
            .place(order(&aapl, Side::Buy, 1, 0, true), 1_985_400)
            .unwrap();
        assert_eq!((us.ord_no.len(), us.orig_ord_no.as_str()), (9, "000000000"));
    }
}
