//! The simulator as a market (see `design/simulator-market.md`): prices walk on the tick
//! grid per seed, resting limits fill in parts as the price reaches them, every order event
//! pushes 00 and 04, the account inquiries answer from the same book, the book survives a
//! restart through its state file, and the two realtime faults (00 frames never sent, the
//! WebSocket down for a while) do what they say. Plain reqwest and tokio-tungstenite clients.

use std::collections::BTreeSet;
use std::time::Duration;

use futures::{SinkExt, StreamExt};
use kiwoom_market::{Decimal, InstrumentKind, tick::Grid};
use kiwoom_mock::{BookSnapshot, MockConfig, MockServer, SimOrderKind, SimOrderStatus};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// The workspace spec (it documents every 00 and 04 field), a fixed in-session minute on a
/// Wednesday so prices start from the same close on every run.
fn config(seed: u64) -> MockConfig {
    let at = chrono::NaiveDate::from_ymd_opt(2026, 12, 2)
        .unwrap()
        .and_hms_opt(10, 0, 0)
        .unwrap();
    MockConfig {
        rows_per_page: 3,
        ..MockConfig::default().with_seed(seed).with_clock(at)
    }
}

struct Client {
    base: String,
    http: reqwest::Client,
    token: String,
}

/// One REST answer: body and the two paging headers.
struct Answer {
    body: Value,
    cont_yn: String,
    next_key: String,
}

impl Client {
    async fn new(server: &MockServer) -> Client {
        let http = reqwest::Client::new();
        let r: Value = http
            .post(format!("{}/oauth2/token", server.base_url()))
            .header("api-id", "au10001")
            .json(&json!({"grant_type": "client_credentials", "appkey": "a", "secretkey": "b"}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        Client {
            base: server.base_url(),
            http,
            token: r["token"].as_str().unwrap().to_string(),
        }
    }

    async fn call_page(&self, path: &str, api_id: &str, body: Value, next_key: &str) -> Answer {
        let mut req = self
            .http
            .post(format!("{}{path}", self.base))
            .header("api-id", api_id)
            .header("authorization", format!("Bearer {}", self.token))
            .json(&body);
        if !next_key.is_empty() {
            req = req.header("cont-yn", "Y").header("next-key", next_key);
        }
        let resp = req.send().await.unwrap();
        let header = |name: &str| {
            resp.headers()
                .get(name)
                .map(|v| v.to_str().unwrap().to_string())
                .unwrap_or_default()
        };
        let (cont_yn, next_key) = (header("cont-yn"), header("next-key"));
        Answer {
            body: resp.json().await.unwrap(),
            cont_yn,
            next_key,
        }
    }

    async fn call(&self, path: &str, api_id: &str, body: Value) -> Value {
        self.call_page(path, api_id, body, "").await.body
    }

    async fn order(&self, api_id: &str, body: Value) -> Value {
        self.call("/api/dostk/ordr", api_id, body).await
    }

    async fn limit(&self, api_id: &str, qty: i64, price: i64) -> String {
        let r = self
            .order(
                api_id,
                json!({"dmst_stex_tp": "KRX", "stk_cd": "005930", "ord_qty": qty.to_string(),
                       "ord_uv": price.to_string(), "trde_tp": "0"}),
            )
            .await;
        assert_eq!(r["return_code"], 0, "{r}");
        r["ord_no"].as_str().unwrap().to_string()
    }

    async fn market(&self, api_id: &str, qty: i64) -> String {
        let r = self
            .order(
                api_id,
                json!({"dmst_stex_tp": "KRX", "stk_cd": "005930", "ord_qty": qty.to_string(), "trde_tp": "3"}),
            )
            .await;
        assert_eq!(r["return_code"], 0, "{r}");
        r["ord_no"].as_str().unwrap().to_string()
    }

    /// Every row of a paged account listing, following `next-key` to the end.
    async fn all_pages(&self, api_id: &str, body: Value, list: &str) -> (Vec<Value>, usize) {
        let mut rows = Vec::new();
        let mut key = String::new();
        let mut pages = 0;
        loop {
            let a = self
                .call_page("/api/dostk/acnt", api_id, body.clone(), &key)
                .await;
            assert_eq!(a.body["return_code"], 0, "{}", a.body);
            pages += 1;
            rows.extend(a.body[list].as_array().unwrap().iter().cloned());
            if a.cont_yn != "Y" {
                assert!(a.next_key.is_empty());
                return (rows, pages);
            }
            assert!(!a.next_key.is_empty());
            key = a.next_key;
        }
    }
}

async fn ws_for(server: &MockServer, token: &str, types: &[&str]) -> Ws {
    let (mut ws, _) =
        tokio_tungstenite::connect_async(format!("{}/api/dostk/websocket", server.ws_url()))
            .await
            .unwrap();
    send(&mut ws, json!({"trnm": "LOGIN", "token": token})).await;
    assert_eq!(next_of(&mut ws, "LOGIN").await["return_code"], 0);
    send(&mut ws, json!({"trnm": "REG", "grp_no": "1", "refresh": "1", "data": [{"item": [""], "type": types}]})).await;
    assert_eq!(next_of(&mut ws, "REG").await["return_code"], 0);
    ws
}

async fn send(ws: &mut Ws, v: Value) {
    ws.send(Message::Text(v.to_string().into())).await.unwrap();
}

async fn next_of(ws: &mut Ws, trnm: &str) -> Value {
    loop {
        let msg = tokio::time::timeout(Duration::from_secs(5), ws.next())
            .await
            .expect("a frame within 5 s");
        let text = match msg {
            Some(Ok(Message::Text(t))) => t.to_string(),
            Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
            other => panic!("expected a text frame, got {other:?}"),
        };
        let v: Value = serde_json::from_str(&text).unwrap();
        if v["trnm"] == trnm {
            return v;
        }
    }
}

/// The next REAL entry: (type, values).
async fn next_real(ws: &mut Ws) -> (String, Value) {
    let frame = next_of(ws, "REAL").await;
    let entry = &frame["data"][0];
    (
        entry["type"].as_str().unwrap().to_string(),
        entry["values"].clone(),
    )
}

/// REAL entries until none comes for `quiet`.
async fn drain(ws: &mut Ws, quiet: Duration) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    while let Ok(Some(Ok(msg))) = tokio::time::timeout(quiet, ws.next()).await {
        if let Message::Text(t) = msg {
            let v: Value = serde_json::from_str(&t).unwrap();
            if v["trnm"] == "REAL" {
                let e = &v["data"][0];
                out.push((e["type"].as_str().unwrap().to_string(), e["values"].clone()));
            }
        }
    }
    out
}

fn s(v: &Value, wire: &str) -> String {
    v[wire].as_str().unwrap_or_default().to_string()
}

fn n(v: &Value, wire: &str) -> i64 {
    s(v, wire)
        .trim_start_matches(['+', '-'])
        .trim_start_matches('0')
        .parse()
        .unwrap_or(0)
}

fn on_stock_grid(price: i64) -> bool {
    Grid::of(InstrumentKind::Stock).is_on_grid(Decimal::from(price))
}

/// Step until `ord_no` has nothing open (bounded).
fn step_until_done(server: &MockServer, ord_no: &str) {
    for _ in 0..5_000 {
        let open = server
            .control()
            .book()
            .orders
            .iter()
            .any(|o| o.order_no == ord_no && o.status == SimOrderStatus::Open);
        if !open {
            return;
        }
        server.control().step_market(1);
    }
    panic!("{ord_no} never filled");
}

#[tokio::test]
async fn the_walk_is_deterministic_per_seed_and_stays_on_the_grid() {
    let path = |seed| async move {
        let server = MockServer::start(config(seed)).await.unwrap();
        let c = server.control();
        let start = c.price("005930").unwrap();
        let mut prices = vec![start];
        for _ in 0..300 {
            c.step_market(1);
            prices.push(c.price("005930").unwrap());
        }
        (prices, c.price("069500").unwrap(), c.price("AAPL").unwrap())
    };
    let (a, etf_a, us_a) = path(11).await;
    let (b, etf_b, us_b) = path(11).await;
    let (other, _, _) = path(12).await;
    assert_eq!(a, b, "same seed, same path");
    assert_eq!((etf_a, us_a), (etf_b, us_b));
    assert_ne!(a, other, "another seed walks elsewhere");
    let moves: BTreeSet<i64> = a.windows(2).map(|w| w[1] - w[0]).collect();
    assert!(a.iter().all(|p| on_stock_grid(*p)), "{a:?}");
    assert!(
        moves.iter().all(|m| [-100, -50, 0, 100].contains(m)),
        "one tick at a time: {moves:?}"
    );
    assert!(
        moves.contains(&0) && moves.len() > 1,
        "it moves, and sometimes not"
    );
    assert_eq!(etf_a % 5, 0, "the ETF grid");
    assert_eq!(us_a % 100, 0, "US cents in 1/10000 USD");
}

#[tokio::test]
async fn a_resting_limit_fills_in_parts_as_the_price_crosses_with_00_and_04_for_each() {
    let server = MockServer::start(config(5)).await.unwrap();
    let client = Client::new(&server).await;
    let mut ws = ws_for(&server, &client.token, &["00", "04"]).await;
    let price = server.control().price("005930").unwrap();
    let limit = price - 100;
    let ord_no = client.limit("kt10000", 12, limit).await;

    let (kind, accepted) = next_real(&mut ws).await;
    assert_eq!(kind, "00");
    assert_eq!(
        (s(&accepted, "9203"), s(&accepted, "913")),
        (ord_no.clone(), "접수".into())
    );
    assert_eq!(
        (n(&accepted, "902"), s(&accepted, "909")),
        (12, String::new())
    );
    assert_eq!(next_real(&mut ws).await.0, "04", "a 04 for the acceptance");

    step_until_done(&server, &ord_no);
    let frames = drain(&mut ws, Duration::from_millis(300)).await;
    let fills: Vec<&Value> = frames
        .iter()
        .filter(|(k, _)| k == "00")
        .map(|(_, v)| v)
        .collect();
    let balances: Vec<&Value> = frames
        .iter()
        .filter(|(k, _)| k == "04")
        .map(|(_, v)| v)
        .collect();
    assert!(fills.len() >= 3, "several partial fills: {}", fills.len());
    assert_eq!(balances.len(), fills.len(), "a 04 after each 00");
    let mut total = 0;
    let mut fill_nos = BTreeSet::new();
    for (fill, balance) in fills.iter().zip(&balances) {
        assert_eq!(s(fill, "913"), "체결");
        assert_eq!(s(fill, "9203"), ord_no);
        assert_eq!(n(fill, "910"), limit, "a resting limit fills at its price");
        assert_eq!(n(fill, "914"), limit);
        let qty = n(fill, "915");
        assert!((1..=4).contains(&qty), "at most a third at a time: {qty}");
        total += qty;
        assert_eq!(n(fill, "911"), total, "911 is the order's running total");
        assert_eq!(n(fill, "902"), 12 - total);
        assert_eq!(n(fill, "903"), total * limit);
        assert!(fill_nos.insert(s(fill, "909")), "fill numbers are unique");
        assert!(
            n(fill, "10") <= limit,
            "filled when the price reached the limit"
        );
        assert_eq!(n(balance, "930"), total, "04 holds what filled so far");
        assert_eq!(n(balance, "931"), limit);
        assert_eq!(n(balance, "932"), total * limit);
    }
    assert_eq!(total, 12);

    let book = server.control().book();
    let order = book.orders.iter().find(|o| o.order_no == ord_no).unwrap();
    assert_eq!(
        (order.status, order.filled_quantity),
        (SimOrderStatus::Filled, 12)
    );
    let book_fills: BTreeSet<String> = book
        .fills
        .iter()
        .filter(|f| f.order_no == ord_no)
        .map(|f| f.fill_no.clone())
        .collect();
    assert_eq!(
        book_fills, fill_nos,
        "the frames' fill numbers are the book's"
    );
    assert_eq!(book.holdings[0].quantity, 12);
    assert_eq!(book.cash_won, 100_000_000 - 12 * limit);

    // A market order fills at once, in full, at the current price.
    let now = server.control().price("005930").unwrap();
    let sold = client.market("kt10001", 5).await;
    let frames = drain(&mut ws, Duration::from_millis(300)).await;
    let kinds: Vec<(&str, String)> = frames
        .iter()
        .map(|(k, v)| (k.as_str(), s(v, "913")))
        .collect();
    assert_eq!(
        kinds,
        [
            ("00", "접수".to_string()),
            ("04", String::new()),
            ("00", "체결".to_string()),
            ("04", String::new())
        ]
    );
    let fill = &frames[2].1;
    assert_eq!(
        (s(fill, "9203"), n(fill, "915"), n(fill, "910")),
        (sold, 5, now)
    );
    assert_eq!(n(&frames[3].1, "930"), 7);
}

#[tokio::test]
async fn amend_cancel_and_reject_push_00_and_04() {
    let server = MockServer::start(config(6)).await.unwrap();
    let client = Client::new(&server).await;
    let mut ws = ws_for(&server, &client.token, &["00", "04"]).await;
    let price = server.control().price("005930").unwrap();
    let first = client.limit("kt10000", 10, price - 5_000).await;
    drain(&mut ws, Duration::from_millis(200)).await;

    // Amend 4 of 10 to a lower price: the amending order's request (접수) and confirmation
    // (확인), each followed by a 04.
    let r = client
        .order(
            "kt10002",
            json!({"dmst_stex_tp": "KRX", "orig_ord_no": first, "stk_cd": "005930",
                   "mdfy_qty": "4", "mdfy_uv": (price - 6_000).to_string()}),
        )
        .await;
    assert_eq!(r["return_code"], 0, "{r}");
    let amended = r["ord_no"].as_str().unwrap().to_string();
    let frames = drain(&mut ws, Duration::from_millis(200)).await;
    let zeros: Vec<&Value> = frames
        .iter()
        .filter(|(k, _)| k == "00")
        .map(|(_, v)| v)
        .collect();
    assert_eq!(frames.len(), 4, "{frames:?}");
    assert_eq!(
        zeros
            .iter()
            .map(|v| (s(v, "913"), s(v, "905")))
            .collect::<Vec<_>>(),
        [
            ("접수".to_string(), "+매수정정".to_string()),
            ("확인".into(), "+매수정정".into())
        ]
    );
    for v in &zeros {
        assert_eq!(
            (s(v, "9203"), s(v, "904"), n(v, "900"), n(v, "901")),
            (amended.clone(), first.clone(), 4, price - 6_000)
        );
    }

    // Cancel the rest of the first order: 접수 then 확인 of the cancel order, 900 = 6.
    let r = client
        .order(
            "kt10003",
            json!({"dmst_stex_tp": "KRX", "orig_ord_no": first, "stk_cd": "005930", "cncl_qty": "0"}),
        )
        .await;
    assert_eq!(r["return_code"], 0, "{r}");
    let cancel_no = r["ord_no"].as_str().unwrap().to_string();
    let frames = drain(&mut ws, Duration::from_millis(200)).await;
    assert_eq!(frames.len(), 4, "{frames:?}");
    let confirm = &frames[2].1;
    assert_eq!(
        (
            s(confirm, "913"),
            s(confirm, "905"),
            s(confirm, "9203"),
            s(confirm, "904"),
            n(confirm, "900"),
            n(confirm, "902")
        ),
        ("확인".into(), "+매수취소".into(), cancel_no, first, 6, 0)
    );

    // A sell of shares not held is refused: return_code 20, and a 거부 frame without an
    // order number carrying the reason, then a 04.
    let r = client
        .order(
            "kt10001",
            json!({"dmst_stex_tp": "KRX", "stk_cd": "005930", "ord_qty": "3", "trde_tp": "3"}),
        )
        .await;
    assert_eq!(r["return_code"], 20, "{r}");
    let frames = drain(&mut ws, Duration::from_millis(200)).await;
    assert_eq!(frames.len(), 2, "{frames:?}");
    let refused = &frames[0].1;
    assert_eq!(
        (
            s(refused, "913"),
            s(refused, "9203"),
            s(refused, "905"),
            n(refused, "900")
        ),
        ("거부".into(), String::new(), "-매도".into(), 3)
    );
    assert!(
        s(refused, "919").contains("매도가능수량"),
        "{}",
        s(refused, "919")
    );
    assert_eq!(frames[1].0, "04");

    let book = server.control().book();
    let kinds: Vec<SimOrderKind> = book.orders.iter().map(|o| o.kind).collect();
    assert_eq!(
        kinds,
        [SimOrderKind::New, SimOrderKind::Amend, SimOrderKind::Cancel],
        "the refused order never reached the book"
    );
    assert_eq!(book.orders[0].status, SimOrderStatus::Closed);
    assert_eq!(book.orders[1].open_quantity, 4);
}

#[tokio::test]
async fn inquiries_answer_from_the_book_and_kt00009_pages_to_the_end() {
    let server = MockServer::start(config(7)).await.unwrap();
    let control = server.control();
    let client = Client::new(&server).await;
    let price = control.price("005930").unwrap();
    client.market("kt10000", 20).await;
    let resting = client.limit("kt10000", 9, price - 100).await;
    for k in 1..=4 {
        client.limit("kt10000", 1, price - 1_000 * k).await;
    }
    client.limit("kt10001", 6, price + 100).await;
    for _ in 0..6 {
        control.step_market(1);
    }
    client.market("kt10001", 2).await;
    let book = control.book();
    assert_eq!(book.orders.len(), 8);

    // ka10075: the open orders with their open quantity.
    let (open, _) = client
        .all_pages(
            "ka10075",
            json!({"all_stk_tp": "0", "trde_tp": "0", "stex_tp": "0"}),
            "oso",
        )
        .await;
    let want: BTreeSet<(String, i64)> = book
        .orders
        .iter()
        .filter(|o| o.status == SimOrderStatus::Open)
        .map(|o| (o.order_no.clone(), o.open_quantity))
        .collect();
    let got: BTreeSet<(String, i64)> = open
        .iter()
        .map(|r| (s(r, "ord_no"), n(r, "oso_qty")))
        .collect();
    assert_eq!(got, want);
    assert!(
        want.iter().any(|(no, _)| *no == resting) || {
            let o = book.orders.iter().find(|o| o.order_no == resting).unwrap();
            o.status == SimOrderStatus::Filled
        }
    );

    // ka10076: per order with fills, the filled total and its average price.
    let (fills, _) = client
        .all_pages(
            "ka10076",
            json!({"qry_tp": "0", "sell_tp": "0", "stex_tp": "0"}),
            "cntr",
        )
        .await;
    let want: BTreeSet<(String, i64)> = book
        .orders
        .iter()
        .filter(|o| o.filled_quantity > 0)
        .map(|o| (o.order_no.clone(), o.filled_quantity))
        .collect();
    let got: BTreeSet<(String, i64)> = fills
        .iter()
        .map(|r| (s(r, "ord_no"), n(r, "cntr_qty")))
        .collect();
    assert_eq!(got, want);

    // kt00009: one row per execution of each order (its own 체결번호, quantity, price),
    // one row with no number for an order without execution; 3 rows a page
    // (MockConfig::rows_per_page), newest first.
    let (history, pages) = client
        .all_pages("kt00009", kt00009_body("0"), "acnt_ord_cntr_prst_array")
        .await;
    let want = executions_newest_first(&book, false);
    assert_eq!(rows_of(&history), want);
    assert!(
        want.len() > book.orders.len(),
        "some order filled more than once: {want:?}"
    );
    assert_eq!(pages, want.len().div_ceil(3));
    for row in &history {
        let o = book
            .orders
            .iter()
            .find(|o| o.order_no == s(row, "ord_no"))
            .unwrap();
        assert_eq!(
            n(row, "ord_qty"),
            o.quantity,
            "the order's columns on each row"
        );
        assert_eq!(n(row, "ord_uv"), o.price);
    }
    // qry_tp 1 (체결): the executions only.
    let (filled, _) = client
        .all_pages("kt00009", kt00009_body("1"), "acnt_ord_cntr_prst_array")
        .await;
    assert_eq!(rows_of(&filled), executions_newest_first(&book, true));

    // kt00018: the holding, its cost and the walk's current price.
    let bal = client
        .call(
            "/api/dostk/acnt",
            "kt00018",
            json!({"qry_tp": "1", "dmst_stex_tp": "KRX"}),
        )
        .await;
    let rows = bal["acnt_evlt_remn_indv_tot"].as_array().unwrap();
    assert_eq!(rows.len(), 1, "{bal}");
    let held = &book.holdings[0];
    assert_eq!(n(&rows[0], "rmnd_qty"), held.quantity);
    assert_eq!(n(&rows[0], "pur_pric"), held.cost / held.quantity);
    assert_eq!(n(&rows[0], "cur_prc"), control.price("005930").unwrap());
    let dep = client
        .call("/api/dostk/acnt", "kt00001", json!({"qry_tp": "2"}))
        .await;
    assert_eq!(n(&dep, "entr"), book.cash_won);
}

fn kt00009_body(qry_tp: &str) -> Value {
    json!({"ord_dt": "", "stk_bond_tp": "0", "mrkt_tp": "0", "sell_tp": "0",
           "qry_tp": qry_tp, "stk_cd": "", "fr_ord_no": "", "dmst_stex_tp": "%"})
}

/// A kt00009 row as (order no, fill no, fill quantity, fill price).
type ExecRow = (String, String, i64, i64);

fn rows_of(rows: &[Value]) -> Vec<ExecRow> {
    rows.iter()
        .map(|r| {
            (
                s(r, "ord_no"),
                s(r, "cntr_no"),
                n(r, "cntr_qty"),
                n(r, "cntr_uv"),
            )
        })
        .collect()
}

/// The rows kt00009 must give for `book`: orders newest first, each order's executions
/// newest first, an order without one as a row with no fill (unless `filled_only`).
fn executions_newest_first(book: &BookSnapshot, filled_only: bool) -> Vec<ExecRow> {
    let mut want = Vec::new();
    for o in book.orders.iter().rev() {
        let fills: Vec<_> = book
            .fills
            .iter()
            .filter(|f| f.order_no == o.order_no)
            .collect();
        if fills.is_empty() && !filled_only {
            want.push((o.order_no.clone(), String::new(), 0, 0));
        }
        for f in fills.iter().rev() {
            want.push((o.order_no.clone(), f.fill_no.clone(), f.quantity, f.price));
        }
    }
    want
}

#[tokio::test]
async fn kt00009_pages_stay_right_when_fills_and_orders_land_between_pages() {
    let server = MockServer::start(config(11)).await.unwrap();
    let control = server.control();
    let client = Client::new(&server).await;
    let price = control.price("005930").unwrap();
    // An old resting buy, and a sell filling in parts, both near the price; then market buys
    // on top so the resting orders sit below page 1.
    client.market("kt10000", 30).await;
    let old_buy = client.limit("kt10000", 30, price - 100).await;
    let sell = client.limit("kt10001", 30, price + 100).await;
    for _ in 0..5 {
        client.market("kt10000", 1).await;
    }
    let listing = |next: String| {
        let client = &client;
        async move {
            let a = client
                .call_page("/api/dostk/acnt", "kt00009", kt00009_body("0"), &next)
                .await;
            assert_eq!(a.body["return_code"], 0, "{}", a.body);
            (
                rows_of(a.body["acnt_ord_cntr_prst_array"].as_array().unwrap()),
                a,
            )
        }
    };
    let before = control.book();
    let (mut got, first) = listing(String::new()).await;
    assert_eq!(got, executions_newest_first(&before, false)[..3]);
    assert_eq!(first.cont_yn, "Y");
    // Between pages: the market moves until both resting orders have filled again, and a
    // new order arrives (above the key: the next listing has it).
    let fills_of = |b: &BookSnapshot, no: &str| b.fills.iter().filter(|f| f.order_no == no).count();
    let mut steps = 0;
    loop {
        control.step_market(1);
        steps += 1;
        let now = control.book();
        if fills_of(&now, &old_buy) > fills_of(&before, &old_buy)
            && fills_of(&now, &sell) > fills_of(&before, &sell)
        {
            break;
        }
        assert!(steps < 5_000, "the resting orders never filled");
    }
    client.market("kt10000", 1).await;
    let mut key = first.next_key;
    while !key.is_empty() {
        let (rows, a) = listing(key).await;
        got.extend(rows);
        key = if a.cont_yn == "Y" {
            a.next_key
        } else {
            String::new()
        };
    }
    // Exactly the rows of the book as it is now, minus what lies above page 1's key: the new
    // order. Every execution of the resting orders is listed once, the new ones too (their
    // orders lie below the key).
    let after = control.book();
    let mut want = executions_newest_first(&after, false);
    let newest = after.orders.last().unwrap().order_no.clone();
    want.retain(|r| r.0 != newest);
    assert_eq!(got, want);
    for no in [&old_buy, &sell] {
        assert_eq!(
            got.iter().filter(|r| &r.0 == no).map(|r| r.2).sum::<i64>(),
            after
                .orders
                .iter()
                .find(|o| &o.order_no == no)
                .unwrap()
                .filled_quantity,
            "{no}: its executions add up to its filled quantity"
        );
    }
    // A key of another listing's shape is refused.
    let bad = client
        .call_page(
            "/api/dostk/acnt",
            "kt00009",
            kt00009_body("0"),
            "B0000000003",
        )
        .await;
    assert_ne!(bad.body["return_code"], 0, "{}", bad.body);
}

/// A scripted session: orders, then `steps` market steps.
async fn trade(server: &MockServer, steps: u64) {
    let client = Client::new(server).await;
    let price = server.control().price("005930").unwrap();
    client.market("kt10000", 10).await;
    client.limit("kt10000", 9, price - 100).await;
    client.limit("kt10001", 7, price + 100).await;
    server.control().step_market(steps);
}

#[tokio::test]
async fn a_restart_on_the_state_file_keeps_the_book() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("book.json");

    let first = MockServer::start(config(9).with_state_file(&file))
        .await
        .unwrap();
    trade(&first, 4).await;
    let before = first.control().book();
    assert!(!before.fills.is_empty());
    first.shutdown().await;
    assert!(file.exists());
    assert!(
        !dir.path().join("book.json.tmp").exists(),
        "the temp file was renamed"
    );

    let second = MockServer::start(config(9).with_state_file(&file))
        .await
        .unwrap();
    assert_eq!(second.control().book(), before, "the book is back");
    second.control().step_market(30);
    let client = Client::new(&second).await;
    let next = client.market("kt10000", 1).await;
    assert!(
        before.orders.iter().all(|o| o.order_no < next),
        "order numbers continue: {next}"
    );
    let after_restart = second.control().book();

    // The same session without a restart ends with the same book: the walk, the fill sizes
    // and the counters all continued from the file.
    let straight = MockServer::start(config(9)).await.unwrap();
    trade(&straight, 4).await;
    straight.control().step_market(30);
    Client::new(&straight).await.market("kt10000", 1).await;
    assert_eq!(straight.control().book(), after_restart);
    assert_eq!(
        straight.control().price("005930"),
        second.control().price("005930")
    );

    // Without the option a new server starts empty.
    let fresh = MockServer::start(config(9)).await.unwrap();
    assert_eq!(fresh.control().book().orders.len(), 0);

    // A file that is not a book stops the start instead of emptying the book.
    std::fs::write(&file, "{not json").unwrap();
    let err = MockServer::start(config(9).with_state_file(&file))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("state file"), "{err}");
}

#[tokio::test]
async fn dropped_00_frames_still_fill_the_book() {
    let server = MockServer::start(config(10)).await.unwrap();
    let control = server.control();
    let client = Client::new(&server).await;
    let mut ws = ws_for(&server, &client.token, &["00", "04"]).await;

    // The next two events (a market buy's 접수 and 체결) reach the book but not the socket.
    control.drop_order_frames(2);
    let lost = client.market("kt10000", 3).await;
    let frames = drain(&mut ws, Duration::from_millis(300)).await;
    assert_eq!(
        frames.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>(),
        ["04", "04"],
        "only the balances arrive"
    );
    assert_eq!(n(&frames[1].1, "930"), 3);
    assert_eq!(control.order_frames_dropped(), 2);
    let book = control.book();
    assert_eq!(book.fills.len(), 1);
    assert_eq!(book.fills[0].order_no, lost);

    // The fault is used up: the next order's frames arrive.
    let seen = client.market("kt10000", 1).await;
    let frames = drain(&mut ws, Duration::from_millis(300)).await;
    let zeros: Vec<String> = frames
        .iter()
        .filter(|(k, _)| k == "00")
        .map(|(_, v)| s(v, "9203"))
        .collect();
    assert_eq!(zeros, [seen.clone(), seen]);

    // At random, but the same draws for the same seed.
    let dropped = |seed| async move {
        let server = MockServer::start(config(seed)).await.unwrap();
        server.control().drop_order_frames_randomly(0.5);
        let client = Client::new(&server).await;
        for _ in 0..10 {
            client.market("kt10000", 1).await;
        }
        server.control().order_frames_dropped()
    };
    let a = dropped(21).await;
    assert_eq!(a, dropped(21).await);
    assert!((1..20).contains(&a), "some of 20 frames: {a}");
}

#[tokio::test]
async fn websockets_dropped_for_a_while_refuse_reconnects_then_recover() {
    let server = MockServer::start(config(11)).await.unwrap();
    let control = server.control();
    let client = Client::new(&server).await;
    let mut ws = ws_for(&server, &client.token, &["00"]).await;

    control.drop_websockets_for(Duration::from_millis(800));
    let end = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            match ws.next().await {
                Some(Ok(Message::Text(_) | Message::Ping(_) | Message::Pong(_))) => continue,
                other => return other,
            }
        }
    })
    .await
    .expect("the socket ends");
    assert!(
        !matches!(end, Some(Ok(Message::Close(_)))),
        "dropped, no close frame"
    );
    assert!(control.websockets_refused());
    let refused =
        tokio_tungstenite::connect_async(format!("{}/api/dostk/websocket", server.ws_url())).await;
    match refused {
        Err(tokio_tungstenite::tungstenite::Error::Http(resp)) => {
            assert_eq!(resp.status(), 503)
        }
        other => panic!("expected HTTP 503, got {other:?}"),
    }
    // Orders still fill meanwhile; their frames reach nobody.
    client.market("kt10000", 2).await;
    assert_eq!(control.book().fills.len(), 1);

    tokio::time::sleep(Duration::from_millis(900)).await;
    assert!(!control.websockets_refused());
    let mut again = ws_for(&server, &client.token, &["00"]).await;
    let seen = client.market("kt10000", 1).await;
    let (_, v) = next_real(&mut again).await;
    assert_eq!(s(&v, "9203"), seen);
}

#[tokio::test]
async fn admin_endpoints_and_the_timer_drive_the_market() {
    let server = MockServer::start(config(13)).await.unwrap();
    let http = reqwest::Client::new();
    let admin = |path: &str| format!("{}/_mock{path}", server.base_url());
    let r: Value = http
        .post(admin("/market/step"))
        .json(&json!({"steps": 5}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(r["steps"], 5);
    let r: Value = http
        .get(admin("/market/005930"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(r["price"], server.control().price("005930").unwrap());
    let r = http
        .post(admin("/order-frames/drop"))
        .json(&json!({"probability": 2.0}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let r = http
        .post(admin("/order-frames/drop"))
        .json(&json!({"next": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = http
        .post(admin("/websockets/drop"))
        .json(&json!({"seconds": 0.2}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(server.control().websockets_refused());

    // MockConfig::market_step_interval steps on its own.
    let timed = MockServer::start(config(13).with_market_steps(Duration::from_millis(20)))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let steps = timed.control().book().steps;
    assert!(steps >= 3, "{steps} steps in 300 ms");
    let untimed: BookSnapshot = MockServer::start(config(13))
        .await
        .unwrap()
        .control()
        .book();
    assert_eq!(untimed.steps, 0, "off by default");
}
