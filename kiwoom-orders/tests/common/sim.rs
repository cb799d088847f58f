//! Tests against the simulator: a client for it, and the check that the journal equals the
//! simulator's book exactly. The book is read here from Kiwoom's own lists (kt00009 orders
//! and fills, ka10075 open orders, kt00018 holdings) with the test's own reading of the wire
//! fields, not through the adapter under test.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::Duration;

use chrono::NaiveDate;
use futures::StreamExt;
use kiwoom_generated::{AnyRequest, parse_request};
use kiwoom_mock::MockServer;
use kiwoom_orders::{EventKind, Journal, OrderFilter, OrderNo, OrderState};
use kiwoom_runtime::{Client, Environment, RateLimits, RetryPolicy};
use rust_decimal::Decimal;
use serde_json::{Value, json};

pub fn client(server: &MockServer, timeout: Duration) -> Client {
    client_at(&server.base_url(), &server.ws_url(), timeout)
}

pub fn client_at(base_url: &str, ws_url: &str, timeout: Duration) -> Client {
    Client::builder()
        .environment(Environment::Custom {
            base_url: base_url.to_owned(),
            ws_url: ws_url.to_owned(),
        })
        .app_key("APPKEY-orders-test-0000")
        .secret_key("SECRETKEY-orders-test-0000")
        .timeout(timeout)
        .rate_limits(RateLimits::unlimited())
        .retry_policy(
            RetryPolicy::default()
                .with_delays(Duration::from_millis(20), Duration::from_millis(200)),
        )
        .build()
        .unwrap()
}

/// One order of the simulator's book as kt00009 lists it: its rows (one per execution, or
/// one with no execution) added up.
#[derive(Debug, Clone)]
pub struct BookOrder {
    pub order_no: OrderNo,
    pub orig_order_no: Option<OrderNo>,
    pub stock: String,
    pub quantity: u64,
    pub filled: u64,
    /// Sum of quantity × price over its executions.
    pub filled_value: Decimal,
    /// Average price of its executions (0 before any).
    pub fill_price: Decimal,
    /// The numbers (`cntr_no`) of its executions, as listed (newest first).
    pub executions: Vec<String>,
}

#[derive(Debug, Default)]
pub struct Book {
    /// New and amending orders.
    pub orders: Vec<BookOrder>,
    /// Cancelling orders (`취소` in `io_tp_nm` or `mdfy_cncl_tp`), when the list has them:
    /// their quantity is what they cancelled of their original.
    pub cancels: Vec<BookOrder>,
    pub open: HashMap<OrderNo, u64>,
    /// Stock -> (quantity, purchase price, purchase amount `pur_amt`).
    pub holdings: BTreeMap<String, (i64, Decimal, Decimal)>,
}

fn text(row: &Value, key: &str) -> String {
    match row.get(key) {
        Some(Value::String(s)) => s.trim().to_owned(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}

fn number(row: &Value, key: &str) -> u64 {
    let t = text(row, key);
    t.trim_start_matches(['+', '-']).parse().unwrap_or(0)
}

fn order_no(s: String) -> Option<OrderNo> {
    (!s.trim_start_matches('0').is_empty()).then(|| OrderNo::new(s).unwrap())
}

fn stock(s: String) -> String {
    match s.strip_prefix('A') {
        Some(rest) if rest.len() == 6 => rest.to_owned(),
        _ => s,
    }
}

/// Every row of every page of a list query.
async fn rows(client: &Client, api_id: &str, body: Value, list: &str) -> Vec<Value> {
    let request = parse_request(api_id, &body).unwrap();
    let pages: Vec<Value> = match request {
        AnyRequest::Ka10075(r) => {
            client
                .call(*r)
                .pages()
                .map(|p| serde_json::to_value(p.unwrap().body).unwrap())
                .collect()
                .await
        }
        AnyRequest::Kt00009(r) => {
            client
                .call(*r)
                .pages()
                .map(|p| serde_json::to_value(p.unwrap().body).unwrap())
                .collect()
                .await
        }
        AnyRequest::Kt00018(r) => {
            client
                .call(*r)
                .pages()
                .map(|p| serde_json::to_value(p.unwrap().body).unwrap())
                .collect()
                .await
        }
        _ => unreachable!("only the three book lists are read"),
    };
    pages
        .iter()
        .flat_map(|p| p[list].as_array().cloned().unwrap_or_default())
        .collect()
}

/// The simulator's book, read through Kiwoom's lists.
pub async fn book(client: &Client, date: NaiveDate) -> Book {
    let mut book = Book::default();
    let history = rows(
        client,
        "kt00009",
        json!({"ord_dt": date.format("%Y%m%d").to_string(), "stk_bond_tp": "1", "mrkt_tp": "0",
               "sell_tp": "0", "qry_tp": "0", "stk_cd": "", "fr_ord_no": "", "dmst_stex_tp": "%"}),
        "acnt_ord_cntr_prst_array",
    )
    .await;
    // One row per execution of an order (newest first), one row for an order without
    // execution: add an order's rows up.
    for r in &history {
        let Some(no) = order_no(text(r, "ord_no")) else {
            continue;
        };
        let cancel =
            text(r, "io_tp_nm").contains("취소") || text(r, "mdfy_cncl_tp").contains("취소");
        let list = if cancel {
            &mut book.cancels
        } else {
            &mut book.orders
        };
        let i = match list.iter().position(|o| o.order_no == no) {
            Some(i) => i,
            None => {
                list.push(BookOrder {
                    order_no: no,
                    orig_order_no: order_no(text(r, "orig_ord_no")),
                    stock: stock(text(r, "stk_cd")),
                    quantity: number(r, "ord_qty"),
                    filled: 0,
                    filled_value: Decimal::ZERO,
                    fill_price: Decimal::ZERO,
                    executions: Vec::new(),
                });
                list.len() - 1
            }
        };
        let filled = number(r, "cntr_qty");
        if filled > 0 {
            let o = &mut list[i];
            o.filled += filled;
            o.filled_value += Decimal::from(number(r, "cntr_uv")) * Decimal::from(filled);
            o.fill_price = o.filled_value / Decimal::from(o.filled);
            o.executions.push(text(r, "cntr_no"));
        }
    }
    let open = rows(
        client,
        "ka10075",
        json!({"all_stk_tp": "0", "trde_tp": "0", "stk_cd": "", "stex_tp": "0"}),
        "oso",
    )
    .await;
    for r in &open {
        if let Some(no) = order_no(text(r, "ord_no")) {
            book.open.insert(no, number(r, "oso_qty"));
        }
    }
    let held = rows(
        client,
        "kt00018",
        json!({"qry_tp": "2", "dmst_stex_tp": "KRX"}),
        "acnt_evlt_remn_indv_tot",
    )
    .await;
    for r in &held {
        book.holdings.insert(
            stock(text(r, "stk_cd")),
            (
                number(r, "rmnd_qty") as i64,
                Decimal::from(number(r, "pur_pric")),
                Decimal::from(number(r, "pur_amt")),
            ),
        );
    }
    book
}

/// An order's events, one line each, for a failure message.
async fn history_of<J: Journal>(journal: &J, order: &kiwoom_orders::Order) -> String {
    let events = journal.events(order.id()).await.unwrap();
    let mut out = format!(
        "{} ({:?}, {} x {:?}):",
        order.id(),
        order.intent.side,
        order.intent.quantity,
        order.intent.price
    );
    for e in events {
        out.push_str(&format!("\n  {} {:?}", e.source.as_str(), e.kind));
    }
    out
}

/// What the equality check counted.
#[derive(Debug, Default)]
pub struct Equality {
    pub orders: usize,
    pub server_orders: usize,
    pub fills: usize,
    /// Executions Kiwoom lists (kt00009 rows with a fill).
    pub server_executions: usize,
    pub filled_quantity: u64,
    /// Order numbers filled in two or more parts.
    pub partly_filled: usize,
    pub states: BTreeMap<String, usize>,
    /// Per open position: (stock, journal average, Kiwoom's whole-won average).
    pub averages: Vec<(String, Decimal, Decimal)>,
    /// Per open position: (stock, journal average × quantity, Kiwoom's whole-won purchase
    /// amount): a finer view of the same agreement (printed, not asserted).
    pub costs: Vec<(String, Decimal, Decimal)>,
}

/// How position averages are compared with Kiwoom's purchase price (kt00018 `pur_pric`,
/// whole won).
#[derive(Debug, Clone, Copy)]
pub enum Averages {
    /// Kiwoom's purchase price is the journal's exact average truncated to the won (the
    /// simulator truncates cost / quantity): no tolerance.
    Exact,
    /// Within this many won.
    Within(Decimal),
}

/// The journal's orders, fills and positions equal the simulator's book exactly: every
/// server order belongs to exactly one journal order and every placed journal order has its
/// server order (0 duplicates, 0 missing); filled quantity and value per order number agree
/// (0 lost, 0 double-counted fills), and each execution kt00009 lists is one journal fill
/// under its own number (none merged into a catch-up); open quantities agree; no order is
/// left unknown or with a request pending; positions equal the holdings (quantity exactly,
/// the average price as `averages` says); every snapshot equals its replay.
pub async fn assert_journal_equals_book<J: Journal>(
    journal: &J,
    client: &Client,
    account: &str,
    date: NaiveDate,
    averages: Averages,
) -> Equality {
    let book = book(client, date).await;
    let orders = journal
        .orders(&OrderFilter::default().account(account).trade_date(date))
        .await
        .unwrap();
    let mut eq = Equality {
        orders: orders.len(),
        server_orders: book.orders.len(),
        ..Equality::default()
    };
    for order in &orders {
        *eq.states.entry(order.state.to_string()).or_default() += 1;
        assert!(
            !matches!(
                order.state,
                OrderState::Unknown
                    | OrderState::PendingNew
                    | OrderState::AmendPending
                    | OrderState::CancelPending
            ),
            "left unresolved: {order:#?}"
        );
        assert!(
            !order.id().as_str().starts_with("ext-"),
            "an order of ours came back as another's (a duplicate): {order:#?}"
        );
        let replay = journal.rebuild(order.id()).await.unwrap();
        if replay.as_ref() != Some(order) {
            panic!(
                "snapshot != replay:\n{order:?}\n{replay:?}\n{}",
                history_of(journal, order).await
            );
        }
    }

    // Orders: one journal order per server order, and the other way round.
    let placed: Vec<_> = orders
        .iter()
        .filter(|o| !matches!(o.state, OrderState::Rejected | OrderState::NotPlaced))
        .collect();
    let new_server: Vec<_> = book
        .orders
        .iter()
        .filter(|o| o.orig_order_no.is_none())
        .collect();
    assert_eq!(
        placed.len(),
        new_server.len(),
        "journal orders that reached Kiwoom vs Kiwoom's new orders"
    );
    for server in &book.orders {
        let ours = journal
            .order_by_no(account, date, &server.order_no)
            .await
            .unwrap();
        let ours = ours.unwrap_or_else(|| {
            panic!("server order {server:?} is in no journal order");
        });
        assert_eq!(ours.intent.stock, server.stock, "{server:?}");
        if server.orig_order_no.is_none() {
            assert_eq!(ours.order_nos.first(), Some(&server.order_no), "{ours:#?}");
            assert_eq!(ours.intent.quantity, server.quantity, "{ours:#?}");
        } else {
            // An amending order's number: confirmed as an amendment, or (when a fill under
            // it closed the order before the confirmation came) known from that fill.
            assert!(ours.order_nos.contains(&server.order_no), "{ours:#?}");
        }
        // Fills: quantity and value under this number.
        if ours.filled_of(&server.order_no) != server.filled {
            panic!(
                "filled under {}: journal {}, server {server:?}\n{}",
                server.order_no,
                ours.filled_of(&server.order_no),
                history_of(journal, &ours).await
            );
        }
    }
    for order in &placed {
        assert!(
            order
                .order_nos
                .first()
                .is_some_and(|no| new_server.iter().any(|s| &s.order_no == no)),
            "journal order not on the server: {order:#?}"
        );
        let server_open: u64 = order
            .order_nos
            .iter()
            .filter_map(|no| book.open.get(no))
            .sum();
        if order.open_quantity() != server_open {
            panic!(
                "open quantity: journal {}, server {server_open}\n{}",
                order.open_quantity(),
                history_of(journal, order).await
            );
        }
        // Cancelled quantity, where Kiwoom's list shows the cancelling orders.
        if !book.cancels.is_empty() {
            let server_cancelled: u64 = book
                .cancels
                .iter()
                .filter(|c| {
                    c.orig_order_no
                        .as_ref()
                        .is_some_and(|o| order.order_nos.contains(o))
                })
                .map(|c| c.quantity)
                .sum();
            if order.cancelled_quantity != server_cancelled {
                panic!(
                    "cancelled quantity: journal {}, server {server_cancelled}\n{}",
                    order.cancelled_quantity,
                    history_of(journal, order).await
                );
            }
        }
        let server_value: Decimal = book
            .orders
            .iter()
            .filter(|s| order.order_nos.contains(&s.order_no))
            .map(|s| s.filled_value)
            .sum();
        assert_eq!(order.filled_value, server_value, "filled value: {order:#?}");
    }

    // The fills table holds exactly the fill events, and sums to the server's fills.
    let fills = journal.fills(Some(account), date).await.unwrap();
    let mut fill_events = 0;
    for order in &orders {
        for e in journal.events(order.id()).await.unwrap() {
            if matches!(e.kind, EventKind::Filled { .. }) {
                fill_events += 1;
            }
        }
    }
    assert_eq!(fills.len(), fill_events, "fills table = fill events");
    let mut by_no: HashMap<&OrderNo, u64> = HashMap::new();
    let mut parts: HashMap<&OrderNo, usize> = HashMap::new();
    let mut keys: HashMap<&OrderNo, BTreeSet<u64>> = HashMap::new();
    for f in &fills {
        *by_no.entry(&f.fill.order_no).or_default() += f.fill.quantity;
        *parts.entry(&f.fill.order_no).or_default() += 1;
        let key = f.fill.fill_no.parse().unwrap_or_else(|_| {
            panic!("a fill not keyed by an execution number (a catch-up): {f:?}")
        });
        keys.entry(&f.fill.order_no).or_default().insert(key);
    }
    // Each execution Kiwoom lists is one fill of the journal, under its own number: none
    // merged into a catch-up, none split, none missing.
    for server in &book.orders {
        let listed: BTreeSet<u64> = server
            .executions
            .iter()
            .map(|n| n.parse().unwrap())
            .collect();
        assert_eq!(
            keys.remove(&server.order_no).unwrap_or_default(),
            listed,
            "fill numbers under {}",
            server.order_no
        );
        eq.server_executions += server.executions.len();
    }
    eq.partly_filled = parts.values().filter(|n| **n > 1).count();
    for server in &book.orders {
        assert_eq!(
            by_no.remove(&server.order_no).unwrap_or(0),
            server.filled,
            "fills recorded under {}",
            server.order_no
        );
    }
    assert!(
        by_no.is_empty(),
        "fills under numbers Kiwoom does not know: {by_no:?}"
    );
    eq.fills = fills.len();
    eq.filled_quantity = fills.iter().map(|f| f.fill.quantity).sum();

    // Positions.
    let positions = journal.positions(account).await.unwrap();
    for p in &positions {
        let (qty, price, cost) =
            book.holdings
                .get(&p.stock)
                .copied()
                .unwrap_or((0, Decimal::ZERO, Decimal::ZERO));
        assert_eq!(p.quantity, qty, "position quantity of {}", p.stock);
        if qty != 0 {
            eq.averages.push((p.stock.clone(), p.average_price, price));
            eq.costs
                .push((p.stock.clone(), p.average_price * Decimal::from(qty), cost));
        }
        if qty != 0 {
            let equal = match averages {
                Averages::Exact => p.average_price.trunc() == price,
                Averages::Within(tolerance) => (p.average_price - price).abs() <= tolerance,
            };
            assert!(
                equal,
                "average price of {}: journal {} vs Kiwoom {price} ({averages:?})",
                p.stock, p.average_price
            );
        }
    }
    for (stock, (qty, _, _)) in &book.holdings {
        assert!(
            positions
                .iter()
                .any(|p| &p.stock == stock && p.quantity == *qty),
            "Kiwoom holds {qty} of {stock}, the journal does not"
        );
    }
    eq
}
