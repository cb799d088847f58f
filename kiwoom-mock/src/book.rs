//! The simulated account and market: cash, holdings, orders, fills and moving prices, in one
//! book that every order TR, every account inquiry and every realtime 00/04 frame reads.
//! The design note `design/simulator-market.md` has the whole picture; in short:
//!
//! ```text
//! let server = MockServer::start(MockConfig::default()
//!     .with_seed(7).with_clock(kst_time)            // the same prices on every run
//!     .with_state_file(dir.join("book.json"))).await?; // the book survives a restart
//! let control = server.control();
//! control.step_market(20);             // 20 price steps: crossed limits fill in parts
//! control.price("005930");             // the walk's current price
//! control.book();                      // orders, fills, holdings, cash
//! control.drop_order_frames(3);        // the next three 00 frames are never sent
//! control.drop_websockets_for(Duration::from_secs(5)); // sockets closed, reconnects refused
//! ```
//!
//! Fill rules:
//!
//! * a market order (domestic trde_tp 3, 13, 23, 6, 16, 26, 7; US 03, 36, 37) fills at once,
//!   in full, at the current price;
//! * a limit order that crosses the current price when it arrives (a buy at or above it, a
//!   sell at or below it) fills at once, in full, at the current price;
//! * any other limit order rests. At each market step (see `walk`) that leaves the price at
//!   or through its limit, it fills part of what is left, at its limit price: a size drawn
//!   from 1 to a third of the order quantity (rounded up) by a stream keyed by (seed, order
//!   number, fill index), so the same seed and the same requests give the same fills;
//! * an amend moves the given quantity (0 = all that is unfilled) of a live order to a new
//!   order at the new price, which the arrival rule may fill at once; a cancel removes the
//!   given quantity (0 = all). Both are orders of their own with a new number (the cancel's
//!   `qty` is the quantity it cancelled), so the history lists them as Kiwoom's does.
//!
//! Buys need cash (current or limit price × quantity; resting buys reserve theirs), sells need
//! holdings not already offered. No fees or taxes are charged. Every change is an [`Event`]
//! (accepted, filled, amended, cancelled, rejected), numbered in `seq`, which the caller
//! publishes as realtime 00 and 04 frames (see `feed`).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::det::Det;
use crate::market::{Stock, Venue};
use crate::synth::order_no;
use crate::walk::Walk;

/// Cash the account starts with: 100,000,000 won and 100,000 USD (in 1/10000 USD).
pub const START_WON: i64 = 100_000_000;
pub const START_USD: i64 = 100_000 * 10_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Side {
    Buy,
    Sell,
}

/// What a client asked for, which produced this order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Action {
    New,
    Amend,
    Cancel,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Status {
    /// Accepted, (partly) unfilled.
    Open,
    /// Nothing left open, something filled.
    Filled,
    /// Nothing left open, nothing filled: cancelled or amended away; every cancel order.
    Closed,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
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
    /// Sum of quantity × price over the order's fills.
    pub filled_amount: i64,
    pub status: Status,
    /// KST seconds since midnight when accepted.
    pub secs: u32,
    /// Quantity cancelled or moved to an amending order (all of it for a cancel order).
    pub closed_qty: i64,
    /// Fills so far (their numbers are in the book's `fills`).
    pub fill_count: u32,
}

impl Order {
    pub fn unfilled(&self) -> i64 {
        self.qty - self.filled_qty - self.closed_qty
    }

    /// Average fill price (0 before any fill).
    pub fn avg_fill_price(&self) -> i64 {
        if self.filled_qty == 0 {
            0
        } else {
            self.filled_amount / self.filled_qty
        }
    }

    fn reserved_cash(&self) -> i64 {
        if self.side == Side::Buy && self.status == Status::Open {
            self.unfilled() * self.price
        } else {
            0
        }
    }

    fn close_if_done(&mut self) {
        if self.unfilled() == 0 {
            self.status = if self.filled_qty > 0 {
                Status::Filled
            } else {
                Status::Closed
            };
        }
    }
}

/// One execution of one order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fill {
    /// 7 digits, unique in the book (realtime 00 `909`, kt00009 `cntr_no`).
    pub fill_no: String,
    pub ord_no: String,
    pub qty: i64,
    pub price: i64,
    /// KST seconds since midnight.
    pub secs: u32,
}

/// Millionths of a minor unit in [`Holding::cost_fraction`].
const FRACTION: i128 = 1_000_000;

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holding {
    pub stock: Option<Stock>,
    pub qty: i64,
    /// Total purchase cost of `qty` (minor units), whole units (kt00018 `pur_amt`, 04 `932`).
    pub cost: i64,
    /// The part of the cost below one minor unit, in millionths. A sale takes out its
    /// share of the cost, which is rarely whole: kept to the millionth, the average price
    /// stays what it was before the sale (a moving average, as Kiwoom's), instead of
    /// creeping up by a truncated remainder at every sale. 0 in a book saved before it.
    #[serde(default)]
    pub cost_fraction: i64,
}

impl Holding {
    /// The purchase price (kt00018 `pur_pric`, 04 `931`): the cost over the quantity,
    /// truncated to the minor unit.
    pub fn avg_price(&self) -> i64 {
        if self.qty == 0 {
            0
        } else {
            let exact = self.exact_cost() / (i128::from(self.qty) * FRACTION);
            i64::try_from(exact).unwrap_or(i64::MAX)
        }
    }

    /// The cost in millionths of a minor unit.
    fn exact_cost(&self) -> i128 {
        i128::from(self.cost) * FRACTION + i128::from(self.cost_fraction)
    }

    /// Takes `qty` shares out at their share of the cost (the average stays).
    fn sell(&mut self, qty: i64) {
        let left = self.qty - qty;
        let cost = if self.qty <= 0 || left <= 0 {
            0
        } else {
            self.exact_cost() * i128::from(left) / i128::from(self.qty)
        };
        self.qty = left;
        self.cost = i64::try_from(cost / FRACTION).unwrap_or(i64::MAX);
        self.cost_fraction = i64::try_from(cost % FRACTION).unwrap_or(0);
    }
}

/// What happened to an order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EventKind {
    /// 접수: a new order, or the request of an amend or cancel.
    Accepted,
    /// 체결: one fill.
    Filled(Fill),
    /// 확인: an amend confirmed (the event's order is the amending order).
    Amended,
    /// 확인: a cancel confirmed (the event's order is the cancel order).
    Cancelled,
    /// 거부: refused, with the reason. The order has no number (it was never accepted).
    Rejected(String),
}

/// One change of the book, for the realtime feed: the order as it is right after it, and
/// the account's position in the order's stock.
#[derive(Clone, Debug)]
pub struct Event {
    /// 1, 2, ... over the book's life (kept across restarts).
    pub seq: u64,
    pub kind: EventKind,
    pub order: Order,
    pub holding: Holding,
    /// Shares of the stock not yet offered by resting sells (04 `933`).
    pub sellable: i64,
    /// The stock's current price (the walk's) and the previous close, for `10`/`27`/`28`.
    pub price: i64,
    pub prev_close: i64,
    /// Net quantity bought today in the stock (04 `945`).
    pub net_bought: i64,
}

/// What the book needs to know about "now" for a change.
#[derive(Clone, Copy, Debug)]
pub struct Ctx {
    pub seed: u64,
    pub today: NaiveDate,
    pub secs: u32,
}

/// A new order as a request describes it.
pub struct NewOrder {
    pub stock: Stock,
    pub side: Side,
    pub qty: i64,
    pub price: i64,
    pub is_market: bool,
    pub exchange: String,
}

fn key(stock: &Stock) -> String {
    let venue = match stock.venue {
        Venue::Krx => 'K',
        Venue::Us => 'U',
    };
    format!("{venue}:{}", stock.code)
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Book {
    pub cash_won: i64,
    pub cash_usd: i64,
    /// By `K:<code>` (KRX) or `U:<code>` (US).
    pub holdings: BTreeMap<String, Holding>,
    pub orders: Vec<Order>,
    pub fills: Vec<Fill>,
    pub walk: Walk,
    next_no: u64,
    next_fill: u64,
    events: u64,
}

impl Default for Book {
    fn default() -> Self {
        Book {
            cash_won: START_WON,
            cash_usd: START_USD,
            holdings: BTreeMap::new(),
            orders: Vec::new(),
            fills: Vec::new(),
            walk: Walk::default(),
            next_no: 0,
            next_fill: 0,
            events: 0,
        }
    }
}

impl Book {
    /// The next order number, as the venue writes it: 7 digits domestic, 9 digits US.
    fn next_ord_no(&mut self, venue: Venue) -> String {
        self.next_no += 1;
        order_no(venue, 12_000 + self.next_no as i64)
    }

    fn cash_mut(&mut self, venue: Venue) -> &mut i64 {
        match venue {
            Venue::Krx => &mut self.cash_won,
            Venue::Us => &mut self.cash_usd,
        }
    }

    fn cash(&self, venue: Venue) -> i64 {
        match venue {
            Venue::Krx => self.cash_won,
            Venue::Us => self.cash_usd,
        }
    }

    /// Cash free for new buys: cash minus what resting buys reserve.
    pub fn orderable(&self, venue: Venue) -> i64 {
        let reserved: i64 = self
            .orders
            .iter()
            .filter(|o| o.stock.venue == venue)
            .map(Order::reserved_cash)
            .sum();
        self.cash(venue) - reserved
    }

    pub fn holding(&self, stock: &Stock) -> Holding {
        self.holdings.get(&key(stock)).cloned().unwrap_or(Holding {
            stock: Some(stock.clone()),
            qty: 0,
            cost: 0,
            cost_fraction: 0,
        })
    }

    /// Shares that can still be sold: held minus offered by resting sells.
    pub fn sellable(&self, stock: &Stock) -> i64 {
        let held = self.holding(stock).qty;
        let offered: i64 = self
            .orders
            .iter()
            .filter(|o| o.side == Side::Sell && o.status == Status::Open && o.stock == *stock)
            .map(Order::unfilled)
            .sum();
        held - offered
    }

    pub fn find(&self, ord_no: &str) -> Option<&Order> {
        self.orders.iter().find(|o| o.ord_no == ord_no)
    }

    /// The current price of `stock` (the walk's).
    pub fn price(&self, ctx: &Ctx, stock: &Stock) -> i64 {
        self.walk.peek(ctx.seed, stock, ctx.today)
    }

    fn event(&mut self, ctx: &Ctx, kind: EventKind, order: Order) -> Event {
        self.events += 1;
        let stock = order.stock.clone();
        // Each order carries its filled total: no walk over the fill list per event.
        let net_bought = self
            .orders
            .iter()
            .filter(|o| o.stock == stock)
            .map(|o| match o.side {
                Side::Buy => o.filled_qty,
                Side::Sell => -o.filled_qty,
            })
            .sum();
        Event {
            seq: self.events,
            kind,
            holding: self.holding(&stock),
            sellable: self.sellable(&stock),
            price: self.price(ctx, &stock),
            prev_close: crate::market::quote(ctx.seed, &stock, ctx.today).prev_close,
            net_bought,
            order,
        }
    }

    /// The 거부 event of a refused request: `order` describes what was asked (no number).
    pub fn rejected(&mut self, ctx: &Ctx, order: Order, reason: &str) -> Event {
        self.event(ctx, EventKind::Rejected(reason.to_string()), order)
    }

    /// A template for a refused request's event: the order as asked, without a number.
    pub fn refused_order(new: &NewOrder, action: Action, orig: &str) -> Order {
        Order {
            ord_no: String::new(),
            orig_ord_no: orig.to_string(),
            stock: new.stock.clone(),
            side: new.side,
            action,
            qty: new.qty,
            price: if new.is_market { 0 } else { new.price },
            exchange: new.exchange.clone(),
            filled_qty: 0,
            filled_amount: 0,
            status: Status::Closed,
            secs: 0,
            closed_qty: new.qty,
            fill_count: 0,
        }
    }

    /// Place a new order: its events (accepted, then a fill if it crosses on arrival).
    pub fn place(&mut self, ctx: &Ctx, new: NewOrder) -> Result<Vec<Event>, String> {
        if new.qty <= 0 {
            return Err("주문수량이 올바르지 않습니다".into());
        }
        let venue = new.stock.venue;
        let current = self.walk.price(ctx.seed, &new.stock, ctx.today);
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
            filled_amount: 0,
            status: Status::Open,
            secs: ctx.secs,
            closed_qty: 0,
            fill_count: 0,
        };
        self.orders.push(order.clone());
        let mut events = vec![self.event(ctx, EventKind::Accepted, order)];
        events.extend(self.fill_on_arrival(ctx, self.orders.len() - 1));
        Ok(events)
    }

    /// A market order, or a limit that crosses the current price, fills in full at once.
    fn fill_on_arrival(&mut self, ctx: &Ctx, idx: usize) -> Option<Event> {
        let o = &self.orders[idx];
        let current = self.walk.price(ctx.seed, &o.stock, ctx.today);
        let crosses = o.price == 0
            || match o.side {
                Side::Buy => o.price >= current,
                Side::Sell => o.price <= current,
            };
        if !crosses || o.status != Status::Open {
            return None;
        }
        let qty = o.unfilled();
        Some(self.fill(ctx, idx, qty, current))
    }

    /// Execute `qty` of order `idx` at `price`: cash, holding, order and the fill list move.
    fn fill(&mut self, ctx: &Ctx, idx: usize, qty: i64, price: i64) -> Event {
        let o = &self.orders[idx];
        let amount = qty * price;
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
                holding.sell(qty);
                if holding.qty == 0 {
                    self.holdings.remove(&k);
                }
                *self.cash_mut(venue) += amount;
            }
        }
        self.next_fill += 1;
        let fill = Fill {
            fill_no: format!("{:07}", self.next_fill),
            ord_no: self.orders[idx].ord_no.clone(),
            qty,
            price,
            secs: ctx.secs,
        };
        self.fills.push(fill.clone());
        let o = &mut self.orders[idx];
        o.filled_qty += qty;
        o.filled_amount += amount;
        o.fill_count += 1;
        o.close_if_done();
        let order = o.clone();
        self.event(ctx, EventKind::Filled(fill), order)
    }

    /// Move the market one step, then fill (in part) every resting limit order the new price
    /// reaches, oldest first, at its limit price.
    pub fn step(&mut self, ctx: &Ctx) -> Vec<Event> {
        self.walk.step(ctx.seed, ctx.today);
        let mut events = Vec::new();
        for idx in 0..self.orders.len() {
            let o = &self.orders[idx];
            if o.status != Status::Open || o.price == 0 {
                continue;
            }
            let current = self.walk.price(ctx.seed, &o.stock, ctx.today);
            let reached = match o.side {
                Side::Buy => current <= o.price,
                Side::Sell => current >= o.price,
            };
            if !reached {
                continue;
            }
            let mut det = Det::new(ctx.seed, &["fill", &o.ord_no, &o.fill_count.to_string()]);
            let most = ((o.qty + 2) / 3).max(1);
            let qty = det.range(1, most).min(o.unfilled());
            let price = o.price;
            events.push(self.fill(ctx, idx, qty, price));
        }
        events
    }

    fn open_index(&self, orig: &str, stock: &Stock) -> Result<usize, String> {
        self.orders
            .iter()
            .position(|o| o.ord_no == orig && o.stock == *stock && o.status == Status::Open)
            .ok_or_else(|| format!("정정/취소 가능한 원주문이 없습니다(원주문번호={orig})"))
    }

    /// Amend `qty` (0 = all unfilled) of order `orig` to `price`: the amending order's
    /// events (its request accepted, the amend confirmed, a fill if it now crosses).
    pub fn amend(
        &mut self,
        ctx: &Ctx,
        orig: &str,
        stock: &Stock,
        qty: i64,
        price: i64,
    ) -> Result<Vec<Event>, String> {
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
        o.close_if_done();
        let order = Order {
            ord_no: self.next_ord_no(stock.venue),
            orig_ord_no: base.ord_no.clone(),
            action: Action::Amend,
            qty: moved,
            price,
            filled_qty: 0,
            filled_amount: 0,
            status: Status::Open,
            secs: ctx.secs,
            closed_qty: 0,
            fill_count: 0,
            ..base
        };
        self.orders.push(order.clone());
        let mut events = vec![
            self.event(ctx, EventKind::Accepted, order.clone()),
            self.event(ctx, EventKind::Amended, order),
        ];
        events.extend(self.fill_on_arrival(ctx, self.orders.len() - 1));
        Ok(events)
    }

    /// Cancel `qty` (0 = all unfilled) of order `orig`: the cancel order's events (its
    /// request accepted, the cancel confirmed).
    pub fn cancel(
        &mut self,
        ctx: &Ctx,
        orig: &str,
        stock: &Stock,
        qty: i64,
    ) -> Result<Vec<Event>, String> {
        let idx = self.open_index(orig, stock)?;
        let left = self.orders[idx].unfilled();
        let cancelled = if qty <= 0 || qty > left { left } else { qty };
        let base = self.orders[idx].clone();
        let o = &mut self.orders[idx];
        o.closed_qty += cancelled;
        o.close_if_done();
        let order = Order {
            ord_no: self.next_ord_no(stock.venue),
            orig_ord_no: base.ord_no.clone(),
            action: Action::Cancel,
            qty: cancelled,
            filled_qty: 0,
            filled_amount: 0,
            status: Status::Closed,
            secs: ctx.secs,
            closed_qty: cancelled,
            fill_count: 0,
            ..base
        };
        self.orders.push(order.clone());
        Ok(vec![
            self.event(ctx, EventKind::Accepted, order.clone()),
            self.event(ctx, EventKind::Cancelled, order),
        ])
    }

    /// The fills of one order, oldest first.
    pub fn fills_of<'a>(&'a self, ord_no: &'a str) -> impl Iterator<Item = &'a Fill> + 'a {
        self.fills.iter().filter(move |f| f.ord_no == ord_no)
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
        }
    }

    fn ctx() -> Ctx {
        Ctx {
            seed: 0,
            today: NaiveDate::from_ymd_opt(2025, 4, 28).unwrap(),
            secs: 36_000,
        }
    }

    fn last(events: &[Event]) -> &Order {
        &events.last().unwrap().order
    }

    #[test]
    fn fill_rules_and_cash() {
        let c = ctx();
        let mut b = Book::default();
        let s = find("005930", Venue::Krx).unwrap();
        let price = b.walk.price(c.seed, &s, c.today);
        let filled = b.place(&c, order(&s, Side::Buy, 10, 0, true)).unwrap();
        assert!(matches!(filled[0].kind, EventKind::Accepted));
        assert!(matches!(filled[1].kind, EventKind::Filled(_)));
        assert_eq!(last(&filled).status, Status::Filled);
        assert_eq!(b.cash_won, START_WON - 10 * price);
        assert_eq!(b.holding(&s).qty, 10);
        let below = price / 2 / 100 * 100;
        let resting = b.place(&c, order(&s, Side::Buy, 5, below, false)).unwrap();
        assert_eq!(resting.len(), 1);
        let resting = last(&resting).clone();
        assert_eq!(resting.status, Status::Open);
        assert_eq!(b.orderable(Venue::Krx), START_WON - 10 * price - 5 * below);
        let amended = b.amend(&c, &resting.ord_no, &s, 0, price).unwrap();
        assert!(matches!(amended[1].kind, EventKind::Amended));
        assert_eq!(last(&amended).status, Status::Filled);
        assert_eq!(b.find(&resting.ord_no).unwrap().status, Status::Closed);
        assert_eq!(b.holding(&s).qty, 15);
        assert!(b.place(&c, order(&s, Side::Sell, 16, 0, true)).is_err());
        let ask = b
            .place(&c, order(&s, Side::Sell, 5, price * 2, false))
            .unwrap();
        let ask = last(&ask).clone();
        assert!(
            b.place(&c, order(&s, Side::Sell, 11, 0, true)).is_err(),
            "5 of 15 are offered"
        );
        let cancel = b.cancel(&c, &ask.ord_no, &s, 0).unwrap();
        assert_eq!(last(&cancel).qty, 5);
        assert_eq!(last(&cancel).action, Action::Cancel);
        assert!(b.cancel(&c, &ask.ord_no, &s, 0).is_err());
        assert_eq!(resting.ord_no.len(), 7);
        assert_eq!(resting.orig_ord_no, "0000000");
        let aapl = find("AAPL", Venue::Us).unwrap();
        let us = b.place(&c, order(&aapl, Side::Buy, 1, 0, true)).unwrap();
        assert_eq!(
            (last(&us).ord_no.len(), last(&us).orig_ord_no.as_str()),
            (9, "000000000")
        );
        let seqs: Vec<u64> = us.iter().map(|e| e.seq).collect();
        assert_eq!(seqs, [seqs[0], seqs[0] + 1], "events are numbered in order");
    }

    #[test]
    fn sales_leave_the_average_price_as_it_was() {
        // 3 shares for 100 won: 33.33 each. Selling one at a time, a cost truncated to the
        // won at each sale would creep up (67 / 2 = 33.5, then 34); the millionths keep it.
        let mut h = Holding {
            stock: None,
            qty: 3,
            cost: 100,
            cost_fraction: 0,
        };
        h.sell(1);
        assert_eq!(
            (h.qty, h.cost, h.cost_fraction, h.avg_price()),
            (2, 66, 666_666, 33)
        );
        h.sell(1);
        assert_eq!((h.qty, h.cost, h.avg_price()), (1, 33, 33));
        h.sell(1);
        assert_eq!(
            (h.qty, h.cost, h.cost_fraction, h.avg_price()),
            (0, 0, 0, 0)
        );
        // An old book (no fraction) loads and sells alike.
        let old: Holding = serde_json::from_str(r#"{"stock":null,"qty":4,"cost":402}"#).unwrap();
        assert_eq!((old.cost_fraction, old.avg_price()), (0, 100));
        let mut h = Holding {
            qty: 7,
            cost: 7 * 70_150 + 3,
            ..old
        };
        for _ in 0..6 {
            h.sell(1);
            assert_eq!(h.avg_price(), 70_150, "{h:?}");
        }
    }

    #[test]
    fn a_resting_limit_fills_in_parts_at_its_price() {
        let c = ctx();
        let mut b = Book::default();
        let s = find("005930", Venue::Krx).unwrap();
        let price = b.walk.price(c.seed, &s, c.today);
        // A buy at the price one tick lower fills only once the walk comes down to it.
        let limit = crate::walk::tick_down(&s, price);
        let placed = b.place(&c, order(&s, Side::Buy, 12, limit, false)).unwrap();
        let no = last(&placed).ord_no.clone();
        let mut fills = Vec::new();
        for _ in 0..2_000 {
            for e in b.step(&c) {
                if let EventKind::Filled(f) = e.kind {
                    assert_eq!(f.price, limit);
                    assert!(b.walk.peek(c.seed, &s, c.today) <= limit);
                    fills.push(f.qty);
                }
            }
            if b.find(&no).unwrap().status != Status::Open {
                break;
            }
        }
        assert_eq!(fills.iter().sum::<i64>(), 12, "{fills:?}");
        assert!(fills.len() >= 3, "a third at most each time: {fills:?}");
        assert!(fills.iter().all(|q| (1..=4).contains(q)), "{fills:?}");
        assert_eq!(b.find(&no).unwrap().status, Status::Filled);
        assert_eq!(b.holding(&s).qty, 12);
        assert_eq!(b.cash_won, START_WON - 12 * limit);
    }
}
